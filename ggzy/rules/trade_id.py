"""统一交易标识码 — the one id a section (标段) carries in every exchange with the national public resource
trading platform (全国公共资源交易平台), so that its project, notices, opening record, candidates, result, credit and
supervision records join across systems.

Found: the platform generated no such id before (projects and sections have the platform's own codes, e.g.
`XXZB-2026-0003-01`, unique here only). The official coding rule of the national data specification
(全国公共资源交易平台数据规范) is not available on this machine, so the id is defined here, in one place, from what is:
the trade categories of 《公共资源交易平台管理暂行办法》 (国家发展改革委等14部委令第39号) art. 2 and the administrative
division code (GB/T 2260). Shape:

    <region 6 digits><category 2 digits><the section's code without hyphens><check character>

The check character is ISO 7064 MOD 37,36 over everything before it, so a mistyped id is caught. When the official
rule is obtained, change `CATEGORY_CODES` and `make` here (and docs/national-exchange.md); nothing else builds ids.
"""

from __future__ import annotations

from datetime import date

from ggzy.rules.base import Citation, Regime, Unit, rule
from ggzy.rules.catalog import Category

MEASURES_39 = "公共资源交易平台管理暂行办法（国家发展改革委等14部委令第39号）"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# the categories of art. 2 (工程建设项目招标投标、土地使用权和矿业权出让、国有产权交易、政府采购 …), numbered here
CATEGORY_CODES: dict[Category, str] = {
    Category.CONSTRUCTION: "01",
    Category.WORKS_GOODS: "01",
    Category.WORKS_SERVICES: "01",
    Category.GP_GOODS: "02",
    Category.GP_SERVICES: "02",
    Category.GP_WORKS: "02",
    Category.LAND: "03",
    Category.MINING: "04",
    Category.STATE_PROPERTY: "05",
    Category.CONFISCATED: "99",
}

TRADE_ID = rule(
    "exchange.trade_id",
    "统一交易标识码：行政区划代码6位＋交易类别2位＋标段编号＋ISO 7064 MOD 37,36 校验位"
    "（官方编码规则未取得，本平台暂定）",
    0,
    Unit.COUNT,
    Regime.PLATFORM,
    Citation(MEASURES_39, "第2条（交易类别）", verify=True),
    date(2026, 12, 3),
    note="全国公共资源交易平台数据规范的编码规则未在本地取得；取得后在 ggzy/rules/trade_id.py 一处修改",
)


def check_character(body: str) -> str:
    """ISO 7064 MOD 37,36 (hybrid system, alphanumeric)."""
    p = 36
    for ch in body:
        v = ALPHABET.index(ch)
        s = (p + v) % 36 or 36
        p = (s * 2) % 37
    return ALPHABET[(37 - p) % 36]  # the character c with (p + c) mod 36 = 1


def make(region: str, category: str, section_code: str) -> str:
    body = f"{region}{CATEGORY_CODES[Category(category)]}{section_code.replace('-', '').upper()}"
    if not body.isalnum() or not body.isascii():
        raise ValueError(f"a trade id is made of digits and Latin capitals: {body!r}")
    return body + check_character(body)


def is_valid(trade_id: str) -> bool:
    t = trade_id.strip().upper()
    if len(t) < 10 or not t.isascii() or not t.isalnum():
        return False
    return check_character(t[:-1]) == t[-1]
