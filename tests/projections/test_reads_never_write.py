"""No read writes: the read queries answer, fresh, from a store they may only read.

A store is filled and its read models built by the worker, for today and for a past
day; then more events are appended that the worker has not applied (new events of
known clients, back-dated ones, a new client).  The read queries — client, clients,
portfolio for today and for past days (indexed and never indexed), history,
contactAllowed, the checkpoints, proofs and leaf hashes — are asked through the real app
(`api.http.create_app`) and the command line, over a connection to which the read models
are read-only: on PostgreSQL a role with SELECT only, on SQLite the file opened read-only.  Every
answer includes the unapplied events and equals the answer after a rebuild.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from psycopg import sql
from typer.testing import CliRunner

from api.auth import ApiKeys
from api.cli import app as cli
from api.http import create_app
from api.settings import Settings
from projections.audit.checkpoints import Signer
from projections.audit.notary import Notary
from projections.indexer import refresh_index
from projections.projector import Projector
from projections.read_model import ReadModel
from projections.store import READ_MODEL_TABLES, TREE_TABLES, Database, open_ledger, open_view
from tests.support import FixedClock, entry, onboard
from tests.support.randomized import RandomHistory

KEY = "reader-key-0123456789abcdef"
TODAY = date(2026, 11, 22)
INDEXED_PAST, NEVER_INDEXED = date(2026, 6, 30), date(2025, 12, 31)
REFS = ("r0", "r1", "r2", "r3")
CLIENT = """query($ref: ID!, $asOf: Date) { client(ref: $ref, asOf: $asOf) {
  ref name version state trust { score band components { name value } }
  gap { vendor { counted onTime } client { counted broken } }
  payments { outstanding overdue credit dso aging { bucket amount }
             invoices { id balance status } }
  signals { kind since evidence } complaints { id open } contacts { id on } } }"""
CLIENTS = """query($asOf: Date, $order: ClientOrder, $after: String) {
  clients(first: 2, asOf: $asOf, orderBy: $order, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { ref name version trust { score } payments { outstanding } } } } }"""
FILTERED = """query($asOf: Date) { clients(first: 50, asOf: $asOf, state: ACTIVE) {
  totalCount edges { node { ref } } } }"""
PORTFOLIO = """query($asOf: Date) { portfolio(asOf: $asOf) {
  asOf clients unscored byBand { band count } signals { kind count }
  totals { currency outstanding overdue aging { bucket amount } } } }"""
HISTORY = """query($ref: ID!) { history(ref: $ref) { edges { cursor node {
  clientRef type version position occurredOn } } } }"""
CONTACT = """query($ref: ID!) { contactAllowed(ref: $ref, on: "2026-11-22") {
  allowed used cap nextAllowedOn reason } }"""
AUDIT = """query($size: Int) { checkpoint { treeSize rootHash issuedAt keyId signature }
  checkpoints { edges { cursor node { treeSize rootHash } } }
  inclusionProof(position: 3, treeSize: $size) { position treeSize leafHash path }
  consistencyProof(fromSize: 2) { fromSize toSize path }
  events(first: 500) { edges { node { position leafHash } } } }"""
ORDERS = ("SCORE_ASC", "SCORE_DESC", "OUTSTANDING_DESC", "NAME_ASC")


def fill(url: str, clock: FixedClock) -> int:
    """A store with its read models built up to a point, and events after it; returns
    the position the worker reached."""
    ledger = open_ledger(url, clock)
    projector = Projector(ledger, open_view(url), url=url)
    read = ReadModel(projector)
    try:
        histories = [RandomHistory(ledger, ref, seed=n) for n, ref in enumerate(REFS[:3])]
        for history in histories:
            history.grow(40)
        onboard(ledger, REFS[3], "2025-11-01", name="Zeta")
        refresh_index(read, TODAY)  # the worker: catch up, index today
        refresh_index(read, INDEXED_PAST)
        Notary(ledger, projector.view, lambda: Signer(Ed25519PrivateKey.generate()),
               clock).issue()  # the worker's tree and a checkpoint
        position = projector.view.position()
        for history in histories:  # the worker never sees these
            history.grow(6)
        ledger.append([entry("InvoiceIssued", REFS[3], "2026-03-01", invoiceId="Z1",
                             amount="250.00", description="back-dated"),
                       entry("ContactLogged", REFS[3], "2026-11-20", contactId="ZC1",
                             channel="PHONE", direction="OUTBOUND", purpose="COLLECTION",
                             summary="called")])
        onboard(ledger, "late", "2026-05-01", name="Late Comer")
        assert projector.head() > position
        return position
    finally:
        ledger.close()
        projector.view.close()  # type: ignore[attr-defined]


def read_only(url: str, server: Database | None) -> Iterator[str]:
    """The URL of a connection that may only read the store."""
    if server is None:
        yield url + "?mode=ro"
        return
    schema = Database.parse(url).schema
    role = f"palabra_reader_{os.getpid()}_{schema}"
    names = [*READ_MODEL_TABLES, *TREE_TABLES, "palabra_view_meta", "palabra_events",
             "palabra_clients_tracking", "palabra_data_keys"]  # reads open the keys
    with server.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(
            sql.Identifier(schema), sql.Identifier(role)))
        for name in names:
            conn.execute(sql.SQL("GRANT SELECT ON {}.{} TO {}").format(
                sql.Identifier(schema), sql.Identifier(name), sql.Identifier(role)))
    parts = urlsplit(url)
    try:
        yield urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port}"))
    finally:
        with server.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


@pytest.fixture
def store(database_url: str, clock: FixedClock,
          request: pytest.FixtureRequest) -> Iterator[tuple[str, str, int]]:
    """(the store's URL, a read-only URL of it, the position the worker reached)."""
    position = fill(database_url, clock)
    server = (request.getfixturevalue("postgres_server")
              if database_url.startswith("postgres") else None)
    for url in read_only(database_url, server):
        yield database_url, url, position


def answers(url: str, clock: FixedClock) -> dict[str, Any]:
    """Every read query's answer, through the real app."""
    settings = Settings(database_url=url, api_keys=ApiKeys.parse([f"auditor:auditor:{KEY}"],
                                                                 "test"),
                        create_tables=False, run_projections=False)
    found: dict[str, Any] = {}
    with TestClient(create_app(settings, clock)) as http:
        def ask(query: str, **variables: Any) -> Any:
            response = http.post("/graphql", json={"query": query, "variables": variables},
                                 headers={"Authorization": f"Bearer {KEY}"})
            body = response.json()
            assert "errors" not in body, json.dumps(body["errors"], indent=1)
            return body["data"]

        for day in (TODAY, INDEXED_PAST, NEVER_INDEXED):
            for ref in (*REFS, "late"):
                found[f"client {ref} {day}"] = ask(CLIENT, ref=ref, asOf=day.isoformat())
            found[f"portfolio {day}"] = ask(PORTFOLIO, asOf=day.isoformat())
            found[f"filtered {day}"] = ask(FILTERED, asOf=day.isoformat())
            for order in ORDERS:
                pages, after = [], None
                while True:
                    page = ask(CLIENTS, asOf=day.isoformat(), order=order, after=after)
                    pages.append(page)
                    if not page["clients"]["pageInfo"]["hasNextPage"]:
                        break
                    after = page["clients"]["pageInfo"]["endCursor"]
                found[f"clients {day} {order}"] = pages
        found["clients today by default"] = ask(CLIENTS)
        found["tamper evidence"] = ask(AUDIT, size=5)
        for ref in (*REFS, "late"):
            found[f"history {ref}"] = ask(HISTORY, ref=ref)
            found[f"contact {ref}"] = ask(CONTACT, ref=ref)
    return found


def command_line(url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("PALABRA_CREATE_TABLES", "false")
    monkeypatch.setenv("PALABRA_RUN_PROJECTIONS", "false")
    runner, found = CliRunner(), {}
    for name, arguments in {
        "client": ["client", "r1", "--as-of", "2026-11-22", "--json"],
        "client table": ["client", "r3", "--as-of", "2026-06-30"],
        "portfolio": ["portfolio", "--as-of", "2026-11-22", "--json"],
        "past portfolio": ["portfolio", "--as-of", "2025-12-31", "--json"],
        "history": ["history", "late"],
    }.items():
        result = runner.invoke(cli, [*arguments, "--database", url],
                               env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        found[name] = result.output
    return found


def ledger_head(url: str) -> int:
    ledger = open_ledger(url)
    try:
        return ledger.recorder.max_notification_id() or 0
    finally:
        ledger.close()


def stored(url: str) -> dict[str, Any]:
    """What the read models hold (to see that nothing changed)."""
    view = open_view(url)
    try:
        return {"position": view.position(), "versions": view.versions(),
                "tree": view.tree_size(), "checkpoints": view.checkpoints_after(None, None),
                **{f"index {day}": view.entries(day)
                   for day in (TODAY, INDEXED_PAST, NEVER_INDEXED)}}
    finally:
        view.close()  # type: ignore[attr-defined]


def test_every_read_answers_fresh_from_a_store_it_may_only_read(
        store: tuple[str, str, int], clock: FixedClock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, reader, position = store
    refused = open_view(reader, {"CREATE_TABLE": "n"})
    try:
        with pytest.raises(Exception, match=r"(?i)read-?only|permission denied"):
            refused.forget_entries_before(TODAY)  # the reader's connection cannot write
    finally:
        refused.close()  # type: ignore[attr-defined]
    before = stored(url)
    assert before["position"] == position
    fresh = answers(reader, clock)
    said = command_line(reader, monkeypatch)
    assert stored(url) == before  # nothing written
    ledger = open_ledger(url, clock)
    try:
        for ref in (*REFS, "late"):
            assert fresh[f"client {ref} {TODAY}"]["client"]["version"] == len(
                ledger.stream(ref))
    finally:
        ledger.close()
    assert fresh[f"portfolio {TODAY}"]["portfolio"]["clients"] == 5
    audit = fresh["tamper evidence"]
    assert audit["inclusionProof"]["treeSize"] == audit["checkpoint"]["treeSize"] == position
    assert len(audit["events"]["edges"]) == ledger_head(url) > position  # all have a leafHash
    assert "Late Comer" in said["history"] or "late" in said["history"]

    ledger = open_ledger(url, clock)
    projector = Projector(ledger, open_view(url), url=url)
    try:
        projector.rebuild()
        for day in (TODAY, INDEXED_PAST, NEVER_INDEXED):
            refresh_index(ReadModel(projector), day)
    finally:
        ledger.close()
        projector.view.close()  # type: ignore[attr-defined]
    assert answers(url, clock) == fresh
    assert command_line(url, monkeypatch) == said
