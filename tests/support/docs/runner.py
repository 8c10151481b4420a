"""Run the examples of a doc and say what they produce: `update` writes it into the doc,
`check` lists where the doc shows something else."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support import REPOSITORY
from tests.support.docs.clients import ClientSession, NotRunnable
from tests.support.docs.console import ConsoleSession, commands, rerun
from tests.support.docs.exchanges import AppSession, answer_lines, body_of, same_but_what_varies
from tests.support.docs.markdown import Block, Doc, options

# the docs whose examples are run (docs/figures.md has its own test: tests/test_figures_doc.py)
DOCS = ["README.md", "docs/api.md", "docs/operations.md", "docs/benchmarks.md",
        "docs/audit.md"]


@dataclass(frozen=True)
class Difference:
    """An example whose shown lines are not what running it produces."""

    doc: str
    line: int  # 1-based, the opening fence
    shown: list[str]
    produced: list[str]

    def __str__(self) -> str:
        return (f"{self.doc}:{self.line}: the example shows\n  " + "\n  ".join(self.shown)
                + "\nbut running it produces\n  " + "\n  ".join(self.produced))


class Sessions:
    """The console and the app a doc's examples run in, opened when first needed."""

    def __init__(self) -> None:
        self._console: ConsoleSession | None = None
        self._app: AppSession | None = None
        self._clients: ClientSession | None = None

    @property
    def console(self) -> ConsoleSession:
        if self._console is None:
            self._console = ConsoleSession()
        return self._console

    @property
    def app(self) -> AppSession:
        if self._app is None:
            self._app = AppSession()
        return self._app

    @property
    def clients(self) -> ClientSession:
        if self._clients is None:
            self._clients = ClientSession()
        return self._clients

    def close(self) -> None:
        for session in (self._console, self._app, self._clients):
            if session is not None:
                session.close()


@contextmanager
def sessions() -> Iterator[Sessions]:
    opened = Sessions()
    try:
        yield opened
    finally:
        opened.close()


def runs(block: Block) -> bool:
    """Whether a block is an example that is run."""
    verb = options(block.directive)[0] if block.directive else None
    if verb == "not":
        return False
    shell = block.info in ("console", "sh") and any(line.startswith("$ ") for line in block.lines)
    return shell or verb in ("graphql", "again", "get", "post", "socket")


def read_with(doc: Doc, n: int) -> list[Block]:
    """The `variables:` and `answer:` blocks read with the request of block `n`."""
    return [b for b in doc.blocks[n + 1:n + 3] if b.label in ("variables", "answer")]


def covered(doc: Doc) -> set[int]:
    """The first lines of the blocks that running the doc's examples runs or reads."""
    found = set()
    for n, block in enumerate(doc.blocks):
        if runs(block):
            found.add(block.start)
            if block.directive and options(block.directive)[0] == "graphql":
                found.update(b.start for b in read_with(doc, n))
    return found


def produced(doc: Doc, run: Sessions, clients: bool = False) -> dict[int, list[str]]:
    """What each run example of `doc` produces, by its block's first line; with `clients`,
    what its client snippets print too (tests/test_docs_clients.py checks those)."""
    out: dict[int, list[str]] = {}
    blocks = doc.blocks
    for n, block in enumerate(blocks):
        verb = options(block.directive)[0] if block.directive else None
        if clients and verb == "client" and n + 1 < len(blocks) and \
                blocks[n + 1].label == "prints":
            try:
                out[blocks[n + 1].start] = run.clients.prints(
                    block.info, block.text + "\n")
            except NotRunnable as why:
                print(f"not updated: {why}", file=sys.stderr)
            continue
        if not runs(block):
            continue
        verb, opts = options(block.directive) if block.directive else ("console", {})
        if block.info == "console":
            out[block.start] = rerun(run.console, block.lines)
        elif block.info == "sh":  # run, and must succeed; what they print is not shown
            for command in commands(block.lines):
                run.console.run(command[0])
        elif verb == "graphql":
            following = read_with(doc, n)
            variables = next((b.text for b in following if b.label == "variables"), None)
            answer = next((b for b in following if b.label == "answer"), None)
            assert answer is not None, f"line {block.start + 1}: a request with no answer:"
            reply = run.app.post(opts.get("role", "admin"), body_of(block.text, variables),
                                 opts.get("at"))
            out[answer.start] = answer_lines(reply)
        elif verb == "again":
            out[block.start] = answer_lines(run.app.again())
        elif verb == "socket":
            out[block.start] = run.app.talk(block.lines)
        elif verb in ("get", "post"):
            ask = run.app.get if verb == "get" else run.app.post_raw
            out[block.start] = block.lines[:1] + ask(opts.get("role", "admin"),
                                                     block.lines[0])
    return out


def differences(name: str, text: str, clients: bool = False) -> tuple[str, list[Difference]]:
    """The doc as its examples produce it, and where it differs from `text`."""
    doc = Doc.parse(text)
    with sessions() as run:
        results = produced(doc, run, clients)
    found, contents = [], {}
    by_start = {block.start: block for block in doc.blocks}
    for start, lines in results.items():
        shown = by_start[start].lines
        if same_but_what_varies(shown, lines):
            continue
        found.append(Difference(name, start + 1, shown, lines))
        contents[start] = lines
    return doc.replaced(contents), found


def check(name: str) -> list[Difference]:
    """Where the doc `name` (relative to the repository) shows what its examples don't."""
    return differences(name, (REPOSITORY / name).read_text())[1]


def update(name: str) -> list[Difference]:
    """Write into the doc `name` what its examples produce; returns what changed."""
    path: Path = REPOSITORY / name
    text, found = differences(name, path.read_text(), clients=True)
    if found:
        path.write_text(text)
    return found
