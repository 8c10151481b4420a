"""What a person opens in a browser: `/schema.graphql` (the served schema's SDL, as
text) and, in `--dev`, the landing page at `/` linking the dashboard, GraphiQL, the SDL,
the docs and the health checks."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from api.auth import Access, Principal
from api.http.errors import http_error, refusal
from api.settings import Settings

LANDING = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Palabra (dev)</title>
<style>body { font: 16px/1.5 system-ui, sans-serif; max-width: 40em; margin: 3em auto; }
code { background: #eee; padding: 0 .2em; }</style></head>
<body>
<h1>Palabra</h1>
<p>Development mode: open to anyone on this machine, without keys.</p>
<ul>
<li><a href="/app/">The dashboard</a>: the portfolio, each client's trust, gap and
payments, an auditor's view and today's collection list, drawn from the GraphQL API.</li>
<li><a href="/graphql">GraphiQL</a>: write queries, mutations and subscriptions
against <code>/graphql</code>; its Docs panel describes every type and field.</li>
<li><a href="/schema.graphql">/schema.graphql</a>: the schema (SDL), as text.</li>
<li><a href="/healthz">/healthz</a> and <a href="/readyz">/readyz</a>: health;
<a href="/metrics">/metrics</a>: Prometheus metrics.</li>
<li>Docs: <code>docs/api.md</code> in the repository (the API, errors, examples) and
<code>README.md</code> (every setting).</li>
</ul>
</body>
</html>
"""


def pages_router(settings: Settings, sdl: Callable[[], str],
                 caller: Callable[..., Principal | None], dev: bool) -> APIRouter:
    """The routes; `sdl` gives the served schema's SDL, `caller` (a dependency) the
    authenticated caller or None."""
    router = APIRouter()

    @router.get("/schema.graphql", response_model=None)
    def schema_sdl(
        principal: Principal | None = Depends(caller),  # noqa: B008 (FastAPI's way)
    ) -> Response:
        """The SDL, to whoever may introspect (with keys configured, a valid key)."""
        if not settings.introspection and not dev:
            return http_error(404, "NOT_FOUND", "introspection is off on this server")
        if settings.api_keys and not dev:
            refused = refusal(principal, Access.READ)
            if refused is not None:
                return refused
        return PlainTextResponse(sdl(), media_type="text/plain; charset=utf-8")

    if dev:
        @router.get("/", response_class=HTMLResponse)
        def landing() -> str:
            """Where `palabra serve --dev` sends a person first."""
            return LANDING

    return router
