"""Each signal's rule as of one date, by kind (every kind has one: checked when the
module loads).  The rules live beside their day sweeps, by what they read: `dated`
lists, promise and expectation `items`, and `money`."""

from __future__ import annotations

from projections.figures.signals.dated import (
    contact_cap_reached,
    expertise_not_valued,
    mistreatment,
    out_of_scope_demands,
    unanswered_follow_ups,
)
from projections.figures.signals.items import illusory_pipeline, overcommitting, touch_ground
from projections.figures.signals.kinds import Rule, SignalKind
from projections.figures.signals.money import broken_payment_promises, chronic_late_payer

RULES: dict[SignalKind, Rule] = {
    SignalKind.CHRONIC_LATE_PAYER: chronic_late_payer,
    SignalKind.BROKEN_PAYMENT_PROMISES: broken_payment_promises,
    SignalKind.OVERCOMMITTING: overcommitting,
    SignalKind.MISTREATMENT: mistreatment,
    SignalKind.OUT_OF_SCOPE_DEMANDS: out_of_scope_demands,
    SignalKind.EXPERTISE_NOT_VALUED: expertise_not_valued,
    SignalKind.CONTACT_CAP_REACHED: contact_cap_reached,
    SignalKind.UNANSWERED_FOLLOW_UPS: unanswered_follow_ups,
    SignalKind.ILLUSORY_PIPELINE: illusory_pipeline,
    SignalKind.TOUCH_GROUND: touch_ground,
}
if set(RULES) != set(SignalKind):  # pragma: no cover - a kind without its rule
    raise TypeError(f"no rule for {sorted(k.value for k in set(SignalKind) - set(RULES))}")
