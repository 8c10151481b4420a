"""ClientForgotten's rules, an erased client's export imported elsewhere, and the keys
(wrong or missing master key, loose key file, rotation) on both stores."""

from __future__ import annotations

import logging
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from domain.entries import Entry
from domain.errors import InvalidState, LedgerError
from domain.jsonlines import entry_from_line, export_line
from domain.keyring import KeyUnavailable, MasterKey
from domain.ledger import Ledger
from domain.values import stream_id
from domain.values import to_json as plain
from projections.figures import figures
from projections.store import Database, open_ledger
from projections.store.master_key import default_key_file, master_key, read_key_file
from tests.support import FixedClock
from tests.support.histories import state_of
from tests.support.scenarios import without_personal

ONBOARD = Entry("ClientOnboarded", "acme", {"name": "Acme Ltd", "currency": "EUR"},
                "2026-01-05")
HISTORY = [
    ONBOARD,
    Entry("InvoiceIssued", "acme", {"invoiceId": "INV-1", "amount": "100.00",
                                    "description": "Tiles for Mr Brown's house"}, "2026-01-10"),
    Entry("PaymentReceived", "acme", {"paymentId": "PAY-1", "amount": "40.00"}, "2026-02-01"),
    Entry("ContactLogged", "acme", {"channel": "PHONE", "direction": "OUTBOUND",
                                    "purpose": "COLLECTION", "summary": "Called Mr Brown"},
          "2026-02-20"),
    Entry("ClientProfileUpdated", "acme", {"name": "Acme Holdings"}, "2026-03-01"),
    Entry("RelationshipEnded", "acme", {"reason": "CLIENT_LEFT", "note": "Moved abroad"},
          "2026-03-02"),
]
FORGET = Entry("ClientForgotten", "acme", {"reason": "erasure request 7"}, "2026-03-03")


def refused(ledger: Ledger, entry: Entry) -> LedgerError:
    with pytest.raises(LedgerError) as caught:
        ledger.append([entry])
    return caught.value


def test_forgetting_is_refused_while_the_relationship_is_active(
        memory_ledger: Ledger) -> None:
    memory_ledger.append([ONBOARD])
    error = refused(memory_ledger, FORGET)
    assert isinstance(error, InvalidState)
    assert "active" in error.message
    assert len(memory_ledger.stream("acme")) == 1


def test_nothing_follows_a_forgotten_client_not_even_a_retraction(
        memory_ledger: Ledger) -> None:
    memory_ledger.append([*HISTORY, FORGET])
    for entry in (
        Entry("PaymentReceived", "acme", {"amount": "1.00"}, "2026-03-04"),
        Entry("RelationshipResumed", "acme", {"note": "back"}, "2026-03-04"),
        Entry("EntryRetracted", "acme", {"version": 7, "reason": "by mistake"}, "2026-03-04"),
        Entry("EntryRetracted", "acme", {"version": 3, "reason": "by mistake"}, "2026-03-04"),
        FORGET,
    ):
        error = refused(memory_ledger, entry)
        assert isinstance(error, InvalidState), entry.type
        assert "the client was forgotten" in error.message
    assert len(memory_ledger.stream("acme")) == 7


def test_a_forgotten_clients_history_reads_null_and_its_figures_stay(
        memory_ledger: Ledger) -> None:
    memory_ledger.append(HISTORY)
    before = state_of(memory_ledger, "acme")
    memory_ledger.append([FORGET])
    history = memory_ledger.stream("acme")
    assert all(r.erased for r in history if r.data.keys() & {"name", "description",
                                                             "summary", "note", "reason"})
    assert history[0].data["name"] is None
    assert history[1].data == {"invoiceId": "INV-1", "amount": "100.00", "description": None}
    assert history[2].data == {"paymentId": "PAY-1", "amount": "40.00"}
    assert not history[2].erased  # a payment holds nothing personal
    after = state_of(memory_ledger, "acme")
    as_of = date(2026, 3, 5)
    assert without_personal(plain(figures(after, as_of))) == without_personal(
        plain(figures(before, as_of)))
    assert figures(after, as_of).name is None  # folded from the history: null


def test_an_erased_export_imports_as_the_same_erased_client(
        database_url: str, clock: FixedClock, tmp_path: Path) -> None:
    source = open_ledger(database_url, clock)
    try:
        source.append([*HISTORY, FORGET])
        lines = [export_line(r) for r in source.stream("acme")]
        expected = state_of(source, "acme")
    finally:
        source.close()
    assert all(line.get("erased") for line in lines if line["type"] != "PaymentReceived")
    assert "Acme" not in str(lines)
    assert "Brown" not in str(lines)
    target = open_ledger(f"sqlite:///{tmp_path}/elsewhere.db", clock)
    try:
        target.append([entry_from_line(line) for line in lines])
        again = [export_line(r) for r in target.stream("acme")]
        imported = state_of(target, "acme")
        assert refused(target, Entry("PaymentReceived", "acme", {"amount": "1.00"},
                                     "2026-03-04")).code == "INVALID_STATE"
    finally:
        target.close()
    keep = ("type", "occurredOn", "data", "version", "retracted", "erased")
    assert [{k: line.get(k) for k in keep} for line in again] == [
        {k: line.get(k) for k in keep} for line in lines]
    for as_of in (date(2026, 1, 31), date(2026, 3, 5), date(2026, 11, 22)):
        assert plain(figures(imported, as_of)) == plain(figures(expected, as_of))


class OldLedger(Ledger):
    """The ledger as it wrote before encryption: personal fields in plaintext."""

    def _seal(self, ref: str, fields: dict[str, Any], erased: bool) -> None:
        pass


def test_a_client_with_plaintext_events_reads_but_cannot_be_forgotten(
        clock: FixedClock) -> None:
    old = OldLedger.in_memory(clock)
    old.append(HISTORY)
    assert old.stream("acme")[3].data["summary"] == "Called Mr Brown"  # read as it is
    error = refused(old, FORGET)
    assert isinstance(error, InvalidState)
    assert error.message.startswith("acme cannot be forgotten: its events version 1 "
                                    "(ClientOnboarded), version 2 (InvoiceIssued), version 4 "
                                    "(ContactLogged), version 5 (ClientProfileUpdated), "
                                    "version 6 (RelationshipEnded) were stored before "
                                    "encryption")


# ---- keys ---------------------------------------------------------------------------


def _onboarded(url: str, clock: FixedClock, master: MasterKey | None = None) -> None:
    ledger = open_ledger(url, clock, master=master)
    try:
        ledger.append([ONBOARD])
    finally:
        ledger.close()


def test_a_wrong_master_key_is_one_clear_sentence_not_garbage(
        database_url: str, clock: FixedClock) -> None:
    _onboarded(database_url, clock, MasterKey.generate("the first key"))
    ledger = open_ledger(database_url, clock, master=MasterKey.generate("another key"))
    try:
        with pytest.raises(KeyUnavailable) as caught:
            ledger.stream("acme")
    finally:
        ledger.close()
    assert "is not the one the data keys were wrapped with" in caught.value.message
    assert "\n" not in caught.value.message
    assert caught.value.code == "UNAVAILABLE"


def test_a_missing_key_file_is_said_plainly(database_url: str) -> None:
    with pytest.raises(KeyUnavailable, match="the master key file /nowhere/key does not "
                                             "exist"):
        master_key(Database.parse(database_url), key_file="/nowhere/key")


def test_the_default_key_file_is_made_owner_only_once_and_loose_ones_are_warned_about(
        tmp_path: Path, clock: FixedClock, caplog: pytest.LogCaptureFixture) -> None:
    url = f"sqlite:///{tmp_path}/palabra.db"
    path = default_key_file(Database.parse(url))
    assert path == f"{tmp_path}/palabra.db.master-key"
    with caplog.at_level(logging.WARNING, "palabra.keys"):
        _onboarded(url, clock)
        open_ledger(url, clock).close()  # again: the file is there
    assert [r.message for r in caplog.records].count(
        f"created the master key file {path} (owner-only): keep it, and keep it out of the "
        "database's backups; without it no personal field can be read") == 1
    assert os.stat(path).st_mode & 0o777 == 0o600
    caplog.clear()
    os.chmod(path, 0o644)
    with caplog.at_level(logging.WARNING, "palabra.keys"):
        read_key_file(path)
    assert any("may be read by others than its owner (mode 644)" in r.message
               for r in caplog.records)


def test_rotation_rewraps_every_key_and_keeps_every_client_readable(
        database_url: str, clock: FixedClock) -> None:
    old, new = MasterKey.generate("old"), MasterKey.generate("new")
    ledger = open_ledger(database_url, clock, master=old)
    try:
        ledger.append([ONBOARD, Entry("ClientOnboarded", "beta", {"name": "Beta SL",
                                                                   "currency": "EUR"})])
        assert ledger.keyring.rotate(new) == 2
        assert ledger.stream("beta")[0].data["name"] == "Beta SL"
    finally:
        ledger.close()
    for master, readable in ((new, True), (old, False)):
        ledger = open_ledger(database_url, clock, master=master)
        try:
            if readable:
                names: list[Any] = [ledger.stream(r)[0].data["name"] for r in ("acme", "beta")]
                assert names == ["Acme Ltd", "Beta SL"]
                keys = ledger.keyring.store.fetch([stream_id("acme"), stream_id("beta")])
                assert {k.master_id for k in keys.values()} == {new.id}
            else:
                with pytest.raises(KeyUnavailable):
                    ledger.stream("acme")
        finally:
            ledger.close()
