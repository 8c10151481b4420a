"""The client list's keyset cursors, in SQL and in Python alike.

A cursor is the list's order, the sort key of the row it points at and its ref
(URL-safe base64 of JSON); a forged or foreign one is refused (`InvalidCursor`).
`ORDER_SQL` and `after_condition` page the portfolio index in the database;
`sort_key` and `cursor_key` order and page the rows computed in memory the same way,
so both merge into one page.
"""

from __future__ import annotations

import base64
import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.errors import LedgerError
from domain.values import check_text
from projections.figures.portfolio import ClientOrder, IndexEntry

_AMOUNT = re.compile(r"-?\d{1,15}(\.\d{1,2})?")


class InvalidCursor(LedgerError):
    code = "INVALID_INPUT"


@dataclass(frozen=True)
class ClientPage:
    entries: tuple[tuple[str, IndexEntry], ...]  # (cursor, entry)
    has_next_page: bool
    total_count: int

    @property
    def end_cursor(self) -> str | None:
        return self.entries[-1][0] if self.entries else None


ORDER_SQL = {
    ClientOrder.SCORE_ASC: "p.score ASC NULLS LAST, p.client_ref",
    ClientOrder.SCORE_DESC: "p.score DESC NULLS LAST, p.client_ref",
    ClientOrder.OUTSTANDING_DESC: "p.outstanding DESC, p.client_ref",
    ClientOrder.NAME_ASC: "p.client_ref",  # names are sealed: sorted in memory (read_model)
}



def cursor_value(order: ClientOrder, entry: IndexEntry) -> Any:
    if order in (ClientOrder.SCORE_ASC, ClientOrder.SCORE_DESC):
        return entry.score
    if order is ClientOrder.OUTSTANDING_DESC:
        return str(entry.outstanding)
    return entry.name.casefold()


def sort_key(order: ClientOrder, entry: IndexEntry) -> tuple[Any, ...]:
    """Where a row comes in the list: the order of `ORDER_SQL`, in Python."""
    if order in (ClientOrder.SCORE_ASC, ClientOrder.SCORE_DESC):
        sign = 1 if order is ClientOrder.SCORE_ASC else -1
        return (entry.score is None, sign * (entry.score or 0.0), entry.ref)
    if order is ClientOrder.OUTSTANDING_DESC:
        return (-entry.outstanding, entry.ref)
    return (entry.name.casefold(), entry.ref)


def cursor_key(order: ClientOrder, cursor: tuple[Any, str]) -> tuple[Any, ...]:
    """The sort key of the row a cursor points at."""
    key, ref = cursor
    if order in (ClientOrder.SCORE_ASC, ClientOrder.SCORE_DESC):
        sign = 1 if order is ClientOrder.SCORE_ASC else -1
        return (key is None, sign * float(key or 0.0), ref)
    if order is ClientOrder.OUTSTANDING_DESC:
        return (-Decimal(key), ref)
    return (key, ref)


def encode(order: ClientOrder, entry: IndexEntry) -> str:
    raw = json.dumps([order.value, cursor_value(order, entry), entry.ref])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str, order: ClientOrder) -> tuple[Any, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, key, ref = json.loads(raw)
    except (ValueError, TypeError):
        raise InvalidCursor(f"not a cursor of this list: {cursor!r}") from None
    if name != order.value or not isinstance(ref, str):
        raise InvalidCursor("the cursor belongs to another ordering of the list")
    if not _fits(order, key):
        raise InvalidCursor(f"not a cursor of this list: {cursor!r}")
    for text in (key, ref):
        if isinstance(text, str):
            check_text(text, "after")
    return key, ref


def _fits(order: ClientOrder, key: Any) -> bool:
    """Whether a cursor's key is one `cursor_value` could have written (a forged one is refused)."""
    if order in (ClientOrder.SCORE_ASC, ClientOrder.SCORE_DESC):
        return key is None or (isinstance(key, int | float) and not isinstance(key, bool)
                               and math.isfinite(key) and abs(key) <= 1000)
    if order is ClientOrder.OUTSTANDING_DESC:
        return isinstance(key, str) and _AMOUNT.fullmatch(key) is not None
    return isinstance(key, str)  # NAME_ASC: the text is checked by the caller


def after_condition(order: ClientOrder, cursor: tuple[Any, str]) -> tuple[str, list[Any]]:
    key, ref = cursor
    if order in (ClientOrder.SCORE_ASC, ClientOrder.SCORE_DESC):
        if key is None:
            return "(p.score IS NULL AND p.client_ref > %s)", [ref]
        beyond = ">" if order is ClientOrder.SCORE_ASC else "<"
        return (f"(p.score IS NULL OR p.score {beyond} %s OR "
                "(p.score = %s AND p.client_ref > %s))", [float(key), float(key), ref])
    if order is ClientOrder.OUTSTANDING_DESC:
        cents = int(Decimal(key) * 100)
        return ("(p.outstanding < %s OR (p.outstanding = %s AND p.client_ref > %s))",
                [cents, cents, ref])
    raise ValueError("the list by name is paged in memory: its stored names are sealed")
