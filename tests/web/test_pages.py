"""Public pages render in Chinese, with our own assets only, and the right security headers."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ggzy.core import transparency
from ggzy.core.clock import FixedClock
from ggzy.core.keys import Keys
from tests.builders import an_org


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/", "最新公告"),
        ("/rules", "投标人少于此数不得开标"),
        ("/transparency", "透明日志"),
        ("/entities", "市场主体库"),
        ("/login", "用户登录"),
    ],
)
def test_public_pages_speak_chinese(client: TestClient, path: str, text: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert text in r.text
    assert '<html lang="zh-CN">' in r.text


def test_the_home_page_says_when_there_are_no_notices(client: TestClient) -> None:
    assert "暂无公告" in client.get("/").text


def test_pages_load_nothing_from_other_hosts(client: TestClient) -> None:
    for path in ("/", "/login", "/docs", "/transparency"):
        html = client.get(path).text
        assert not re.search(r"""(src|href)=["']https?://""", html), path


def test_the_api_docs_work_offline(client: TestClient) -> None:
    html = client.get("/docs").text
    assert "/static/apidocs/swagger-ui-bundle.js" in html
    assert client.get("/static/apidocs/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/ggzy/apidocs.js").status_code == 200
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/log/proof/inclusion" in spec["paths"]


def test_security_headers_are_set(client: TestClient) -> None:
    h = client.get("/").headers
    assert "default-src 'self'" in h["content-security-policy"]
    assert h["x-frame-options"] == "DENY"
    assert h["x-content-type-options"] == "nosniff"
    assert h["cache-control"] == "no-store"


def test_health(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_the_transparency_page_shows_the_latest_signed_head_and_checks_a_record(
    client: TestClient, session: Session, clock: FixedClock, keys: Keys
) -> None:
    an_org(session, clock)
    sth = transparency.sign_checkpoint(session, keys=keys, origin="ggzy.localhost/log/v1", clock=clock)
    session.commit()
    assert sth is not None
    page = client.get("/transparency").text
    assert f'data-testid="sth-size">{sth.size}<' in page
    checked = client.get(f"/transparency?index={sth.size - 1}").text
    assert "通过：该记录包含在签名树头中" in checked


def test_the_entity_directory_searches_by_name_and_hides_contacts_from_the_public(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    org = an_org(session, clock, name="新乡市可搜索建设有限公司")
    session.commit()
    assert "新乡市可搜索建设有限公司" in client.get("/entities", params={"q": "可搜索"}).text
    detail = client.get(f"/entities/{org.id}").text
    assert org.credit_code in detail
    assert org.contact_phone not in detail


def test_unknown_pages_get_a_chinese_404(client: TestClient) -> None:
    r = client.get("/no/such/page")
    assert r.status_code == 404
    assert "页面不存在" in r.text


def test_every_api_operation_is_named_in_chinese(client: TestClient) -> None:
    """Issue 13 item 4: the API documentation listed operations as `Create Token`, `List Organisations`."""
    spec = client.get("/api/openapi.json").json()
    unnamed = [
        f"{method.upper()} {path}: {op.get('summary')}"
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if not re.search(r"[\u4e00-\u9fff]", op.get("summary") or "")
    ]
    assert not unnamed, "\n".join(unnamed)
