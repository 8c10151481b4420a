"""Who may do what (api/auth.py): every role, no key and an unknown key, against every
kind of operation — figures, the record, writes and each subscription."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.support.documents import APPEND, typed_mutation
from tests.support.graphql import ROLES, gql, next_payload, socket, subscribe

CALLERS = [*ROLES, None, "wrong"]
MAY = {
    "figures": {"reader", "auditor", "admin"},
    "record": {"auditor", "admin"},
    "write": {"writer", "admin"},
}
FIGURES = [
    '{ client(ref: "acme") { ref trust { score } } }',
    "{ clients { totalCount edges { node { ref } } } }",
    "{ portfolio { clients } }",
    '{ contactAllowed(ref: "acme") { allowed } }',
]
RECORD = [
    '{ history(ref: "acme") { edges { node { type } } } }',
    "{ events { edges { node { type } } } }",
]
PLAIN_WORDS = {
    "none": "an API key is needed to ",
    "wrong": "the API key presented is not valid",
    **{role: f"the {role} role may not " for role in ROLES},
}
CONTACT = {"ref": "acme", "channel": "EMAIL", "direction": "OUTBOUND", "purpose": "SALES",
           "summary": "news"}


@pytest.fixture
def acme(client: TestClient) -> TestClient:
    gql(client, typed_mutation("onboardClient"),
        {"input": {"ref": "acme", "name": "Acme", "currency": "EUR"}}).ok()
    return client


def expected_code(caller: str | None, kind: str) -> str | None:
    if caller in (None, "wrong"):
        return "UNAUTHENTICATED"
    return None if caller in MAY[kind] else "FORBIDDEN"


@pytest.mark.parametrize("caller", CALLERS, ids=str)
def test_queries_and_mutations_by_role(acme: TestClient, caller: str | None) -> None:
    cases = ([(q, "figures") for q in FIGURES] + [(q, "record") for q in RECORD])
    for query, kind in cases:
        answer = gql(acme, query, role=caller)
        code = expected_code(caller, kind)
        if code is None:
            assert answer.ok(), query
        else:
            assert answer.codes == [code], (query, answer)
            assert answer.errors[0]["message"].startswith(PLAIN_WORDS[caller or "none"])
    code = expected_code(caller, "write")
    typed = gql(acme, typed_mutation("logContact"), {"input": CONTACT}, caller)
    batch = gql(acme, APPEND, {"items": [{"event": {"logContact": CONTACT}}]}, caller)
    for answer in (typed, batch):
        if code is None:
            assert answer.ok()
        else:
            assert answer.codes == [code], answer
    history = gql(acme, RECORD[0], role="admin").ok()["history"]["edges"]
    assert len(history) == (3 if code is None else 1)


@pytest.mark.parametrize("caller", [*ROLES], ids=str)
@pytest.mark.parametrize("in_header", [False, True], ids=["init-payload", "header"])
def test_subscriptions_by_role(acme: TestClient, caller: str, in_header: bool) -> None:
    with socket(acme, caller, in_header=in_header) as ws:
        assert ws.receive_json()["type"] == "connection_ack"
        subscribe(ws, "subscription { events { clientRef type } }", id_="feed")
        if expected_code(caller, "record") is None:
            assert next_payload(ws)["data"]["events"] == {"clientRef": "acme",
                                                          "type": "ClientOnboarded"}
        else:
            message = ws.receive_json()
            assert message["type"] == "error"
            assert message["id"] == "feed"
            assert message["payload"][0]["extensions"]["code"] == "FORBIDDEN"
        subscribe(ws, 'subscription { clientUpdated(ref: "acme") { ref version } }',
                  id_="figures")
        if expected_code(caller, "figures") is None:
            message = ws.receive_json()
            while message.get("id") != "figures":  # the feed may speak first
                message = ws.receive_json()
            assert message["payload"]["data"]["clientUpdated"] == {"ref": "acme", "version": 1}
        else:
            message = ws.receive_json()
            assert message["type"] == "error"
            assert message["payload"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("caller", [None, "wrong"], ids=str)
def test_a_socket_without_a_valid_key_is_closed_at_its_handshake(acme: TestClient,
                                                                 caller: str | None) -> None:
    for in_header in (False, True):
        with socket(acme, caller, in_header=in_header) as ws, \
                pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4403


def test_a_wrong_key_in_the_payload_is_not_saved_by_a_good_header(acme: TestClient) -> None:
    with acme.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"],
                                headers={"Authorization": "Bearer admin-key-0123456789abcdef"}
                                ) as ws:
        ws.send_json({"type": "connection_init",
                      "payload": {"Authorization": "Bearer nobody-key-0123456789abcdef"}})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4403


def test_only_graphql_transport_ws_is_spoken(acme: TestClient) -> None:
    with acme.websocket_connect("/graphql", subprotocols=["graphql-ws"]) as ws, \
            pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_json()
    assert closed.value.code == 4406


@pytest.mark.parametrize("init", [{"type": "connection_init", "payload": None},
                                  {"type": "connection_init"}], ids=["null", "absent"])
def test_a_connection_init_without_a_payload_falls_back_on_the_header(
        acme: TestClient, init: dict[str, Any]) -> None:
    with acme.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"],
                                headers={"Authorization": "bearer auditor-key-0123456789abcdef"}
                                ) as ws:
        ws.send_json(init)
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe",
                      "payload": {"query": "subscription { events { position } }"}})
        message = ws.receive_json()
        assert message["type"] == "next"
        assert message["payload"]["data"]["events"]["position"] == 1
    with acme.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json(init)  # and no header
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4403


def test_a_websocket_message_nested_too_deep_closes_the_socket_plainly(acme: TestClient) -> None:
    deep = '{"type": "connection_init", "payload": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with acme.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_text(deep)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4400
