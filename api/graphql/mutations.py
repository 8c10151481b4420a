"""The mutations: `append` (a batch, all-or-nothing) and one shortcut per common event.

Each maps its inputs to ledger entries (`api.graphql.inputs.entry_of`), recorded
with the caller's name as actor, and appends them off the event loop.  The ledger
validates everything and refuses with its codes; nothing is written then.
"""

from __future__ import annotations

from typing import Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry import UNSET

from api.bootstrap import Services
from api.graphql.context import Context
from api.graphql.inputs import (
    AppendItem,
    BreakPromise,
    FileComplaint,
    IssueInvoice,
    KeepPromise,
    LogContact,
    MakePromise,
    Meta,
    OnboardClient,
    ReceivePayment,
    RecordExpectation,
    ResolveComplaint,
    RetractEntry,
    entry_of,
    entry_of_raw,
    given,
)
from api.graphql.ledger_types import Appended, AppendResult
from api.graphql.permissions import CanWrite, needs
from domain.errors import InvalidInput
from domain.ledger import Entry

Info = strawberry.Info[Context, None]


def _actor(info: Info) -> str:
    principal = info.context.principal
    assert principal is not None  # CanWrite let the call through
    return principal.name


def raw_append(schema: strawberry.Schema) -> None:
    """Serve `append` from graphql-core's coerced arguments.

    graphql-core has already checked every item against the schema (types, enums,
    `@oneOf`); strawberry would then convert each input field into its classes, which
    costs several times what the ledger spends on the event.  The raw resolver checks
    the caller like `CanWrite` and builds the same entries (`entry_of_raw`)."""
    mutation = schema._schema.mutation_type
    assert mutation is not None

    async def resolve(_root: object, info: Any, items: list[dict[str, Any]]) -> AppendResult:
        CanWrite().has_permission(None, info)
        actor = info.context.principal.name
        return AppendResult(events=await _write(info.context.services,
                                                [entry_of_raw(i, actor) for i in items]))

    mutation.fields["append"].resolve = resolve


async def _append(info: Info, entries: list[Entry]) -> list[Appended]:
    return await _write(info.context.services, entries)


async def _write(services: Services, entries: list[Entry]) -> list[Appended]:
    most = services.settings.max_batch
    if len(entries) > most:
        raise InvalidInput(f"a batch holds at most {most} events (this one has {len(entries)}); "
                           "split it")
    written = await run_in_threadpool(services.ledger.append, entries)
    return [Appended.from_written(a) for a in written]


async def _one(info: Info, event: object, meta: Meta | None) -> Appended:
    (appended,) = await _append(info, [entry_of(event, given(meta), _actor(info))])
    return appended


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=needs(CanWrite),
                         description="Append a batch of events for one or many clients, "
                                     "all-or-nothing.")
    async def append(self, info: Info, items: list[AppendItem]) -> AppendResult:
        actor = _actor(info)
        entries = [entry_of(item.event.chosen(), given(item.meta), actor) for item in items]
        return AppendResult(events=await _append(info, entries))

    @strawberry.mutation(extensions=needs(CanWrite),
                         description="Onboard a client.")
    async def onboard_client(self, info: Info, input: OnboardClient,
                             meta: Meta | None = UNSET) -> Appended:
        return await _one(info, input, meta)

    @strawberry.mutation(extensions=needs(CanWrite),
                         description="Record a promise.")
    async def make_promise(self, info: Info, input: MakePromise,
                           meta: Meta | None = UNSET) -> Appended:
        return await _one(info, input, meta)

    @strawberry.mutation(extensions=needs(CanWrite),
                         description="Record a promise kept.")
    async def keep_promise(self, info: Info, input: KeepPromise,
                           meta: Meta | None = UNSET) -> Appended:
        return await _one(info, input, meta)

    @strawberry.mutation(extensions=needs(CanWrite),
                         description="Record a promise broken.")
    async def break_promise(self, info: Info, input: BreakPromise,
                            meta: Meta | None = UNSET) -> Appended:
        return await _one(info, input, meta)

    @strawberry.mutation(extensions=needs(CanWrite),
                         description="Record what a party expects.")
    async def record_expectation(self, info: Info, input: RecordExpectation,
                                 meta: Meta | None = UNSET) -> Appended:
        return await _one(info, input, meta)

    @strawberry.mutation(extensions=needs(CanWrite),
                         description="Issue an invoice.")
    async def issue_invoice(self, info: Info, input: IssueInvoice,
                            meta: Meta | None = UNSET) -> Appended:
        return await _one(info, input, meta)

    @strawberry.mutation(extensions=needs(CanWrite),
                         description="Record a payment received.")
    async def receive_payment(self, info: Info, input: ReceivePayment,
                              meta: Meta | None = UNSET) -> Appended:
        return await _one(info, input, meta)

    @strawberry.mutation(extensions=needs(CanWrite),
                         description="Record a contact that happened.")
    async def log_contact(self, info: Info, input: LogContact,
                          meta: Meta | None = UNSET) -> Appended:
        return await _one(info, input, meta)

    @strawberry.mutation(extensions=needs(CanWrite),
                         description="File a complaint.")
    async def file_complaint(self, info: Info, input: FileComplaint,
                             meta: Meta | None = UNSET) -> Appended:
        return await _one(info, input, meta)

    @strawberry.mutation(extensions=needs(CanWrite),
                         description="Resolve a complaint: what went wrong, the "
                                     "correction, the prevention.")
    async def resolve_complaint(self, info: Info, input: ResolveComplaint,
                                meta: Meta | None = UNSET) -> Appended:
        return await _one(info, input, meta)

    @strawberry.mutation(extensions=needs(CanWrite),
                         description="Retract an entry by its version; nothing is deleted.")
    async def retract_entry(self, info: Info, input: RetractEntry,
                            meta: Meta | None = UNSET) -> Appended:
        return await _one(info, input, meta)
