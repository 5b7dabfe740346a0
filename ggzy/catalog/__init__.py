"""交易目录 — the versioned must-enter catalog that decides what is traded on the platform (S11).

Owns: the catalog versions and their entries (thresholds, categories), read by projects and supervision.
May not: import any other domain; what the law says (the numbers and their articles) stays in ggzy/rules.
"""
