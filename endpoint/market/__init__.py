"""The marketplace on the web (issue 22): buyers' search `/api/market`."""
