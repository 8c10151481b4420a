"""The figures' commands: `palabra client` (one client's figures) and `palabra portfolio`
(across clients), as tables or as JSON in the shape of the GraphQL types."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Annotated

import typer
from rich.markup import escape

from api.cli.common import AsOf, Database, Json, KnownAt, console, day_of, err, services_at
from api.cli.json_output import client_json
from api.cli.rendering import client_tables, portfolio_tables
from domain.values import to_json
from projections.figures.portfolio import ClientOrder


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
    with services_at(database, create=False) as services:
        day = day_of(services, as_of)
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


def portfolio(
    as_of: AsOf = None,
    first: Annotated[int, typer.Option(
        min=1, max=500, help="How many clients to list (1 to 500)")] = 50,
    order: Annotated[ClientOrder, typer.Option(help="Order of the list")] = ClientOrder.SCORE_ASC,
    json_: Json = False,
    database: Database = None,
) -> None:
    """Across clients: bands, totals and aging per currency, signals, the client list."""
    with services_at(database, create=False) as services:
        day = day_of(services, as_of)
        summary = services.read_model.portfolio(day)
        page = services.read_model.clients(day, first=first, order=order)
    if json_:
        print(json.dumps({"portfolio": to_json(summary),
                          "clients": [to_json(e) for _, e in page.entries]},
                         indent=2, ensure_ascii=False))
        return
    console.print(portfolio_tables(summary, [e for _, e in page.entries]))
