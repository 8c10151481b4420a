"""The GraphQL router mounted in the real app (`api.http.create_app`): request ids shared
with the HTTP layer, the body limit in front, WebSocket subscriptions, dev mode."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http import create_app
from api.settings import Settings
from tests.support import FixedClock
from tests.support.documents import typed_mutation
from tests.support.graphql import bearer, gql, next_payload, socket, subscribe


@pytest.fixture
def mounted(settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    without_worker = settings.model_copy(update={"run_projections": False})
    with TestClient(create_app(without_worker, clock)) as client:
        yield client


def test_a_write_then_a_read_through_the_app(mounted: TestClient) -> None:
    gql(mounted, typed_mutation("onboardClient"),
        {"input": {"ref": "acme", "name": "Acme", "currency": "EUR"}}, "writer").ok()
    assert gql(mounted, '{ client(ref: "acme") { name version } }', role="reader").ok() == {
        "client": {"name": "Acme", "version": 1}}


def test_a_masked_failure_quotes_the_request_id_of_the_response(
        mounted: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    services = mounted.app.state.services  # type: ignore[attr-defined]

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("SELECT * FROM secrets")

    monkeypatch.setattr(services.read_model, "portfolio", broken)
    response = mounted.post("/graphql", json={"query": "{ portfolio { clients } }"},
                               headers={**bearer("reader"), "X-Request-ID": "trace-77"})
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "INTERNAL", "requestId": "trace-77"}
    assert response.headers["x-request-id"] == "trace-77"
    assert "SELECT" not in response.text


def test_subscriptions_through_the_app(mounted: TestClient) -> None:
    gql(mounted, typed_mutation("onboardClient"),
        {"input": {"ref": "acme", "name": "Acme", "currency": "EUR"}}, "admin").ok()
    with socket(mounted, "auditor") as ws:
        assert ws.receive_json()["type"] == "connection_ack"
        subscribe(ws, "subscription { events { clientRef type } }")
        assert next_payload(ws)["data"]["events"] == {"clientRef": "acme",
                                                      "type": "ClientOnboarded"}


def test_the_dev_app_lets_everyone_in(settings: Settings, clock: FixedClock) -> None:
    dev = create_app(settings.model_copy(update={"run_projections": False}), clock, dev=True)
    with TestClient(dev) as client:
        assert gql(client, "{ portfolio { clients } }", role=None).ok() == {
            "portfolio": {"clients": 0}}
