"""投标 — bid registration, sealed bids and the online opening (T3, T4, T5, S4)."""
