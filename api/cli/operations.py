"""The operations' commands: `palabra serve`, `palabra project`, `palabra rebuild`,
`palabra status` and `palabra db init|check` (set up and check a PostgreSQL store)."""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import threading
from typing import Annotated

import psycopg
import typer
from rich import box
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli.common import Database, console, err, fail, services_at, settings_or_exit
from api.cli.stores import StoreProblem, check_store, reach
from domain.errors import Unavailable
from projections.indexer import refresh_index
from projections.store import Database as Store

#: below this many events one process rebuilds faster than several (starting the
#: processes costs 1 to 3 s; one process folds some 25,000 events a second)
PARALLEL_FROM = 100_000


def rebuild(
    workers: Annotated[int | None, typer.Option(
        min=1, help="Processes folding clients in parallel (1: in this process, chunk by "
                    "chunk; default: 1 below 100,000 events, else one per CPU)")
    ] = None,
    database: Database = None,
) -> None:
    """Rebuild the read models from every stored event."""
    with services_at(database, create=False) as services, Progress(
        TextColumn("rebuilding"), BarColumn(), MofNCompleteColumn(), TextColumn("events"),
        TimeElapsedColumn(), console=err,
    ) as progress:
        head = services.projector.head()
        task = progress.add_task("rebuild", total=head)
        done = services.projector.rebuild(
            progress=lambda position, last: progress.update(task, completed=position,
                                                            total=last),
            workers=workers or workers_for(head))
    console.print(f"rebuilt {done.clients} clients from {done.events} events in "
                  f"{done.seconds:.1f} s ({done.events_per_second:,.0f} events/s)")


def workers_for(events: int) -> int:
    """How many processes rebuild a store of so many events fastest."""
    return 1 if events < PARALLEL_FROM else os.cpu_count() or 1


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
    from api.http import create_app
    from api.http.dashboard import PATH as DASHBOARD_PATH

    settings = settings_or_exit(database)
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
    _port_free(host, port)
    try:
        check_store(Store.parse(settings.database_url, settings.db_timeout), create=True)
    except StoreProblem as problem:
        fail(str(problem))
    logs.configure(settings.log_level)
    if dev:
        err.print("[yellow]DEV MODE: the API is open to anyone on this machine, without "
                  f"keys, at http://{host}:{port}/graphql[/yellow]")
        err.print(f"The dashboard: http://{host}:{port}{DASHBOARD_PATH}/")
    if workers > 1:  # each process builds its app from the environment
        if database:
            os.environ["PALABRA_DATABASE_URL"] = database
        uvicorn.run("api.http:from_environment", factory=True, workers=workers, host=host,
                    port=port, log_config=None, ws="websockets-sansio")
        return
    uvicorn.run(create_app(settings, dev=dev), host=host, port=port, log_config=None,
                ws="websockets-sansio")


def _port_free(host: str, port: int) -> None:
    """Refuse, before anything is printed or opened, a port another process listens on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        fail(f"cannot listen on {host}: {error.strerror}", 2)
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                fail(f"port {port} on {host} is in use: stop what listens there, or choose "
                     "another with --port", 2)
            fail(f"cannot listen on {host}:{port}: {error.strerror}", 2)


def status(
    json_: Annotated[bool, typer.Option(
        "--json", help="JSON: {store: {backend, where}, head, clients, position, lag, "
                       "skipped: [{ref, stream, position, what, reason}], problem}")] = False,
    database: Database = None,
) -> None:
    """The store, its events, the read models' position and lag, and any problem of theirs
    (exit 1 when the read models are ahead of the event store)."""
    with services_at(database, create=False) as services:
        health = services.projector.health()
        clients = len(services.view.versions())
        skipped = services.view.skipped()
        store = services.database
    where = store.path if store.backend == "sqlite" else (
        f"{store.user}@{store.host}:{store.port}/{store.dbname}"
        + (f" (schema {store.schema})" if store.schema else ""))
    if json_:
        print(json.dumps({
            "store": {"backend": store.backend, "where": where}, "head": health.head,
            "clients": clients, "position": health.position, "lag": health.lag,
            "skipped": [{"ref": s.ref, "stream": s.stream, "position": s.position,
                         "what": s.what, "reason": s.reason} for s in skipped],
            "problem": health.problem}, indent=2, ensure_ascii=False))
        if health.position > health.head:
            raise typer.Exit(1)
        return
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


def db_init(
    app_role: Annotated[str | None, typer.Option(
        help="Create (or update) this role for the API and the worker (created NOLOGIN "
             "without --app-password-env)")] = None,
    app_password_env: Annotated[str | None, typer.Option(
        help="Name of the environment variable holding that role's password")] = None,
    database: Database = None,
) -> None:
    """Create tables, immutability triggers and the application role (idempotent)."""
    from projections.store import admin

    url = settings_or_exit(database).database_url
    password = os.environ.get(app_password_env) if app_password_env else None
    if app_password_env and not password:
        err.print(f"[red]{app_password_env} is not set[/red]")
        raise typer.Exit(2)
    try:
        store = Store.parse(url)
        if store.backend == "postgres":
            reach(store).close()
        for line in admin.init(store, app_role, password, login_without_password=False):
            console.print(f"✓ {line}")
    except StoreProblem as problem:
        fail(str(problem))
    except ValueError as error:  # SetUpRefused among them
        fail(str(error), 2)
    except Unavailable as error:
        fail(error.message)
    except psycopg.Error as error:
        err.print(f"[red]the database refused the set-up: {escape(str(error).strip())}[/red]")
        raise typer.Exit(1) from None


def db_check(
    app_role: Annotated[str | None, typer.Option(help="Also check this role's grants")] = None,
    database: Database = None,
) -> None:
    """Report what `palabra db init` set up and what is missing (exit 1 if anything is)."""
    from projections.store import admin

    url = settings_or_exit(database).database_url
    try:
        store = Store.parse(url)
        if store.backend == "postgres":
            reach(store).close()
        findings = admin.check(store, app_role)
    except StoreProblem as problem:
        fail(f"cannot check the store: {problem}")
    except (ValueError, psycopg.Error) as error:
        err.print(f"[red]cannot check the store: {escape(str(error).strip())}[/red]")
        raise typer.Exit(2) from None
    for finding in findings:
        console.print(("✓ " if finding.ok else "✗ ") + escape(finding.what))
    if not all(f.ok for f in findings):
        raise typer.Exit(1)
