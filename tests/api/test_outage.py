"""A failing database fails fast: outages through a TCP proxy, and a really full disk.

PostgreSQL outages are played by `Proxy`, a forwarder on 127.0.0.1 in front of the
test server (the shared server itself is never stopped): `blackhole()` accepts
connections and swallows what is sent, as a hung server or a lost network does;
`refuse()` drops every connection and refuses new ones, as a stopped server does;
`restore()` forwards again (dropping what it held, as a restarted server does).
The full disk is a real one: a small tmpfs mounted for the test (root only).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.auth import ApiKeys
from api.cli import app as cli
from api.http import create_app
from api.settings import Settings, SettingsError
from domain.entries import Entry
from projections.store import Database
from tests.support import FixedClock

KEY = "admin-key-0123456789abcdef"
HEADERS = {"Authorization": f"Bearer {KEY}"}
TIMEOUT = 1.5  # PALABRA_DB_TIMEOUT of these tests
UNAVAILABLE = "the database is unavailable; try again shortly"
# as of the clock's today, when the clients below are onboarded (before it they are not
# clients yet)
READ = '{ client(ref: "acme", asOf: "2026-11-22") { name version } }'
ONBOARD = ('mutation($ref: ID!) { onboardClient(input: {ref: $ref, name: "Acme Tiles", '
           'currency: "EUR"}) { version } }')


class Proxy:
    """A TCP forwarder to a PostgreSQL server that can hang or refuse on demand."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.mode = "up"
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self._lock = threading.Lock()
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # closed
                return
            if self.mode == "refuse":
                client.close()
                continue
            self._hold(client)
            if self.mode == "blackhole":
                continue  # accepted, never answered
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            self._hold(server)
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _hold(self, held: socket.socket) -> None:
        with self._lock:
            self._held.append(held)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                if self.mode == "up":  # a blackhole swallows it
                    sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            _shut(end)

    def _drop(self) -> None:
        with self._lock:
            held, self._held = self._held, []
        for end in held:
            _shut(end)
            end.close()

    def blackhole(self) -> None:
        self.mode = "blackhole"

    def refuse(self) -> None:
        self.mode = "refuse"
        self._drop()

    def restore(self) -> None:
        self._drop()
        self.mode = "up"

    def close(self) -> None:
        self.listener.close()
        self._drop()


def _shut(end: socket.socket) -> None:
    with contextlib.suppress(OSError):
        end.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def proxied(postgres_server: Database) -> Iterator[tuple[Proxy, str]]:
    """A proxy in front of the test server, and a fresh schema's URL through it."""
    proxy = Proxy(postgres_server.host, postgres_server.port)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    url = (f"postgresql://{postgres_server.user}@127.0.0.1:{proxy.port}/"
           f"{postgres_server.dbname}?schema={schema}")
    try:
        yield proxy, url
    finally:
        proxy.close()
        with postgres_server.connect(autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def settings_for(url: str) -> Settings:
    return Settings(database_url=url, api_keys=ApiKeys.parse([f"ops:admin:{KEY}"], "test"),
                    db_timeout=TIMEOUT)


def timed(call: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    started = time.monotonic()
    result = call(*args, **kwargs)
    return time.monotonic() - started, result


def post(client: TestClient | httpx2.Client, query: str, **variables: Any) -> dict[str, Any]:
    answer = client.post("/graphql", json={"query": query, "variables": variables},
                         headers=HEADERS)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def metrics_text(client: TestClient | httpx2.Client) -> str:
    return str(client.get("/metrics", headers=HEADERS).text)


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


def eventually(check: Any, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while not (result := check()):
        assert time.monotonic() < deadline, "still not so"
        time.sleep(0.1)
    return result


@pytest.mark.postgres
@pytest.mark.parametrize("outage", ["blackhole", "refuse"])
def test_an_outage_fails_fast_with_unavailable_and_the_server_recovers(
    proxied: tuple[Proxy, str], clock: FixedClock, outage: str
) -> None:
    proxy, url = proxied
    with TestClient(create_app(settings_for(url), clock)) as client:
        post(client, ONBOARD, ref="acme")
        assert post(client, READ)["data"]["client"]["version"] == 1
        getattr(proxy, outage)()

        seconds, read = timed(post, client, READ)
        assert codes(read) == ["UNAVAILABLE"]
        assert read["errors"][0]["message"] == UNAVAILABLE
        assert seconds < TIMEOUT + 2.5, f"a read took {seconds:.1f} s"
        seconds, write = timed(post, client, ONBOARD, ref="bolt")
        assert codes(write) == ["UNAVAILABLE"]
        assert seconds < TIMEOUT + 2.5, f"a write took {seconds:.1f} s"
        seconds, ready = timed(client.get, "/readyz", headers=HEADERS)
        assert ready.status_code == 503
        assert ready.json() == {"status": "unavailable", "database": "unreachable"}
        assert seconds < 1.8, f"/readyz took {seconds:.1f} s"  # 1 s, and a loaded machine
        seconds, export = timed(client.get, "/events.ndjson", headers=HEADERS)
        assert export.status_code == 503
        assert export.json()["error"]["code"] == "UNAVAILABLE"
        assert seconds < TIMEOUT + 2.5, f"an export took {seconds:.1f} s"
        seconds, metrics = timed(client.get, "/metrics", headers=HEADERS)
        assert metrics.status_code == 200
        assert seconds < 1.0, f"/metrics took {seconds:.1f} s"
        eventually(lambda: "palabra_database_up 0.0" in metrics_text(client),
                   TIMEOUT + 3)
        assert "palabra_event_store_position" not in metrics_text(client)

        proxy.restore()  # no restart of the app: its pools reconnect
        eventually(lambda: post(client, READ).get("data", {}).get("client"), 10)
        assert codes(post(client, ONBOARD, ref="bolt")) == []
        assert client.get("/readyz", headers=HEADERS).status_code == 200
        eventually(lambda: "palabra_event_store_position 2.0" in metrics_text(client),
                   5)


@pytest.mark.postgres
def test_an_export_cut_by_an_outage_lacks_its_last_line_and_the_cut_is_logged(
    proxied: tuple[Proxy, str], clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    proxy, url = proxied
    settings = settings_for(url)
    app = create_app(settings, clock)
    listener = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="on"))
    serving = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    serving.start()
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    small_window = httpx2.HTTPTransport(socket_options=[
        (socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)])  # the server cannot run far ahead
    try:
        with httpx2.Client(base_url=base, transport=small_window, timeout=30) as client:
            eventually(lambda: _up(client), 20)
            services = app.state.services
            for batch in range(0, 2500, 500):  # three pages of an export, each batch well
                services.ledger.append([Entry(  # inside the short database timeout
                    "ClientOnboarded", f"client-{n:05}", {
                        "name": f"Client {n} " + "x" * 150, "currency": "EUR"}, "2026-01-05")
                    for n in range(batch, batch + 500)])
            whole = client.get("/events.ndjson", headers=HEADERS).text.splitlines()
            assert json.loads(whole[-1]) == {"complete": True, "count": 2500,
                                             "lastPosition": 2500}
            with client.stream("GET", "/events.ndjson", headers=HEADERS) as answer:
                assert answer.status_code == 200
                lines = answer.iter_lines()
                first = next(lines)
                proxy.refuse()
                rest = list(lines)
        received = [json.loads(line) for line in [first, *rest]]  # each line whole
        assert 1 <= len(received) < 2500
        assert "complete" not in received[-1]
        assert [line["position"] for line in received] == list(range(1, len(received) + 1))
        assert any("export cut short" in r.getMessage() for r in caplog.records)
    finally:
        server.should_exit = True
        serving.join(15)


def _up(client: httpx2.Client) -> bool:
    try:
        return client.get("/readyz", headers=HEADERS).status_code == 200
    except httpx2.HTTPError:
        return False


@pytest.mark.postgres
def test_the_command_line_says_plainly_that_the_database_is_unavailable(
    proxied: tuple[Proxy, str],
) -> None:
    proxy, url = proxied
    proxy.refuse()
    env = {"PALABRA_DB_TIMEOUT": str(TIMEOUT)}
    seconds, result = timed(CliRunner().invoke, cli, ["export", "--database", url], env=env)
    assert result.exit_code == 1
    assert UNAVAILABLE in result.output
    assert "Traceback" not in result.output
    assert seconds < TIMEOUT + 3, f"the export took {seconds:.1f} s to give up"


def test_the_database_timeout_is_a_setting() -> None:
    assert Settings().db_timeout == 5.0
    assert Settings.from_env({"PALABRA_DB_TIMEOUT": "2.5"}).db_timeout == 2.5
    for wrong in ("0", "-1", "nan", "soon", "86400"):
        with pytest.raises(SettingsError):
            Settings.from_env({"PALABRA_DB_TIMEOUT": wrong})


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 4 MB filesystem (tmpfs): mounting it needs root."""
    where = tmp_path / "disk"
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (root only): {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(path: Path) -> None:
    """Take every free byte of the filesystem."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        for size in (65536, 4096, 1):
            with contextlib.suppress(OSError):
                while os.write(fd, b"\0" * size):
                    pass
    finally:
        os.close(fd)


def test_a_full_disk_refuses_appends_keeps_reads_and_is_not_ready(
    small_disk: Path, clock: FixedClock
) -> None:
    settings = settings_for(f"sqlite:///{small_disk}/palabra.db")
    with TestClient(create_app(settings, clock)) as client:
        post(client, ONBOARD, ref="acme")
        assert post(client, READ)["data"]["client"]["version"] == 1  # in the read models
        assert client.get("/readyz", headers=HEADERS).status_code == 200
        _fill(small_disk / "filler")

        for n in range(50):  # until SQLite's WAL finds no room
            refused = post(client, ONBOARD, ref=f"more-{n}")
            if refused.get("errors"):
                break
        assert codes(refused) == ["UNAVAILABLE"]
        assert refused["errors"][0]["message"].startswith("the disk is full")
        read = post(client, READ)
        assert read["data"]["client"]["name"] == "Acme Tiles", read  # reads work
        ready = client.get("/readyz", headers=HEADERS)
        assert ready.status_code == 503
        assert ready.json() == {"status": "unavailable", "database": "full"}

        (small_disk / "filler").unlink()
        assert client.get("/readyz", headers=HEADERS).status_code == 200
        assert codes(post(client, ONBOARD, ref="after")) == []


def test_a_database_nothing_listens_for_is_one_plain_line_for_the_command_line() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
    url = f"postgresql://postgres@127.0.0.1:{port}/palabra"  # nothing listens there now
    seconds, result = timed(CliRunner().invoke, cli, ["status", "--database", url],
                            env={"PALABRA_DB_TIMEOUT": "1"})
    assert result.exit_code == 1
    assert result.output.strip() == (  # the cause, not the pool's "couldn't get a connection"
        f"cannot reach PostgreSQL at 127.0.0.1:{port}: is PostgreSQL running there, and are "
        "the host and port in the store URL right?")
    assert seconds < 4, f"status took {seconds:.1f} s to give up"
