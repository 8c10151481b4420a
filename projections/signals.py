"""Early-warning signals: which rules hold as of a date, and what to do about it in
plain words (when each began is `projections.since.signal_onsets`)."""

from __future__ import annotations

from dataclasses import dataclass

from projections.signal_rules import RULES, SignalKind
from projections.snapshot import Snapshot

RECOMMENDATIONS: dict[SignalKind, str] = {
    SignalKind.CHRONIC_LATE_PAYER:
        "Agree a payment calendar the client can meet before selling them more.",
    SignalKind.BROKEN_PAYMENT_PROMISES:
        "Stop accepting payment dates: agree a written plan with smaller instalments.",
    SignalKind.OVERCOMMITTING:
        "Promise less, and only what the team can deliver on time.",
    SignalKind.MISTREATMENT:
        "Protect your people: raise it with the client and consider ending the relationship.",
    SignalKind.OUT_OF_SCOPE_DEMANDS:
        "Say clearly what you offer; refer the rest to someone who does it well.",
    SignalKind.EXPERTISE_NOT_VALUED:
        "Ask whether the client still wants your expertise; if not, part kindly.",
    SignalKind.CONTACT_CAP_REACHED:
        "Pause collection calls this week: following up is not harassing.",
    SignalKind.UNANSWERED_FOLLOW_UPS:
        "Stop chasing by the same channel: try another person or a short letter.",
    SignalKind.ILLUSORY_PIPELINE:
        "Take this sale out of the forecast and spend nothing on it until it is paid.",
    SignalKind.TOUCH_GROUND:
        "Touch ground: call the client and check where this deal really stands.",
}


@dataclass(frozen=True)
class Signal:
    kind: SignalKind
    evidence: tuple[str, ...]
    recommendation: str


def signals(snapshot: Snapshot) -> tuple[Signal, ...]:
    """The signals that hold as of the snapshot's date, in SignalKind order."""
    return tuple(Signal(kind, evidence, RECOMMENDATIONS[kind]) for kind, rule in RULES.items()
                 if (evidence := rule(snapshot)) is not None)
