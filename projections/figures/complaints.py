"""Complaints as they stand on a date: filed, acknowledged, resolved or reopened.

A resolution says what went wrong, how it was corrected and how it will not
happen again; reopening a complaint clears its acknowledgement and resolution
(it is open again and may be acknowledged and resolved anew).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.values import ComplaintCategory, Party, Severity
from projections.figures.windows import in_year
from projections.state import ClientState
from projections.state.records import ComplaintRecord


@dataclass(frozen=True)
class Complaint:
    id: str
    raised_by: Party
    category: ComplaintCategory
    severity: Severity
    description: str
    filed_on: date
    acknowledged_on: date | None
    resolved_on: date | None
    open: bool
    what_went_wrong: str | None
    correction: str | None
    prevention: str | None

    def in_window(self, as_of: date) -> bool:
        """In the 365 days up to `as_of` by its filing date; open complaints always are."""
        return self.open or in_year(self.filed_on, as_of)


def complaint_as_of(record: ComplaintRecord, as_of: date) -> Complaint:
    acknowledged_on = resolved_on = None
    answers: tuple[str | None, str | None, str | None] = (None, None, None)
    for step in record.steps:
        if step.on > as_of:
            continue
        if step.step == "ACKNOWLEDGED":
            acknowledged_on = step.on
        elif step.step == "RESOLVED":
            resolved_on = step.on
            answers = (step.what_went_wrong, step.correction, step.prevention)
        else:  # REOPENED
            acknowledged_on = resolved_on = None
            answers = (None, None, None)
    return Complaint(record.complaint_id, record.raised_by, record.category, record.severity,
                     record.description, record.filed_on, acknowledged_on, resolved_on,
                     resolved_on is None, *answers)


def complaints_as_of(state: ClientState, as_of: date) -> list[Complaint]:
    """Complaints filed on or before `as_of`, oldest first."""
    return sorted((complaint_as_of(c, as_of) for c in state.complaints.values()
                   if c.filed_on <= as_of), key=lambda c: (c.filed_on, c.id))
