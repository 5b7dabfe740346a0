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


def page_reads(client: TestClient) -> set[str]:
    return {f"{m} {p}" for m, p, _ in routes(client) if m == "GET" and not p.startswith("/api/")}


def test_every_page_a_person_reads_has_its_data_in_the_api_or_is_named(client: TestClient) -> None:
    """Issue 15 item 1: every page's data is readable through the API. Each GET page names its API reads, or is a
    form whose write has a twin, or is reviewed as people-only, or is a named gap — and every name is real."""
    pages, api = page_reads(client), api_routes(client)
    tables = [set(parity.READS), set(parity.FORMS), set(parity.READ_PAGE_ONLY), set(parity.READ_GAPS)]
    assert sum(len(t) for t in tables) == len(set().union(*tables)), "one table per page"
    listed = set().union(*tables)
    assert sorted(pages - listed) == [], "a page without its API read (add the read, name it in ggzy/web/parity.py)"
    assert sorted(listed - pages) == [], "ggzy/web/parity.py names pages that no longer exist"
    absent = sorted(t for reads in parity.READS.values() for t in reads if t not in api)
    assert absent == [], "reads named but not served: " + "; ".join(absent)
    assert all(r.startswith("GET ") for reads in parity.READS.values() for r in reads)
    for form, write in parity.FORMS.items():
        assert write in parity.TWINS, f"{form} submits {write}, which has no API twin"
    assert len(parity.READ_PAGE_ONLY) <= 6
    assert all(len(why) >= 6 for why in [*parity.READ_PAGE_ONLY.values(), *parity.READ_GAPS.values()])
    assert len(parity.READ_GAPS) < len(parity.READS) / 2, "most pages are readable through the API"


def test_the_read_walk_would_see_a_page_without_its_read(client: TestClient) -> None:
    pages = page_reads(client)
    without = set(parity.READS) - {"GET /notices"}
    rest = pages - without - set(parity.FORMS) - set(parity.READ_PAGE_ONLY) - set(parity.READ_GAPS)
    assert sorted(rest) == ["GET /notices"]
