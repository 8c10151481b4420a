"""Value types of the ledger: the enumerations of SPEC §2, money, identifiers and dates.

Everything here is pure and immutable; parsing functions raise `InvalidInput`
with a message that names the offending field.  `check_text` is the one test
every text and id a caller sends goes through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from uuid import UUID, uuid5

from domain.errors import InvalidInput

#: Fixed namespace of client stream ids: stream id = uuid5(NAMESPACE, clientRef). Never change it.
NAMESPACE = UUID("6f1c3c8e-1d0b-5a43-9c55-70616c616272")

CENTS = Decimal("0.01")
ZERO = Decimal("0.00")

_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: an amount as a caller writes it: ASCII digits, at most one point, no sign but minus
_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
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


def parse_ref(value: object, field: str) -> str:
    """A client reference or entity id: 1–64 characters of [A-Za-z0-9._:-]."""
    if isinstance(value, str):
        check_text(value, field)
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise InvalidInput(
            f"{field} must be 1 to 64 characters of letters, digits and . _ : - (got {value!r})"
        )
    return value


def parse_money(value: object, field: str) -> Decimal:
    """An exact, positive amount with at most two decimal places, normalised to cents."""
    if isinstance(value, bool | float):
        raise InvalidInput(f"{field} must be an exact decimal written as a string, e.g. \"12.50\"")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        if len(value) > 40 or not _AMOUNT.fullmatch(value):
            raise InvalidInput(f"{field} must be a finite amount written with the digits 0-9 "
                               f"and at most one point, e.g. \"1250.00\" (got {value[:40]!r})")
        amount = Decimal(value)
    else:
        raise InvalidInput(f"{field} must be a decimal amount, e.g. \"12.50\"")
    if not amount.is_finite():
        raise InvalidInput(f"{field} must be a finite amount (got {value!r})")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise InvalidInput(f"{field} has more than two decimal places: {value!r}")
    if amount <= 0:
        raise InvalidInput(f"{field} must be greater than zero (got {value!r})")
    if amount >= Decimal("1e15"):
        raise InvalidInput(f"{field} is too large (at most 999999999999999.99)")
    return amount.quantize(CENTS)


def parse_date(value: object, field: str) -> date:
    """A business date written YYYY-MM-DD."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise InvalidInput(f"{field} must be a date written YYYY-MM-DD (got {value!r})")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{field} is not a valid date: {value!r}") from None


def days(n: int) -> timedelta:
    return timedelta(days=n)
