"""The GraphQL examples of a doc: requests posted to the real app (`api.http.create_app`)
on a SQLite store holding the demo ledger, with a key of each role and a clock the doc sets
(`at=`), and the answers laid out as the docs show them."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.auth import ApiKeys
from api.demo import SimulatedClock, demo_recordings, load
from api.http import create_app
from api.settings import Settings
from projections.store import open_ledger
from tests.support.docs.clock import DOCS_MOMENT, DOCS_TODAY, fixed_now
from tests.support.docs.console import normal
from tests.support.docs.layout import laid_out
from tests.support.graphql import KEYS, PROTOCOL, bearer

REQUEST_ID = re.compile(r'("requestId": ")[0-9a-f]+(")')
SENT, RECEIVED = "→ ", "← "
# who holds each role's key in the docs: an integration ("erp") writes, "audit" audits…
# who holds each role's key in the docs: an integration ("erp") writes, "audit" audits…
HOLDERS = {"reader": "ui", "auditor": "audit", "writer": "erp", "admin": "ops"}
CURL = re.compile(r"^\$ curl .*'https?://[^/']+(/[^']*)'")
PRINTF_CURL = re.compile(r"^\$ printf '(.*?)' \| curl .*'https?://[^/']+(/[^']*)'$")
OCTAL = re.compile(r"\\([0-7]{3})")


class DocClock:
    """The app's clock: the docs' moment, or the moment a directive's `at=` sets."""

    def __init__(self) -> None:
        self.moment = DOCS_MOMENT

    def __call__(self) -> datetime:
        return self.moment


class AppSession:
    """The app on the demo ledger, and the last request posted to it."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="palabra-docs-api-"))
        url = f"sqlite:///{self.folder}/demo.db"
        simulated = SimulatedClock(fixed_now)
        ledger = open_ledger(url, clock=simulated)
        try:
            load(ledger, simulated, demo_recordings(DOCS_TODAY))
        finally:
            ledger.close()
        self.clock = DocClock()
        keys = ApiKeys.parse([f"{HOLDERS[role]}:{role}:{key}" for role, key in KEYS.items()],
                            "docs")
        settings = Settings(database_url=url, api_keys=keys)
        self.client = TestClient(create_app(settings, clock=self.clock))
        self.client.__enter__()
        self.last: tuple[str, dict[str, Any]] | None = None

    def post(self, role: str, body: dict[str, Any], at: str | None) -> Any:
        """The JSON answer to one GraphQL request with `role`'s key at moment `at`."""
        if at is not None:
            self.clock.moment = datetime.fromisoformat(at)
        self.last = (role, body)
        return self.client.post("/graphql", json=body, headers=bearer(role)).json()

    def again(self) -> Any:
        """The answer to the previous request, posted once more."""
        assert self.last is not None, "`again` needs a request before it"
        role, body = self.last
        return self.client.post("/graphql", json=body, headers=bearer(role)).json()

    def get(self, role: str, curl: str) -> list[str]:
        """The lines of the answer to the GET of a `$ curl … 'URL'` line."""
        match = CURL.match(curl)
        assert match, f"not a `$ curl … 'URL'` line: {curl}"
        answer = self.client.get(match.group(1), headers=bearer(role))
        return answer.text.rstrip("\n").split("\n")

    def post_raw(self, role: str, command: str) -> list[str]:
        """The answer to posting the bytes of a `$ printf 'BODY' | curl … 'URL'` line
        (`\\NNN` in BODY is the byte of octal NNN)."""
        match = PRINTF_CURL.match(command)
        assert match, f"not a `$ printf '…' | curl … 'URL'` line: {command}"
        body = OCTAL.sub(lambda m: chr(int(m.group(1), 8)), match.group(1)).encode("latin-1")
        answer = self.client.post(match.group(2), content=body, headers={
            **bearer(role), "Content-Type": "application/json"})
        return [json.dumps(answer.json(), ensure_ascii=False)]

    def talk(self, lines: list[str]) -> list[str]:
        """A graphql-transport-ws conversation: each `→ message` is sent, and as many
        messages are received after it as the doc shows `← message` lines under it."""
        out: list[str] = []
        with self.client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws:
            for n, line in enumerate(lines):
                if not line.startswith(SENT):
                    continue
                out.append(line)
                ws.send_json(json.loads(line[len(SENT):]))
                expected = 0
                for later in lines[n + 1:]:
                    if not later.startswith(RECEIVED):
                        break
                    expected += 1
                for _ in range(expected):
                    out.append(RECEIVED + json.dumps(ws.receive_json(), ensure_ascii=False))
        return out

    def close(self) -> None:
        self.client.__exit__(None, None, None)
        shutil.rmtree(self.folder, ignore_errors=True)


def answer_lines(answer: Any) -> list[str]:
    """An answer as the doc lays it out."""
    return laid_out(answer)


def same_but_what_varies(shown: list[str], produced: list[str]) -> bool:
    """Whether two outputs differ at most in what varies from run to run: request ids,
    durations and rates."""
    def normalised(lines: list[str]) -> str:
        return REQUEST_ID.sub(r"\1…\2", "\n".join(normal(lines)))
    return normalised(shown) == normalised(produced)


def body_of(query: str, variables: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = json.loads(variables)
    return body
