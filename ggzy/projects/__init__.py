"""项目 — registration (受理登记) and the trade lifecycle of projects and their sections (T1, T14)."""
