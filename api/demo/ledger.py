"""The demo ledger: which clients it holds, the story each one tells, and all their
events dated relative to `today` (nothing after it).

`palabra demo` appends `demo_recordings(today)` a day at a time on a simulated clock
(`api.demo.clock`) and prints `demo_clients()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from api.demo import stories
from api.demo.builder import History, Recording
from domain.entries import Entry

DEMO_SPOTLIGHT = "demo-tallis"  # the sale forced on a client who could not pay


@dataclass(frozen=True)
class DemoClient:
    ref: str
    name: str
    story: str  # one plain sentence: what this client's history shows


STORIES: list[tuple[DemoClient, Callable[[History], None]]] = [
    (DemoClient("demo-nordlicht", "Nordlicht Logistik GmbH",
                "Pays within terms, keeps its word and had one small complaint handled in "
                "days: a strong relationship."), stories.reliable_payer),
    (DemoClient("demo-brightwave", "Brightwave Retail S.L.",
                "Expected its integration in a week, was promised three weeks and got it "
                "after five; the complaint was resolved honestly."), stories.integration_slipped),
    (DemoClient("demo-halcyon", "Halcyon Hotels Group",
                "Said it was ready to buy, the purchase date has passed and nobody has "
                "spoken to it for over a month."), stories.ready_to_buy),
    (DemoClient("demo-vantor", "Vantor Media Ltd",
                "Mistreated our staff, wanted what we do not offer and rejected our advice, "
                "so we ended the relationship kindly."), stories.let_go),
    (DemoClient("demo-corvid", "Corvid Analytics B.V.",
                "Two invoices overdue and chased six times in a week without an answer, "
                "twice its contact cap."), stories.chased_too_often),
    (DemoClient("demo-tallis", "Tallis & Reed Bakeries",
                "Was sold more than it could afford, broke its payment promises and now "
                "pays its instalment plan late."), stories.forced_sale),
    (DemoClient("demo-meridian", "Meridian Dental Clinics",
                "Disputed an invoice for cancelled seats; the dispute was upheld with a "
                "credit note and the rest paid."), stories.disputed_invoice),
    (DemoClient("demo-orbis", "Orbis Payments Inc.",
                "We said yes to everything it asked and delivered most of it late or "
                "not at all."), stories.yes_to_everything),
    (DemoClient("demo-lumen", "Lumen Architects",
                "A transfer bounced and re-opened a paid invoice; the client has promised "
                "to resend it."), stories.bounced_transfer),
    (DemoClient("demo-kestrel", "Kestrel Design Studio",
                "A newcomer with a demo and a trial request: not enough history for a "
                "score."), stories.newcomer),
    (DemoClient("demo-greyfield", "Greyfield Construction S.A.",
                "Stopped paying, broke its payment promise, went into reorganisation: "
                "written off and ended for non-payment."), stories.written_off),
    (DemoClient("demo-aldana", "Aldana Wholesale Foods",
                "A steady client paying a six-month plan for its expansion on time, "
                "instalment after instalment."), stories.plan_honoured),
]


def demo_clients() -> list[DemoClient]:
    """The demo clients, in the order of their stories."""
    return [client for client, _ in STORIES]


def demo_recordings(today: date) -> list[Recording]:
    """Every event of every demo client, dated up to `today`, in the order the ledger
    records them: by the day each was recorded (none after `today`)."""
    recordings: list[Recording] = []
    for client, tell in STORIES:
        history = History(client.ref, today)
        tell(history)
        recordings.extend(history.recordings())
    return sorted(recordings, key=lambda r: r.recorded_on)  # stable: a stream keeps its order


def demo_entries(today: date) -> list[Entry]:
    """Every event of every demo client, dated up to `today`, in recording order, ready
    for one `append`."""
    return [recording.entry for recording in demo_recordings(today)]
