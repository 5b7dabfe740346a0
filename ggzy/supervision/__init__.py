"""监管 — the supervision platform's eyes: red flags, collusion screens, alerts, dashboards (S2, S5–S7).

Owns: alerts and scan marks; the analytic engine (flags/, ocds/, analyze/, collusion/) that reads OCDS only.
May not: change a trade (it reads other domains, it never writes them); the engine imports no table and no web.
"""
