"""The API described: the OpenAPI document (public paths, paths that need a token, the lists
API)."""
