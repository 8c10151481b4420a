"""Subscriptions over graphql-transport-ws: the ledger feed resumes after a disconnect
with no gap and no duplicate, and a client's figures are pushed when it changes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.documents import APPEND
from tests.support.graphql import gql, next_payload, socket, subscribe

FEED = """subscription($after: String, $types: [String!]) {
  events(after: $after, types: $types) { position clientRef version type retracted data } }"""


def contact(ref: str, n: int) -> dict[str, Any]:
    return {"event": {"logContact": {"ref": ref, "contactId": f"K{n}", "channel": "PHONE",
                                     "direction": "INBOUND", "purpose": "SUPPORT",
                                     "summary": f"call {n}"}},
            "meta": {"occurredOn": "2026-11-20"}}


@pytest.fixture
def busy(client: TestClient) -> TestClient:
    """Three clients and nine contacts: twelve events."""
    items = [{"event": {"onboardClient": {"ref": ref, "name": ref.upper(), "currency": "EUR"}},
              "meta": {"occurredOn": "2026-11-01"}} for ref in ("a", "b", "c")]
    items += [contact("abc"[n % 3], n) for n in range(9)]
    gql(client, APPEND, {"items": items}, "writer").ok()
    return client


def all_positions(client: TestClient) -> list[int]:
    edges = gql(client, "{ events(first: 500) { edges { node { position } } } }",
                role="auditor").ok()["events"]["edges"]
    return [e["node"]["position"] for e in edges]


def receive(ws: Any, count: int) -> list[dict[str, Any]]:
    return [next_payload(ws)["data"]["events"] for _ in range(count)]


def test_the_feed_resumes_after_the_last_position_received(busy: TestClient) -> None:
    positions = all_positions(busy)
    assert len(positions) == 12
    with socket(busy, "auditor") as ws:
        assert ws.receive_json()["type"] == "connection_ack"
        subscribe(ws, FEED)
        first = receive(ws, 5)
    assert [e["position"] for e in first] == positions[:5]
    with socket(busy, "auditor") as ws:
        assert ws.receive_json()["type"] == "connection_ack"
        subscribe(ws, FEED, {"after": str(first[-1]["position"])})
        rest = receive(ws, 7)
        assert [e["position"] for e in rest] == positions[5:]
        gql(busy, APPEND, {"items": [contact("b", 99)]}, "writer").ok()
        (live,) = receive(ws, 1)
    assert live["position"] > positions[-1]
    assert (live["clientRef"], live["type"], live["data"]["contactId"]) == (
        "b", "ContactLogged", "K99")


def test_the_feed_follows_new_events_of_the_types_asked(busy: TestClient) -> None:
    with socket(busy, "admin") as ws:
        assert ws.receive_json()["type"] == "connection_ack"
        subscribe(ws, FEED, {"types": ["ClientOnboarded", "EntryRetracted"]})
        assert [e["clientRef"] for e in receive(ws, 3)] == ["a", "b", "c"]
        gql(busy, APPEND, {"items": [
            contact("a", 50),
            {"event": {"retractEntry": {"ref": "a", "version": 2, "reason": "typo"}}},
        ]}, "writer").ok()
        (retraction,) = receive(ws, 1)
    assert retraction["type"] == "EntryRetracted"
    assert retraction["data"] == {"version": 2, "reason": "typo"}


def test_client_updated_pushes_the_figures_then_each_change(busy: TestClient) -> None:
    query = """subscription { clientUpdated(ref: "a") {
      ref version payments { invoiced } contacts { id } } }"""
    with socket(busy, "reader") as ws:
        assert ws.receive_json()["type"] == "connection_ack"
        subscribe(ws, query)
        first = next_payload(ws)["data"]["clientUpdated"]
        assert first["version"] == 4
        assert first["payments"] == {"invoiced": "0.00"}
        gql(busy, APPEND, {"items": [contact("b", 60)]}, "writer").ok()  # another client
        gql(busy, APPEND, {"items": [{"event": {"issueInvoice": {
            "ref": "a", "amount": "75.00", "description": "Support plan"}},
            "meta": {"occurredOn": "2026-11-21"}}]}, "writer").ok()
        second = next_payload(ws)["data"]["clientUpdated"]
        assert second["version"] == 5
        assert second["payments"] == {"invoiced": "75.00"}
        gql(busy, APPEND, {"items": [contact("a", 61)]}, "writer").ok()
        third = next_payload(ws)["data"]["clientUpdated"]
    assert third["version"] == 6
    assert third["contacts"][-1] == {"id": "K61"}


def test_client_updated_for_an_unknown_client_says_so(busy: TestClient) -> None:
    with socket(busy, "reader") as ws:
        assert ws.receive_json()["type"] == "connection_ack"
        subscribe(ws, 'subscription { clientUpdated(ref: "nobody") { ref } }')
        payload = next_payload(ws)
        assert payload["errors"][0]["extensions"]["code"] == "UNKNOWN_CLIENT"
        assert ws.receive_json()["type"] == "complete"


def test_a_bad_cursor_or_type_is_refused(busy: TestClient) -> None:
    with socket(busy, "auditor") as ws:
        assert ws.receive_json()["type"] == "connection_ack"
        for n, variables in enumerate(({"after": "last"}, {"types": ["Nope"]})):
            subscribe(ws, FEED, variables, id_=str(n))
            assert next_payload(ws)["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
            assert ws.receive_json() == {"id": str(n), "type": "complete"}
