"""Strict values: text no store can hold, amounts a person may misread and time zones
that are not IANA names are refused with INVALID_INPUT, and nothing is written."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from domain.checks import iana_zones, parse_money
from domain.entries import Entry
from domain.errors import InvalidInput, LedgerError
from domain.ledger import Ledger
from domain.values import Instalment, Party, check_text, to_json
from tests.support import entry, onboard


def _max_position(ledger: Ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


def refused(ledger: Ledger, *entries: Entry) -> LedgerError:
    """The refusal of a batch, checking that nothing of it was written."""
    before = _max_position(ledger)
    with pytest.raises(LedgerError) as caught:
        ledger.append(list(entries))
    assert _max_position(ledger) == before
    assert caught.value.code == "INVALID_INPUT", caught.value.message
    return caught.value


# ---- control characters and surrogates, in every text field and id --------------------


def onboarding(ref: str = "nul1", **data: Any) -> Entry:
    return entry("ClientOnboarded", ref, "2026-01-05", **{"name": "Acme", "currency": "EUR",
                                                          **data})


def payment(**data: Any) -> Entry:
    return entry("PaymentReceived", "acme", "2026-02-01",
                 **{"paymentId": "PAY1", "amount": "1.00", **data})


BAD_TEXT = [
    pytest.param(onboarding(name="Evil\x00Name"), "name contains a control character (U+0000)",
                 id="nul-in-name"),
    pytest.param(onboarding(name="Two\nlines"), "name contains a control character (U+000A)",
                 id="newline-in-name"),
    pytest.param(onboarding(name="\x1b[31mred"), "name contains a control character (U+001B)",
                 id="escape-in-name"),
    pytest.param(onboarding(name="Evil\ud800"), "name contains a lone surrogate (U+D800)",
                 id="surrogate-in-name"),
    pytest.param(onboarding(sector="retail\x7f"), "sector contains a control character (U+007F)",
                 id="delete-in-sector"),
    pytest.param(onboarding("nul\x00ref"), "clientRef contains a control character (U+0000)",
                 id="nul-in-ref"),
    pytest.param(onboarding("\udfff"), "clientRef contains a lone surrogate (U+DFFF)",
                 id="surrogate-in-ref"),
    pytest.param(onboarding(timezone="Europe/Madrid\x00"), "timezone", id="nul-in-timezone"),
    pytest.param(onboarding(currency="EU\x00"), "currency", id="nul-in-currency"),
    pytest.param(payment(paymentId="P\x00"), "paymentId contains a control character (U+0000)",
                 id="nul-in-id"),
    pytest.param(payment(method="wire\x85"), "method contains a control character (U+0085)",
                 id="next-line-in-method"),
    pytest.param(entry("InvoiceIssued", "acme", "2026-01-10", invoiceId="INV1",
                       amount="5.00", description="Setup\x00fee"),
                 "description contains a control character (U+0000)", id="nul-in-description"),
    pytest.param(entry("InvoiceIssued", "acme", "2026-01-10", invoiceId="INV1",
                       amount="5.00", description="Setup\r\nfee"),
                 "description contains a control character (U+000D)", id="cr-in-description"),
    pytest.param(entry("ContactLogged", "acme", "2026-01-10", contactId="C1", channel="EMAIL",
                       direction="OUTBOUND", purpose="CHECK_IN", summary="Hi \ud83d"),
                 "summary contains a lone surrogate (U+D83D)", id="surrogate-in-summary"),
    pytest.param(entry("InvoiceIssued", "acme", "2026-01-10", invoiceId=["INV1"],
                       amount="5.00", description="x"), "invoiceId", id="id-as-a-list"),
    pytest.param(Entry("PaymentReceived", "acme", {"paymentId": "PAY1", "amount": "1.00"},
                       "2026-02-01", actor="clerk\x00"),
                 "actor contains a control character (U+0000)", id="nul-in-actor"),
    pytest.param(Entry("PaymentReceived", "acme", {"paymentId": "PAY1", "amount": "1.00"},
                       "2026-02-01", idempotency_key="k\x00"),
                 "idempotencyKey contains a control character (U+0000)", id="nul-in-key"),
    pytest.param(Entry(["PaymentReceived"], "acme", {}), "unknown event type",  # type: ignore[arg-type]
                 id="type-as-a-list"),
    pytest.param(Entry({"a": 1}, "acme", {}), "unknown event type",  # type: ignore[arg-type]
                 id="type-as-an-object"),
]


@pytest.mark.parametrize(("bad", "message"), BAD_TEXT)
def test_control_characters_and_surrogates_are_refused_naming_the_field(
    memory_ledger: Ledger, bad: Entry, message: str
) -> None:
    onboard(memory_ledger)
    error = refused(memory_ledger, bad)
    assert message in error.message


def test_a_bad_item_refuses_its_whole_batch(memory_ledger: Ledger) -> None:
    error = refused(memory_ledger, onboarding("fine"), onboarding("nul1", name="Evil\x00Name"))
    assert error.message == "item 2: name contains a control character (U+0000)"


def test_free_text_may_hold_tab_and_newline(memory_ledger: Ledger) -> None:
    onboard(memory_ledger)
    memory_ledger.append([entry("InvoiceIssued", "acme", "2026-01-10", invoiceId="INV1",
                                amount="5.00", description="Setup fee\n\tline two")])
    assert memory_ledger.stream("acme")[-1].data["description"] == "Setup fee\n\tline two"


@pytest.mark.parametrize("ref", ["a\x00b", "\ud800", "a\x1fb"])
def test_a_history_read_with_a_control_character_is_invalid_input(
    memory_ledger: Ledger, ref: str
) -> None:
    onboard(memory_ledger)
    with pytest.raises(InvalidInput, match="clientRef contains"):
        memory_ledger.stream(ref)


def test_check_text_allows_everything_printable() -> None:
    text = "Ñandú café 東京 🙂 \u00a0 \u200b"
    assert check_text(text, "name") == text
    assert check_text("a\tb\nc", "note", free=True) == "a\tb\nc"
    with pytest.raises(InvalidInput, match=r"note contains a control character \(U\+000B\)"):
        check_text("a\x0bb", "note", free=True)


# ---- amounts ----------------------------------------------------------------------------


@pytest.mark.parametrize("written", [
    "1_000.00", "١٢٣.٤٥", "１２.００", "1e-2", "1E2", "NaN", "nan", "Infinity", "-Infinity",
    "+12.00", " 12.00", "12.00 ", "12.00\n", "\t12.00", "12 .00", "0x10", "12,50", ".5",
    "5.", "", "-", "12.00.00", "12.5\x00", "1" * 50,
])
def test_amounts_are_plain_ascii_decimals(written: str) -> None:
    with pytest.raises(InvalidInput, match="amount"):
        parse_money(written, "amount")


@pytest.mark.parametrize(("written", "amount"), [
    ("12", "12.00"), ("12.5", "12.50"), ("12.50", "12.50"), ("0.01", "0.01"),
    ("007.10", "7.10"), (12, "12.00"), (Decimal("12.5"), "12.50"),
])
def test_plain_amounts_are_accepted(written: object, amount: str) -> None:
    assert parse_money(written, "amount") == Decimal(amount)


@pytest.mark.parametrize("written", ["1_000.00", "١٢٣.٤٥", "1e-2", "+1.00", " 1.00",
                                     "1.00  EUR", "EUR  1.00", " 1.00 EUR", "1.00 EUR ",
                                     "1.00\u00a0EUR", "1.00 eur"])
def test_strict_amounts_through_the_ledger(memory_ledger: Ledger, written: str) -> None:
    onboard(memory_ledger)
    error = refused(memory_ledger, payment(amount=written))
    assert "amount" in error.message


def test_an_amount_tagged_with_its_currency_is_accepted(memory_ledger: Ledger) -> None:
    onboard(memory_ledger)
    memory_ledger.append([payment(paymentId="P1", amount="1.00 EUR"),
                          payment(paymentId="P2", amount="EUR 2.00")])
    assert [r.data["amount"] for r in memory_ledger.stream("acme")[1:]] == ["1.00", "2.00"]


# ---- time zones and currencies ---------------------------------------------------------


@pytest.mark.parametrize("zone", [
    "localtime", "posixrules", "", " ", "/etc/localtime", "/usr/share/zoneinfo/UTC",
    "../../../../etc/localtime", "Europe/../Europe/Madrid", "Europe/Madrid ", "europe/madrid",
    "Mars/Olympus", "right/UTC", "posix/Europe/Madrid", "x" * 300, 5,
])
def test_a_timezone_must_be_an_iana_name(memory_ledger: Ledger, zone: object) -> None:
    error = refused(memory_ledger, onboarding(timezone=zone))
    assert "timezone must be an IANA time zone" in error.message


@pytest.mark.parametrize("zone", ["Europe/Madrid", "UTC", "America/Argentina/Buenos_Aires",
                                  "Etc/GMT+3", "Asia/Kolkata"])
def test_iana_names_are_accepted(memory_ledger: Ledger, zone: str) -> None:
    memory_ledger.append([onboarding("c1", timezone=zone)])
    assert memory_ledger.stream("c1")[0].data["timezone"] == zone


def test_the_iana_list_is_the_databases_own() -> None:
    zones = iana_zones()
    assert "Europe/Madrid" in zones
    assert "localtime" not in zones
    assert len(zones) > 400


@pytest.mark.parametrize("currency", ["eur", "EURO", "EU", "€", "ＥＵＲ", "EUR ", "XYZ", "",
                                      "E\x00R", 978])
def test_a_currency_is_an_iso_4217_code(memory_ledger: Ledger, currency: object) -> None:
    error = refused(memory_ledger, onboarding(currency=currency))
    assert "currency" in error.message


# ---- the one JSON conversion ------------------------------------------------------------


def test_to_json_writes_values_as_json_data() -> None:
    @dataclasses.dataclass
    class Figure:
        due_on: date
        amount: Decimal
        party: Party
        parts: tuple[Instalment, ...]
        at: datetime | None = None

    figure = Figure(date(2026, 1, 5), Decimal("12.50"), Party.CLIENT,
                    (Instalment(date(2026, 2, 1), Decimal("1.00")),),
                    datetime(2026, 1, 5, 9, 30, tzinfo=UTC))
    assert to_json(figure) == {
        "dueOn": "2026-01-05", "amount": "12.50", "party": "CLIENT",
        "parts": [{"dueOn": "2026-02-01", "amount": "1.00"}],
        "at": "2026-01-05T09:30:00+00:00"}
    assert to_json([1, "a", None, True]) == [1, "a", None, True]
