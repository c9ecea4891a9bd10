"""SPARQL for people and programs: the SPARQL Protocol, the Graph Store Protocol, the service
description, the named queries (the catalogue of saved queries and their pages), their answer
cache and rate limits."""
