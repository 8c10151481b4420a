"""The dashboard's browser tests: the system's Chromium driven by Playwright
(`pytest-playwright`'s fixtures, launched with `executable_path`, as Playwright cannot
download its own browsers here) against a real `palabra serve` process on a free port,
on the demo ledger of `palabra demo --today 2026-11-22`, both run at the docs' fixed
moment (`tests.support.docs.clock`), so that "today" is that day.

Without Chromium the tests skip with a notice saying how to enable them; under
`CI=true` a missing Chromium fails them.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest

from api.signing import DEFAULT_NAME as SIGNING_KEY_NAME
from tests.support import REPOSITORY
from tests.support.docs.clock import DOCS_TODAY
from tests.support.docs.console import SIGNING_KEY
from tests.support.graphql import KEYS, bearer
from tests.support.processes import stop

SCREENSHOTS = REPOSITORY / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
ENABLE = "install Chromium to run the dashboard's browser tests: apt-get install chromium"


def chromium() -> str:
    """The system's Chromium, or skip (fail under CI) saying how to get it."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI needs Chromium: {ENABLE}")
    pytest.skip(ENABLE)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": chromium()}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": DESKTOP, "locale": "en-GB",
            "timezone_id": "UTC"}


def palabra(*arguments: str) -> list[str]:
    """`palabra ARGS…` at the docs' fixed moment (`tests.support.docs.clock`)."""
    return [sys.executable, "-m", "tests.support.docs.clock", *arguments]


@pytest.fixture(scope="session")
def demo_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the demo ledger of `palabra demo --today 2026-11-22`."""
    folder = tmp_path_factory.mktemp("dashboard")  # the docs' command, in a folder of its
    subprocess.run(palabra("demo", "--today", DOCS_TODAY.isoformat()),  # own: the same ledger
                   cwd=folder, check=True, capture_output=True, timeout=120,
                   env={**os.environ, "COLUMNS": "120", "PYTHONPATH": str(REPOSITORY)})
    return folder / "palabra.db"


@dataclass
class Served:
    """A running `palabra serve`: its base URL, and GraphQL asked directly."""

    url: str
    role: str | None = None

    def graphql(self, document: str, **variables: Any) -> dict[str, Any]:
        answer = httpx2.post(f"{self.url}/graphql", headers=bearer(self.role), timeout=20,
                             json={"query": document, "variables": variables})
        body: dict[str, Any] = answer.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve(database: Path, folder: Path, keyed: bool = False) -> Iterator[Served]:
    """`palabra serve --dev` (with `keyed`, `palabra serve` with a key of each role) on a
    copy of `database` and of the key files beside it, so that what a test writes stays
    its own."""
    copy = folder / "served.db"
    for original in database.parent.glob(f"{database.name}*"):  # the store, its keys
        shutil.copy2(original, folder / original.name.replace(database.name, copy.name, 1))
    signing_key = folder / SIGNING_KEY_NAME  # the docs' test key: the screenshots repeat
    shutil.copyfile(SIGNING_KEY, signing_key)
    signing_key.chmod(0o600)
    port = free_port()
    env = {**os.environ, "PALABRA_DATABASE_URL": f"sqlite:///{copy}"}
    if keyed:
        env["PALABRA_API_KEYS"] = ",".join(f"{r}:{r}:{k}" for r, k in KEYS.items())
    server = subprocess.Popen(palabra("serve", "--port", str(port), *([] if keyed else ["--dev"])),
                              cwd=REPOSITORY, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    served = Served(f"http://127.0.0.1:{port}", "reader" if keyed else None)
    try:
        deadline = time.monotonic() + 60
        while not up(served):
            if server.poll() is not None:
                stderr = server.stderr.read().decode() if server.stderr else ""
                pytest.fail(f"palabra serve stopped: {stderr}")
            if time.monotonic() > deadline:
                pytest.fail("palabra serve did not start in 60 s")
            time.sleep(0.1)
        warm(served)
        yield served
    finally:
        stop(server)


def warm(served: Served) -> None:
    """Ask once for what the dashboard loads, as a server that has been up a while has
    been asked: a new process pays on its first requests for what it loads on first use."""
    page = httpx2.get(f"{served.url}/app/", timeout=20)
    for asset in re.findall(r'(?:src|href)="(/app/assets/[^"]+)"', page.text):
        httpx2.get(f"{served.url}{asset}", timeout=20)
    served.graphql("query($on: Date) { portfolio(asOf: $on) { clients } clients(asOf: $on) "
                   "{ totalCount } }", on=DOCS_TODAY.isoformat())


def up(served: Served) -> bool:
    """Whether the server answers and its projection worker has folded the whole ledger."""
    try:
        health = httpx2.get(f"{served.url}/readyz", headers=bearer(served.role), timeout=2)
    except httpx2.HTTPError:
        return False
    return bool(health.status_code == 200 and health.json()["projection"]["lag"] == 0)


@pytest.fixture(scope="module")
def dashboard(demo_ledger: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`palabra serve --dev` on the demo ledger, read by the tests of a module."""
    yield from serve(demo_ledger, tmp_path_factory.mktemp("served"))


@pytest.fixture
def keyed_dashboard(demo_ledger: Path, tmp_path: Path) -> Iterator[Served]:
    """`palabra serve` with API keys (no --dev)."""
    yield from serve(demo_ledger, tmp_path, keyed=True)
