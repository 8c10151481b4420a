"""Envelopes: how a personal field is stored, encrypted with its client's data key.

SPEC §1 names the fields that may hold personal data; each of their values is
stored as one JSON string, the envelope::

    pe1:<key id>:<field>:<base64url, no padding, of nonce (12 bytes) ‖ ciphertext ‖ tag>

sealed with AES-256-GCM under the client's data key (`key id` names it), a fresh
96-bit nonce per value, and as associated data
``pe1|<stream id>|<field>|<key id>`` — so an envelope moved to another client, to
another field or under another key does not open.  `pe1:erased` is the envelope of
a value that was erased before it reached this store (an import of a forgotten
client).  A personal value that is not an envelope is plaintext written before
encryption existed: it is read as it is.

Opening an envelope whose key was destroyed gives `ERASED`, a string that says
"[erased]" and that callers can tell from a client's own text (`is_erased`).
"""

from __future__ import annotations

import base64
import os
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

#: SPEC §1: the only fields that may hold personal data (text, not the EndReason enum)
PERSONAL_FIELDS = frozenset({"name", "description", "summary", "note", "reason",
                             "what_went_wrong", "correction", "prevention"})
PREFIX = "pe1:"
#: the envelope of a value erased before it was stored (imported from a forgotten client)
ERASED_MARK = "pe1:erased"
NONCE_BYTES = 12


class Erased(str):
    """A personal value whose key is gone: reads "[erased]"; `is_erased` tells it apart."""

    __slots__ = ()


ERASED = Erased("[erased]")


def is_erased(value: object) -> bool:
    return isinstance(value, Erased)


class EnvelopeError(Exception):
    """An envelope that does not open: damaged, moved, or sealed under another key."""


def is_envelope(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def associated_data(stream: UUID, field: str, key_id: str) -> bytes:
    return f"pe1|{stream}|{field}|{key_id}".encode()


def seal(key: AESGCM, key_id: str, stream: UUID, field: str, text: str) -> str:
    """The envelope of one value of a client's field (`key`: the client's data key, made
    ready for AES-256-GCM once for all its values)."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = key.encrypt(nonce, text.encode(), associated_data(stream, field, key_id))
    body = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()
    return f"{PREFIX}{key_id}:{field}:{body}"


def key_id_of(envelope: str) -> str | None:
    """The id of the key an envelope is sealed under (None: erased before it was stored)."""
    if envelope == ERASED_MARK:
        return None
    parts = envelope.split(":", 3)
    if len(parts) != 4:
        raise EnvelopeError("a personal field holds a damaged envelope")
    return parts[1]


def open_envelope(key: AESGCM, stream: UUID, field: str | None, envelope: str) -> str:
    """The text of an envelope (EnvelopeError: it does not open here); `field` None takes
    the field the envelope names (a copy of the value in a read model)."""
    _, key_id, named, body = envelope.split(":", 3)
    if field is not None and named != field:
        raise EnvelopeError(f"an envelope sealed for the field {named} was found in {field}")
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        text = key.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:],
                           associated_data(stream, named, key_id))
    except (InvalidTag, ValueError):
        raise EnvelopeError(f"an envelope of stream {stream} does not open with its key "
                            "(moved from another client or field, or damaged)") from None
    return text.decode()
