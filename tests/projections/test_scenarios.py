"""Every figure of every checkpoint of the shared scenarios, reproduced exactly.

Each `scenarios/*.jsonl` history is imported through the real Ledger into a
temporary SQLite file, each client's stream is folded, and every figure present
in the matching `*.expected.json` is compared: floats within 1e-4, decimals and
everything else exactly.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from domain.ledger import Ledger
from projections.figures import ClientFigures, figures
from projections.figures.contact_policy import contact_allowed
from projections.state import ClientState
from tests.projections.conftest import (
    SCENARIOS,
    import_lines,
    new_ledger,
    plain,
    scenarios_folder,
    state_of,
)

TOLERANCE = 1e-4


def _scenario_names() -> list[str]:
    if not SCENARIOS.is_dir():
        return ["(missing)"]
    return sorted(p.name.removesuffix(".expected.json")
                  for p in SCENARIOS.glob("*.expected.json"))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, ClientState]]:
    """Every scenario imported once; the folded state of each client."""
    folder = scenarios_folder()
    out: dict[str, dict[str, ClientState]] = {}
    for name in _scenario_names():
        ledger: Ledger = new_ledger(tmp_path_factory.mktemp(name))
        refs = import_lines(ledger, folder / f"{name}.jsonl")
        out[name] = {ref: state_of(ledger, ref) for ref in refs}
    return out


def comparable(client: ClientFigures) -> dict[str, Any]:
    """The figures shaped like an expected checkpoint (lists keyed by id or name)."""
    data: dict[str, Any] = plain(client)
    trust = data["trust"]
    trust["components"] = {c["name"]: c["value"] for c in trust["components"]}
    for side in ("vendor", "client"):
        data["gap"][side]["items"] = {i["id"]: i for i in data["gap"][side]["items"]}
    payments = data["payments"]
    payments["aging"] = {a["bucket"]: a["amount"] for a in payments["aging"]}
    payments["invoices"] = {i["id"]: i for i in payments["invoices"]}
    data["signals"] = [s["kind"] for s in data["signals"]]
    return data


def differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Where `actual` differs from `expected` (only the keys `expected` has)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        found = []
        for key, value in expected.items():
            if key not in actual:
                found.append(f"{path}.{key}: missing (expected {value!r})")
            else:
                found += differences(value, actual[key], f"{path}.{key}")
        return found
    if isinstance(expected, float) and not isinstance(expected, bool):
        if not isinstance(actual, int | float) or abs(actual - expected) > TOLERANCE:
            return [f"{path}: expected {expected}, got {actual!r}"]
        return []
    if isinstance(expected, int) and not isinstance(expected, bool) and isinstance(actual, float):
        return [] if abs(actual - expected) <= TOLERANCE else [
            f"{path}: expected {expected}, got {actual!r}"]
    return [] if expected == actual else [f"{path}: expected {expected!r}, got {actual!r}"]


def checkpoints() -> list[tuple[str, int]]:
    out = []
    for name in _scenario_names():
        path = SCENARIOS / f"{name}.expected.json"
        if path.exists():
            count = len(json.loads(path.read_text())["checkpoints"])
            out += [(name, n) for n in range(count)]
    return out or [("(missing)", 0)]


@pytest.mark.parametrize(("scenario", "n"), checkpoints(),
                         ids=[f"{s}-{n}" for s, n in checkpoints()])
def test_checkpoint_figures(loaded: dict[str, dict[str, ClientState]], scenario: str,
                            n: int) -> None:
    folder = scenarios_folder()
    checkpoint = json.loads((folder / f"{scenario}.expected.json").read_text())["checkpoints"][n]
    state = loaded[scenario][checkpoint["ref"]]
    as_of = date.fromisoformat(checkpoint["asOf"])
    actual = comparable(figures(state, as_of))
    actual["contactAllowed"] = plain(contact_allowed(state, as_of))
    expected = {k: v for k, v in checkpoint.items() if k not in ("ref", "asOf")}
    found = differences(expected, actual)
    assert not found, f"{checkpoint['ref']} as of {as_of}:\n" + "\n".join(found)


def test_every_scenario_has_its_history() -> None:
    folder = scenarios_folder()
    for name in _scenario_names():
        assert (folder / f"{name}.jsonl").exists(), name


def test_scenario_folder_is_found_relative_to_the_repository() -> None:
    assert Path(SCENARIOS).resolve().name == "scenarios"
