"""批量分析 — `ggzy analyze`: red flags over OCDS files, with Cardinal-compatible output and reports."""
