"""A client's history folded for the figures.

Exports `ClientState` (everything the figures are computed from), `RelationshipState`,
`evolve` (fold one event), `fold` (a whole stream), `run` (the allocation engine over
money events), and the stored form: `encode_state`, `decode_state`,
`StateFormatError`.  The records the state is made of are in `projections.state.records`.
"""

from projections.state.codec import StateFormatError, decode_state, encode_state
from projections.state.evolve import ClientState, RelationshipState, evolve, fold, run

__all__ = ["ClientState", "RelationshipState", "StateFormatError", "decode_state",
           "encode_state", "evolve", "fold", "run"]
