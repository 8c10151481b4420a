"""The served schema: queries, mutations and subscriptions with Palabra's guards.

`build_schema(settings)` adds the limits of the settings (tokens; depth, aliases and
the cost budget, checked in one linear pass by `api.graphql.guard`), disables
introspection when asked (and then "Did you mean …?" suggestions too), asks for a
key to introspect when keys are configured, caches parsing and validation, runs both
off the event loop for long documents, and presents errors the Palabra way
(`api.graphql.errors`).  `schema.graphql` at the repository
root is this schema's SDL (`python -m api.graphql.export` writes it).
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import Any

import strawberry
from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    execute,
    validate,
)
from starlette.concurrency import run_in_threadpool
from strawberry.extensions import (
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import DEFAULT_ALLOWED_OPERATION_TYPES
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from api.graphql.descriptions import describe
from api.graphql.errors import ErrorPresenter, Unauthenticated, log_errors
from api.graphql.guard import Limits, Refused, Verdicts
from api.graphql.roots import Mutation, Query, Subscription
from api.graphql.scalars import SCALARS
from api.settings import Settings

CACHE_SIZE = 256
OFF_LOOP_CHARS = 2000  # documents longer than this are parsed and validated in a thread


class PalabraSchema(strawberry.Schema):
    """Strawberry's schema, logging errors the Palabra way; subscriptions only stream
    (over the WebSocket): a subscription sent as a plain request is refused.  Without
    introspection, errors of execution (variables) make no suggestions either."""

    hide_suggestions = False

    @property
    def graphql_schema(self) -> GraphQLSchema:
        """The graphql-core schema this one serves (for validating and weighing documents)."""
        return self._schema

    def _get_execute_function(self) -> Callable[..., Any]:
        if self.hide_suggestions:
            return functools.partial(execute, hide_suggestions=True)
        return super()._get_execute_function()

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
    tokens) to strawberry's own parsing, which reports it as a request error.  Parsing is
    linear in the document's length, but a 2 MB document takes 0.3 s: a long one is
    parsed in a thread."""

    async def on_parse(self) -> AsyncIterator[None]:  # type: ignore[override]
        context = self.execution_context
        query = context.query or ""
        try:
            if len(query) > OFF_LOOP_CHARS:
                context.graphql_document = await run_in_threadpool(
                    self.cached_parse_document, query, **context.parse_options)
            else:
                context.graphql_document = self.cached_parse_document(
                    query, **context.parse_options)
        except GraphQLError:
            pass
        yield


def _served(context: ExecutionContext) -> GraphQLSchema:
    schema = context.schema
    assert isinstance(schema, PalabraSchema)
    return schema.graphql_schema


def guard(settings: Settings) -> type[SchemaExtension]:
    """The extension that validates a document: first Palabra's limits in one linear pass
    (`api.graphql.guard`: depth, aliases, fragments, cost; introspection needs a key when
    keys are configured; verdicts remembered), then graphql-core's rules — cached, and in
    a thread for a long document, so that a hostile document never holds the event
    loop."""
    limits = Limits(max_depth=settings.max_depth, max_aliases=settings.max_aliases,
                    max_cost=settings.max_cost, max_first=settings.max_first)
    hide = not settings.introspection
    keyed = bool(settings.api_keys)
    validated: OrderedDict[tuple[str, tuple[type[ASTValidationRule], ...]],
                           list[GraphQLError]] = OrderedDict()
    weighers: list[Verdicts] = []

    def rules_of(context: ExecutionContext) -> tuple[type[ASTValidationRule], ...]:
        return (*context.validation_rules, MaybeNullValidationRule, OneOfInputValidationRule)

    async def graphql_rules(context: ExecutionContext,
                            document: DocumentNode) -> list[GraphQLError]:
        rules = rules_of(context)
        key = (context.query or "", rules)
        if key in validated:
            validated.move_to_end(key)
            return validated[key]
        run = functools.partial(validate, _served(context), document, rules,
                                hide_suggestions=hide)
        errors = await run_in_threadpool(run) if len(key[0]) > OFF_LOOP_CHARS else run()
        validated[key] = errors
        if len(validated) > CACHE_SIZE:
            validated.popitem(last=False)
        return errors

    class Guard(SchemaExtension):
        async def on_validate(self) -> AsyncIterator[None]:
            context = self.execution_context
            document = context.graphql_document
            if document is not None and context.pre_execution_errors is None:
                context.pre_execution_errors = await self.check(context, document)
            yield

        async def check(self, context: ExecutionContext,
                        document: DocumentNode) -> list[GraphQLError]:
            caller = context.context
            if not weighers:  # the schema is built after its extensions: on first use
                weighers.append(Verdicts(_served(context), limits, CACHE_SIZE))
            try:
                verdict = weighers[0].weigh(context.query or "", document, context.variables,
                                            caller.services.today())
            except Refused as refusal:
                return [GraphQLError(str(refusal))]
            if verdict.introspects and keyed and caller.principal is None:
                needed = Unauthenticated("introspecting the schema needs an API key: send "
                                          "'Authorization: Bearer <key>'")
                return [GraphQLError(needed.message, original_error=needed)]
            return await graphql_rules(context, document)

    return Guard


def build_schema(settings: Settings,
                 observers: Sequence[type[SchemaExtension]] = ()) -> strawberry.Schema:
    """The schema with the settings' limits; `observers` are extensions that watch every
    operation (the metrics)."""
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [*observers,
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ReportingParserCache(maxsize=CACHE_SIZE),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    extensions += [guard(settings), ErrorPresenter]
    schema = PalabraSchema(query=Query, mutation=Mutation, subscription=Subscription,
                           extensions=extensions, config=StrawberryConfig(scalar_map=SCALARS))
    schema.hide_suggestions = not settings.introspection
    describe(schema._schema)
    return schema
