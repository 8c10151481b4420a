"""Fixtures of the projection tests: `history` writes a client's history through a SQLite
ledger with a fixed clock (`history_ledger`; the figures need one store, not both)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.ledger import Ledger
from tests.support.histories import History, new_ledger


@pytest.fixture
def history_ledger(tmp_path: Path) -> Iterator[Ledger]:
    ledger = new_ledger(tmp_path)
    try:
        yield ledger
    finally:
        ledger.close()


@pytest.fixture
def history(history_ledger: Ledger) -> Callable[..., History]:
    def make(**kwargs: Any) -> History:
        return History(history_ledger, **kwargs)
    return make
