"""OCDS 开放合同数据 — reading OCDS 1.1 files and flattening releases into columnar tables."""
