"""ggzy — 公共资源交易平台与电子监管平台: public resource trading and its supervision, on one event log."""

__version__ = "0.1.0"
