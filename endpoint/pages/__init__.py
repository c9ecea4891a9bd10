"""The pages of things: dereferencing an IRI (entity pages, with their RDF and schema.org
twins), describing an entity for one audience, and the home page."""
