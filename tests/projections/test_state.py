"""The fold of a client's stream: dates kept, retractions, back-dated events, storage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from domain.accounts import Accounts
from domain.values import EndReason
from projections.figures import figures
from projections.figures.payments import accounts_as_of
from projections.state import RelationshipState, decode_state, encode_state, evolve
from tests.support.histories import History

Make = Callable[..., History]


def test_a_stream_starts_with_the_onboarding(history: Make) -> None:
    h = history()
    h.contact("K1", "2026-03-01")
    (_, contact) = [r.event for r in h.ledger.stream(h.ref)]
    with pytest.raises(ValueError, match="starts with ClientOnboarded"):
        evolve(None, contact)


def test_the_profile_is_the_one_in_force_on_the_date(history: Make) -> None:
    h = history(contactCap=3)
    h.add("ClientProfileUpdated", "2026-03-10", contactCap=1, name="Acme Tiles SL")
    before, after = h.figures("2026-03-09"), h.figures("2026-03-10")
    assert (before.name, h.policy("2026-03-09").cap) == ("Client One", 3)
    assert (after.name, h.policy("2026-03-10").cap) == ("Acme Tiles SL", 1)
    assert (after.currency, after.payment_terms_days, after.sector) == ("EUR", 30, None)


def test_the_relationship_state_is_the_one_on_the_date(history: Make) -> None:
    h = history()
    h.add("RelationshipEnded", "2026-03-01", reason="NON_PAYMENT", note="kindly")
    h.add("RelationshipResumed", "2026-04-01", note="again")
    assert (h.figures("2026-02-28").state, h.figures("2026-02-28").end_reason) == (
        RelationshipState.ACTIVE, None)
    assert (h.figures("2026-03-15").state, h.figures("2026-03-15").end_reason) == (
        RelationshipState.ENDED, EndReason.NON_PAYMENT)
    assert h.figures("2026-04-01").state is RelationshipState.ACTIVE


def test_the_version_is_the_latest_folded_whatever_the_date(history: Make) -> None:
    h = history()
    h.contact("K1", "2026-03-01")
    version = h.add("EntryRetracted", "2026-03-02", version=2, reason="wrong client")
    assert version == 3
    assert h.figures("2025-06-01").version == 3
    assert h.figures("2026-03-05").contacts == ()


def test_a_retracted_payment_is_ignored_for_every_date(history: Make) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "100.00")
    paid = h.pay("PAY1", "2026-01-10", "100.00")
    h.pay("PAY2", "2026-01-20", "40.00")
    h.add("EntryRetracted", "2026-02-01", version=paid, reason="typed twice")
    for as_of in ("2026-01-15", "2026-03-01"):
        payments = h.figures(as_of).payments
        assert "PAY1" not in [p.id for p in payments.payments]
    assert str(h.figures("2026-03-01").payments.outstanding) == "60.00"


def test_a_retracted_settlement_reopens_the_promise(history: Make) -> None:
    h = history()
    h.promise("P1", "2026-03-01", "2026-03-10")
    kept = h.add("PromiseKept", "2026-03-05", promiseId="P1")
    h.add("EntryRetracted", "2026-03-06", version=kept, reason="not yet")
    (item,) = h.figures("2026-03-20").gap.vendor.items
    assert (item.status.value, item.delay_days) == ("OVERDUE", 10)


def test_a_back_dated_event_changes_the_figures_of_earlier_dates(history: Make) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "100.00")
    h.contact("K2", "2026-03-10")
    h.pay("PAY1", "2026-03-20", "100.00")
    h.contact("K1", "2026-03-01")  # recorded late
    h.pay("PAY0", "2026-02-01", "30.00")  # recorded late
    figures = h.figures("2026-02-15")
    assert str(figures.payments.outstanding) == "70.00"
    assert [c.id for c in h.figures("2026-03-31").contacts] == ["K1", "K2"]
    assert str(h.figures("2026-03-31").payments.credit) == "30.00"


def test_complaints_as_they_stand_on_a_date(history: Make) -> None:
    h = history()
    h.add("ComplaintFiled", "2026-03-01", complaintId="C1", raisedBy="CLIENT",
          category="DELAY", severity="LOW", description="late")
    h.add("ComplaintAcknowledged", "2026-03-02", complaintId="C1")
    h.add("ComplaintResolved", "2026-03-05", complaintId="C1", whatWentWrong="a",
          correction="b", prevention="c")
    h.add("ComplaintReopened", "2026-03-09", complaintId="C1", reason="again")
    (resolved,) = h.figures("2026-03-05").complaints
    assert (resolved.open, resolved.acknowledged_on, resolved.resolved_on,
            resolved.prevention) == (False, date(2026, 3, 2), date(2026, 3, 5), "c")
    (reopened,) = h.figures("2026-03-09").complaints
    assert (reopened.open, reopened.acknowledged_on, reopened.what_went_wrong) == (
        True, None, None)
    assert h.figures("2026-02-28").complaints == ()


def test_the_allocation_of_the_whole_history_is_reused_for_later_dates(history: Make) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "100.00")
    h.pay("PAY1", "2026-01-10", "100.00")
    state = h.state()
    runs: dict[int, Accounts] = {}
    assert accounts_as_of(state, date(2026, 1, 10), runs) is state.accounts
    assert accounts_as_of(state, date(2030, 1, 1), runs) is state.accounts
    earlier = accounts_as_of(state, date(2026, 1, 9), runs)
    assert earlier is not state.accounts
    assert accounts_as_of(state, date(2026, 1, 5), runs) is earlier  # same events: same run
    assert earlier.payments == {}
    assert accounts_as_of(state, date(2026, 1, 5)) is not earlier  # nothing kept in the state


def test_a_stored_state_needs_no_recomputation(history: Make) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "100.00")
    h.pay("PAY1", "2026-01-10", "60.00")
    state = h.state()
    stored = encode_state(state)
    accounts_as_of(state, date(2026, 1, 5))
    assert encode_state(state) == stored  # reading earlier dates leaves the state as it was
    loaded = decode_state(stored)
    assert loaded.accounts.invoices["A"].balance == 40


def test_a_loaded_state_runs_the_whole_allocation_only_when_it_is_needed(
        history: Make) -> None:
    """A past day's figures run the allocation up to that day: the whole history's run,
    which loading used to do first, is left until a later day asks for it."""
    h = history()
    h.invoice("A", "2026-01-01", "100.00")
    h.pay("PAY1", "2026-01-10", "60.00")
    h.invoice("B", "2026-02-01", "50.00")
    folded = h.state()
    loaded = decode_state(encode_state(folded))
    assert loaded.allocated is None
    assert figures(loaded, date(2026, 1, 5)) == figures(folded, date(2026, 1, 5))
    assert loaded.allocated is None
    assert figures(loaded, date(2026, 3, 1)) == figures(folded, date(2026, 3, 1))
    assert loaded.allocated is not None
    assert loaded.accounts.invoices["B"].balance == 50
    h.pay("PAY2", "2026-03-02", "90.00")  # folded into a loaded state, as a catch-up does
    (*_, payment) = [r.event for r in h.ledger.stream(h.ref)]
    caught_up = evolve(decode_state(encode_state(folded)), payment)
    assert figures(caught_up, date(2026, 3, 2)) == h.figures("2026-03-02")
    assert caught_up.accounts.credit == 0
