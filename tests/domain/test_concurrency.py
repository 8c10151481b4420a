"""Appending from several processes and threads, on both databases: a writer sees what
others wrote, and concurrent writers never lose or duplicate an event."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from domain.entries import Entry
from domain.errors import VersionConflict
from projections.store import open_ledger
from tests.support import FixedClock, onboard
from tests.support.entries import payment


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
