"""The HTTP app: GraphQL for frontends, auditors and integrations, plus a little REST.

`create_app(settings)` opens the services (`api.bootstrap`: ledger, read models, the
projection runner unless another process runs it) in the app's lifespan,
authenticates API keys, and serves

- `/graphql`: queries and mutations over POST, subscriptions over WebSocket
  (graphql-transport-ws), GraphiQL when enabled (`api.graphql`);
- `/healthz`, `/readyz`, `/metrics` (`api.http.ops`);
- `/events.ndjson`: the ledger's events as JSON Lines for auditors, sealed on request
  (`api.http.feed`); `/checkpoint.json` and `/signing-key` (`api.http.checkpoints`);
- `/app/`: the dashboard, a frontend on the GraphQL API (`api.http.dashboard`);
- `/schema.graphql` (the SDL as text) and, in `--dev`, a landing page at `/`
  (`api.http.pages`); GraphiQL's files under `/graphiql/` when it is enabled (on in
  `--dev`).

Browser pages of the origins `PALABRA_CORS_ORIGINS` lists (in `--dev`, also any
`localhost` origin) may call it (CORS).

Every response carries an `X-Request-ID`; every request is logged as JSON with
it; unexpected failures answer with that id and nothing of their internals
(`api.http.middleware`).  Every refused request (unknown path, wrong method, bad
parameter, bad body) answers the one JSON error shape
`{"error": {"code", "message", "requestId"}}`.  A request's database work is cut off
after `PALABRA_DB_TIMEOUT` seconds: it then answers `UNAVAILABLE` (HTTP 503), which may
be retried.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, cast

from fastapi import FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from api import logs
from api.auth import DEVELOPER, Principal
from api.bootstrap import Services, open_services
from api.http.checkpoints import checkpoints_router
from api.http.dashboard import mount_dashboard
from api.http.errors import http_error
from api.http.feed import feed_router
from api.http.middleware import BodyLimit, RequestLog
from api.http.ops import ops_router
from api.http.pages import pages_router
from api.settings import Settings
from domain.ledger import Clock, utc_now

log = logging.getLogger("palabra.api")
#: the origins `--dev` lets call the API: pages served from this machine, on any port
LOCALHOST = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?"


def create_app(settings: Settings, clock: Clock = utc_now, dev: bool = False) -> FastAPI:
    """The app on the store named by `settings`; `dev` opens it without keys (local use)."""
    from api.graphql import graphql_router, ide

    if dev:  # GraphiQL on, and pages on any localhost port may call the API
        settings = settings.model_copy(update={"graphiql": True})

    def authenticate(authorization: str | None) -> Principal | None:
        return DEVELOPER if dev else settings.api_keys.authenticate(authorization)

    services_box: dict[str, Services] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await run_in_threadpool(open_services, settings, clock)
        services_box["services"] = services
        if settings.run_projections:
            services.start_runner()
        services.watch.start()
        app.state.services = services
        log.info("serving %s store", services.database.backend,
                 extra={"projections": settings.run_projections, "dev": dev})
        # what the process made to start (modules, the schema, the services) lives as long
        # as the app: out of the cyclic collector's way, so that a full collection scans
        # only what requests and caches made since (docs/benchmarks.md: 292 → 38 ms)
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            await run_in_threadpool(services.close)

    app = FastAPI(title="Palabra", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)

    def services() -> Services:
        return services_box["services"]

    router = graphql_router(cast(Services, _Lazy(services)), authenticate)
    app.include_router(router, prefix="/graphql")
    if settings.graphiql:
        app.mount(ide.ASSETS_PATH, StaticFiles(directory=ide.ASSETS), name="graphiql")
    mount_dashboard(app)

    def caller(authorization: Annotated[str | None, Header()] = None) -> Principal | None:
        return authenticate(authorization)

    def sees_operations(authorization: Annotated[str | None, Header()] = None) -> bool:
        """Whether the caller may see the metrics and the details of readiness."""
        return (dev or not settings.api_keys or not settings.ops_need_key
                or authenticate(authorization) is not None)

    @app.exception_handler(HTTPException)
    async def refused(request: Request, error: HTTPException) -> JSONResponse:
        code = "NOT_FOUND" if error.status_code == 404 else "INVALID_INPUT"
        return http_error(error.status_code, code, str(error.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc'][1:])) or 'the request'}: {e['msg']}"
                            for e in error.errors())
        return http_error(400, "INVALID_INPUT", reasons)

    app.include_router(ops_router(services, sees_operations))
    app.include_router(feed_router(services, caller))
    app.include_router(checkpoints_router(services, caller))
    app.include_router(pages_router(settings, lambda: router.schema.as_str() + "\n", caller,
                                    dev))
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                       allow_origin_regex=LOCALHOST if dev else None,
                       allow_methods=["GET", "POST"],
                       allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
                       expose_headers=["X-Request-ID"], max_age=600)

    def observe(route: str, status: int, seconds: float) -> None:
        if route != "/graphql" and "services" in services_box:  # GraphQL: by operation
            services().metrics.observe(route, str(status), seconds)

    def routes() -> frozenset[str]:
        return frozenset(str(getattr(route, "path", "")) for route in app.routes)

    app.add_middleware(RequestLog, observe=observe, routes=routes,
                       db_timeout=settings.db_timeout)
    return app


def from_environment() -> FastAPI:
    """The app as configured by the environment (for uvicorn's worker processes)."""
    settings = Settings.from_env()
    logs.configure(settings.log_level)
    return create_app(settings)


class _Lazy:
    """The services, resolved when first used (they open in the app's lifespan)."""

    def __init__(self, get: Any) -> None:
        self._get = get

    def __getattr__(self, name: str) -> Any:
        return getattr(self._get(), name)
