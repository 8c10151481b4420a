"""Forgetting over GraphQL: the forgetClient mutation and append item (admin only),
Client.erased, and what a forgotten client reads as afterwards."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from tests.support.documents import APPEND, typed_mutation
from tests.support.graphql import gql

CLIENT = """query($ref: ID!) { client(ref: $ref, asOf: "2026-03-10") {
  name erased state complaints { description whatWentWrong correction prevention }
  contacts { summary } payments { invoiced invoices { id description balance } } } }"""
HISTORY = """query($ref: ID!) { history(ref: $ref) { edges { node { type data } } } }"""
FORGET = {"ref": "acme", "reason": "erasure request 7"}


@pytest.fixture
def ended(client: TestClient) -> TestClient:
    """Acme with an invoice, a contact, a resolved complaint, then its relationship ended."""
    items = [
        ("onboardClient", {"name": "Acme Tiles", "currency": "EUR"}, "2026-01-05"),
        ("issueInvoice", {"invoiceId": "INV1", "amount": "100.00",
                          "description": "Tiles for Ms Pérez"}, "2026-02-01"),
        ("logContact", {"channel": "PHONE", "direction": "INBOUND", "purpose": "SUPPORT",
                        "summary": "Ms Pérez called"}, "2026-02-02"),
        ("fileComplaint", {"complaintId": "C1", "raisedBy": "CLIENT", "category": "DELAY",
                           "severity": "LOW", "description": "Late tiles"}, "2026-02-03"),
        ("resolveComplaint", {"complaintId": "C1", "whatWentWrong": "A lorry broke",
                              "correction": "Sent another", "prevention": "Two lorries"},
         "2026-02-04"),
        ("endRelationship", {"reason": "CLIENT_LEFT", "note": "Moved"}, "2026-03-01"),
    ]
    for field, data, on in items:
        gql(client, typed_mutation(field), {"input": {"ref": "acme", **data},
                                            "meta": {"occurredOn": on}}, "writer").ok()
    return client


def test_forget_client_takes_an_admin_key(ended: TestClient) -> None:
    for role in ("writer", "reader", "auditor"):
        answer = gql(ended, typed_mutation("forgetClient"), {"input": FORGET}, role)
        assert answer.codes == ["FORBIDDEN"], role
    item = {"event": {"forgetClient": FORGET}}
    assert gql(ended, APPEND, {"items": [item]}, "writer").codes == ["FORBIDDEN"]
    assert gql(ended, CLIENT, {"ref": "acme"}, "reader").ok()["client"]["erased"] is False


def test_a_forgotten_client_reads_erased_with_the_same_figures(ended: TestClient) -> None:
    before = gql(ended, CLIENT, {"ref": "acme"}, "reader").ok()["client"]
    assert before["name"] == "Acme Tiles"
    done = gql(ended, typed_mutation("forgetClient"), {"input": FORGET}, "admin").ok()
    assert done["forgetClient"]["version"] == 7
    after = gql(ended, CLIENT, {"ref": "acme"}, "reader").ok()["client"]
    assert after["erased"] is True
    assert after["name"] == "[erased]"  # String!: it cannot be null
    assert after["contacts"] == [{"summary": "[erased]"}]
    assert after["complaints"] == [{"description": "[erased]", "whatWentWrong": None,
                                    "correction": None, "prevention": None}]
    assert after["payments"] == {"invoiced": "100.00", "invoices": [
        {"id": "INV1", "description": None, "balance": "100.00"}]}
    assert after["state"] == before["state"] == "ENDED"
    history = gql(ended, HISTORY, {"ref": "acme"}, "auditor").ok()["history"]["edges"]
    assert history[0]["node"]["data"]["name"] is None
    assert history[-1]["node"] == {"type": "ClientForgotten", "data": {"reason": None}}
    again = gql(ended, typed_mutation("resumeRelationship"),
                {"input": {"ref": "acme", "note": "back"}}, "writer")
    assert again.codes == ["INVALID_STATE"]
    assert "the client was forgotten" in again.errors[0]["message"]


def test_the_append_item_forgets_and_is_refused_while_active(
        client: TestClient, services: Services) -> None:
    gql(client, typed_mutation("onboardClient"),
        {"input": {"ref": "beta", "name": "Beta SL", "currency": "EUR"}}, "writer").ok()
    forget = {"event": {"forgetClient": {"ref": "beta", "reason": "asked"}}}
    refused = gql(client, APPEND, {"items": [forget]}, "admin")
    assert refused.codes == ["INVALID_STATE"]
    end = {"event": {"endRelationship": {"ref": "beta", "reason": "OTHER", "note": "bye"}}}
    gql(client, APPEND, {"items": [end, forget]}, "admin").ok()
    assert [r.event.type for r in services.ledger.stream("beta")][-1] == "ClientForgotten"
    beta = gql(client, '{ client(ref: "beta") { name erased } }', None, "reader").ok()
    assert beta["client"] == {"name": "[erased]", "erased": True}
