"""The early-warning signals: which hold as of a date, and since when.

Exports `SignalKind`, `RULES` (each kind's rule, as of one date), `signals` and
`Signal` (the signals that hold, with what to do: `RECOMMENDATIONS`), and
`signal_onsets` (when each began) with `daily` (whether each held on each of a run
of days).
"""

from projections.figures.signals.held import RECOMMENDATIONS, Signal, signals
from projections.figures.signals.kinds import CAP_DAYS, SignalKind
from projections.figures.signals.onsets import daily, signal_onsets
from projections.figures.signals.rules import RULES

__all__ = ["CAP_DAYS", "RECOMMENDATIONS", "RULES", "Signal", "SignalKind", "daily",
           "signal_onsets", "signals"]
