"""The signals read from dated lists — contacts, complaints, requests, advice — each
rule as of one date beside its day sweep, both counting the same records (by
bisection over their dates in the sweep)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import date, timedelta

from domain.values import ComplaintCategory, ContactPurpose, Direction, Party
from projections.figures.inputs import Snapshot
from projections.figures.signals.kinds import (
    ADVICE_ANSWERS,
    ADVICE_REJECTED,
    CAP_DAYS,
    MISTREATMENT_COMPLAINTS,
    OUT_OF_SCOPE_REQUESTS,
    RECENT_DAYS,
    UNANSWERED_FOLLOW_UPS,
    Evidence,
    Held,
    count_within,
    listed,
)
from projections.figures.windows import within
from projections.state import ClientState
from projections.state.records import (
    AdviceRecord,
    ComplaintRecord,
    ContactRecord,
    RequestRecord,
)

# ---- MISTREATMENT ---------------------------------------------------------------


def _behaviour_complaints(state: ClientState) -> list[ComplaintRecord]:
    """BEHAVIOUR complaints raised by the VENDOR, by filing date."""
    return sorted((c for c in state.complaints.values()
                   if c.raised_by is Party.VENDOR and c.category is ComplaintCategory.BEHAVIOUR),
                  key=lambda c: c.filed_on)


def mistreatment(s: Snapshot) -> Evidence:
    found = sorted(c.complaint_id for c in _behaviour_complaints(s.state)
                   if within(c.filed_on, s.as_of, RECENT_DAYS))
    if len(found) < MISTREATMENT_COMPLAINTS:
        return None
    return (f"{len(found)} complaints about how the client treats our people in the last "
            f"{RECENT_DAYS} days: {listed(found)}",)


def _at_least(dates: list[date], days: list[date], width: int, least: int) -> Held:
    return [count_within(dates, d, width) >= least for d in days]


def mistreatment_days(state: ClientState, days: list[date]) -> Held:
    dates = [c.filed_on for c in _behaviour_complaints(state)]
    return _at_least(dates, days, RECENT_DAYS, MISTREATMENT_COMPLAINTS)


# ---- OUT_OF_SCOPE_DEMANDS --------------------------------------------------------


def _not_offered(state: ClientState) -> list[RequestRecord]:
    """Requests for services we do not offer, by date."""
    return [r for r in state.requests if not r.in_offering]


def out_of_scope_demands(s: Snapshot) -> Evidence:
    found = [r.request_id for r in _not_offered(s.state) if within(r.on, s.as_of, RECENT_DAYS)]
    if len(found) < OUT_OF_SCOPE_REQUESTS:
        return None
    return (f"{len(found)} requests for services we do not offer in the last {RECENT_DAYS} "
            f"days: {listed(found)}",)


def out_of_scope_days(state: ClientState, days: list[date]) -> Held:
    dates = [r.on for r in _not_offered(state)]
    return _at_least(dates, days, RECENT_DAYS, OUT_OF_SCOPE_REQUESTS)


# ---- EXPERTISE_NOT_VALUED --------------------------------------------------------


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


def expertise_not_valued(s: Snapshot) -> Evidence:
    answered = answered_advice(s.state)
    latest, rejected = rejected_advice(
        answered, [a.answer.on for a in answered if a.answer], s.as_of)
    if len(rejected) < ADVICE_REJECTED:
        return None
    return (f"{len(rejected)} of the last {len(latest)} pieces of advice not accepted: "
            f"{listed(rejected)}",)


def expertise_days(state: ClientState, days: list[date]) -> Held:
    answered = answered_advice(state)
    answer_days = [a.answer.on for a in answered if a.answer]
    return [len(rejected_advice(answered, answer_days, d)[1]) >= ADVICE_REJECTED for d in days]


# ---- CONTACT_CAP_REACHED ---------------------------------------------------------


def collections(contacts: Sequence[ContactRecord]) -> list[ContactRecord]:
    """The OUTBOUND COLLECTION contacts, by date."""
    return [c for c in contacts
            if c.direction is Direction.OUTBOUND and c.purpose is ContactPurpose.COLLECTION]


def contact_cap_reached(s: Snapshot) -> Evidence:
    used = [c.contact_id for c in collections(s.contacts) if within(c.on, s.as_of, CAP_DAYS)]
    cap = s.profile.contact_cap
    if len(used) < cap:
        return None
    return (f"{len(used)} collection contacts in the last {CAP_DAYS} days; the cap is {cap}: "
            f"{listed(used)}",)


def contact_cap_days(state: ClientState, days: list[date]) -> Held:
    dates = [c.on for c in collections(state.contacts)]
    return [count_within(dates, d, CAP_DAYS) >= state.profile_on(d).contact_cap for d in days]


# ---- UNANSWERED_FOLLOW_UPS -------------------------------------------------------


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


def unanswered_follow_ups(s: Snapshot) -> Evidence:
    last = unanswered(s.contacts, len(s.contacts))
    if last is None:
        return None
    return (f"the last {UNANSWERED_FOLLOW_UPS} outbound contacts went unanswered: "
            f"{listed([c.contact_id for c in last])}",)


def unanswered_days(state: ClientState, days: list[date]) -> Held:
    contact_days = [c.on for c in state.contacts]
    return [unanswered(state.contacts, bisect_right(contact_days, d)) is not None
            for d in days]
