"""The keyring: each client's data key, wrapped by the master key, and what it seals.

Every client has one data key (AES-256, made when its first personal value is
sealed); the key store (`KeyStore`) keeps it wrapped (AES key wrap, RFC 3394) by
the master key, which is never stored beside it.  `Keyring.seal` encrypts a
value for the ledger; `Keyring.opener` reads the keys of the clients a read needs,
once, and opens their envelopes (`domain.envelopes`) — nothing of a read is kept
after it.  `forget` destroys a client's key: from then on its envelopes read
`ERASED`.  `rotate` re-wraps every key with a new master key.

The writer keeps the keys it sealed with in memory (an append does not read the key
store each time), and drops a client's key as soon as it learns the client was
forgotten.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import (
    InvalidUnwrap,
    aes_key_unwrap,
    aes_key_wrap,
)

from domain.envelopes import (
    ERASED,
    ERASED_MARK,
    EnvelopeError,
    Erased,
    is_envelope,
    open_envelope,
    seal,
)
from domain.errors import Unavailable

KEY_BYTES = 32


class KeyUnavailable(Unavailable):
    """The master key or a client's data key cannot be used: nothing is read as garbage."""


@dataclass(frozen=True)
class MasterKey:
    """The key that wraps every data key; it lives outside the database."""

    key: bytes
    source: str = "memory"  # where it came from, for messages

    def __post_init__(self) -> None:
        if len(self.key) != KEY_BYTES:
            raise KeyUnavailable(f"the master key from {self.source} is {len(self.key)} "
                                 f"bytes long, not {KEY_BYTES}")

    @classmethod
    def generate(cls, source: str = "memory") -> MasterKey:
        return cls(os.urandom(KEY_BYTES), source)

    @property
    def id(self) -> str:
        """A short public name of this key (a digest of it), kept with each wrapped key."""
        return hashlib.sha256(b"palabra master key\x00" + self.key).hexdigest()[:16]


@dataclass(frozen=True)
class StoredKey:
    """A client's data key as the key store keeps it; `wrapped` None: destroyed."""

    stream: UUID
    key_id: str
    master_id: str
    wrapped: bytes | None


class KeyStore(Protocol):
    """Where the wrapped data keys live (an in-memory one here; SQLite and PostgreSQL
    ones in `projections.store.key_stores`)."""

    def fetch(self, streams: Collection[UUID]) -> dict[UUID, StoredKey]:
        """The keys of these clients that the store knows (destroyed ones included)."""
        ...

    def add(self, keys: Sequence[StoredKey]) -> dict[UUID, StoredKey]:
        """Keep new keys, in one transaction; a client that already has one keeps it: the
        keys kept are returned, by client."""
        ...

    def destroy(self, stream: UUID) -> None:
        """Remove the client's wrapped key for good; a mark that it was destroyed stays
        (made if the client had no key)."""
        ...

    def every(self) -> list[StoredKey]:
        ...

    def rewrap(self, keys: Sequence[StoredKey]) -> None:
        """Replace these keys' wrapped bytes and master id, all in one transaction."""
        ...

    def close(self) -> None:
        ...


class InMemoryKeyStore:
    """Keys kept in a dict (nothing survives the process)."""

    def __init__(self) -> None:
        self._keys: dict[UUID, StoredKey] = {}
        self._lock = threading.Lock()

    def fetch(self, streams: Collection[UUID]) -> dict[UUID, StoredKey]:
        with self._lock:
            return {s: self._keys[s] for s in streams if s in self._keys}

    def add(self, keys: Sequence[StoredKey]) -> dict[UUID, StoredKey]:
        with self._lock:
            return {k.stream: self._keys.setdefault(k.stream, k) for k in keys}

    def destroy(self, stream: UUID) -> None:
        with self._lock:
            known = self._keys.get(stream)
            self._keys[stream] = (StoredKey(stream, "", "", None) if known is None
                                  else replace(known, wrapped=None))

    def every(self) -> list[StoredKey]:
        with self._lock:
            return list(self._keys.values())

    def rewrap(self, keys: Sequence[StoredKey]) -> None:
        with self._lock:
            self._keys.update({k.stream: k for k in keys})

    def close(self) -> None:
        pass


class Opener:
    """Opens the envelopes of a few clients with keys read once (see `Keyring.opener`)."""

    def __init__(self, keys: dict[UUID, AESGCM | None]) -> None:
        self._keys = keys

    def open(self, stream: UUID, field: str | None, value: str) -> str:
        """The value as the client wrote it; ERASED once its key is destroyed; a value
        that is not an envelope (written before encryption) as it is."""
        if not is_envelope(value):
            return value
        if value == ERASED_MARK:
            return ERASED
        if stream not in self._keys:
            raise KeyUnavailable(f"the key store has no data key for stream {stream} "
                                 "(is this the key store of this database?)")
        key = self._keys[stream]
        if key is None:
            return ERASED
        return open_envelope(key, stream, field, value)


class Keyring:
    """The master key and the key store, used together."""

    def __init__(self, master: MasterKey, store: KeyStore, cache_size: int = 10_000) -> None:
        self.master = master
        self.store = store
        self._sealing: OrderedDict[UUID, tuple[str, AESGCM]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    @classmethod
    def in_memory(cls) -> Keyring:
        return cls(MasterKey.generate(), InMemoryKeyStore())

    # ---- sealing (the writer) -------------------------------------------------------

    def seal(self, stream: UUID, field: str, text: str) -> str:
        """The envelope of a client's value (its data key is made on first use)."""
        key_id, key = self._sealing_key(stream)
        return seal(key, key_id, stream, field, text)

    def prepare(self, streams: Iterable[UUID], new: Collection[UUID] = ()) -> None:
        """Have these clients' keys at hand for sealing: those not in memory read in one
        query; those of `new` that have none made and stored in one transaction (a batch
        onboarding many clients pays for one)."""
        with self._lock:
            wanted = {s for s in [*streams, *new] if s not in self._sealing}
        if not wanted:
            return
        found = self.store.fetch(wanted)
        missing = [StoredKey(s, os.urandom(8).hex(), self.master.id,
                             aes_key_wrap(self.master.key, os.urandom(KEY_BYTES)))
                   for s in set(new) & wanted - set(found)]
        if missing:
            found.update(self.store.add(missing))
        for stored in found.values():
            if stored.wrapped is not None:
                self._keep(stored.stream, (stored.key_id, AESGCM(self._unwrap(stored))))

    def _sealing_key(self, stream: UUID) -> tuple[str, AESGCM]:
        with self._lock:
            cached = self._sealing.get(stream)
            if cached is not None:
                self._sealing.move_to_end(stream)
                return cached
        self.prepare([], new=[stream])  # a client of a store older than encryption
        with self._lock:
            cached = self._sealing.get(stream)
        if cached is None:
            raise KeyUnavailable(f"the data key of stream {stream} was destroyed (the client "
                                 "was forgotten): nothing more is sealed for it")
        return cached

    def _keep(self, stream: UUID, key: tuple[str, AESGCM]) -> None:
        with self._lock:
            self._sealing[stream] = key
            self._sealing.move_to_end(stream)
            while len(self._sealing) > self._cache_size:
                self._sealing.popitem(last=False)

    def drop(self, stream: UUID) -> None:
        """Forget a client's key in this process (it was forgotten, maybe elsewhere)."""
        with self._lock:
            self._sealing.pop(stream, None)

    # ---- opening (the readers) ------------------------------------------------------

    def opener(self, streams: Iterable[UUID]) -> Opener:
        """An opener for these clients' envelopes, their keys read now, in one query."""
        wanted = set(streams)
        found = self.store.fetch(wanted) if wanted else {}
        return Opener({s: None if k.wrapped is None else AESGCM(self._unwrap(k))
                       for s, k in found.items()})

    def _unwrap(self, stored: StoredKey) -> bytes:
        if stored.master_id != self.master.id:
            raise KeyUnavailable(
                f"the master key from {self.master.source} is not the one the data keys "
                f"were wrapped with (key id {self.master.id}, the key store needs "
                f"{stored.master_id}); set PALABRA_MASTER_KEY_FILE or PALABRA_MASTER_KEY to "
                "the right key")
        assert stored.wrapped is not None
        try:
            return aes_key_unwrap(self.master.key, stored.wrapped)
        except InvalidUnwrap:
            raise KeyUnavailable(f"the data key of stream {stored.stream} does not unwrap "
                                 "with the master key: the key store is damaged") from None

    # ---- forgetting and rotation ----------------------------------------------------

    def forget(self, stream: UUID) -> None:
        """Destroy a client's data key: its envelopes never open again."""
        self.drop(stream)
        self.store.destroy(stream)

    def rotate(self, new: MasterKey) -> int:
        """Re-wrap every live data key with a new master key (one transaction); returns
        how many were re-wrapped.  The keyring then uses the new master key."""
        keys = self.store.every()
        rewrapped = [replace(k, master_id=new.id,
                             wrapped=aes_key_wrap(new.key, self._unwrap(k)))
                     for k in keys if k.wrapped is not None]
        self.store.rewrap(rewrapped)
        self.master = new
        return len(rewrapped)


__all__ = ["ERASED", "EnvelopeError", "Erased", "InMemoryKeyStore", "KeyStore",
           "KeyUnavailable", "Keyring", "MasterKey", "Opener", "StoredKey"]
