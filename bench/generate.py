"""Generate a valid, realistic ledger feed as JSON Lines, for benchmarks.

    python bench/generate.py --clients 1000 --events 100000 --out /tmp/feed.jsonl

Each client is onboarded, then receives invoices, payments (some late, some
partial), promises kept or broken, expectations met or missed, contacts and the
odd complaint, all dated within the last year and in date order across the
whole feed (as an integration would send them).  The same seed gives the same
file.
"""

from __future__ import annotations

import argparse
import heapq
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

START = date(2025, 11, 1)


def client_events(ref: str, count: int, rng: random.Random, start: date = START,
                  steps: tuple[int, ...] = (0, 1, 1, 2, 3),
                  ) -> Iterator[tuple[date, dict[str, Any]]]:
    """One client's events; each next one `steps` days later (picked at random)."""
    day = start + timedelta(days=rng.randrange(30))

    def line(type_: str, **data: Any) -> tuple[date, dict[str, Any]]:
        return day, {"type": type_, "clientRef": ref, "occurredOn": day.isoformat(), "data": data}

    yield line("ClientOnboarded", name=f"Client {ref}", currency="EUR", paymentTermsDays=30,
               sector=rng.choice(["retail", "logistics", "health", "media"]), contactCap=3)
    open_invoices: list[tuple[str, Decimal]] = []
    open_promises: list[str] = []
    n = 1
    while n < count:
        day += timedelta(days=rng.choice(steps))
        roll = rng.random()
        n += 1
        if roll < 0.25:
            amount = Decimal(rng.randrange(10000, 500000)) / 100
            open_invoices.append((f"INV-{n}", amount))
            yield line("InvoiceIssued", invoiceId=f"INV-{n}", amount=str(amount),
                       description="Services")
        elif roll < 0.50 and open_invoices:
            invoice, amount = open_invoices.pop(0)
            part = amount if rng.random() < 0.8 else (amount / 2).quantize(Decimal("0.01"))
            yield line("PaymentReceived", paymentId=f"PAY-{n}", amount=str(part),
                       method="transfer", invoiceId=invoice)
        elif roll < 0.62:
            open_promises.append(f"P-{n}")
            yield line("PromiseMade", promiseId=f"P-{n}", by=rng.choice(["VENDOR", "CLIENT"]),
                       kind=rng.choice(["DELIVERY", "SUPPORT", "INTEGRATION"]),
                       description="word given",
                       dueOn=(day + timedelta(days=rng.randrange(3, 30))).isoformat())
        elif roll < 0.72 and open_promises:
            promise = open_promises.pop(0)
            if rng.random() < 0.8:
                yield line("PromiseKept", promiseId=promise)
            else:
                yield line("PromiseBroken", promiseId=promise, reason="not done")
        elif roll < 0.95:
            direction = rng.choice(["OUTBOUND", "INBOUND"])
            yield line("ContactLogged", contactId=f"K-{n}", channel=rng.choice(["EMAIL", "PHONE"]),
                       direction=direction,
                       purpose=rng.choice(["COLLECTION", "SUPPORT", "CHECK_IN", "SALES"]),
                       summary="a conversation",
                       answered=direction == "INBOUND" or rng.random() < 0.5)
        else:
            yield line("ComplaintFiled", complaintId=f"C-{n}", raisedBy="CLIENT",
                       category=rng.choice(["DELAY", "BILLING", "SERVICE_FAILURE"]),
                       severity=rng.choice(["LOW", "MEDIUM", "HIGH"]), description="unhappy")


def feed(clients: int, events: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    per_client = max(2, events // clients)
    streams = [client_events(f"bench-{c:05d}", per_client, random.Random(rng.random()))
               for c in range(clients)]
    keyed = [(((day, c, k), line) for k, (day, line) in enumerate(stream))
             for c, stream in enumerate(streams)]
    for _, line in heapq.merge(*keyed, key=lambda pair: pair[0]):
        yield line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    with open(args.out, "w") as out:
        for line in feed(args.clients, args.events, args.seed):
            out.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    main()
