"""Appending: idempotency keys, all-or-nothing batches, expected versions, concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from domain.errors import IdempotencyConflict, LedgerError, UnknownClient, VersionConflict
from domain.ledger import Entry, Ledger
from projections.store import open_ledger
from tests.support import FixedClock, entry, onboard


def payment(ref: str = "acme", on: str | None = "2026-02-01", key: str | None = None,
            expected: int | None = None, **data: Any) -> Entry:
    return Entry("PaymentReceived", ref, {"amount": "10.00", **data}, on, key, expected)


def positions(ledger: Ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


# ---- idempotency -----------------------------------------------------------------------


def test_same_key_and_payload_returns_the_original_result_and_writes_nothing(
    ledger: Ledger,
) -> None:
    onboard(ledger)
    first = ledger.append([payment(key="bank-123")])[0]
    before = positions(ledger)
    again = ledger.append([payment(key="bank-123")])[0]
    assert not first.replayed
    assert again.replayed
    assert (again.version, again.position, again.entity_id) == (
        first.version, first.position, first.entity_id)
    assert positions(ledger) == before


def test_same_key_other_payload_is_an_idempotency_conflict(ledger: Ledger) -> None:
    onboard(ledger)
    ledger.append([payment(key="bank-123")])
    before = positions(ledger)
    with pytest.raises(IdempotencyConflict):
        ledger.append([payment(key="bank-123", amount="11.00")])
    with pytest.raises(IdempotencyConflict):
        ledger.append([payment(key="bank-123", on="2026-02-02")])
    assert positions(ledger) == before


def test_a_replay_is_recognised_whatever_the_day_when_the_date_was_left_to_default(
    ledger: Ledger, clock: FixedClock
) -> None:
    onboard(ledger)
    first = ledger.append([payment(on=None, key="k")])[0]
    clock.advance(days=3)
    assert ledger.append([payment(on=None, key="k")])[0] == first.__class__(
        **{**first.__dict__, "replayed": True})


def test_keys_belong_to_a_client(ledger: Ledger) -> None:
    onboard(ledger, "acme")
    onboard(ledger, "beta")
    a = ledger.append([payment("acme", key="k")])[0]
    b = ledger.append([payment("beta", key="k", amount="99.00")])[0]
    assert not a.replayed
    assert not b.replayed


def test_a_key_repeated_within_a_batch_is_written_once(ledger: Ledger) -> None:
    onboard(ledger)
    first, second = ledger.append([payment(key="k"), payment(key="k")])
    assert not first.replayed
    assert second.replayed
    assert (first.version, first.position) == (second.version, second.position)


def test_a_generated_id_comes_back_with_the_replay(ledger: Ledger) -> None:
    onboard(ledger)
    first = ledger.append([payment(key="k")])[0]
    assert first.entity_id is not None
    assert ledger.append([payment(key="k")])[0].entity_id == first.entity_id


def test_a_key_stays_used_after_its_event_is_retracted(ledger: Ledger) -> None:
    onboard(ledger)
    first = ledger.append([payment(key="k")])[0]
    ledger.append([entry("EntryRetracted", "acme", None, version=first.version, reason="x")])
    assert ledger.append([payment(key="k")])[0].replayed


# ---- batches ---------------------------------------------------------------------------


def test_a_batch_with_one_bad_item_writes_nothing(ledger: Ledger) -> None:
    onboard(ledger)
    before = positions(ledger)
    with pytest.raises(LedgerError) as caught:
        ledger.append([
            entry("ClientOnboarded", "beta", "2026-01-05", name="Beta", currency="USD"),
            payment("beta"),
            payment("acme"),
            payment("acme", amount="1.001"),
        ])
    assert caught.value.item == 4
    assert caught.value.code == "INVALID_INPUT"
    assert caught.value.message.startswith("item 4: ")
    assert positions(ledger) == before
    with pytest.raises(UnknownClient):
        ledger.stream("beta")


def test_a_batch_spans_clients_and_later_items_see_earlier_ones(ledger: Ledger) -> None:
    results = ledger.append([
        entry("ClientOnboarded", "beta", "2026-01-05", name="Beta", currency="USD"),
        entry("ClientOnboarded", "gamma", "2026-01-05", name="Gamma", currency="GBP"),
        entry("InvoiceIssued", "beta", "2026-01-06", invoiceId="I1", amount="5",
              description="x"),
        payment("beta", invoiceId="I1", amount="5"),
        payment("gamma"),
    ])
    assert [(r.client_ref, r.version) for r in results] == [
        ("beta", 1), ("gamma", 1), ("beta", 2), ("beta", 3), ("gamma", 2)]
    assert [r.position for r in results] == sorted(r.position for r in results)


def test_an_empty_batch_is_refused(ledger: Ledger) -> None:
    with pytest.raises(LedgerError):
        ledger.append([])


# ---- expected versions -----------------------------------------------------------------


def test_a_stale_expected_version_is_a_version_conflict(ledger: Ledger) -> None:
    onboard(ledger)
    ledger.append([payment(expected=1)])
    before = positions(ledger)
    with pytest.raises(VersionConflict):
        ledger.append([payment(expected=1)])
    assert positions(ledger) == before


def test_expected_versions_follow_the_items_of_a_batch(ledger: Ledger) -> None:
    onboard(ledger)
    results = ledger.append([payment(expected=1), payment(expected=2)])
    assert [r.version for r in results] == [2, 3]
    with pytest.raises(VersionConflict):
        ledger.append([payment(expected=3), payment(expected=3)])


def test_a_new_client_is_at_version_zero(ledger: Ledger) -> None:
    ledger.append([Entry("ClientOnboarded", "beta", {"name": "B", "currency": "EUR"},
                         "2026-01-05", expected_version=0)])
    with pytest.raises(LedgerError):
        ledger.append([Entry("ClientOnboarded", "beta", {"name": "B", "currency": "EUR"},
                             "2026-01-05", expected_version=0)])


def test_a_writer_without_expected_version_works_on_the_fresh_state(
    database_url: str, clock: FixedClock
) -> None:
    """Two ledgers are two processes: each sees what the other wrote."""
    with open_ledger(database_url, clock) as first, open_ledger(database_url, clock) as second:
        onboard(first)
        first.append([payment()])  # `first` now holds acme at version 2 in memory
        second.append([payment(), payment()])  # acme moves to version 4 elsewhere
        assert first.append([payment()])[0].version == 5
        with pytest.raises(VersionConflict):
            first.append([payment(expected=4)])


# ---- concurrency -----------------------------------------------------------------------

THREADS, EVENTS = 8, 200


@pytest.mark.slow
@pytest.mark.parametrize("shared", [True, False], ids=["one-client", "a-client-each"])
def test_concurrent_writers_never_lose_or_duplicate_an_event(
    database_url: str, clock: FixedClock, shared: bool
) -> None:
    ledgers = [open_ledger(database_url, clock) for _ in range(4)]  # as if four processes
    refs = ["shared"] if shared else [f"client-{t}" for t in range(THREADS)]
    try:
        for ref in refs:
            onboard(ledgers[0], ref)

        def write(thread: int) -> None:
            ledger, ref = ledgers[thread % 4], refs[0] if shared else refs[thread]
            for n in range(EVENTS):
                ledger.append([Entry("ContactLogged", ref, {
                    "contactId": f"K-{thread}-{n}", "channel": "EMAIL",
                    "direction": "OUTBOUND", "purpose": "CHECK_IN", "summary": "ping"},
                    "2026-02-01")])

        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(write, range(THREADS)))

        written = []
        for ref in refs:
            records = ledgers[1].stream(ref)
            assert [r.event.originator_version for r in records] == list(
                range(1, len(records) + 1))
            written += [r.event.entity_id for r in records[1:]]
        expected = [f"K-{t}-{n}" for t in range(THREADS) for n in range(EVENTS)]
        assert sorted(written) == sorted(expected)  # each exactly once
    finally:
        for ledger in ledgers:
            ledger.close()
