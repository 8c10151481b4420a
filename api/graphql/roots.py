"""The three root types of the schema: every query, mutation and subscription of the
contract, in the contract's order, each with the access it needs and resolved by its
feature's module (client, portfolio, contact policy, audit, tamper evidence, writes)."""

from __future__ import annotations

import strawberry

from api.graphql import audit, inputs, tamper, writes
from api.graphql import client as one_client
from api.graphql import contact_policy as policy
from api.graphql import portfolio as across
from api.graphql.contact_policy import ContactPolicy
from api.graphql.permissions import CanAudit, CanForget, CanRead, CanWrite, needs
from api.graphql.portfolio import Portfolio
from api.graphql.writes import Appended
from domain.ledger import Appended as Written


@strawberry.type
class Query:
    client = strawberry.field(
        resolver=one_client.client, extensions=needs(CanRead),
        description="A client's figures as of a date (default today), as known at a moment "
                    "(default now); null for an unknown client.")
    clients = strawberry.field(
        resolver=one_client.clients, extensions=needs(CanRead),
        description="Clients sorted and filtered, a page at a time (keyset cursors).")
    portfolio = strawberry.field(
        resolver=across.portfolio, graphql_type=Portfolio, extensions=needs(CanRead),
        description="Counts, totals and signals across clients as of a date.")
    history = strawberry.field(
        resolver=audit.history, extensions=needs(CanAudit),
        description="A client's events in stream order, retractions marked.")
    events = strawberry.field(
        resolver=audit.events, extensions=needs(CanAudit),
        description="Every client's events in global order, after a position.")
    contact_allowed = strawberry.field(
        resolver=policy.contact_allowed, graphql_type=ContactPolicy,
        extensions=needs(CanRead),
        description="Whether one more collection contact is allowed on a date.")
    checkpoint = strawberry.field(
        resolver=tamper.checkpoint, extensions=needs(CanAudit),
        description="A signed tree head: the latest, or the smallest checkpointed tree of "
                    "at least treeSize events.")
    checkpoints = strawberry.field(
        resolver=tamper.checkpoints, extensions=needs(CanAudit),
        description="Every checkpoint issued, in order, a page at a time.")
    inclusion_proof = strawberry.field(
        resolver=tamper.inclusion_proof, extensions=needs(CanAudit),
        description="Proof that the event at a position is in a checkpoint's tree "
                    "(RFC 9162 §2.1.3).")
    consistency_proof = strawberry.field(
        resolver=tamper.consistency_proof, extensions=needs(CanAudit),
        description="Proof that the tree of fromSize events is a prefix of a checkpoint's "
                    "tree (RFC 9162 §2.1.4).")


def _one_event(input_type: type, description: str) -> Written:
    """The mutation appending one event given as `input_type`."""
    field: Written = strawberry.mutation(resolver=writes.one_event(input_type),
                                         graphql_type=Appended, extensions=needs(CanWrite),
                                         description=description)
    return field


@strawberry.type
class Mutation:
    append = strawberry.mutation(
        resolver=writes.append, extensions=needs(CanWrite),
        description="Append a batch of events for one or many clients, all-or-nothing.")
    onboard_client = _one_event(inputs.OnboardClient, "Onboard a client.")
    make_promise = _one_event(inputs.MakePromise, "Record a promise.")
    keep_promise = _one_event(inputs.KeepPromise, "Record a promise kept.")
    break_promise = _one_event(inputs.BreakPromise, "Record a promise broken.")
    record_expectation = _one_event(inputs.RecordExpectation, "Record what a party expects.")
    issue_invoice = _one_event(inputs.IssueInvoice, "Issue an invoice.")
    receive_payment = _one_event(inputs.ReceivePayment, "Record a payment received.")
    log_contact = _one_event(inputs.LogContact, "Record a contact that happened.")
    file_complaint = _one_event(inputs.FileComplaint, "File a complaint.")
    resolve_complaint = _one_event(
        inputs.ResolveComplaint, "Resolve a complaint: what went wrong, the correction, "
        "the prevention.")
    retract_entry = _one_event(
        inputs.RetractEntry, "Retract an entry by its version; nothing is deleted.")
    update_profile = _one_event(
        inputs.UpdateProfile, "Change a client's profile: name, sector, time zone, "
        "terms or contact cap.")
    end_relationship = _one_event(
        inputs.EndRelationship, "End the relationship with a client.")
    resume_relationship = _one_event(
        inputs.ResumeRelationship, "Resume a relationship that was ended.")
    renegotiate_promise = _one_event(
        inputs.RenegotiatePromise, "Move an open promise to a new due date, by agreement.")
    cancel_promise = _one_event(
        inputs.CancelPromise, "Cancel an open promise: it counts neither kept nor broken.")
    revise_expectation = _one_event(
        inputs.ReviseExpectation, "Change what an open expectation asks for or when.")
    meet_expectation = _one_event(inputs.MeetExpectation, "Record an expectation met.")
    miss_expectation = _one_event(inputs.MissExpectation, "Record an expectation missed.")
    dispute_invoice = _one_event(
        inputs.DisputeInvoice, "Dispute an invoice: it leaves the aging while disputed.")
    resolve_dispute = _one_event(
        inputs.ResolveDispute, "Settle an invoice's dispute, with its outcome and any credit.")
    write_off_invoice = _one_event(
        inputs.WriteOffInvoice, "Write off what is still owed on an invoice.")
    agree_payment_plan = _one_event(
        inputs.AgreePaymentPlan, "Agree a plan paying an invoice in instalments.")
    reverse_payment = _one_event(
        inputs.ReversePayment, "Reverse a payment that bounced or was refunded.")
    acknowledge_complaint = _one_event(inputs.AcknowledgeComplaint, "Acknowledge a complaint.")
    reopen_complaint = _one_event(inputs.ReopenComplaint, "Reopen a resolved complaint.")
    request_service = _one_event(
        inputs.RequestService, "Record a service the client asked for.")
    give_advice = _one_event(inputs.GiveAdvice, "Record advice given to the client.")
    answer_advice = _one_event(
        inputs.AnswerAdvice, "Record whether the client accepted advice given.")
    forget_client = strawberry.mutation(
        resolver=writes.one_event(inputs.ForgetClient), graphql_type=Appended,
        extensions=needs(CanForget),
        description="Forget an ended client: its key is destroyed, its personal fields "
                    "read null or \"[erased]\", its figures stay (admin only).")


@strawberry.type
class Subscription:
    events = strawberry.subscription(
        resolver=audit.live_events, graphql_type=audit.LedgerEvent, extensions=needs(CanAudit),
        description="Live ledger feed from a position (resume after a disconnect without "
                    "gaps).")
    client_updated = strawberry.subscription(
        resolver=one_client.client_updated, extensions=needs(CanRead),
        description="The client's figures each time its projection changes (first the "
                    "current ones).")
