"""The GraphQL layer over real HTTP and WebSocket, on each database.

`client` is a small FastAPI app with only the GraphQL router mounted (the full app
is exercised in test_app_mount.py); `gql(...)` posts one operation with a role's
key; `socket(...)` opens a graphql-transport-ws connection.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from api.auth import ApiKeys
from api.bootstrap import Services, open_services
from api.graphql.router import graphql_router
from api.settings import Settings
from tests.support import FixedClock

ROLES = ("reader", "auditor", "writer", "admin")
KEYS = {role: f"{role}-key-0123456789abcdef" for role in ROLES}
WRONG_KEY = "nobody-key-0123456789abcdef"
PROTOCOL = "graphql-transport-ws"


def bearer(role: str | None) -> dict[str, str]:
    """The header of a role's key; "wrong" presents a key nobody has; None presents none."""
    if role is None:
        return {}
    return {"Authorization": f"Bearer {WRONG_KEY if role == 'wrong' else KEYS[role]}"}


@pytest.fixture
def settings(database_url: str) -> Settings:
    keys = ApiKeys.parse([f"{role}:{role}:{key}" for role, key in KEYS.items()], "test")
    return Settings(database_url=database_url, api_keys=keys, max_batch=200)


@pytest.fixture
def services(settings: Settings, clock: FixedClock) -> Iterator[Services]:
    opened = open_services(settings, clock)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(graphql_router(services, services.settings.api_keys.authenticate),
                       prefix="/graphql")
    with TestClient(app) as test_client:
        yield test_client


class Answer(dict[str, Any]):
    """A GraphQL response body, with shortcuts for tests."""

    @property
    def data(self) -> Any:
        return self.get("data")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.get("errors") or [])

    @property
    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.errors]

    def ok(self) -> Any:
        assert not self.errors, json.dumps(self.errors, indent=1)
        return self.data


def gql(client: TestClient, query: str, variables: dict[str, Any] | None = None,
        role: str | None = "admin") -> Answer:
    response = client.post("/graphql", json={"query": query, "variables": variables},
                           headers=bearer(role))
    assert response.status_code == 200, response.text
    return Answer(response.json())


@contextmanager
def socket(client: TestClient, role: str | None = "admin",
           in_header: bool = False) -> Iterator[WebSocketTestSession]:
    """A graphql-transport-ws connection, initialised with the role's key (in the
    connection_init payload, or in the upgrade request's header)."""
    headers = bearer(role) if in_header else {}
    with client.websocket_connect("/graphql", subprotocols=[PROTOCOL],
                                  headers=headers) as ws:
        payload = {} if in_header else bearer(role)
        ws.send_json({"type": "connection_init", "payload": payload})
        yield ws


def subscribe(ws: WebSocketTestSession, query: str, variables: dict[str, Any] | None = None,
              id_: str = "1") -> None:
    ws.send_json({"id": id_, "type": "subscribe",
                  "payload": {"query": query, "variables": variables or {}}})


def next_payload(ws: WebSocketTestSession) -> dict[str, Any]:
    """The next `next` message's payload (pings are answered and skipped)."""
    while True:
        message = ws.receive_json()
        if message["type"] == "ping":
            ws.send_json({"type": "pong"})
            continue
        assert message["type"] == "next", message
        payload: dict[str, Any] = message["payload"]
        return payload
