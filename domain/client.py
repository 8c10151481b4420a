"""A client as the ledger decides on it: its `Relationship` stream and its `Standing`.

The aggregate keeps the log; the standing is what the rules read.  `Client`
keeps the two in step — when a stored event is read, when a new one is decided
on, and when a failed batch is rewound.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.relationship import Relationship
from domain.rules import check, check_retraction
from domain.standing import Standing


class Client:
    """One client's stream and standing."""

    def __init__(self, relationship: Relationship) -> None:
        self.relationship = relationship
        self.standing = Standing.replay(relationship.effective())

    @classmethod
    def onboarded(cls, event: Relationship.ClientOnboarded) -> Client:
        """A client from its first event."""
        relationship = event.mutate(None)
        assert isinstance(relationship, Relationship)
        return cls(relationship)

    @property
    def version(self) -> int:
        return self.relationship.version

    def absorb(self, event: Relationship.Event) -> None:
        """Fold in an event read from the store (no decisions: it was decided on)."""
        event.mutate(self.relationship)
        self._fold(event)

    def decide(self, event_class: type[Relationship.Event], timestamp: datetime,
               **fields: Any) -> Relationship.Event:
        """Decide on a new event and apply it: the rules are asked first, so a refusal
        leaves the client untouched."""
        event = self.relationship.next_event(event_class, timestamp, **fields)
        if isinstance(event, Relationship.EntryRetracted):
            check_retraction(self.relationship, event)
        else:
            check(self.standing, event)
        self.relationship.record(event)
        self._fold(event)
        return event

    def rewind(self, version: int) -> None:
        """Forget the events after `version`: applied here, but never saved."""
        self.relationship.rewind(version)
        self.standing = Standing.replay(self.relationship.effective())

    def _fold(self, event: Relationship.Event) -> None:
        if isinstance(event, Relationship.EntryRetracted):
            self.standing = Standing.replay(self.relationship.effective())
        else:
            self.standing.apply(event)
