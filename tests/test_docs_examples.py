"""Docs that are tested: every example of README.md and docs/*.md that shows a command, a
request or an output is run (tests.support.docs), and a doc whose shown output differs from
what running it produces fails here. `make docs` writes what they produce into the docs."""

from __future__ import annotations

import re

import pytest

from tests.support import REPOSITORY
from tests.support.docs.exchanges import REQUEST_ID
from tests.support.docs.markdown import Doc
from tests.support.docs.runner import DOCS, check, covered, differences

ALL_DOCS = ["README.md", *sorted(f"docs/{p.name}" for p in (REPOSITORY / "docs").glob("*.md"))]
OWN_TEST = {"docs/figures.md"}  # tests/test_figures_doc.py checks every figure it states


@pytest.mark.parametrize("name", DOCS)
def test_every_example_of_the_doc_shows_what_running_it_produces(name: str) -> None:
    found = check(name)
    assert not found, "\n\n".join(map(str, found)) + (
        "\n\nrun `make docs` (python -m tests.support.docs --update) and review the diff")


@pytest.mark.parametrize("name", sorted(set(ALL_DOCS) - OWN_TEST))
def test_every_example_is_run_or_says_why_not(name: str) -> None:
    doc = Doc.parse((REPOSITORY / name).read_text())
    run = covered(doc)
    for block in doc.blocks:
        example = (any(line.startswith("$ ") for line in block.lines)
                   or block.info == "graphql" or block.label == "answer")
        if not example or block.start in run:
            continue
        assert re.fullmatch(r"not run: \S.*", block.directive or ""), (
            f"{name}:{block.start + 1}: an example that is neither run nor marked "
            "`<!-- docs: not run: REASON -->`")
    if name not in DOCS:
        assert not run, f"{name} has examples that are run: list it in DOCS"


def test_a_doc_that_shows_another_output_fails() -> None:
    text = (REPOSITORY / "docs/api.md").read_text()  # the quickest doc to run
    shown = "(byte 0xff at position 36)"
    assert text.count(shown) == 1
    altered = text.replace(shown, "(byte 0xff at position 37)")
    regenerated, found = differences("docs/api.md", altered)
    assert len(found) == 1
    assert shown in found[0].produced[1]
    assert REQUEST_ID.sub(r"\1…\2", regenerated) == REQUEST_ID.sub(r"\1…\2", text)


@pytest.mark.parametrize("name", ALL_DOCS)
def test_the_docs_speak_of_the_product_not_of_its_issues(name: str) -> None:
    text = (REPOSITORY / name).read_text()
    assert not re.search(r"\bissues? \d", text, re.I), f"{name} speaks of an issue number"
