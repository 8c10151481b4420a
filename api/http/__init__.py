"""Palabra over HTTP: the app factory (`create_app`), its middleware, the operations
endpoints and the NDJSON event feed.  `from_environment` builds the app from the
environment, for uvicorn's worker processes (`api.http:from_environment`)."""

from api.http.app import create_app, from_environment

__all__ = ["create_app", "from_environment"]
