"""The dashboard, served from the package at `/app`: the reference frontend of
ui/dashboard/, built by `make ui` into `static/app/` (checked in, so `pip install` and
`make demo` need no Node). It talks to the API only through `/graphql`, as any customer's
frontend would; with API keys configured it asks for one and keeps it in the browser's
session only.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

#: the folder the build writes and the app serves
ASSETS = Path(__file__).resolve().parent / "static" / "app"
#: where the dashboard is served
PATH = "/app"


def mount_dashboard(app: FastAPI) -> None:
    """Serve the built dashboard at `PATH` (`/app` redirects to `/app/`)."""
    app.mount(PATH, StaticFiles(directory=ASSETS, html=True), name="dashboard")
