"""What the commons does to a query or a write before it leaves for a remote SPARQL store, so
the store's own habits (Virtuoso's among them) cannot change what an audience may read."""
