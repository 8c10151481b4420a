"""The leaf of a stored event in the Merkle tree: RFC 8785 canonical JSON of the event
exactly as stored, and its hash.

The leaf is made from the stored row alone: its position (the global log's id), its
stream version, its topic and its stored JSON state.  Top-level members come from these
stored keys: `client_ref` → `clientRef`, `occurred_on` → `occurredOn`, `timestamp` →
`recordedAt`, `actor` → `actor`, `idempotency_key` → `idempotencyKey` (null when the
key is absent); `type` is the topic without its `palabra:` prefix.  Every other stored
key goes into `data`, in camelCase, with its value exactly as stored (an encrypted
envelope stays an envelope, a null stays null), so that no stored byte of meaning is
outside the leaf.  docs/audit.md shows the bytes of an example.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

import msgspec
import rfc8785

from domain.values import camel
from projections.audit.canonical import SAFE_INTEGER, canonical, simple

TOP_LEVEL = {"client_ref": "clientRef", "occurred_on": "occurredOn",
             "timestamp": "recordedAt", "actor": "actor",
             "idempotency_key": "idempotencyKey"}
TOPIC_PREFIX = "palabra:"
LEAF_PREFIX = b"\x00"


class LeafError(ValueError):
    """A stored event that has no leaf: its state is not a JSON object RFC 8785 can
    write."""


class _NotPlain(Exception):
    """A number with a fraction or an exponent: `canonical` leaves it to rfc8785."""


def _no_float(text: str) -> Any:
    raise _NotPlain(text)


_plain_decoder = msgspec.json.Decoder(float_hook=_no_float)


def stored_state(state: bytes | str) -> tuple[dict[str, Any], bool]:
    """The stored JSON state of an event (LeafError: it is not a JSON object), and
    whether it is plain: ASCII, no `\\u` escape, no number but safe integers — then its
    leaf's canonical form is msgspec's (`projections.audit.canonical`).  A state that is
    not plain is read by the standard library (exact integers of any size)."""
    raw = state if isinstance(state, bytes) else state.encode("utf-8", "surrogatepass")
    stored: Any = None
    plain = raw.isascii() and b"\\u" not in raw
    if plain:
        try:
            stored = _plain_decoder.decode(raw)
        except (msgspec.DecodeError, _NotPlain):
            plain = False
        else:
            plain = type(stored) is dict and _safe_values(stored)
    if not plain:
        try:
            stored = json.loads(raw.decode("utf-8"))
        except ValueError as error:
            raise LeafError(f"its stored state is not JSON ({error})") from None
    if not isinstance(stored, dict):
        raise LeafError("its stored state is not a JSON object")
    return stored, plain


def _safe_values(stored: dict[str, Any]) -> bool:
    """Whether the values of a state decoded from ASCII without a float are `simple`
    (its keys are ASCII strings already): every integer safe."""
    for value in stored.values():
        kind = type(value)
        if kind is int:
            if not -SAFE_INTEGER < value < SAFE_INTEGER:
                return False
        elif (kind is dict or kind is list) and not simple(value):
            return False
    return True


def leaf_document(position: int, version: int, topic: str, state: bytes | str,
                  ) -> dict[str, Any]:
    """The JSON object whose canonical form is the leaf."""
    return document_of(position, version, topic, stored_state(state)[0])


def document_of(position: int, version: int, topic: str, stored: dict[str, Any],
                ) -> dict[str, Any]:
    """`leaf_document` of a state already parsed."""
    return {
        "position": position,
        "clientRef": stored.get("client_ref"),
        "version": version,
        "type": topic.removeprefix(TOPIC_PREFIX),
        "occurredOn": stored.get("occurred_on"),
        "recordedAt": stored.get("timestamp"),
        "actor": stored.get("actor"),
        "idempotencyKey": stored.get("idempotency_key"),
        "data": {name: stored[key] for key, name in _data_keys(tuple(stored))},
    }


@lru_cache(maxsize=4096)
def _data_keys(keys: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The stored keys that go into `data`, with their camelCase names (the same few
    tuples of keys come again and again: one a kind of event)."""
    return tuple((key, camel(key)) for key in keys if key not in TOP_LEVEL)


def leaf_bytes(position: int, version: int, topic: str, state: bytes | str) -> bytes:
    """The leaf: RFC 8785 canonical JSON (UTF-8) of `leaf_document`."""
    stored, plain = stored_state(state)
    return canonical_leaf(document_of(position, version, topic, stored), plain)


def canonical_leaf(document: dict[str, Any], plain: bool = False) -> bytes:
    try:
        return canonical(document, plain)
    except rfc8785.CanonicalizationError as error:
        raise LeafError(f"its stored state has no canonical JSON ({error})") from None


def leaf_hash(leaf: bytes) -> bytes:
    """RFC 9162 §2.1.1: SHA-256(0x00 ‖ leaf)."""
    return hashlib.sha256(LEAF_PREFIX + leaf).digest()


def event_leaf_hash(position: int, version: int, topic: str, state: bytes | str) -> bytes:
    return leaf_hash(leaf_bytes(position, version, topic, state))
