"""The served schema is the checked-in `schema.graphql`, and keeps the contract: every
type, field, argument, input field and enum value of `contract/schema.next.graphql` (which
holds all of `contract/schema.graphql`, plus this round's additions) is served with the
same type, nullability and default, and no input takes a field the contract does not."""

from __future__ import annotations

from enum import Enum

import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
    print_ast,
)
from graphql.utilities.get_default_value_ast import get_default_value_ast

from api.graphql import enums
from api.graphql.export import SCHEMA_FILE, sdl
from api.graphql.inputs import EVENT_TYPES
from domain import values
from domain.relationship import EVENT_TYPES as LEDGER_EVENT_TYPES
from projections import state
from projections.figures import outcomes, payments, portfolio, trust
from projections.figures import signals as signal_rules
from tests.support import CONTRACT, CONTRACT_NEXT


@pytest.fixture(scope="module")
def contract() -> GraphQLSchema:
    return build_schema(CONTRACT.read_text())


@pytest.fixture(scope="module")
def contract_next() -> GraphQLSchema:
    return build_schema(CONTRACT_NEXT.read_text())


@pytest.fixture(scope="module")
def served() -> GraphQLSchema:
    return build_schema(sdl())


def test_the_checked_in_schema_is_the_served_one() -> None:
    assert SCHEMA_FILE.read_text() == sdl(), (
        "schema.graphql is stale: run `python -m api.graphql.export`")


def test_nothing_of_the_contract_is_broken_or_changed_dangerously(
        contract: GraphQLSchema, served: GraphQLSchema) -> None:
    """Dangerous but allowed: what the next contract itself adds (`fromNow`)."""
    next_version = build_schema(CONTRACT_NEXT.read_text())
    allowed = {str(c) for c in find_dangerous_changes(contract, next_version)}
    assert [str(c) for c in find_breaking_changes(contract, served)] == []
    assert [str(c) for c in find_dangerous_changes(contract, served)
            if str(c) not in allowed] == []


def _shape(value: GraphQLArgument | GraphQLInputField) -> str:
    """An argument's or input field's type and default, as SDL writes them."""
    default = get_default_value_ast(value)
    return str(value.type) + ("" if default is None else f" = {print_ast(default)}")


def _named(schema: GraphQLSchema) -> dict[str, GraphQLNamedType]:
    return {name: t for name, t in schema.type_map.items() if not name.startswith("__")}


def test_every_type_field_argument_and_value_of_the_next_contract_is_served_alike(
        contract_next: GraphQLSchema, served: GraphQLSchema) -> None:
    """The next contract as a whole (it keeps all of the contract: the test below)."""
    problems: list[str] = []
    ours = _named(served)
    for name, theirs in _named(contract_next).items():
        mine = ours.get(name)
        if mine is None or type(mine) is not type(theirs):
            problems.append(f"{name}: missing or of another kind")
            continue
        if isinstance(theirs, GraphQLEnumType):
            assert isinstance(mine, GraphQLEnumType)
            problems += [f"{name}.{v}: missing" for v in theirs.values if v not in mine.values]
        elif isinstance(theirs, GraphQLObjectType | GraphQLInterfaceType):
            assert isinstance(mine, GraphQLObjectType | GraphQLInterfaceType)
            for field_name, field in theirs.fields.items():
                served_field = mine.fields.get(field_name)
                if served_field is None:
                    problems.append(f"{name}.{field_name}: missing")
                    continue
                if str(served_field.type) != str(field.type):
                    problems.append(f"{name}.{field_name}: {served_field.type} is not "
                                    f"{field.type}")
                for arg_name, arg in field.args.items():
                    served_arg = served_field.args.get(arg_name)
                    if served_arg is None:
                        problems.append(f"{name}.{field_name}({arg_name}): missing")
                    elif _shape(served_arg) != _shape(arg):
                        problems.append(f"{name}.{field_name}({arg_name}): "
                                        f"{_shape(served_arg)} is not {_shape(arg)}")
        elif isinstance(theirs, GraphQLInputObjectType):
            assert isinstance(mine, GraphQLInputObjectType)
            if mine.is_one_of != theirs.is_one_of:
                problems.append(f"{name}: @oneOf differs")
            for field_name, field in theirs.fields.items():
                served_input = mine.fields.get(field_name)
                if served_input is None:
                    problems.append(f"{name}.{field_name}: missing")
                elif _shape(served_input) != _shape(field):
                    problems.append(f"{name}.{field_name}: {_shape(served_input)} is not "
                                    f"{_shape(field)}")
            problems += [f"{name}.{f}: not in the contract" for f in mine.fields
                         if f not in theirs.fields]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("ours", "theirs"), [
    (enums.Party, values.Party), (enums.PromiseKind, values.PromiseKind),
    (enums.ItemSource, outcomes.ItemSource), (enums.ItemStatus, outcomes.ItemStatus),
    (enums.InvoiceStatus, payments.InvoiceStatus), (enums.AgingBucket, payments.AgingBucket),
    (enums.Band, trust.Band), (enums.Confidence, trust.Confidence),
    (enums.RelationshipState, state.RelationshipState), (enums.EndReason, values.EndReason),
    (enums.Channel, values.Channel), (enums.Direction, values.Direction),
    (enums.ContactPurpose, values.ContactPurpose),
    (enums.ComplaintCategory, values.ComplaintCategory), (enums.Severity, values.Severity),
    (enums.Basis, values.Basis), (enums.DisputeOutcome, values.DisputeOutcome),
    (enums.SignalKind, signal_rules.SignalKind), (enums.ClientOrder, portfolio.ClientOrder),
])
def test_each_graphql_enum_is_its_domain_enum(ours: type[Enum], theirs: type[Enum]) -> None:
    assert ours is theirs  # served as they are: figures need no conversion


def test_every_event_type_of_the_ledger_has_its_input() -> None:
    assert sorted(EVENT_TYPES.values()) == sorted(LEDGER_EVENT_TYPES)


def _elements(schema: GraphQLSchema) -> dict[str, str]:
    """Every type, field, argument, input field and enum value of a schema, by its path
    (`Type`, `Type.field`, `Type.field(argument)`, `Enum.VALUE`), with its shape."""
    found: dict[str, str] = {}
    for name, named in _named(schema).items():
        one_of = isinstance(named, GraphQLInputObjectType) and named.is_one_of
        found[name] = type(named).__name__ + (" @oneOf" if one_of else "")
        if isinstance(named, GraphQLEnumType):
            found.update({f"{name}.{value}": "value" for value in named.values})
        elif isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                found[f"{name}.{field_name}"] = str(field.type)
                found.update({f"{name}.{field_name}({arg_name})": _shape(arg)
                              for arg_name, arg in field.args.items()})
        elif isinstance(named, GraphQLInputObjectType):
            found.update({f"{name}.{field_name}": _shape(field)
                          for field_name, field in named.fields.items()})
    return found


#: what the next contract adds to the contract (all of it served)
ADDITIONS = {
    "PaymentHistory.writtenOff",
    "Subscription.events(fromNow)",
    *(f"Mutation.{name}{part}" for name in (
        "updateProfile", "endRelationship", "resumeRelationship", "renegotiatePromise",
        "cancelPromise", "reviseExpectation", "meetExpectation", "missExpectation",
        "disputeInvoice", "resolveDispute", "writeOffInvoice", "agreePaymentPlan",
        "reversePayment", "acknowledgeComplaint", "reopenComplaint", "requestService",
        "giveAdvice", "answerAdvice") for part in ("", "(input)", "(meta)")),
    "Client.erased",
    "ForgetClient", "ForgetClient.ref", "ForgetClient.reason", "EventInput.forgetClient",
    "Mutation.forgetClient", "Mutation.forgetClient(input)", "Mutation.forgetClient(meta)",
    "Query.checkpoint", "Query.checkpoint(treeSize)",
    "Query.checkpoints", "Query.checkpoints(first)", "Query.checkpoints(after)",
    "Query.inclusionProof", "Query.inclusionProof(position)",
    "Query.inclusionProof(treeSize)",
    "Query.consistencyProof", "Query.consistencyProof(fromSize)",
    "Query.consistencyProof(toSize)",
    "LedgerEvent.leafHash",
    "Checkpoint", *(f"Checkpoint.{f}" for f in (
        "treeSize", "rootHash", "issuedAt", "keyId", "signature")),
    "CheckpointEdge", "CheckpointEdge.cursor", "CheckpointEdge.node",
    "CheckpointConnection", "CheckpointConnection.edges", "CheckpointConnection.pageInfo",
    "InclusionProof", *(f"InclusionProof.{f}" for f in (
        "position", "treeSize", "leafHash", "path", "checkpoint")),
    "ConsistencyProof", *(f"ConsistencyProof.{f}" for f in (
        "fromSize", "toSize", "path", "checkpoint")),
}


def test_the_next_contract_keeps_the_contract_and_adds_what_these_lists_say(
        contract: GraphQLSchema, contract_next: GraphQLSchema) -> None:
    before, after = _elements(contract), _elements(contract_next)
    assert {path: after.get(path) for path in before} == before
    assert set(after) - set(before) == ADDITIONS


def test_there_is_a_typed_mutation_for_every_event_type(served: GraphQLSchema) -> None:
    mutations = set(served.type_map["Mutation"].fields)  # type: ignore[union-attr]
    assert sorted(set(served.type_map["EventInput"].fields)  # type: ignore[union-attr]
                  - mutations) == []
