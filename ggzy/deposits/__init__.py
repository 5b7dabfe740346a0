"""保证金 — bid security: a double-entry ledger of fen, the bank's payments and refunds, forfeiture.

Owns the deposit tables and the bank Protocol; reads sections and organisations through their
domains' queries and never writes them.
"""
