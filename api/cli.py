"""The `palabra` command line: the ledger, its figures, the projection worker, the demo.

Each command works on the store named by `--database` or `PALABRA_DATABASE_URL`
(default: the embedded SQLite file `palabra.db`).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, BinaryIO

import psycopg
import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.rule import Rule
from rich.table import Table

from api.present import client_json, plain
from api.services import Services, open_services
from api.settings import Settings
from api.tables import client_tables, portfolio_tables
from domain.entries import Entry
from domain.errors import LedgerError, Unavailable
from domain.jsonlines import entry_from_line, is_trailer, loads
from domain.ledger import Ledger
from projections.figures.portfolio import ClientOrder
from projections.indexer import refresh_index

app = typer.Typer(help="Palabra: the customer-relationship ledger.", no_args_is_help=True,
                  add_completion=False, rich_markup_mode="markdown")
console = Console()
err = Console(stderr=True)

Database = Annotated[str | None, typer.Option(
    "--database", "-d", help="Store URL (default: $PALABRA_DATABASE_URL or sqlite:///palabra.db)")]


@contextmanager
def services_at(database: str | None) -> Iterator[Services]:
    try:
        settings = Settings.from_env()
        if database:
            settings = replace(settings, database_url=database)
        services = open_services(settings)
    except Unavailable as error:
        err.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from None
    except ValueError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    try:
        yield services
    except Unavailable as error:
        err.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from None
    finally:
        services.close()


@contextmanager
def ledger_at(database: str | None) -> Iterator[Ledger]:
    with services_at(database) as services:
        yield services.ledger


@app.command("import")
def import_(
    file: Annotated[str, typer.Argument(help="JSON Lines file of events, or - for stdin")],
    batch_size: Annotated[int, typer.Option(help="Events per all-or-nothing batch")] = 1000,
    database: Database = None,
) -> None:
    """Append the events of a JSON Lines file (SPEC §6).

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


@app.command()
def export(
    client: Annotated[str | None, typer.Option(help="Only this client's events")] = None,
    after: Annotated[int | None, typer.Option(help="Only events after this position")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File (default stdout)")
                      ] = None,
    database: Database = None,
) -> None:
    """Write events as JSON Lines with version, position, recordedAt and retracted, then
    a last line {"complete": true, "count", "lastPosition"} (missing: the export was cut)."""
    with services_at(database) as services:
        handle = output.open("w", encoding="utf-8") if output else sys.stdout
        try:
            try:
                lines = services.export(client, after or 0)
            except LedgerError as error:
                err.print(f"[red]{escape(error.message)}[/red]")
                raise typer.Exit(1) from None
            handle.writelines(lines)
        finally:
            if output:
                handle.close()


@app.command()
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
    with ledger_at(database) as ledger:
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


AsOf = Annotated[datetime | None, typer.Option(
    "--as-of", help="Business date of the figures (default: today)", formats=["%Y-%m-%d"])]
KnownAt = Annotated[datetime | None, typer.Option(
    "--known-at", help="Only what the ledger knew then (ISO timestamp, UTC if no zone)",
    formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"])]
Json = Annotated[bool, typer.Option("--json", help="JSON in the shape of the GraphQL type")]


def _day(services: Services, as_of: datetime | None) -> date:
    return as_of.date() if as_of else services.today()


@app.command()
def client(
    ref: Annotated[str, typer.Argument(help="The client's reference")],
    as_of: AsOf = None,
    known_at: KnownAt = None,
    json_: Json = False,
    database: Database = None,
) -> None:
    """A client's figures: trust, expectations vs reality, payments, signals."""
    if known_at is not None and known_at.tzinfo is None:
        known_at = known_at.replace(tzinfo=UTC)
    with services_at(database) as services:
        day = _day(services, as_of)
        figures = services.read_model.client(ref, day, known_at)
        if figures is None:
            err.print(f"[red]there is no client {escape(ref)}"
                      + (f" known at {known_at.isoformat()}" if known_at else "") + "[/red]")
            raise typer.Exit(1)
        onsets = services.read_model.signal_onsets(ref, day, known_at)
        if json_:
            print(json.dumps(client_json(figures, onsets), indent=2, ensure_ascii=False))
            return
        policy = services.read_model.contact_allowed(ref, day) if known_at is None else None
        console.print(client_tables(figures, onsets, policy))


@app.command()
def portfolio(
    as_of: AsOf = None,
    first: Annotated[int, typer.Option(help="How many clients to list")] = 50,
    order: Annotated[ClientOrder, typer.Option(help="Order of the list")] = ClientOrder.SCORE_ASC,
    json_: Json = False,
    database: Database = None,
) -> None:
    """Across clients: bands, totals and aging per currency, signals, the client list."""
    with services_at(database) as services:
        day = _day(services, as_of)
        summary = services.read_model.portfolio(day)
        page = services.read_model.clients(day, first=first, order=order)
    if json_:
        print(json.dumps({"portfolio": plain(summary),
                          "clients": [plain(e) for _, e in page.entries]},
                         indent=2, ensure_ascii=False))
        return
    console.print(portfolio_tables(summary, [e for _, e in page.entries]))


@app.command()
def rebuild(
    workers: Annotated[int, typer.Option(
        help="Processes folding clients in parallel (1: in this process, chunk by chunk)")
    ] = os.cpu_count() or 1,
    database: Database = None,
) -> None:
    """Rebuild the read models from every stored event."""
    with services_at(database) as services, Progress(
        TextColumn("rebuilding"), BarColumn(), MofNCompleteColumn(), TextColumn("events"),
        TimeElapsedColumn(), console=err,
    ) as progress:
        task = progress.add_task("rebuild", total=services.projector.head())
        done = services.projector.rebuild(
            progress=lambda position, last: progress.update(task, completed=position,
                                                            total=last),
            workers=workers)
    console.print(f"rebuilt {done.clients} clients from {done.events} events in "
                  f"{done.seconds:.1f} s ({done.events_per_second:,.0f} events/s)")


@app.command()
def project(
    once: Annotated[bool, typer.Option(help="Catch up and stop instead of following")] = False,
    database: Database = None,
) -> None:
    """Run the projection worker: catch up, then follow new events until stopped."""
    with services_at(database) as services:
        if once:
            applied = services.projector.catch_up()
            refresh_index(services.read_model, services.today())
            console.print(f"applied {applied} events; the read models are at position "
                          f"{services.view.position()}")
            return
        from api import logs

        logs.configure(services.settings.log_level)
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        runner = services.start_runner()
        err.print(f"projecting {services.database.backend} store; Ctrl-C to stop")
        while not stop.wait(1.0):
            pass
        runner.stop()
        err.print(f"stopped at position {services.view.position()}")


@app.command()
def demo(database: Database = None) -> None:
    """Load the demo ledger (a dozen client stories) and show what Palabra makes of it."""
    from api.demo import demo_clients, demo_entries

    with services_at(database) as services:
        ledger, clients = services.ledger, demo_clients()
        try:
            loaded_on = ledger.stream(clients[0].ref)[0].event.recorded_at.date()
        except LedgerError:
            today = services.today()
            ledger.append(demo_entries(today))
            message = f"loaded the demo ledger, dated up to {today}"
        else:
            message = f"the demo ledger was already loaded on {loaded_on}"
        table = Table(title="The demo ledger", box=box.SIMPLE_HEAD)
        for column in ("client", "name", "events", "story"):
            table.add_column(column, overflow="fold")
        for story in clients:
            table.add_row(story.ref, story.name, str(len(ledger.stream(story.ref))),
                          story.story)
        console.print(table)
        console.print(message + "\n")
        today = services.today()
        page = services.read_model.clients(today, first=len(clients))
        console.print(portfolio_tables(services.read_model.portfolio(today),
                                       [e for _, e in page.entries]))
        shown = DEMO_SPOTLIGHT
        figures = services.read_model.client(shown, today)
        assert figures is not None
        console.print(Rule(f"One client up close: {figures.name}"))
        console.print(client_tables(figures, services.read_model.signal_onsets(shown, today),
                                    services.read_model.contact_allowed(shown, today)))
        console.print(f"\nTry: palabra client {shown} --json · palabra portfolio · "
                      f"palabra history {shown}")


DEMO_SPOTLIGHT = "demo-tallis"  # the sale forced on a client who could not pay


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    dev: Annotated[bool, typer.Option(
        help="Open, without API keys: for the embedded demo, on 127.0.0.1 only")] = False,
    workers: Annotated[int, typer.Option(
        help="Processes serving requests (more than one: the projection worker must run "
             "as `palabra project`)")] = 1,
    database: Database = None,
) -> None:
    """Serve the GraphQL API (and /healthz, /readyz, /metrics, /events.ndjson) with uvicorn."""
    import uvicorn

    from api import logs
    from api.app import create_app

    try:
        settings = Settings.from_env()
    except ValueError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    if database:
        settings = replace(settings, database_url=database)
    if dev and host not in ("127.0.0.1", "localhost", "::1"):
        err.print("[red]--dev serves without API keys: only on 127.0.0.1[/red]")
        raise typer.Exit(2)
    if workers > 1 and (dev or settings.run_projections):
        err.print("[red]with several workers, set PALABRA_RUN_PROJECTIONS=false and run "
                  "`palabra project` beside them (and no --dev)[/red]")
        raise typer.Exit(2)
    if not dev and not settings.api_keys:
        err.print("[red]no API keys are configured: set PALABRA_API_KEYS or "
                  "PALABRA_API_KEYS_FILE, or use --dev on this machine only[/red]")
        raise typer.Exit(2)
    logs.configure(settings.log_level)
    if dev:
        err.print("[yellow]DEV MODE: the API is open to anyone on this machine, without "
                  f"keys, at http://{host}:{port}/graphql[/yellow]")
    if workers > 1:  # each process builds its app from the environment
        if database:
            os.environ["PALABRA_DATABASE_URL"] = database
        uvicorn.run("api.app:from_environment", factory=True, workers=workers, host=host,
                    port=port, log_config=None, ws="websockets-sansio")
        return
    uvicorn.run(create_app(settings, dev=dev), host=host, port=port, log_config=None,
                ws="websockets-sansio")


@app.command()
def status(database: Database = None) -> None:
    """The store, its events, the read models' position and lag, and any problem of theirs
    (exit 1 when the read models are ahead of the event store)."""
    with services_at(database) as services:
        health = services.projector.health()
        clients = len(services.view.versions())
        skipped = services.view.skipped()
        store = services.database
    where = store.path if store.backend == "sqlite" else (
        f"{store.user}@{store.host}:{store.port}/{store.dbname}"
        + (f" (schema {store.schema})" if store.schema else ""))
    table = Table(box=box.SIMPLE_HEAD, show_header=False)
    table.add_column("what")
    table.add_column("value")
    for what, value in (("store", f"{store.backend}: {where}"),
                        ("latest event position", f"{health.head:,}"),
                        ("clients in the read models", f"{clients:,}"),
                        ("read models at position", f"{health.position:,}"),
                        ("projection lag", f"{health.lag:,} events"),
                        ("clients skipped by the projection", f"{len(skipped):,}")):
        table.add_row(what, escape(value))
    console.print(table)
    if skipped:
        listed = Table(title="Skipped clients (until fixed: a rebuild, or for the index a "
                       "new event of the client)", box=box.SIMPLE_HEAD)
        for column in ("client", "stream", "from position", "where", "why"):
            listed.add_column(column, overflow="fold")
        for skip in skipped:
            listed.add_row(escape(skip.ref or "?"), skip.stream, f"{skip.position:,}",
                           skip.what, escape(skip.reason))
        console.print(listed)
    if health.position > health.head:
        err.print(f"[red]✗ {escape(health.problem or '')}[/red]")
        raise typer.Exit(1)


db = typer.Typer(help="Set up and check a PostgreSQL store for production.",
                 no_args_is_help=True)
app.add_typer(db, name="db")


@db.command("init")
def db_init(
    app_role: Annotated[str | None, typer.Option(
        help="Create (or update) this login role for the API and the worker")] = None,
    app_password_env: Annotated[str | None, typer.Option(
        help="Name of the environment variable holding that role's password")] = None,
    database: Database = None,
) -> None:
    """Create tables, immutability triggers and the application role (idempotent)."""
    from projections.store import Database as Store
    from projections.store import admin

    url = database or Settings.from_env().database_url
    password = os.environ.get(app_password_env) if app_password_env else None
    if app_password_env and not password:
        err.print(f"[red]{app_password_env} is not set[/red]")
        raise typer.Exit(2)
    try:
        for line in admin.init(Store.parse(url), app_role, password):
            console.print(f"✓ {line}")
    except ValueError as error:  # SetUpRefused among them
        err.print(f"[red]{escape(str(error))}[/red]")
        raise typer.Exit(2) from None
    except psycopg.Error as error:
        err.print(f"[red]the database refused the set-up: {escape(str(error).strip())}[/red]")
        raise typer.Exit(1) from None


@db.command("check")
def db_check(
    app_role: Annotated[str | None, typer.Option(help="Also check this role's grants")] = None,
    database: Database = None,
) -> None:
    """Report what `palabra db init` set up and what is missing (exit 1 if anything is)."""
    from projections.store import Database as Store
    from projections.store import admin

    url = database or Settings.from_env().database_url
    try:
        findings = admin.check(Store.parse(url), app_role)
    except (ValueError, psycopg.Error) as error:
        err.print(f"[red]cannot check the store: {escape(str(error).strip())}[/red]")
        raise typer.Exit(2) from None
    for finding in findings:
        console.print(("✓ " if finding.ok else "✗ ") + escape(finding.what))
    if not all(f.ok for f in findings):
        raise typer.Exit(1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
