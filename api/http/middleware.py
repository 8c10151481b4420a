"""What wraps every request: its id and JSON log line, the time limit of its database
work, the metrics, and the limit on the size of its body."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import logs
from api.http.errors import http_error
from domain.errors import Unavailable
from projections.store import time_limit

log = logging.getLogger("palabra.api")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "WS"})


def route_label(scope: Scope, routes: frozenset[str]) -> str:
    """The metrics' name of a request: its method and route template, never the raw path
    (which a caller could vary without end); GraphQL is labelled by operation."""
    route = str(getattr(scope.get("route"), "path", "") or "")
    if not route and scope["path"] in routes:  # an included router leaves no "route"
        route = scope["path"]
    if route == "/graphql":
        return route
    method = str(scope.get("method", "WS"))
    return f"{method if method in METHODS else 'OTHER'} {route or 'unmatched'}"


class RequestLog:
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
                await http_error(503, error.code, error.message)(scope, receive, send_with_id)
        except Exception:
            log.exception("unexpected failure")
            if scope["type"] == "http" and status == 0:
                await http_error(500, "INTERNAL", "internal error; quote the request id "
                                 "to support")(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            log.info("%s %s", scope.get("method", "WS"), scope["path"], extra={
                "status": status, "ms": round(seconds * 1000, 1)})
            self.observe(route_label(scope, self.routes()), status, seconds)
            logs.request_id.reset(token)


class BodyLimit:
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
    return http_error(413, "INVALID_INPUT", f"the request body is larger than {limit} bytes")
