"""市场主体与用户 — market entities, people, roles, sign-in and API tokens (P2 主体库, N1).

Owns: organisations, users, role grants, web sessions, API tokens, the second factor.
May not: know a trade: only its edges call bidding (a holder's key follows their password); others use its queries.
"""
