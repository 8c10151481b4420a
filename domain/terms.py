"""An invoice's due date when the caller gave none: derived, never stored.

The stored `InvoiceIssued` keeps what the caller sent: its `dueOn`, or none.  A missing
due date is derived wherever the stream is folded (the ledger's standing, the figures'
state) from the payment terms in force when the invoice was issued: the onboarding's
terms, changed by the profile updates that come before the invoice in the stream and
occurred on or before its issue date (the last of them in stream order wins, as for the
rest of the profile).  A retracted update is not among them, so a default follows what
remains after a retraction.  Events recorded before due dates were derived carry the date
the ledger filled in then, and it is read as given.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

#: a change of the payment terms: (the stream version that made it, its date, the days)
TermsChange = tuple[int, date, int]


def terms_in_force(onboarded: int, changes: Iterable[TermsChange], version: int,
                   issued_on: date) -> int:
    """The payment terms (days) for an invoice recorded at `version` and issued on
    `issued_on`: the onboarding's, changed by the earlier changes dated by then."""
    terms = onboarded
    for changed_at, on, days in changes:
        if changed_at < version and on <= issued_on:
            terms = days
    return terms


def due_on(given: date | None, issued_on: date, terms: int) -> date:
    """The invoice's due date: the one the caller gave, else the issue date plus terms."""
    return given if given is not None else issued_on + timedelta(days=terms)
