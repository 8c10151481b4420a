"""The JSON Lines format: one event a line, for import and export.

An import line is `{"type", "clientRef", "occurredOn", "data", "idempotencyKey"?,
"actor"?}`; an export line adds `version`, `position`, `recordedAt` and
`retracted`, in that stable order, and `"erased": true` on the lines of a forgotten
client whose personal fields are null (importing such a line stores a mark for
each of them: docs/erasure.md).  A complete export ends with the line
`{"complete": true, "count": N, "lastPosition": P}` (an export cut short lacks
it); import skips it, so export lines can be imported again.

`loads` refuses with `InvalidInput` whatever a hostile file may hold: bytes that
are not UTF-8, numbers too long or written with an exponent, NaN, nesting deeper
than any line needs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from domain.entries import Entry
from domain.errors import InvalidInput
from domain.history import Recorded

LINE_KEYS = ("type", "clientRef", "occurredOn", "data", "idempotencyKey", "actor")
EXPORT_KEYS = ("version", "position", "recordedAt", "retracted", "erased")


def export_line(recorded: Recorded) -> dict[str, Any]:
    event = recorded.event
    line: dict[str, Any] = {
        "type": event.type,
        "clientRef": event.client_ref,
        "occurredOn": event.occurred_on.isoformat(),
        "data": recorded.data,
    }
    if event.idempotency_key is not None:
        line["idempotencyKey"] = event.idempotency_key
    if event.actor is not None:
        line["actor"] = event.actor
    line["version"] = event.originator_version
    line["position"] = recorded.position
    line["recordedAt"] = event.recorded_at.isoformat()
    line["retracted"] = recorded.retracted
    if recorded.erased:
        line["erased"] = True
    return line


def trailer(count: int, last_position: int) -> dict[str, Any]:
    """The last line of a complete export: how many events, and the position of the last
    (or the position it started after, when none)."""
    return {"complete": True, "count": count, "lastPosition": last_position}


def is_trailer(line: Mapping[str, Any]) -> bool:
    return line.get("complete") is True and set(line) == {"complete", "count", "lastPosition"}


def dumps(line: Mapping[str, Any]) -> str:
    return json.dumps(line, ensure_ascii=False, separators=(", ", ": "))


#: how deeply a line may nest (its deepest object, an instalment, is 3 levels down)
MAX_DEPTH = 8
#: the most characters a number may be written with
MAX_NUMBER = 24


def loads(raw: bytes | str) -> Mapping[str, Any]:
    """Parse one line (UTF-8 bytes or text); a number with a fraction or an exponent is
    refused (amounts are strings)."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidInput(f"not valid UTF-8 (byte {error.start + 1} of the line is "
                               f"0x{raw[error.start]:02X})") from None
    try:
        line = json.loads(raw, parse_float=_fraction, parse_int=_integer,
                          parse_constant=_constant)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"not valid JSON ({error.msg} at column {error.colno})") from None
    except RecursionError:
        raise InvalidInput(f"nested deeper than {MAX_DEPTH} levels") from None
    if not isinstance(line, dict):
        raise InvalidInput("a line must be a JSON object")
    _check_depth(line)
    return line


def _number(text: str) -> str:
    if len(text) > MAX_NUMBER:
        raise InvalidInput(f"the number {text[:MAX_NUMBER]}… is too long")
    return text


def _integer(text: str) -> int:
    return int(_number(text))


def _fraction(text: str) -> Decimal:
    """Refused: an amount is written as a string ("10.50"), so that no reader of the file
    takes it for a binary float."""
    if "e" in text.lower():
        raise InvalidInput(f"the number {_number(text)} is written with an exponent; write "
                           "amounts as strings such as \"0.01\"")
    raise InvalidInput(f"the number {_number(text)} is a JSON number, not a string; write "
                       "amounts as strings such as \"10.50\"")


def _constant(text: str) -> Any:
    raise InvalidInput(f"{text} is not a number JSON knows")


def _check_depth(line: Mapping[str, Any]) -> None:
    level: list[Any] = [line]
    for _ in range(MAX_DEPTH):
        level = [v for item in level
                 for v in (item.values() if isinstance(item, dict) else item)
                 if isinstance(v, dict | list)]
        if not level:
            return
    raise InvalidInput(f"nested deeper than {MAX_DEPTH} levels")


def entry_from_line(line: Mapping[str, Any], occurrence: int = 0) -> Entry:
    """An import line as an entry to append.

    A line without an idempotency key gets one derived from its content (and from
    how many identical lines came before it in the same file), so importing the
    same file twice writes nothing the second time.  An export line's `version`
    becomes the expected version, so a restore lands every event where it was.
    """
    unknown = set(line) - set(LINE_KEYS) - set(EXPORT_KEYS)
    if unknown:
        raise InvalidInput(f"unknown key(s) {', '.join(map(repr, sorted(unknown)))}; a line has "
                           f"{', '.join(LINE_KEYS)}")
    for required in ("type", "clientRef", "data"):
        if required not in line:
            raise InvalidInput(f"the line has no {required!r}")
    key = line.get("idempotencyKey")
    if key is None:
        content = json.dumps([line["type"], line["clientRef"], line.get("occurredOn"),
                              line["data"], occurrence], sort_keys=True, default=str)
        # surrogates pass here so that the ledger refuses them naming their field
        key = "import:" + hashlib.sha256(content.encode(errors="surrogatepass")).hexdigest()[:24]
    erased = line.get("erased", False)
    if not isinstance(erased, bool):
        raise InvalidInput("erased must be true or false")
    version = line.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)
                                or version < 1):
        raise InvalidInput("version must be a whole number from 1")
    return Entry(
        type=line["type"],
        client_ref=line["clientRef"],
        data=line["data"],
        occurred_on=line.get("occurredOn"),
        idempotency_key=key,
        expected_version=version - 1 if version else None,
        actor=line.get("actor"),
        erased=erased,
    )
