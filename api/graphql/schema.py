"""The served schema: queries, mutations and subscriptions with Palabra's guards.

`build_schema(settings)` adds the limits of the settings (depth, tokens, aliases),
disables introspection when asked, caches parsing and validation, and presents
errors the Palabra way (`api.graphql.errors`).  `schema.graphql` at the repository
root is this schema's SDL (`python -m api.graphql.export` writes it).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as aliases_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import DEFAULT_ALLOWED_OPERATION_TYPES
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from api.graphql.errors import ErrorPresenter, log_errors
from api.graphql.mutations import Mutation, raw_append
from api.graphql.queries import Query
from api.graphql.scalars import SCALARS
from api.graphql.subscriptions import Subscription
from api.settings import Settings

CACHE_SIZE = 256


class PalabraSchema(strawberry.Schema):
    """Strawberry's schema, logging errors the Palabra way; subscriptions only stream
    (over the WebSocket): a subscription sent as a plain request is refused."""

    def process_errors(self, errors: list[GraphQLError],
                       execution_context: ExecutionContext | None = None) -> None:
        log_errors(errors, execution_context)

    async def execute(self, query: str | None, variable_values: dict[str, Any] | None = None,
                      context_value: Any | None = None, root_value: Any | None = None,
                      operation_name: str | None = None,
                      allowed_operation_types: Iterable[OperationType] | None = None,
                      operation_extensions: dict[str, Any] | None = None) -> ExecutionResult:
        allowed = set(allowed_operation_types or DEFAULT_ALLOWED_OPERATION_TYPES)
        return await super().execute(query, variable_values, context_value, root_value,
                                     operation_name, allowed - {OperationType.SUBSCRIPTION},
                                     operation_extensions)


class ReportingParserCache(ParserCache):
    """The parser cache, leaving a document it cannot parse (a syntax error, too many
    tokens) to strawberry's own parsing, which reports it as a request error."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with contextlib.suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(context.query,
                                                                  **context.parse_options)
        yield


def build_schema(settings: Settings,
                 observers: Sequence[type[SchemaExtension]] = ()) -> strawberry.Schema:
    """The schema with the settings' limits; `observers` are extensions that watch every
    operation (the metrics)."""
    # the limits' validation rules are built once: strawberry's limiters build a new rule
    # class per request, and a new rule defeats the validation cache (keyed by the rules)
    limits: list[type[ASTValidationRule]] = [depth_validator(settings.max_depth, None),
              aliases_validator(settings.max_aliases)]
    extensions: list[Callable[[], SchemaExtension]] = [*observers,
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ReportingParserCache(maxsize=CACHE_SIZE),
        lambda: AddValidationRules(limits),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    extensions += [lambda: ValidationCache(maxsize=CACHE_SIZE), ErrorPresenter]
    schema = PalabraSchema(query=Query, mutation=Mutation, subscription=Subscription,
                           extensions=extensions, config=StrawberryConfig(scalar_map=SCALARS))
    raw_append(schema)
    return schema
