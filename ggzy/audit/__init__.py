"""审计与透明 — the event log's public face: signed checkpoints, proofs, the auditors' reader (S3).

Owns: no tables of its own; it reads the kernel's log (events, merkle nodes, tree heads) and signs checkpoints.
May not: write any row but a checkpoint, nor show an auditor or inspector an event outside their scope (policy).
"""
