"""The export format of `palabra export` and /events.ndjson: the ledger's events as JSON
Lines, ending with the line that says the export is complete; and the sealed export of
the whole log for auditors."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

from api.bootstrap import Services
from api.signing import public_key
from domain.errors import Unavailable
from domain.history import Recorded
from domain.jsonlines import dumps, export_line, trailer
from domain.ledger import Ledger
from projections.audit.sealed import sealed_lines

log = logging.getLogger("palabra")
EXPORT_PAGE = 1000  # events read at a time by an export


def export_lines(ledger: Ledger, client: str | None = None, after: int = 0) -> Iterator[str]:
    """The events (of one client, after a position) as export lines, then the line
    saying the export is complete.  The first events are read before this returns
    (an unknown client, an unavailable database raise here); if the database fails
    later the lines stop, without that last line."""
    if client is not None:
        pages: Iterator[list[Recorded]] = iter(
            [[r for r in ledger.stream(client) if r.position > after], []])
    else:
        pages = _pages(ledger, after)
    first = next(pages)
    return _lines(first, pages, after)


def sealed_export_lines(services: Services) -> Iterator[str]:
    """The sealed export of the whole log (`projections.audit.sealed`): each event as
    stored with its leaf hash, the checkpoints, the public signing key, then the trailer
    (SigningKeyError: the key file cannot be read)."""
    lines = sealed_lines(services.ledger, services.view, public_key(services.settings))
    return (json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def _pages(ledger: Ledger, after: int) -> Iterator[list[Recorded]]:
    while page := ledger.feed(after=after, limit=EXPORT_PAGE):
        yield page
        after = page[-1].position
    yield []


def _lines(page: list[Recorded], pages: Iterator[list[Recorded]], after: int,
           ) -> Iterator[str]:
    count, last = 0, after
    try:
        while page:
            for recorded in page:
                yield dumps(export_line(recorded)) + "\n"
            count, last = count + len(page), page[-1].position
            page = next(pages)
    except Exception as error:
        log.warning("export cut short after %d events (position %d): %s", count, last,
                    error, exc_info=not isinstance(error, Unavailable))
        raise
    yield dumps(trailer(count, last)) + "\n"
