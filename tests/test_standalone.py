"""The repository stands alone: the contract and the public scenarios it is tested against
are its own copies (`contract/`, `examples/scenarios/`), so a clone without the contract
folder beside it runs the whole suite.  Where that folder is beside the repository, the
copies must say the same as it (comments and notes may differ: the copies point to the
repository's own docs).  The scenarios are compared with the folder's `scenarios/revised/`:
their figures follow the revised rules (write-offs count), which the product reproduces."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from graphql import build_schema, print_schema

from tests.support import CONTRACT, CONTRACT_NEXT, SCENARIOS, SHARED

SCENARIO_NAMES = ("acme", "random-7", "random-8")


def meaning(path: Path) -> Any:
    """What a copy says, without its comments (SDL) or its note (expected figures)."""
    if path.suffix == ".graphql":
        return print_schema(build_schema(path.read_text()))
    if path.name.endswith(".expected.json"):
        return {k: v for k, v in json.loads(path.read_text()).items() if k != "note"}
    return path.read_bytes()


def test_the_repository_has_the_contract_and_the_scenarios_as_in_the_contract_folder() -> None:
    assert "type Query" in CONTRACT.read_text()
    for name in SCENARIO_NAMES:
        history = (SCENARIOS / f"{name}.jsonl").read_text().splitlines()
        expected = json.loads((SCENARIOS / f"{name}.expected.json").read_text())
        assert history
        assert all(json.loads(line)["type"] for line in history if line.strip())
        assert expected["checkpoints"], name
    copies = [CONTRACT, CONTRACT_NEXT, *(SCENARIOS / f"{n}.{kind}" for n in SCENARIO_NAMES
                          for kind in ("jsonl", "expected.json"))]
    originals = [SHARED / "schema.graphql", SHARED / "schema.next.graphql",
                 *(SHARED / "scenarios" / "revised" / c.name for c in copies[2:])]
    differing = [c.name for c, o in zip(copies, originals, strict=True)
                 if o.exists() and meaning(o) != meaning(c)]
    assert differing == [], "the repository's copies differ from ../shared: copy them again"
