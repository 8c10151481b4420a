"""Every checkpoint of the shared scenarios, through the API: histories appended with
`append` (and acme with the typed mutations), figures read with `client` and
`contactAllowed`, compared with the *.expected.json figures (floats within 1e-4)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support import SCENARIOS, scenario_lines
from tests.support.documents import (
    APPEND,
    CLIENT_AND_POLICY,
    TYPED_MUTATIONS,
    append_item,
    event_input,
    typed_mutation,
)
from tests.support.graphql import gql
from tests.support.scenarios import comparable, differences

BATCH = 100


def check_checkpoints(client: TestClient, scenario: str) -> int:
    """Compare every checkpoint of a scenario; returns how many were checked."""
    expected = json.loads((SCENARIOS / f"{scenario}.expected.json").read_text())["checkpoints"]
    problems: list[str] = []
    for checkpoint in expected:
        data = gql(client, CLIENT_AND_POLICY, {"ref": checkpoint["ref"],
                                               "asOf": checkpoint["asOf"]}, "reader").ok()
        actual: dict[str, Any] = comparable(data["client"])  # type: ignore[arg-type]
        actual["contactAllowed"] = data["contactAllowed"]
        wanted = {k: v for k, v in checkpoint.items() if k not in ("ref", "asOf")}
        problems += [f"{checkpoint['ref']} as of {checkpoint['asOf']}{p}"
                     for p in differences(wanted, actual)]
    assert not problems, "\n".join(problems)
    return len(expected)


@pytest.mark.parametrize("scenario", ["acme", "random-7", "random-8"])
def test_scenario_appended_in_batches_gives_the_expected_figures(client: TestClient,
                                                                 scenario: str) -> None:
    lines = scenario_lines(f"{scenario}.jsonl")
    for start in range(0, len(lines), BATCH):
        batch = lines[start:start + BATCH]
        written = gql(client, APPEND, {"items": [append_item(line) for line in batch]},
                      "writer").ok()["append"]["events"]
        assert [e["clientRef"] for e in written] == [line["clientRef"] for line in batch]
        assert not any(e["replayed"] for e in written)
    assert check_checkpoints(client, scenario) > 0


def test_acme_through_the_typed_mutations_gives_the_expected_figures(
        client: TestClient) -> None:
    typed = 0
    for line in scenario_lines("acme.jsonl"):
        (field, values), = event_input(line).items()
        meta = {"occurredOn": line["occurredOn"]}
        if field in TYPED_MUTATIONS:
            answer = gql(client, typed_mutation(field), {"input": values, "meta": meta},
                         "writer").ok()[field]
            typed += 1
        else:
            answer = gql(client, APPEND, {"items": [append_item(line)]},
                         "writer").ok()["append"]["events"][0]
        assert answer["clientRef"] == "acme"
    assert typed == len(scenario_lines("acme.jsonl"))  # every event type has its own
    assert check_checkpoints(client, "acme") == 2
