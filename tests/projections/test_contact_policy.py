"""contactAllowed: the collection protocol."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from tests.support.histories import History

Make = Callable[..., History]


def test_a_contact_is_allowed_when_nothing_stands_in_the_way(history: Make) -> None:
    h = history(contactCap=3)
    h.invoice("A", "2026-01-01", "100.00")
    h.contact("K1", "2026-03-01")
    policy = h.policy("2026-03-02")
    assert (policy.allowed, policy.used, policy.cap, policy.next_allowed_on) == (
        True, 1, 3, date(2026, 3, 2))
    assert policy.reason == "allowed: 1 of 3 collection contacts used in the last 7 days"


def test_a_the_cap_of_collection_contacts_in_7_days(history: Make) -> None:
    h = history(contactCap=3)
    h.invoice("A", "2026-01-01", "100.00")
    for n, on in enumerate(["2026-03-01", "2026-03-03", "2026-03-05"]):
        h.contact(f"K{n}", on)
    h.contact("SALES", "2026-03-05", purpose="SALES")
    blocked = h.policy("2026-03-06")
    assert (blocked.allowed, blocked.used, blocked.next_allowed_on) == (
        False, 3, date(2026, 3, 8))  # K0 leaves the 7 days on 2026-03-08
    assert "reach the cap of 3" in blocked.reason
    assert h.policy("2026-03-08").allowed


def test_b_the_client_gave_their_word_to_pay(history: Make) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "100.00")
    h.promise("PTP", "2026-03-01", "2026-03-10", by="CLIENT", kind="PAYMENT",
              amount="100.00", invoiceId="A")
    for on in ("2026-03-01", "2026-03-10"):
        waiting = h.policy(on)
        assert (waiting.allowed, waiting.next_allowed_on) == (False, date(2026, 3, 11))
        assert "gave their word to pay (PTP by 2026-03-10)" in waiting.reason
    assert h.policy("2026-03-11").allowed  # broken: the collector may call again


def test_b_a_kept_payment_promise_no_longer_blocks(history: Make) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "100.00")
    h.invoice("B", "2026-01-01", "100.00")
    h.promise("PTP", "2026-03-01", "2026-03-10", by="CLIENT", kind="PAYMENT",
              amount="100.00", invoiceId="A")
    h.pay("PAY1", "2026-03-02", "100.00", invoice="A")
    assert h.policy("2026-03-03").allowed


def test_c_only_a_disputed_balance_pauses_collections_until_an_event(history: Make) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "100.00")  # due 2026-01-31
    h.add("InvoiceDisputed", "2026-02-05", invoiceId="A", reason="wrong")
    paused = h.policy("2026-03-01")
    assert (paused.allowed, paused.next_allowed_on) == (False, None)
    assert "disputed" in paused.reason
    h.invoice("B", "2026-02-20", "50.00")  # due 2026-03-22: overdue from 2026-03-23
    assert h.policy("2026-03-01").next_allowed_on == date(2026, 3, 23)
    assert h.policy("2026-03-23").allowed


def test_several_reasons_wait_for_the_last_of_them(history: Make) -> None:
    h = history(contactCap=1)
    h.invoice("A", "2026-01-01", "100.00")
    h.contact("K1", "2026-03-01")
    h.promise("PTP", "2026-03-01", "2026-03-04", by="CLIENT", kind="PAYMENT", amount="100.00")
    policy = h.policy("2026-03-02")
    assert (policy.allowed, policy.next_allowed_on) == (False, date(2026, 3, 8))
    assert policy.reason.count(";") == 1
