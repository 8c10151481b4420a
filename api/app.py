"""The HTTP app: GraphQL for frontends, auditors and integrations, plus a little REST.

`create_app(settings)` is the composition root of the server: it opens the
services (ledger, read models, the projection runner unless another process
runs it), authenticates API keys, and serves

- `/graphql`: queries and mutations over POST, subscriptions over WebSocket
  (graphql-transport-ws), GraphiQL when enabled;
- `/healthz`: the process is up; `/readyz`: the database answers within a
  second (and has room), with the projection lag; `/metrics`: Prometheus
  metrics (api/metrics.py), never waiting on the database.  When API keys are
  configured, `/metrics` and the details of `/readyz` need a valid key of any role
  (unless PALABRA_OPS_NEED_KEY is false); without one `/readyz` says only its status;
- `/events.ndjson`: the ledger's events as JSON Lines for auditors (the format
  of `palabra export`, ending with the line that says it is complete), by
  client and after a position.

Every response carries an `X-Request-ID`; every request is logged as JSON with
it; unexpected failures answer with that id and nothing of their internals.  Every
refused request (unknown path, wrong method, bad parameter, bad body) answers the one
JSON error shape `{"error": {"code", "message", "requestId"}}`.  A request's database
work is cut off after `PALABRA_DB_TIMEOUT` seconds: it then answers `UNAVAILABLE`
(HTTP 503), which may be retried.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, cast

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import logs
from api.auth import DEVELOPER, Access, Principal
from api.graphql.errors import http_error
from api.services import Services, open_services
from api.settings import Settings
from domain.errors import LedgerError, Unavailable
from domain.ledger import Clock, utc_now
from projections.store import DISK_FULL, time_limit

log = logging.getLogger("palabra.api")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
MAX_POSITION = 2**63 - 1  # the largest position a store can hold
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "WS"})
READY_SECONDS = 1.0  # /readyz answers within this, database or not


def create_app(settings: Settings, clock: Clock = utc_now, dev: bool = False) -> FastAPI:
    """The app on the store named by `settings`; `dev` opens it without keys (local use)."""
    from api.graphql.router import graphql_router

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
        try:
            yield
        finally:
            await run_in_threadpool(services.close)

    app = FastAPI(title="Palabra", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)

    def services() -> Services:
        return services_box["services"]

    app.include_router(graphql_router(cast(Services, _Lazy(services)), authenticate),
                       prefix="/graphql")

    def caller(authorization: Annotated[str | None, Header()] = None) -> Principal | None:
        return authenticate(authorization)

    def sees_operations(authorization: Annotated[str | None, Header()] = None) -> bool:
        """Whether the caller may see the metrics and the details of readiness."""
        return (dev or not settings.api_keys or not settings.ops_need_key
                or authenticate(authorization) is not None)

    @app.exception_handler(HTTPException)
    async def refused(request: Request, error: HTTPException) -> JSONResponse:
        code = "NOT_FOUND" if error.status_code == 404 else "INVALID_INPUT"
        return _error(error.status_code, code, str(error.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc'][1:])) or 'the request'}: {e['msg']}"
                            for e in error.errors())
        return _error(400, "INVALID_INPUT", reasons)

    @app.get("/metrics")
    def metrics(allowed: bool = Depends(sees_operations)) -> Response:
        if not allowed:
            return _error(401, "UNAUTHENTICATED", "the metrics need an API key: send "
                          "'Authorization: Bearer <key>'")
        return Response(generate_latest(services().metrics.registry),
                        media_type=CONTENT_TYPE_LATEST)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz(allowed: bool = Depends(sees_operations)) -> JSONResponse:
        answer = await readiness()
        if allowed:
            return answer
        return JSONResponse({"status": json.loads(bytes(answer.body))["status"]},
                            answer.status_code)

    async def readiness() -> JSONResponse:
        watch = services().watch
        try:
            reading = await asyncio.wait_for(
                run_in_threadpool(watch.read, READY_SECONDS), READY_SECONDS)
        except Exception as error:
            full = isinstance(error, Unavailable) and error.reason == DISK_FULL
            log.warning("not ready: %s", "the disk is full" if full else
                        f"the database did not answer ({type(error).__name__})")
            return JSONResponse({"status": "unavailable",
                                 "database": "full" if full else "unreachable"}, 503)
        health = reading.health
        beyond = health.position > health.head  # the read models cannot be trusted
        return JSONResponse({"status": "unavailable" if beyond else "ready",
                             "database": "reachable", "store": services().database.backend,
                             "projection": {"position": health.position, "head": health.head,
                                            "lag": health.lag, "skipped": health.skipped,
                                            "problem": health.problem}},
                            503 if beyond else 200)

    @app.get("/events.ndjson")
    def events_ndjson(
        principal: Principal | None = Depends(caller),  # noqa: B008 (FastAPI's way)
        client: Annotated[str | None, Query(description="only this client's events")] = None,
        after: Annotated[int, Query(ge=0, le=MAX_POSITION,
                                    description="only events after this position")] = 0,
    ) -> Any:
        refused = _refusal(principal, Access.AUDIT)
        if refused is not None:
            return refused
        try:
            lines = services().export(client, after)
        except LedgerError as error:
            return _error(404, error.code, error.message)
        return StreamingResponse(iterate_in_threadpool(_until_cut(lines)),
                                 media_type="application/x-ndjson")

    app.add_middleware(_BodyLimit, limit=settings.max_body_bytes)
    def observe(route: str, status: int, seconds: float) -> None:
        if route != "/graphql" and "services" in services_box:  # GraphQL: by operation
            services().metrics.observe(route, str(status), seconds)

    def routes() -> frozenset[str]:
        return frozenset(str(getattr(route, "path", "")) for route in app.routes)

    app.add_middleware(_RequestLog, observe=observe, routes=routes,
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


def _until_cut(lines: Iterator[str]) -> Iterator[str]:
    """The export's lines; a failure (logged by the export) ends them cleanly, without
    the last line that says the export is complete."""
    try:
        yield from lines
    except Exception:
        return


def _refusal(principal: Principal | None, access: Access) -> JSONResponse | None:
    if principal is None:
        return _error(401, "UNAUTHENTICATED", "an API key is needed: send "
                      "'Authorization: Bearer <key>'")
    if not principal.may(access):
        return _error(403, "FORBIDDEN", f"the {principal.role.value} role may not "
                      f"{access.value} here")
    return None


def _error(status: int, code: str, message: str) -> JSONResponse:
    return http_error(status, code, message)


def _route_label(scope: Scope, routes: frozenset[str]) -> str:
    """The metrics' name of a request: its method and route template, never the raw path
    (which a caller could vary without end); GraphQL is labelled by operation."""
    route = str(getattr(scope.get("route"), "path", "") or "")
    if not route and scope["path"] in routes:  # an included router leaves no "route"
        route = scope["path"]
    if route == "/graphql":
        return route
    method = str(scope.get("method", "WS"))
    return f"{method if method in METHODS else 'OTHER'} {route or 'unmatched'}"


class _RequestLog:
    """Gives every request an id (X-Request-ID, kept when the caller sent a sane one),
    limits its database work to `db_timeout` seconds a query (UNAVAILABLE, 503, past
    that), logs it as one JSON line when it ends, and tells `observe` (the metrics)."""

    def __init__(self, app: ASGIApp, observe: Callable[[str, int, float], None],
                 routes: Callable[[], frozenset[str]], db_timeout: float) -> None:
        self.app = app
        self.observe = observe
        self.routes = routes
        self.db_timeout = db_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        sent = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request = sent if _REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        token = logs.request_id.set(request)
        started, status = time.perf_counter(), 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []),
                                      (b"x-request-id", request.encode())]
            await send(message)

        try:
            with time_limit(self.db_timeout):
                await self.app(scope, receive, send_with_id)
        except Unavailable as error:
            log.warning("unavailable: %s", error.message)
            if scope["type"] == "http" and status == 0:
                await _error(503, error.code, error.message)(scope, receive, send_with_id)
        except Exception:
            log.exception("unexpected failure")
            if scope["type"] == "http" and status == 0:
                await _error(500, "INTERNAL", "internal error; quote the request id "
                             "to support")(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            log.info("%s %s", scope.get("method", "WS"), scope["path"], extra={
                "status": status, "ms": round(seconds * 1000, 1)})
            self.observe(_route_label(scope, self.routes()), status, seconds)
            logs.request_id.reset(token)


class _BodyLimit:
    """Refuses request bodies over the limit (413) before they reach the app."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(self.limit)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await _too_large(self.limit)(scope, receive, send)


class _TooLarge(Exception):
    pass


def _too_large(limit: int) -> JSONResponse:
    return _error(413, "INVALID_INPUT", f"the request body is larger than {limit} bytes")
