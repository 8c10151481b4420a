"""Who is calling: API keys and the role each one grants.

Keys come from `PALABRA_API_KEYS` (`name:role:key` entries separated by commas or
newlines) and/or the file named by `PALABRA_API_KEYS_FILE` (one `name role key`
per line, `#` comments).  A caller presents `Authorization: Bearer <key>`.

| role    | may                                                          |
|---------|--------------------------------------------------------------|
| reader  | query clients, the portfolio, the contact policy             |
| auditor | what a reader may, plus histories, the event feed and export |
| writer  | append events (mutations) only: it reads no client's figures |
| admin   | everything                                                   |
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Role(Enum):
    READER = "reader"
    AUDITOR = "auditor"
    WRITER = "writer"
    ADMIN = "admin"


class Access(Enum):
    """What an operation needs."""

    READ = "read"  # figures: client, clients, portfolio, contactAllowed, clientUpdated
    AUDIT = "audit"  # the record: history, events, /events.ndjson
    WRITE = "write"  # mutations


GRANTS: dict[Role, frozenset[Access]] = {
    Role.READER: frozenset({Access.READ}),
    Role.AUDITOR: frozenset({Access.READ, Access.AUDIT}),
    Role.WRITER: frozenset({Access.WRITE}),
    Role.ADMIN: frozenset(Access),
}


@dataclass(frozen=True)
class Principal:
    """An authenticated caller."""

    name: str
    role: Role

    def may(self, access: Access) -> bool:
        return access in GRANTS[self.role]


DEVELOPER = Principal("dev", Role.ADMIN)  # `palabra serve --dev`: open, on 127.0.0.1 only


class KeysError(ValueError):
    """A keys setting Palabra cannot read."""


_ENTRY = re.compile(r"^([A-Za-z0-9._-]{1,64})[: ](reader|auditor|writer|admin)[: ](\S{16,})$")


@dataclass(frozen=True)
class ApiKeys:
    keys: tuple[tuple[str, Principal], ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str], where: str) -> ApiKeys:
        keys = []
        for number, raw in enumerate(entries, 1):
            entry = raw.split("#", 1)[0].strip()
            if not entry:
                continue
            match = _ENTRY.match(entry)
            if match is None:
                raise KeysError(f"{where}, entry {number}: expected 'name role key' (or "
                                "name:role:key) with a role of reader, auditor, writer or "
                                "admin and a key of at least 16 characters")
            name, role, key = match.groups()
            keys.append((key, Principal(name, Role(role))))
        return cls(tuple(keys))

    @classmethod
    def load(cls, inline: str | None, file: str | None) -> ApiKeys:
        found = cls.parse(re.split(r"[,\n]", inline or ""), "PALABRA_API_KEYS")
        if file:
            path = Path(file)
            if not path.is_file():
                raise KeysError(f"PALABRA_API_KEYS_FILE names no readable file: {file}")
            found = cls(found.keys + cls.parse(path.read_text().splitlines(),
                                               f"{file}").keys)
        return found

    def __bool__(self) -> bool:
        return bool(self.keys)

    def authenticate(self, authorization: str | None) -> Principal | None:
        """The caller of an `Authorization` header value, or None."""
        if not authorization or not authorization.startswith("Bearer "):
            return None
        presented = authorization.removeprefix("Bearer ").strip().encode()
        found = None
        for key, principal in self.keys:  # compare with every key: no timing hints
            if hmac.compare_digest(key.encode(), presented):
                found = principal
        return found
