"""A client's state seen on one date: the inputs of every figure, each worked out once.

`Snapshot(state, as_of)` computes lazily and remembers the allocation as of the
date, the open balances, the outcome of every promise and expectation, the
window's items, the complaints and the profile.  The figures, the signals and
the contact policy read the same snapshot, so nothing is computed twice, and a
signal looking back day by day only computes what its rule needs.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property

from domain.accounts import Accounts
from projections.figures.complaints import Complaint, complaints_as_of
from projections.figures.gap import Gap, gap, window_items
from projections.figures.outcomes import GapItem, outcomes
from projections.figures.payments import OpenPart, Runs, accounts_as_of, open_parts
from projections.figures.trust import (
    DEFAULT_WEIGHTS,
    Trust,
    TrustWeights,
    payment_punctuality,
    trust,
)
from projections.state import ClientState
from projections.state.records import ContactRecord, Profile


class Snapshot:
    """The state of one client as of one business date."""

    def __init__(self, state: ClientState, as_of: date, runs: Runs | None = None) -> None:
        self.state = state
        self.as_of = as_of
        self.runs = runs  # earlier allocations of this state, when the caller keeps them

    @cached_property
    def profile(self) -> Profile:
        return self.state.profile_on(self.as_of)

    @cached_property
    def accounts(self) -> Accounts:
        return accounts_as_of(self.state, self.as_of, self.runs)

    @cached_property
    def parts(self) -> list[OpenPart]:
        return open_parts(self.accounts)

    @cached_property
    def items(self) -> list[GapItem]:
        """Every promise and expectation made by `as_of`, cancelled ones included."""
        return outcomes(self.state, self.as_of, self.accounts)

    @cached_property
    def window(self) -> list[GapItem]:
        return window_items(self.items, self.as_of)

    @cached_property
    def gap(self) -> Gap:
        return gap(self.window, self.as_of)

    @cached_property
    def complaints(self) -> list[Complaint]:
        return complaints_as_of(self.state, self.as_of)

    @cached_property
    def contacts(self) -> list[ContactRecord]:
        return self.state.contacts_until(self.as_of)

    @cached_property
    def observed_punctuality(self) -> tuple[float | None, int]:
        """paymentPunctuality and its observation count (`payment_punctuality`)."""
        return payment_punctuality(self.accounts, self.parts, self.as_of)

    @property
    def punctuality(self) -> float | None:
        return self.observed_punctuality[0]

    def trust(self, weights: TrustWeights = DEFAULT_WEIGHTS) -> Trust:
        return trust(self.window, self.accounts, self.parts, self.complaints, self.as_of,
                     self.observed_punctuality, weights)
