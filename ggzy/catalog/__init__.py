"""交易目录 — the versioned must-enter catalog that decides what is traded on the platform (S11)."""
