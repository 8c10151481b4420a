"""The `/graphql` endpoint: queries and mutations over HTTP, subscriptions over WebSocket.

`graphql_router(services, authenticate)` gives a FastAPI router to mount
(`app.include_router(graphql_router(services, authenticate), prefix="/graphql")`).
Each request's caller is whoever its `Authorization: Bearer <key>` header names
(`authenticate` returns None for no or an unknown key: resolvers then refuse with
UNAUTHENTICATED).  A WebSocket speaks graphql-transport-ws only, and its
`connection_init` must carry a valid key — in its payload
(`{"Authorization": "Bearer <key>"}`) or in the upgrade request's header — or the
socket is closed (4403).  GraphiQL is served only when the settings enable it.

The schema is built from `services.settings` on first use, so `services` may be a
stand-in that is only usable once the app has started.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from starlette.requests import HTTPConnection
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.http.ides import GraphQL_IDE
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from api import logs
from api.graphql.context import Authenticate, Context
from api.graphql.schema import build_schema
from api.services import Services


class PalabraGraphQLRouter(GraphQLRouter[Context, None]):
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
                                        [self.services.metrics.graphql_extension()])
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
