"""Fixtures of the domain's unit tests: a ledger on the in-memory event store."""

from __future__ import annotations

import pytest

from domain.ledger import Ledger
from tests.support import FixedClock


@pytest.fixture
def memory_ledger(clock: FixedClock) -> Ledger:
    """A fresh ledger whose events live in memory (no database needed)."""
    return Ledger.in_memory(clock)
