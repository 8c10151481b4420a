"""The import format's JSON Schema in docs/ is the one the input models generate, and it
describes the example files."""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.relationship import EVENT_TYPES
from domain.schema import import_format_schema
from tests.support import REPOSITORY, SCENARIOS, scenario_lines

PUBLISHED = REPOSITORY / "docs" / "import-format.schema.json"


def test_the_published_schema_is_current() -> None:
    assert json.loads(PUBLISHED.read_text()) == import_format_schema(), (
        "docs/import-format.schema.json is stale: run "
        "`.venv/bin/python -m domain.schema > docs/import-format.schema.json`")


def test_every_event_type_has_a_line() -> None:
    mapping = import_format_schema()["anyOf"][0]["discriminator"]["mapping"]
    assert set(mapping) == set(EVENT_TYPES)


def _allows(schema: dict[str, Any], definition: str, value: dict[str, Any]) -> None:
    defined = schema["$defs"][definition]
    assert set(defined.get("required", ())) <= set(value), (definition, value)
    assert set(value) <= set(defined["properties"]), (definition, value)


@pytest.mark.parametrize("name", sorted(p.name for p in SCENARIOS.glob("*.jsonl")))
def test_the_example_files_follow_the_schema(name: str) -> None:
    schema = import_format_schema()
    for line in scenario_lines(name):
        _allows(schema, f"{line['type']}Line", line)
        _allows(schema, f"{line['type']}Data", line["data"])
