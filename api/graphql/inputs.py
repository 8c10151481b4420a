"""The input types of the contract: one per event type, `Meta`, `AppendItem` and the
`@oneOf` `EventInput`.

`entry_of(event_input, meta, actor)` maps any of them to a ledger `Entry`: the
event type of SPEC §2, the `ref` field as the client reference, every other field
set by the caller in the camelCase `data` the ledger parses (enums by name, dates
ISO, amounts the very string the caller sent).  Validation is the domain's.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from datetime import date
from enum import Enum
from typing import Any, TypeVar

import strawberry
from strawberry import UNSET
from strawberry.types.unset import UnsetType

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
from domain.entries import Entry
from domain.errors import InvalidInput
from domain.values import camel

T = TypeVar("T")


@strawberry.input
class Meta:
    occurred_on: date | None = UNSET
    idempotency_key: str | None = UNSET
    expected_version: int | None = UNSET


@strawberry.input
class OnboardClient:
    ref: strawberry.ID
    name: str
    currency: str
    payment_terms_days: int | None = 30
    sector: str | None = UNSET
    timezone: str | None = UNSET
    contact_cap: int | None = 3


@strawberry.input
class UpdateProfile:
    ref: strawberry.ID
    name: str | None = UNSET
    sector: str | None = UNSET
    timezone: str | None = UNSET
    payment_terms_days: int | None = UNSET
    contact_cap: int | None = UNSET


@strawberry.input
class EndRelationship:
    ref: strawberry.ID
    reason: EndReason
    note: str


@strawberry.input
class ResumeRelationship:
    ref: strawberry.ID
    note: str


@strawberry.input
class MakePromise:
    ref: strawberry.ID
    promise_id: strawberry.ID | None = UNSET
    by: Party
    kind: PromiseKind
    description: str
    due_on: date
    amount: DecimalInput | None = UNSET
    invoice_id: strawberry.ID | None = UNSET


@strawberry.input
class RenegotiatePromise:
    ref: strawberry.ID
    promise_id: strawberry.ID
    new_due_on: date
    new_amount: DecimalInput | None = UNSET
    reason: str


@strawberry.input
class KeepPromise:
    ref: strawberry.ID
    promise_id: strawberry.ID
    amount: DecimalInput | None = UNSET


@strawberry.input
class BreakPromise:
    ref: strawberry.ID
    promise_id: strawberry.ID
    reason: str


@strawberry.input
class CancelPromise:
    ref: strawberry.ID
    promise_id: strawberry.ID
    reason: str


@strawberry.input
class RecordExpectation:
    ref: strawberry.ID
    expectation_id: strawberry.ID | None = UNSET
    held_by: Party
    kind: PromiseKind
    description: str
    expected_on: date | None = UNSET
    expected_amount: DecimalInput | None = UNSET
    basis: Basis | None = Basis.STATED


@strawberry.input
class ReviseExpectation:
    ref: strawberry.ID
    expectation_id: strawberry.ID
    expected_on: date | None = UNSET
    expected_amount: DecimalInput | None = UNSET
    reason: str


@strawberry.input
class MeetExpectation:
    ref: strawberry.ID
    expectation_id: strawberry.ID
    actual_amount: DecimalInput | None = UNSET


@strawberry.input
class MissExpectation:
    ref: strawberry.ID
    expectation_id: strawberry.ID
    actual_amount: DecimalInput | None = UNSET
    note: str


@strawberry.input
class IssueInvoice:
    ref: strawberry.ID
    invoice_id: strawberry.ID | None = UNSET
    amount: DecimalInput
    due_on: date | None = UNSET
    description: str


@strawberry.input
class DisputeInvoice:
    ref: strawberry.ID
    invoice_id: strawberry.ID
    reason: str


@strawberry.input
class ResolveDispute:
    ref: strawberry.ID
    invoice_id: strawberry.ID
    outcome: DisputeOutcome
    credit_amount: DecimalInput | None = UNSET


@strawberry.input
class WriteOffInvoice:
    ref: strawberry.ID
    invoice_id: strawberry.ID
    amount: DecimalInput
    reason: str


@strawberry.input
class InstalmentInput:
    due_on: date
    amount: DecimalInput


@strawberry.input
class AgreePaymentPlan:
    ref: strawberry.ID
    plan_id: strawberry.ID | None = UNSET
    invoice_ids: list[strawberry.ID]
    instalments: list[InstalmentInput]


@strawberry.input
class ReceivePayment:
    ref: strawberry.ID
    payment_id: strawberry.ID | None = UNSET
    amount: DecimalInput
    method: str | None = UNSET
    invoice_id: strawberry.ID | None = UNSET


@strawberry.input
class ReversePayment:
    ref: strawberry.ID
    payment_id: strawberry.ID
    reason: str


@strawberry.input
class LogContact:
    ref: strawberry.ID
    contact_id: strawberry.ID | None = UNSET
    channel: Channel
    direction: Direction
    purpose: ContactPurpose
    summary: str
    answered: bool | None = UNSET


@strawberry.input
class FileComplaint:
    ref: strawberry.ID
    complaint_id: strawberry.ID | None = UNSET
    raised_by: Party
    category: ComplaintCategory
    severity: Severity
    description: str
    promise_id: strawberry.ID | None = UNSET


@strawberry.input
class AcknowledgeComplaint:
    ref: strawberry.ID
    complaint_id: strawberry.ID


@strawberry.input
class ResolveComplaint:
    ref: strawberry.ID
    complaint_id: strawberry.ID
    what_went_wrong: str
    correction: str
    prevention: str


@strawberry.input
class ReopenComplaint:
    ref: strawberry.ID
    complaint_id: strawberry.ID
    reason: str


@strawberry.input
class RequestService:
    ref: strawberry.ID
    request_id: strawberry.ID | None = UNSET
    description: str
    in_offering: bool


@strawberry.input
class GiveAdvice:
    ref: strawberry.ID
    advice_id: strawberry.ID | None = UNSET
    summary: str


@strawberry.input
class AnswerAdvice:
    ref: strawberry.ID
    advice_id: strawberry.ID
    accepted: bool
    note: str | None = UNSET


@strawberry.input
class RetractEntry:
    ref: strawberry.ID
    version: int
    reason: str


#: the event type (SPEC §2) each input records
EVENT_TYPES: dict[type, str] = {
    OnboardClient: "ClientOnboarded",
    UpdateProfile: "ClientProfileUpdated",
    EndRelationship: "RelationshipEnded",
    ResumeRelationship: "RelationshipResumed",
    MakePromise: "PromiseMade",
    RenegotiatePromise: "PromiseRenegotiated",
    KeepPromise: "PromiseKept",
    BreakPromise: "PromiseBroken",
    CancelPromise: "PromiseCancelled",
    RecordExpectation: "ExpectationRecorded",
    ReviseExpectation: "ExpectationRevised",
    MeetExpectation: "ExpectationMet",
    MissExpectation: "ExpectationMissed",
    IssueInvoice: "InvoiceIssued",
    DisputeInvoice: "InvoiceDisputed",
    ResolveDispute: "InvoiceDisputeResolved",
    WriteOffInvoice: "InvoiceWrittenOff",
    AgreePaymentPlan: "PaymentPlanAgreed",
    ReceivePayment: "PaymentReceived",
    ReversePayment: "PaymentReversed",
    LogContact: "ContactLogged",
    FileComplaint: "ComplaintFiled",
    AcknowledgeComplaint: "ComplaintAcknowledged",
    ResolveComplaint: "ComplaintResolved",
    ReopenComplaint: "ComplaintReopened",
    RequestService: "ServiceRequested",
    GiveAdvice: "AdviceGiven",
    AnswerAdvice: "AdviceAnswered",
    RetractEntry: "EntryRetracted",
}


@strawberry.input(one_of=True, description="Exactly one field set.")
class EventInput:
    onboard_client: OnboardClient | None = UNSET
    update_profile: UpdateProfile | None = UNSET
    end_relationship: EndRelationship | None = UNSET
    resume_relationship: ResumeRelationship | None = UNSET
    make_promise: MakePromise | None = UNSET
    renegotiate_promise: RenegotiatePromise | None = UNSET
    keep_promise: KeepPromise | None = UNSET
    break_promise: BreakPromise | None = UNSET
    cancel_promise: CancelPromise | None = UNSET
    record_expectation: RecordExpectation | None = UNSET
    revise_expectation: ReviseExpectation | None = UNSET
    meet_expectation: MeetExpectation | None = UNSET
    miss_expectation: MissExpectation | None = UNSET
    issue_invoice: IssueInvoice | None = UNSET
    dispute_invoice: DisputeInvoice | None = UNSET
    resolve_dispute: ResolveDispute | None = UNSET
    write_off_invoice: WriteOffInvoice | None = UNSET
    agree_payment_plan: AgreePaymentPlan | None = UNSET
    receive_payment: ReceivePayment | None = UNSET
    reverse_payment: ReversePayment | None = UNSET
    log_contact: LogContact | None = UNSET
    file_complaint: FileComplaint | None = UNSET
    acknowledge_complaint: AcknowledgeComplaint | None = UNSET
    resolve_complaint: ResolveComplaint | None = UNSET
    reopen_complaint: ReopenComplaint | None = UNSET
    request_service: RequestService | None = UNSET
    give_advice: GiveAdvice | None = UNSET
    answer_advice: AnswerAdvice | None = UNSET
    retract_entry: RetractEntry | None = UNSET

    def chosen(self) -> object:
        """The one event input set."""
        found = [value for f in dataclasses.fields(self)
                 if (value := getattr(self, f.name)) is not UNSET and value is not None]
        if len(found) != 1:  # graphql-core enforces @oneOf; this guards direct use
            raise InvalidInput("an EventInput sets exactly one field")
        return found[0]


#: the event type each field of EventInput stands for, by its GraphQL name
EVENT_OF_FIELD: dict[str, str] = {
    camel(name): EVENT_TYPES[next(a for a in typing.get_args(hint) if a is not type(None))]
    for name, hint in typing.get_type_hints(EventInput).items()
}


@strawberry.input
class AppendItem:
    event: EventInput
    meta: Meta | None = UNSET


def given(value: T | UnsetType | None) -> T | None:
    """An optional argument's value; None when it was left out or null."""
    return None if value is None or isinstance(value, UnsetType) else value


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _data(value)
    return value


def _data(value: object) -> dict[str, Any]:
    """The fields the caller set, camelCase (unset and null ones left out)."""
    return {camel(f.name): _plain(v) for f in dataclasses.fields(value)  # type: ignore[arg-type]
            if (v := getattr(value, f.name)) is not UNSET and v is not None}


def entry_of_raw(item: Mapping[str, Any], actor: str) -> Entry:
    """The ledger entry of an `AppendItem` as graphql-core coerced it (plain dicts with the
    schema's names): the same entry `entry_of` makes of the converted input, without
    strawberry's per-field conversion, which dominates the cost of a large batch."""
    ((field, event),) = ((k, v) for k, v in item["event"].items() if v is not None)
    data = {key: _plain(value) for key, value in event.items() if value is not None}
    ref = data.pop("ref")
    meta = item.get("meta") or {}
    return Entry(type=EVENT_OF_FIELD[field], client_ref=ref, data=data,
                 occurred_on=_plain(meta.get("occurredOn")),
                 idempotency_key=meta.get("idempotencyKey"),
                 expected_version=meta.get("expectedVersion"), actor=actor)


def entry_of(event: object, meta: Meta | None, actor: str) -> Entry:
    """The ledger entry an event input and its meta describe."""
    data = _data(event)
    ref = data.pop("ref")
    told = given(meta) or Meta()
    return Entry(type=EVENT_TYPES[type(event)], client_ref=ref, data=data,
                 occurred_on=given(told.occurred_on),
                 idempotency_key=given(told.idempotency_key),
                 expected_version=given(told.expected_version), actor=actor)
