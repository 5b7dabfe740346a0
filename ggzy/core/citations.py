"""依据 — a legal basis as people read it: laws by title and article, without the requirement ids, module paths and
English glosses that the indicator catalogue keeps for developers (issue 13 item 4)."""

from __future__ import annotations

import re

_REQ = re.compile(r"REQUIREMENTS [A-Z]\d+ \(([^)]*)\)\s*")
_MODULE = re.compile(r"\s*— ggzy\.[\w.*]+(?:,\s*ggzy\.[\w.*]+)*")
_ARTICLE = re.compile(r"\barts?\.\s*(\d+)")
_ASCII_PAREN = re.compile(r"\s*\((?=[^()]*[A-Za-z])[^()\u4e00-\u9fff]*\)")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def readable(basis: str) -> str:
    """招标投标法 第24条；政府采购法 第35条 … from the catalogue's mixed text; segments without Chinese are left out."""
    text = _MODULE.sub("", basis)
    text = _REQ.sub(lambda m: m.group(1) + "：", text)
    text = _ARTICLE.sub(lambda m: f"第{m.group(1)}条", text)
    text = _ASCII_PAREN.sub("", text)
    text = text.replace(" and ", "、").replace("cf. ", "参见").replace("): ", ")：")
    parts = []
    for part in re.split(r";\s*", text):
        part = part.strip().rstrip("：").strip()
        if _CJK.search(part):
            parts.append(part)
    return "；".join(parts) or "参见开放合同伙伴关系（Open Contracting Partnership）Cardinal 指标说明"
