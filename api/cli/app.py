"""The `palabra` command line: every command, in the order `palabra --help` lists them.

The commands live by concern: the ledger's (`api.cli.ledger`), the figures'
(`api.cli.figures`), the demo (`api.cli.demo`) and the operations' (`api.cli.operations`).
"""

from __future__ import annotations

import typer

from api.cli import demo, figures, ledger, operations

app = typer.Typer(help="Palabra: the customer-relationship ledger.", no_args_is_help=True,
                  add_completion=False, rich_markup_mode="markdown")
app.command("import")(ledger.import_)
app.command()(ledger.export)
app.command()(ledger.history)
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
    app()
