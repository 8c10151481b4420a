"""GraphiQL, served from the package: the page at `/graphql` (for a browser, when the
settings enable it) and its files under `/graphiql/`, so that it works offline.

`static/graphiql/index.html` and `palabra.js` are ours; `static/graphiql/vendor/` holds
GraphiQL, React and graphql-ws as built by `make graphiql` from the npm packages pinned
in `ui/graphiql/package-lock.json` (checked in, so `pip install` ships them).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

#: the folder served at `/graphiql/`
ASSETS = Path(__file__).resolve().parent / "static" / "graphiql"
#: where its files are served
ASSETS_PATH = "/graphiql"


@cache
def page() -> str:
    """The GraphiQL page."""
    return (ASSETS / "index.html").read_text()
