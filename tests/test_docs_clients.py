"""The client snippets of docs/api.md, run against a real `palabra serve` (uvicorn in a
subprocess, on a free port) on the demo ledger of `palabra demo --today 2026-11-22`: the
Python one (`gql` over httpx and websockets) always, the JavaScript one (`graphql-request`,
`graphql-ws`) where `node` and `npm` are installed. Each must print what the doc shows
under it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.support import REPOSITORY
from tests.support.docs.clock import DOCS_TODAY
from tests.support.docs.markdown import Doc

API_DOC = REPOSITORY / "docs" / "api.md"
JS_FOLDER = REPOSITORY / "examples" / "clients" / "js"
KEY = "audit-key-0123456789abcdef"
NO_NODE = ("node and npm are not installed, so the JavaScript snippet of docs/api.md is not "
           "run: install Node 18+ with npm (e.g. apt-get install nodejs npm) to run it")


def snippet(language: str) -> tuple[str, list[str]]:
    """The snippet marked `<!-- docs: client LANGUAGE -->` and the lines it prints."""
    blocks = Doc.parse(API_DOC.read_text()).blocks
    for n, block in enumerate(blocks):
        if block.directive == f"client {language}":
            prints = blocks[n + 1]
            assert prints.label == "prints", f"the {language} snippet shows no `prints:`"
            return block.text + "\n", prints.lines
    raise AssertionError(f"docs/api.md has no {language} client snippet")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The environment a snippet needs to reach `palabra serve` on the demo ledger."""
    folder = tmp_path_factory.mktemp("served")
    env = {**os.environ, "PALABRA_DATABASE_URL": f"sqlite:///{folder}/demo.db",
           "PALABRA_API_KEYS": f"audit:auditor:{KEY}", "COLUMNS": "200"}
    subprocess.run([sys.executable, "-m", "api.cli", "demo", "--today", DOCS_TODAY.isoformat()],
                   env=env, cwd=folder, check=True, capture_output=True, timeout=120)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
                              env=env, cwd=folder, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, f"palabra serve stopped: {server.stderr}"
            assert time.monotonic() < deadline, "palabra serve did not start in 60 s"
            time.sleep(0.2)
        yield {**os.environ, "PALABRA_URL": f"{url}/graphql", "PALABRA_KEY": KEY}
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def printed(command: list[str], env: dict[str, str], cwd: Path) -> list[str]:
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.rstrip("\n").split("\n")


def test_the_python_snippet_prints_what_the_doc_shows(served: dict[str, str],
                                                      tmp_path: Path) -> None:
    code, shown = snippet("python")
    (tmp_path / "client.py").write_text(code)
    assert printed([sys.executable, "client.py"], served, tmp_path) == shown


@pytest.fixture(scope="module")
def node_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of this test's own with the npm packages of examples/clients/js installed
    exactly as its lockfile says."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip(NO_NODE)
    folder = tmp_path_factory.mktemp("js")
    for name in ("package.json", "package-lock.json"):
        shutil.copy(JS_FOLDER / name, folder / name)
    done = subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
                          cwd=folder, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        pytest.skip("npm could not install examples/clients/js (offline?), so the "
                    f"JavaScript snippet is not run: {done.stderr.strip()[-300:]}")
    return folder


def test_the_javascript_snippet_prints_what_the_doc_shows(served: dict[str, str],
                                                          node_folder: Path) -> None:
    code, shown = snippet("js")
    (node_folder / "client.mjs").write_text(code)
    assert printed(["node", "client.mjs"], served, node_folder) == shown
