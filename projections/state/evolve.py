"""A client's history folded for the figures: `ClientState` and `evolve`.

`evolve(state, event)` folds one event of a client's stream, in stream order.
The state keeps every date the figures need, so that `figures(state, as_of)`
can answer for any business date: a figure for `as_of` only looks at what
occurred on or before it (events may arrive back-dated).  A retraction removes
the retracted entry from the state entirely, for every date; `version` is the
latest stream version folded, retractions included.

The state is plain data, stored in a read model as MessagePack (`encode_state`)
and read back by a typed decoder (`decode_state`) that builds only our own
records, enums, dates and decimals: a stored row is never code.  `evolve`
updates the state in place and returns it: copy it first to keep the old one.
The allocation of the whole history (`accounts`) is kept up to date as money
events arrive, so the usual question — figures as of today — never re-runs it;
it is not stored, but re-run from the money events when first asked for after
loading.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from domain.accounts import Accounts, Operation
from domain.relationship import Relationship
from domain.terms import TermsChange, due_on, terms_in_force
from domain.values import EndReason
from projections.state.records import (
    AdviceRecord,
    Answer,
    Change,
    ComplaintRecord,
    ComplaintStep,
    ContactRecord,
    ExpectationRecord,
    MoneyOperation,
    Profile,
    ProfileChange,
    PromiseRecord,
    RequestRecord,
    Settlement,
    Turn,
)

Event = Relationship.Event


class RelationshipState(Enum):
    ACTIVE = "ACTIVE"
    ENDED = "ENDED"


# ---- the state ----------------------------------------------------------------------


@dataclass
class ClientState:
    """Everything the figures of one client are computed from."""

    ref: str
    onboarded_on: date
    profile: Profile
    version: int
    profile_changes: list[ProfileChange] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    promises: dict[str, PromiseRecord] = field(default_factory=dict)
    expectations: dict[str, ExpectationRecord] = field(default_factory=dict)
    money: list[MoneyOperation] = field(default_factory=list)  # stream order
    money_dates: list[date] = field(default_factory=list)  # sorted
    contacts: list[ContactRecord] = field(default_factory=list)  # by (on, version)
    complaints: dict[str, ComplaintRecord] = field(default_factory=dict)
    requests: list[RequestRecord] = field(default_factory=list)  # by (on, version)
    advice: dict[str, AdviceRecord] = field(default_factory=dict)
    #: invoices issued without a due date: theirs is derived from the terms (`due_for`)
    derived_due: list[str] = field(default_factory=list)
    #: every money event allocated (`accounts`); None until first asked for
    allocated: Accounts | None = field(default=None, repr=False, compare=False)

    @property
    def accounts(self) -> Accounts:
        """The allocation of every money event: kept up to date by `evolve`, and run from
        the money events when first asked for after loading (a past day's figures run
        their own, up to that day, and never need it)."""
        if self.allocated is None:
            self.allocated = run(self.money)
        return self.allocated

    def terms_changes(self) -> list[TermsChange]:
        """The payment terms changes of the profile (retracted ones are gone)."""
        return [(c.version, c.on, int(days)) for c in self.profile_changes
                for name, days in c.changes if name == "payment_terms_days"]

    def due_for(self, given: date | None, version: int, issued_on: date) -> date:
        """An invoice's due date: as given, else by the terms in force when it was issued
        (`domain.terms`), from what remains of the history."""
        terms = terms_in_force(self.profile.payment_terms_days, self.terms_changes(),
                               version, issued_on)
        return due_on(given, issued_on, terms)

    def exists_on(self, as_of: date) -> bool:
        """Whether the client is a client on `as_of`: from its onboarding's date on
        (before it, it is absent from every figure, list and total)."""
        return self.onboarded_on <= as_of

    @property
    def last_money_on(self) -> date | None:
        return self.money_dates[-1] if self.money_dates else None

    def profile_on(self, as_of: date) -> Profile:
        """The profile with the updates that occurred on or before `as_of`."""
        values = {name: getattr(self.profile, name) for name in Profile.__slots__}
        for change in self.profile_changes:
            if change.on <= as_of:
                values.update(change.changes)
        return Profile(**values)

    def standing_on(self, as_of: date) -> tuple[RelationshipState, EndReason | None]:
        """Whether the relationship is active on `as_of`, and why it ended if not."""
        ended, reason = False, None
        for turn in self.turns:
            if turn.on <= as_of:
                ended, reason = turn.ended, turn.reason
        return (RelationshipState.ENDED if ended else RelationshipState.ACTIVE), reason

    def contacts_until(self, as_of: date) -> list[ContactRecord]:
        """Contacts that happened on or before `as_of`, oldest first."""
        return self.contacts[:bisect_right(self.contacts, as_of, key=lambda c: c.on)]


# ---- the fold -----------------------------------------------------------------------


def evolve(state: ClientState | None, event: Event) -> ClientState:
    """Fold one event of the client's stream (in stream order) into its state."""
    if state is None:
        if not isinstance(event, Relationship.ClientOnboarded):
            raise ValueError(f"a client's stream starts with ClientOnboarded, not {event.type}")
        return ClientState(
            ref=event.client_ref,
            onboarded_on=event.occurred_on,
            profile=Profile(event.name, event.currency, event.payment_terms_days, event.sector,
                            event.timezone, event.contact_cap),
            version=event.originator_version,
        )
    if event.originator_version <= state.version:
        return state  # already folded (a notification delivered twice)
    state.version = event.originator_version
    if isinstance(event, Relationship.EntryRetracted):
        _forget(state, event.version)
    else:
        _FOLDS[type(event)](state, event)
    return state


def fold(events: list[Event]) -> ClientState:
    """The state of a whole stream (events in stream order, from the onboarding)."""
    state: ClientState | None = None
    for event in events:
        state = evolve(state, event)
    if state is None:
        raise ValueError("an empty stream has no state")
    return state


def _profile_updated(s: ClientState, e: Relationship.ClientProfileUpdated) -> None:
    changes = tuple((name, getattr(e, name)) for name in
                    ("name", "sector", "timezone", "payment_terms_days", "contact_cap")
                    if getattr(e, name) is not None)
    s.profile_changes.append(ProfileChange(e.originator_version, e.occurred_on, changes))


def _ended(s: ClientState, e: Relationship.RelationshipEnded) -> None:
    s.turns.append(Turn(e.originator_version, e.occurred_on, True, e.reason))


def _resumed(s: ClientState, e: Relationship.RelationshipResumed) -> None:
    s.turns.append(Turn(e.originator_version, e.occurred_on, False, None))


def _forgotten(s: ClientState, e: Relationship.ClientForgotten) -> None:
    """Forgetting changes no figure: only the client's key is gone."""


def _promise_made(s: ClientState, e: Relationship.PromiseMade) -> None:
    s.promises[e.promise_id] = PromiseRecord(
        e.originator_version, e.promise_id, e.by, e.kind, e.description, e.occurred_on,
        e.due_on, e.amount, e.invoice_id)


def _renegotiated(s: ClientState, e: Relationship.PromiseRenegotiated) -> None:
    s.promises[e.promise_id].changes.append(
        Change(e.originator_version, e.occurred_on, e.new_due_on, e.new_amount))


def _promise_settled(outcome: str) -> Callable[[ClientState, Any], None]:
    def settle(s: ClientState, e: Any) -> None:
        amount = getattr(e, "amount", None)
        s.promises[e.promise_id].settlement = Settlement(
            e.originator_version, e.occurred_on, outcome, amount)
    return settle


def _expectation_recorded(s: ClientState, e: Relationship.ExpectationRecorded) -> None:
    s.expectations[e.expectation_id] = ExpectationRecord(
        e.originator_version, e.expectation_id, e.held_by, e.kind, e.description,
        e.occurred_on, e.expected_on, e.expected_amount, e.basis)


def _expectation_revised(s: ClientState, e: Relationship.ExpectationRevised) -> None:
    s.expectations[e.expectation_id].changes.append(
        Change(e.originator_version, e.occurred_on, e.expected_on, e.expected_amount))


def _expectation_settled(outcome: str) -> Callable[[ClientState, Any], None]:
    def settle(s: ClientState, e: Any) -> None:
        s.expectations[e.expectation_id].settlement = Settlement(
            e.originator_version, e.occurred_on, outcome, e.actual_amount)
    return settle


def _money(s: ClientState, e: Event, operation: Operation) -> None:
    accounts = s.accounts  # of the money so far: run now if it has not been yet
    s.money.append(MoneyOperation(e.originator_version, e.occurred_on, operation))
    insort(s.money_dates, e.occurred_on)
    name, args = operation
    getattr(accounts, name)(*args)


def _invoice_issued(s: ClientState, e: Relationship.InvoiceIssued) -> None:
    if e.due_on is None:
        s.derived_due.append(e.invoice_id)
    due = s.due_for(e.due_on, e.originator_version, e.occurred_on)
    _money(s, e, ("issue", (e.invoice_id, e.amount, e.occurred_on, due, e.description)))


def _disputed(s: ClientState, e: Relationship.InvoiceDisputed) -> None:
    _money(s, e, ("dispute", (e.invoice_id, e.occurred_on)))


def _dispute_resolved(s: ClientState, e: Relationship.InvoiceDisputeResolved) -> None:
    _money(s, e, ("resolve_dispute", (e.invoice_id, e.outcome, e.credit_amount,
                                       e.occurred_on)))


def _written_off(s: ClientState, e: Relationship.InvoiceWrittenOff) -> None:
    _money(s, e, ("write_off", (e.invoice_id, e.amount, e.occurred_on)))


def _plan_agreed(s: ClientState, e: Relationship.PaymentPlanAgreed) -> None:
    _money(s, e, ("agree_plan", (e.plan_id, tuple(e.invoice_ids), tuple(e.instalments),
                                  e.occurred_on)))


def _payment_received(s: ClientState, e: Relationship.PaymentReceived) -> None:
    _money(s, e, ("receive", (e.payment_id, e.amount, e.occurred_on, e.method,
                               e.invoice_id)))


def _payment_reversed(s: ClientState, e: Relationship.PaymentReversed) -> None:
    _money(s, e, ("reverse", (e.payment_id, e.occurred_on)))


def _contact_logged(s: ClientState, e: Relationship.ContactLogged) -> None:
    insort(s.contacts, ContactRecord(e.originator_version, e.contact_id, e.occurred_on,
                                     e.channel, e.direction, e.purpose, e.summary, e.answered),
           key=lambda c: (c.on, c.version))


def _complaint_filed(s: ClientState, e: Relationship.ComplaintFiled) -> None:
    s.complaints[e.complaint_id] = ComplaintRecord(
        e.originator_version, e.complaint_id, e.raised_by, e.category, e.severity,
        e.description, e.occurred_on, e.promise_id)


def _complaint_step(s: ClientState, e: Any, step: ComplaintStep) -> None:
    s.complaints[e.complaint_id].steps.append(step)


def _acknowledged(s: ClientState, e: Relationship.ComplaintAcknowledged) -> None:
    _complaint_step(s, e, ComplaintStep(e.originator_version, e.occurred_on, "ACKNOWLEDGED"))


def _resolved(s: ClientState, e: Relationship.ComplaintResolved) -> None:
    _complaint_step(s, e, ComplaintStep(e.originator_version, e.occurred_on, "RESOLVED",
                                        e.what_went_wrong, e.correction, e.prevention))


def _reopened(s: ClientState, e: Relationship.ComplaintReopened) -> None:
    _complaint_step(s, e, ComplaintStep(e.originator_version, e.occurred_on, "REOPENED"))


def _service_requested(s: ClientState, e: Relationship.ServiceRequested) -> None:
    insort(s.requests, RequestRecord(e.originator_version, e.request_id, e.occurred_on,
                                     e.description, e.in_offering),
           key=lambda r: (r.on, r.version))


def _advice_given(s: ClientState, e: Relationship.AdviceGiven) -> None:
    s.advice[e.advice_id] = AdviceRecord(e.originator_version, e.advice_id, e.occurred_on,
                                         e.summary)


def _advice_answered(s: ClientState, e: Relationship.AdviceAnswered) -> None:
    s.advice[e.advice_id].answer = Answer(e.originator_version, e.occurred_on, e.accepted,
                                          e.note)


_FOLDS: dict[type[Event], Callable[[ClientState, Any], None]] = {
    Relationship.ClientProfileUpdated: _profile_updated,
    Relationship.RelationshipEnded: _ended,
    Relationship.RelationshipResumed: _resumed,
    Relationship.PromiseMade: _promise_made,
    Relationship.PromiseRenegotiated: _renegotiated,
    Relationship.PromiseKept: _promise_settled("KEPT"),
    Relationship.PromiseBroken: _promise_settled("BROKEN"),
    Relationship.PromiseCancelled: _promise_settled("CANCELLED"),
    Relationship.ExpectationRecorded: _expectation_recorded,
    Relationship.ExpectationRevised: _expectation_revised,
    Relationship.ExpectationMet: _expectation_settled("MET"),
    Relationship.ExpectationMissed: _expectation_settled("MISSED"),
    Relationship.InvoiceIssued: _invoice_issued,
    Relationship.InvoiceDisputed: _disputed,
    Relationship.InvoiceDisputeResolved: _dispute_resolved,
    Relationship.InvoiceWrittenOff: _written_off,
    Relationship.PaymentPlanAgreed: _plan_agreed,
    Relationship.PaymentReceived: _payment_received,
    Relationship.PaymentReversed: _payment_reversed,
    Relationship.ContactLogged: _contact_logged,
    Relationship.ComplaintFiled: _complaint_filed,
    Relationship.ComplaintAcknowledged: _acknowledged,
    Relationship.ComplaintResolved: _resolved,
    Relationship.ComplaintReopened: _reopened,
    Relationship.ServiceRequested: _service_requested,
    Relationship.AdviceGiven: _advice_given,
    Relationship.AdviceAnswered: _advice_answered,
    Relationship.ClientForgotten: _forgotten,
}
_UNFOLDED = {Relationship.ClientOnboarded, Relationship.EntryRetracted}  # in `evolve` itself
_MISSING = sorted(c.__name__ for c in vars(Relationship).values()  # the concrete events
                  if isinstance(c, type) and issubclass(c, Event) and not c.__subclasses__()
                  and c not in _FOLDS and c not in _UNFOLDED)
if _MISSING:  # checked when the module loads: every event of a client is folded
    raise TypeError(f"no fold for the event(s) {', '.join(_MISSING)}")


# ---- retraction ---------------------------------------------------------------------


def _forget(s: ClientState, version: int) -> None:
    """Remove the entry recorded at `version` as if it had never been recorded."""
    def keep(record: Any) -> bool:
        return bool(record.version != version)

    terms_before = s.terms_changes()
    s.profile_changes = [c for c in s.profile_changes if keep(c)]
    s.turns = [t for t in s.turns if keep(t)]
    s.contacts = [c for c in s.contacts if keep(c)]
    s.requests = [r for r in s.requests if keep(r)]
    s.promises = {k: p for k, p in s.promises.items() if keep(p)}
    s.expectations = {k: e for k, e in s.expectations.items() if keep(e)}
    items: list[PromiseRecord | ExpectationRecord] = [*s.promises.values(),
                                                      *s.expectations.values()]
    for item in items:
        item.changes = [c for c in item.changes if keep(c)]
        if item.settlement is not None and not keep(item.settlement):
            item.settlement = None
    s.complaints = {k: c for k, c in s.complaints.items() if keep(c)}
    for complaint in s.complaints.values():
        complaint.steps = [step for step in complaint.steps if keep(step)]
    s.advice = {k: a for k, a in s.advice.items() if keep(a)}
    for advice in s.advice.values():
        if advice.answer is not None and not keep(advice.answer):
            advice.answer = None
    terms_changed = s.terms_changes() != terms_before
    if terms_changed or any(not keep(m) for m in s.money):
        s.money = [_due_again(s, m) if terms_changed else m for m in s.money if keep(m)]
        s.derived_due = [i for i in s.derived_due
                         if any(m.operation[0] == "issue" and m.operation[1][0] == i
                                for m in s.money)]
        s.money_dates = sorted(m.on for m in s.money)
        s.allocated = None  # run again when next asked for


def _due_again(s: ClientState, money: MoneyOperation) -> MoneyOperation:
    """An invoice's issue with its derived due date worked out again (the terms changed)."""
    name, args = money.operation
    if name != "issue" or args[0] not in s.derived_due:
        return money
    invoice_id, amount, issued_on, _, description = args
    assert isinstance(issued_on, date)
    due = s.due_for(None, money.version, issued_on)
    return MoneyOperation(money.version, money.on,
                          (name, (invoice_id, amount, issued_on, due, description)))


def run(operations: list[MoneyOperation]) -> Accounts:
    """The allocation engine run over money events, in the order given."""
    accounts = Accounts()
    for money in operations:
        name, args = money.operation
        getattr(accounts, name)(*args)
    return accounts
