"""What a GraphQL client card costs in one process, beside a bare graphql-core execution of
the same document on the same data (the peer), measured in one run.

    .venv/bin/python bench/execution_bench.py --database URL [--clients 10000] [--times 2000]

On a store whose read models are current (e.g. the one `bench/api_bench.py` loads; it
calls `compare` itself), for the same random clients, caches warmed first so that each
path reads the same cached figures:

- bare graphql-core: `graphql.execute` of the parsed document on a schema built from
  the checked-in schema.graphql, with plain resolvers (the root field calls the read
  side; every other field is an attribute of the figures);
- strawberry: Palabra's served schema (`schema.execute` with its extensions: the parser
  cache, the guard, validation, the permission, error presentation, the metrics);
- the whole app: the same operation posted through the HTTP app (middleware, body
  decoding, JSON), in process over ASGI — what a server process does per request.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

import graphql
import httpx2 as httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from api.auth import ApiKeys
from api.bootstrap import open_services
from api.graphql.context import Context
from api.graphql.schema import build_schema
from api.http import create_app
from api.settings import Settings
from projections.read_model import ReadModel, Sealed

SDL = Path(__file__).resolve().parents[1] / "schema.graphql"
KEY = "bench-reader-0123456789abcdef"
CARD = """query Card($ref: ID!) { client(ref: $ref, asOf: "2026-11-22") {
  ref name version trust { score band } payments { outstanding overdue }
  signals { kind } } }"""


def bare_schema(read: ReadModel) -> graphql.GraphQLSchema:
    """schema.graphql with plain resolvers over the same read side."""
    schema = graphql.build_schema(SDL.read_text())
    snake = {}

    def attribute(source: Any, info: graphql.GraphQLResolveInfo, **_: Any) -> Any:
        name = snake.get(info.field_name)
        if name is None:
            name = snake[info.field_name] = "".join(
                "_" + c.lower() if c.isupper() else c for c in info.field_name)
        value = (source.open(getattr(source.value, name)) if isinstance(source, Sealed)
                 else getattr(source, name))  # a part opened when asked, as served
        return value.name if isinstance(value, Enum) else value

    def client(_: Any, info: graphql.GraphQLResolveInfo, ref: str,
               asOf: str | None = None, **__: Any) -> Any:  # noqa: N803 - the schema's name
        return read.sealed_client(ref, date.fromisoformat(asOf or "2026-11-22"))

    for type_ in schema.type_map.values():
        if isinstance(type_, graphql.GraphQLObjectType):
            for field in type_.fields.values():
                field.resolve = attribute
    query = schema.query_type
    assert query is not None
    query.fields["client"].resolve = client
    decimal = schema.type_map["Decimal"]
    assert isinstance(decimal, graphql.GraphQLScalarType)
    decimal.serialize = str  # type: ignore[method-assign]
    return schema


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return (statistics.median(ordered) * 1000,
            ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000)


async def _timed(call: Callable[[str], Awaitable[None]], refs: list[str]) -> list[float]:
    samples = []
    for ref in refs:
        started = time.perf_counter()
        await call(ref)
        samples.append(time.perf_counter() - started)
    return samples


async def _compare(url: str, clients: int, times: int) -> list[tuple[str, list[float]]]:
    keys = ApiKeys.parse([f"bench:reader:{KEY}"], "bench")
    settings = Settings(database_url=url, api_keys=keys, run_projections=False,
                        log_level="WARNING", read_cache=clients + 1)  # every card cached
    services = open_services(settings)
    served = build_schema(settings)
    bare = bare_schema(services.read_model)
    document = graphql.parse(CARD)
    principal = keys.authenticate(f"Bearer {KEY}")
    app = create_app(settings)
    refs = [f"bench-{random.randrange(clients):05d}" for _ in range(times)]

    async def with_bare(ref: str) -> None:
        result = graphql.execute(bare, document, variable_values={"ref": ref})
        assert not isinstance(result, Awaitable)
        assert not result.errors, result

    async def with_strawberry(ref: str) -> None:
        context = Context(services, principal, "bench", keys.authenticate, credentials=True)
        result = await served.execute(CARD, {"ref": ref}, context)
        assert not result.errors, result.errors

    try:
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
            async def with_app(ref: str) -> None:
                answer = await http.post("/graphql", headers={"Authorization": f"Bearer {KEY}"},
                                         json={"query": CARD, "variables": {"ref": ref}})
                assert "errors" not in answer.json(), answer.text

            paths = [("bare graphql-core, same document and data", with_bare),
                     ("strawberry, the served schema", with_strawberry),
                     ("the whole app over ASGI (HTTP, middleware, JSON)", with_app)]
            for _, call in paths:  # warm every cache on every path
                await _timed(call, sorted(set(refs)))
            found: dict[str, list[float]] = {name: [] for name, _ in paths}
            for start in range(0, times, 200):  # interleaved, so that noise hits all alike
                for name, call in paths:
                    found[name] += await _timed(call, refs[start:start + 200])
            return list(found.items())
    finally:
        services.close()


def compare(url: str, clients: int, times: int = 2000) -> str:
    """The table of the three paths, with each one's ratio to the bare execution."""
    rows = asyncio.run(_compare(url, clients, times))
    base = statistics.median(rows[0][1])
    lines = ["| path (a client card, cached figures) | p50 | p99 | p50 ÷ bare |",
             "|---|---|---|---|"]
    for name, samples in rows:
        p50, p99 = _ms(samples)
        lines.append(f"| {name} | {p50:.3f} ms | {p99:.3f} ms | "
                     f"×{statistics.median(samples) / base:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--times", type=int, default=2000)
    args = parser.parse_args()
    print(compare(args.database, args.clients, args.times))


if __name__ == "__main__":
    main()
