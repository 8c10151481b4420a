"""The collection-contact protocol: may we contact the client today?

One more OUTBOUND COLLECTION contact on a date is allowed unless
(a) the 7 days up to it already hold `contactCap` of them,
(b) the client's word is pending: a CLIENT PAYMENT promise neither kept, broken
    nor cancelled whose current due date is on or after that date, or
(c) the only balance in question is disputed (a disputed balance and no
    undisputed overdue balance): collections pause on disputes.
`next_allowed_on` lets the calendar run with no new event until a contact is
allowed: it is the date itself when allowed, and None when only an event (a
dispute's resolution, a higher cap) can unblock it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.values import ContactPurpose, Direction, Party, PromiseKind
from projections.figures.inputs import Snapshot
from projections.figures.outcomes import ItemSource, ItemStatus
from projections.figures.signals.kinds import CAP_DAYS
from projections.figures.windows import within
from projections.state import ClientState

DAY = timedelta(days=1)


@dataclass(frozen=True)
class ContactPolicy:
    allowed: bool
    used: int
    cap: int
    next_allowed_on: date | None
    reason: str


def contact_allowed(state: ClientState, on: date) -> ContactPolicy:
    """Whether one more collection contact is allowed on `on`, from what is known of it."""
    return policy(Snapshot(state, on))


def policy(s: Snapshot) -> ContactPolicy:
    on = s.as_of
    cap = s.profile.contact_cap
    used = sorted((c.on for c in s.contacts
                   if c.direction is Direction.OUTBOUND
                   and c.purpose is ContactPurpose.COLLECTION and within(c.on, on, CAP_DAYS)),
                  reverse=True)
    blocks: list[tuple[str, date | None]] = []  # (reason, first date it no longer blocks)
    if len(used) >= cap:
        free_on = used[cap - 1] + timedelta(days=CAP_DAYS) if cap > 0 else None
        blocks.append((f"{len(used)} collection contacts in the last {CAP_DAYS} days already "
                       f"reach the cap of {cap}", free_on))
    pending = [i for i in s.items
               if i.source is ItemSource.PROMISE and i.kind is PromiseKind.PAYMENT
               and i.obligor is Party.CLIENT
               and i.status in (ItemStatus.OPEN, ItemStatus.OVERDUE)
               and i.current_due_on is not None and i.current_due_on >= on]
    if pending:
        last_due = max(i.current_due_on for i in pending if i.current_due_on is not None)
        words = ", ".join(f"{i.id} by {i.current_due_on}" for i in pending)
        blocks.append((f"the client gave their word to pay ({words}): wait for it",
                       last_due + DAY))
    disputed = any(p.disputed for p in s.parts)
    if disputed and not any(p.overdue(on) for p in s.parts):
        undisputed = [p.due_on for p in s.parts if not p.disputed]
        blocks.append(("the only balance in question is disputed: collections pause until "
                       "the dispute is resolved", min(undisputed) + DAY if undisputed else None))
    if not blocks:
        return ContactPolicy(True, len(used), cap, on,
                             f"allowed: {len(used)} of {cap} collection contacts used in the "
                             f"last {CAP_DAYS} days")
    dates = [d for _, d in blocks]
    next_on = None if any(d is None for d in dates) else max(d for d in dates if d)
    return ContactPolicy(False, len(used), cap, next_on,
                         "not now: " + "; ".join(reason for reason, _ in blocks))
