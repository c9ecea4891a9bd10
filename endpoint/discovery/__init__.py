"""How machines find the data: VoID, DCAT, sitemaps and dumps."""
