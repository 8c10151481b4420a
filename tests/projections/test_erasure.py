"""Personal fields stored encrypted, and clients forgotten without losing a figure (both
stores): the raw rows hold no plaintext, reads open it; after forgetting every scenario
client, every checkpoint's figures are exactly the expected ones and neither the database
(every byte of the SQLite files, every row of every PostgreSQL table) nor the log holds
its name or a contact summary."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from psycopg import sql

from domain.entries import Entry
from domain.envelopes import is_envelope
from domain.values import to_json as plain
from projections.figures.contact_policy import contact_allowed
from projections.figures.portfolio import ClientOrder
from projections.indexer import refresh_index
from projections.state import ClientState
from projections.state.evolve import RelationshipState
from projections.store import Database
from tests.support import SCENARIOS, FixedClock
from tests.support.histories import import_lines
from tests.support.scenarios import comparable, differences, without_personal
from tests.support.sides import Side, open_side

SCENARIO_NAMES = ["acme", "random-7", "random-8"]


@pytest.fixture
def side(database_url: str, clock: FixedClock) -> Any:
    opened = open_side(database_url, clock)
    yield opened
    opened.close()


def raw_states(database_url: str) -> list[str]:
    """Every stored event's JSON as it is in the database."""
    db = Database.parse(database_url)
    if db.backend == "sqlite":
        import sqlite3

        with sqlite3.connect(db.path) as conn:
            return [bytes(r[0]).decode() for r in conn.execute(
                "SELECT state FROM stored_events ORDER BY rowid")]
    with db.connect() as conn:
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(db.schema)))
        return [bytes(r[0]).decode() for r in conn.execute(
            "SELECT state FROM palabra_events ORDER BY notification_id").fetchall()]


def everything_stored(database_url: str) -> bytes:
    """Every byte the store holds: the SQLite files (with -wal and the key store), or
    every row of every table of the PostgreSQL schema, as text."""
    db = Database.parse(database_url)
    if db.backend == "sqlite":
        return b"".join(p.read_bytes() for p in Path(db.path).parent.iterdir() if p.is_file())
    out: list[bytes] = []
    with db.connect() as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (db.schema,)).fetchall()]
        assert "palabra_events" in tables
        assert "palabra_data_keys" in tables
        # bytea as its very bytes (events, MessagePack states), the rest as text
        for table in tables:
            for row in conn.execute(sql.SQL("SELECT * FROM {}.{}").format(
                    sql.Identifier(db.schema), sql.Identifier(table))).fetchall():
                out += [bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode()
                        for v in row]
    return b"\n".join(out)


def test_personal_fields_are_stored_encrypted_and_read_back_opened(
        database_url: str, side: Side) -> None:
    side.ledger.append([
        Entry("ClientOnboarded", "acme", {"name": "Acme Ltd", "currency": "EUR"}, "2026-01-05"),
        Entry("ContactLogged", "acme", {"channel": "PHONE", "direction": "OUTBOUND",
                                        "purpose": "SALES", "summary": "Spoke to Ms Pérez"},
              "2026-01-06"),
        Entry("RelationshipEnded", "acme", {"reason": "CLIENT_LEFT", "note": "Moved away"},
              "2026-01-07"),
    ])
    side.projector.catch_up()
    stored = raw_states(database_url)
    assert len(stored) == 3
    everything = everything_stored(database_url)
    assert b'"reason":"CLIENT_LEFT"' in everything  # the search sees the events as stored
    for text in ("Acme", "Pérez", "Moved away"):
        assert all(text not in row for row in stored)
        assert text.encode() not in everything
    onboarded, contact, ended = (json.loads(row) for row in stored)
    assert is_envelope(onboarded["name"])
    assert is_envelope(contact["summary"])
    assert is_envelope(ended["note"])
    assert ended["reason"] == "CLIENT_LEFT"
    assert onboarded["currency"] == "EUR"
    assert contact["channel"] == "PHONE"
    # every reader sees the plaintext: the history, the figures, the list by name
    assert [r.data.get("name") for r in side.ledger.stream("acme")][:1] == ["Acme Ltd"]
    figures = side.read.client("acme", date(2026, 1, 8))
    assert figures is not None
    assert figures.name == "Acme Ltd"
    state = side.read.state("acme")
    assert state is not None
    assert state.contacts[0].summary == "Spoke to Ms Pérez"


def test_an_envelope_moved_to_another_client_does_not_open(side: Side) -> None:
    from domain.envelopes import EnvelopeError
    from domain.values import stream_id

    envelope = side.ledger.keyring.seal(stream_id("a"), "name", "Alice")
    side.ledger.keyring.seal(stream_id("b"), "name", "Bob")  # b gets its own key
    opener = side.ledger.keyring.opener([stream_id("a"), stream_id("b")])
    assert opener.open(stream_id("a"), "name", envelope) == "Alice"
    with pytest.raises(EnvelopeError):
        opener.open(stream_id("b"), "name", envelope)
    with pytest.raises(EnvelopeError):
        opener.open(stream_id("a"), "summary", envelope)


def _expected(name: str) -> list[dict[str, Any]]:
    checkpoints: list[dict[str, Any]] = json.loads(
        (SCENARIOS / f"{name}.expected.json").read_text())["checkpoints"]
    return checkpoints


def _figures(side: Side, checkpoint: dict[str, Any]) -> dict[str, Any]:
    as_of = date.fromisoformat(checkpoint["asOf"])
    figures = side.read.client(checkpoint["ref"], as_of)
    state = side.read.state(checkpoint["ref"])
    assert figures is not None
    assert isinstance(state, ClientState)
    actual = comparable(figures)
    actual["contactAllowed"] = plain(contact_allowed(state, as_of))
    return actual


def _secrets(name: str) -> dict[str, list[str]]:
    """Each client's name and contact summaries in the scenario's history."""
    found: dict[str, list[str]] = {}
    for line in (SCENARIOS / f"{name}.jsonl").read_text().splitlines():
        item = json.loads(line)
        text = item["data"].get("name") or item["data"].get("summary")
        if item["type"] in ("ClientOnboarded", "ContactLogged") and text:
            found.setdefault(item["clientRef"], []).append(text)
    return found


@pytest.mark.parametrize("scenario", SCENARIO_NAMES)
def test_forgetting_every_client_keeps_every_figure_and_leaves_no_plaintext(
        database_url: str, side: Side, scenario: str, caplog: pytest.LogCaptureFixture,
        ) -> None:
    caplog.set_level(logging.DEBUG)
    refs = import_lines(side.ledger, SCENARIOS / f"{scenario}.jsonl")
    side.projector.catch_up()
    checkpoints = _expected(scenario)
    # after every checkpoint's date (the fixed clock's day): invisible to their figures
    end = "2026-11-22"
    assert all(c["asOf"] < end for c in checkpoints)
    for ref in refs:
        state = side.read.state(ref)
        assert state is not None
        if state.standing_on(date.fromisoformat(end))[0] is RelationshipState.ACTIVE:
            side.ledger.append([Entry("RelationshipEnded", ref,
                                      {"reason": "CLIENT_LEFT", "note": "left us"}, end)])
    side.projector.catch_up()
    before = [_figures(side, c) for c in checkpoints]
    day = date(2026, 11, 21)
    refresh_index(side.read, day)  # the portfolio index, the list and its caches in use
    side.read.portfolio(day)
    assert len(side.read.clients(day, order=ClientOrder.NAME_ASC).entries) == len(refs)

    for ref in refs:
        side.ledger.append([Entry("ClientForgotten", ref, {"reason": f"request for {ref}"},
                                  end)])
    side.projector.catch_up()
    refresh_index(side.read, day)
    after = [_figures(side, c) for c in checkpoints]
    assert without_personal(after) == without_personal(before)
    for checkpoint, actual in zip(checkpoints, after, strict=True):
        expected = {k: v for k, v in checkpoint.items() if k not in ("ref", "asOf")}
        assert differences(without_personal(expected), actual) == []
    for ref in refs:
        figures = side.read.client(ref, day)
        assert figures is not None
        assert figures.name == "[erased]"
        assert all(c.summary == "[erased]" for c in figures.contacts)
    for order in ClientOrder:
        page = side.read.clients(day, order=order)
        assert [e.name for _, e in page.entries] == ["[erased]"] * len(refs)

    stored = everything_stored(database_url)
    logged = caplog.text
    for ref, texts in _secrets(scenario).items():
        for text in texts:
            assert text.encode() not in stored, (ref, text)
            assert text not in logged, (ref, text)
