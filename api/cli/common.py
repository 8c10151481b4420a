"""What every `palabra` command shares: the consoles, the `--database` option, the
options of dates, and the services opened on the store the command names.

Each command works on the store named by `--database` or `PALABRA_DATABASE_URL`
(default: the embedded SQLite file `palabra.db`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated

import typer
from rich.console import Console

from api.bootstrap import Services, open_services
from api.settings import Settings
from domain.errors import Unavailable
from domain.ledger import Clock, Ledger

console = Console()
err = Console(stderr=True)

Database = Annotated[str | None, typer.Option(
    "--database", "-d", help="Store URL (default: $PALABRA_DATABASE_URL or sqlite:///palabra.db)")]


def settings_at(database: str | None) -> Settings:
    """The settings of the environment, on the store `database` names if it names one."""
    settings = Settings.from_env()
    return settings.model_copy(update={"database_url": database}) if database else settings


@contextmanager
def services_at(database: str | None, clock: Clock | None = None) -> Iterator[Services]:
    """The services on the store `database` names, on `clock` (default: the real one)."""
    try:
        services = open_services(settings_at(database), *([clock] if clock else []))
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


AsOf = Annotated[datetime | None, typer.Option(
    "--as-of", help="Business date of the figures (default: today)", formats=["%Y-%m-%d"])]
KnownAt = Annotated[datetime | None, typer.Option(
    "--known-at", help="Only what the ledger knew then (ISO timestamp, UTC if no zone)",
    formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"])]
Json = Annotated[bool, typer.Option("--json", help="JSON in the shape of the GraphQL type")]


def _day(services: Services, as_of: datetime | None) -> date:
    return as_of.date() if as_of else services.today()




def day_of(services: Services, as_of: datetime | None) -> date:
    """The business date of `--as-of`, or today."""
    return as_of.date() if as_of else services.today()
