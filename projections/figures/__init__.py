"""Every figure of one client as of a date, pure functions of (state, as_of).

Exports `figures` (all of a client's figures: the `Client` shape of schema.graphql),
`ClientFigures` and `Contact`.  Each figure has its module: `payments`, `outcomes`
(promises and expectations judged), `gap`, `trust`, `complaints`, `contact_policy`,
`portfolio` (sums across clients, the index entry), `windows` (date windows), `inputs`
(a state seen on one date: what the figures share), and `signals` (the early-warning
rules, and when each began).
"""

from projections.figures.client import ClientFigures, Contact, figures

__all__ = ["ClientFigures", "Contact", "figures"]
