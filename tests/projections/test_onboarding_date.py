"""A client exists from its onboarding date: before it, it is absent from every answer —
no figures, no contact policy, no place in a list, a count or a total — on both stores,
whether the day's portfolio index is written or not."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date

import pytest

from projections.figures import figures
from projections.figures.portfolio import index_entry
from projections.indexer import refresh_index
from tests.support import FixedClock, entry, onboard
from tests.support.sides import Side, open_side

BEFORE = date(2026, 1, 15)  # "early" is a client, "late" not yet
ONBOARDED = date(2026, 3, 1)  # "late"'s onboarding


@pytest.fixture
def side(database_url: str, clock: FixedClock) -> Iterator[Side]:
    opened = open_side(database_url, clock)
    onboard(opened.ledger, "early", "2025-06-01")
    opened.ledger.append([entry("InvoiceIssued", "early", "2025-12-01", invoiceId="E1",
                                amount="100.00", description="work")])
    onboard(opened.ledger, "late", ONBOARDED.isoformat(), currency="USD")
    opened.ledger.append([entry("InvoiceIssued", "late", "2026-03-02", invoiceId="L1",
                                amount="900.00", description="work")])
    opened.projector.catch_up()
    yield opened
    opened.close()


def assert_absent_before_onboarding(side: Side) -> None:
    read = side.read
    assert read.client("late", BEFORE) is None
    assert read.client("late", BEFORE, known_at=side.ledger.clock()) is None
    assert read.figures_of(["early", "late"], BEFORE).keys() == {"early"}
    assert read.contact_allowed("late", BEFORE) is None
    assert read.signal_onsets("late", BEFORE) == {}
    page = read.clients(BEFORE)
    assert [e.ref for _, e in page.entries] == ["early"]
    assert page.total_count == 1
    summary = read.portfolio(BEFORE)
    assert summary.clients == 1
    assert sum(b.count for b in summary.by_band) + summary.unscored == 1
    assert [t.currency for t in summary.totals] == ["EUR"]  # late's USD is not there
    # from its onboarding date on, it is a client like any other
    assert read.client("late", ONBOARDED) is not None
    assert read.contact_allowed("late", ONBOARDED) is not None
    assert read.portfolio(ONBOARDED).clients == 2
    assert read.clients(ONBOARDED).total_count == 2


def test_a_client_is_absent_before_its_onboarding_date_computed_in_memory(side: Side) -> None:
    assert_absent_before_onboarding(side)


def test_a_client_is_absent_before_its_onboarding_date_from_the_index(side: Side) -> None:
    refresh_index(side.read, BEFORE)
    refresh_index(side.read, ONBOARDED)
    assert side.read.view.day_marker(BEFORE)[1] is not None  # the index answers the day
    assert_absent_before_onboarding(side)


def test_rows_of_the_earlier_rules_are_replaced(side: Side) -> None:
    """An index written before this rule held a row for a client not onboarded yet: the
    rules' revision is part of the day's key, so the day starts over and the row goes."""
    state = side.read.state("late")
    assert state is not None
    position = side.read.view.day_marker(BEFORE)[0]
    earlier_key = json.dumps(asdict(side.read.weights), sort_keys=True)
    side.read.view.save_entries(BEFORE, [index_entry(figures(state, BEFORE))], earlier_key,
                                complete_at=position)
    assert_absent_before_onboarding(side)  # the stale day is not trusted
    refresh_index(side.read, BEFORE)
    assert side.read.view.entries(BEFORE, "p.client_ref = %s", ["late"]) == []
    assert_absent_before_onboarding(side)
