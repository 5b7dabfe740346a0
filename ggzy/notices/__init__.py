"""信息发布 — notices: drafting, publication, the portal's search and feeds (T2, P1)."""
