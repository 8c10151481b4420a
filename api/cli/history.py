"""`palabra history`: a client's events in stream order, as a person reads them (or, with
`--json`, as the lines `palabra export` writes)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.text import Text

from api.cli.common import Database, KnownAt, console, fail, ledger_at
from api.cli.tables import Column, FittedTable
from domain.errors import LedgerError
from domain.jsonlines import export_line


def history(
    ref: Annotated[str, typer.Argument(help="The client's reference")],
    known_at: KnownAt = None,
    json_: Annotated[bool, typer.Option(
        "--json", help="A JSON array of the events, each as a line of `palabra export` "
                       "(type, clientRef, occurredOn, data, version, position, recordedAt, "
                       "retracted)")] = False,
    database: Database = None,
) -> None:
    """A client's events in stream order, with both times and retraction marks."""
    if known_at is not None and known_at.tzinfo is None:
        known_at = known_at.replace(tzinfo=UTC)
    with ledger_at(database, create=False) as ledger:
        try:
            records = ledger.stream(ref, known_at=known_at)
        except LedgerError as error:
            fail(error.message)
    if json_:
        print(json.dumps([export_line(r) for r in records], indent=2, ensure_ascii=False))
        return
    table = FittedTable(
        [Column("v", 1, right=True), Column("pos", 2, right=True),
         Column("occurred\nrecorded (UTC)"), Column("event", fold=True, least=20),
         Column("details", fold=True, least=24)],
        title=f"History of {ref}" + (f" as known at {known_at:%Y-%m-%d %H:%M:%S %Z}"
                                     if known_at else ""),
        caption=Text("struck-through events were retracted: no figure counts them",
                     style="dim") if any(r.retracted for r in records) else None)
    for recorded in records:
        event = recorded.event
        details = readable(recorded.data)
        if event.actor:
            details += f"\nrecorded by {event.actor}"
        table.add_row(str(event.originator_version), str(recorded.position),
                      f"{event.occurred_on.isoformat()}\n{_second(event.recorded_at)}",
                      event.type + (" (retracted)" if recorded.retracted else ""),
                      escape(details), style="dim strike" if recorded.retracted else None)
    console.print(table)


def _second(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def readable(data: Mapping[str, Any]) -> str:
    """An event's data, one `key: value` a line, values as a person writes them."""
    return "\n".join(f"{key}: {value_text(value)}" for key, value in data.items())


def value_text(value: Any) -> str:
    """A value without Python's reprs: lists joined by commas, yes/no, nested objects
    as `key value` pairs."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "—"
    if isinstance(value, Mapping):
        return " ".join(f"{k} {value_text(v)}" for k, v in value.items())
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ", ".join(value_text(v) for v in value) if value else "none"
    return str(value)
