"""投标 — bid registration, sealed bids and the online opening (T3, T4, T5, S4).

Owns: documents and who took them, bids and receipts, the opening key's shares, the opening record's rows.
May not: read or count bids before the opening, or change a project or section except through projects' verbs.
"""
