"""The client snippets of docs/api.md: a real `palabra serve` (uvicorn in a subprocess, on a
free port) on the demo ledger, and each snippet run against it — Python with this
interpreter (`gql`), JavaScript with `node` in a folder where `npm ci` installed the
packages of examples/clients/js exactly as its lockfile says."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx

from tests.support import REPOSITORY
from tests.support.docs.clock import DOCS_TODAY
from tests.support.processes import stop

JS_FOLDER = REPOSITORY / "examples" / "clients" / "js"
KEY = "audit-key-0123456789abcdef"  # the auditor's key the snippets are given
NO_NODE = ("node and npm are not installed, so the JavaScript snippet of docs/api.md is not "
           "run: install Node 18+ with npm (e.g. apt-get install nodejs npm) to run it")
FILES = {"python": "client.py", "js": "client.mjs"}


class NotRunnable(Exception):
    """A snippet that cannot run here (no node, npm offline): the sentence says why."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(folder: Path) -> Iterator[dict[str, str]]:
    """`palabra serve` on the demo ledger of `palabra demo --today 2026-11-22`, in `folder`;
    yields the environment a snippet needs (`PALABRA_URL`, `PALABRA_KEY`)."""
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
            if server.poll() is not None:
                raise RuntimeError("palabra serve stopped: " + server.stderr.read().decode()
                                   if server.stderr else "")
            if time.monotonic() > deadline:
                raise RuntimeError("palabra serve did not start in 60 s")
            time.sleep(0.2)
        yield {**os.environ, "PALABRA_URL": f"{url}/graphql", "PALABRA_KEY": KEY}
    finally:
        stop(server)


def node_packages(folder: Path) -> Path:
    """`folder` with the packages of examples/clients/js installed (`npm ci`)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise NotRunnable(NO_NODE)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(JS_FOLDER / name, folder / name)
    done = subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
                          cwd=folder, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise NotRunnable("npm could not install examples/clients/js (offline?), so the "
                          f"JavaScript snippet is not run: {done.stderr.strip()[-300:]}")
    return folder


def run_snippet(language: str, code: str, env: dict[str, str], folder: Path) -> list[str]:
    """The lines a snippet prints, run in `folder` (for js: one `node_packages` made)."""
    (folder / FILES[language]).write_text(code)
    command = [sys.executable if language == "python" else "node", FILES[language]]
    done = subprocess.run(command, env=env, cwd=folder, capture_output=True, text=True,
                          timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the {language} snippet failed:\n{done.stderr}")
    return done.stdout.rstrip("\n").split("\n")


class ClientSession:
    """A server, and a folder per language, opened when first needed, for `--update`."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="palabra-docs-clients-"))
        self._served = served(self.folder)
        self.env = self._served.__enter__()
        self._js: Path | None = None

    def prints(self, language: str, code: str) -> list[str]:
        if language == "python":
            return run_snippet(language, code, self.env, self.folder)
        if self._js is None:
            (self.folder / "js").mkdir()
            self._js = node_packages(self.folder / "js")
        return run_snippet(language, code, self.env, self._js)

    def close(self) -> None:
        self._served.__exit__(None, None, None)
        shutil.rmtree(self.folder, ignore_errors=True)
