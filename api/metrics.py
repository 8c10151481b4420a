"""Prometheus metrics: what the API does, and how the store and the read models are doing.

- `palabra_requests_total{operation, outcome}` and `palabra_request_seconds{operation}`:
  every GraphQL operation that passed validation (named by its type and root fields,
  e.g. `mutation append`; every other one is `graphql invalid`) and every HTTP route
  (by its template; an unknown path is `unmatched`); the outcome is `ok` or the error
  code.  Labels come only from the schema and the routes, so callers cannot grow the
  metrics by sending new names;
- `palabra_events_appended_total`: events this process wrote;
- `palabra_event_store_position`, `palabra_projection_position`, `palabra_projection_lag`:
  as last read in the background (a scrape never waits on the database; they are left
  out while it does not answer), and `palabra_database_up` (1: it answered lately);
- `palabra_projection_skipped_clients`: clients the projection skips because their
  events do not fold or their rows are refused (`palabra status` lists them), and
  `palabra_projection_skips`: how many times this process skipped one;
- `palabra_db_pool_connections{pool, state}`: connections in use and idle, per pool.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from api.watch import StoreWatch
from domain.ledger import Ledger
from projections.projector import Projector
from projections.store import ClientsView

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """One registry per app, so that tests and several apps in a process stay apart."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("palabra_requests", "Requests by operation and outcome",
                                ["operation", "outcome"], registry=self.registry)
        self.latency = Histogram("palabra_request_seconds", "Request latency by operation",
                                 ["operation"], buckets=LATENCY_BUCKETS,
                                 registry=self.registry)

    def observe(self, operation: str, outcome: str, seconds: float) -> None:
        self.requests.labels(operation, outcome).inc()
        self.latency.labels(operation).observe(seconds)

    def register(self, collector: Collector) -> None:
        self.registry.register(collector)


class StoreCollector(Collector):
    """The store's gauges, from the watch's latest reading, the ledger, the projector and
    the pools."""

    def __init__(self, watch: StoreWatch, ledger: Ledger, projector: Projector,
                 view: ClientsView) -> None:
        self.watch, self.ledger, self.projector, self.view = watch, ledger, projector, view

    def collect(self) -> Iterable[GaugeMetricFamily]:
        reading = self.watch.fresh()  # cached: a scrape never waits on the database
        yield GaugeMetricFamily("palabra_database_up", "1 if the database answered lately",
                                value=int(reading is not None))
        health = None if reading is None else reading.health
        gauges = [] if health is None else [
            ("palabra_event_store_position", "Position of the latest stored event",
             health.head),
            ("palabra_projection_position", "Position the read models are at",
             health.position),
            ("palabra_projection_lag", "Events not yet in the read models", health.lag),
            ("palabra_projection_skipped_clients", "Clients the projection skips (palabra "
             "status lists them)", health.skipped)]
        for name, text, value in (*gauges, (
                "palabra_events_appended", "Events appended by this process",
                self.ledger.appended), (
                "palabra_projection_skips", "Clients this process's projection skipped",
                self.projector.skips_recorded)):
            yield GaugeMetricFamily(name, text, value=value)
        pools = GaugeMetricFamily("palabra_db_pool_connections", "Database connections",
                                  labels=["pool", "state"])
        for pool_name, datastore in (("ledger", self.ledger.recorder),
                                     ("read_models", self.view)):
            in_use, idle = _pool_usage(getattr(datastore, "datastore", None))
            pools.add_metric([pool_name, "in_use"], in_use)
            pools.add_metric([pool_name, "idle"], idle)
        yield pools


def _pool_usage(datastore: Any) -> tuple[int, int]:
    pool = getattr(datastore, "pool", None)
    if pool is None:
        return 0, 0
    if hasattr(pool, "get_stats"):  # psycopg_pool
        stats = pool.get_stats()
        size, available = stats.get("pool_size", 0), stats.get("pool_available", 0)
        return size - available, available
    return pool.num_in_use, pool.num_in_pool  # the library's SQLite pool
