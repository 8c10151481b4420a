"""The portfolio index, kept by the projection worker (the read side never writes it).

`refresh_index(read_model, as_of)` computes the index rows of a day that are missing or
stale, with the figures a single client is answered with, and moves the day's marker
to the read models' position: the rows of that day are then complete up to there.
A client not yet onboarded on the day has no row.
The runner keeps today's day current, and the past days of its horizon
(`PALABRA_INDEX_DAYS`) when it has nothing else to do; `palabra project --once` does
today once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from projections.figures import figures
from projections.figures.portfolio import index_entry
from projections.read_model import ReadModel

ANALYZE_AFTER = 1000  # index rows built at once, after which the statistics are refreshed


def refresh_index(read_model: ReadModel, as_of: date, chunk: int = 500,
                  stop: Callable[[], bool] | None = None) -> int:
    """Compute the index rows of `as_of` that are missing or stale; returns how many.

    The day's marker in the database says up to which position its rows are complete
    and with which weights: then only the clients changed since are looked at; other
    weights mean every row is computed again.  The read models catch up first.
    `stop` is asked after each chunk: True ends the call there; the rows are kept, and
    the marker moves only once the day is complete, so the next call goes on where
    this one stopped.  The figures are not kept in the read model's caches:
    they are stored, and a day of every client would crowd out what reads use."""
    view = read_model.view
    read_model.projector.catch_up()
    position, marked, weights = view.day_marker(as_of)
    if marked == position and weights == read_model.weights_key:
        return 0
    if weights not in (None, read_model.weights_key):
        stale = sorted(view.versions())
    else:
        stale = view.stale_entries(as_of, since=marked)
    parts = [stale[start:start + chunk] for start in range(0, len(stale), chunk)] or [[]]
    computed = 0
    for number, refs in enumerate(parts, 1):
        states = view.states(refs)
        view.save_entries(as_of, [
            index_entry(figures(state, as_of, read_model.weights))
            for state in states.values() if state.exists_on(as_of)],
            read_model.weights_key, complete_at=position if number == len(parts) else None,
            absent=[ref for ref, state in states.items() if not state.exists_on(as_of)])
        computed += len(refs)
        if stop is not None and number < len(parts) and stop():
            break
    if computed >= ANALYZE_AFTER:
        view.analyze()
    return computed
