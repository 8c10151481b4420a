"""How `palabra … --help` shows options: a flag shows no type (click's `<bool>`), dates
and timestamps show what to type rather than strftime patterns."""

from __future__ import annotations

from typer import _click as click  # typer 0.29 carries its own click
from typer.core import TyperCommand, TyperGroup

#: the metavars of date and timestamp options
DATE = "YYYY-MM-DD"
TIMESTAMP = "YYYY-MM-DD[THH:MM:SS[+HH:MM]]"


class Command(TyperCommand):
    """A command whose flags (`--json`, `--help`, …) show no `<bool>` type."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return _plain_flags(super().get_params(ctx))




class Group(TyperGroup):
    """The `palabra` group (and `palabra db`), flags shown the same way."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return _plain_flags(super().get_params(ctx))


def _plain_flags(params: list[click.Parameter]) -> list[click.Parameter]:
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params
