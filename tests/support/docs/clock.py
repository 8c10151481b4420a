"""The docs' fixed clock: every example runs as if it were `DOCS_MOMENT`.

`python -m tests.support.docs.clock ARGS…` runs `palabra ARGS…` with every clock default
of the code (each function whose default clock is `domain.ledger.utc_now`, and each module
that imported `utc_now`) set to the fixed moment, and the random bytes it asks the system
for (keys, nonces) drawn from a generator seeded by ARGS: the demo ledger's encrypted
fields, hence its leaf hashes and checkpoints, are the same on every run.  (Only for the
docs' throwaway ledgers: the product's keys and nonces come from `os.urandom`.)
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import random
import sys
from datetime import UTC, date, datetime
from types import FunctionType, ModuleType

DOCS_TODAY = date(2026, 11, 22)
DOCS_MOMENT = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)  # after the demo's close of day


def fixed_now() -> datetime:
    """The docs' moment."""
    return DOCS_MOMENT


def fix_clocks(now: object = fixed_now) -> int:
    """Replace `utc_now` by `now` wherever the loaded code holds it; returns how many."""
    from domain.ledger import utc_now

    replaced = 0
    for name, module in list(sys.modules.items()):
        if not isinstance(module, ModuleType) or name.split(".")[0] not in (
                "api", "domain", "projections"):
            continue
        for attribute, value in list(vars(module).items()):
            if value is utc_now:
                setattr(module, attribute, now)
                replaced += 1
            for function in _functions(value):
                defaults = function.__defaults__
                if defaults and any(d is utc_now for d in defaults):
                    function.__defaults__ = tuple(now if d is utc_now else d
                                                  for d in defaults)
                    replaced += 1
    return replaced


def _functions(value: object) -> list[FunctionType]:
    if isinstance(value, FunctionType):
        return [value]
    if isinstance(value, type):
        found = []
        for member in vars(value).values():
            member = getattr(member, "__func__", member)
            if isinstance(member, FunctionType):
                found.append(member)
        return found
    return []


def load_all() -> None:
    """Import every module of the three packages, so that none imported later (inside a
    command) escapes `fix_clocks`."""
    for package in ("domain", "projections", "api"):
        module = importlib.import_module(package)
        for found in pkgutil.walk_packages(module.__path__, f"{package}."):
            if not found.name.endswith(".__main__"):  # that one runs a command
                importlib.import_module(found.name)


def main() -> None:
    """`palabra` at the docs' moment."""
    import api.cli

    load_all()
    if not fix_clocks():
        raise SystemExit("tests.support.docs.clock found no clock to fix: the docs' outputs "
                         "would carry the real time")
    os.urandom = random.Random(" ".join(sys.argv[1:])).randbytes
    sys.argv[0] = "palabra"
    api.cli.main()


if __name__ == "__main__":
    main()
