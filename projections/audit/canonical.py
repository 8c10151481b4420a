"""RFC 8785 canonical JSON, fast for the JSON events are stored as.

The `rfc8785` package is the reference, and slow in pure Python (some 150 µs a leaf).
For a document of objects with ASCII keys, lists, strings, booleans, nulls and integers
of at most 2^53 in magnitude — every stored event — RFC 8785's form is exactly what
msgspec writes with sorted keys (no whitespace, no escaping beyond JSON's own: ASCII keys
sort alike in UTF-16 and in code points; ECMAScript and msgspec escape the same
characters the same way), some 2 µs a leaf.  Anything else (a number with a fraction, a larger
integer, a non-ASCII key, a lone surrogate) is written by `rfc8785` itself.  Tests check
both agree on random documents.
"""

from __future__ import annotations

from typing import Any

import msgspec
import rfc8785

SAFE_INTEGER = 2**53


def simple(value: Any) -> bool:
    """Whether msgspec writes `value` as RFC 8785 does."""
    kind = type(value)
    if kind is dict:
        return all(type(k) is str and k.isascii() and simple(v) for k, v in value.items())
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return bool(-SAFE_INTEGER < value < SAFE_INTEGER)
    if kind is list:
        return all(simple(item) for item in value)
    return False


def canonical(document: Any, plain: bool = False) -> bytes:
    """The RFC 8785 bytes of a JSON document (CanonicalizationError: it has none);
    `plain`: the caller knows it is of the simple kind above (no need to look)."""
    if plain or simple(document):
        try:
            return msgspec.json.encode(document, order="sorted")
        except UnicodeEncodeError:  # a lone surrogate: rfc8785 says what it becomes
            pass
    return rfc8785.dumps(document)
