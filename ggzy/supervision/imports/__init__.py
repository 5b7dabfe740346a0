"""导入 — other platforms' OCDS data and trading centres' notice tables into the store of imported data."""
