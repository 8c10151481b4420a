"""The ledger's commands: `palabra import` (append a JSON Lines file), `palabra export`
and `palabra history`."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from api.cli.common import Database, console, err, fail, ledger_at, services_at
from api.export import export_lines
from domain.entries import Entry
from domain.errors import LedgerError
from domain.jsonlines import entry_from_line, is_trailer, loads


def import_(
    file: Annotated[str, typer.Argument(help="JSON Lines file of events, or - for stdin")],
    batch_size: Annotated[int, typer.Option(min=1, help="Events per all-or-nothing batch")] = 1000,
    database: Database = None,
) -> None:
    """Append the events of a JSON Lines file, one event a line (the format `palabra export`
    writes).

    Idempotent: importing the same file again writes nothing. A bad line stops the
    import with its line number; nothing of its batch is written, earlier batches stay.
    """
    with ledger_at(database) as ledger, _open(file) as lines:
        written = replayed = 0
        batch: list[tuple[int, Entry]] = []
        seen: Counter[bytes] = Counter()

        def flush() -> None:
            nonlocal written, replayed
            if not batch:
                return
            try:
                results = ledger.append([entry for _, entry in batch])
            except LedgerError as error:
                number = batch[(error.item or 1) - 1][0]
                _fail(f"line {number}: {_why(error)} [{error.code}]", written, replayed)
            written += sum(not r.replayed for r in results)
            replayed += sum(r.replayed for r in results)
            batch.clear()

        for number, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            try:
                line = loads(raw)
                if is_trailer(line):  # the last line of a complete export
                    continue
                seen[raw.strip()] += 1
                batch.append((number, entry_from_line(line, seen[raw.strip()] - 1)))
            except LedgerError as error:  # the pending batch is dropped with it
                _fail(f"line {number}: {_why(error)} [{error.code}]", written, replayed)
            if len(batch) >= batch_size:
                flush()
        flush()
    console.print(f"imported {written} events ({replayed} already there)")


def _why(error: LedgerError) -> str:
    """Why a line was refused, with the figures behind it (whoever runs the command line
    holds the store, and so may read them)."""
    return f"{error.reason} ({error.figures})" if error.figures else error.reason


def _fail(message: str, written: int, replayed: int) -> None:
    err.print(f"[red]import stopped at {escape(message)}[/red]")
    err.print(f"{written} events were written before it ({replayed} already there); "
              "nothing of the refused batch was written")
    raise typer.Exit(1)


@contextmanager
def _open(file: str) -> Iterator[BinaryIO]:
    """The file's lines as bytes: each is decoded on its own, so a bad one is named."""
    if file == "-":
        yield sys.stdin.buffer
        return
    path = Path(file)
    if not path.is_file():
        err.print(f"[red]no such file: {escape(file)}[/red]")
        raise typer.Exit(2)
    with path.open("rb") as handle:
        yield handle


def export(
    client: Annotated[str | None, typer.Option(help="Only this client's events")] = None,
    after: Annotated[int | None, typer.Option(
        min=0, help="Only events after this position")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File (default stdout)")
                      ] = None,
    database: Database = None,
) -> None:
    """Write events as JSON Lines with version, position, recordedAt and retracted, then
    a last line {"complete": true, "count", "lastPosition"} (missing: the export was cut)."""
    if output is not None and not output.parent.is_dir():
        fail(f"cannot write {output}: there is no folder {output.parent}")
    with services_at(database, create=False) as services:
        try:
            handle = output.open("w", encoding="utf-8") if output else sys.stdout
        except OSError as error:
            fail(f"cannot write {output}: {error.strerror or error}")
        try:
            try:
                lines = export_lines(services.ledger, client, after or 0)
            except LedgerError as error:
                fail(error.message)
            handle.writelines(lines)
        finally:
            if output:
                handle.close()


def history(
    ref: Annotated[str, typer.Argument(help="The client's reference")],
    known_at: Annotated[datetime | None, typer.Option(
        "--known-at", help="Only what the ledger knew then (ISO timestamp, UTC if no zone)",
        formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"])] = None,
    database: Database = None,
) -> None:
    """A client's events in stream order, with both times and retraction marks."""
    if known_at is not None and known_at.tzinfo is None:
        known_at = known_at.replace(tzinfo=UTC)
    with ledger_at(database, create=False) as ledger:
        try:
            records = ledger.stream(ref, known_at=known_at)
        except LedgerError as error:
            err.print(f"[red]{escape(error.message)}[/red]")
            raise typer.Exit(1) from None
    table = Table(title=f"History of {ref}" + (f" as known at {known_at}" if known_at else ""),
                  box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("v", "pos", "occurred", "recorded (UTC)", "event"):
        table.add_column(column, no_wrap=True)
    table.add_column("details", overflow="fold", ratio=1)
    for recorded in records:
        event = recorded.event
        details = ", ".join(f"{k}={v}" for k, v in recorded.data.items())
        if event.actor:
            details += f" (by {event.actor})"
        table.add_row(str(event.originator_version), str(recorded.position),
                      event.occurred_on.isoformat(),
                      event.recorded_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
                      event.type + (" (retracted)" if recorded.retracted else ""),
                      escape(details), style="dim strike" if recorded.retracted else None)
    console.print(table)
