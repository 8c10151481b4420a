"""Writing to the ledger: `append` (a batch, all-or-nothing) and one typed mutation per
event type.

Each maps its inputs to ledger entries, recorded with the caller's name as actor, and
appends them off the event loop.  The ledger validates everything and refuses with its
codes; nothing is written then.

An `AppendItem` is read straight from its GraphQL value (strawberry's `from_input`
hook): graphql-core has already checked every item against the schema (types, enums,
`@oneOf`), and converting each of its fields into input classes would cost several
times what the ledger spends on the event.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry import UNSET
from strawberry.types.arguments import InputContext
from strawberry.types.base import get_object_definition

from api.graphql.arguments import Info, given
from api.graphql.inputs import (
    EVENT_TYPES,
    AcknowledgeComplaint,
    AgreePaymentPlan,
    AnswerAdvice,
    BreakPromise,
    CancelPromise,
    DisputeInvoice,
    EndRelationship,
    FileComplaint,
    ForgetClient,
    GiveAdvice,
    IssueInvoice,
    KeepPromise,
    LogContact,
    MakePromise,
    MeetExpectation,
    MissExpectation,
    OnboardClient,
    ReceivePayment,
    RecordExpectation,
    RenegotiatePromise,
    ReopenComplaint,
    RequestService,
    ResolveComplaint,
    ResolveDispute,
    ResumeRelationship,
    RetractEntry,
    ReversePayment,
    ReviseExpectation,
    Told,
    UpdateProfile,
    WriteOffInvoice,
    told,
)
from api.graphql.permissions import CanForget
from domain.entries import Entry
from domain.errors import InvalidInput
from domain.ledger import Appended as Written
from domain.values import camel


@strawberry.input
class Meta:
    occurred_on: date | None = UNSET
    idempotency_key: str | None = UNSET
    expected_version: int | None = UNSET


@dataclass(frozen=True)
class Stamp:
    """What a `Meta` tells the ledger about an entry."""

    occurred_on: date | None = None
    idempotency_key: str | None = None
    expected_version: int | None = None


def _stamp(_cls: type, value: Mapping[str, Any], _context: InputContext) -> Stamp:
    return Stamp(value.get("occurredOn"), value.get("idempotencyKey"),
                 value.get("expectedVersion"))


get_object_definition(Meta, strict=True).from_input = _stamp
MetaArgument = Annotated[Stamp | None, strawberry.argument(graphql_type=Meta | None)]


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
    forget_client: ForgetClient | None = UNSET


#: the input type of each field of EventInput, by its GraphQL name
INPUT_OF_FIELD: dict[str, type] = {
    camel(name): next(a for a in typing.get_args(hint) if a is not type(None))
    for name, hint in typing.get_type_hints(EventInput).items()
}


@strawberry.input
class AppendItem:
    event: EventInput
    meta: Meta | None = UNSET


@dataclass(frozen=True)
class Item:
    """What an `AppendItem` tells the ledger."""

    told: Told
    stamp: Stamp | None


def _item(_cls: type, value: Mapping[str, Any], context: InputContext) -> Item:
    ((field, event),) = ((k, v) for k, v in value["event"].items() if v is not None)
    meta = value.get("meta")
    return Item(told(EVENT_TYPES[INPUT_OF_FIELD[field]], event),
                None if meta is None else _stamp(Meta, meta, context))


get_object_definition(AppendItem, strict=True).from_input = _item


@strawberry.type
class Appended:
    client_ref: strawberry.ID
    version: int
    position: int
    entity_id: strawberry.ID | None
    replayed: bool


@strawberry.type
class AppendResult:
    events: list[Written] = strawberry.field(graphql_type=list[Appended])


def entry_of(told: Told, stamp: Stamp | None, actor: str) -> Entry:
    """The ledger entry an event input and its meta describe."""
    stamp = stamp or Stamp()
    return Entry(type=told.type, client_ref=told.client_ref, data=told.data,
                 occurred_on=stamp.occurred_on, idempotency_key=stamp.idempotency_key,
                 expected_version=stamp.expected_version, actor=actor)


def _actor(info: Info) -> str:
    principal = info.context.principal
    assert principal is not None  # CanWrite let the call through
    return principal.name


async def _write(info: Info, entries: list[Entry]) -> list[Written]:
    services = info.context.services
    most = services.settings.max_batch
    if len(entries) > most:
        raise InvalidInput(f"a batch holds at most {most} events (this one has {len(entries)}); "
                           "split it")
    return await run_in_threadpool(services.ledger.append, entries)


async def _one(info: Info, told: Told, meta: Stamp | None) -> Written:
    (appended,) = await _write(info, [entry_of(told, given(meta), _actor(info))])
    return appended


async def append(info: Info, items: Annotated[
        list[Item], strawberry.argument(graphql_type=list[AppendItem])]) -> AppendResult:
    """Mutation.append (an item forgetClient takes an admin key, as the mutation does)."""
    if any(i.told.type == "ClientForgotten" for i in items):
        CanForget().has_permission(None, info)
    actor = _actor(info)
    return AppendResult(events=await _write(info, [entry_of(i.told, i.stamp, actor)
                                                   for i in items]))


def one_event(input_type: type) -> Callable[..., Coroutine[Any, Any, Written]]:
    """The resolver of the mutation appending one event given as `input_type`."""
    async def resolver(info: Info, input: Told, meta: Stamp | None = UNSET) -> Written:
        return await _one(info, input, meta)

    resolver.__annotations__ = {
        "info": Info, "meta": MetaArgument, "return": Written,
        "input": Annotated[Told, strawberry.argument(graphql_type=input_type)]}
    resolver.__name__ = resolver.__qualname__ = input_type.__name__
    return resolver
