"""模板 — the Jinja environment over the shell's and every domain's templates, with Chinese filters."""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ggzy import domains
from ggzy.core import citations, i18n
from ggzy.core.clock import local
from ggzy.core.roles import ROLE_LABELS, SECTOR_LABELS, Role, Sector
from ggzy.rules import regions

HERE = Path(__file__).parent


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return local(value).strftime(fmt) if value else "—"


def yuan(value: Decimal | None) -> str:
    return "—" if value is None else f"¥{value:,.2f}"


EVIDENCE_LABELS = {
    "value": "数值",
    "detail": "明细",
    "key": "关联键",
    "group": "分组",
    "refund": "退还记录",
    "reason": "原因",
    "amount": "金额（元）",
    "due": "应完成时间",
    "status": "状态",
    "attempts": "已尝试次数",
    "bank_error": "银行答复",
    "ip": "网络地址",
    "account": "账户",
    "bidders": "投标人",
    "members": "关联主体",
    "case": "案件",
    "deadline": "期限",
    "days": "天数",
}


def evidence_rows(evidence: object) -> list[tuple[str, str]]:
    """An alert's evidence as (label, text) rows for people; the raw JSON stays one click away on the page."""
    if not isinstance(evidence, dict):
        return [("证据", json.dumps(evidence, ensure_ascii=False))]
    rows: list[tuple[str, str]] = []
    for k, v in evidence.items():
        text = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)
        rows.append((EVIDENCE_LABELS.get(str(k), str(k)), text or "—"))
    return rows


def fen(value: int | None) -> str:
    """Integer fen (the deposit ledger's unit) shown as yuan, exactly."""
    return "—" if value is None else yuan(Decimal(value) / 100)


def tr(value: object) -> str:
    """A text that Python handed the page (a menu label, a flash message, an error): its English by msgid lookup.
    Not `_()`, which is for literals the extraction can read; this one looks up a value at render time."""
    if value is None:
        return ""
    return i18n.gettext(str(value))


_HEAD_ENDS = ("：", "（")
_FULL_WIDTH = (("：", ": "), ("（", " ("), ("）", ")"), ("，", ", "), ("；", "; "), ("、", ", "))


def tr_head(value: object) -> str:
    """A text made of a fixed head and names ("受理登记：某某项目"): the longest head the catalog holds is
    translated, the names after it are kept (with their punctuation made Western in English)."""
    text = "" if value is None else str(value)
    whole = i18n.gettext(text)
    if whole != text or i18n.current() == i18n.DEFAULT:
        return whole
    ends = sorted({i for i, ch in enumerate(text) if ch in _HEAD_ENDS}, reverse=True)
    for end in ends:
        head = i18n.gettext(text[:end])
        if head != text[:end]:
            rest = text[end:]
            for zh, en in _FULL_WIDTH:
                rest = rest.replace(zh, en)
            return head + rest
    return text


_LEFT = re.compile(r"(还剩|已逾期)(?:(\d+)天)?(?:(\d+)小时)?(?:(\d+)分钟)?")


def time_left(text: str) -> str:
    """A workbench row's time left (core.workbench.remaining, in Chinese) in the page's language."""
    m = _LEFT.fullmatch(text or "")
    if m is None or i18n.current() == i18n.DEFAULT:
        return text
    units = [(m.group(2), "d"), (m.group(3), "h"), (m.group(4), "min")]
    span = " ".join(f"{n} {u}" for n, u in units if n is not None)
    return f"overdue by {span}" if m.group(1) == "已逾期" else f"{span} left"


def make_env() -> Environment:
    loaders = [FileSystemLoader(HERE / "templates"), *(FileSystemLoader(p) for p in domains.template_dirs())]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "xml"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Chinese is the source: a template's text is the msgid; the request's locale picks the catalog (ggzy/core/i18n)
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext, npgettext=i18n.npgettext
    )
    env.globals["locale"] = i18n.current
    env.globals["html_lang"] = lambda: i18n.HTML_LANG[i18n.current()]
    env.globals["languages"] = i18n.NAMES
    env.filters["tr"] = tr
    env.filters["tr_head"] = tr_head
    env.filters["time_left"] = time_left
    env.filters["cite"] = lambda c: citations.in_locale(str(c), i18n.current())
    env.filters["local_time"] = local_time
    env.filters["yuan"] = yuan
    env.filters["region_name"] = regions.name_of
    env.filters["basis"] = lambda b: citations.in_locale(citations.readable(b), i18n.current())
    env.filters["evidence_rows"] = evidence_rows
    env.filters["fen"] = fen
    env.filters["pretty_json"] = lambda v: json.dumps(v, ensure_ascii=False, indent=2, sort_keys=True)
    env.filters["role_label"] = lambda r: tr(ROLE_LABELS.get(Role(r), r) if r in Role._value2member_map_ else r)
    env.filters["sector_label"] = lambda s: tr(
        SECTOR_LABELS.get(Sector(s), s) if s in Sector._value2member_map_ else (s or "")
    )
    return env


def render(env: Environment, name: str, context: dict[str, Any]) -> str:
    return env.get_template(name).render(**context)
