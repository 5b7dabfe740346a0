"""投标状态 — the life of one bid version."""

from __future__ import annotations

from enum import StrEnum


class BidStatus(StrEnum):
    SEALED = "sealed"  # 已密封递交 (the current version)
    SUPERSEDED = "superseded"  # 已被新版本替换 (kept, never decrypted)
    WITHDRAWN = "withdrawn"  # 已撤回
    OPENED = "opened"  # 已开标解密
    FAILED = "failed"  # 解密失败 (with the reason and whose fault, 电子办法 art. 31)

    @property
    def label(self) -> str:
        return {
            "sealed": "已密封递交",
            "superseded": "已被替换",
            "withdrawn": "已撤回",
            "opened": "已解密",
            "failed": "解密失败",
        }[self.value]
