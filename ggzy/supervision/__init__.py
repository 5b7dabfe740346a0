"""监管 — the supervision platform's eyes: red flags, collusion screens, alerts, dashboards (S2, S5–S7)."""
