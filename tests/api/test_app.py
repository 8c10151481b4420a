"""The HTTP app beyond GraphQL: health, readiness, the NDJSON export, limits, request ids."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import ApiKeys
from api.settings import Settings, SettingsError
from tests.support import FixedClock, scenario_lines

KEYS = {role: f"{role}-key-0123456789abcdef" for role in ("reader", "auditor", "writer",
                                                         "admin")}


def bearer(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[role]}"}


@pytest.fixture
def settings(database_url: str) -> Settings:
    keys = ApiKeys.parse([f"{role}:{role}:{key}" for role, key in KEYS.items()], "test")
    return Settings(database_url=database_url, api_keys=keys, max_body_bytes=50_000)


@pytest.fixture
def client(settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(settings, clock)) as test_client:
        yield test_client


def load_acme(client: TestClient) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    from domain.ledger import Entry

    services.ledger.append([Entry(x["type"], x["clientRef"], x["data"], x["occurredOn"])
                            for x in scenario_lines("acme.jsonl")])


def test_healthz_says_the_process_is_up(client: TestClient) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}
    assert len(answer.headers["x-request-id"]) == 32


def test_readyz_reports_the_store_and_the_projection_lag(client: TestClient) -> None:
    load_acme(client)
    answer = client.get("/readyz")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ready"
    assert body["projection"]["head"] == 16
    assert 0 <= body["projection"]["lag"] <= 16


def test_readyz_is_unavailable_when_the_database_is_not(client: TestClient,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]

    def unreachable() -> int:
        raise ConnectionError("no route to host")

    monkeypatch.setattr(services.projector, "head", unreachable)
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["database"] == "unreachable"
    assert "no route" not in answer.text


def test_events_ndjson_streams_the_export_for_auditors(client: TestClient) -> None:
    load_acme(client)
    answer = client.get("/events.ndjson", headers=bearer("auditor"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    *lines, last = [json.loads(line) for line in answer.text.splitlines()]
    assert [line["version"] for line in lines] == list(range(1, 17))
    assert lines[0]["type"] == "ClientOnboarded"
    assert last == {"complete": True, "count": 16, "lastPosition": 16}
    later = client.get("/events.ndjson?client=acme&after=10", headers=bearer("admin"))
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
    client: TestClient, headers: dict[str, str], status: int, code: str
) -> None:
    answer = client.get("/events.ndjson", headers=headers)
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code


def test_an_unknown_client_export_is_a_plain_404(client: TestClient) -> None:
    answer = client.get("/events.ndjson?client=nobody", headers=bearer("auditor"))
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "UNKNOWN_CLIENT"


def test_a_body_over_the_limit_is_refused(client: TestClient) -> None:
    answer = client.post("/graphql", content=b"x" * 60_000, headers={
        **bearer("writer"), "content-type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "INVALID_INPUT"
    assert client.get("/healthz").status_code == 200


def test_a_request_id_sent_by_the_caller_is_kept(client: TestClient) -> None:
    answer = client.get("/healthz", headers={"X-Request-ID": "trace-42"})
    assert answer.headers["x-request-id"] == "trace-42"
    odd = client.get("/healthz", headers={"X-Request-ID": "no spaces allowed"})
    assert odd.headers["x-request-id"] != "no spaces allowed"


def test_an_unexpected_failure_shows_no_internals(client: TestClient,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("SELECT secret FROM palabra_events -- boom")

    monkeypatch.setattr(services.ledger, "stream", broken)
    answer = client.get("/events.ndjson?client=acme", headers=bearer("auditor"))
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
    assert replace(Settings(), max_batch=5).max_batch == 5


def test_metrics_count_operations_and_report_the_store(client: TestClient) -> None:
    load_acme(client)
    client.get("/healthz")
    query = {"query": '{ client(ref: "acme", asOf: "2026-06-30") { trust { score } } }'}
    assert client.post("/graphql", json=query, headers=bearer("reader")).status_code == 200
    assert client.post("/graphql", json=query, headers=bearer("writer")).status_code == 200
    deadline = time.monotonic() + 5  # the store's gauges are read in the background
    while "palabra_event_store_position 16.0" not in (text := client.get("/metrics").text):
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
    from api.app import from_environment

    monkeypatch.setenv("PALABRA_DATABASE_URL", database_url)
    monkeypatch.setenv("PALABRA_API_KEYS", f"ops:admin:{KEYS['admin']}")
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))  # it sets up JSON logging
    monkeypatch.setattr(root, "level", root.level)
    with TestClient(from_environment()) as test_client:
        assert test_client.get("/readyz").json()["store"] in ("sqlite", "postgres")
        query = {"query": "{ portfolio { clients } }"}
        answer = test_client.post("/graphql", json=query, headers=bearer("admin"))
        assert answer.json() == {"data": {"portfolio": {"clients": 0}}}
