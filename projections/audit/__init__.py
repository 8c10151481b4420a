"""Tamper evidence (SPEC §8.1): the leaves of the ledger's Merkle tree, the tree's
hashing and proofs (RFC 9162 §2.1), signed checkpoints, and the checks of `verify`.

- `leaves`: the leaf of a stored event, from its stored bytes (never decrypted);
- `merkle`: tree hashes, inclusion and consistency proofs and their verifiers;
- `checkpoints`: signed tree heads (Ed25519) and the signing key file;
- `notary`: keeps the stored tree current, issues checkpoints, answers proofs;
- `verification`: recomputes the tree from the events and checks every checkpoint;
- `sealed`: the sealed export an auditor verifies offline.
"""
