"""RFC 8785 canonical JSON, fast for the JSON events are stored as.

The `rfc8785` package is the reference, and slow in pure Python (some 150 µs a leaf).
For a document of objects with ASCII keys, lists, strings, booleans, nulls and integers
of at most 2^53 in magnitude — every stored event — RFC 8785's form is exactly what the
standard library writes with sorted keys, no whitespace and no escaping beyond JSON's own
(ASCII keys sort alike in UTF-16 and in code points; ECMAScript and Python escape the
same characters the same way).  Anything else (a number with a fraction, a larger
integer, a non-ASCII key, a lone surrogate) is written by `rfc8785` itself.  Tests check
both agree on random documents.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

SAFE_INTEGER = 2**53
_encoder = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                            allow_nan=False, check_circular=False)


def _simple(value: Any) -> bool:
    """Whether the standard library writes `value` as RFC 8785 does."""
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -SAFE_INTEGER < value < SAFE_INTEGER
    if isinstance(value, dict):
        return all(isinstance(k, str) and k.isascii() and _simple(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_simple(item) for item in value)
    return False


def canonical(document: Any, plain: bool = False) -> bytes:
    """The RFC 8785 bytes of a JSON document (CanonicalizationError: it has none);
    `plain`: the caller knows it is of the simple kind above (no need to look)."""
    if plain or _simple(document):
        try:
            return _encoder.encode(document).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: rfc8785 says what it becomes
            pass
    return rfc8785.dumps(document)
