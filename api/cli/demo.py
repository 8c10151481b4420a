"""`palabra demo`: load the demo ledger and show what Palabra makes of it."""

from __future__ import annotations

from rich import box
from rich.rule import Rule
from rich.table import Table

from api.cli.common import Database, console, services_at
from api.cli.rendering import client_tables, portfolio_tables
from api.demo import DEMO_SPOTLIGHT, demo_clients, demo_entries
from domain.errors import LedgerError


def demo(database: Database = None) -> None:
    """Load the demo ledger (a dozen client stories) and show what Palabra makes of it."""
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
