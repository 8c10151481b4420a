"""The `/graphql` endpoint: queries and mutations over HTTP, subscriptions over WebSocket.

`graphql_router(services, authenticate)` gives a FastAPI router to mount
(`app.include_router(graphql_router(services, authenticate), prefix="/graphql")`).
Each request's caller is whoever its `Authorization: Bearer <key>` header names
(`authenticate` returns None for no or an unknown key: resolvers then refuse with
UNAUTHENTICATED).  A WebSocket speaks graphql-transport-ws only, and its
`connection_init` must carry a valid key — in its payload
(`{"Authorization": "Bearer <key>"}`) or in the upgrade request's header — or the
socket is closed (4403); a `connection_init` without a payload (or `null`) falls back
on the header.  GraphiQL is served only when the settings enable it.

A request that is not one GraphQL operation (a body that is not a UTF-8 JSON object
with a query, a wrong content type, an unknown `operationName`, …: see
`api.graphql.body`) gets the JSON error of every Palabra endpoint,
`{"error": {"code", "message", "requestId"}}`, never a 500.

The schema is built from `services.settings` on first use, so `services` may be a
stand-in that is only usable once the app has started.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLRequestData
from strawberry.http.ides import GraphQL_IDE
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
)
from strawberry.types.unset import UNSET

from api import logs
from api.bootstrap import Services
from api.graphql import ide
from api.graphql.body import BadBody, decode, request_data
from api.graphql.context import Authenticate, Context
from api.graphql.metrics import metrics_extension
from api.graphql.schema import build_schema
from api.http.errors import http_error

BODY_IN_THREAD = 20_000  # bytes; a larger body is decoded and checked off the event loop


class _TransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws, where a `connection_init` payload of null is no payload
    (the protocol allows one to be left out): the upgrade request's header counts."""

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        if message.get("payload", None) is None:
            message = {**message, "payload": {}}
        await super().handle_connection_init(message)


class PalabraGraphQLRouter(GraphQLRouter[Context, None]):
    graphql_transport_ws_handler_class = _TransportWS

    def __init__(self, services: Services, authenticate: Authenticate) -> None:
        self.services = services
        self.authenticate = authenticate
        self._schema: BaseSchema | None = None

        async def context(connection: HTTPConnection) -> Context:
            authorization = connection.headers.get("authorization")
            return Context(services, authenticate(authorization), _request_id(),
                           authenticate, credentials=authorization is not None)

        super().__init__(schema=None,  # type: ignore[arg-type]  # built on first use
                         graphql_ide=None, context_getter=context,
                         subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL])

    @property
    def schema(self) -> BaseSchema:
        if self._schema is None:
            self._schema = build_schema(self.services.settings,
                                        [metrics_extension(self.services.metrics)])
        return self._schema

    @schema.setter
    def schema(self, value: BaseSchema | None) -> None:
        self._schema = value

    @property
    def graphql_ide(self) -> GraphQL_IDE | None:
        return "graphiql" if self.services.settings.graphiql else None

    @graphql_ide.setter
    def graphql_ide(self, value: GraphQL_IDE | None) -> None:
        pass  # decided by the settings at each request

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        """GraphiQL from the package's own files (`api.graphql.ide`), never a CDN."""
        return HTMLResponse(ide.page())

    async def run(self, request: Request | WebSocket, context: Context = UNSET,
                  root_value: None = UNSET) -> Any:
        """Strawberry's handling, with every refusal of the request in Palabra's shape."""
        try:
            return await super().run(request, context, root_value)
        except HTTPException as refusal:
            return _refused(refusal.status_code, refusal.reason)
        except BadBody as refusal:
            return _refused(400, str(refusal))

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        if request.method != "POST":
            data: GraphQLRequestData = await super().parse_http_body(request)  # type: ignore[assignment]
            return data
        media_type, _ = parse_content_type(request.content_type or "")
        if media_type != "application/json":
            raise HTTPException(415, f"send the operation as application/json (got "
                                     f"{media_type or 'no content type'!r})")
        body = await request.get_body()
        if len(body) > BODY_IN_THREAD:
            return await run_in_threadpool(request_data, body)
        return request_data(body)

    def decode_json(self, data: str | bytes) -> object:
        """A GET request's variables or a WebSocket message, read as strictly as a body
        (strawberry answers a JSONDecodeError with 400, or closes the socket with 4400)."""
        try:
            return decode(data)
        except BadBody as refusal:
            raise json.JSONDecodeError(str(refusal), "", 0) from None

    async def on_ws_connect(self, context: Context) -> dict[str, object] | None:
        """Accept the socket only for a valid key (connection_init payload or header)."""
        presented = _authorization(context.connection_params)
        if presented is not None:
            context.principal = self.authenticate(presented)
            context.credentials = True
        if context.principal is None:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED",
                                            "message": "a valid API key is needed"})
        return None


def _refused(status: int, reason: str) -> Response:
    if status == 404:
        return http_error(404, "NOT_FOUND", reason)
    if status == 405:
        return http_error(405, "INVALID_INPUT", "GraphQL is served over GET and POST only")
    return http_error(status, "INVALID_INPUT", reason)


def _authorization(params: object) -> str | None:
    if not isinstance(params, Mapping):
        return None
    for key, value in params.items():
        if isinstance(key, str) and key.lower() == "authorization" and isinstance(value, str):
            return value
    return None


def _request_id() -> str:
    return logs.request_id.get() or uuid.uuid4().hex


def graphql_router(services: Services, authenticate: Authenticate) -> GraphQLRouter[Context, None]:
    """The router to mount at `/graphql`."""
    return PalabraGraphQLRouter(services, authenticate)
