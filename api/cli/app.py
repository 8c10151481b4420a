"""The `palabra` command line: every command, in the order `palabra --help` lists them.

The commands live by concern: the ledger's (`api.cli.ledger`), the figures'
(`api.cli.figures`), the demo (`api.cli.demo`) and the operations' (`api.cli.operations`).
"""

from __future__ import annotations

import logging
import os
import sys

import typer

from api.cli import demo, figures, history, ledger, operations
from api.cli.common import err

log = logging.getLogger("palabra")

app = typer.Typer(help="Palabra: the customer-relationship ledger.", no_args_is_help=True,
                  add_completion=False, rich_markup_mode="markdown",
                  pretty_exceptions_enable=False)
app.command("import")(ledger.import_)
app.command()(ledger.export)
app.command()(history.history)
app.command()(figures.client)
app.command()(figures.portfolio)
app.command()(operations.rebuild)
app.command()(operations.project)
app.command()(demo.demo)
app.command()(operations.serve)
app.command()(operations.status)

db = typer.Typer(help="Set up and check a PostgreSQL store for production.",
                 no_args_is_help=True)
db.command("init")(operations.db_init)
db.command("check")(operations.db_check)
app.add_typer(db, name="db")


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
