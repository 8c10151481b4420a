"""The read side of Palabra: client figures folded from the ledger's events.

- `state`: a client's events folded into a `ClientState` (`evolve`, `fold`), and its
  stored form;
- `figures`: every figure of a client as of a date, pure functions of (state, asOf),
  with the early-warning `signals`;
- `store`: the event store and the read models on SQLite or PostgreSQL, and the stored
  Merkle tree;
- `audit`: tamper evidence — leaves, the RFC 9162 tree and proofs, signed checkpoints,
  `verify` and the sealed export;
- `projector` (applies the log to the read models), `indexer` (the portfolio index of
  a day) and `runner` (the worker that does both): the only writers of read models;
- `read_model` (`ReadModel`: what the API and the command line ask, answered without
  writing) and `cursors` (the client list's keyset cursors).
"""
