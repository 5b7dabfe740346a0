"""Query words: cut by jieba-rs with the platform's dictionary, expanded with synonyms, codes whole (no database)."""

from __future__ import annotations

import pytest

from ggzy.core.errors import Invalid
from ggzy.notices import search, segment

SYN = {"道路": ["公路", "市政道路", "路面"], "学校": ["中学", "小学"]}


def test_the_platform_dictionary_keeps_places_and_trade_terms_whole() -> None:
    words = dict(segment.platform_words())
    assert {"长垣市", "长垣", "卫辉市", "市政道路", "全过程工程咨询"} <= set(words)
    assert segment.words("长垣市道路改造") == ["长垣市", "道路", "改造"]
    assert segment.words("新乡中学") == ["新乡", "中学"]
    assert segment.words("辅道改造") == ["辅道", "改造"]


def test_a_lone_character_is_joined_to_its_neighbour_so_every_word_is_still_typed_text() -> None:
    for run in ("线路面改造", "卫河新乡段堤防", "S229线"[4:], "中小学多媒体教学设备采购"):
        for w in segment.words(run):
            assert w in run and len(w) >= min(2, len(run))


def test_a_word_expands_to_its_synonyms_as_alternative_phrases() -> None:
    assert search.phrases("道路", SYN) == [[["道路"], ["公路"], ["市政", "政道", "道路"], ["路面"]]]
    assert search.phrases("新乡学校", SYN) == [[["新乡"]], [["学校"], ["中学"], ["小学"]]]
    assert (
        search.fts_match(search.phrases("道路改造", SYN))
        == '("道路" OR "公路" OR "市政 政道 道路" OR "路面") AND "改造"'
    )
    assert search.tsquery(search.phrases("道路改造", SYN)) == "(道路 | 公路 | (市政 & 政道 & 道路) | 路面) & 改造"


def test_a_quoted_phrase_is_exact_and_not_expanded() -> None:
    assert search.phrases('"新乡道路"', SYN) == [[["新乡", "乡道", "道路"]]]
    assert search.phrases("“道路”", SYN) == [[["道路"]]]


def test_codes_are_one_whole_term_on_both_sides() -> None:
    assert search.phrases("XXZB-2026-0004") == [[["xxzb20260004"]]]
    assert search.phrases("xxzb-2026-0004-01 道路", {}) == [[["xxzb2026000401"]], [["道路"]]]
    terms = search.terms_of("项目编号：XXZB-2026-0004", "某局", "ZB2026000001", codes=["XXZB-2026-0004-01"]).split()
    assert {"xxzb20260004", "xxzb2026000401", "zb2026000001"} <= set(terms)
    assert terms.count("xxzb20260004") == 1


def test_one_chinese_character_alone_is_still_refused() -> None:
    with pytest.raises(Invalid, match="至少输入两个汉字"):
        search.phrases("水", {})
    assert search.phrases("S229线", {}) == [[["s229"]]]
