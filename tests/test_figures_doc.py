"""docs/figures.md stays true: every worked example is run and every figure it states checked.

The page is read section by section (a `#` or `##` heading starts a new section, and with it
a fresh SQLite ledger; `###` headings stay in their section).  In a section, a ```jsonl
block is a history: it is imported with `palabra import`.  A ```figures block starts with
the command a reader would type (`$ palabra client REF --as-of D [--known-at Tn] [--json]`
or `$ palabra portfolio ...`);
`Tn` stands for a moment after the section's n-th history was imported and before the next.
Each further line is `path value`: the path walks the command's JSON answer (a list is
entered by the id, name, kind, bucket, band, currency or invoice id of one of its elements,
by an index, or, with any other word, by taking that field of every element), and the value
is JSON, a bare word, or a list `[A, B]` of bare words.  A number stated with n decimals
matches a float answer rounded to n decimals; an amount (a string in the answer) matches its
text exactly.  `contactAllowed.*` paths read the contact-policy line of `palabra client`
without `--json`.
"""

from __future__ import annotations

import json
import re
import shlex
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "figures.md"
KEYS = ("id", "name", "kind", "bucket", "band", "currency", "invoiceId", "ref")
POLICY = re.compile(r"^Collection contact on (\S+): (.*?)(?: \(next on (\S+)\))?$", re.M)
runner = CliRunner()


@dataclass
class Figures:
    command: list[str]
    lines: list[tuple[str, str]]  # (path, value as written)


@dataclass
class Section:
    title: str
    steps: list[list[str] | Figures] = field(default_factory=list)  # a history: its lines

    @property
    def figures(self) -> int:
        return sum(1 for s in self.steps if isinstance(s, Figures))


def sections(text: str) -> list[Section]:
    found: list[Section] = [Section("(top)")]
    lines = iter(text.splitlines())
    for line in lines:
        if re.match(r"#{1,2} ", line):
            found.append(Section(line.lstrip("#").strip()))
        elif line.startswith("```jsonl") or line.startswith("```figures"):
            body = []
            for inner in lines:
                if inner.startswith("```"):
                    break
                body.append(inner)
            if line.startswith("```jsonl"):
                found[-1].steps.append([b for b in body if b.strip()])
            else:
                found[-1].steps.append(figures_block(body))
    return [s for s in found if s.figures]


def figures_block(body: list[str]) -> Figures:
    command, *rest = [b for b in body if b.strip()]
    assert command.startswith("$ palabra "), command
    pairs = []
    for line in rest:
        path, _, value = line.strip().partition(" ")
        pairs.append((path, value.strip()))
    return Figures(shlex.split(command)[2:], pairs)


SECTIONS = sections(PAGE.read_text())


def palabra(url: str, *args: str) -> str:
    result = runner.invoke(app, [*args, "--database", url], env={"COLUMNS": "1000"})
    assert result.exit_code == 0, result.output
    return result.output


def answer(url: str, command: list[str], moments: list[str]) -> Any:
    args = [re.sub(r"^T(\d+)$", lambda m: moments[int(m.group(1)) - 1], a) for a in command]
    if "--json" in args:
        return json.loads(palabra(url, *args))
    match = POLICY.search(palabra(url, *args))
    assert match is not None, "palabra client prints its contact policy line"
    on, reason, next_on = match.groups()
    allowed = reason.startswith("allowed")
    return {"contactAllowed": {"allowed": allowed, "reason": reason,
                               "nextAllowedOn": on if allowed else next_on}}


def walk(value: Any, path: str) -> Any:
    for step in path.split("."):
        if isinstance(value, dict):
            assert step in value, f"{path}: no field {step!r} in {sorted(value)}"
            value = value[step]
        elif isinstance(value, list):
            if step.isdigit():
                value = value[int(step)]
                continue
            keyed = [v for v in value if isinstance(v, dict)
                     and any(v.get(k) == step for k in KEYS)]
            value = keyed[0] if keyed else [v[step] for v in value]
        else:
            raise AssertionError(f"{path}: cannot enter {value!r} at {step!r}")
    return value


def matches(actual: Any, written: str) -> bool:
    if written.startswith("[") and not written.startswith('["'):
        words = [w.strip() for w in written[1:-1].split(",") if w.strip()]
        return (isinstance(actual, list) and len(actual) == len(words)
                and all(matches(a, w) for a, w in zip(actual, words, strict=True)))
    try:
        stated = json.loads(written)
    except json.JSONDecodeError:
        stated = written  # a bare word: an enum, a date, a sentence
    if isinstance(actual, str) or isinstance(stated, str):
        return bool(actual == (stated if isinstance(stated, str) else written))
    if isinstance(actual, float) and isinstance(stated, int | float) and not isinstance(
            stated, bool):
        places = len(written.partition(".")[2])
        return bool(abs(actual - stated) <= 0.5 * 10 ** -places + 1e-9)
    return bool(actual == stated)


def imported(url: str, history: list[str], tmp_path: Path, n: int) -> None:
    path = tmp_path / f"history-{n}.jsonl"
    path.write_text("\n".join(history) + "\n")
    palabra(url, "import", str(path))


def next_second() -> str:
    """A moment after everything recorded so far and before anything recorded next
    (`--known-at` takes whole seconds)."""
    now = datetime.now(UTC)
    time.sleep(1 - now.microsecond / 1_000_000 + 0.01)
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def test_the_page_has_worked_examples() -> None:
    assert len(SECTIONS) >= 3
    assert sum(s.figures for s in SECTIONS) >= 30
    assert all(s.steps and isinstance(s.steps[0], list) for s in SECTIONS), \
        "every section with figures starts with its history"


@pytest.mark.parametrize("section", SECTIONS, ids=[s.title for s in SECTIONS])
def test_every_figure_the_page_states_is_what_the_code_answers(
        section: Section, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/palabra.db"
    moments: list[str] = []
    wrong = []
    known_at = any(isinstance(s, Figures) and "--known-at" in s.command for s in section.steps)
    for step in section.steps:
        if isinstance(step, list):
            imported(url, step, tmp_path, len(moments))
            moments.append(next_second() if known_at else "")
            continue
        result = answer(url, step.command, moments)
        for path, written in step.lines:
            actual = walk(result, path)
            if not matches(actual, written):
                wrong.append(f"{' '.join(step.command)}: {path} is {actual!r}, "
                             f"the page says {written}")
    assert not wrong, "\n".join(wrong)
