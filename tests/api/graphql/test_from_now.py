"""`events(fromNow: true)` over a real WebSocket (uvicorn on a loopback port, the
`websockets` client): the subscription skips the events already in the ledger and
delivers only those appended after it started."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx2
import pytest
import uvicorn
from websockets.sync.client import ClientConnection, connect

from api.http import create_app
from api.settings import Settings
from tests.support import FixedClock
from tests.support.documents import APPEND
from tests.support.graphql import KEYS, PROTOCOL, bearer

FEED = """subscription($fromNow: Boolean, $after: String) {
  events(fromNow: $fromNow, after: $after) { position clientRef type } }"""


@pytest.fixture
def served(app_settings: Settings, clock: FixedClock) -> Iterator[str]:
    """The whole app served by uvicorn on a loopback port: its host and port."""
    listener = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(app_settings, clock), log_config=None,
                                           lifespan="on", ws="websockets-sansio"))
    serving = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    serving.start()
    address = f"127.0.0.1:{listener.getsockname()[1]}"
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        yield address
    finally:
        server.should_exit = True
        serving.join(15)


def onboard(address: str, *refs: str) -> None:
    items = [{"event": {"onboardClient": {"ref": ref, "name": ref.title(), "currency": "EUR"}},
              "meta": {"occurredOn": "2026-11-01"}} for ref in refs]
    answer = httpx2.post(f"http://{address}/graphql", headers=bearer("writer"),
                        json={"query": APPEND, "variables": {"items": items}}, timeout=10)
    assert "errors" not in answer.json(), answer.text


@contextmanager
def feed(address: str, variables: dict[str, Any]) -> Iterator[ClientConnection]:
    """An auditor's subscription to the ledger feed, subscribed."""
    with connect(f"ws://{address}/graphql", subprotocols=[PROTOCOL],  # type: ignore[list-item]
                 open_timeout=10) as ws:
        yield subscribed(ws, variables)


def subscribed(ws: ClientConnection, variables: dict[str, Any]) -> ClientConnection:
    ws.send(json.dumps({"type": "connection_init",
                        "payload": {"Authorization": f"Bearer {KEYS['auditor']}"}}))
    assert json.loads(ws.recv(10))["type"] == "connection_ack"
    ws.send(json.dumps({"id": "1", "type": "subscribe",
                        "payload": {"query": FEED, "variables": variables}}))
    return ws


def received(ws: ClientConnection) -> dict[str, Any]:
    message = json.loads(ws.recv(10))
    assert message["type"] == "next", message
    event: dict[str, Any] = message["payload"]["data"]["events"]
    return event


def test_from_now_delivers_only_the_events_appended_after_the_subscription_starts(
        served: str) -> None:
    onboard(served, "old-1", "old-2")
    with feed(served, {"fromNow": True, "after": "0"}) as live, \
            feed(served, {}) as whole:
        assert [received(whole)["clientRef"] for _ in range(2)] == ["old-1", "old-2"]
        time.sleep(1)  # both subscriptions have started: the feed polls every 0.15 s
        onboard(served, "new-1")
        assert received(live) == {"position": 3, "clientRef": "new-1",
                                  "type": "ClientOnboarded"}
        assert received(whole)["clientRef"] == "new-1"
