"""The `palabra` command line (`palabra = "api.cli:main"`): `app` is the Typer app,
`main` runs it."""

from api.cli.app import app, main

__all__ = ["app", "main"]
