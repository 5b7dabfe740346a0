"""Recall cannot regress silently: a handful of the measured queries (bench/search_queries.toml) over a small corpus
made here — the demo city's notices and a few written like the Hangzhou tables' rows."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bench.search_quality import Doc, demo_docs, evaluate, load_into, load_queries

HANGZHOU_LIKE = [
    Doc(
        "昌化镇东塔街道路建设项目招标公告",
        "杭州市临安",
        "tender",
        "A3301850210506795001221",
        ("A3301850210506795001221",),
    ),
    Doc("秋石快速路三期艮秋立交北匝道工程开标记录", "杭州市", "opening", "A3301010060520060001221"),
    Doc("运河新城单元GS1001-23地块12班幼儿园设计招标公告", "杭州市拱墅", "tender", "A3301010060508558001211"),
    Doc("淳安县千岛湖镇第二小学改扩建工程招标公告", "杭州市淳安", "tender", "A3301270160508111001211"),
    Doc("淳安县汾口镇中心幼儿园新建工程中标结果公告", "杭州市淳安", "result", "A3301270160508112001211"),
    Doc(
        "2023年度（北干）老旧小区综合改造提升二期EPC工程总承包项目招标公告",
        "杭州市萧山",
        "tender",
        "A3301090130507924001211",
    ),
    Doc("西线供水二期工程（土建部分）监理招标公告", "杭州市建德", "tender", "A3301820190508130001221"),
    Doc("杭州市第一人民医院门诊楼改造工程开标记录", "杭州市", "opening", "A3301010060508001001211"),
    Doc("月亮湾地下停车场工程设计中标结果公告", "杭州市富阳", "result", "A3301080120507959001211"),
]
CHECKED = {"道路", "学校", "XXZB-2026-0004", "新乡中学", "淳安幼儿园", "老旧小区改造", "医院", "公路", "监理"}


def test_the_measured_queries_find_what_they_should_on_a_small_corpus(session: Session) -> None:
    docs = demo_docs() + HANGZHOU_LIKE
    queries = [q for q in load_queries() if q.q in CHECKED and not q.kinds]
    assert {q.q for q in queries} == CHECKED
    numbers = load_into(session, docs)
    scores = evaluate(session, docs, queries, synonyms=None, numbers=numbers)
    for q, relevant, found, right in scores.rows:
        assert relevant > 0 and right == relevant, (q, relevant, found, right)  # recall 1 on each
    assert scores.summary()["micro_precision"] >= 0.9, scores.rows
