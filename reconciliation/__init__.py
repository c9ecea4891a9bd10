"""Reconciliation: which records of different members describe the same co-op, and the
canonical `/id/org/` entities that say so (docs/architecture.md)."""
