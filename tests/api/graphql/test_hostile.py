"""Hostile and malformed requests are refused with a clear error and the server keeps
answering; an unexpected failure is masked (no trace, no SQL) and carries a request id."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.bootstrap import Services, open_services
from api.graphql.router import graphql_router
from api.settings import Settings
from tests.support import FixedClock
from tests.support.documents import APPEND, fragment_bomb, typed_mutation
from tests.support.graphql import bearer, gql, next_payload, socket, subscribe

ALIVE = "{ portfolio { clients } }"
SECRET = "SELECT secret FROM palabra_events WHERE password = 'hunter2'"


def alive(client: TestClient) -> None:
    assert gql(client, ALIVE).ok() == {"portfolio": {"clients": 1}}


@pytest.fixture
def acme(client: TestClient) -> TestClient:
    gql(client, typed_mutation("onboardClient"),
        {"input": {"ref": "acme", "name": "Acme", "currency": "EUR"},
         "meta": {"occurredOn": "2026-01-05"}}).ok()
    return client


@pytest.fixture
def strict(settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    """An app with tight limits, introspection off and GraphiQL on."""
    tight = settings.model_copy(update={"max_depth": 3, "max_aliases": 2, "max_tokens": 60,
                                        "max_batch": 3, "introspection": False,
                                        "graphiql": True})
    services = open_services(tight, clock)
    app = FastAPI()
    app.include_router(graphql_router(services, tight.api_keys.authenticate), prefix="/graphql")
    try:
        with TestClient(app) as test_client:
            yield test_client
    finally:
        services.close()


def refused(answer: dict[str, Any], *words: str) -> None:
    errors = answer["errors"]
    assert answer.get("data") is None, answer
    assert [e["extensions"]["code"] for e in errors] == ["INVALID_INPUT"] * len(errors), errors
    for word in words:
        assert word in errors[0]["message"], errors[0]["message"]


def test_limits_of_depth_aliases_and_tokens_are_enforced(strict: TestClient) -> None:
    refused(gql(strict, '{ client(ref: "a") { gap { vendor { items { id } } } } }'),
            "exceeds maximum operation depth of 3")
    refused(gql(strict, "{ a: portfolio { clients } b: portfolio { clients } "
                        "c: portfolio { clients } }"), "3 aliases found. Allowed: 2")
    refused(gql(strict, "{ portfolio { " + "clients " * 60 + "} }"),
            "more than 60 tokens")
    assert gql(strict, "{ portfolio { clients } }").ok() == {"portfolio": {"clients": 0}}


def test_introspection_can_be_turned_off(strict: TestClient, client: TestClient) -> None:
    query = "{ __schema { queryType { name } } }"
    refused(gql(strict, query), "introspection")
    assert gql(client, query).ok() == {"__schema": {"queryType": {"name": "Query"}}}


def test_graphiql_only_when_enabled(strict: TestClient, client: TestClient) -> None:
    page = {"accept": "text/html"}
    assert client.get("/graphql", headers=page).status_code == 404
    served = strict.get("/graphql", headers=page)
    assert served.status_code == 200
    assert "graphiql" in served.text.lower()


def test_an_oversized_batch_is_refused_whole(strict: TestClient) -> None:
    items = [{"event": {"onboardClient": {"ref": f"c{n}", "name": "C", "currency": "EUR"}}}
             for n in range(4)]
    answer = gql(strict, APPEND, {"items": items}, "writer")
    assert answer.codes == ["INVALID_INPUT"]
    assert "at most 3 events" in answer.errors[0]["message"]
    assert gql(strict, ALIVE).ok() == {"portfolio": {"clients": 0}}
    assert gql(strict, APPEND, {"items": items[:3]}, "writer").ok()


def test_a_huge_page_is_refused(acme: TestClient) -> None:
    refused(gql(acme, "{ clients(first: 100000) { totalCount } }"), "first must be from 1 to 500")
    alive(acme)


@pytest.mark.parametrize(("body", "reason"), [
    (b'{"query": ', "Unable to parse request body as JSON"),
    (b'[{"query": "{ portfolio { clients } }"}]', "Batching is not enabled"),
    (b'{"query": "{ portfolio { clients } }", "variables": [1]}', "`variables` must be"),
    (b'{"query": "subscription { events { position } }"}', "subscriptions are not allowed"),
])
def test_malformed_requests_get_a_plain_400(acme: TestClient, body: bytes, reason: str) -> None:
    answer = acme.post("/graphql", content=body,
                       headers={**bearer("admin"), "content-type": "application/json"})
    assert answer.status_code == 400
    assert reason in answer.text
    alive(acme)


def test_a_syntax_error_is_explained(acme: TestClient) -> None:
    refused(gql(acme, "{ portfolio { clients } "), "Syntax Error")
    refused(gql(acme, "{ portfolio { nonsense } }"), "Cannot query field 'nonsense'")
    alive(acme)


INVOICE = "mutation($input: IssueInvoice!, $meta: Meta) { issueInvoice(input: $input, " \
          "meta: $meta) { version } }"


@pytest.mark.parametrize(("values", "meta", "words"), [
    ({"amount": "12.345"}, None, ["more than two decimal places"]),
    ({"amount": "NaN"}, None, ["finite"]),
    ({"amount": "-5.00"}, None, ["greater than zero"]),
    ({"amount": 12.5}, None, ["Decimal", "written as a string"]),
    ({"amount": "12.00", "dueOn": "2026-13-40"}, None, ["2026-13-40 is not a day"]),
    ({"amount": "12.00", "dueOn": "tomorrow"}, None, ["YYYY-MM-DD"]),
    ({"amount": "12.00"}, {"occurredOn": "2026-02-30"}, ["not a day of the calendar"]),
    ({"amount": "12.00"}, {"expectedVersion": "one"}, ["Int"]),
])
def test_wrong_scalar_formats_are_refused(acme: TestClient, values: dict[str, Any],
                                          meta: dict[str, Any] | None,
                                          words: list[str]) -> None:
    invoice = {"ref": "acme", "description": "Work", **values}
    refused(gql(acme, INVOICE, {"input": invoice, "meta": meta}, "writer"), *words)
    alive(acme)


def test_wrong_literals_and_times_are_refused(acme: TestClient) -> None:
    refused(gql(acme, '{ client(ref: "acme", asOf: "2026-13-40") { ref } }'),
            "Expected value of type 'Date'")
    refused(gql(acme, '{ client(ref: "acme", asOf: 20261122) { ref } }'), "Date")
    refused(gql(acme, 'query($at: DateTime) { client(ref: "acme", knownAt: $at) { ref } }',
                {"at": "yesterday"}), "not a valid DateTime")
    alive(acme)


def test_unknown_enum_values_are_refused(acme: TestClient) -> None:
    refused(gql(acme, "{ clients(orderBy: RANDOM) { totalCount } }"), "RANDOM")
    promise = {"ref": "acme", "by": "SOMEONE", "kind": "DELIVERY", "description": "x",
               "dueOn": "2026-12-01"}
    refused(gql(acme, typed_mutation("makePromise"), {"input": promise}, "writer"), "SOMEONE")
    alive(acme)


def test_an_event_input_with_two_events_is_refused(acme: TestClient) -> None:
    item = {"event": {"giveAdvice": {"ref": "acme", "summary": "a"},
                      "requestService": {"ref": "acme", "description": "b",
                                         "inOffering": True}}}
    refused(gql(acme, APPEND, {"items": [item]}, "writer"), "exactly one key")
    refused(gql(acme, 'mutation { append(items: [{event: {}}]) { events { version } } }',
                role="writer"), "exactly one key")
    alive(acme)


def test_an_unexpected_failure_is_masked_with_a_request_id(
        acme: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(SECRET)

    monkeypatch.setattr(services.read_model, "sealed_client", broken)
    with caplog.at_level(logging.ERROR, logger="palabra.graphql"):
        response = acme.post("/graphql", json={"query": '{ client(ref: "acme") { ref } }'},
                             headers=bearer("reader"))
    assert response.status_code == 200
    (error,) = response.json()["errors"]
    assert error["message"] == "internal error"
    assert error["extensions"]["code"] == "INTERNAL"
    request_id = error["extensions"]["requestId"]
    assert len(request_id) >= 16
    for leak in ("SELECT", "hunter2", "Traceback", "RuntimeError", "File "):
        assert leak not in response.text
    logged = [r for r in caplog.records if r.name == "palabra.graphql"]
    assert any(request_id in r.getMessage() and r.exc_info for r in logged)
    monkeypatch.undo()
    assert gql(acme, '{ client(ref: "acme") { ref } }').ok() == {"client": {"ref": "acme"}}


def test_an_unexpected_failure_in_a_write_or_a_subscription_is_masked_too(
        acme: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(SECRET)

    monkeypatch.setattr(services.ledger, "append", broken)
    answer = gql(acme, typed_mutation("onboardClient"),
                 {"input": {"ref": "beta", "name": "Beta", "currency": "EUR"}}, "writer")
    assert answer.codes == ["INTERNAL"]
    assert "SELECT" not in str(answer)
    monkeypatch.setattr(services.ledger, "feed", broken)
    with socket(acme, "auditor") as ws:
        assert ws.receive_json()["type"] == "connection_ack"
        subscribe(ws, "subscription { events { position } }")
        payload = next_payload(ws)
    assert payload["errors"][0]["message"] == "internal error"
    assert payload["errors"][0]["extensions"]["code"] == "INTERNAL"
    assert "SELECT" not in str(payload)


# ---- documents that cost more to check or to run than they are long ----------


@pytest.mark.parametrize("leaf", ["__typename", "a: __typename", "portfolio { clients }"])
def test_a_fragment_bomb_is_refused_at_once(acme: TestClient, leaf: str) -> None:
    refused(gql(acme, fragment_bomb(30, leaf)), "is asked for 32 times in one selection")
    alive(acme)


def test_fragments_that_spread_themselves_are_refused(acme: TestClient) -> None:
    cycle = ("query { ...A } fragment A on Query { ...B } "
             "fragment B on Query { portfolio { clients } ...A }")
    refused(gql(acme, cycle), "spreads itself")
    alive(acme)


def test_depth_counts_through_fragments_and_introspection(strict: TestClient,
                                                           client: TestClient) -> None:
    deep = ('query { client(ref: "a") { ...G } } fragment G on Client { gap { ...V } } '
            "fragment V on Gap { vendor { items { id } } }")
    refused(gql(strict, deep), "exceeds maximum operation depth of 3")
    nested = "{ __schema { types { fields { type " + "{ ofType " * 14 + "{ name }" \
        + " }" * 14 + " } } } }"
    refused(gql(client, nested), "exceeds maximum operation depth of 15")
    from graphql import get_introspection_query  # what GraphiQL asks for

    assert gql(client, get_introspection_query()).ok()["__schema"]["queryType"]["name"] == "Query"


def test_the_fields_and_fragments_a_check_would_compare_are_bounded(acme: TestClient) -> None:
    refused(gql(acme, "{" + " portfolio { clients }" * 21 + " }"), "asked for 21 times")
    many = " ".join(f"fragment P{n} on Query {{ portfolio {{ clients }} }}" for n in range(65))
    refused(gql(acme, "query { ...P0 } " + many), "65 fragments")
    alive(acme)


def expensive_read(aliases: int, first: int) -> str:
    """The issue's attack: aliases of a big page of clients, each at another past date."""
    node = ("ref name trust { score band } signals { kind since } "
            "gap { vendor { counted late } client { counted late } } "
            "payments { outstanding invoices { id } }")
    return "{ " + " ".join(
        f'a{n}: clients(first: {first}, asOf: "2026-{n % 11 + 1:02d}-{n % 27 + 1:02d}") '
        f"{{ edges {{ node {{ {node} }} }} }}" for n in range(aliases)) + " }"


def test_a_read_over_the_cost_budget_is_refused_before_it_runs(acme: TestClient) -> None:
    refused(gql(acme, expensive_read(20, 500), role="reader"), "this query costs 2340020, "
            "over the budget of 10000: ask for fewer clients (first), fewer aliases")
    refused(gql(acme, expensive_read(1, 500), role="reader"), "over the budget")
    page = gql(acme, expensive_read(2, 10), role="reader").ok()  # costs 4683
    # a0 asks as of 2026-01-01, before acme's onboarding (2026-01-05): not a client yet
    assert [[e["node"]["ref"] for e in page[f"a{n}"]["edges"]] for n in range(2)] == [
        [], ["acme"]]


def test_a_remembered_verdict_is_never_one_of_other_variables(acme: TestClient) -> None:
    # the verdict of a document is remembered with the values of the variables it read
    # (`first`, the dates): the same document asking for more is weighed again
    query = """query Page($n: Int, $on: Date, $ref: ID!) {
      clients(first: $n, asOf: $on) { edges { node { ref trust { score } } } }
      client(ref: $ref) { ref } }"""
    small = {"n": 10, "on": "2026-11-22", "ref": "acme"}
    for _ in range(2):  # weighed, then remembered
        assert gql(acme, query, small, role="reader").ok()["client"] == {"ref": "acme"}
    assert gql(acme, query, {**small, "ref": "nobody"}, role="reader").ok()["client"] is None
    # 500 clients, each 1 + 2 + 10 (figures), at a past date (x3): over the budget
    refused(gql(acme, query, {**small, "n": 500, "on": "2026-06-30"}, role="reader"),
            "over the budget")
    assert gql(acme, query, small, role="reader").ok()["client"] == {"ref": "acme"}


def test_the_cost_budget_is_a_setting(settings: Settings, clock: FixedClock) -> None:
    tight = settings.model_copy(update={"max_cost": 50})
    services = open_services(tight, clock)
    app = FastAPI()
    app.include_router(graphql_router(services, tight.api_keys.authenticate), prefix="/graphql")
    try:
        with TestClient(app) as small:
            refused(gql(small, "{ clients { totalCount } }"), "costs 51, over the budget of 50")
            assert gql(small, "{ clients(first: 10) { totalCount } }").ok() == {
                "clients": {"totalCount": 0}}
    finally:
        services.close()


def test_introspection_needs_a_key_when_keys_are_configured(client: TestClient) -> None:
    query = "{ __schema { queryType { name } } }"
    answer = gql(client, query, role=None)
    assert answer.codes == ["UNAUTHENTICATED"]
    assert answer.data is None
    assert gql(client, "{ __type(name: \"Client\") { name } }", role="wrong").codes == [
        "UNAUTHENTICATED"]
    assert gql(client, query, role="writer").ok() == {"__schema": {"queryType": {"name": "Query"}}}


def test_no_suggestions_when_introspection_is_off(strict: TestClient, client: TestClient) -> None:
    typo = "{ portfolio { client } }"
    assert "Did you mean" in gql(client, typo).errors[0]["message"]
    hidden = gql(strict, typo)
    refused(hidden, "Cannot query field 'client'")
    assert "Did you mean" not in str(hidden)
    enum = "query($o: ClientOrder) { clients(orderBy: $o) { totalCount } }"
    assert "Did you mean" in str(gql(client, enum, {"o": "SCORE_AS"}))
    hidden = gql(strict, enum, {"o": "SCORE_AS"})
    assert hidden.codes == ["INVALID_INPUT"]
    assert "Did you mean" not in str(hidden)


def test_repeats_count_the_fragments_spread_in_a_selection(acme: TestClient) -> None:
    fragments = " ".join(f"fragment P{n} on Query {{ {'portfolio { clients } ' * 5}}}"
                         for n in range(5))
    spreads = " ".join(f"...P{n}" for n in range(5))
    refused(gql(acme, f"query {{ {spreads} }} {fragments}"), "'portfolio' is asked for 25 times")
    two = " ".join(fragments.split("fragment")[:3]).replace(" P", " fragment P")
    assert gql(acme, f"query {{ ...P0 ...P1 }} {two}").ok() == {"portfolio": {"clients": 1}}

