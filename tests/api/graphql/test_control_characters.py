"""A NUL byte, another control character or a lone surrogate in any text is INVALID_INPUT
over real GraphQL, for writes (nothing is written, the portfolio keeps answering) and
for reads (never INTERNAL), on both stores."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.documents import typed_mutation
from tests.support.graphql import Answer, bearer, next_payload, socket, subscribe

BAD_REFS = ["a\x00b", "\ud800", "a\x1bb"]
LISTS = "{ portfolio { clients } clients(first: 10) { totalCount edges { node { ref } } } }"


def gql(client: TestClient, query: str, variables: dict[str, Any] | None = None) -> Answer:
    """Post with every non-ASCII character escaped, as JSON allows, so that a lone
    surrogate travels as `\\ud800` (an encoder of UTF-8 could not send it).  A body the
    server refuses as a whole (400, a lone surrogate) is read as one GraphQL error."""
    response = client.post("/graphql", content=json.dumps({"query": query,
                                                           "variables": variables}),
                           headers={"Content-Type": "application/json", **bearer("admin")})
    if response.status_code == 400:
        error = response.json()["error"]
        return Answer({"data": None, "errors": [{"message": error["message"],
                                                 "extensions": {"code": error["code"]}}]})
    assert response.status_code == 200, response.text
    return Answer(response.json())


def onboard(client: TestClient, **fields: str) -> Answer:
    return gql(client, typed_mutation("onboardClient"),
               {"input": {"ref": "nul1", "name": "Acme", "currency": "EUR", **fields},
                "meta": {"occurredOn": "2026-01-05"}})


def invalid(answer: Answer, words: str) -> None:
    assert answer.codes == ["INVALID_INPUT"], answer.errors
    assert words in answer.errors[0]["message"], answer.errors[0]["message"]


@pytest.mark.parametrize(("fields", "message"), [
    ({"name": "Evil\x00Name"}, "name contains a control character (U+0000)"),
    ({"name": "Evil\ud800"}, "lone UTF-16 surrogate"),
    ({"sector": "re\x07tail"}, "sector contains a control character (U+0007)"),
    ({"ref": "nul\x00"}, "clientRef contains a control character (U+0000)"),
    ({"timezone": "localtime"}, "timezone must be an IANA time zone"),
])
def test_a_write_with_a_control_character_is_refused_and_nothing_is_written(
    client: TestClient, fields: dict[str, str], message: str
) -> None:
    invalid(onboard(client, **fields), message)
    answer = gql(client, LISTS).ok()
    assert answer["portfolio"]["clients"] == 0
    assert answer["clients"]["totalCount"] == 0
    assert gql(client, "{ events { edges { node { position } } } }").ok()["events"]["edges"] == []


def test_the_portfolio_keeps_answering_after_a_refused_nul(client: TestClient) -> None:
    invalid(onboard(client, name="Evil\x00Name"), "name contains a control character")
    onboard(client)  # the same client, written properly
    answer = gql(client, LISTS).ok()
    assert answer["portfolio"]["clients"] == 1
    assert answer["clients"]["edges"] == [{"node": {"ref": "nul1"}}]


@pytest.mark.parametrize("ref", BAD_REFS)
@pytest.mark.parametrize("query", [
    "query($ref: ID!) { client(ref: $ref) { ref } }",
    "query($ref: ID!) { history(ref: $ref) { edges { node { version } } } }",
    "query($ref: ID!) { contactAllowed(ref: $ref) { allowed } }",
], ids=["client", "history", "contactAllowed"])
def test_a_read_with_a_control_character_is_invalid_input(
    client: TestClient, query: str, ref: str
) -> None:
    onboard(client)
    # a lone surrogate in the variables is refused with the whole body, before GraphQL
    invalid(gql(client, query, {"ref": ref}),
            "lone UTF-16 surrogate" if ref == "\ud800" else "ref contains")


def test_a_nul_written_in_the_document_itself_is_invalid_input(client: TestClient) -> None:
    invalid(gql(client, '{ client(ref: "a\\u0000b") { ref } }'),
            "ref contains a control character (U+0000)")
    invalid(gql(client, '{ client(ref: "a\\ud800") { ref } }'),
            "Invalid Unicode escape sequence")


@pytest.mark.parametrize("order", ["NAME_ASC", "SCORE_ASC"])
def test_a_cursor_holding_a_control_character_is_invalid_input(
    client: TestClient, order: str
) -> None:
    onboard(client)
    raw = json.dumps([order, "x\x00y" if order == "NAME_ASC" else None, "a\x00b"])
    cursor = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    invalid(gql(client, "query($after: String, $order: ClientOrder) { clients(after: $after, "
                        "orderBy: $order) { totalCount } }", {"after": cursor, "order": order}),
            "after contains a control character (U+0000)")


def test_client_updated_with_a_nul_ref_is_invalid_input(client: TestClient) -> None:
    with socket(client, "reader") as ws:
        assert ws.receive_json()["type"] == "connection_ack"
        subscribe(ws, 'subscription { clientUpdated(ref: "a\\u0000b") { ref } }')
        payload = next_payload(ws)
        assert payload["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
        assert ws.receive_json()["type"] == "complete"
