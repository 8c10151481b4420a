"""The body of a GraphQL request over HTTP, read strictly.

`request_data(body)` accepts exactly one operation as a UTF-8 JSON object
`{"query": "…", "variables": {…}, "operationName": "…", "extensions": {…}}` and
refuses anything else with `BadBody` (a plain message; the router answers 400
INVALID_INPUT): text that is not UTF-8 (whatever charset the request claims),
JSON that does not parse, numbers of more than `MAX_DIGITS` digits, NaN and
infinities, nesting deeper than `MAX_NESTING`, lone UTF-16 surrogates (`"\\ud800"`,
which no database can store), arrays (batching is off), and members of the wrong type.

It is linear in the body's size; the router runs it in a thread for a large body.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from strawberry.http import GraphQLRequestData

MAX_DIGITS = 100
MAX_NESTING = 64
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
SHAPE = 'send one operation as a JSON object: {"query": "…", "variables": {…}}'


class BadBody(ValueError):
    """A body that is not one GraphQL request; the message says why, for a person."""


def decode(body: bytes | str) -> Any:
    """The JSON value of a body (or of a GET request's `variables`), checked as above."""
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BadBody(f"the body is not UTF-8 text (byte 0x{body[error.start]:02x} at "
                          f"position {error.start}); JSON is sent as UTF-8") from None
    else:
        text = body
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_float,
                           parse_constant=_constant)
    except BadBody:
        raise
    except RecursionError:
        raise BadBody(f"the JSON is nested more than {MAX_NESTING} levels deep") from None
    except ValueError as error:  # json.JSONDecodeError among them
        raise BadBody(f"Unable to parse request body as JSON: {error}") from None
    _check(value, surrogates=_SURROGATE_ESCAPE.search(text) is not None)
    return value


def request_data(body: bytes) -> GraphQLRequestData:
    """The one operation a POST body carries."""
    data = decode(body)
    if isinstance(data, list):
        raise BadBody(f"Batching is not enabled: {SHAPE}")
    if not isinstance(data, dict):
        kind = {str: "a string", int: "a number", float: "a number", bool: "true or false",
                 type(None): "null"}.get(type(data), "not an object")
        raise BadBody(f"the body is {kind}, not a JSON object: {SHAPE}")
    query = data.get("query")
    if not isinstance(query, str) or not query.strip():
        raise BadBody(f"No GraphQL query found in the request: {SHAPE}" if query is None
                      or isinstance(query, str) else "`query` must be a string")
    for name in ("variables", "extensions"):
        if not isinstance(data.get(name), dict | None):
            raise BadBody(f"`{name}` must be an object or null, if provided")
    operation_name = data.get("operationName")
    if not isinstance(operation_name, str | None):
        raise BadBody("`operationName` must be a string or null, if provided")
    return GraphQLRequestData(query=query, variables=data.get("variables"),
                              operation_name=operation_name,
                              extensions=data.get("extensions"), protocol="http")


def _integer(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise BadBody(f"the body holds a number of {len(digits.lstrip('-'))} digits; at most "
                      f"{MAX_DIGITS} are accepted")
    return int(digits)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or len(text) > MAX_DIGITS + 10:
        raise BadBody(f"the body holds a number out of range: {text[:40]}")
    return value


def _constant(name: str) -> Any:
    raise BadBody(f"{name} is not a JSON number")


def _check(value: Any, surrogates: bool) -> None:
    """Depth at most MAX_NESTING and, when the text escapes a surrogate, no lone one."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > MAX_NESTING:
                raise BadBody(f"the JSON is nested more than {MAX_NESTING} levels deep")
            children = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in children:
                if surrogates and isinstance(key, str):
                    _text(key)
                if isinstance(child, dict | list):
                    pending.append((child, depth + 1))
                elif surrogates and isinstance(child, str):
                    _text(child)
        elif surrogates and isinstance(item, str):
            _text(item)


def _text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadBody("the body holds a lone UTF-16 surrogate (such as \\ud800), which is "
                      "not a character") from None
