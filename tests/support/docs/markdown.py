"""The fenced blocks of a Markdown doc, each with the directive and the label before it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FENCE = re.compile(r"^```(\S*)\s*$")
DIRECTIVE = re.compile(r"^<!-- docs: (.*?) -->$")
LABEL = re.compile(r"^(variables|answer|prints):$")


@dataclass
class Block:
    """One fenced block: its info string, its lines (fences excluded) and where it is."""

    info: str
    lines: list[str]
    start: int  # the index of the opening fence's line
    end: int  # the index of the closing fence's line
    directive: str | None = None  # the text of a `<!-- docs: … -->` just before it
    label: str | None = None  # "variables", "answer" or "prints" just before it

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Doc:
    """A Markdown doc as lines, with its fenced blocks."""

    lines: list[str]
    blocks: list[Block] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> Doc:
        lines = text.split("\n")
        doc, opened = cls(lines), None
        for n, line in enumerate(lines):
            match = FENCE.match(line)
            if not match:
                continue
            if opened is None:
                opened = (n, match.group(1))
            elif match.group(1) == "":
                start, info = opened
                block = Block(info, lines[start + 1:n], start, n)
                block.label, block.directive = doc._before(start)
                doc.blocks.append(block)
                opened = None
        return doc

    def _before(self, start: int) -> tuple[str | None, str | None]:
        """The label and directive on the lines just above line `start`."""
        label = directive = None
        n = start - 1
        while n >= 0 and not self.lines[n].strip():
            n -= 1
        if n >= 0 and (match := LABEL.match(self.lines[n])):
            label, n = match.group(1), n - 1
            while n >= 0 and not self.lines[n].strip():
                n -= 1
        if n >= 0 and (match := DIRECTIVE.match(self.lines[n].strip())):
            directive = match.group(1)
        return label, directive

    def replaced(self, contents: dict[int, list[str]]) -> str:
        """The doc with the blocks starting at the given lines holding new lines."""
        out: list[str] = []
        n = 0
        for block in self.blocks:
            if block.start in contents:
                out.extend(self.lines[n:block.start + 1])
                out.extend(contents[block.start])
                n = block.end
        out.extend(self.lines[n:])
        return "\n".join(out)


def options(directive: str) -> tuple[str, dict[str, str]]:
    """A directive's verb and its `key=value` options: "graphql role=admin" →
    ("graphql", {"role": "admin"})."""
    verb, *rest = directive.split()
    return verb, dict(item.split("=", 1) for item in rest if "=" in item)
