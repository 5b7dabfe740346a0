"""Legal bases read as laws and articles (issue 13 item 4): no requirement ids, module paths or English glosses."""

from __future__ import annotations

import re

import pytest

from ggzy.core.citations import readable
from ggzy.supervision.flags import specs


def test_the_catalogue_s_mixed_text_reads_as_laws_and_articles() -> None:
    assert readable("REQUIREMENTS S7 (规避招标); 16号令 第5条 — ggzy.rules.catalog") == "规避招标；16号令 第5条"
    assert readable("cf. 招标投标法 art. 24 (≥ 20 days) and 采购法 art. 35") == "参见招标投标法 第24条、采购法 第35条"
    e49 = "电子招标投标办法 第49条 (time, network address and operator recorded)"
    assert readable(e49) == "电子招标投标办法 第49条"


@pytest.mark.parametrize("spec", specs(), ids=lambda s: s.id)
def test_no_indicator_shows_internal_codes_to_people(spec) -> None:  # type: ignore[no-untyped-def]
    text = readable(spec.source)
    assert "REQUIREMENTS" not in text and "ggzy." not in text
    assert re.search(r"[\u4e00-\u9fff]", text)
    names = {"Cardinal", "Open", "Contracting", "Partnership"}  # a name, which stays as it is spelt
    words = [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in names]
    assert not words, text
