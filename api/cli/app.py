"""The `palabra` command line: every command, in the order `palabra --help` lists them.

The commands live by concern: the ledger's (`api.cli.ledger`), the figures'
(`api.cli.figures`), the demo (`api.cli.demo`), the operations' (`api.cli.operations`)
and the auditor's (`api.cli.audit`).
"""

from __future__ import annotations

import logging
import os
import sys
from importlib.metadata import version
from typing import Annotated

import typer

from api.cli import append, audit, demo, figures, history, keys, ledger, operations
from api.cli.common import err
from api.cli.help import Command, Group

log = logging.getLogger("palabra")

app = typer.Typer(help="Palabra: the customer-relationship ledger.", no_args_is_help=True,
                  add_completion=False, rich_markup_mode="markdown",
                  pretty_exceptions_enable=False, cls=Group)


def _version(shown: bool) -> None:
    if shown:
        print(f"palabra {version('palabra')}")
        raise typer.Exit()


@app.callback()
def _options(_: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True,
        help="Show Palabra's version and exit")] = False) -> None:
    """Palabra: the customer-relationship ledger."""


app.command("import", cls=Command)(ledger.import_)
app.command(cls=Command)(append.append)
app.command(cls=Command)(ledger.export)
app.command(cls=Command)(history.history)
app.command(cls=Command)(keys.forget)
app.command(cls=Command)(figures.client)
app.command(cls=Command)(figures.portfolio)
app.command(cls=Command)(operations.rebuild)
app.command(cls=Command)(operations.project)
app.command(cls=Command)(demo.demo)
app.command(cls=Command)(operations.serve)
app.command(cls=Command)(operations.status)

db = typer.Typer(help="Set up and check a PostgreSQL store for production.",
                 no_args_is_help=True, cls=Group)
db.command("init", cls=Command)(operations.db_init)
db.command("check", cls=Command)(operations.db_check)
app.add_typer(db, name="db")
app.command(cls=Command)(audit.checkpoint)
prove = typer.Typer(help="Prove an event is in a checkpoint's tree, or that an older tree "
                         "is a prefix of a checkpoint's (JSON an auditor keeps).",
                    no_args_is_help=True, cls=Group)
prove.command("inclusion", cls=Command)(audit.inclusion)
prove.command("consistency", cls=Command)(audit.consistency)
app.add_typer(prove, name="prove")
app.command(cls=Command)(audit.verify)

keyring = typer.Typer(help="Make and rotate the master key that wraps the clients' keys.",
                      no_args_is_help=True, cls=Group)
keyring.command("init", cls=Command)(keys.init)
keyring.command("rotate", cls=Command)(keys.rotate)
app.add_typer(keyring, name="keys")


def main() -> None:
    """Run the command; an error no command foresaw is one line on stderr (the details
    in the log, at DEBUG) and exit code 1 — never a traceback."""
    try:
        app()
    except Exception as error:  # the last resort: every foreseen error has its sentence
        if os.environ.get("PALABRA_LOG_LEVEL", "").upper() == "DEBUG":
            from api import logs

            logs.configure("DEBUG")
        log.debug("unexpected error", exc_info=True)
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        err.print(f"palabra stopped on an unexpected error: {type(error).__name__}"
                  + (f": {reason}" if reason else "")
                  + " (PALABRA_LOG_LEVEL=DEBUG logs the details)", style="red", markup=False)
        sys.exit(1)
