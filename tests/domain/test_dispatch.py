"""The fold and the rules dispatch on the event class, and cover every event type."""

from __future__ import annotations

import pytest

from domain.relationship import EVENT_TYPES, Relationship, complete
from domain.rules import RULES
from domain.standing import FOLDS

HANDLED_ELSEWHERE = {Relationship.ClientOnboarded, Relationship.EntryRetracted}


@pytest.mark.parametrize("table", [FOLDS, RULES], ids=["folds", "rules"])
def test_every_event_type_has_its_entry(table: dict[type, object]) -> None:
    assert set(table) | HANDLED_ELSEWHERE == set(EVENT_TYPES.values())
    assert all(isinstance(key, type) for key in table)


def test_a_table_missing_an_event_type_is_refused_when_it_is_built() -> None:
    partial = {cls: None for cls in EVENT_TYPES.values() if cls is not Relationship.AdviceGiven}
    with pytest.raises(TypeError, match="the rules has no entry for AdviceGiven"):
        complete(partial, "the rules")
    assert len(complete(partial, "the rules", besides=[Relationship.AdviceGiven])) == 29
