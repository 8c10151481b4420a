"""The rules of the early-warning signals, as of one date.

Each rule reads a `Snapshot` and returns its evidence (plain sentences naming
ids and counts) when it holds, None when it does not.  The item predicates and
dated lists here are shared with `projections.figures.signals`, which replays the rules
over the past year to find when a signal began.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from enum import Enum

from domain.values import ComplaintCategory, ContactPurpose, Direction, Party, PromiseKind
from projections.figures.inputs import Snapshot
from projections.figures.outcomes import GapItem, ItemSource, ItemStatus
from projections.figures.windows import YEAR, within
from projections.state import ClientState
from projections.state.records import AdviceRecord, ContactRecord

CHRONIC_LATE_BELOW = 50.0
BROKEN_PAYMENT_PROMISES = 2
OVERCOMMITTING_ITEMS, OVERCOMMITTING_RATE = 5, 0.6
MISTREATMENT_COMPLAINTS = 2
OUT_OF_SCOPE_REQUESTS = 2
ADVICE_ANSWERS, ADVICE_REJECTED = 5, 3
UNANSWERED_FOLLOW_UPS = 3
RECENT_DAYS, PIPELINE_DAYS, TOUCH_DAYS, CAP_DAYS = 180, 90, 30, 7


class SignalKind(Enum):
    CHRONIC_LATE_PAYER = "CHRONIC_LATE_PAYER"
    BROKEN_PAYMENT_PROMISES = "BROKEN_PAYMENT_PROMISES"
    OVERCOMMITTING = "OVERCOMMITTING"
    MISTREATMENT = "MISTREATMENT"
    OUT_OF_SCOPE_DEMANDS = "OUT_OF_SCOPE_DEMANDS"
    EXPERTISE_NOT_VALUED = "EXPERTISE_NOT_VALUED"
    CONTACT_CAP_REACHED = "CONTACT_CAP_REACHED"
    UNANSWERED_FOLLOW_UPS = "UNANSWERED_FOLLOW_UPS"
    ILLUSORY_PIPELINE = "ILLUSORY_PIPELINE"
    TOUCH_GROUND = "TOUCH_GROUND"


Evidence = tuple[str, ...] | None  # None: the rule does not hold
Rule = Callable[[Snapshot], Evidence]


# ---- predicates and dated lists (shared with `since`) -------------------------------


def broken_payment_promise(item: GapItem, on: date) -> bool:
    """A CLIENT PAYMENT promise BROKEN or OVERDUE, expected in the 180 days up to `on`."""
    return (item.source is ItemSource.PROMISE and item.kind is PromiseKind.PAYMENT
            and item.obligor is Party.CLIENT
            and item.status in (ItemStatus.BROKEN, ItemStatus.OVERDUE)
            and item.expected_on is not None and within(item.expected_on, on, RECENT_DAYS))


def vendor_counted(item: GapItem, on: date) -> bool:
    """A VENDOR-obligor item counted in the gap's window of `on`."""
    return (item.obligor is Party.VENDOR and item.counted and item.in_window(on))


def vendor_on_time(item: GapItem, on: date) -> bool:
    return vendor_counted(item, on) and item.on_time


def illusory(item: GapItem, on: date) -> bool:
    """A VENDOR-held PURCHASE expectation overdue, or missed in the 90 days up to `on`."""
    return item.is_purchase_forecast and (
        item.status is ItemStatus.OVERDUE
        or (item.status is ItemStatus.MISSED and item.actual_on is not None
            and within(item.actual_on, on, PIPELINE_DAYS)))


def pending_purchase(item: GapItem, on: date) -> bool:
    """A VENDOR-held PURCHASE expectation still open or overdue."""
    return item.is_purchase_forecast and item.status in (ItemStatus.OPEN, ItemStatus.OVERDUE)


def count_within(dates: Sequence[date], on: date, days: int) -> int:
    """How many of the sorted `dates` fall in the `days` days up to `on`."""
    return bisect_right(dates, on) - bisect_right(dates, on - timedelta(days=days))


def collection_dates(state: ClientState) -> list[date]:
    """Dates of the OUTBOUND COLLECTION contacts, sorted."""
    return [c.on for c in state.contacts
            if c.direction is Direction.OUTBOUND and c.purpose is ContactPurpose.COLLECTION]


def mistreatment_dates(state: ClientState) -> list[date]:
    """Filing dates of BEHAVIOUR complaints raised by the VENDOR, sorted."""
    return sorted(c.filed_on for c in state.complaints.values()
                  if c.raised_by is Party.VENDOR and c.category is ComplaintCategory.BEHAVIOUR)


def out_of_scope_dates(state: ClientState) -> list[date]:
    return [r.on for r in state.requests if not r.in_offering]


def answered_advice(state: ClientState) -> list[AdviceRecord]:
    """Advice that was answered, in the order of the answers."""
    return sorted((a for a in state.advice.values() if a.answer is not None),
                  key=lambda a: (a.answer.on, a.answer.version) if a.answer else (date.min, 0))


def rejected_advice(answered: Sequence[AdviceRecord], answer_days: Sequence[date], on: date,
                    ) -> tuple[list[AdviceRecord], list[str]]:
    """The (at most 5) latest answers in the 180 days up to `on`, and those not accepted."""
    end = bisect_right(answer_days, on)
    start = max(bisect_right(answer_days, on - timedelta(days=RECENT_DAYS)),
                end - ADVICE_ANSWERS)
    latest = list(answered[start:end])
    return latest, [a.advice_id for a in latest if a.answer and not a.answer.accepted]


def unanswered(contacts: Sequence[ContactRecord], end: int) -> list[ContactRecord] | None:
    """The last 3 OUTBOUND contacts among `contacts[:end]` when none was answered and no
    INBOUND contact came after the first of them; else None."""
    found: list[ContactRecord] = []
    for position in range(end - 1, -1, -1):
        contact = contacts[position]
        if contact.direction is Direction.INBOUND:
            return None
        if contact.answered:
            return None
        found.append(contact)
        if len(found) == UNANSWERED_FOLLOW_UPS:
            return found[::-1]
    return None


# ---- the rules ----------------------------------------------------------------------


def _ids(items: Sequence[str]) -> str:
    return ", ".join(items)


def chronic_late_payer(s: Snapshot) -> Evidence:
    value = s.punctuality
    if value is None or value >= CHRONIC_LATE_BELOW:
        return None
    return (f"paymentPunctuality is {value:.1f}, below {CHRONIC_LATE_BELOW:.0f}",)


def broken_payment_promises(s: Snapshot) -> Evidence:
    broken = [i.id for i in s.items if broken_payment_promise(i, s.as_of)]
    if len(broken) < BROKEN_PAYMENT_PROMISES:
        return None
    return (f"{len(broken)} payment promises broken or overdue in the last {RECENT_DAYS} "
            f"days: {_ids(broken)}",)


def overcommitting(s: Snapshot) -> Evidence:
    vendor = s.gap.vendor
    if (vendor.counted < OVERCOMMITTING_ITEMS or vendor.on_time_rate is None
            or vendor.on_time_rate >= OVERCOMMITTING_RATE):
        return None
    return (f"{vendor.on_time} of {vendor.counted} vendor commitments on time "
            f"({vendor.on_time_rate:.0%}) in the last {YEAR} days",)


def mistreatment(s: Snapshot) -> Evidence:
    found = sorted(c.complaint_id for c in s.state.complaints.values()
                   if c.raised_by is Party.VENDOR and c.category is ComplaintCategory.BEHAVIOUR
                   and within(c.filed_on, s.as_of, RECENT_DAYS))
    if len(found) < MISTREATMENT_COMPLAINTS:
        return None
    return (f"{len(found)} complaints about how the client treats our people in the last "
            f"{RECENT_DAYS} days: {_ids(found)}",)


def out_of_scope_demands(s: Snapshot) -> Evidence:
    found = [r.request_id for r in s.state.requests
             if not r.in_offering and within(r.on, s.as_of, RECENT_DAYS)]
    if len(found) < OUT_OF_SCOPE_REQUESTS:
        return None
    return (f"{len(found)} requests for services we do not offer in the last {RECENT_DAYS} "
            f"days: {_ids(found)}",)


def expertise_not_valued(s: Snapshot) -> Evidence:
    answered = answered_advice(s.state)
    latest, rejected = rejected_advice(
        answered, [a.answer.on for a in answered if a.answer], s.as_of)
    if len(rejected) < ADVICE_REJECTED:
        return None
    return (f"{len(rejected)} of the last {len(latest)} pieces of advice not accepted: "
            f"{_ids(rejected)}",)


def contact_cap_reached(s: Snapshot) -> Evidence:
    used = [c.contact_id for c in s.contacts
            if c.direction is Direction.OUTBOUND and c.purpose is ContactPurpose.COLLECTION
            and within(c.on, s.as_of, CAP_DAYS)]
    cap = s.profile.contact_cap
    if len(used) < cap:
        return None
    return (f"{len(used)} collection contacts in the last {CAP_DAYS} days; the cap is {cap}: "
            f"{_ids(used)}",)


def unanswered_follow_ups(s: Snapshot) -> Evidence:
    last = unanswered(s.contacts, len(s.contacts))
    if last is None:
        return None
    return (f"the last {UNANSWERED_FOLLOW_UPS} outbound contacts went unanswered: "
            f"{_ids([c.contact_id for c in last])}",)


def illusory_pipeline(s: Snapshot) -> Evidence:
    found = [i for i in s.items if illusory(i, s.as_of)]
    if not found:
        return None
    return tuple(f"purchase {i.id}"
                 + (f" expected on {i.expected_on}" if i.expected_on else "")
                 + (" is overdue" if i.status is ItemStatus.OVERDUE
                    else f" was missed on {i.actual_on}")
                 for i in found)


def touch_ground(s: Snapshot) -> Evidence:
    if count_within([c.on for c in s.contacts], s.as_of, TOUCH_DAYS):
        return None
    found = [i.id for i in s.items if pending_purchase(i, s.as_of)]
    if not found:
        return None
    return (f"purchases expected and no contact in the last {TOUCH_DAYS} days: "
            f"{_ids(found)}",)


RULES: dict[SignalKind, Rule] = {
    SignalKind.CHRONIC_LATE_PAYER: chronic_late_payer,
    SignalKind.BROKEN_PAYMENT_PROMISES: broken_payment_promises,
    SignalKind.OVERCOMMITTING: overcommitting,
    SignalKind.MISTREATMENT: mistreatment,
    SignalKind.OUT_OF_SCOPE_DEMANDS: out_of_scope_demands,
    SignalKind.EXPERTISE_NOT_VALUED: expertise_not_valued,
    SignalKind.CONTACT_CAP_REACHED: contact_cap_reached,
    SignalKind.UNANSWERED_FOLLOW_UPS: unanswered_follow_ups,
    SignalKind.ILLUSORY_PIPELINE: illusory_pipeline,
    SignalKind.TOUCH_GROUND: touch_ground,
}
