"""评标 — bid clearing, evaluation methods, the evaluation room, expert scoring, the signed report (T7, T13)."""
