"""The GraphQL side of the metrics: each operation counted and timed under a name made
of the schema's names only (its type and root fields, e.g. `mutation append`; an
operation that failed validation is `graphql invalid`)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from graphql import FragmentDefinitionNode, get_operation_ast
from strawberry.extensions import SchemaExtension

from api.graphql.guard import root_fields
from api.metrics import Metrics

INVALID = "graphql invalid"


def metrics_extension(metrics: Metrics) -> type[SchemaExtension]:
    """The schema extension that tells `metrics` of every operation."""

    class GraphQLMetrics(SchemaExtension):
        """Counts and times each GraphQL operation."""

        executed = False

        def on_execute(self) -> Iterator[None]:
            self.executed = True  # validation passed
            yield

        def on_operation(self) -> Iterator[None]:
            started = time.perf_counter()
            yield
            context = self.execution_context
            operation = _operation_name(context) if self.executed else INVALID
            errors = context.result.errors if context.result else context.pre_execution_errors
            codes = sorted({_code(e) for e in errors or []})
            metrics.observe(operation, ",".join(codes) or "ok", time.perf_counter() - started)

    return GraphQLMetrics


def _operation_name(context: Any) -> str:
    """The validated operation's type and root fields (names of the schema only)."""
    document = context.graphql_document
    operation = get_operation_ast(document, context.operation_name) if document else None
    if operation is None:
        return INVALID
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    names = root_fields(operation.selection_set, fragments)
    return f"{operation.operation.value} {' '.join(names)}"


def _code(error: Any) -> str:
    extensions = getattr(error, "extensions", None) or {}
    return str(extensions.get("code", "INVALID_INPUT"))
