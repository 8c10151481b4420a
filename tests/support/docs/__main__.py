"""`python -m tests.support.docs [--update] [DOC…]`: run the examples of the docs (default:
all of `DOCS`); report where a doc differs, or, with `--update`, write what they produce."""

from __future__ import annotations

import argparse
import sys

from tests.support.docs.runner import DOCS, check, update


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.docs", description=__doc__)
    parser.add_argument("--update", action="store_true",
                        help="write what the examples produce into the docs")
    parser.add_argument("docs", nargs="*", default=DOCS, help="docs, relative to the repository")
    args = parser.parse_args()
    status = 0
    for name in args.docs:
        found = update(name) if args.update else check(name)
        for difference in found:
            print(difference if not args.update else f"{difference.doc}:{difference.line}: "
                  "updated")
        status |= bool(found) and not args.update
        print(f"{name}: {len(found)} example(s) {'updated' if args.update else 'differ'}",
              file=sys.stderr)
    return int(status)


if __name__ == "__main__":
    sys.exit(main())
