"""docs/audit.md's worked example is true: the leaf bytes it shows are the canonical JSON
of the stored state it shows (by the product's leaf function and by the layout the page
states, written again here), its byte count and its hash are those of those bytes, and
the hash is the leaf hash the page's proof of that event (run by the docs' tests on the
demo ledger) prints."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from projections.audit.leaves import leaf_bytes
from tests.projections.test_tamper_evidence import independent_leaf

DOC = (Path(__file__).resolve().parents[1] / "docs" / "audit.md").read_text()


def worked_example() -> tuple[str, str, str]:
    section = DOC.split("### A worked example", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:json|text)\n(.*?)\n```", section, re.S)
    state, leaf, digest = blocks
    return state, leaf, digest


def test_the_worked_example_is_the_canonical_leaf_of_the_state_shown() -> None:
    state, leaf, digest = worked_example()
    shown = leaf.encode("utf-8")
    assert leaf_bytes(2, 2, "palabra:ContactLogged", state.encode()) == shown
    assert independent_leaf(2, 2, "palabra:ContactLogged", state.encode()) == (
        hashlib.sha256(b"\x00" + shown).digest())
    assert hashlib.sha256(b"\x00" + shown).hexdigest() == digest
    assert f"Its leaf bytes ({len(shown)} bytes of UTF-8" in DOC


def test_the_worked_example_is_the_demo_ledgers_event_the_proof_shows() -> None:
    _, _, digest = worked_example()
    proof = DOC.split("$ palabra prove inclusion 2", 1)[1].split("```", 1)[0]
    assert f'"leafHash": "{digest}"' in proof
    assert '"position": 2' in proof
