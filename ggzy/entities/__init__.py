"""市场主体与用户 — market entities, people, roles, sign-in and API tokens (P2 主体库, N1)."""
