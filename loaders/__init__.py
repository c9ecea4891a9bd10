"""Readers, mappings, normalisation and the import pipeline."""
