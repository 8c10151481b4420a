"""The composition root: everything Palabra runs on, built from `Settings`.

The command line and the HTTP app both open their services here, so that both
work on the same store the same way: the ledger (writes), the read models with
their projector and read side (figures), the notary (the Merkle tree, checkpoints and
proofs), the watch on the store's position and the
metrics — and, in long-running processes, the runner that keeps the read models
current.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date

from api.metrics import Metrics, StoreCollector
from api.settings import Settings
from api.signing import signer_loader
from api.watch import StoreWatch
from domain.ledger import Clock, Ledger, utc_now
from projections.audit.notary import Notary
from projections.projector import Projector
from projections.read_model import ReadModel
from projections.runner import Runner
from projections.store import STATE_FORMAT, ClientsView, Database, open_ledger, open_view
from projections.store.master_key import master_key

log = logging.getLogger("palabra")


@dataclass
class Services:
    """What a process of Palabra works with, opened on one store."""

    settings: Settings
    database: Database
    ledger: Ledger
    view: ClientsView
    projector: Projector
    read_model: ReadModel
    clock: Clock
    notary: Notary
    runner: Runner | None = field(default=None)
    metrics: Metrics = field(default_factory=Metrics)
    watch: StoreWatch = field(init=False)

    def __post_init__(self) -> None:
        self.watch = StoreWatch(self.projector, self.ledger, self.settings.db_timeout)
        self.metrics.register(StoreCollector(self.watch, self.ledger, self.projector,
                                             self.view))

    def today(self) -> date:
        return self.clock().astimezone(UTC).date()

    def start_runner(self) -> Runner:
        if self.runner is None:
            self.runner = Runner(self.read_model, self.database, self.today,
                                 poll_interval=self.settings.poll_interval,
                                 notary=self.notary,
                                 index_days=self.settings.index_days).start()
        return self.runner

    def close(self) -> None:
        self.watch.stop()
        if self.runner is not None:
            self.runner.stop()
        self.ledger.close()
        self.view.close()


def open_services(settings: Settings, clock: Clock = utc_now) -> Services:
    """Open the store named by the settings; read models built by an older version of
    Palabra are rebuilt first."""
    database = Database.parse(settings.database_url, settings.db_timeout)
    create = {"CREATE_TABLE": "y" if settings.create_tables else "n"}
    master = master_key(database, settings.master_key, settings.master_key_file,
                        create=settings.create_tables and not database.read_only)
    ledger = open_ledger(settings.database_url, clock, create, settings.db_timeout, master)
    try:
        view = open_view(settings.database_url, create, settings.db_timeout)
    except BaseException:
        ledger.close()  # its pool's threads would outlive it
        raise
    projector = Projector(ledger, view, chunk_size=settings.projection_batch,
                          cache_size=settings.projection_cache,
                          url=settings.database_url)
    if view.state_format() != STATE_FORMAT:
        if settings.create_tables:
            log.warning("the read models were built by another version of Palabra: "
                        "rebuilding them")
            view.recreate()
            projector.rebuild()
        else:
            log.warning("the read models were built by another version of Palabra; the "
                        "worker (which may create tables) rebuilds them")
    read_model = ReadModel(projector, settings.trust_weights, settings.read_cache)
    notary = Notary(ledger, view, signer_loader(settings), clock, settings.checkpoint_interval)
    return Services(settings, database, ledger, view, projector, read_model, clock, notary)
