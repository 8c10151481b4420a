"""Comparing figures with a scenario's expected ones: floats within 1e-4, the rest exactly."""

from __future__ import annotations

from typing import Any

from domain.envelopes import PERSONAL_FIELDS
from domain.values import camel
from domain.values import to_json as plain
from projections.figures import ClientFigures

TOLERANCE = 1e-4


def comparable(client: ClientFigures) -> dict[str, Any]:
    """The figures shaped like an expected checkpoint (lists keyed by id or name)."""
    data: dict[str, Any] = plain(client)
    trust = data["trust"]
    trust["components"] = {c["name"]: c["value"] for c in trust["components"]}
    for side in ("vendor", "client"):
        data["gap"][side]["items"] = {i["id"]: i for i in data["gap"][side]["items"]}
    payments = data["payments"]
    payments["aging"] = {a["bucket"]: a["amount"] for a in payments["aging"]}
    payments["invoices"] = {i["id"]: i for i in payments["invoices"]}
    data["signals"] = [s["kind"] for s in data["signals"]]
    return data


def differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Where `actual` differs from `expected` (only the keys `expected` has)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        found = []
        for key, value in expected.items():
            if key not in actual:
                found.append(f"{path}.{key}: missing (expected {value!r})")
            else:
                found += differences(value, actual[key], f"{path}.{key}")
        return found
    if isinstance(expected, float) and not isinstance(expected, bool):
        if not isinstance(actual, int | float) or abs(actual - expected) > TOLERANCE:
            return [f"{path}: expected {expected}, got {actual!r}"]
        return []
    if isinstance(expected, int) and not isinstance(expected, bool) and isinstance(actual, float):
        return [] if abs(actual - expected) <= TOLERANCE else [
            f"{path}: expected {expected}, got {actual!r}"]
    return [] if expected == actual else [f"{path}: expected {expected!r}, got {actual!r}"]


PERSONAL = {camel(f) for f in PERSONAL_FIELDS}


def without_personal(value: Any) -> Any:
    """Figures (plain JSON) without the personal fields, nor the stream's version (a
    ClientForgotten adds one): what forgetting a client must leave exactly as it was."""
    if isinstance(value, dict):
        return {k: without_personal(v) for k, v in value.items()
                if k not in PERSONAL and k != "version"}
    if isinstance(value, list):
        return [without_personal(v) for v in value]
    return value
