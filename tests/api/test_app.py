"""The HTTP app beyond GraphQL: health, readiness, the NDJSON export, limits, request ids."""

from __future__ import annotations

import gc
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.auth import ApiKeys
from api.http import create_app
from api.settings import Settings, SettingsError
from tests.support import FixedClock, owner_sql, scenario_lines
from tests.support.graphql import KEYS, bearer


def load_acme(app_client: TestClient) -> None:
    services = app_client.app.state.services  # type: ignore[attr-defined]
    from domain.entries import Entry

    services.ledger.append([Entry(x["type"], x["clientRef"], x["data"], x["occurredOn"])
                            for x in scenario_lines("acme.jsonl")])


def test_healthz_says_the_process_is_up(app_client: TestClient) -> None:
    answer = app_client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}
    assert len(answer.headers["x-request-id"]) == 32


def test_readyz_reports_the_store_and_the_projection_lag(app_client: TestClient) -> None:
    load_acme(app_client)
    answer = app_client.get("/readyz", headers=bearer("writer"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ready"
    assert body["projection"]["head"] == 16
    assert 0 <= body["projection"]["lag"] <= 16


def test_readyz_is_unavailable_when_the_database_is_not(app_client: TestClient,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    services = app_client.app.state.services  # type: ignore[attr-defined]

    def unreachable() -> object:
        raise ConnectionError("no route to host")

    monkeypatch.setattr(services.projector, "health", unreachable)
    answer = app_client.get("/readyz", headers=bearer("reader"))
    assert answer.status_code == 503
    assert answer.json()["database"] == "unreachable"
    assert "no route" not in answer.text


def test_events_ndjson_streams_the_export_for_auditors(app_client: TestClient) -> None:
    load_acme(app_client)
    answer = app_client.get("/events.ndjson", headers=bearer("auditor"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    *lines, last = [json.loads(line) for line in answer.text.splitlines()]
    assert [line["version"] for line in lines] == list(range(1, 17))
    assert lines[0]["type"] == "ClientOnboarded"
    assert last == {"complete": True, "count": 16, "lastPosition": 16}
    later = app_client.get("/events.ndjson?client=acme&after=10", headers=bearer("admin"))
    *lines, last = [json.loads(x) for x in later.text.splitlines()]
    assert [line["position"] for line in lines] == list(range(11, 17))
    assert last == {"complete": True, "count": 6, "lastPosition": 16}


@pytest.mark.parametrize(("headers", "status", "code"), [
    ({}, 401, "UNAUTHENTICATED"),
    ({"Authorization": "Bearer wrong-key-0123456789"}, 401, "UNAUTHENTICATED"),
    (bearer("reader"), 403, "FORBIDDEN"),
    (bearer("writer"), 403, "FORBIDDEN"),
])
def test_events_ndjson_is_for_auditors_and_admins_only(
    app_client: TestClient, headers: dict[str, str], status: int, code: str
) -> None:
    answer = app_client.get("/events.ndjson", headers=headers)
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code


def test_an_unknown_client_export_is_a_plain_404(app_client: TestClient) -> None:
    answer = app_client.get("/events.ndjson?client=nobody", headers=bearer("auditor"))
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "UNKNOWN_CLIENT"


def test_a_body_over_the_limit_is_refused(app_client: TestClient) -> None:
    answer = app_client.post("/graphql", content=b"x" * 60_000, headers={
        **bearer("writer"), "content-type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "INVALID_INPUT"
    assert app_client.get("/healthz").status_code == 200


def test_a_request_id_sent_by_the_caller_is_kept(app_client: TestClient) -> None:
    answer = app_client.get("/healthz", headers={"X-Request-ID": "trace-42"})
    assert answer.headers["x-request-id"] == "trace-42"
    odd = app_client.get("/healthz", headers={"X-Request-ID": "no spaces allowed"})
    assert odd.headers["x-request-id"] != "no spaces allowed"


def test_an_unexpected_failure_shows_no_internals(app_client: TestClient,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    services = app_client.app.state.services  # type: ignore[attr-defined]

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("SELECT secret FROM palabra_events -- boom")

    monkeypatch.setattr(services.ledger, "stream", broken)
    answer = app_client.get("/events.ndjson?client=acme", headers=bearer("auditor"))
    assert answer.status_code == 500
    body = answer.json()
    assert body["error"]["code"] == "INTERNAL"
    assert body["error"]["requestId"] == answer.headers["x-request-id"]
    assert "SELECT" not in answer.text
    assert "Traceback" not in answer.text


def test_settings_refuse_what_they_cannot_use() -> None:
    with pytest.raises(SettingsError):
        Settings.from_env({"PALABRA_MAX_BATCH": "-1"})
    with pytest.raises(SettingsError):
        Settings.from_env({"PALABRA_API_KEYS": "ui:superuser:0123456789abcdef0"})
    with pytest.raises(SettingsError):
        Settings.from_env({"PALABRA_TRUST_WEIGHTS": '{"luck": 1}'})
    assert Settings().model_copy(update={"max_batch": 5}).max_batch == 5


def test_metrics_count_operations_and_report_the_store(app_client: TestClient) -> None:
    load_acme(app_client)
    app_client.get("/healthz")
    query = {"query": '{ client(ref: "acme", asOf: "2026-06-30") { trust { score } } }'}
    assert app_client.post("/graphql", json=query, headers=bearer("reader")).status_code == 200
    assert app_client.post("/graphql", json=query, headers=bearer("writer")).status_code == 200
    deadline = time.monotonic() + 5  # the store's gauges are read in the background
    while "palabra_event_store_position 16.0" not in (
            text := app_client.get("/metrics", headers=bearer("reader")).text):
        assert time.monotonic() < deadline, text
        time.sleep(0.1)
    assert 'palabra_requests_total{operation="GET /healthz",outcome="200"} 1.0' in text
    assert 'palabra_requests_total{operation="query client",outcome="ok"} 1.0' in text
    assert 'palabra_requests_total{operation="query client",outcome="FORBIDDEN"} 1.0' in text
    assert 'palabra_request_seconds_bucket{le="0.5",operation="query client"}' in text
    assert "palabra_event_store_position 16.0" in text
    assert "palabra_projection_lag" in text
    assert "palabra_events_appended 16.0" in text
    assert 'palabra_db_pool_connections{pool="ledger",state="in_use"}' in text


def test_the_worker_processes_build_the_app_from_the_environment(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.http import from_environment

    monkeypatch.setenv("PALABRA_DATABASE_URL", database_url)
    monkeypatch.setenv("PALABRA_API_KEYS", f"ops:admin:{KEYS['admin']}")
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))  # it sets up JSON logging
    monkeypatch.setattr(root, "level", root.level)
    with TestClient(from_environment()) as test_client:
        ready = test_client.get("/readyz", headers=bearer("admin")).json()
        assert ready["store"] in ("sqlite", "postgres")
        query = {"query": "{ portfolio { clients } }"}
        answer = test_client.post("/graphql", json=query, headers=bearer("admin"))
        assert answer.json() == {"data": {"portfolio": {"clients": 0}}}


# ---- a real server under hostile documents --------------------------------------------


@pytest.fixture
def served(database_url: str, tmp_path: Any) -> Iterator[str]:
    """The app served by uvicorn in a process of its own: its base URL."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PALABRA_DATABASE_URL": database_url, "PALABRA_LOG_LEVEL": "WARNING",
           "PALABRA_API_KEYS": ",".join(f"{r}:{r}:{k}" for r, k in KEYS.items())}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.http:from_environment", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        yield base
    finally:
        server.kill()
        server.wait()


def test_a_fragment_bomb_is_refused_while_the_server_keeps_answering(served: str) -> None:
    import threading
    import urllib.request

    from tests.support.documents import fragment_bomb

    bomb = json.dumps({"query": fragment_bomb(30)}).encode()
    answers: list[dict[str, Any]] = []

    def send() -> None:
        request = urllib.request.Request(served + "/graphql", data=bomb, headers={
            **bearer("reader"), "content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            answers.append(json.loads(answer.read()))

    senders = [threading.Thread(target=send) for _ in range(4)]
    for sender in senders:
        sender.start()
    healthy = 0
    while any(s.is_alive() for s in senders) or not healthy:
        with urllib.request.urlopen(served + "/healthz", timeout=5) as answer:
            healthy += answer.status == 200
    for sender in senders:
        sender.join()
    assert healthy >= 1
    assert len(answers) == 4
    for answer in answers:
        assert answer["data"] is None
        (error,) = answer["errors"]
        assert error["extensions"]["code"] == "INVALID_INPUT"
        assert "is asked for 32 times" in error["message"]


NESTED = b'{"query": "{ __typename }", "variables": {"v": ' + b"[" * 5000 + b"]" * 5000 + b"}}"
BAD_BODIES = {
    "null": (b"null", "application/json", "not a JSON object"),
    "a string": (b'"x"', "application/json", "not a JSON object"),
    "a number": (b"5", "application/json", "not a JSON object"),
    "invalid UTF-8": (b'{"query": "{ __typename }\xff"}', "application/json", "not UTF-8"),
    "invalid UTF-8 said to be latin-1": (b'{"query": "{ __typename }\xe9"}',
                                         "application/json; charset=latin-1", "not UTF-8"),
    "nested 5,000 deep": (b"[" * 5000 + b"]" * 5000, "application/json", "nested more than"),
    "nested 100,000 deep": (b"[" * 100_000 + b"]" * 100_000, "application/json",
                            "nested more than"),
    "nested variables": (NESTED, "application/json", "nested more than"),
    "a 5,000-digit integer": (b'{"query": "query($n: Int) { clients(first: $n) { totalCount '
                              b'} }", "variables": {"n": ' + b"9" * 5000 + b"}}",
                              "application/json", "5000 digits"),
    "NaN": (b'{"query": "{ __typename }", "variables": {"n": NaN}}', "application/json",
            "NaN"),
    "a lone surrogate in variables": (b'{"query": "query($r: ID!) { client(ref: $r) { ref } }",'
                                      b' "variables": {"r": "\\ud800"}}', "application/json",
                                      "surrogate"),
    "a batch": (b'[{"query": "{ __typename }"}]', "application/json", "Batching is not enabled"),
    "no query": (b"{}", "application/json", "No GraphQL query"),
    "a query that is a number": (b'{"query": 5}', "application/json", "`query` must be"),
    "variables that are a list": (b'{"query": "{ __typename }", "variables": [1]}',
                                  "application/json", "`variables` must be an object"),
    "variables that are a string": (b'{"query": "{ __typename }", "variables": "x"}',
                                    "application/json", "`variables` must be an object"),
    "an unknown operationName": (b'{"query": "query A { __typename }", "operationName": "B"}',
                                 "application/json", 'Unknown operation named "B"'),
    "an operationName that is a number": (b'{"query": "query A { __typename }", '
                                          b'"operationName": 5}', "application/json",
                                          "`operationName` must be"),
    "plain text": (b'{"query": "{ __typename }"}', "text/plain", "application/json"),
    "a form": (b"query=%7B__typename%7D", "application/x-www-form-urlencoded",
               "application/json"),
    "multipart": (b'--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{}\r\n--x--',
                  "multipart/form-data; boundary=x", "application/json"),
    "no body": (b"", "application/json", "Unable to parse request body as JSON"),
}


@pytest.fixture
def roomy(app_settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    """The app with the default body limit (2 MB)."""
    roomy_settings = app_settings.model_copy(update={"max_body_bytes": Settings().max_body_bytes})
    with TestClient(create_app(roomy_settings,
                               clock)) as test_client:
        yield test_client


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_every_bad_body_gets_the_one_json_error(roomy: TestClient, case: str) -> None:
    app_client = roomy
    body, content_type, words = BAD_BODIES[case]
    answer = app_client.post("/graphql", content=body, headers={**bearer("reader"),
                                                            "content-type": content_type})
    assert answer.status_code in (400, 415), answer.text
    error = answer.json()["error"]
    assert error["code"] == "INVALID_INPUT"
    assert words in error["message"]
    assert error["requestId"] == answer.headers["x-request-id"]
    assert app_client.get("/healthz").status_code == 200


@pytest.mark.parametrize(("path", "status", "code", "words"), [
    ("/events.ndjson?after=99999999999999999999999", 400, "INVALID_INPUT", "after:"),
    ("/events.ndjson?after=-1", 400, "INVALID_INPUT", "after:"),
    ("/events.ndjson?after=x", 400, "INVALID_INPUT", "after:"),
    ("/nowhere", 404, "NOT_FOUND", "Not Found"),
])
def test_bad_parameters_and_paths_get_the_one_json_error(
        app_client: TestClient, path: str, status: int, code: str, words: str) -> None:
    answer = app_client.get(path, headers=bearer("auditor"))
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code
    assert words in answer.json()["error"]["message"]
    assert app_client.put("/healthz").json()["error"]["code"] == "INVALID_INPUT"


def test_out_of_range_dates_and_forged_cursors_are_refused(app_client: TestClient) -> None:
    import base64

    load_acme(app_client)

    def forged(order: str, key: Any) -> str:
        raw = json.dumps([order, key, "acme"]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    queries = ['{ client(ref: "acme", asOf: "0001-01-01") { trust { score } } }',
               '{ clients(asOf: "9999-12-31") { edges { node { trust { score } } } } }',
               '{ portfolio(asOf: "0001-01-01") { clients } }',
               '{ events(after: "99999999999999999999999") { edges { cursor } } }']
    queries += [f'{{ clients(orderBy: {order}, after: "{forged(order, key)}") {{ totalCount }} }}'
                for order, key in [("OUTSTANDING_DESC", "1e300"), ("OUTSTANDING_DESC", "NaN"),
                                   ("SCORE_ASC", 1e300), ("SCORE_ASC", [1]), ("NAME_ASC", 5),
                                   ("NAME_ASC", "\ud800")]]
    for query in queries:
        answer = app_client.post("/graphql", json={"query": query}, headers=bearer("auditor"))
        assert answer.status_code == 200
        codes = [e["extensions"]["code"] for e in answer.json()["errors"]]
        assert codes == ["INVALID_INPUT"], (query, answer.text)


def test_metrics_do_not_grow_with_what_callers_make_up(app_client: TestClient) -> None:
    import random
    import string

    def series() -> tuple[int, set[str]]:
        text = app_client.get("/metrics", headers=bearer("admin")).text
        return len(text), {line.rsplit(" ", 1)[0] for line in text.splitlines()}

    letters = random.Random(8)

    def made_up(requests: int) -> None:
        for n in range(requests):
            name = "".join(letters.choices(string.ascii_lowercase, k=12))
            if n % 3 == 0:
                app_client.post("/graphql", json={"query": f"{{ {name} }}"})
            elif n % 3 == 1:
                app_client.post("/graphql", json={"query": f"{{ ...{name} }} fragment {name} on "
                                                       "Query { __typename }"})
            else:
                app_client.request(name.upper()[:6] if n % 2 else "GET", f"/{name}")

    made_up(30)
    series()  # the first scrape is counted too
    size, before = series()
    made_up(600)  # a series per made-up name would add far more than 500 bytes
    grown, after = series()
    assert after == before  # the same series, with other counts
    assert grown < size + 500
    text = app_client.get("/metrics", headers=bearer("admin")).text
    assert 'operation="graphql invalid"' in text
    assert 'operation="query __typename"' in text
    assert 'operation="GET unmatched"' in text


def test_metrics_and_readiness_details_need_a_key(app_client: TestClient) -> None:
    assert app_client.get("/metrics").json()["error"]["code"] == "UNAUTHENTICATED"
    wrong = {"Authorization": "Bearer wrong-key-0123456789"}
    assert app_client.get("/metrics", headers=wrong).status_code == 401
    assert app_client.get("/metrics", headers=bearer("writer")).status_code == 200
    bare = app_client.get("/readyz")
    assert (bare.status_code, bare.json()) == (200, {"status": "ready"})
    assert "projection" in app_client.get("/readyz", headers=bearer("writer")).json()


def test_metrics_can_be_opened_to_a_scraper(app_settings: Settings, clock: FixedClock) -> None:
    opened = app_settings.model_copy(update={"ops_need_key": False})
    with TestClient(create_app(opened, clock)) as open_app:
        assert open_app.get("/metrics").status_code == 200
        assert "projection" in open_app.get("/readyz").json()


def test_a_writer_reads_no_figures_in_refusals(app_client: TestClient) -> None:
    load_acme(app_client)
    payments = app_client.post("/graphql", headers=bearer("admin"), json={
        "query": '{ client(ref: "acme") { payments { invoices { id balance } } } }'})
    invoice = next(i for i in payments.json()["data"]["client"]["payments"]["invoices"]
                   if i["balance"] != "0.00")
    write_off = {"query": "mutation($i: [AppendItem!]!) { append(items: $i) { events "
                          "{ version } } }",
                 "variables": {"i": [{"event": {"writeOffInvoice": {
                     "ref": "acme", "invoiceId": invoice["id"], "amount": "99999.00",
                     "reason": "bad debt"}}}]}}
    said = {}
    for role in ("writer", "admin"):
        answer = app_client.post("/graphql", json=write_off, headers=bearer(role)).json()
        (error,) = answer["errors"]
        assert error["extensions"]["code"] == "INVALID_INPUT"
        said[role] = error["message"]
    assert said["writer"] == f"the write-off exceeds the open balance of invoice {invoice['id']}"
    assert said["admin"] == f"{said['writer']} (write-off 99999.00, open balance "\
                            f"{invoice['balance']})"


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_the_bearer_scheme_is_case_insensitive(app_client: TestClient, scheme: str) -> None:
    answer = app_client.get("/events.ndjson", headers={
        "Authorization": f"{scheme} {KEYS['auditor']}"})
    assert answer.status_code == 200


def test_keys_file_comments_and_duplicates(tmp_path: Any) -> None:
    keys = tmp_path / "keys"
    keys.write_text("# the frontend\n  # indented comment\nui reader abc#def0123456789xyz  # ui\n"
                    "ops admin 0123456789abcdef#\n")
    loaded = ApiKeys.load(None, str(keys))
    assert loaded.authenticate("Bearer abc#def0123456789xyz").name == "ui"  # type: ignore[union-attr]
    assert loaded.authenticate("Bearer 0123456789abcdef#").name == "ops"  # type: ignore[union-attr]
    assert loaded.authenticate("Bearer abc") is None
    keys.write_text("ui reader 0123456789abcdef0\nops admin 0123456789abcdef0\n")
    with pytest.raises(SettingsError, match=r"given twice, to ui \(reader\) and to ops \(admin\)"):
        Settings.from_env({"PALABRA_API_KEYS_FILE": str(keys)})
    with pytest.raises(SettingsError, match="given twice"):
        Settings.from_env({"PALABRA_API_KEYS": "a:reader:0123456789abcdefX,"
                                               "b:writer:0123456789abcdefX"})
    keys.write_text("ui reader 0123456789abcdef0\n")
    with pytest.raises(SettingsError, match="given twice"):
        Settings.from_env({"PALABRA_API_KEYS_FILE": str(keys),
                           "PALABRA_API_KEYS": "w:writer:0123456789abcdef0"})


def test_readyz_and_metrics_report_read_models_beyond_the_log(
        app_settings: Settings, clock: FixedClock) -> None:
    # nothing repairs it meanwhile
    without_worker = app_settings.model_copy(update={"run_projections": False})
    with TestClient(create_app(without_worker, clock)) as app_client:
        load_acme(app_client)
        owner_sql(without_worker.database_url, "UPDATE {tracking} SET notification_id = 999")
        answer = app_client.get("/readyz", headers=bearer("reader"))
        assert answer.status_code == 503
        projection = answer.json()["projection"]
        assert (projection["position"], projection["head"]) == (999, 16)
        assert "beyond the event store's last event" in projection["problem"]
        deadline = time.monotonic() + 5  # the gauges are read in the background
        while "palabra_projection_position 999.0" not in (
                text := app_client.get("/metrics", headers=bearer("reader")).text):
            assert time.monotonic() < deadline, text
            time.sleep(0.1)
        assert "palabra_projection_skipped_clients 0.0" in text


def test_what_the_app_started_with_is_kept_out_of_the_collector_while_it_runs(
        app_settings: Settings, clock: FixedClock) -> None:
    """Started, the app freezes what it made (modules, schema, services) so that a full
    collection under load scans only what requests made since; stopped, it gives them
    back to the collector."""
    assert gc.get_freeze_count() == 0
    with TestClient(create_app(app_settings, clock)) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
