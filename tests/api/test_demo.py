"""The demo ledger: accepted whole by the real ledger, idempotent, and never in the future."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from api.demo import DEMO_TAG, demo_clients, demo_entries
from projections.store import open_ledger

TODAYS = [date(2026, 11, 22), date(2028, 2, 29)]


@pytest.mark.parametrize("today", TODAYS, ids=str)
def test_demo_entries_are_accepted_in_one_append_and_replay_as_nothing(
        tmp_path: Path, today: date) -> None:
    entries = demo_entries(today)
    ledger = open_ledger(f"sqlite:///{tmp_path}/demo.db",
                         clock=lambda: datetime(today.year, today.month, today.day, 18,
                                                tzinfo=UTC))
    try:
        first = ledger.append(entries)
        assert len(first) == len(entries)
        assert not any(result.replayed for result in first)
        lengths = {c.ref: len(ledger.stream(c.ref)) for c in demo_clients()}
        assert lengths == Counter(entry.client_ref for entry in entries)

        second = ledger.append(entries)
        assert all(result.replayed for result in second)
        assert [(r.version, r.position) for r in second] == \
            [(r.version, r.position) for r in first]
        assert {c.ref: len(ledger.stream(c.ref)) for c in demo_clients()} == lengths
    finally:
        ledger.close()


@pytest.mark.parametrize("today", TODAYS, ids=str)
def test_no_demo_event_is_dated_after_today(today: date) -> None:
    dates = [date.fromisoformat(str(entry.occurred_on)) for entry in demo_entries(today)]
    assert max(dates) <= today
    assert min(dates) >= date.fromordinal(today.toordinal() - 548)  # at most ~18 months


def test_every_demo_client_has_events_and_every_event_a_demo_client() -> None:
    refs = [client.ref for client in demo_clients()]
    assert len(refs) == len(set(refs)) == 12
    assert all(ref.startswith(f"{DEMO_TAG}-") for ref in refs)
    assert {entry.client_ref for entry in demo_entries(date(2026, 11, 22))} == set(refs)
    assert all(client.name and client.story for client in demo_clients())


def test_demo_entries_are_stable_keyed_and_sized() -> None:
    entries = demo_entries(date(2026, 11, 22))
    assert entries == demo_entries(date(2026, 11, 22))
    keys = [entry.idempotency_key for entry in entries]
    assert len(keys) == len(set(keys))
    assert all(key and key.startswith(f"{DEMO_TAG}:{entry.client_ref}:")
               for key, entry in zip(keys, entries, strict=True))
    assert {entry.actor for entry in entries} == {"demo"}
    assert 150 <= len(entries) <= 400
    for ref in {entry.client_ref for entry in entries}:
        first = next(entry for entry in entries if entry.client_ref == ref)
        assert first.type == "ClientOnboarded"
