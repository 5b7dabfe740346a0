"""行政区划 — the names of the national division codes the platform shows instead of bare numbers.

Source: 中华人民共和国县以上行政区划代码（民政部发布，GB/T 2260 的现行代码）. Only the province, its cities and the
demo city's districts and counties are listed here; a code not listed is shown as its number, so a wrong name is
never invented. Correct or extend this one table.
"""

from __future__ import annotations

SOURCE = "中华人民共和国县以上行政区划代码（民政部）"

NAMES: dict[str, str] = {
    "410000": "河南省",
    "410100": "郑州市",
    "410200": "开封市",
    "410300": "洛阳市",
    "410400": "平顶山市",
    "410500": "安阳市",
    "410600": "鹤壁市",
    "410700": "新乡市",
    "410702": "红旗区",
    "410703": "卫滨区",
    "410704": "凤泉区",
    "410711": "牧野区",
    "410721": "新乡县",
    "410724": "获嘉县",
    "410725": "原阳县",
    "410726": "延津县",
    "410727": "封丘县",
    "410781": "卫辉市",
    "410782": "辉县市",
    "410783": "长垣市",
    "410800": "焦作市",
    "410900": "濮阳市",
    "411000": "许昌市",
    "411100": "漯河市",
    "411200": "三门峡市",
    "411300": "南阳市",
    "411400": "商丘市",
    "411500": "信阳市",
    "411600": "周口市",
    "411700": "驻马店市",
    "419001": "济源市",
    "330000": "浙江省",
    "330100": "杭州市",
}


def name_of(code: str | None) -> str:
    """新乡市红旗区 for 410702, 新乡市 for 410700 or 4107, the code itself when it is not in the table."""
    if not code:
        return "—"
    text = code.strip()
    if not (text.isdigit() and len(text) in (2, 4, 6)):
        return text
    full = text.ljust(6, "0")
    own = NAMES.get(full)
    if own is None:
        return text
    if full.endswith("00"):
        return own  # a province or a city
    if own.endswith("市"):
        return own  # a county-level city is named alone (卫辉市, not 新乡市卫辉市)
    city = NAMES.get(full[:4] + "00")
    return f"{city}{own}" if city else own
