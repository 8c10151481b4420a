"""Who is calling: API keys and the role each one grants.

Keys come from `PALABRA_API_KEYS` (`name:role:key` entries separated by commas or
newlines) and/or the file named by `PALABRA_API_KEYS_FILE` (one `name role key`
per line).  A comment is a line whose first non-blank character is `#`, or the rest
of a line from a `#` that follows a blank: a `#` inside a key is part of the key.
The same key given twice to different names or roles is refused at start-up.  A
caller presents `Authorization: Bearer <key>` (the scheme in any case).

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
    FORGET = "forget"  # ClientForgotten: destroys a client's key (admin only)


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


_COMMENT = re.compile(r"(^|\s)#.*$")
_ENTRY = re.compile(r"^([A-Za-z0-9._-]{1,64})[: ](reader|auditor|writer|admin)[: ](\S{16,})$")


@dataclass(frozen=True)
class ApiKeys:
    keys: tuple[tuple[str, Principal], ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str], where: str) -> ApiKeys:
        keys: list[tuple[str, Principal]] = []
        for number, raw in enumerate(entries, 1):
            entry = _COMMENT.sub("", raw).strip()
            if not entry:
                continue
            match = _ENTRY.match(entry)
            if match is None:
                raise KeysError(f"{where}, entry {number}: expected 'name role key' (or "
                                "name:role:key) with a role of reader, auditor, writer or "
                                "admin and a key of at least 16 characters")
            name, role, key = match.groups()
            keys.append((key, Principal(name, Role(role))))
        return cls(tuple(keys)).checked(where)

    def checked(self, where: str) -> ApiKeys:
        """These keys, unless one key is given to two names or roles."""
        given: dict[str, Principal] = {}
        for key, principal in self.keys:
            other = given.setdefault(key, principal)
            if other != principal:
                raise KeysError(f"{where}: one key is given twice, to {other.name} "
                                f"({other.role.value}) and to {principal.name} "
                                f"({principal.role.value}); give each key one name and role")
        return self

    @classmethod
    def load(cls, inline: str | None, file: str | None) -> ApiKeys:
        found = cls.parse(re.split(r"[,\n]", inline or ""), "PALABRA_API_KEYS")
        if file:
            path = Path(file)
            if not path.is_file():
                raise KeysError(f"PALABRA_API_KEYS_FILE names no readable file: {file}")
            found = cls(found.keys + cls.parse(path.read_text().splitlines(),
                                               f"{file}").keys).checked(
                f"PALABRA_API_KEYS and {file}")
        return found

    def __bool__(self) -> bool:
        return bool(self.keys)

    def authenticate(self, authorization: str | None) -> Principal | None:
        """The caller of an `Authorization` header value, or None."""
        scheme, _, credentials = (authorization or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            return None
        presented = credentials.strip().encode()
        found = None
        for key, principal in self.keys:  # compare with every key: no timing hints
            if hmac.compare_digest(key.encode(), presented):
                found = principal
        return found
