"""依据 — a legal basis as people read it: laws by title and article, without the requirement ids, module paths and
English glosses that the indicator catalogue keeps for developers (issue 13 item 4)."""

from __future__ import annotations

import re

from ggzy.core import i18n
from ggzy.core.i18n import N_

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


# The laws and rules our citations name: each is a msgid, so the catalog holds its English title.
LAW_TITLES: tuple[str, ...] = (
    N_("招标投标法实施条例"),
    N_("招标投标法"),
    N_("政府采购法实施条例"),
    N_("政府采购法"),
    N_("政府采购货物和服务招标投标管理办法（财政部令第87号）"),
    N_("政府采购货物和服务招标投标管理办法"),
    N_("政府采购质疑和投诉办法（财政部令第94号）"),
    N_("政府采购质疑和投诉办法"),
    N_("电子招标投标办法"),
    N_("本平台交易规则"),
    N_("平台与合作银行的保证金子账户接口约定"),
    N_("中国人民银行活期存款基准利率（2015年10月24日起）"),
    N_("GB/T 22239-2019 信息安全技术 网络安全等级保护基本要求"),
    N_("工程建设项目招标投标活动投诉处理办法"),
    N_("必须招标的工程项目规定"),
    N_("公共资源交易平台管理暂行办法"),
    N_("评标委员会和评标方法暂行规定"),
    N_("优化营商环境条例"),
    N_("民法典"),
    N_("政府采购非招标采购方式管理办法"),
    N_("采购法"),
    N_("实施条例"),  # "…第28条；实施条例第44条": the regulations implementing the law just cited
)
_TITLES = sorted(set(LAW_TITLES), key=len, reverse=True)
_TITLE_RE = re.compile("《?(" + "|".join(re.escape(t) for t in _TITLES) + ")》?")
_BOOK = re.compile(r"^《([^》]+)》(.*)$", re.S)
_NUMBERED: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"第\s*(\d+)\s*条"), "art. {}"),
    (re.compile(r"第\s*(\d+)\s*款"), " para. {}"),
    (re.compile(r"第\s*(\d+)\s*项"), " item {}"),
)
_PUNCT = (("（待核）", " (to be verified)"), ("、", ", "), ("：", ": "), ("参见", "see "), ("，", ", "))


def _numbers(text: str) -> str:
    for pattern, english in _NUMBERED:
        text = pattern.sub(english.format(r"\1"), text)
    return text


def _plain(text: str, locale: str) -> str:
    """Laws named in running text: "Bidding Law (招标投标法) art. 24"."""
    out = _TITLE_RE.sub(lambda m: f"{i18n.gettext(m.group(1), locale)} ({m.group(1)}) ", text)
    out = _numbers(out)
    for zh, en in _PUNCT:
        out = out.replace(zh, en)
    return re.sub(r"\s{2,}", " ", out).replace(" ,", ",").strip()


def _segment(seg: str, locale: str) -> str:
    seg = seg.strip()
    whole = i18n.gettext(seg, locale)
    if whole != seg:
        return whole
    book = _BOOK.match(seg)
    if book is None:
        return _plain(seg, locale)
    title, rest = book.group(1), book.group(2).strip()
    verify = rest.endswith("（待核）")
    rest = rest.removesuffix("（待核）").strip()
    said = i18n.gettext(rest, locale)
    rest_en = said if said != rest else _plain(rest, locale)
    title_en = i18n.gettext(title, locale)
    head = f"{title_en} ({title})" if title_en != title else title
    return " ".join(x for x in (head, rest_en, "(to be verified)" if verify else "") if x)


def in_locale(text: str, locale: str) -> str:
    """A citation as a reader of `locale` reads it. In English the law keeps its Chinese title beside the English
    one — "Bidding Law (招标投标法) art. 24" — so that it can be looked up in the official text."""
    if locale == i18n.DEFAULT or not text:
        return text
    return "; ".join(_segment(seg, locale) for seg in text.split("；") if seg.strip())


def texts_to_translate(text: str) -> list[str]:
    """The parts of a citation that are neither a known law nor an article number ("委托期限上限"): msgids."""
    out = []
    for seg in text.split("；"):
        seg = seg.strip()
        book = _BOOK.match(seg)
        rest = book.group(2).strip().removesuffix("（待核）").strip() if book else seg
        left = _numbers(_TITLE_RE.sub("", rest))
        if _CJK.search(left):
            out.append(rest)
    return out
