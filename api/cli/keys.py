"""`palabra forget` and `palabra keys`: forgetting a client, and the keys behind it.

`forget` records ClientForgotten: the client's data key is destroyed, its personal
fields read "[erased]" from then on, its figures stay (docs/erasure.md).  Whoever runs
the command line holds the database and the master key: it is the admin.
`keys init` makes every key file Palabra needs that is missing (`KEY_MAKERS`); `keys
rotate` re-wraps every data key with a new master key.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from api.cli.common import Database, console, fail, ledger_at, settings_or_exit
from api.cli.help import DATE
from api.signing import signing_key_path
from domain.entries import Entry
from domain.errors import LedgerError
from domain.keyring import MasterKey
from projections.audit.checkpoints import create_signing_key
from projections.store import Database as Store
from projections.store.master_key import KEY_MAKERS, default_key_file, write_key_file


def forget(
    ref: Annotated[str, typer.Argument(help="The client's reference")],
    reason: Annotated[str, typer.Option(help="Why the client is forgotten (e.g. the "
                                             "erasure request it answers)")],
    on: Annotated[datetime | None, typer.Option(
        "--on", metavar=DATE, formats=["%Y-%m-%d"],
        help="The business date (default: today)")] = None,
    actor: Annotated[str | None, typer.Option(help="Who records it")] = None,
    database: Database = None,
) -> None:
    """Forget an ended client: destroy its data key; its personal fields read "[erased]"
    everywhere, its figures stay; nothing may follow."""
    entry = Entry("ClientForgotten", ref, {"reason": reason},
                  on.date() if on else None, actor=actor)
    with ledger_at(database) as ledger:
        try:
            [done] = ledger.append([entry])
        except LedgerError as error:
            fail(f"refused: {error.message} [{error.code}]")
    console.print(escape(f"forgot {ref}: its data key is destroyed (version {done.version}, "
                         f"position {done.position}); its figures stay, its personal fields "
                         "read [erased]"), soft_wrap=True)


def _key_file(database: str | None) -> tuple[str, bool]:
    """The master key file the settings name, and whether it is the default one."""
    settings = settings_or_exit(database)
    if settings.master_key:
        fail("PALABRA_MASTER_KEY holds the master key: there is no key file to make; unset "
             "it to use a file", 2)
    store = Store.parse(settings.database_url, settings.db_timeout)
    return settings.master_key_file or default_key_file(store), not settings.master_key_file


def init(database: Database = None) -> None:
    """Make the key files that are missing (owner-only): the master key, and the signing
    key of the checkpoints; an existing one is kept."""
    path, _ = _key_file(database)
    for what, make in KEY_MAKERS:
        _make(what, path, partial(make, path))
    signing = signing_key_path(settings_or_exit(database))
    if signing is None:
        console.print("no signing key file is set: set PALABRA_SIGNING_KEY_FILE to the file "
                      "the checkpoints' signing key goes in, then run this again",
                      soft_wrap=True)
    else:
        _make("signing key", str(signing), lambda: _new_signing_key(signing))


def _make(what: str, path: str, make: Callable[[], bool]) -> None:
    try:
        made = make()
    except OSError as error:
        fail(f"cannot write the {what} file {path}: {error.strerror or error}")
    console.print(escape(f"{'created' if made else 'kept'} the {what} file {path}"
                         + (" (owner-only)" if made else " (it exists)")), soft_wrap=True)


def _new_signing_key(path: Path) -> bool:
    try:
        create_signing_key(path)
    except FileExistsError:
        return False
    return True


def rotate(
    to: Annotated[Path | None, typer.Option(
        help="Write the new master key to this file and leave the current one as it is "
             "(default: replace the current key file)")] = None,
    database: Database = None,
) -> None:
    """Re-wrap every client's data key with a new master key (one transaction); every
    client stays readable."""
    settings = settings_or_exit(database)
    if to is None and settings.master_key:
        fail("PALABRA_MASTER_KEY holds the master key: say where the new one goes with "
             "--to FILE", 2)
    current = None if to is not None else _key_file(database)[0]
    target = str(to) if to is not None else f"{current}.new"
    new = MasterKey.generate(target)
    try:
        write_key_file(target, new.key)
    except FileExistsError:
        fail(f"{target} exists: a rotation was cut short, or the file is another key; move "
             "it away first (docs/erasure.md, rotation)")
    except OSError as error:
        fail(f"cannot write {target}: {error.strerror or error}")
    try:
        with ledger_at(database) as ledger:
            count = ledger.keyring.rotate(new)
    except BaseException:
        os.unlink(target)  # nothing was re-wrapped: the new key is of no use
        raise
    if current is not None:
        os.replace(target, current)
        target = current
    console.print(escape(f"re-wrapped {count} data keys with a new master key (id {new.id}) "
                         f"in {target}"
                         + ("" if current else "; point PALABRA_MASTER_KEY_FILE at it")),
                  soft_wrap=True)
