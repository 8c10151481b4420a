"""`palabra demo`: load the demo ledger and show what Palabra makes of it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich import box
from rich.rule import Rule
from rich.table import Table

from api.cli.common import Database, console, err, services_at
from api.cli.rendering import client_tables, portfolio_tables
from api.demo import DEMO_SPOTLIGHT, SimulatedClock, demo_clients, demo_recordings, load
from domain.errors import LedgerError
from domain.ledger import utc_now

Today = Annotated[datetime | None, typer.Option(
    "--today", help="The demo's reference date, YYYY-MM-DD: its stories end that day and "
                    "the figures shown are as of it (default: today)",
    formats=["%Y-%m-%d"], metavar="DATE")]


def dashboard_path() -> str:
    """Where `palabra serve` serves the dashboard (imported here only: the app is heavy)."""
    from api.http.dashboard import PATH

    return PATH


def demo(database: Database = None, today: Today = None) -> None:
    """Load the demo ledger (a dozen client stories) and show what Palabra makes of it."""
    clock = SimulatedClock(utc_now)
    day = today.date() if today else clock().date()
    if day > clock().date():
        err.print(f"[red]--today {day} is after today ({clock().date()}): the demo records "
                  "nothing in the future[/red]")
        raise typer.Exit(2)
    with services_at(database, clock=clock) as services:
        ledger, clients = services.ledger, demo_clients()
        try:
            loaded_on = ledger.stream(clients[0].ref)[0].event.recorded_at.date()
        except LedgerError:
            load(ledger, clock, demo_recordings(day))
            message = (f"loaded the demo ledger, dated up to {day}, recorded day by day "
                       "(see --known-at)")
        else:
            message = f"the demo ledger was already loaded (first recorded on {loaded_on})"
        table = Table(title="The demo ledger", box=box.SIMPLE_HEAD)
        for column in ("client", "name", "events", "story"):
            table.add_column(column, overflow="fold")
        for story in clients:
            table.add_row(story.ref, story.name, str(len(ledger.stream(story.ref))),
                          story.story)
        console.print(table)
        console.print(message + "\n")
        page = services.read_model.clients(day, first=len(clients))
        console.print(portfolio_tables(services.read_model.portfolio(day),
                                       [e for _, e in page.entries]))
        shown = DEMO_SPOTLIGHT
        figures = services.read_model.client(shown, day)
        assert figures is not None
        console.print(Rule(f"One client up close: {figures.name}"))
        console.print(client_tables(figures, services.read_model.signal_onsets(shown, day),
                                    services.read_model.contact_allowed(shown, day)))
        console.print(f"\nTry: palabra client {shown} --json · palabra portfolio · "
                      f"palabra history {shown}")
        console.print("The dashboard: run palabra serve --dev, then open "
                      f"http://127.0.0.1:8000{dashboard_path()}/")
