"""The console examples of a doc: each `$ command` runs in a shell, in a folder of its own
holding the demo ledger (`palabra.db`, loaded by `palabra demo --today 2026-11-22`) and a
link to the repository's `examples/`, with `palabra` at the docs' fixed clock."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support import REPOSITORY
from tests.support.docs.clock import DOCS_TODAY

#: the checkpoint signing key of the docs' store (a test key, public on purpose: with it
#: the checkpoints the docs show are the same on every run)
SIGNING_KEY = Path(__file__).with_name("signing.key")

COLUMNS = 100
TIMEOUT = 120
# what must vary from run to run, replaced before outputs are compared
VARYING = [(re.compile(r"\b\d+(\.\d+)? s\b"), "N s"),
           (re.compile(r"\b[\d,]+(\.\d+)? events/s\b"), "N events/s"),
           (re.compile(r"\b\d+:\d\d:\d\d\b"), "H:MM:SS")]


def normal(lines: list[str]) -> list[str]:
    """Lines with durations and rates replaced (they vary from run to run)."""
    out = []
    for line in lines:
        for pattern, placeholder in VARYING:
            line = pattern.sub(placeholder, line)
        out.append(line)
    return out


class ConsoleSession:
    """A folder where a doc's commands run one after another."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="palabra-docs-"))
        bin_ = self.folder / ".bin"
        bin_.mkdir()
        wrapper = bin_ / "palabra"
        wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m tests.support.docs.clock '
                           '"$@"\n')
        wrapper.chmod(0o755)
        (self.folder / "examples").symlink_to(REPOSITORY / "examples")
        key = self.folder / "palabra-signing.key"  # the docs' own key: signatures repeat
        shutil.copy(SIGNING_KEY, key)
        key.chmod(0o600)
        self.env = {name: value for name, value in os.environ.items()
                    if not name.startswith("PALABRA_")}
        self.env.update(PATH=f"{bin_}{os.pathsep}{os.environ.get('PATH', '')}",
                        PYTHONPATH=str(REPOSITORY), COLUMNS=str(COLUMNS), LINES="50",
                        TERM="dumb", NO_COLOR="1")
        self.env.pop("FORCE_COLOR", None)
        self.run(f"palabra demo --today {DOCS_TODAY.isoformat()}")  # raises if it fails

    def run(self, command: str) -> str:
        """What `command` prints (stdout, then stderr), with trailing blanks removed."""
        done = subprocess.run(["bash", "-c", command], cwd=self.folder,
                              env=self.env, capture_output=True, text=True, timeout=TIMEOUT,
                              check=False)
        if done.returncode != 0:  # of a pipeline: its last command's
            raise RuntimeError(f"`{command}` failed ({done.returncode}):\n{done.stderr}")
        text = done.stdout + done.stderr
        return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def commands(lines: list[str]) -> list[tuple[str, list[str]]]:
    """The `$ command` lines of a console block, each with the lines shown under it."""
    found: list[tuple[str, list[str]]] = []
    for line in lines:
        if line.startswith("$ "):
            found.append((line[2:], []))
        elif found:
            found[-1][1].append(line)
    return found


def rerun(session: ConsoleSession, lines: list[str]) -> list[str]:
    """The console block as running its commands shows it."""
    out: list[str] = []
    for command, _ in commands(lines):
        out.append(f"$ {command}")
        printed = session.run(command)
        if printed:
            out.extend(printed.split("\n"))
    return out
