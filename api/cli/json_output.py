"""Figures as plain JSON, in the shape of the GraphQL types of `schema.graphql`.

Field names are the camelCase of the figures' own names, enums their names,
amounts strings with two decimals, dates ISO strings; `contacts` keeps the last
20 as the GraphQL field does by default.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from domain.envelopes import is_erased
from domain.values import to_json
from projections.figures import ClientFigures
from projections.figures.signals import SignalKind

CONTACTS_SHOWN = 20


def client_json(figures: ClientFigures, onsets: Mapping[SignalKind, date | None],
                contacts: int = CONTACTS_SHOWN) -> dict[str, Any]:
    """The client's figures, each signal with when it began (`onsets`)."""
    shown: dict[str, Any] = to_json(figures)
    shown["signals"] = [{"kind": s["kind"], "since": to_json(onsets.get(signal.kind)),
                         **{k: v for k, v in s.items() if k != "kind"}}
                        for signal, s in zip(figures.signals, shown["signals"], strict=True)]
    shown["contacts"] = shown["contacts"][-contacts:] if contacts > 0 else []
    shown["erased"] = is_erased(figures.name)
    if shown["erased"]:  # as GraphQL: null where the field may be null, "[erased]" elsewhere
        for complaint in shown["complaints"]:
            complaint.update({k: None for k in ("whatWentWrong", "correction", "prevention")
                              if is_erased(complaint.get(k))})
        for invoice in shown["payments"]["invoices"]:
            if is_erased(invoice.get("description")):
                invoice["description"] = None
    return shown
