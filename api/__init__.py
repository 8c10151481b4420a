"""Palabra's API: everything that serves the ledger and its figures to people and programs.

- `settings`: every environment variable, in one pydantic-settings model;
- `bootstrap`: the one composition root (`open_services` → `Services`: ledger, read
  models, projector, read side, watch, metrics), used by the HTTP app and the CLI alike;
- `auth` (API keys and roles), `logs` (JSON logs), `metrics` (Prometheus), `watch` (the
  store's position), `export` (the export format);
- `http`: the app factory, its middleware, the operations endpoints, the NDJSON feed;
- `graphql`: the GraphQL schema, split by feature, and its router;
- `cli`: the `palabra` command line; `demo`: the demo ledger.

The package itself exports nothing: import from its modules.
"""

__all__: list[str] = []
