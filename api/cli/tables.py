"""Tables that fit the terminal: each column has a rank, and a table drawn at a width
shows its essential columns and then, by rank, every other column that still fits —
so that an amount or a reference is never cut.  Wider terminals show more.

The title and the caption are drawn on their own lines, not held to the table's width.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rich import box
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

Cell = str | Text


@dataclass(frozen=True)
class Column:
    """A column: `rank` 0 is always shown, higher ranks are shown while they fit (lower
    first); `fold` columns (names, free text) wrap between words, the others never wrap."""

    header: str
    rank: int = 0
    right: bool = False
    fold: bool = False
    least: int = 0  # a fold column keeps at least this width (or its widest line)

    @property
    def justify(self) -> Literal["left", "right"]:
        return "right" if self.right else "left"


class FittedTable:
    """A table with ranked columns (see the module), drawn with what fits."""

    def __init__(self, columns: Sequence[Column], title: Cell | None = None,
                 caption: Cell | None = None) -> None:
        self.columns = list(columns)
        self.title = title
        self.caption = caption
        self.rows: list[tuple[list[Cell], str | None]] = []

    def add_row(self, *cells: Cell, style: str | None = None) -> None:
        self.rows.append((list(cells), style))

    def shown(self, console: Console, options: ConsoleOptions) -> list[Column]:
        """The columns drawn at the options' width."""
        shown = [c for c in self.columns if c.rank == 0]
        for extra in sorted((c for c in self.columns if c.rank), key=lambda c: c.rank):
            trial = [c for c in self.columns if c in shown or c is extra]
            if self._width(trial, console, options) <= options.max_width:
                shown = trial
        return shown

    def table(self, columns: Sequence[Column], console: Console,
              options: ConsoleOptions) -> Table:
        """The rich table of these columns."""
        table = Table(box=box.SIMPLE_HEAD)
        indexes = [self.columns.index(c) for c in columns]
        for column, index in zip(columns, indexes, strict=True):
            natural = self._natural(index, console, options)
            table.add_column(column.header, justify=column.justify, no_wrap=not column.fold,
                             overflow="fold", min_width=min(natural, column.least)
                             if column.fold else natural)
        for cells, style in self.rows:
            table.add_row(*[cells[i] for i in indexes], style=style)
        return table

    def _natural(self, index: int, console: Console, options: ConsoleOptions) -> int:
        cells: Iterable[Cell] = [self.columns[index].header,
                                 *(cells[index] for cells, _ in self.rows)]
        return max(Measurement.get(console, options, _text(c)).maximum for c in cells)

    def _width(self, columns: Sequence[Column], console: Console,
               options: ConsoleOptions) -> int:
        return Measurement.get(console, options.update(width=10_000),
                               self.table(columns, console, options)).minimum

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.title is not None:
            yield _text(self.title, "bold")
        yield self.table(self.shown(console, options), console, options)
        if self.caption is not None:
            yield _text(self.caption)


def _text(cell: Cell, style: str = "") -> RenderableType:
    return Text.from_markup(cell, style=style) if isinstance(cell, str) else cell
