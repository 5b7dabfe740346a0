"""数据交换 — OCDS 1.1 export of the platform's own trades (P3), the input of live supervision.

Owns: no tables; it turns projects, sections, notices and opened bids into OCDS releases.
May not: write anything, nor export who bid or what they offered before the opening.
"""
