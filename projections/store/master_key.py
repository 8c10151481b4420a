"""The master key: where it is found, how its file is made, and the keyring on a store.

`PALABRA_MASTER_KEY` (the key itself, base64) or `PALABRA_MASTER_KEY_FILE` (a file
holding it, base64) say where it is.  Without either, the key file is the default one:
beside a SQLite database (`palabra.db.master-key`), or `palabra.master-key` in the
working directory for PostgreSQL; it is created on first use, readable by its owner
only, and that is said once (a warning in the log).  A key file that group or others
may read is used, with a warning.  Making key files is `KEY_MAKERS`' business, so that
`palabra keys init` makes every key Palabra needs.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from domain.keyring import KEY_BYTES, Keyring, KeyUnavailable, MasterKey
from projections.store.key_stores import PostgresKeyStore, SQLiteKeyStore, key_store_path

if TYPE_CHECKING:
    from projections.store.database import Database

log = logging.getLogger("palabra.keys")
KEY_VARIABLE = "PALABRA_MASTER_KEY"
FILE_VARIABLE = "PALABRA_MASTER_KEY_FILE"
POSTGRES_DEFAULT = "palabra.master-key"


def default_key_file(database: Database) -> str:
    """The master key file used when no setting names one."""
    return f"{database.path}.master-key" if database.backend == "sqlite" else POSTGRES_DEFAULT


def decode_key(text: str, source: str) -> MasterKey:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyUnavailable(f"the master key from {source} is not base64") from None
    if len(key) != KEY_BYTES:
        raise KeyUnavailable(f"the master key from {source} is {len(key)} bytes long, not "
                             f"{KEY_BYTES} (make one with palabra keys init)")
    return MasterKey(key, source)


def write_key_file(path: str, key: bytes) -> None:
    """A new key file, owner-only from the start (refused if the file exists)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(base64.b64encode(key).decode() + "\n")


def read_key_file(path: str) -> MasterKey:
    try:
        mode = os.stat(path).st_mode
        text = Path(path).read_text()
    except FileNotFoundError:
        raise KeyUnavailable(f"the master key file {path} does not exist (set "
                             f"{FILE_VARIABLE} to the right file)") from None
    except OSError as error:
        raise KeyUnavailable(f"the master key file {path} cannot be read "
                             f"({error.strerror})") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("the master key file %s may be read by others than its owner (mode "
                    "%o): chmod 600 it", path, stat.S_IMODE(mode))
    return decode_key(text, path)


def make_master_key(path: str) -> bool:
    """Create the master key file if it is missing; whether it was created."""
    if Path(path).exists():
        return False
    write_key_file(path, MasterKey.generate().key)
    return True


#: what `palabra keys init` makes: (what, how to make it given the master key file's path)
KEY_MAKERS: list[tuple[str, Callable[[str], bool]]] = [("master key", make_master_key)]


def master_key(database: Database, key: str | None = None, key_file: str | None = None,
               create: bool = True) -> MasterKey:
    """The master key the settings give (`key`, base64) or name (`key_file`); without
    either, the default file (made when missing, if `create`)."""
    if key:
        return decode_key(key, KEY_VARIABLE)
    path = key_file or default_key_file(database)
    if not key_file and create and make_master_key(path):
        log.warning("created the master key file %s (owner-only): keep it, and keep it out "
                    "of the database's backups; without it no personal field can be read",
                    path)
    return read_key_file(path)


def open_keyring(database: Database, master: MasterKey | None = None,
                 create: bool = True) -> Keyring:
    """The keyring of a store: its master key and its key store."""
    key = master or master_key(database, create=create and not database.read_only)
    if database.backend == "sqlite":
        store: SQLiteKeyStore | PostgresKeyStore = SQLiteKeyStore(
            key_store_path(database.path), database.read_only)
    else:
        store = PostgresKeyStore(database, create=create)
    return Keyring(key, store)
