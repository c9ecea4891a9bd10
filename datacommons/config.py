"""Configuration in one place: documented keys, defaults, and environment overrides.

| key | env | default | meaning |
|---|---|---|---|
| store | DATACOMMONS_STORE | ./data | folder holding the RDF store and the system database |
| backend | DATACOMMONS_BACKEND | embedded | where the RDF data lives: `embedded` (pyoxigraph in the store folder), `sparql` (an external SPARQL 1.1 store at the URLs below; the store folder then keeps only the system database), `oxigraph-server` (an Oxigraph server this process starts on the store folder: for tests and trials), `virtuoso` (the same with Virtuoso's `virtuoso-t`) |
| sparql_url | DATACOMMONS_SPARQL_URL | (none) | root of an Oxigraph server: sets the three URLs below to `/query`, `/update` and `/store` under it |
| sparql_query_url | DATACOMMONS_SPARQL_QUERY_URL | (none) | the store's SPARQL query endpoint (Fuseki: `http://host:3030/ds/query`, Virtuoso: `http://host:8890/sparql`) |
| sparql_update_url | DATACOMMONS_SPARQL_UPDATE_URL | (none) | its SPARQL update endpoint (Fuseki: `/ds/update`, Virtuoso: `/sparql-auth`) |
| graph_store_url | DATACOMMONS_GRAPH_STORE_URL | (none) | its Graph Store Protocol endpoint (Fuseki: `/ds/data`, Virtuoso: `/sparql-graph-crud-auth`) |
| sparql_user | DATACOMMONS_SPARQL_USER | (none) | user name for HTTP basic authentication to the store, if it asks |
| sparql_password | DATACOMMONS_SPARQL_PASSWORD | (none) | its password |
| base | DATACOMMONS_BASE | http://localhost:8080 | base IRI of every URI the commons mints; fixed when a store is created |
| public_url | DATACOMMONS_PUBLIC_URL | (the base) | where people and programs reach this server (`https://commons.example`); every link the commons publishes (JSON-LD contexts, search results, sitemaps, VoID, DCAT, the service description, OpenAPI, embeds) starts with it, never with the request's `Host` header |
| host | DATACOMMONS_HOST | 127.0.0.1 | address `serve` listens on |
| port | DATACOMMONS_PORT | 8080 | port `serve` listens on |
| threads | DATACOMMONS_THREADS | 8 | WSGI worker threads |
| query_timeout | DATACOMMONS_QUERY_TIMEOUT | 30 | seconds a SPARQL query may run (the catalogue's heaviest queries take 10-15 s at 100,000 co-ops on two cores) |
| max_rows | DATACOMMONS_MAX_ROWS | 10000 | result rows returned at most by /sparql |
| query_workers | DATACOMMONS_QUERY_WORKERS | 2 | reader processes running /sparql queries (each can be stopped at its timeout) |
| query_memory_mb | DATACOMMONS_QUERY_MEMORY_MB | 1024 | data memory each reader process may use (its heap: RocksDB's blocks and the query's working memory); a query past it is stopped and answered 503; 0 for no cap |
| max_upload_mb | DATACOMMONS_MAX_UPLOAD_MB | 16 | largest file (with its mapping) a member may upload to /api/imports or /imports; a bigger request is answered 413 (planning a 16 MB CSV of some 65,000 rows holds about 2.5 GB at its peak; the command line's `load` has no limit) |
| max_query_bytes | DATACOMMONS_MAX_QUERY_BYTES | 1048576 | largest /sparql request body |
| rate_limit | DATACOMMONS_RATE_LIMIT | 120/minute | requests per client (token, or address) to /sparql and the graph store; empty for none |
| rate_limit_storage | DATACOMMONS_RATE_LIMIT_STORAGE | memory:// | where the rate limit counts requests: this process's memory, or a store every web worker shares (`redis://host:6379`, `memcached://host:11211`; see the `limits` library's storage URIs) |
| service_allowlist | DATACOMMONS_SERVICE_ALLOWLIST | (none) | SPARQL endpoints a query may call with SERVICE, separated by spaces |
| response_cache_mb | DATACOMMONS_RESPONSE_CACHE_MB | 32 | MB of whole answers (entity pages, searches, the home page) kept to be served again; see "Memory" below |
| switch_interval_ms | DATACOMMONS_SWITCH_INTERVAL_MS | 1 | how long a `serve` thread keeps the GIL when another wants it (Python's default is 5) |
| smtp_url | DATACOMMONS_SMTP_URL | (none) | the SMTP server the commons sends its own mail through (confirmations, notices): `smtp://127.0.0.1:2525`, `smtp+starttls://user:pass@host:587`, `smtps://user:pass@host:465`; no mail is sent without it |
| mail_from | DATACOMMONS_MAIL_FROM | no-reply@(base's host) | the From address of that mail |
| dkim_domain | DATACOMMONS_DKIM_DOMAIN | (none) | DKIM signing domain (d=); with the two below, every message is DKIM-signed |
| dkim_selector | DATACOMMONS_DKIM_SELECTOR | (none) | DKIM selector (s=): the public key is at `{selector}._domainkey.{domain}` |
| dkim_key_file | DATACOMMONS_DKIM_KEY_FILE | (none) | the DKIM private key, a PEM file |
| operator_name | DATACOMMONS_OPERATOR_NAME | the operator of the Data Commons at (base) | who runs the commons: named in every consent request and footer (CASL) |
| operator_address | DATACOMMONS_OPERATOR_ADDRESS | (none) | the operator's mailing address (CASL requires one before going live) |
| operator_contact | DATACOMMONS_OPERATOR_CONTACT | (base)/ | the operator's email, phone or web contact |
| consent_ip | DATACOMMONS_CONSENT_IP | truncated | network addresses in the consent log: `kept`, `truncated` (IPv4 /24, IPv6 /48) or `none` |
| trusted_proxies | DATACOMMONS_TRUSTED_PROXIES | (none) | addresses of reverse proxies whose `X-Forwarded-For` is believed, separated by spaces |
| subscribe_rate_limit | DATACOMMONS_SUBSCRIBE_RATE_LIMIT | 10/hour;100/day | sign-up requests per client address, and ten times that per network (/24, /48) |
| tile_url | DATACOMMONS_TILE_URL | https://tile.openstreetmap.org/{z}/{x}/{y}.png | map tiles of the directory's maps (an outside server; empty for no tiles) |
| tile_attribution | DATACOMMONS_TILE_ATTRIBUTION | © OpenStreetMap contributors | credit shown on the maps for the tiles |
| default_licence | DATACOMMONS_DEFAULT_LICENCE | cc-by-4.0 | licence of a member's public data until it chooses one (`cc0`, `cc-by-4.0`, `odbl` or a licence's URL; see `datacommons member licence`) |
| max_request_mb | DATACOMMONS_MAX_REQUEST_MB | 64 | largest request body any path of the web application reads (Flask's `MAX_CONTENT_LENGTH`); a bigger one is answered 413. Uploads and SPARQL have their own, smaller limits above |
| channel_timeout | DATACOMMONS_CHANNEL_TIMEOUT | 120 | seconds `serve` keeps a connection that sends nothing open (waitress's `channel_timeout`) |
| answer_cache_mb | DATACOMMONS_ANSWER_CACHE_MB | 32 | MB of SPARQL answers (`/sparql`, named queries) kept to be served again (`endpoint/sparql/answer_cache.py`) |
| review_page_size | DATACOMMONS_REVIEW_PAGE_SIZE | 50 | pairs of records per page of the match review queue (`/review`, `/api/review`): each shows both records in full |

Memory (`serve`, measured at 100,000 co-ops, 2.5M quads): a fresh server holds about 80 MB
RSS (Python, Flask, pyoxigraph). Reading the store grows it: RocksDB (inside pyoxigraph, not
configurable from Python) keeps index and filter blocks of every file it opened and a block
cache, some 75 MB once 5,000 co-ops' pages were read; each reader process pays the same for
what it reads, and its query's working memory besides (30 MB at rest, 120-200 MB while a
GROUP BY over every co-op runs). The rest is caches with byte budgets: whole answers
(`response_cache_mb`: a co-op's HTML page is about 10 KB, its Turtle 2 KB, a search 18 KB, so
32 MB keeps some 2,000-3,000 answers, many times a hot set), SPARQL results
(`answer_cache_mb`, 32 MB), the text matches of searches (`endpoint/search/query.py`,
8 MB) and labels (`endpoint/pages/describe.py`, 4 MB). `serve` also limits glibc to two malloc
arenas (else each busy thread gets its own, and memory freed in one stays there).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Config:
    store: Path = field(default_factory=lambda: Path(_env("DATACOMMONS_STORE", "./data")))
    base: str | None = field(default_factory=lambda: os.environ.get("DATACOMMONS_BASE"))
    backend: str = field(default_factory=lambda: _env("DATACOMMONS_BACKEND", "embedded"))
    sparql_url: str | None = field(default_factory=lambda: os.environ.get("DATACOMMONS_SPARQL_URL"))
    sparql_query_url: str | None = field(
        default_factory=lambda: os.environ.get("DATACOMMONS_SPARQL_QUERY_URL")
    )
    sparql_update_url: str | None = field(
        default_factory=lambda: os.environ.get("DATACOMMONS_SPARQL_UPDATE_URL")
    )
    graph_store_url: str | None = field(
        default_factory=lambda: os.environ.get("DATACOMMONS_GRAPH_STORE_URL")
    )
    sparql_user: str | None = field(default_factory=lambda: os.environ.get("DATACOMMONS_SPARQL_USER"))
    sparql_password: str | None = field(
        default_factory=lambda: os.environ.get("DATACOMMONS_SPARQL_PASSWORD")
    )
    public_url: str | None = field(default_factory=lambda: os.environ.get("DATACOMMONS_PUBLIC_URL"))
    host: str = field(default_factory=lambda: _env("DATACOMMONS_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("DATACOMMONS_PORT", "8080")))
    threads: int = field(default_factory=lambda: int(_env("DATACOMMONS_THREADS", "8")))
    query_timeout: float = field(
        default_factory=lambda: float(_env("DATACOMMONS_QUERY_TIMEOUT", "30"))
    )
    max_rows: int = field(default_factory=lambda: int(_env("DATACOMMONS_MAX_ROWS", "10000")))
    query_workers: int = field(default_factory=lambda: int(_env("DATACOMMONS_QUERY_WORKERS", "2")))
    query_memory_mb: int = field(
        default_factory=lambda: int(_env("DATACOMMONS_QUERY_MEMORY_MB", "1024"))
    )
    max_upload_mb: float = field(
        default_factory=lambda: float(_env("DATACOMMONS_MAX_UPLOAD_MB", "16"))
    )
    max_query_bytes: int = field(
        default_factory=lambda: int(_env("DATACOMMONS_MAX_QUERY_BYTES", "1048576"))
    )
    rate_limit: str = field(default_factory=lambda: _env("DATACOMMONS_RATE_LIMIT", "120/minute"))
    rate_limit_storage: str = field(
        default_factory=lambda: _env("DATACOMMONS_RATE_LIMIT_STORAGE", "memory://")
    )
    service_allowlist: frozenset[str] = field(
        default_factory=lambda: frozenset(_env("DATACOMMONS_SERVICE_ALLOWLIST", "").split())
    )
    response_cache_mb: float = field(
        default_factory=lambda: float(_env("DATACOMMONS_RESPONSE_CACHE_MB", "32"))
    )
    switch_interval_ms: float = field(
        default_factory=lambda: float(_env("DATACOMMONS_SWITCH_INTERVAL_MS", "1"))
    )
    tile_url: str = field(
        default_factory=lambda: _env("DATACOMMONS_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    )
    tile_attribution: str = field(
        default_factory=lambda: _env("DATACOMMONS_TILE_ATTRIBUTION", "© OpenStreetMap contributors")
    )
    default_licence: str = field(default_factory=lambda: _env("DATACOMMONS_DEFAULT_LICENCE", "cc-by-4.0"))

    smtp_url: str | None = field(default_factory=lambda: os.environ.get("DATACOMMONS_SMTP_URL"))
    mail_from: str | None = field(default_factory=lambda: os.environ.get("DATACOMMONS_MAIL_FROM"))
    dkim_domain: str | None = field(default_factory=lambda: os.environ.get("DATACOMMONS_DKIM_DOMAIN"))
    dkim_selector: str | None = field(default_factory=lambda: os.environ.get("DATACOMMONS_DKIM_SELECTOR"))
    dkim_key_file: str | None = field(default_factory=lambda: os.environ.get("DATACOMMONS_DKIM_KEY_FILE"))
    operator_name: str | None = field(default_factory=lambda: os.environ.get("DATACOMMONS_OPERATOR_NAME"))
    operator_address: str | None = field(default_factory=lambda: os.environ.get("DATACOMMONS_OPERATOR_ADDRESS"))
    operator_contact: str | None = field(default_factory=lambda: os.environ.get("DATACOMMONS_OPERATOR_CONTACT"))
    consent_ip: str = field(default_factory=lambda: _env("DATACOMMONS_CONSENT_IP", "truncated"))
    trusted_proxies: frozenset[str] = field(
        default_factory=lambda: frozenset(_env("DATACOMMONS_TRUSTED_PROXIES", "").split())
    )
    subscribe_rate_limit: str = field(
        default_factory=lambda: _env("DATACOMMONS_SUBSCRIBE_RATE_LIMIT", "10/hour;100/day")
    )
    max_request_mb: float = field(default_factory=lambda: float(_env("DATACOMMONS_MAX_REQUEST_MB", "64")))
    channel_timeout: int = field(default_factory=lambda: int(_env("DATACOMMONS_CHANNEL_TIMEOUT", "120")))
    answer_cache_mb: float = field(default_factory=lambda: float(_env("DATACOMMONS_ANSWER_CACHE_MB", "32")))
    review_page_size: int = field(default_factory=lambda: int(_env("DATACOMMONS_REVIEW_PAGE_SIZE", "50")))

    def with_(self, **changes: object) -> "Config":
        """A copy with the given keys changed (None values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


DEFAULT_BASE = "http://localhost:8080"
