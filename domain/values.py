"""Value types of the ledger: its enumerations, money, identifiers and dates.

Everything here is pure and immutable.  `check_text` is the one test every text
and id a caller sends goes through; `to_json` is the one conversion of these
values (and of dataclasses made of them) into JSON-ready data.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any
from uuid import UUID, uuid5

from domain.errors import InvalidInput

#: Fixed namespace of client stream ids: stream id = uuid5(NAMESPACE, clientRef). Never change it.
NAMESPACE = UUID("6f1c3c8e-1d0b-5a43-9c55-70616c616272")

CENTS = Decimal("0.01")
ZERO = Decimal("0.00")

#: what no text may hold: control characters (Unicode category Cc) and surrogates (a lone
#: one is not a character and cannot be stored as UTF-8); free text may hold tab and newline
_NOT_IN_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_NOT_IN_FREE_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


class Party(Enum):
    VENDOR = "VENDOR"
    CLIENT = "CLIENT"

    @property
    def other(self) -> Party:
        return Party.CLIENT if self is Party.VENDOR else Party.VENDOR


class PromiseKind(Enum):
    DELIVERY = "DELIVERY"
    INTEGRATION = "INTEGRATION"
    SERVICE_LEVEL = "SERVICE_LEVEL"
    SUPPORT = "SUPPORT"
    PAYMENT = "PAYMENT"
    PURCHASE = "PURCHASE"
    OTHER = "OTHER"


class Basis(Enum):
    STATED = "STATED"
    ASSUMED = "ASSUMED"


class EndReason(Enum):
    SERVICE_MISMATCH = "SERVICE_MISMATCH"
    EXPERTISE_NOT_VALUED = "EXPERTISE_NOT_VALUED"
    OVERCOMMITMENT = "OVERCOMMITMENT"
    MISTREATMENT = "MISTREATMENT"
    NON_PAYMENT = "NON_PAYMENT"
    CLIENT_LEFT = "CLIENT_LEFT"
    OTHER = "OTHER"


class DisputeOutcome(Enum):
    UPHELD = "UPHELD"
    REJECTED = "REJECTED"


class Channel(Enum):
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    MEETING = "MEETING"
    LETTER = "LETTER"
    MESSAGE = "MESSAGE"


class Direction(Enum):
    OUTBOUND = "OUTBOUND"
    INBOUND = "INBOUND"


class ContactPurpose(Enum):
    COLLECTION = "COLLECTION"
    SALES = "SALES"
    SUPPORT = "SUPPORT"
    CHECK_IN = "CHECK_IN"


class ComplaintCategory(Enum):
    SERVICE_FAILURE = "SERVICE_FAILURE"
    DELAY = "DELAY"
    BILLING = "BILLING"
    COMMUNICATION = "COMMUNICATION"
    BEHAVIOUR = "BEHAVIOUR"
    OTHER = "OTHER"


class Severity(Enum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


@dataclass(frozen=True)
class Instalment:
    """One due date and amount of a payment plan."""

    due_on: date
    amount: Decimal


# ISO 4217 codes in use (2024), including funds and precious-metal codes banks exchange.
CURRENCIES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN
    BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP
    ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK
    JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK
    MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN
    PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB
    TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG
    XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL
    """.split()
)


@lru_cache(maxsize=65536)
def stream_id(client_ref: str) -> UUID:
    """The event-stream id of a client: uuid5 of its reference in Palabra's namespace."""
    return uuid5(NAMESPACE, client_ref)


def check_text(value: str, field: str, free: bool = False) -> str:
    """Refuse a control character or a surrogate in `value`, naming the field.

    Free text (`free`: descriptions, notes, reasons, summaries) may hold tab and
    newline; nothing else may hold any control character.
    """
    found = (_NOT_IN_FREE_TEXT if free else _NOT_IN_TEXT).search(value)
    if found is not None:
        code = ord(found.group())
        what = "a lone surrogate" if 0xD800 <= code <= 0xDFFF else "a control character"
        raise InvalidInput(f"{field} contains {what} (U+{code:04X})")
    return value


def days(n: int) -> timedelta:
    return timedelta(days=n)


def camel(name: str) -> str:
    """A snake_case name in camelCase, as callers and exports write field names."""
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)


_AS_IT_IS = frozenset({str, int, float, bool})


def to_json(value: Any) -> Any:
    """`value` as JSON-ready data: enums by value, amounts as decimal strings, dates and
    times in ISO 8601, tuples, lists and other sequences as lists, dataclasses as objects
    with camelCase keys; anything else as it is."""
    if value is None or type(value) in _AS_IT_IS:  # the most frequent, first
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if isinstance(value, list | tuple) or (
            isinstance(value, Sequence) and not isinstance(value, str | bytes)):
        return [to_json(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {camel(f.name): to_json(getattr(value, f.name))
                for f in dataclasses.fields(value)}
    return value
