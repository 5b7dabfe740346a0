"""信息发布 — notices: drafting, publication, the portal's search and feeds (T2, P1).

Owns: notices, their numbers (ZBGG, CQGG, KBJL, LBGG, ZZGG) and the full-text index.
May not: move a project or section; the trade domains call its `publish` verb, it never calls theirs.
"""
