"""Write the served schema's SDL: `python -m api.graphql.export [path]`.

Without a path it rewrites `schema.graphql` at the repository root, the file a test
holds equal to the code and another compares with the shared contract.
"""

from __future__ import annotations

import sys
from pathlib import Path

from api.graphql.schema import build_schema
from api.settings import Settings

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def sdl() -> str:
    """The schema's SDL as checked in (settings change limits, never the schema)."""
    return build_schema(Settings()).as_str() + "\n"


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else SCHEMA_FILE
    target.write_text(sdl())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
