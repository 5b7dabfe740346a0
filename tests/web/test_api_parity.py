"""API parity: every page route that changes state has an API twin (ggzy/web/parity.py), or is reviewed as
page-only, or is named as a known gap — and every twin named there exists."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

from fastapi import routing
from fastapi.testclient import TestClient

from ggzy.web import parity

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def routes(client: TestClient) -> Iterator[tuple[str, str, object]]:
    for rc in routing.iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        if isinstance(rc.original_route, routing.APIRoute):
            for method in sorted(rc.methods):
                yield method, rc.path_format, rc.original_route.endpoint


def page_writes(client: TestClient) -> set[str]:
    out = set()
    for method, path, endpoint in routes(client):
        if path.startswith("/api/"):
            continue
        key = f"{method} {path}"
        if method in WRITES or key in parity.STATEFUL_GETS:
            out.add(key)
        elif method == "GET":
            source = inspect.getsource(endpoint)  # type: ignore[arg-type]
            assert "unit_of_work()" not in source, f"{key} writes on a GET: list it in STATEFUL_GETS with a twin"
    return out


def api_routes(client: TestClient) -> set[str]:
    return {f"{m} {p}" for m, p, _ in routes(client) if p.startswith("/api/")}


def test_every_page_action_that_changes_state_has_an_api_twin(client: TestClient) -> None:
    pages = page_writes(client)
    assert len(pages) > 60, "the walk sees the page routes"
    tables = [set(parity.TWINS), set(parity.PAGE_ONLY), set(parity.KNOWN_GAPS)]
    assert not (tables[0] & tables[1] or tables[0] & tables[2] or tables[1] & tables[2]), "one table per route"
    listed = set().union(*tables)
    missing = sorted(pages - listed)
    assert missing == [], "a page action without an API twin (add the twin and list it in ggzy/web/parity.py): " + (
        "; ".join(missing)
    )
    assert sorted(listed - pages) == [], "ggzy/web/parity.py names page routes that no longer exist"


def test_every_twin_named_is_an_api_route_with_the_same_kind_of_verb(client: TestClient) -> None:
    api = api_routes(client)
    absent = sorted(t for twins in parity.TWINS.values() for t in twins if t not in api)
    assert absent == [], "twins named in ggzy/web/parity.py but not served: " + "; ".join(absent)
    for page, twins in parity.TWINS.items():
        assert twins, page
        assert all(t.split()[0] in WRITES for t in twins), f"{page}: a twin of a write is a write"


def test_the_exception_list_is_short_and_says_why(client: TestClient) -> None:
    assert len(parity.PAGE_ONLY) <= 6
    assert all(len(reason) >= 10 for reason in [*parity.PAGE_ONLY.values(), *parity.KNOWN_GAPS.values()])


def test_the_walk_would_see_a_page_action_without_a_twin(client: TestClient) -> None:
    """The parity check can fail: a page route taken out of the table is reported."""
    pages = page_writes(client)
    without = set(parity.TWINS) - {"POST /projects/new"}
    assert sorted(pages - without - set(parity.PAGE_ONLY) - set(parity.KNOWN_GAPS)) == ["POST /projects/new"]


def test_every_documented_api_operation_has_a_chinese_summary(client: TestClient) -> None:
    """Not the function's English name (`Create Token`): a summary of its own or its docstring's first clause."""
    english = []
    for rc in routing.iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        route = rc.original_route
        if isinstance(route, routing.APIRoute) and rc.include_in_schema:
            summary = route.summary or ""
            if not any("\u4e00" <= ch <= "\u9fff" for ch in summary):
                english.append(f"{rc.path_format} {summary!r}")
    assert english == []
    ops = client.get("/api/openapi.json").json()["paths"]
    assert ops["/api/v1/auth/tokens"]["post"]["summary"] == "以用户名、口令（及动态口令）换取接口令牌"
