"""The ledger's commands: `palabra import` (append a JSON Lines file) and `palabra export`
(`palabra history` is in `api.cli.history`)."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from api.cli.common import Database, console, err, fail, ledger_at, services_at
from api.export import export_lines, sealed_export_lines
from domain.entries import Entry
from domain.errors import LedgerError
from domain.jsonlines import entry_from_line, is_trailer, loads
from projections.audit.checkpoints import SigningKeyError


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
    with ledger_at(database) as ledger, _open(file) as lines, _progress(file) as advance:
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
            advance(len(raw))
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


#: files from this size on show their progress (on a terminal)
PROGRESS_BYTES = 1 << 20


@contextmanager
def _progress(file: str) -> Iterator[Callable[[int], None]]:
    """A function advancing a progress bar by bytes read: shown on a terminal for a file
    of `PROGRESS_BYTES` or more, and gone once the import ends."""
    size = Path(file).stat().st_size if file != "-" and Path(file).is_file() else 0
    if size < PROGRESS_BYTES or not err.is_terminal:
        yield lambda _: None
        return
    with Progress(TextColumn("importing"), BarColumn(), DownloadColumn(),
                  TimeRemainingColumn(), console=err, transient=True) as progress:
        task = progress.add_task("import", total=size)
        yield lambda read: progress.advance(task, read)


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
    sealed: Annotated[bool, typer.Option(
        "--sealed", help="The whole log as stored, with leaf hashes, checkpoints and the "
                         "public signing key, for `palabra verify --export`")] = False,
    database: Database = None,
) -> None:
    """Write events as JSON Lines with version, position, recordedAt and retracted, then
    a last line {"complete": true, "count", "lastPosition"} (missing: the export was cut)."""
    if output is not None and not output.parent.is_dir():
        fail(f"cannot write {output}: there is no folder {output.parent}")
    if sealed and (client is not None or after):
        fail("a sealed export holds the whole log: --sealed takes no --client or --after", 2)
    with services_at(database, create=False) as services:
        try:
            handle = output.open("w", encoding="utf-8") if output else sys.stdout
        except OSError as error:
            fail(f"cannot write {output}: {error.strerror or error}")
        try:
            try:
                lines = (sealed_export_lines(services) if sealed
                         else export_lines(services.ledger, client, after or 0))
            except (LedgerError, SigningKeyError) as error:
                fail(str(error))
            last = ""
            for line in lines:
                handle.write(line)
                last = line
        finally:
            if output:
                handle.close()
    if output is not None:
        _summary(output, last, sealed)


def _summary(output: Path, last: str, sealed: bool) -> None:
    """What `export -o` wrote, on stderr (from its last line: complete, or cut)."""
    end = loads(last) if last else {}
    if sealed and end.get("sealed") is True:
        err.print(f"wrote {end['count']:,} events to {output} (up to position "
                  f"{end['lastPosition']:,}), sealed", soft_wrap=True, markup=False)
    elif is_trailer(end):
        err.print(f"wrote {end['count']:,} events to {output} (up to position "
                  f"{end['lastPosition']:,}), complete", soft_wrap=True, markup=False)
    else:
        fail(f"the export to {output} was cut before its end: run it again")
