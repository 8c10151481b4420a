"""Reading through GraphQL: one client as of a date and as known at a moment, lists with
keyset cursors at a bounded cost per page, the portfolio, histories and the feed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from domain.keyring import Opener
from projections import read_model as queries
from tests.support import FixedClock
from tests.support.documents import APPEND
from tests.support.graphql import gql

NAMES = ["Delta", "alpha", "Echo", "bravo", "Charlie", "Foxtrot", "golf"]


def onboard(ref: str, name: str, on: str = "2026-01-05") -> dict[str, Any]:
    return {"event": {"onboardClient": {"ref": ref, "name": name, "currency": "EUR"}},
            "meta": {"occurredOn": on}}


def invoice(ref: str, amount: str, on: str) -> dict[str, Any]:
    return {"event": {"issueInvoice": {"ref": ref, "amount": amount, "description": "Work"}},
            "meta": {"occurredOn": on}}


@pytest.fixture
def seven(client: TestClient) -> TestClient:
    """Seven clients; c0, c2 and c4 have an overdue invoice, c6 ended the relationship."""
    items = [onboard(f"c{n}", name) for n, name in enumerate(NAMES)]
    items += [invoice(f"c{n}", f"{100 * (n + 1)}.00", "2026-06-01") for n in (0, 2, 4)]
    items.append({"event": {"endRelationship": {"ref": "c6", "reason": "CLIENT_LEFT",
                                                "note": "moved abroad"}},
                  "meta": {"occurredOn": "2026-07-01"}})
    gql(client, APPEND, {"items": items}, "writer").ok()
    return client


def pages(client: TestClient, fields: str, first: int, **args: str) -> list[dict[str, Any]]:
    """Every page of `clients`, following endCursor."""
    extra = "".join(f", {k}: {v}" for k, v in args.items())
    out, after = [], None
    while True:
        query = (f"query($after: String) {{ clients(first: {first}, after: $after{extra}) {{ "
                 "totalCount pageInfo { hasNextPage endCursor } "
                 f"edges {{ cursor node {{ {fields} }} }} }} }}")
        page = gql(client, query, {"after": after}, "reader").ok()["clients"]
        out.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            return out
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]


def test_client_is_null_when_unknown(client: TestClient) -> None:
    assert gql(client, '{ client(ref: "nobody") { ref } }', role="reader").ok() == {
        "client": None}


def test_client_figures_default_to_today_and_follow_as_of(seven: TestClient) -> None:
    query = """query($asOf: Date) { client(ref: "c0", asOf: $asOf) {
      asOf version state payments { outstanding overdue } } }"""
    today = gql(seven, query, role="reader").ok()["client"]
    assert today == {"asOf": "2026-11-22", "version": 2, "state": "ACTIVE",
                     "payments": {"outstanding": "100.00", "overdue": "100.00"}}
    before = gql(seven, query, {"asOf": "2026-05-31"}, role="reader").ok()["client"]
    assert before["payments"] == {"outstanding": "0.00", "overdue": "0.00"}
    assert before["version"] == 2  # the stream's version, whatever asOf


def test_known_at_answers_what_the_ledger_knew_then(seven: TestClient,
                                                    clock: FixedClock) -> None:
    clock.advance(hours=1)
    gql(seven, APPEND, {"items": [invoice("c1", "50.00", "2026-06-02")]}, "writer").ok()
    query = """query($at: DateTime) { client(ref: "c1", knownAt: $at) {
      version payments { invoiced } } }"""
    assert gql(seven, query, {"at": "2026-11-22T10:00:00Z"}, "reader").ok()["client"] == {
        "version": 1, "payments": {"invoiced": "0.00"}}
    assert gql(seven, query, {"at": "2026-11-22T10:30:00"}, "reader").ok()["client"] == {
        "version": 2, "payments": {"invoiced": "50.00"}}
    assert gql(seven, query, {"at": "2026-01-01T00:00:00Z"}, "reader").ok()["client"] is None
    history = """query($at: DateTime) { history(ref: "c1", knownAt: $at) {
      edges { node { version } } } }"""
    assert len(gql(seven, history, {"at": "2026-11-22T10:00:00+00:00"},
                   "auditor").ok()["history"]["edges"]) == 1


def test_contacts_shows_the_last_ones(client: TestClient) -> None:
    items = [onboard("acme", "Acme")] + [
        {"event": {"logContact": {"ref": "acme", "contactId": f"K{n}", "channel": "EMAIL",
                                  "direction": "INBOUND", "purpose": "SUPPORT",
                                  "summary": f"mail {n}"}},
         "meta": {"occurredOn": f"2026-02-{n + 10}"}} for n in range(4)]
    gql(client, APPEND, {"items": items}, "writer").ok()
    query = '{ client(ref: "acme") { all: contacts { id } two: contacts(last: 2) { id } ' \
            'none: contacts(last: 0) { id } } }'
    found = gql(client, query, role="reader").ok()["client"]
    assert [c["id"] for c in found["all"]] == ["K0", "K1", "K2", "K3"]
    assert [c["id"] for c in found["two"]] == ["K2", "K3"]
    assert found["none"] == []
    assert gql(client, '{ client(ref: "acme") { contacts(last: -1) { id } } }',
               role="reader").codes == ["INVALID_INPUT"]


def test_clients_pages_follow_keyset_cursors_without_gaps_or_repeats(
        seven: TestClient) -> None:
    found = pages(seven, "ref name", 3, orderBy="NAME_ASC")
    assert [len(p["edges"]) for p in found] == [3, 3, 1]
    assert {p["totalCount"] for p in found} == {7}
    names = [e["node"]["name"] for p in found for e in p["edges"]]
    assert names == sorted(NAMES, key=str.casefold)


def test_clients_sorted_by_score_agree_with_each_client(seven: TestClient) -> None:
    listed = [e["node"] for p in pages(seven, "ref trust { score }", 2, orderBy="SCORE_DESC")
              for e in p["edges"]]
    for row in listed:
        alone = gql(seven, "query($ref: ID!) { client(ref: $ref) { trust { score } } }",
                    {"ref": row["ref"]}, "reader").ok()["client"]
        assert alone["trust"]["score"] == row["trust"]["score"]
    scores = [r["trust"]["score"] for r in listed]
    scored = [s for s in scores if s is not None]
    assert scored == sorted(scored, reverse=True)
    assert scores[len(scored):] == [None] * (len(scores) - len(scored))


def test_clients_filters_by_state_and_band(seven: TestClient) -> None:
    ended = pages(seven, "ref state", 50, state="ENDED")[0]
    assert ended["totalCount"] == 1
    assert [e["node"] for e in ended["edges"]] == [{"ref": "c6", "state": "ENDED"}]
    banded = pages(seven, "ref trust { band }", 50, band="AT_RISK")[0]
    assert {e["node"]["trust"]["band"] for e in banded["edges"]} <= {"AT_RISK"}


def test_a_cursor_of_another_order_is_refused(seven: TestClient) -> None:
    cursor = pages(seven, "ref", 3, orderBy="NAME_ASC")[0]["pageInfo"]["endCursor"]
    answer = gql(seven, "query($c: String) { clients(after: $c) { totalCount } }", {"c": cursor},
                 "reader")
    assert answer.codes == ["INVALID_INPUT"]
    assert gql(seven, '{ clients(after: "garbage!") { totalCount } }',
               role="reader").codes == ["INVALID_INPUT"]


@pytest.mark.parametrize("first", [0, -1, 501])
def test_first_must_be_within_the_page_limit(seven: TestClient, first: int) -> None:
    for query in ("query($n: Int) { clients(first: $n) { totalCount } }",
                  "query($n: Int) { events(first: $n) { edges { cursor } } }",
                  'query($n: Int) { history(ref: "c0", first: $n) { edges { cursor } } }'):
        assert gql(seven, query, {"n": first}).codes == ["INVALID_INPUT"]


def counting(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[Any]:
    calls: list[Any] = []
    original: Callable[..., Any] = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_a_page_of_clients_loads_every_figure_in_one_go(
        seven: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    gql(seven, APPEND, {"items": [onboard(f"x{n:02}", f"X {n}") for n in range(43)]},
        "writer").ok()
    states = counting(monkeypatch, services.read_model, "states")
    singles = counting(monkeypatch, services.read_model, "sealed_client")
    computed = counting(monkeypatch, queries, "figures")
    query = """{ clients(first: 50) { edges { node { ref name version
      trust { score } payments { outstanding } signals { kind } sector } } } }"""
    edges = gql(seven, query, role="reader").ok()["clients"]["edges"]
    assert len(edges) == 50
    assert len(states) == 1
    assert len(states[0][0]) == 50
    assert len(computed) == 50
    assert singles == []


def test_a_page_asking_for_no_figure_computes_none(
        seven: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    states = counting(monkeypatch, services.read_model, "states")
    loaded = counting(monkeypatch, services.read_model, "sealed_figures_of")  # rows' figures
    edges = gql(seven, "{ clients { edges { node { ref name currency version state asOf } } } }",
                role="reader").ok()["clients"]["edges"]
    assert len(edges) == 7
    assert states == []
    assert loaded == []


def test_the_portfolio_counts_and_totals(seven: TestClient) -> None:
    found = gql(seven, """{ portfolio(asOf: "2026-11-22") { asOf clients unscored
      byBand { band count } totals { currency outstanding overdue aging { bucket amount } }
      signals { kind count } } }""", role="reader").ok()["portfolio"]
    assert found["asOf"] == "2026-11-22"
    assert found["clients"] == 7
    assert sum(b["count"] for b in found["byBand"]) + found["unscored"] == 7
    assert found["totals"][0]["currency"] == "EUR"
    assert found["totals"][0]["outstanding"] == "900.00"
    assert len(found["signals"]) == 10


def test_the_portfolio_totals_show_what_was_written_off(client: TestClient) -> None:
    # w1 owes 1,000 (due 2026-03-03) and 400 of it is written off on 2026-05-01; w2 owes
    # 250 and writes nothing off: EUR writtenOff 400.00, outstanding 600 + 250 = 850.00
    items = [onboard("w1", "Wren"), onboard("w2", "Weald"),
             {"event": {"issueInvoice": {"ref": "w1", "invoiceId": "I1", "amount": "1000.00",
                                         "description": "Work"}},
              "meta": {"occurredOn": "2026-02-01"}},
             invoice("w2", "250.00", "2026-02-01"),
             {"event": {"writeOffInvoice": {"ref": "w1", "invoiceId": "I1", "amount": "400.00",
                                            "reason": "settled for less"}},
              "meta": {"occurredOn": "2026-05-01"}}]
    gql(client, APPEND, {"items": items}, "writer").ok()
    query = """query($on: Date) { portfolio(asOf: $on) {
      totals { currency outstanding writtenOff } } }"""
    for on, written_off, outstanding in (("2026-04-30", "0.00", "1250.00"),
                                         ("2026-05-01", "400.00", "850.00")):
        found = gql(client, query, {"on": on}, "reader").ok()["portfolio"]["totals"]
        assert found == [{"currency": "EUR", "outstanding": outstanding,
                          "writtenOff": written_off}]


def test_history_pages_by_position(seven: TestClient) -> None:
    gql(seven, APPEND, {"items": [invoice("c1", f"{n}.00", f"2026-06-0{n}")
                                  for n in range(1, 6)]}, "writer").ok()
    query = """query($after: String) { history(ref: "c1", first: 2, after: $after) {
      edges { cursor node { version position type } } pageInfo { hasNextPage endCursor } } }"""
    versions, after = [], None
    while True:
        page = gql(seven, query, {"after": after}, "auditor").ok()["history"]
        versions += [e["node"]["version"] for e in page["edges"]]
        assert all(e["cursor"] == str(e["node"]["position"]) for e in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert versions == [1, 2, 3, 4, 5, 6]
    assert gql(seven, '{ history(ref: "nobody") { edges { cursor } } }',
               role="auditor").codes == ["UNKNOWN_CLIENT"]


def test_events_feed_after_a_position_and_by_type(seven: TestClient) -> None:
    query = """query($after: String, $types: [String!]) {
      events(after: $after, first: 4, types: $types) {
        edges { cursor node { position type clientRef } } pageInfo { hasNextPage endCursor } } }"""
    first = gql(seven, query, role="auditor").ok()["events"]
    positions = [e["node"]["position"] for e in first["edges"]]
    assert len(positions) == 4
    assert positions == sorted(positions)
    rest = gql(seven, query, {"after": first["pageInfo"]["endCursor"]},
               "auditor").ok()["events"]
    assert rest["edges"][0]["node"]["position"] > positions[-1]
    invoices = gql(seven, query, {"types": ["InvoiceIssued"]}, "auditor").ok()["events"]
    assert [e["node"]["clientRef"] for e in invoices["edges"]] == ["c0", "c2", "c4"]
    assert {e["node"]["type"] for e in invoices["edges"]} == {"InvoiceIssued"}
    assert gql(seven, query, {"types": ["InvoiceSent"]}, "auditor").codes == ["INVALID_INPUT"]
    assert gql(seven, query, {"after": "-3"}, "auditor").codes == ["INVALID_INPUT"]


def test_contact_allowed_for_a_date(seven: TestClient) -> None:
    query = """query($on: Date) { contactAllowed(ref: "c0", on: $on) {
      allowed used cap nextAllowedOn reason } }"""
    today = gql(seven, query, role="reader").ok()["contactAllowed"]
    assert today["allowed"] is True
    assert today["cap"] == 3
    assert today["used"] == 0
    assert today["nextAllowedOn"] == "2026-11-22"
    assert gql(seven, '{ contactAllowed(ref: "nobody") { allowed } }',
               role="reader").codes == ["UNKNOWN_CLIENT"]



def test_since_is_worked_out_only_when_asked_for(
        seven: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = counting(monkeypatch, queries, "signal_onsets")
    ref = gql(seven, "{ clients(first: 1) { edges { node { ref } } } }",
              role="reader").ok()["clients"]["edges"][0]["node"]["ref"]
    query = "query($ref: ID!) { client(ref: $ref) { signals { kind%s } } }"
    kinds = gql(seven, query % "", {"ref": ref}, "reader").ok()
    assert asked == []
    with_since = gql(seven, query % " since", {"ref": ref}, "reader").ok()
    assert len(asked) == (1 if kinds["client"]["signals"] else 0)  # once for every signal
    assert [s["kind"] for s in kinds["client"]["signals"]] == [
        s["kind"] for s in with_since["client"]["signals"]]


@pytest.mark.parametrize("listing", [False, True])
def test_a_card_opens_only_the_personal_fields_it_shows(
        seven: TestClient, monkeypatch: pytest.MonkeyPatch, listing: bool) -> None:
    more = [invoice("c0", f"{n}.00", "2026-06-02") for n in range(1, 6)]
    gql(seven, APPEND, {"items": more}, "writer").ok()
    opened = counting(monkeypatch, Opener, "open")

    def ask(fields: str) -> dict[str, Any]:
        if listing:
            query = (f'{{ clients(first: 10, orderBy: NAME_ASC) {{ edges {{ node {{ ref '
                     f'{fields} }} }} }} }}')
            nodes = [e["node"] for e in gql(seven, query, role="reader").ok()["clients"]["edges"]]
            (found,) = [n for n in nodes if n["ref"] == "c0"]
            return found
        found = gql(seven, f'{{ client(ref: "c0") {{ {fields} }} }}', role="reader").ok()
        return dict(found["client"])

    card = ask("name trust { score band } payments { outstanding overdue } signals { kind }")
    assert card["name"] == "Delta"
    assert card["payments"] == {"outstanding": "115.00", "overdue": "115.00"}
    for_card = len(opened)
    opened.clear()
    full = ask("name payments { outstanding invoices { id description } }")
    assert [i["description"] for i in full["payments"]["invoices"]] == ["Work"] * 6
    assert len(opened) >= for_card + 6  # the six descriptions, opened only when asked for
