"""Palabra's GraphQL API (the contract: `schema.graphql` at the repository root).

Mount it with `app.include_router(graphql_router(services, authenticate),
prefix="/graphql")`; `build_schema(settings)` gives the schema alone.  One module
per concern: scalars, enums, types, ledger_types, inputs, queries, mutations,
subscriptions, permissions, errors, context, loaders, guard (what a document may ask
for: depth, aliases, cost), body (reading a request's JSON), metrics, schema, router,
export.
"""

from api.graphql.router import graphql_router
from api.graphql.schema import build_schema

__all__ = ["build_schema", "graphql_router"]
