"""Loading the figures of many clients in one go: one page of a list, one round trip.

A list row knows only what the portfolio index holds; when a query asks a row for a
figure, the page's rows ask this loader, which fetches the states of every row of
the page at once (`ReadModel.sealed_figures_of`, a bounded number of queries, sharing the
read side's figure cache) off the event loop; each row opens the personal fields of
only the parts a query asks for.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from api.bootstrap import Services
from projections.figures import ClientFigures
from projections.read_model import Sealed

FiguresLoader = DataLoader[str, Sealed[ClientFigures]]


def figures_loader(services: Services, as_of: date) -> FiguresLoader:
    """A loader of client figures as of `as_of`, for one page of one request."""

    def compute(refs: Sequence[str]) -> list[Sealed[ClientFigures] | BaseException]:
        found = services.read_model.sealed_figures_of(refs, as_of)
        return [found[ref] if ref in found
                else LookupError(f"client {ref} vanished from the read model")
                for ref in refs]

    async def load(refs: list[str]) -> Sequence[Sealed[ClientFigures] | BaseException]:
        return await run_in_threadpool(compute, refs)

    return DataLoader(load_fn=load)
