"""Appending: idempotency keys, all-or-nothing batches, expected versions (in memory)."""

from __future__ import annotations

import pytest

from domain.entries import Entry
from domain.errors import IdempotencyConflict, LedgerError, UnknownClient, VersionConflict
from domain.ledger import Ledger
from tests.support import FixedClock, entry, onboard
from tests.support.entries import payment


def positions(ledger: Ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


# ---- idempotency -----------------------------------------------------------------------


def test_same_key_and_payload_returns_the_original_result_and_writes_nothing(
    memory_ledger: Ledger,
) -> None:
    onboard(memory_ledger)
    first = memory_ledger.append([payment(key="bank-123")])[0]
    before = positions(memory_ledger)
    again = memory_ledger.append([payment(key="bank-123")])[0]
    assert not first.replayed
    assert again.replayed
    assert (again.version, again.position, again.entity_id) == (
        first.version, first.position, first.entity_id)
    assert positions(memory_ledger) == before


def test_same_key_other_payload_is_an_idempotency_conflict(memory_ledger: Ledger) -> None:
    onboard(memory_ledger)
    memory_ledger.append([payment(key="bank-123")])
    before = positions(memory_ledger)
    with pytest.raises(IdempotencyConflict):
        memory_ledger.append([payment(key="bank-123", amount="11.00")])
    with pytest.raises(IdempotencyConflict):
        memory_ledger.append([payment(key="bank-123", on="2026-02-02")])
    assert positions(memory_ledger) == before


def test_a_replay_is_recognised_whatever_the_day_when_the_date_was_left_to_default(
    memory_ledger: Ledger, clock: FixedClock
) -> None:
    onboard(memory_ledger)
    first = memory_ledger.append([payment(on=None, key="k")])[0]
    clock.advance(days=3)
    assert memory_ledger.append([payment(on=None, key="k")])[0] == first.__class__(
        **{**first.__dict__, "replayed": True})


def test_keys_belong_to_a_client(memory_ledger: Ledger) -> None:
    onboard(memory_ledger, "acme")
    onboard(memory_ledger, "beta")
    a = memory_ledger.append([payment("acme", key="k")])[0]
    b = memory_ledger.append([payment("beta", key="k", amount="99.00")])[0]
    assert not a.replayed
    assert not b.replayed


def test_a_key_repeated_within_a_batch_is_written_once(memory_ledger: Ledger) -> None:
    onboard(memory_ledger)
    first, second = memory_ledger.append([payment(key="k"), payment(key="k")])
    assert not first.replayed
    assert second.replayed
    assert (first.version, first.position) == (second.version, second.position)


def test_a_generated_id_comes_back_with_the_replay(memory_ledger: Ledger) -> None:
    onboard(memory_ledger)
    first = memory_ledger.append([payment(key="k")])[0]
    assert first.entity_id is not None
    assert memory_ledger.append([payment(key="k")])[0].entity_id == first.entity_id


def test_a_key_stays_used_after_its_event_is_retracted(memory_ledger: Ledger) -> None:
    onboard(memory_ledger)
    first = memory_ledger.append([payment(key="k")])[0]
    memory_ledger.append([entry("EntryRetracted", "acme", None, version=first.version, reason="x")])
    assert memory_ledger.append([payment(key="k")])[0].replayed


# ---- batches ---------------------------------------------------------------------------


def test_a_batch_with_one_bad_item_writes_nothing(memory_ledger: Ledger) -> None:
    onboard(memory_ledger)
    before = positions(memory_ledger)
    with pytest.raises(LedgerError) as caught:
        memory_ledger.append([
                   entry("ClientOnboarded", "beta", "2026-01-05", name="Beta", currency="USD"),
                   payment("beta"),
                   payment("acme"),
                   payment("acme", amount="1.001"),
        ])
    assert caught.value.item == 4
    assert caught.value.code == "INVALID_INPUT"
    assert caught.value.message.startswith("item 4: ")
    assert positions(memory_ledger) == before
    with pytest.raises(UnknownClient):
        memory_ledger.stream("beta")


def test_a_batch_spans_clients_and_later_items_see_earlier_ones(memory_ledger: Ledger) -> None:
    results = memory_ledger.append([
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


def test_an_empty_batch_is_refused(memory_ledger: Ledger) -> None:
    with pytest.raises(LedgerError):
        memory_ledger.append([])


# ---- expected versions -----------------------------------------------------------------


def test_a_stale_expected_version_is_a_version_conflict(memory_ledger: Ledger) -> None:
    onboard(memory_ledger)
    memory_ledger.append([payment(expected=1)])
    before = positions(memory_ledger)
    with pytest.raises(VersionConflict):
        memory_ledger.append([payment(expected=1)])
    assert positions(memory_ledger) == before


def test_expected_versions_follow_the_items_of_a_batch(memory_ledger: Ledger) -> None:
    onboard(memory_ledger)
    results = memory_ledger.append([payment(expected=1), payment(expected=2)])
    assert [r.version for r in results] == [2, 3]
    with pytest.raises(VersionConflict):
        memory_ledger.append([payment(expected=3), payment(expected=3)])


def test_a_new_client_is_at_version_zero(memory_ledger: Ledger) -> None:
    memory_ledger.append([Entry("ClientOnboarded", "beta", {"name": "B", "currency": "EUR"},
                                "2026-01-05", expected_version=0)])
    with pytest.raises(LedgerError):
        memory_ledger.append([Entry("ClientOnboarded", "beta", {"name": "B", "currency": "EUR"},
                                    "2026-01-05", expected_version=0)])
