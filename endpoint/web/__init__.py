"""Cross-cutting helpers every room uses: who is asking (audience, browser session), content
negotiation and representations, published links, caches of whole responses, templating, CSV
cells, IRI paths and the text of the SPARQL the rooms run."""
