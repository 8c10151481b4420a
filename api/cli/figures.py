"""The figures' commands: `palabra client` (one client's figures) and `palabra portfolio`
(across clients), as tables or as JSON in the shape of the GraphQL types."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Annotated

import typer
from rich.markup import escape

from api.cli.common import (
    AsOf,
    Database,
    Json,
    KnownAt,
    console,
    day_of,
    err,
    fail,
    services_at,
)
from api.cli.json_output import client_json
from api.cli.rendering import client_tables, portfolio_tables
from domain.errors import LedgerError
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
            state = services.read_model.state(ref, known_at)
            if state is not None:  # onboarded after `day`
                err.print(f"[red]{escape(ref)} is not a client yet on {day} (onboarded on "
                          f"{state.onboarded_on})[/red]")
                raise typer.Exit(1)
            err.print(f"[red]there is no client {escape(ref)}"
                      + (f" known at {known_at.isoformat()}" if known_at else "") + "[/red]")
            raise typer.Exit(1)
        onsets = services.read_model.signal_onsets(ref, day, known_at)
        if json_:
            print(json.dumps(client_json(figures, onsets), indent=2, ensure_ascii=False))
            return
        policy = services.read_model.contact_allowed(ref, day) if known_at is None else None
        console.print(client_tables(figures, onsets, policy))


PORTFOLIO_JSON = (
    "JSON: {\"portfolio\": the GraphQL `portfolio` query's Portfolio (asOf, clients, byBand, "
    "unscored, totals per currency with their named aging buckets, signals); \"clients\": "
    "the page of the client list as a flat list (the nodes of the GraphQL `clients` "
    "connection, with the list's fields only: ref, name, currency, score, band, state, "
    "outstanding, overdue, signals); \"totalCount\" and \"pageInfo\" {hasNextPage, "
    "endCursor} as in the GraphQL connection}")


def portfolio(
    as_of: AsOf = None,
    first: Annotated[int, typer.Option(
        min=1, max=500, help="How many clients to list (1 to 500)")] = 50,
    after: Annotated[str | None, typer.Option(
        help="List the clients after this cursor (the `next page` line, or "
             "pageInfo.endCursor in the JSON)")] = None,
    order: Annotated[ClientOrder, typer.Option(
        case_sensitive=False, help="Order of the list")] = ClientOrder.SCORE_ASC,
    json_: Annotated[bool, typer.Option("--json", help=PORTFOLIO_JSON)] = False,
    database: Database = None,
) -> None:
    """Across clients: bands, totals and aging per currency, signals, the client list."""
    with services_at(database, create=False) as services:
        day = day_of(services, as_of)
        summary = services.read_model.portfolio(day)
        try:
            page = services.read_model.clients(day, first=first, after=after, order=order)
        except LedgerError as error:
            fail(f"--after: {error.message}", 2)
    if json_:
        print(json.dumps({
            "portfolio": to_json(summary), "clients": [to_json(e) for _, e in page.entries],
            "totalCount": page.total_count,
            "pageInfo": {"hasNextPage": page.has_next_page, "endCursor": page.end_cursor},
        }, indent=2, ensure_ascii=False))
        return
    console.print(portfolio_tables(summary, [e for _, e in page.entries]))
    console.print(f"{len(page.entries)} of {page.total_count} clients"
                  + (f"; the next page: the same command with --after {page.end_cursor}"
                     if page.has_next_page else ""), soft_wrap=True)
