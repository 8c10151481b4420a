"""Tamper evidence on both stores (SPEC §8.1): the tree the worker keeps, the checkpoints,
the proofs checked by an independent verifier written here from RFC 9162 §2.1, and every
kind of tampering by the database's owner named by `verify`."""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.errors import InvalidInput
from domain.ledger import Ledger
from projections.audit.checkpoints import Checkpoint, Signer, load_signing_key, verify_signature
from projections.audit.notary import Notary
from projections.audit.verification import verify_store
from projections.projector import Projector
from projections.read_model import ReadModel
from projections.runner import Runner
from projections.store import ClientsView, Database, open_ledger, open_view
from tests.support import FixedClock, entry, onboard, owner_sql

# ---- an independent verifier, from RFC 9162 §2.1 ------------------------------------------


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def mth(leaves: Sequence[bytes]) -> bytes:
    """§2.1.1 MTH over leaf hashes, by its recursive definition."""
    if not leaves:
        return sha(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return sha(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def rfc_inclusion_ok(index: int, size: int, leaf: bytes, path: list[bytes],
                     root: bytes) -> bool:
    """§2.1.3.2, step by step."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = sha(b"\x01" + p + r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn //= 2
                    sn //= 2
        else:
            r = sha(b"\x01" + r + p)
        fn //= 2
        sn //= 2
    return sn == 0 and r == root


def rfc_consistency_ok(first: int, second: int, first_hash: bytes, second_hash: bytes,
                       path: list[bytes]) -> bool:
    """§2.1.4.2, step by step (for 0 < first < second)."""
    if not path:
        return False
    if first & (first - 1) == 0:
        path = [first_hash, *path]
    fn, sn = first - 1, second - 1
    while fn % 2 == 1:
        fn //= 2
        sn //= 2
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr = sha(b"\x01" + c + fr)
            sr = sha(b"\x01" + c + sr)
            while fn % 2 == 0 and fn != 0:
                fn //= 2
                sn //= 2
        else:
            sr = sha(b"\x01" + sr + c)
        fn //= 2
        sn //= 2
    return fr == first_hash and sr == second_hash and sn == 0


def stored_rows(url: str) -> list[tuple[int, int, str, bytes]]:
    """(position, version, topic, state) of every stored event, read as the owner."""
    key = "rowid" if Database.parse(url).backend == "sqlite" else "notification_id"
    rows = owner_sql(url, f"SELECT {key}, originator_version, topic, state FROM {{events}} "
                          f"ORDER BY {key}")
    return [(int(p), int(v), t, bytes(s)) for p, v, t, s in rows]


def independent_leaf(position: int, version: int, topic: str, state: bytes) -> bytes:
    """The leaf hash as docs/audit.md lays the leaf out, written again here."""
    stored = json.loads(state)
    top = {"client_ref": "clientRef", "occurred_on": "occurredOn", "timestamp": "recordedAt",
           "actor": "actor", "idempotency_key": "idempotencyKey"}
    document = {"position": position, "version": version,
                "type": topic.split(":", 1)[1],
                **{name: stored.get(key) for key, name in top.items()},
                "data": {_camel(k): v for k, v in stored.items() if k not in top}}
    return sha(b"\x00" + rfc8785.dumps(document))


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


# ---- fixtures -----------------------------------------------------------------------------


class Store:
    def __init__(self, url: str, clock: FixedClock, key: Path) -> None:
        self.url = url
        self.ledger: Ledger = open_ledger(url, clock)
        self.view: ClientsView = open_view(url)
        self.key = key
        self.notary = Notary(self.ledger, self.view,
                             lambda: load_signing_key(key, create=True), clock)

    def close(self) -> None:
        self.ledger.close()
        self.view.close()


@pytest.fixture
def store(database_url: str, clock: FixedClock, tmp_path: Path) -> Iterator[Store]:
    opened = Store(database_url, clock, tmp_path / "signing.key")
    yield opened
    opened.close()


def fill(ledger: Ledger, clients: int = 2, invoices: int = 4, prefix: str = "c") -> None:
    for c in range(clients):
        ref = f"{prefix}{c}"
        onboard(ledger, ref)
        for n in range(invoices):
            ledger.append([entry("InvoiceIssued", ref, "2026-02-01", invoiceId=f"I{n}",
                                 amount=f"{10 + n}.00", description="Tiles, Hamburg")])


def leaves_of(url: str) -> list[bytes]:
    return [independent_leaf(*row) for row in stored_rows(url)]


# ---- the tree and its proofs --------------------------------------------------------------


def test_the_leaves_follow_the_documented_layout(store: Store) -> None:
    fill(store.ledger)
    assert store.notary.extend() == 10
    rows = stored_rows(store.url)
    expected = {p: leaf.hex() for p, leaf in zip((r[0] for r in rows), leaves_of(store.url),
                                                 strict=True)}
    assert store.notary.leaf_hashes(list(expected)) == expected


def test_an_empty_tree_has_the_rfc_empty_root(store: Store) -> None:
    checkpoint = store.notary.issue()
    assert checkpoint.tree_size == 0
    assert checkpoint.root_hash == ("e3b0c44298fc1c149afbf4c8996fb924"
                                    "27ae41e4649b934ca495991b7852b855")


def test_proofs_verify_independently_at_every_kind_of_size(store: Store,
                                                           clock: FixedClock) -> None:
    sizes = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33]
    fill(store.ledger, clients=1, invoices=0)
    checkpoints = {1: store.notary.issue()}
    for size in sizes[1:]:
        while len(stored_rows(store.url)) < size:
            store.ledger.append([entry("ContactLogged", "c0", "2026-02-02", channel="EMAIL",
                                       direction="OUTBOUND", purpose="CHECK_IN",
                                       summary="Hello", answered=True)])
        clock.advance(seconds=1)
        checkpoints[size] = store.notary.issue()
    leaves = leaves_of(store.url)
    rng = random.Random(11)
    for size, checkpoint in checkpoints.items():
        assert checkpoint.tree_size == size
        assert checkpoint.root == mth(leaves[:size])
        for position in {1, size, rng.randint(1, size)}:
            proof = store.notary.inclusion(position, size)
            assert proof.tree_size == size
            assert proof.checkpoint == checkpoint
            assert rfc_inclusion_ok(position - 1, size, leaves[position - 1],
                                    [bytes.fromhex(p) for p in proof.path], checkpoint.root)
        for old in {1, size - 1, rng.randint(1, size)} - {0, size}:
            proof = store.notary.consistency(old, size)
            assert rfc_consistency_ok(old, size, mth(leaves[:old]), checkpoint.root,
                                      [bytes.fromhex(p) for p in proof.path])
    # a size with no checkpoint of its own: the smallest checkpointed tree at least as large
    assert store.notary.inclusion(3, 6).tree_size == 7


def test_a_proof_outside_the_checkpoints_is_refused_plainly(store: Store) -> None:
    fill(store.ledger, clients=1, invoices=2)
    with pytest.raises(InvalidInput, match="no checkpoint has been issued yet"):
        store.notary.inclusion(1)
    store.notary.issue()
    with pytest.raises(InvalidInput, match="no event at position 9"):
        store.notary.inclusion(9)
    with pytest.raises(InvalidInput, match="no checkpoint covers a tree of 5 events"):
        store.notary.consistency(1, 5)
    with pytest.raises(InvalidInput, match="larger than toSize"):
        store.notary.consistency(3, 2)


def test_the_worker_round_checkpoints_at_most_every_interval(store: Store,
                                                             clock: FixedClock) -> None:
    fill(store.ledger, clients=1, invoices=1)
    first = store.notary.keep_up()
    assert first is not None
    assert first.tree_size == 2
    fill(store.ledger, clients=1, invoices=0, prefix="d")
    clock.advance(seconds=30)
    assert store.notary.keep_up() is None  # too soon
    assert store.view.tree_size() == 3  # but the tree is current
    clock.advance(seconds=31)
    second = store.notary.keep_up()
    assert second is not None
    assert second.tree_size == 3
    clock.advance(seconds=120)
    assert store.notary.keep_up() is None  # nothing new: nothing to sign


# ---- tampering ----------------------------------------------------------------------------


def as_owner(url: str, *statements: str) -> None:
    """Run statements as the database's owner, with the immutability triggers disabled."""
    postgres = Database.parse(url).backend == "postgres"
    if postgres:
        owner_sql(url, "ALTER TABLE {events} DISABLE TRIGGER ALL")
    for statement in statements:
        owner_sql(url, statement)
    if postgres:
        owner_sql(url, "ALTER TABLE {events} ENABLE TRIGGER ALL")


def sql_for(url: str) -> dict[str, str]:
    if Database.parse(url).backend == "sqlite":
        return {"key": "rowid", "text": "CAST(state AS TEXT)", "blob": "CAST({} AS BLOB)"}
    return {"key": "notification_id", "text": "convert_from(state, 'UTF8')",
            "blob": "convert_to({}, 'UTF8')"}


def changing(url: str, position: int, old: str, new: str) -> str:
    """The statement that replaces `old` by `new` in the stored state of one event."""
    q = sql_for(url)
    replaced = q["blob"].format(f"replace({q['text']}, '{old}', '{new}')")
    return f"UPDATE {{events}} SET state = {replaced} WHERE {q['key']} = {position}"


def first_problem(store: Store) -> str:
    verdict = verify_store(store.ledger, store.view, load_signing_key(store.key).public)
    assert verdict.first is not None, "verify found nothing"
    return verdict.first.message


@pytest.fixture
def sealed(store: Store) -> Store:
    """A store of 10 events, its tree and a checkpoint."""
    fill(store.ledger)
    store.notary.issue()
    assert verify_store(store.ledger, store.view,
                        load_signing_key(store.key).public).first is None
    return store


def test_a_changed_field_is_named(sealed: Store) -> None:
    as_owner(sealed.url, changing(sealed.url, 5, "13.00", "31.00"))
    assert first_problem(sealed).startswith("position 5: the stored event is not the event "
                                            "the tree holds")


def test_a_deleted_event_is_named(sealed: Store) -> None:
    as_owner(sealed.url, f"DELETE FROM {{events}} WHERE {sql_for(sealed.url)['key']} = 4")
    assert first_problem(sealed).startswith("position 4: the tree has an event the log no "
                                            "longer holds")


def test_the_last_event_deleted_is_named(sealed: Store) -> None:
    as_owner(sealed.url, f"DELETE FROM {{events}} WHERE {sql_for(sealed.url)['key']} = 10")
    assert first_problem(sealed).startswith("position 10: the tree has an event")


def test_two_swapped_events_are_named(sealed: Store) -> None:
    key = sql_for(sealed.url)["key"]
    # swap the stored rows of positions 3 and 7 (both of client c0 and c1's invoices)
    as_owner(sealed.url,
             f"UPDATE {{events}} SET {key} = 1000 WHERE {key} = 3",
             f"UPDATE {{events}} SET {key} = 3 WHERE {key} = 7",
             f"UPDATE {{events}} SET {key} = 7 WHERE {key} = 1000")
    assert first_problem(sealed).startswith("position 3: the stored event is not the event")


def test_an_inserted_event_is_named(sealed: Store) -> None:
    key = sql_for(sealed.url)["key"]
    as_owner(sealed.url,
             f"UPDATE {{events}} SET {key} = {key} + 1000 WHERE {key} >= 4",
             f"UPDATE {{events}} SET {key} = {key} - 999 WHERE {key} >= 1000",
             f"INSERT INTO {{events}} ({key}, originator_id, originator_version, topic, state) "
             f"SELECT 4, originator_id, 99, topic, state FROM {{events}} WHERE {key} = 2")
    assert first_problem(sealed).startswith("position 4: the stored event is not the event")


def test_a_changed_node_of_the_tree_is_named(sealed: Store) -> None:
    table = ('"' + Database.parse(sealed.url).schema + '".palabra_tree_nodes'
             if Database.parse(sealed.url).backend == "postgres" else "palabra_tree_nodes")
    owner_sql(sealed.url, f"UPDATE {table} SET hash = %s WHERE level = 1 AND idx = 2",
              (b"\x00" * 32,))
    assert first_problem(sealed).startswith("position 5: the tree's node over the 2 events")


def test_a_consistent_rewrite_fails_against_a_checkpoint_kept_earlier(
        sealed: Store, tmp_path: Path, clock: FixedClock) -> None:
    held = sealed.view.latest_checkpoint()
    assert held is not None
    schema = Database.parse(sealed.url).schema
    prefix = f'"{schema}".' if schema else ""
    as_owner(sealed.url, changing(sealed.url, 5, "13.00", "31.00"),
             *(f"DELETE FROM {prefix}{table}" for table in
               ("palabra_tree_leaves", "palabra_tree_nodes", "palabra_checkpoints")))
    clock.advance(seconds=5)
    rewriter = Notary(sealed.ledger, sealed.view,
                      lambda: Signer(Ed25519PrivateKey.generate()), clock)
    forged = rewriter.issue()
    assert forged.tree_size == held.tree_size
    assert forged.root_hash != held.root_hash
    public = rewriter.signer().public
    assert verify_store(sealed.ledger, sealed.view, public).first is None  # all consistent
    verdict = verify_store(sealed.ledger, sealed.view, public, against=held)
    assert verdict.first is not None
    assert "does not extend the checkpoint you hold (10 events)" in verdict.first.message


# ---- concurrency ----------------------------------------------------------------------------


def test_eight_writers_while_checkpoints_are_issued(store: Store, clock: FixedClock) -> None:
    errors: list[BaseException] = []
    done = threading.Event()

    def write(writer: int) -> None:
        try:
            ledger = open_ledger(store.url, clock)
            try:
                fill(ledger, clients=1, invoices=5, prefix=f"w{writer}-")
            finally:
                ledger.close()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    def checkpoint() -> None:
        try:
            while not done.is_set():
                store.notary.issue()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    issuer = threading.Thread(target=checkpoint)
    issuer.start()
    writers = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    issuer.join()
    assert not errors
    final = store.notary.issue()
    assert final.tree_size == 48
    checkpoints = store.view.checkpoints_after(None, None)
    assert len(checkpoints) >= 2
    leaves = leaves_of(store.url)
    public = load_signing_key(store.key).public
    for checkpoint in checkpoints:
        assert verify_signature(checkpoint, public)
        assert checkpoint.root == mth(leaves[:checkpoint.tree_size])
    for older, newer in itertools.pairwise(checkpoints):
        if 0 < older.tree_size < newer.tree_size:
            proof = store.notary.consistency(older.tree_size, newer.tree_size)
            assert rfc_consistency_ok(older.tree_size, newer.tree_size, older.root,
                                      newer.root, [bytes.fromhex(p) for p in proof.path])
    assert verify_store(store.ledger, store.view, public).first is None


def test_a_checkpoint_read_back_is_the_one_signed(store: Store) -> None:
    fill(store.ledger, clients=1, invoices=1)
    issued = store.notary.issue()
    assert Checkpoint.from_json(json.loads(json.dumps(issued.to_json()))) == issued
    assert store.view.latest_checkpoint() == issued
    assert datetime.fromisoformat(issued.issued_at).tzinfo is not None


def test_the_worker_keeps_the_tree_and_checkpoints_it(store: Store, clock: FixedClock) -> None:
    projector = Projector(store.ledger, store.view)
    runner = Runner(ReadModel(projector), Database.parse(store.url), lambda: date(2026, 11, 22),
                    poll_interval=0.02, notary=store.notary).start()
    try:
        fill(store.ledger, clients=1, invoices=3)
        deadline = time.monotonic() + 15
        while store.view.latest_checkpoint() is None or store.view.tree_size() < 4:
            assert time.monotonic() < deadline, "the worker did not build the tree in time"
            time.sleep(0.02)
    finally:
        runner.stop()
    assert runner.errors == 0
    latest = store.view.latest_checkpoint()
    assert latest is not None
    assert latest.root == mth(leaves_of(store.url)[:latest.tree_size])
