"""Every figure of one client as of a date: the `Client` shape of schema.graphql.

`figures(state, as_of)` reads a folded `ClientState` and computes, for that
business date, the profile, the trust score, the gap, the payment history, the
signals, the complaints and the contacts.  It is pure: no clock, no I/O, and the
state is only read.  When each signal began is its own question
(`projections.since.signal_onsets`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.values import Channel, ContactPurpose, Direction, EndReason
from projections.complaints import Complaint
from projections.gap import Gap
from projections.payments import PaymentHistory, Runs, payment_history
from projections.signals import Signal, signals
from projections.snapshot import Snapshot
from projections.state import ClientState, RelationshipState
from projections.trust import DEFAULT_WEIGHTS, Trust, TrustWeights


@dataclass(frozen=True)
class Contact:
    id: str
    on: date
    channel: Channel
    direction: Direction
    purpose: ContactPurpose
    summary: str
    answered: bool


@dataclass(frozen=True)
class ClientFigures:
    ref: str
    name: str
    currency: str
    sector: str | None
    timezone: str | None
    payment_terms_days: int
    state: RelationshipState
    end_reason: EndReason | None
    version: int
    as_of: date
    trust: Trust
    gap: Gap
    payments: PaymentHistory
    signals: tuple[Signal, ...]
    complaints: tuple[Complaint, ...]
    contacts: tuple[Contact, ...]  # oldest first; the API shows the last ones


def figures(state: ClientState, as_of: date, weights: TrustWeights = DEFAULT_WEIGHTS,
            runs: Runs | None = None) -> ClientFigures:
    """The client's figures as of `as_of`, from the events that occurred by then.

    `runs` is a cache of earlier allocations of this very state that the caller keeps
    (see `accounts_as_of`); the answer is the same without it.
    """
    snapshot = Snapshot(state, as_of, runs)
    profile = snapshot.profile
    relationship, end_reason = state.standing_on(as_of)
    return ClientFigures(
        ref=state.ref,
        name=profile.name,
        currency=profile.currency,
        sector=profile.sector,
        timezone=profile.timezone,
        payment_terms_days=profile.payment_terms_days,
        state=relationship,
        end_reason=end_reason,
        version=state.version,
        as_of=as_of,
        trust=snapshot.trust(weights),
        gap=snapshot.gap,
        payments=payment_history(snapshot.accounts, as_of, profile.currency),
        signals=signals(snapshot),
        complaints=tuple(snapshot.complaints),
        contacts=tuple(Contact(c.contact_id, c.on, c.channel, c.direction, c.purpose,
                               c.summary, c.answered) for c in snapshot.contacts),
    )
