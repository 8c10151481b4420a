"""Palabra's GraphQL API (the contract: `schema.graphql` at the repository root).

Mount it with `app.include_router(graphql_router(services, authenticate),
prefix="/graphql")`; `build_schema(settings)` gives the schema alone.

By feature, each with its types and resolvers: `client` (a client, the list of
clients, its figures as they change), `trust`, `gap`, `payments`, `portfolio`,
`contact_policy`, `audit` (histories and the event feed), `inputs` and `writes` (the
events' inputs and the mutations); `roots` puts them in the Query, Mutation and
Subscription types.  Shared: `scalars`, `enums`, `arguments`, `pages`, `errors`,
`permissions`, `context`, `loaders`, `guard` (what a document may ask for: depth,
aliases, cost), `body` (reading a request's JSON), `metrics`, `schema`, `router`,
`export` (`python -m api.graphql.export` writes the SDL), `descriptions` and
`enum_descriptions` (what every element of the schema means), `ide` (GraphiQL, served
from the package).
"""

from api.graphql.router import graphql_router
from api.graphql.schema import build_schema

__all__ = ["build_schema", "graphql_router"]
