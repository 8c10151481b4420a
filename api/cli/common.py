"""What every `palabra` command shares: the consoles, the `--database` option, the
options of dates, and the services opened on the store the command names.

Each command works on the store named by `--database` or `PALABRA_DATABASE_URL`
(default: the embedded SQLite file `palabra.db`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, NoReturn

import psycopg
import typer
from rich.console import Console
from rich.markup import escape

from api.bootstrap import Services, open_services
from api.cli.help import DATE, TIMESTAMP
from api.cli.stores import StoreProblem, check_store
from api.settings import Settings
from domain.errors import Unavailable
from domain.ledger import Clock, Ledger
from projections.store import Database as Store

console = Console()
err = Console(stderr=True, soft_wrap=True)  # a message is one line, wrapped by the terminal


def fail(message: str, code: int = 1) -> NoReturn:
    """Say what is wrong on stderr, in red, and stop with exit code `code`."""
    err.print(f"[red]{escape(message)}[/red]")
    raise typer.Exit(code)

Database = Annotated[str | None, typer.Option(
    "--database", "-d", help="Store URL (default: $PALABRA_DATABASE_URL or sqlite:///palabra.db)")]


def settings_at(database: str | None) -> Settings:
    """The settings of the environment, on the store `database` names if it names one."""
    settings = Settings.from_env()
    return settings.model_copy(update={"database_url": database}) if database else settings


def settings_or_exit(database: str | None) -> Settings:
    """`settings_at`, or a plain refusal naming the setting (exit 2)."""
    try:
        settings = settings_at(database)
    except ValueError as error:  # SettingsError: it names the variable
        fail(str(error), 2)
    try:
        Store.parse(settings.database_url, settings.db_timeout)
    except ValueError as error:
        fail(f"{'--database' if database else 'PALABRA_DATABASE_URL'}: {error}", 2)
    return settings


@contextmanager
def services_at(database: str | None, create: bool = True,
                clock: Clock | None = None) -> Iterator[Services]:
    """The services on the store `database` names, on `clock` (default: the real one); a
    command that only reads (`create=False`) refuses a store that does not exist instead
    of creating it."""
    settings = settings_or_exit(database)
    try:
        check_store(Store.parse(settings.database_url, settings.db_timeout), create)
        services = open_services(settings, *([clock] if clock else []))
    except StoreProblem as problem:
        fail(str(problem))
    except Unavailable as error:
        fail(error.message)
    except Exception as error:  # the library wraps psycopg's errors in its own
        if _denied(error):
            fail("the database refused to create the tables (permission denied): create "
                 "them once as their owner with `palabra db init`, then run this role with "
                 "PALABRA_CREATE_TABLES=false")
        raise
    try:
        yield services
    except Unavailable as error:
        fail(error.message)
    finally:
        services.close()


def _denied(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, psycopg.errors.InsufficientPrivilege):
            return True
        error = error.__cause__ or error.__context__
    return False


@contextmanager
def ledger_at(database: str | None, create: bool = True) -> Iterator[Ledger]:
    with services_at(database, create) as services:
        yield services.ledger


AsOf = Annotated[datetime | None, typer.Option(
    "--as-of", metavar=DATE, help="Business date of the figures (default: today)",
    formats=["%Y-%m-%d"])]
KnownAt = Annotated[datetime | None, typer.Option(
    "--known-at", metavar=TIMESTAMP,
    help="Only what the ledger knew then (ISO timestamp, UTC if no zone)",
    formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"])]
Json = Annotated[bool, typer.Option("--json", help="JSON in the shape of the GraphQL type")]


def day_of(services: Services, as_of: datetime | None) -> date:
    """The business date of `--as-of`, or today."""
    return as_of.date() if as_of else services.today()
