"""Writing through GraphQL: every refusal code of the ledger from a real request, with
nothing written; idempotent replays; all-or-nothing batches; what a typed mutation
records; read-your-writes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from tests.support.documents import APPEND, append_item, typed_mutation
from tests.support.graphql import gql

HISTORY = """query($ref: ID!) { history(ref: $ref) { edges { node {
  type version position actor idempotencyKey retracted data occurredOn recordedAt } } } }"""
COUNT = "{ events(first: 500) { edges { cursor } } }"


def write(client: TestClient, field: str, values: dict[str, Any],
          **meta: Any) -> dict[str, Any]:
    return gql(client, typed_mutation(field), {"input": values, "meta": meta or None},
               "writer")


def stored(client: TestClient) -> int:
    return len(gql(client, COUNT, role="auditor").ok()["events"]["edges"])


@pytest.fixture
def acme(client: TestClient) -> TestClient:
    """Acme onboarded in EUR, with an invoice INV1 and a vendor promise P1."""
    write(client, "onboardClient", {"ref": "acme", "name": "Acme Tiles", "currency": "EUR"},
          occurredOn="2026-01-05").ok()
    write(client, "issueInvoice", {"ref": "acme", "invoiceId": "INV1", "amount": "1000.00",
                                   "description": "Setup"}, occurredOn="2026-02-01").ok()
    write(client, "makePromise", {"ref": "acme", "promiseId": "P1", "by": "VENDOR",
                                  "kind": "DELIVERY", "description": "Tiles delivered",
                                  "dueOn": "2026-03-01"}, occurredOn="2026-02-01").ok()
    return client


REFUSALS: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    ("UNKNOWN_CLIENT", "makePromise", {"ref": "nobody", "by": "VENDOR", "kind": "DELIVERY",
                                       "description": "x", "dueOn": "2026-12-01"}, {}),
    ("DUPLICATE_ID", "issueInvoice", {"ref": "acme", "invoiceId": "INV1", "amount": "5.00",
                                      "description": "again"}, {}),
    ("UNKNOWN_ENTITY", "keepPromise", {"ref": "acme", "promiseId": "P9"}, {}),
    ("DUPLICATE_ID", "onboardClient", {"ref": "acme", "name": "Acme", "currency": "EUR"}, {}),
    ("INVALID_STATE", "resumeRelationship", {"ref": "acme", "note": "it never ended"}, {}),
    ("INVALID_INPUT", "receivePayment", {"ref": "acme", "amount": "10.005"}, {}),
    ("CURRENCY_MISMATCH", "receivePayment", {"ref": "acme", "amount": "10.00 USD"}, {}),
    ("FUTURE_DATE", "logContact", {"ref": "acme", "channel": "EMAIL", "direction": "OUTBOUND",
                                   "purpose": "SALES", "summary": "hello"},
     {"occurredOn": "2026-12-24"}),
    ("VERSION_CONFLICT", "logContact", {"ref": "acme", "channel": "EMAIL",
                                        "direction": "OUTBOUND", "purpose": "SALES",
                                        "summary": "hello"}, {"expectedVersion": 1}),
]


@pytest.mark.parametrize(("code", "field", "values", "meta"), REFUSALS,
                         ids=[f"{r[0]}-{r[1]}" for r in REFUSALS])
def test_each_refusal_of_the_ledger_has_its_code_and_writes_nothing(
        acme: TestClient, code: str, field: str, values: dict[str, Any],
        meta: dict[str, Any]) -> None:
    before = stored(acme)
    answer = gql(acme, APPEND, {"items": [{"event": {field: values}, "meta": meta or None}]},
                 "writer")
    assert answer.codes == [code], answer
    assert answer.errors[0]["message"]
    assert "Traceback" not in answer.errors[0]["message"]
    assert answer.data is None
    assert stored(acme) == before


def test_a_state_rule_is_refused_as_invalid_state(acme: TestClient) -> None:
    write(acme, "breakPromise", {"ref": "acme", "promiseId": "P1", "reason": "late"}).ok()
    answer = write(acme, "breakPromise", {"ref": "acme", "promiseId": "P1", "reason": "again"})
    assert answer.codes == ["INVALID_STATE"]


def test_reusing_an_idempotency_key_with_another_payload_is_a_conflict(
        acme: TestClient) -> None:
    payment = {"ref": "acme", "paymentId": "PAY1", "amount": "100.00"}
    write(acme, "receivePayment", payment, idempotencyKey="bank-1").ok()
    answer = write(acme, "receivePayment", {**payment, "amount": "200.00"},
                   idempotencyKey="bank-1")
    assert answer.codes == ["IDEMPOTENCY_CONFLICT"]


def test_an_idempotent_replay_returns_the_original_and_writes_nothing(
        acme: TestClient) -> None:
    payment = {"ref": "acme", "paymentId": "PAY1", "amount": "100.00", "method": "transfer"}
    first = write(acme, "receivePayment", payment, idempotencyKey="bank-1").ok()
    before = stored(acme)
    again = write(acme, "receivePayment", payment, idempotencyKey="bank-1").ok()
    assert first["receivePayment"]["replayed"] is False
    assert again["receivePayment"] == {**first["receivePayment"], "replayed": True}
    assert stored(acme) == before


def test_a_batch_with_one_bad_item_writes_nothing_and_names_the_item(
        acme: TestClient) -> None:
    before = stored(acme)
    items = [
        {"event": {"logContact": {"ref": "acme", "channel": "PHONE", "direction": "OUTBOUND",
                                  "purpose": "COLLECTION", "summary": "called"}}},
        {"event": {"keepPromise": {"ref": "acme", "promiseId": "NOPE"}}},
        {"event": {"giveAdvice": {"ref": "acme", "summary": "use thicker tiles"}}},
    ]
    answer = gql(acme, APPEND, {"items": items}, "writer")
    assert answer.codes == ["UNKNOWN_ENTITY"]
    assert answer.errors[0]["message"].startswith("item 2:")
    assert answer.errors[0]["extensions"] == {"code": "UNKNOWN_ENTITY", "item": 2}
    assert stored(acme) == before


def test_a_batch_spans_clients_and_returns_one_result_per_item(client: TestClient) -> None:
    items = [{"event": {"onboardClient": {"ref": ref, "name": ref.title(), "currency": cur}},
              "meta": {"occurredOn": "2026-03-01"}}
             for ref, cur in (("beta", "EUR"), ("gamma", "USD"))]
    items.append({"event": {"issueInvoice": {"ref": "gamma", "amount": "12.50",
                                             "description": "Consulting"}},
                  "meta": {"occurredOn": "2026-03-02"}})
    events = gql(client, APPEND, {"items": items}, "writer").ok()["append"]["events"]
    assert [(e["clientRef"], e["version"]) for e in events] == [
        ("beta", 1), ("gamma", 1), ("gamma", 2)]
    assert events[2]["entityId"].startswith("INV-")
    assert [e["position"] for e in events] == sorted(e["position"] for e in events)


def test_a_typed_mutation_records_its_event_with_the_caller_as_actor(acme: TestClient) -> None:
    written = write(acme, "makePromise", {
        "ref": "acme", "promiseId": "P2", "by": "CLIENT", "kind": "PAYMENT",
        "description": "Pays INV1", "dueOn": "2026-03-15", "amount": "1000.00",
        "invoiceId": "INV1"}, occurredOn="2026-02-10", idempotencyKey="promise-2").ok()
    assert written["makePromise"]["entityId"] == "P2"
    last = gql(acme, HISTORY, {"ref": "acme"}, "auditor").ok()["history"]["edges"][-1]["node"]
    assert last["type"] == "PromiseMade"
    assert last["actor"] == "writer"
    assert last["idempotencyKey"] == "promise-2"
    assert last["occurredOn"] == "2026-02-10"
    assert last["recordedAt"] == "2026-11-22T09:30:00+00:00"
    assert last["data"] == {"promiseId": "P2", "by": "CLIENT", "kind": "PAYMENT",
                            "description": "Pays INV1", "dueOn": "2026-03-15",
                            "amount": "1000.00", "invoiceId": "INV1"}


def test_a_retraction_marks_the_entry_and_the_figures_ignore_it(acme: TestClient) -> None:
    write(acme, "retractEntry", {"ref": "acme", "version": 2, "reason": "wrong client"}).ok()
    history = gql(acme, HISTORY, {"ref": "acme"}, "auditor").ok()["history"]["edges"]
    assert [(e["node"]["version"], e["node"]["retracted"]) for e in history] == [
        (1, False), (2, True), (3, False), (4, False)]
    figures = gql(acme, '{ client(ref: "acme") { version payments { invoiced } } }',
                  role="reader").ok()["client"]
    assert figures == {"version": 4, "payments": {"invoiced": "0.00"}}


def test_a_query_after_a_mutation_sees_it(acme: TestClient) -> None:
    query = '{ client(ref: "acme") { version payments { received } } }'
    assert gql(acme, query, role="reader").ok()["client"]["version"] == 3
    write(acme, "receivePayment", {"ref": "acme", "amount": "250.00"},
          occurredOn="2026-02-20").ok()
    assert gql(acme, query, role="reader").ok()["client"] == {
        "version": 4, "payments": {"received": "250.00"}}


def test_expected_version_lets_a_writer_append_safely(acme: TestClient) -> None:
    contact = {"ref": "acme", "channel": "EMAIL", "direction": "INBOUND", "purpose": "SUPPORT",
               "summary": "question"}
    assert write(acme, "logContact", contact, expectedVersion=3).ok()["logContact"][
        "version"] == 4
    assert write(acme, "logContact", contact, expectedVersion=3).codes == ["VERSION_CONFLICT"]


def test_every_event_type_written_through_append_comes_back_field_for_field(
        client: TestClient, services: Services) -> None:
    """`append` reads each item straight from its GraphQL value (api.graphql.writes,
    through the from_input hook): each of the 29 inputs maps to exactly its event's fields."""
    from tests.support.entries import FULL_HISTORY

    lines = [{"type": t, "clientRef": "acme", "occurredOn": on, "data": data}
             for t, on, data in FULL_HISTORY]
    items = [append_item(line, idempotencyKey=f"k{n}") for n, line in enumerate(lines, 1)]
    gql(client, APPEND, {"items": items}, "writer").ok()
    stored = services.ledger.stream("acme")
    assert [r.event.type for r in stored] == [t for t, _, _ in FULL_HISTORY]
    for line, recorded in zip(lines, stored, strict=True):
        assert recorded.data == line["data"], line["type"]
        assert recorded.event.occurred_on.isoformat() == line["occurredOn"]
        assert recorded.event.actor == "writer"


def test_every_event_type_written_through_its_typed_mutation_comes_back_field_for_field(
        client: TestClient, services: Services) -> None:
    """One typed mutation per event type (30; the 29 of the full history each used at
    least once here, forgetClient in test_forgetting.py): each writes exactly its event."""
    from tests.support.documents import EVENT_FIELDS, TYPED_MUTATIONS
    from tests.support.entries import FULL_HISTORY

    assert len(TYPED_MUTATIONS) == len({t for t, _, _ in FULL_HISTORY}) + 1 == 30
    for n, (event_type, on, data) in enumerate(FULL_HISTORY, 1):
        field = EVENT_FIELDS[event_type]
        answer = write(client, field, {"ref": "acme", **data}, occurredOn=on,
                       idempotencyKey=f"k{n}").ok()[field]
        assert (answer["clientRef"], answer["version"], answer["replayed"]) == (
            "acme", n, False), event_type
    stored = services.ledger.stream("acme")
    assert [(r.event.type, r.data, r.event.occurred_on.isoformat(), r.event.actor)
            for r in stored] == [(t, data, on, "writer") for t, on, data in FULL_HISTORY]


TYPED_REFUSALS: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    ("UNKNOWN_CLIENT", "updateProfile", {"ref": "nobody", "name": "Nobody"}, {}),
    ("VERSION_CONFLICT", "endRelationship", {"ref": "acme", "reason": "CLIENT_LEFT",
                                             "note": "left"}, {"expectedVersion": 1}),
    ("INVALID_STATE", "resumeRelationship", {"ref": "acme", "note": "it never ended"}, {}),
    ("UNKNOWN_ENTITY", "renegotiatePromise", {"ref": "acme", "promiseId": "P9",
                                              "newDueOn": "2026-04-01", "reason": "x"}, {}),
    ("UNKNOWN_ENTITY", "cancelPromise", {"ref": "acme", "promiseId": "P9", "reason": "x"}, {}),
    ("UNKNOWN_ENTITY", "reviseExpectation", {"ref": "acme", "expectationId": "E9",
                                             "expectedOn": "2026-04-01", "reason": "x"}, {}),
    ("UNKNOWN_ENTITY", "meetExpectation", {"ref": "acme", "expectationId": "E9"}, {}),
    ("UNKNOWN_ENTITY", "missExpectation", {"ref": "acme", "expectationId": "E9",
                                           "note": "x"}, {}),
    ("UNKNOWN_ENTITY", "disputeInvoice", {"ref": "acme", "invoiceId": "INV9",
                                          "reason": "x"}, {}),
    ("INVALID_STATE", "resolveDispute", {"ref": "acme", "invoiceId": "INV1",
                                         "outcome": "UPHELD"}, {}),
    ("UNKNOWN_ENTITY", "writeOffInvoice", {"ref": "acme", "invoiceId": "INV9",
                                           "amount": "10.00", "reason": "x"}, {}),
    ("UNKNOWN_ENTITY", "agreePaymentPlan", {"ref": "acme", "invoiceIds": ["INV9"],
                                            "instalments": [{"dueOn": "2026-04-01",
                                                             "amount": "10.00"}]}, {}),
    ("UNKNOWN_ENTITY", "reversePayment", {"ref": "acme", "paymentId": "PAY9",
                                          "reason": "x"}, {}),
    ("UNKNOWN_ENTITY", "acknowledgeComplaint", {"ref": "acme", "complaintId": "C9"}, {}),
    ("UNKNOWN_ENTITY", "reopenComplaint", {"ref": "acme", "complaintId": "C9",
                                           "reason": "x"}, {}),
    ("UNKNOWN_CLIENT", "requestService", {"ref": "nobody", "description": "x",
                                          "inOffering": True}, {}),
    ("FUTURE_DATE", "giveAdvice", {"ref": "acme", "summary": "x"},
     {"occurredOn": "2026-12-24"}),
    ("UNKNOWN_ENTITY", "answerAdvice", {"ref": "acme", "adviceId": "A9", "accepted": True}, {}),
]


@pytest.mark.parametrize(("code", "field", "values", "meta"), TYPED_REFUSALS,
                         ids=[f"{r[0]}-{r[1]}" for r in TYPED_REFUSALS])
def test_each_new_typed_mutation_is_refused_with_the_ledgers_code_and_writes_nothing(
        acme: TestClient, code: str, field: str, values: dict[str, Any],
        meta: dict[str, Any]) -> None:
    before = stored(acme)
    answer = write(acme, field, values, **meta)
    assert answer.codes == [code], answer
    assert answer.data is None
    assert stored(acme) == before
