"""What the state keeps of each entity of a client's history, with every date.

Plain, picklable records built by `projections.state.evolve`: one per promise,
expectation, complaint, piece of advice (with their later events nested in
them), and one per contact, service request, profile change, turn of the
relationship and money event.  Every record carries the stream version that
recorded it, so a retraction can remove exactly that entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from domain.accounts import Operation
from domain.values import (
    Basis,
    Channel,
    ComplaintCategory,
    ContactPurpose,
    Direction,
    EndReason,
    Party,
    PromiseKind,
    Severity,
)


@dataclass(frozen=True, slots=True)
class Profile:
    """Who the client is, as onboarded or as updated by a date."""

    name: str
    currency: str
    payment_terms_days: int
    sector: str | None
    timezone: str | None
    contact_cap: int


@dataclass(frozen=True, slots=True)
class ProfileChange:
    version: int
    on: date
    changes: tuple[tuple[str, Any], ...]  # (field, new value) for the fields given


@dataclass(frozen=True, slots=True)
class Turn:
    """The relationship ended (with a reason) or resumed."""

    version: int
    on: date
    ended: bool
    reason: EndReason | None


@dataclass(frozen=True, slots=True)
class Change:
    """A renegotiated promise or a revised expectation: new date and/or amount."""

    version: int
    on: date
    due_on: date | None
    amount: Decimal | None


@dataclass(frozen=True, slots=True)
class Settlement:
    """KEPT, BROKEN or CANCELLED (promises), MET or MISSED (expectations)."""

    version: int
    on: date
    outcome: str
    amount: Decimal | None


@dataclass(slots=True)
class PromiseRecord:
    version: int
    promise_id: str
    by: Party
    kind: PromiseKind
    description: str
    made_on: date
    due_on: date
    amount: Decimal | None
    invoice_id: str | None
    changes: list[Change] = field(default_factory=list)
    settlement: Settlement | None = None


@dataclass(slots=True)
class ExpectationRecord:
    version: int
    expectation_id: str
    held_by: Party
    kind: PromiseKind
    description: str
    recorded_on: date
    expected_on: date | None
    expected_amount: Decimal | None
    basis: Basis
    changes: list[Change] = field(default_factory=list)
    settlement: Settlement | None = None


@dataclass(frozen=True, slots=True)
class MoneyOperation:
    """One money event as a call of the allocation engine: (method, arguments)."""

    version: int
    on: date
    operation: Operation


@dataclass(frozen=True, slots=True)
class ContactRecord:
    version: int
    contact_id: str
    on: date
    channel: Channel
    direction: Direction
    purpose: ContactPurpose
    summary: str
    answered: bool


@dataclass(frozen=True, slots=True)
class ComplaintStep:
    """ACKNOWLEDGED, RESOLVED (with the three answers) or REOPENED."""

    version: int
    on: date
    step: str
    what_went_wrong: str | None = None
    correction: str | None = None
    prevention: str | None = None


@dataclass(slots=True)
class ComplaintRecord:
    version: int
    complaint_id: str
    raised_by: Party
    category: ComplaintCategory
    severity: Severity
    description: str
    filed_on: date
    promise_id: str | None
    steps: list[ComplaintStep] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RequestRecord:
    version: int
    request_id: str
    on: date
    description: str
    in_offering: bool


@dataclass(frozen=True, slots=True)
class Answer:
    version: int
    on: date
    accepted: bool
    note: str | None


@dataclass(slots=True)
class AdviceRecord:
    version: int
    advice_id: str
    given_on: date
    summary: str
    answer: Answer | None = None
