"""围标串标 — bid-price collusion screens and the tender-level collusion classifier (S6)."""
