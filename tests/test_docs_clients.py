"""The client snippets of docs/api.md (`<!-- docs: client -->` blocks), run against a real
`palabra serve` (uvicorn in a subprocess, on a free port) on the demo ledger of
`palabra demo --today 2026-11-22`: the Python one (`gql` over httpx and websockets) always,
the JavaScript one (`graphql-request`, `graphql-ws`) where `node` and `npm` are installed
(skipped otherwise, saying how to enable it). Each must print what the doc shows under it;
`make docs` writes what they print."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import REPOSITORY
from tests.support.docs.clients import NotRunnable, node_packages, run_snippet, served
from tests.support.docs.markdown import Doc

API_DOC = REPOSITORY / "docs" / "api.md"


def snippet(language: str) -> tuple[str, list[str]]:
    """The client snippet in `language` and the lines the doc shows it prints."""
    blocks = Doc.parse(API_DOC.read_text()).blocks
    for n, block in enumerate(blocks):
        if block.directive == "client" and block.info == language:
            prints = blocks[n + 1]
            assert prints.label == "prints", f"the {language} snippet shows no `prints:`"
            return block.text + "\n", prints.lines
    raise AssertionError(f"docs/api.md has no {language} client snippet")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with served(tmp_path_factory.mktemp("served")) as env:
        yield env


def test_the_python_snippet_prints_what_the_doc_shows(server: dict[str, str],
                                                      tmp_path: Path) -> None:
    code, shown = snippet("python")
    assert "gql.transport.httpx" in code
    assert "gql.transport.websockets" in code
    assert run_snippet("python", code, server, tmp_path) == shown


def test_the_javascript_snippet_prints_what_the_doc_shows(server: dict[str, str],
                                                          tmp_path: Path) -> None:
    code, shown = snippet("js")
    assert '"graphql-request"' in code
    assert '"graphql-ws"' in code
    try:
        folder = node_packages(tmp_path)
    except NotRunnable as why:
        pytest.skip(str(why))
    assert run_snippet("js", code, server, folder) == shown
