"""信用 — credit records per entity, sanctions with a scope, lookups of outside lists with their provenance.

Owns the credit tables, the credit-source Protocol and the enforcement check that bidding, deposits, evaluation
and the award call (一处失信，处处受限). Reads organisations and sections through their domains' queries.
"""
