"""A store's two sides opened together for a test: the ledger (writes) and the read model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.ledger import Ledger
from domain.values import to_json as plain
from projections.projector import Projector
from projections.read_model import ReadModel
from projections.store import open_ledger, open_view
from tests.support import FixedClock


@dataclass
class Side:
    ledger: Ledger
    projector: Projector
    read: ReadModel

    def close(self) -> None:
        self.ledger.close()
        self.projector.view.close()  # type: ignore[attr-defined]


def open_side(url: str, clock: FixedClock, batch_size: int = 2000) -> Side:
    ledger = open_ledger(url, clock)
    projector = Projector(ledger, open_view(url), batch_size=batch_size, chunk_size=batch_size,
                          url=url)
    return Side(ledger, projector, ReadModel(projector))


def snapshot_of(side: Side, as_of: date = date(2026, 11, 22)) -> dict[str, Any]:
    return {ref: plain(side.read.client(ref, as_of))
            for ref in sorted(side.projector.view.versions())}
