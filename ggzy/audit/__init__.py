"""审计与透明 — the event log's public face: signed checkpoints, proofs, the auditors' reader (S3)."""
