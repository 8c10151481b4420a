"""Over GraphQL, a client exists from its onboarding date: before it `client` is null,
`clients` and `portfolio` leave it out, and `contactAllowed` refuses with UNKNOWN_CLIENT."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.documents import APPEND
from tests.support.graphql import gql

QUERY = """query($on: Date!) {
  client(ref: "kestrel", asOf: $on) { ref state version }
  clients(asOf: $on) { totalCount edges { node { ref } } }
  portfolio(asOf: $on) { clients unscored byBand { band count } totals { currency outstanding } }
}"""
POLICY = 'query($on: Date!) { contactAllowed(ref: "kestrel", on: $on) { allowed } }'


def test_a_client_is_absent_before_its_onboarding_date(client: TestClient) -> None:
    items = [
        {"event": {"onboardClient": {"ref": "old", "name": "Old", "currency": "EUR"}},
         "meta": {"occurredOn": "2025-02-01"}},
        {"event": {"onboardClient": {"ref": "kestrel", "name": "Kestrel", "currency": "USD"}},
         "meta": {"occurredOn": "2025-11-10"}},
        {"event": {"issueInvoice": {"ref": "kestrel", "amount": "500.00",
                                    "description": "Brand book"}},
         "meta": {"occurredOn": "2025-11-12"}},
    ]
    gql(client, APPEND, {"items": items}, "writer").ok()
    before = gql(client, QUERY, {"on": "2025-06-30"}, "reader").ok()
    assert before["client"] is None
    assert before["clients"] == {"totalCount": 1, "edges": [{"node": {"ref": "old"}}]}
    assert before["portfolio"]["clients"] == 1
    assert [t["currency"] for t in before["portfolio"]["totals"]] == ["EUR"]  # no USD
    assert gql(client, POLICY, {"on": "2025-06-30"}, "reader").codes == ["UNKNOWN_CLIENT"]
    after = gql(client, QUERY, {"on": "2025-11-10"}, "reader").ok()
    assert after["client"] == {"ref": "kestrel", "state": "ACTIVE", "version": 2}
    assert after["clients"]["totalCount"] == 2
    assert after["portfolio"]["clients"] == 2
    assert gql(client, POLICY, {"on": "2025-11-10"}, "reader").ok()["contactAllowed"][
        "allowed"] is True
