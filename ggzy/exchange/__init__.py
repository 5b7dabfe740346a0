"""数据交换 — OCDS 1.1 export of the platform's own trades (P3), the input of live supervision."""
