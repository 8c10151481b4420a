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

import pytest

from domain.ledger import Ledger
from domain.values import to_json as plain
from projections.figures import figures
from projections.figures.contact_policy import contact_allowed
from projections.state import ClientState
from tests.support import SCENARIOS
from tests.support.histories import import_lines, new_ledger, scenarios_folder, state_of
from tests.support.scenarios import comparable, differences


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
