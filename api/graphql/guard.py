"""What a GraphQL document may ask for, decided before anything runs, in one linear pass.

`weigh(...)` walks each operation once, remembering what each fragment weighs, so a
document that spreads fragments into each other (a "fragment bomb": F0 spreads F1
twice, F1 spreads F2 twice, …) costs as much to check as it is long, not as much as
it would be to run.  It refuses, with INVALID_INPUT and a plain message:

- a fragment that spreads itself (directly or through others);
- more fragments than `MAX_FRAGMENTS`, or a field asked for under the same name
  more than `MAX_REPEATS` times in one selection, fragments spread in it included
  (these bound the work of graphql-core's own validation, whose overlapping-fields
  check is quadratic in both);
- more aliases than the settings allow, counted as if fragments were expanded;
- an operation deeper than the settings allow (introspection fields count too;
  an operation that introspects may go to `INTROSPECTION_DEPTH`, as GraphiQL's
  standard introspection query is 13 deep);
- an operation costing more than the budget (`PALABRA_MAX_COST`), where
  * every field costs 1;
  * a field with `first` or `last` costs what it selects times that number (at most
    the largest page); other lists of objects cost their elements' cost times
    `LIST_SIZE` (invoices, items, signals, …; the edges of a page and
    introspection's lists count once);
  * a client whose figures are asked for (anything beyond ref, name, currency,
    version, state and asOf) costs `FIGURES` more, and `SINCE` more when any of
    its signals' `since` is asked for (that replays its history);
  * a field given a date other than today (`asOf`, `on`) or any `knownAt` costs
    `PAST` times as much (figures of the past are computed, not kept).

It also says whether the document introspects the schema and which root fields
the operation asks for (the metrics' label).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
    get_named_type,
    is_leaf_type,
)
from graphql.language import DocumentNode
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef

MAX_FRAGMENTS = 64
MAX_REPEATS = 20
INTROSPECTION_DEPTH = 15
LIST_SIZE = 10
FIGURES = 10
SINCE = 20
PAST = 3
LIGHT_CLIENT_FIELDS = frozenset({"ref", "name", "currency", "version", "state", "asOf",
                                 "__typename"})
PAST_ARGUMENTS = ("asOf", "on")
META_FIELDS = {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef,
               "__typename": TypeNameMetaFieldDef}


class Refused(Exception):
    """The document asks for more than it may; the message says what to change."""


@dataclass(frozen=True)
class Limits:
    max_depth: int
    max_aliases: int
    max_cost: int
    max_first: int


@dataclass
class Weight:
    """What a selection set asks for (its fragments expanded)."""

    cost: int = 0
    depth: int = 0
    aliases: int = 0
    figures: bool = False  # a client's figures are asked for (below the nearest client)
    since: bool = False  # a signal's `since` is asked for (below the nearest client)
    introspects: bool = False
    names: dict[str, int] = field(default_factory=dict)  # how often each answer is asked

    def add(self, other: Weight, deeper: int = 0) -> None:
        self.cost += other.cost
        self.depth = max(self.depth, other.depth + deeper)
        self.aliases += other.aliases
        self.figures |= other.figures
        self.since |= other.since
        self.introspects |= other.introspects


@dataclass
class Verdict:
    """A document that passed: whether it introspects, and each operation's root fields."""

    introspects: bool = False
    root_fields: dict[str | None, tuple[str, ...]] = field(default_factory=dict)


def weigh(schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any] | None,
          today: date, limits: Limits) -> Verdict:
    """The verdict on a parsed document; raises `Refused` with a plain message."""
    return _Walk(schema, document, variables or {}, today, limits).verdict()


class Verdicts:
    """`weigh`, remembering the verdicts of the documents last passed: a verdict depends
    on the document, the day, the limits and only the variables the walk read (those
    given to `first`, `last`, `knownAt` and the dates), so a document asked again with
    other values elsewhere (the client's ref) is not walked again.  Refusals are not
    remembered."""

    def __init__(self, schema: GraphQLSchema, limits: Limits, size: int = 256) -> None:
        self.schema = schema
        self.limits = limits
        self.size = size
        self._read: dict[tuple[str, date], tuple[str, ...]] = {}  # the variables each read
        self._passed: OrderedDict[tuple[str, date, str], Verdict] = OrderedDict()
        self._lock = threading.Lock()

    def weigh(self, query: str, document: DocumentNode,
              variables: Mapping[str, Any] | None, today: date) -> Verdict:
        given = variables or {}
        with self._lock:
            read = self._read.get((query, today))
            key = None if read is None else (query, today, _values(given, read))
            if key is not None and key in self._passed:
                self._passed.move_to_end(key)
                return self._passed[key]
        walk = _Walk(self.schema, document, given, today, self.limits)
        verdict = walk.verdict()
        read = tuple(sorted(walk.read))
        with self._lock:
            self._read[(query, today)] = read
            self._passed[(query, today, _values(given, read))] = verdict
            while len(self._passed) > self.size:
                forgotten, day, _ = self._passed.popitem(last=False)[0]
                self._read.pop((forgotten, day), None)
        return verdict


def _values(variables: Mapping[str, Any], names: tuple[str, ...]) -> str:
    return json.dumps([variables.get(name) for name in names], sort_keys=True, default=str)


class _Walk:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode,
                 variables: Mapping[str, Any], today: date, limits: Limits) -> None:
        self.schema = schema
        self.variables = variables
        self.today = today.isoformat()
        self.limits = limits
        self.operations = [d for d in document.definitions
                           if isinstance(d, OperationDefinitionNode)]
        self.fragments = {d.name.value: d for d in document.definitions
                          if isinstance(d, FragmentDefinitionNode)}
        self.weighed: dict[str, Weight] = {}
        self.open: set[str] = set()
        self.read: set[str] = set()  # the variables the verdict depends on

    def verdict(self) -> Verdict:
        if len(self.fragments) > MAX_FRAGMENTS:
            raise Refused(f"the document defines {len(self.fragments)} fragments; at most "
                          f"{MAX_FRAGMENTS} are accepted")
        verdict = Verdict()
        aliases = 0
        for operation in self.operations:
            root = self.schema.get_root_type(operation.operation)
            weight = self.selection_set(operation.selection_set, root)
            name = operation.name.value if operation.name else None
            most = self.limits.max_depth
            if weight.introspects:
                most = max(most, INTROSPECTION_DEPTH)
            if weight.depth > most:
                raise Refused(f"'{name or 'anonymous'}' exceeds maximum operation depth of "
                              f"{most}")
            if weight.cost > self.limits.max_cost:
                raise Refused(f"this query costs {weight.cost}, over the budget of "
                              f"{self.limits.max_cost}: ask for fewer clients (first), "
                              "fewer aliases, fewer nested lists or fewer past dates")
            aliases += weight.aliases
            verdict.introspects |= weight.introspects
            verdict.root_fields[name] = root_fields(operation.selection_set, self.fragments)
        if aliases > self.limits.max_aliases:
            raise Refused(f"{aliases} aliases found. Allowed: {self.limits.max_aliases}")
        return verdict

    def selection_set(self, node: SelectionSetNode, parent: GraphQLNamedType | None) -> Weight:
        total = Weight()
        repeats = total.names  # fragments' fields count in the selection they are spread in
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                answer = (selection.alias or selection.name).value
                repeats[answer] = repeats.get(answer, 0) + 1
                total.add(self.field(selection, parent))
                continue
            if isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                chosen = self.schema.get_type(condition.name.value) if condition else parent
                spread = self.selection_set(selection.selection_set, chosen)
            elif isinstance(selection, FragmentSpreadNode):
                spread = self.fragment(selection.name.value)
            else:
                continue
            total.add(spread)
            for answer, count in spread.names.items():
                repeats[answer] = repeats.get(answer, 0) + count
        for answer, count in repeats.items():
            if count > MAX_REPEATS:
                raise Refused(f"'{answer}' is asked for {count} times in one selection "
                              f"(fragments included); at most {MAX_REPEATS} are accepted")
        return total

    def fragment(self, name: str) -> Weight:
        known = self.weighed.get(name)
        if known is not None:
            return known
        if name in self.open:
            raise Refused(f"fragment {name} spreads itself (through its own fields or "
                          "other fragments)")
        definition = self.fragments.get(name)
        if definition is None:
            return Weight()  # graphql-core's validation names the unknown fragment
        self.open.add(name)
        weight = self.selection_set(definition.selection_set,
                                    self.schema.get_type(definition.type_condition.name.value))
        self.open.discard(name)
        self.weighed[name] = weight
        return weight

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> Weight:
        name = node.name.value
        definition = _field(parent, name)
        child = get_named_type(definition.type) if definition is not None else None
        inner = (self.selection_set(node.selection_set, child) if node.selection_set
                 else Weight())
        introspects = name in ("__schema", "__type") or _introspection(parent)
        weight = Weight(aliases=1 if node.alias else 0,
                        introspects=introspects or inner.introspects)
        below = inner.cost
        if child is not None and child.name == "Client":
            below += (FIGURES if inner.figures else 0) + (SINCE if inner.since else 0)
        else:
            weight.figures, weight.since = inner.figures, inner.since
        if parent is not None and parent.name == "Client" and name not in LIGHT_CLIENT_FIELDS:
            weight.figures = True
        weight.since |= name == "since"
        weight.cost = 1 + below * self.size(
            node, definition, child, weight.introspects,
            parent is not None and parent.name.endswith("Connection")) \
            * self.past(node, definition)
        weight.depth = 1 + inner.depth if node.selection_set else 0
        weight.aliases += inner.aliases
        return weight

    def size(self, node: FieldNode, definition: GraphQLField | None,
             child: GraphQLNamedType | None, introspects: bool, parent_is_page: bool) -> int:
        if definition is None:
            return 1
        for argument in ("first", "last"):
            if argument in definition.args:
                given = self.argument(node, argument)
                value = given if isinstance(given, int) else definition.args[argument].default_value
                count = value if isinstance(value, int) and not isinstance(value, bool) else 1
                return max(1, min(count, self.limits.max_first))
        kind = definition.type
        if isinstance(kind, GraphQLNonNull):
            kind = kind.of_type
        if isinstance(kind, GraphQLList) and child is not None and not is_leaf_type(child):
            return 1 if introspects or parent_is_page else LIST_SIZE
        return 1

    def past(self, node: FieldNode, definition: GraphQLField | None) -> int:
        if definition is None:
            return 1
        if "knownAt" in definition.args and self.argument(node, "knownAt") is not None:
            return PAST
        for argument in PAST_ARGUMENTS:
            if argument in definition.args:
                given = self.argument(node, argument)
                if given is not None and given != self.today:
                    return PAST
        return 1

    def argument(self, node: FieldNode, name: str) -> Any:
        """The argument's value when written as a literal or a variable; else None."""
        for argument in node.arguments or ():
            if argument.name.value != name:
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                self.read.add(value.name.value)
                return self.variables.get(value.name.value)
            if isinstance(value, IntValueNode):
                return int(value.value) if len(value.value) < 20 else None
            if isinstance(value, StringValueNode):
                return value.value
            return value  # another literal: counted as given
        return None


def root_fields(selections: SelectionSetNode,
                fragments: Mapping[str, FragmentDefinitionNode]) -> tuple[str, ...]:
    """The names of the fields an operation asks for at its root, through fragments."""
    names: set[str] = set()
    seen: set[str] = set()
    pending = [selections]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None and selection.name.value not in seen:
                    seen.add(selection.name.value)
                    pending.append(fragment.selection_set)
    return tuple(sorted(names))


def _introspection(kind: GraphQLNamedType | None) -> bool:
    return kind is not None and kind.name.startswith("__")


def _field(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if name in META_FIELDS:
        return META_FIELDS[name]
    fields = getattr(parent, "fields", None)
    if isinstance(parent, GraphQLObjectType) or fields is not None:
        found: GraphQLField | None = (fields or {}).get(name)
        return found
    return None
