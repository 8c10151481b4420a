"""The input types of the contract's events: one per event type, each read straight
into what it tells the ledger.

`@event_input(event_type)` declares one: its GraphQL value (graphql-core has already
checked it against the schema: types, enums, required fields) becomes a `Told` — the
event type, the client (the `ref` field) and every other field the caller set, in the
camelCase `data` the ledger parses (enums by name, dates ISO, amounts the very string
the caller sent) — through strawberry's `from_input` hook, without building the input
class field by field.  Validation is the domain's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import strawberry
from strawberry import UNSET
from strawberry.types.arguments import InputContext
from strawberry.types.base import get_object_definition

from api.graphql.enums import (
    Basis,
    Channel,
    ComplaintCategory,
    ContactPurpose,
    Direction,
    DisputeOutcome,
    EndReason,
    Party,
    PromiseKind,
    Severity,
)
from api.graphql.scalars import DecimalInput
from domain.values import to_json

C = TypeVar("C", bound=type)


@dataclass(frozen=True)
class Told:
    """What an event input tells the ledger."""

    type: str
    client_ref: str
    data: dict[str, Any]


#: the event type each input records
EVENT_TYPES: dict[type, str] = {}


def told(event_type: str, value: Mapping[str, Any]) -> Told:
    """The `Told` of an event input's GraphQL value (its fields by GraphQL name)."""
    data = {key: to_json(field) for key, field in value.items() if field is not None}
    return Told(event_type, data.pop("ref"), data)


def event_input(event_type: str) -> Callable[[C], C]:
    """Declares the input type of `event_type`, read as a `Told`."""

    def declare(cls: C) -> C:
        declared = strawberry.input(cls)
        definition = get_object_definition(declared, strict=True)

        def from_input(_cls: type, value: Mapping[str, Any], _context: InputContext) -> Told:
            return told(event_type, value)

        definition.from_input = from_input
        EVENT_TYPES[declared] = event_type
        return declared

    return declare


@strawberry.input
class InstalmentInput:
    due_on: date
    amount: DecimalInput


@event_input("ClientOnboarded")
class OnboardClient:
    ref: strawberry.ID
    name: str
    currency: str
    payment_terms_days: int | None = 30
    sector: str | None = UNSET
    timezone: str | None = UNSET
    contact_cap: int | None = 3


@event_input("ClientProfileUpdated")
class UpdateProfile:
    ref: strawberry.ID
    name: str | None = UNSET
    sector: str | None = UNSET
    timezone: str | None = UNSET
    payment_terms_days: int | None = UNSET
    contact_cap: int | None = UNSET


@event_input("RelationshipEnded")
class EndRelationship:
    ref: strawberry.ID
    reason: EndReason
    note: str


@event_input("RelationshipResumed")
class ResumeRelationship:
    ref: strawberry.ID
    note: str


@event_input("PromiseMade")
class MakePromise:
    ref: strawberry.ID
    promise_id: strawberry.ID | None = UNSET
    by: Party
    kind: PromiseKind
    description: str
    due_on: date
    amount: DecimalInput | None = UNSET
    invoice_id: strawberry.ID | None = UNSET


@event_input("PromiseRenegotiated")
class RenegotiatePromise:
    ref: strawberry.ID
    promise_id: strawberry.ID
    new_due_on: date
    new_amount: DecimalInput | None = UNSET
    reason: str


@event_input("PromiseKept")
class KeepPromise:
    ref: strawberry.ID
    promise_id: strawberry.ID
    amount: DecimalInput | None = UNSET


@event_input("PromiseBroken")
class BreakPromise:
    ref: strawberry.ID
    promise_id: strawberry.ID
    reason: str


@event_input("PromiseCancelled")
class CancelPromise:
    ref: strawberry.ID
    promise_id: strawberry.ID
    reason: str


@event_input("ExpectationRecorded")
class RecordExpectation:
    ref: strawberry.ID
    expectation_id: strawberry.ID | None = UNSET
    held_by: Party
    kind: PromiseKind
    description: str
    expected_on: date | None = UNSET
    expected_amount: DecimalInput | None = UNSET
    basis: Basis | None = Basis.STATED


@event_input("ExpectationRevised")
class ReviseExpectation:
    ref: strawberry.ID
    expectation_id: strawberry.ID
    expected_on: date | None = UNSET
    expected_amount: DecimalInput | None = UNSET
    reason: str


@event_input("ExpectationMet")
class MeetExpectation:
    ref: strawberry.ID
    expectation_id: strawberry.ID
    actual_amount: DecimalInput | None = UNSET


@event_input("ExpectationMissed")
class MissExpectation:
    ref: strawberry.ID
    expectation_id: strawberry.ID
    actual_amount: DecimalInput | None = UNSET
    note: str


@event_input("InvoiceIssued")
class IssueInvoice:
    ref: strawberry.ID
    invoice_id: strawberry.ID | None = UNSET
    amount: DecimalInput
    due_on: date | None = UNSET
    description: str


@event_input("InvoiceDisputed")
class DisputeInvoice:
    ref: strawberry.ID
    invoice_id: strawberry.ID
    reason: str


@event_input("InvoiceDisputeResolved")
class ResolveDispute:
    ref: strawberry.ID
    invoice_id: strawberry.ID
    outcome: DisputeOutcome
    credit_amount: DecimalInput | None = UNSET


@event_input("InvoiceWrittenOff")
class WriteOffInvoice:
    ref: strawberry.ID
    invoice_id: strawberry.ID
    amount: DecimalInput
    reason: str


@event_input("PaymentPlanAgreed")
class AgreePaymentPlan:
    ref: strawberry.ID
    plan_id: strawberry.ID | None = UNSET
    invoice_ids: list[strawberry.ID]
    instalments: list[InstalmentInput]


@event_input("PaymentReceived")
class ReceivePayment:
    ref: strawberry.ID
    payment_id: strawberry.ID | None = UNSET
    amount: DecimalInput
    method: str | None = UNSET
    invoice_id: strawberry.ID | None = UNSET


@event_input("PaymentReversed")
class ReversePayment:
    ref: strawberry.ID
    payment_id: strawberry.ID
    reason: str


@event_input("ContactLogged")
class LogContact:
    ref: strawberry.ID
    contact_id: strawberry.ID | None = UNSET
    channel: Channel
    direction: Direction
    purpose: ContactPurpose
    summary: str
    answered: bool | None = UNSET


@event_input("ComplaintFiled")
class FileComplaint:
    ref: strawberry.ID
    complaint_id: strawberry.ID | None = UNSET
    raised_by: Party
    category: ComplaintCategory
    severity: Severity
    description: str
    promise_id: strawberry.ID | None = UNSET


@event_input("ComplaintAcknowledged")
class AcknowledgeComplaint:
    ref: strawberry.ID
    complaint_id: strawberry.ID


@event_input("ComplaintResolved")
class ResolveComplaint:
    ref: strawberry.ID
    complaint_id: strawberry.ID
    what_went_wrong: str
    correction: str
    prevention: str


@event_input("ComplaintReopened")
class ReopenComplaint:
    ref: strawberry.ID
    complaint_id: strawberry.ID
    reason: str


@event_input("ServiceRequested")
class RequestService:
    ref: strawberry.ID
    request_id: strawberry.ID | None = UNSET
    description: str
    in_offering: bool


@event_input("AdviceGiven")
class GiveAdvice:
    ref: strawberry.ID
    advice_id: strawberry.ID | None = UNSET
    summary: str


@event_input("AdviceAnswered")
class AnswerAdvice:
    ref: strawberry.ID
    advice_id: strawberry.ID
    accepted: bool
    note: str | None = UNSET


@event_input("EntryRetracted")
class RetractEntry:
    ref: strawberry.ID
    version: int
    reason: str


@event_input("ClientForgotten")
class ForgetClient:
    ref: strawberry.ID
    reason: str
