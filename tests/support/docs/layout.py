"""JSON laid out as the docs show it: a value on one line when it fits, else one member a
line, indented by two."""

from __future__ import annotations

import json
from typing import Any

WIDTH = 96


def laid_out(value: Any, indent: int = 0, lead: str = "", trail: str = "") -> list[str]:
    """The lines of `value` at `indent`, after `lead` (a key) and before `trail` (a comma)."""
    pad = " " * indent
    flat = json.dumps(value, ensure_ascii=False)
    if len(pad) + len(lead) + len(flat) + len(trail) <= WIDTH or not value or \
            not isinstance(value, dict | list):
        return [pad + lead + flat + trail]
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    items = list(value.items()) if isinstance(value, dict) else [(None, v) for v in value]
    lines = [pad + lead + opening]
    for n, (key, item) in enumerate(items):
        comma = "," if n < len(items) - 1 else ""
        key_text = "" if key is None else json.dumps(key, ensure_ascii=False) + ": "
        lines.extend(laid_out(item, indent + 2, key_text, comma))
    lines.append(pad + closing + trail)
    return lines
