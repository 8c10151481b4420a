"""Talking to the GraphQL API as its callers do: a key per role, one operation posted
over HTTP (`gql`), a graphql-transport-ws connection (`socket`, `subscribe`,
`next_payload`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from api.auth import ApiKeys

ROLES = ("reader", "auditor", "writer", "admin")
KEYS = {role: f"{role}-key-0123456789abcdef" for role in ROLES}
WRONG_KEY = "nobody-key-0123456789abcdef"
PROTOCOL = "graphql-transport-ws"


def role_keys() -> ApiKeys:
    """A key for each role, named after the role."""
    return ApiKeys.parse([f"{role}:{role}:{key}" for role, key in KEYS.items()], "test")


def bearer(role: str | None) -> dict[str, str]:
    """The header of a role's key; "wrong" presents a key nobody has; None presents none."""
    if role is None:
        return {}
    return {"Authorization": f"Bearer {WRONG_KEY if role == 'wrong' else KEYS[role]}"}


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
