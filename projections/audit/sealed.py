"""The sealed export: every event as stored with its leaf hash, then the checkpoints and
the public signing key, then a trailer — everything an auditor needs to verify the whole
history offline, with no database and no key but the public one in the file (compare its
keyId with the one you trust).

Lines (JSON Lines, UTF-8):
- an event: {"position", "version", "topic", "stream", "stored", "leafHash"} — `stored`
  is the stored JSON state as text, byte for byte, `stream` its stream id (hex);
- {"checkpoint": {treeSize, rootHash, issuedAt, keyId, signature}}, each checkpoint of a
  tree no larger than the events in the file;
- {"signingKey": PEM, "keyId": …};
- last, {"sealed": true, "count": N, "lastPosition": P} (missing: the file was cut).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.errors import InvalidInput
from domain.ledger import Ledger
from domain.values import stream_id
from projections.audit.checkpoints import Checkpoint, key_id, load_public_pem, public_pem
from projections.audit.leaves import LeafError, event_leaf_hash
from projections.audit.verification import PAGE, Recomputed, Verdict, check_checkpoints
from projections.store import ClientsView

EVENT_KEYS = {"position", "version", "topic", "stream", "stored", "leafHash"}


def sealed_lines(ledger: Ledger, view: ClientsView, public: Ed25519PublicKey | None,
                 ) -> Iterator[dict[str, Any]]:
    """The lines of a sealed export of the whole log, as it is now."""
    checkpoints = view.checkpoints_after(None, None)
    count, last = 0, 0
    while page := ledger.recorder.select_notifications(start=last, limit=PAGE,
                                                       inclusive_of_start=False):
        for n in page:
            stored = n.state.decode("utf-8", "surrogateescape")
            yield {"position": n.id, "version": n.originator_version, "topic": n.topic,
                   "stream": UUID(str(n.originator_id)).hex, "stored": stored,
                   "leafHash": event_leaf_hash(n.id, n.originator_version, n.topic,
                                               n.state).hex()}
        count, last = count + len(page), page[-1].id
    for checkpoint in checkpoints:
        if checkpoint.tree_size <= count:
            yield {"checkpoint": checkpoint.to_json()}
    if public is not None:
        yield {"signingKey": public_pem(public), "keyId": key_id(public)}
    yield {"sealed": True, "count": count, "lastPosition": last}


def verify_sealed(lines: Iterable[bytes | str]) -> tuple[Verdict, str | None]:
    """Verify a sealed export offline: the verdict, and the keyId of the key in the file
    (InvalidInput: a line is not one of a sealed export)."""
    verdict = Verdict()
    checkpoints: list[Checkpoint] = []
    leaves: list[bytes] = []
    public: Ed25519PublicKey | None = None
    trailer: dict[str, Any] | None = None
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        if trailer is not None:
            raise InvalidInput(f"line {number}: the file goes on after its last line")
        try:
            line = json.loads(raw)
        except ValueError:
            raise InvalidInput(f"line {number} is not JSON") from None
        if not isinstance(line, dict):
            raise InvalidInput(f"line {number} is not a JSON object")
        if set(line) == EVENT_KEYS:
            leaves.append(_event_leaf(verdict, number, line))
        elif set(line) == {"checkpoint"}:
            checkpoints.append(Checkpoint.from_json(line["checkpoint"]))
        elif set(line) == {"signingKey", "keyId"} and isinstance(line["signingKey"], str):
            public = load_public_pem(line["signingKey"])
        elif set(line) == {"sealed", "count", "lastPosition"}:
            trailer = line
        else:
            raise InvalidInput(f"line {number} is no line of a sealed export")
    recomputed = Recomputed(c.tree_size for c in checkpoints)
    for leaf in leaves:
        recomputed.add(leaf)
    if trailer is None:
        verdict.add(verdict.events + 1, "the file ends before its last line: it was cut")
    elif trailer["count"] != verdict.events:
        verdict.add(verdict.events + 1, f"the file says it holds {trailer['count']} events, "
                    f"not {verdict.events}")
    if public is None and checkpoints:
        verdict.add(1, "the file holds checkpoints but no signing key to check them with")
    check_checkpoints(verdict, checkpoints, recomputed, public)
    verdict.tree_size = verdict.events
    return verdict, key_id(public) if public is not None else None


def _event_leaf(verdict: Verdict, number: int, line: dict[str, Any]) -> bytes:
    position, version, topic = line["position"], line["version"], line["topic"]
    if not (isinstance(position, int) and isinstance(version, int)
            and isinstance(topic, str) and isinstance(line["stored"], str)
            and isinstance(line["stream"], str) and isinstance(line["leafHash"], str)):
        raise InvalidInput(f"line {number}: an event's position and version are numbers, "
                           "its topic, stream, stored state and leafHash text")
    if position <= verdict.last_position:
        verdict.add(position, f"the event comes after position {verdict.last_position} "
                    "in the file (moved)")
    verdict.events += 1
    verdict.last_position = max(verdict.last_position, position)
    try:
        leaf = event_leaf_hash(position, version, topic,
                               line["stored"].encode("utf-8", "surrogateescape"))
    except LeafError as error:
        verdict.add(position, f"the stored event is damaged: {error}")
        return b""
    if leaf.hex() != line["leafHash"]:
        verdict.add(position, "the event is not the one its leaf hash was made of (changed)")
    try:
        ref = json.loads(line["stored"]).get("client_ref")
        matches = isinstance(ref, str) and stream_id(ref).hex == line["stream"]
    except (ValueError, AttributeError):
        matches = False
    if not matches:
        verdict.add(position, "the event is in another client's stream")
    return leaf
