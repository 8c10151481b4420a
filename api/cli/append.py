"""`palabra append`: one event, typed on the command line (`key=value` fields, `key:=JSON`
for numbers, lists and objects) or given as one JSON object on stdin."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.markup import escape

from api.cli.common import Database, console, fail, ledger_at
from api.cli.help import DATE
from domain.entries import Entry
from domain.errors import LedgerError
from domain.jsonlines import entry_from_line, loads


def append(
    type_: Annotated[str, typer.Argument(
        metavar="TYPE", help="The event type, e.g. PaymentReceived, or - to read one JSON "
                             "line (the format of `palabra import`) from stdin")],
    ref: Annotated[str | None, typer.Argument(help="The client's reference")] = None,
    fields: Annotated[list[str] | None, typer.Argument(
        metavar="FIELD...", help="The event's data: key=value (a string, amounts too: "
                                 "amount=120.50) or key:=JSON (paymentTermsDays:=30, "
                                 "invoiceIds:='[\"INV-1\"]')")] = None,
    on: Annotated[datetime | None, typer.Option(
        "--on", metavar=DATE, formats=["%Y-%m-%d"],
        help="The business date it happened (default: the date the type implies, or "
             "today)")] = None,
    key: Annotated[str | None, typer.Option(
        help="Idempotency key: the same key again writes nothing")] = None,
    actor: Annotated[str | None, typer.Option(help="Who records it")] = None,
    database: Database = None,
) -> None:
    """Append one event, e.g. `palabra append PaymentReceived acme paymentId=PAY-9
    amount=120.50 receivedOn=2026-11-20 invoiceId=INV-7`."""
    entry = _from_stdin() if type_ == "-" else _typed(type_, ref, fields or [], on, key, actor)
    with ledger_at(database) as ledger:
        try:
            [done] = ledger.append([entry])
        except LedgerError as error:
            fail(f"refused: {error.message} [{error.code}]")
    console.print(("already there: " if done.replayed else "appended ")
                  + escape(f"{entry.type} to {done.client_ref} as version {done.version} "
                           f"(position {done.position})"), soft_wrap=True)


def _typed(type_: str, ref: str | None, fields: list[str], on: datetime | None,
           key: str | None, actor: str | None) -> Entry:
    if ref is None:
        fail("name the client: palabra append TYPE REF key=value…", 2)
    return Entry(type=type_, client_ref=ref, data=data_of(fields),
                 occurred_on=on.date() if on else None, idempotency_key=key, actor=actor)


def data_of(fields: list[str]) -> dict[str, Any]:
    """`key=value` and `key:=JSON` arguments as an event's data."""
    data: dict[str, Any] = {}
    for field in fields:
        name, json_value, value = field.partition(":=")
        if not json_value:
            name, plain, value = field.partition("=")
            if not plain or not name:
                fail(f"{field!r} is not key=value nor key:=JSON", 2)
            data[name] = value
            continue
        try:
            data[name] = loads(f'{{"v": {value}}}')["v"]
        except LedgerError as error:
            fail(f"{name}:= {error.message}", 2)
    return data


def _from_stdin() -> Entry:
    text = sys.stdin.buffer.read()
    try:
        return entry_from_line(loads(text))
    except LedgerError as error:
        fail(f"the JSON on stdin: {error.message}", 2)
    except json.JSONDecodeError as error:  # pragma: no cover - loads names these itself
        fail(f"the JSON on stdin: {error}", 2)
