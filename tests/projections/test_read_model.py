"""The read models on both databases: live, rebuilt and replayed figures agree, exactly.

Every scenario checkpoint is answered three ways — from the read model kept
current batch by batch, after a full rebuild, and by an auditor's replay of the
stream — and each must reproduce the expected figures.  Then: read-your-writes
across processes, the portfolio index agreeing with single clients, knownAt,
crashes mid-batch, and random histories.
"""

from __future__ import annotations

import dataclasses
import gc
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.entries import Entry
from domain.values import to_json as plain
from projections import indexer as indexer_module
from projections import projector as projector_module
from projections import read_model as read_model_module
from projections.cursors import InvalidCursor
from projections.figures import figures
from projections.figures.contact_policy import contact_allowed
from projections.figures.portfolio import ClientOrder, ordered
from projections.figures.portfolio import portfolio as summed
from projections.figures.trust import TrustWeights
from projections.indexer import refresh_index
from projections.projector import Projector
from projections.read_model import ReadModel
from projections.state import encode_state
from tests.support import SCENARIOS, FixedClock, entry, onboard, scenario_lines
from tests.support.randomized import RandomHistory
from tests.support.scenarios import comparable, differences
from tests.support.sides import Side, open_side, snapshot_of


@pytest.fixture
def side(database_url: str, clock: FixedClock) -> Iterator[Side]:
    opened = open_side(database_url, clock, batch_size=25)
    yield opened
    opened.close()


def load_scenarios(side: Side, chunk: int = 37) -> None:
    """Import every scenario in chunks, letting the read model catch up in between."""
    for name in ("acme.jsonl", "random-7.jsonl", "random-8.jsonl"):
        lines = scenario_lines(name)
        for start in range(0, len(lines), chunk):
            side.ledger.append([Entry(x["type"], x["clientRef"], x["data"], x["occurredOn"])
                                for x in lines[start:start + chunk]])
            side.projector.catch_up()


def expected_checkpoints() -> list[dict[str, Any]]:
    found = []
    for name in ("acme", "random-7", "random-8"):
        path = SCENARIOS / f"{name}.expected.json"
        scenario_lines(f"{name}.jsonl")
        found += json.loads(path.read_text())["checkpoints"]
    return found


def check(side: Side, known_at: datetime | None = None) -> None:
    for checkpoint in expected_checkpoints():
        as_of = date.fromisoformat(checkpoint["asOf"])
        client = side.read.client(checkpoint["ref"], as_of, known_at)
        assert client is not None
        actual = comparable(client)
        state = side.read.state(checkpoint["ref"], known_at)
        assert state is not None
        actual["contactAllowed"] = plain(contact_allowed(state, as_of))
        expected = {k: v for k, v in checkpoint.items() if k not in ("ref", "asOf")}
        found = differences(expected, actual)
        assert not found, f"{checkpoint['ref']} as of {as_of}:\n" + "\n".join(found)


def test_scenarios_live_rebuilt_and_replayed(side: Side, clock: FixedClock) -> None:
    load_scenarios(side)
    assert side.projector.view.position() == side.projector.head()
    check(side)  # live: applied batch by batch as the events arrived
    rebuilt = side.projector.rebuild()
    assert rebuilt.events == 16 + 284 + 276
    assert rebuilt.clients == 9
    check(side)  # rebuilt from the first event
    check(side, known_at=clock.now)  # an auditor's replay of each stream


def test_a_catch_up_holding_few_client_states_in_memory_equals_a_rebuild(
        side: Side, monkeypatch: pytest.MonkeyPatch) -> None:
    held: list[int] = []  # client states in memory each time events are folded
    fold = projector_module._fold
    monkeypatch.setattr(projector_module, "_fold", lambda states, *args: (
        held.append(len(states)), fold(states, *args))[1])
    load_scenarios(side)
    view = side.projector.view
    side.projector.rebuild()
    refs = sorted(view.versions())
    rebuilt = {ref: encode_state(state) for ref, state in view.states(refs).items()}
    view.reset()
    # two states in memory at a time: a chunk of 100 events touches up to 9 clients
    small = Projector(side.ledger, view, chunk_size=100, cache_size=2)
    held.clear()
    assert small.catch_up() == 16 + 284 + 276
    assert held
    assert max(held) <= 2
    caught_up = {ref: encode_state(state) for ref, state in view.states(refs).items()}
    assert caught_up == rebuilt
    check(side)


@pytest.mark.slow
def test_a_parallel_rebuild_equals_a_serial_one(side: Side, database_url: str) -> None:
    load_scenarios(side, chunk=500)
    serial = snapshot_of(side)
    rebuilt = side.projector.rebuild(workers=2)
    assert (rebuilt.events, rebuilt.clients) == (16 + 284 + 276, 9)
    assert side.projector.view.position() == side.projector.head()
    assert snapshot_of(side) == serial
    check(side)


def test_a_rebuild_leaves_the_garbage_collector_as_it_found_it(
        side: Side, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fold pauses Python's cyclic collector (it makes no cycles, and the collector's
    passes over the growing states cost it a third of its time), and turns it back on
    after, even when the fold fails; a collector already off stays off."""
    load_scenarios(side, chunk=500)
    during: list[bool] = []
    real = projector_module._fold
    monkeypatch.setattr(projector_module, "_fold",
                        lambda *args: during.append(gc.isenabled()) or real(*args))
    assert gc.isenabled()
    side.projector.rebuild()
    assert during
    assert not any(during)
    assert gc.isenabled()
    monkeypatch.setattr(projector_module, "_fold", lambda *args: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        side.projector.rebuild()
    assert gc.isenabled()


def test_a_day_of_every_client_is_computed_with_the_collector_paused(
        side: Side, monkeypatch: pytest.MonkeyPatch) -> None:
    """The figures of a day never indexed (the read side) decode and compute every
    client with the collector off (docs/benchmarks.md: its passes were 45 % of a day of
    10,001 clients); it is back on after.  The worker's index of a day, done in chunks
    of 500 clients, keeps it on: paused per chunk it measured 9.9–14.1 s against
    14.7–15.5 s, and once 26.5 s, 13 s of it in a single full pass."""
    load_scenarios(side, chunk=500)
    during: list[bool] = []
    real = read_model_module.index_entry
    for module in (read_model_module, indexer_module):
        monkeypatch.setattr(module, "index_entry",
                            lambda *args: during.append(gc.isenabled()) or real(*args))
    assert gc.isenabled()
    side.read.portfolio(date(2026, 6, 30))
    assert during == [False] * 9
    assert gc.isenabled()
    assert refresh_index(side.read, date(2026, 6, 29)) == 9
    assert during == [False] * 9 + [True] * 9


def test_a_read_reflects_every_append_made_before_it_in_any_process(
    database_url: str, clock: FixedClock
) -> None:
    writer, reader = open_side(database_url, clock), open_side(database_url, clock)
    try:
        onboard(writer.ledger)
        for n in range(1, 6):
            writer.ledger.append([entry("InvoiceIssued", "acme", "2026-02-01",
                                        invoiceId=f"I{n}", amount="100.00", description="x")])
            seen = reader.read.client("acme", date(2026, 2, 2))
            assert seen is not None
            assert seen.version == n + 1
            assert seen.payments.outstanding == 100 * n
    finally:
        writer.close()
        reader.close()


def test_the_portfolio_of_a_day_is_never_answered_from_before_an_append(
    database_url: str, clock: FixedClock
) -> None:
    """A day's portfolio worked out once is remembered; an append made before a read, in
    any process, is in its answer, whether the worker has applied it or indexed the
    day, or not."""
    writer, reader = open_side(database_url, clock), open_side(database_url, clock)
    day = date(2026, 3, 1)
    try:
        onboard(writer.ledger)
        onboard(writer.ledger, "bolt", name="Bolt")
        for n in range(1, 4):
            writer.ledger.append([entry("InvoiceIssued", "acme", "2026-02-01",
                                        invoiceId=f"I{n}", amount="100.00", description="x")])
            if n == 2:
                writer.projector.catch_up()
            if n == 3:
                refresh_index(writer.read, day)
            for _ in range(2):  # worked out, then remembered
                (totals,) = reader.read.portfolio(day).totals
                assert totals.outstanding == 100 * n
                page = reader.read.clients(day, order=ClientOrder.OUTSTANDING_DESC)
                assert [(e.ref, e.outstanding) for _, e in page.entries] == [
                    ("acme", 100 * n), ("bolt", 0)]
        writer.ledger.append([entry("PaymentReceived", "acme", "2026-02-10", paymentId="P1",
                                    amount="50.00")])
        (totals,) = reader.read.portfolio(day).totals
        assert totals.outstanding == 250
    finally:
        writer.close()
        reader.close()


def test_the_client_list_agrees_with_single_clients(side: Side) -> None:
    load_scenarios(side, chunk=500)
    as_of = date(2026, 6, 30)
    singles = {ref: side.read.client(ref, as_of) for ref in side.projector.view.versions()}
    assert all(c is not None for c in singles.values())
    for order in ClientOrder:
        page = side.read.clients(as_of, first=100, order=order)
        listed = [e.ref for _, e in page.entries]
        assert listed == [c.ref for c in ordered([c for c in singles.values() if c], order)]
        for _, e in page.entries:
            single = singles[e.ref]
            assert single is not None
            assert e.score == single.trust.score  # exactly, not approximately
            assert e.outstanding == single.payments.outstanding
        walked, after = [], None
        while True:
            part = side.read.clients(as_of, first=2, after=after, order=order)
            walked += [e.ref for _, e in part.entries]
            assert part.total_count == 9
            if not part.has_next_page:
                break
            after = part.end_cursor
        assert walked == listed


def test_the_client_list_stays_whole_when_another_process_rebuilds_or_prunes(
    side: Side, database_url: str, clock: FixedClock
) -> None:
    """The index of a day is known complete from the database, not from one process's
    memory: a rebuild elsewhere (same position) or a pruned day is filled in again."""
    load_scenarios(side, chunk=500)
    as_of, old = date(2026, 6, 30), date(2026, 1, 31)
    assert side.read.clients(as_of).total_count == 9
    assert side.read.clients(old).total_count == 9
    other = open_side(database_url, clock)
    try:
        other.projector.rebuild()
        other.projector.view.forget_entries_before(date(2026, 2, 1))
    finally:
        other.close()
    assert side.projector.view.position() == side.projector.head()  # no event since
    for day in (as_of, old):
        page = side.read.clients(day, first=100)
        assert page.total_count == 9
        singles = [side.read.client(ref, day) for ref in side.projector.view.versions()]
        assert [e.ref for _, e in page.entries] == [
            c.ref for c in ordered([c for c in singles if c], ClientOrder.SCORE_ASC)]


def test_only_clients_changed_since_the_day_was_indexed_are_looked_at(side: Side) -> None:
    load_scenarios(side, chunk=500)
    as_of = date(2026, 6, 30)
    assert refresh_index(side.read, as_of) == 9
    view = side.projector.view
    position, marked, _ = view.day_marker(as_of)
    assert marked == position == side.projector.head()
    assert refresh_index(side.read, as_of) == 0
    side.ledger.append([entry("ContactLogged", "acme", "2026-06-01", contactId="C-NEW",
                              channel="EMAIL", direction="INBOUND", purpose="CHECK_IN",
                              summary="x")])
    assert refresh_index(side.read, as_of) == 1
    assert view.stale_entries(as_of, since=position) == []
    assert view.day_marker(as_of)[1] == position + 1


def test_a_day_indexed_a_few_clients_at_a_time_ends_as_one_indexed_at_once(
        side: Side) -> None:
    load_scenarios(side, chunk=500)
    as_of = date(2026, 6, 30)
    view = side.projector.view
    done = []
    while view.day_marker(as_of)[1] is None:  # stopped after each second chunk of two
        stop = partial(next, iter([False, True]))
        done.append(refresh_index(side.read, as_of, chunk=2, stop=stop))
    assert done == [4, 4, 1]  # nine clients; the marker set at the end only
    assert view.day_marker(as_of)[1] == side.projector.head()
    assert refresh_index(side.read, as_of) == 0
    stepwise = sorted(view.entries(as_of), key=lambda e: e.ref)
    view.forget_entries_before(as_of + timedelta(days=1))
    refresh_index(side.read, as_of)
    assert sorted(view.entries(as_of), key=lambda e: e.ref) == stepwise


def test_other_trust_weights_recompute_the_whole_day(side: Side) -> None:
    load_scenarios(side, chunk=500)
    as_of = date(2026, 6, 30)
    refresh_index(side.read, as_of)
    heavy = ReadModel(side.projector, TrustWeights(complaint_handling=5.0))
    page = heavy.clients(as_of, first=100)
    assert page.total_count == 9
    scores = {e.ref: e.score for _, e in page.entries}
    singles = {ref: heavy.client(ref, as_of) for ref in scores}
    assert scores == {ref: c.trust.score for ref, c in singles.items() if c}
    default = {e.ref: e.score for _, e in side.read.clients(as_of, first=100).entries}
    assert default != scores  # the default weights took the day back
    assert default == {ref: c.trust.score for ref in scores
                       if (c := side.read.client(ref, as_of))}


def test_an_index_row_is_never_replaced_by_an_older_one(side: Side) -> None:
    load_scenarios(side, chunk=500)
    as_of = date(2026, 6, 30)
    refresh_index(side.read, as_of)
    view = side.projector.view
    (current,) = [e for e in view.entries(as_of) if e.ref == "acme"]
    older = dataclasses.replace(current, version=current.version - 1, name="stale")
    view.save_entries(as_of, [older], side.read.weights_key)
    (kept,) = [e for e in view.entries(as_of) if e.ref == "acme"]
    assert kept == current


def test_the_client_list_filters_by_band_signal_and_state(side: Side) -> None:
    load_scenarios(side, chunk=500)
    as_of = date(2026, 6, 30)
    everyone = [side.read.client(ref, as_of) for ref in side.projector.view.versions()]
    clients = [c for c in everyone if c is not None]
    for band in {c.trust.band for c in clients if c.trust.band}:
        page = side.read.clients(as_of, band=band.value)
        assert {e.ref for _, e in page.entries} == {c.ref for c in clients
                                                   if c.trust.band == band}
    kinds = {s.kind for c in clients for s in c.signals}
    assert kinds
    for kind in kinds:
        page = side.read.clients(as_of, signal=kind.value)
        assert page.total_count == sum(any(s.kind == kind for s in c.signals)
                                       for c in clients)
    ended = side.read.clients(as_of, state="ENDED")
    assert {e.ref for _, e in ended.entries} == {c.ref for c in clients
                                                if c.state.value == "ENDED"}


def test_a_cursor_of_another_ordering_is_refused(side: Side) -> None:
    load_scenarios(side, chunk=500)
    page = side.read.clients(date(2026, 6, 30), first=2)
    with pytest.raises(InvalidCursor):
        side.read.clients(date(2026, 6, 30), after=page.end_cursor,
                          order=ClientOrder.NAME_ASC)
    with pytest.raises(InvalidCursor):
        side.read.clients(date(2026, 6, 30), after="not-a-cursor")


def test_portfolio_sums_the_clients(side: Side) -> None:
    load_scenarios(side, chunk=500)
    as_of = date(2026, 6, 30)
    portfolio = side.read.portfolio(as_of)
    clients = [side.read.client(ref, as_of) for ref in side.projector.view.versions()]
    assert portfolio.clients == 9
    assert portfolio.unscored + sum(b.count for b in portfolio.by_band) == 9
    for totals in portfolio.totals:
        mine = [c for c in clients if c and c.currency == totals.currency]
        assert totals.outstanding == sum(c.payments.outstanding for c in mine)
    # the database's sums equal the pure fold over the single clients' figures
    assert portfolio == summed([c for c in clients if c is not None], as_of)


def test_portfolio_totals_show_the_money_written_off_up_to_the_date(side: Side) -> None:
    # the scenarios' write-offs (SPEC 3.1 writtenOff): r7-c1 (EUR) 1,337.28 on 2026-06-15,
    # r8-c2 (MXN) 3,433.28 on 2025-09-11, r8-c4 (GBP) 529.23 on 2026-04-21 and 5,559.85
    # on 2026-07-21; nobody paying in USD wrote anything off
    load_scenarios(side, chunk=500)
    expected = {
        date(2026, 6, 30): {"EUR": "1337.28", "GBP": "529.23", "MXN": "3433.28", "USD": "0.00"},
        date(2026, 11, 22): {"EUR": "1337.28", "GBP": "6089.08", "MXN": "3433.28",
                             "USD": "0.00"},
        date(2025, 9, 10): {"EUR": "0.00", "GBP": "0.00", "MXN": "0.00", "USD": "0.00"},
    }
    for as_of, written_off in expected.items():
        computed = side.read.portfolio(as_of)  # no index rows: computed in memory
        refresh_index(side.read, as_of)
        indexed = side.read.portfolio(as_of)  # summed by the database from the index rows
        for portfolio in (computed, indexed):
            assert {t.currency: str(t.written_off) for t in portfolio.totals} == written_off
        assert indexed == computed


def test_known_at_shows_what_the_ledger_knew(side: Side, clock: FixedClock) -> None:
    onboard(side.ledger)
    side.ledger.append([entry("InvoiceIssued", "acme", "2026-02-01", invoiceId="I1",
                              amount="500.00", description="x")])
    before = clock.now
    clock.advance(hours=1)
    side.ledger.append([entry("EntryRetracted", "acme", None, version=2, reason="typo")])
    as_of = date(2026, 3, 1)
    then = side.read.client("acme", as_of, known_at=before)
    now = side.read.client("acme", as_of)
    assert then is not None
    assert now is not None
    assert (then.version, then.payments.outstanding) == (2, 500)
    assert (now.version, now.payments.outstanding) == (3, 0)
    assert side.read.client("acme", as_of, known_at=before - timedelta(days=1)) is None


def test_a_crash_mid_batch_applies_nothing_and_a_restart_equals_a_rebuild(
    side: Side, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        RandomHistory(side.ledger, f"c{n}", seed=n).grow(60)
    real_evolve, calls = projector_module.evolve, {"n": 0}

    def failing(state: Any, event: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 40:
            raise Crash("the worker died here")  # not an Exception: not a client's fault
        return real_evolve(state, event)

    monkeypatch.setattr(projector_module, "evolve", failing)
    with pytest.raises(Crash):
        side.projector.catch_up()
    assert side.projector.view.position() == 25  # the first chunk only, nothing of the second
    monkeypatch.setattr(projector_module, "evolve", real_evolve)
    side.projector.catch_up()  # the restart
    after_restart = snapshot_of(side)
    side.projector.rebuild()
    assert snapshot_of(side) == after_restart


class Crash(BaseException):
    """The process dying mid-batch."""


@pytest.mark.slow
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), steps=st.integers(10, 120),
       cuts=st.lists(st.integers(1, 119), max_size=4))
def test_live_equals_rebuild_equals_replay(side: Side, clock: FixedClock, seed: int,
                                           steps: int, cuts: list[int]) -> None:
    ref = f"p{seed}-{steps}-{len(cuts)}"
    history = RandomHistory(side.ledger, ref, seed)
    done = 0
    for cut in [*sorted({c for c in cuts if c < steps}), steps]:
        history.grow(cut - done)
        done = cut
        side.projector.catch_up()  # live: the read model follows the history as it grows
    as_of = history.day
    live = figures_of(side, ref, as_of)
    replayed = figures_of(side, ref, as_of, known_at=clock.now)
    side.projector.rebuild()
    rebuilt = figures_of(side, ref, as_of)
    assert live == rebuilt == replayed


def figures_of(side: Side, ref: str, as_of: date, known_at: datetime | None = None) -> Any:
    state = side.read.state(ref, known_at)
    assert state is not None
    return plain(figures(state, as_of)), plain(contact_allowed(state, as_of))
