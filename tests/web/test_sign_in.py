"""Signing in through the pages: cookies, the second factor, workbenches, CSRF, logout."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.events import Event
from ggzy.core.roles import Role
from ggzy.entities import totp
from ggzy.entities.service import Identity
from tests.builders import PASSWORD, a_user, csrf_from, signed_in


def post_login(client: TestClient, username: str, password: str) -> object:
    token = csrf_from(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def test_a_bidder_signs_in_and_sees_its_workbench(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity
) -> None:
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    session.commit()
    r = post_login(client, bidder.username, PASSWORD)
    assert r.status_code == 303  # type: ignore[attr-defined]
    cookie = r.headers["set-cookie"]  # type: ignore[attr-defined]
    assert cookie.startswith("__Host-ggzy_session=")
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert client.get("/workbench").headers["location"] == "/workbench/bidder"
    page = client.get("/workbench/bidder")
    assert "投标人/供应商工作台" in page.text and "暂无待办事项" in page.text
    event = session.execute(select(Event).where(Event.type == "auth.login_succeeded")).scalar_one()
    assert event.ip == "testclient" and event.actor_id == bidder.user.id and event.role == "bidder"


def test_a_bidder_cannot_open_the_operators_workbench(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity
) -> None:
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    session.commit()
    signed_in(client, bidder, clock)
    r = client.get("/workbench/operator")
    assert r.status_code == 403
    assert "无权访问" in r.text and "交易中心工作人员工作台" in r.text


def test_staff_pass_the_second_factor_before_anything_else(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity
) -> None:
    operator = a_user(session, clock, ident, role=Role.OPERATOR)
    session.commit()
    r = post_login(client, operator.username, PASSWORD)
    assert r.headers["location"] == "/login/otp"  # type: ignore[attr-defined]
    assert client.get("/workbench/operator").headers["location"].startswith("/login")
    page = client.get("/login/otp")
    bad = client.post("/login/otp", data={"code": "000000", "csrf_token": csrf_from(page.text)})
    assert bad.status_code == 401 and "动态口令不正确" in bad.text
    assert operator.secret is not None
    good = client.post(
        "/login/otp", data={"code": totp.code_at(operator.secret, clock.now()), "csrf_token": csrf_from(page.text)}
    )
    assert good.status_code == 303
    assert "交易中心工作人员工作台" in client.get("/workbench/operator").text


def test_staff_without_a_second_factor_are_sent_to_enrol(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity
) -> None:
    auditor = a_user(session, clock, ident, role=Role.AUDITOR, with_totp=False)
    session.commit()
    r = post_login(client, auditor.username, PASSWORD)
    assert r.headers["location"] == "/account/totp?first=1"  # type: ignore[attr-defined]
    page = client.get("/account/totp?first=1")
    assert "<svg" in page.text and "须启用动态口令" in page.text
    secret = csrf = page.text
    secret = secret.split('data-testid="totp-secret">')[1].split("<")[0]
    csrf = csrf_from(page.text)
    r = client.post(
        "/account/totp", data={"secret": secret, "code": totp.code_at(secret, clock.now()), "csrf_token": csrf}
    )
    assert r.status_code == 303
    assert "审计工作台" in client.get("/workbench/auditor").text


def test_a_wrong_password_shows_the_same_message_as_an_unknown_user(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity
) -> None:
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    session.commit()
    a = post_login(client, bidder.username, "Wrong-Password-9")
    b = post_login(client, "nobody-here", "Wrong-Password-9")
    assert a.status_code == b.status_code == 401  # type: ignore[attr-defined]
    assert "用户名或口令错误" in a.text and "用户名或口令错误" in b.text  # type: ignore[attr-defined]


def test_forms_without_the_csrf_token_or_from_another_site_are_refused(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity
) -> None:
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    session.commit()
    signed_in(client, bidder, clock)
    assert client.post("/logout").status_code == 403
    token = csrf_from(client.get("/account").text)
    r = client.post("/logout", data={"csrf_token": token}, headers={"origin": "https://evil.example"})
    assert r.status_code == 403 and "跨站请求被拒绝" in r.text
    assert client.get("/workbench/bidder").status_code == 200, "still signed in after the refused logouts"


def test_logout_ends_the_session_on_the_server(
    client: TestClient, anon_client: TestClient, session: Session, clock: FixedClock, ident: Identity
) -> None:
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    session.commit()
    signed_in(client, bidder, clock)
    stolen = dict(client.cookies)
    token = csrf_from(client.get("/account").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    for k, v in stolen.items():
        anon_client.cookies.set(k, v)
    assert anon_client.get("/workbench/bidder").headers["location"].startswith("/login")


def test_an_administrator_opens_an_account_that_must_change_its_password(
    client: TestClient, anon_client: TestClient, session: Session, clock: FixedClock, ident: Identity
) -> None:
    admin = a_user(session, clock, ident, role=Role.ADMIN)
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    session.commit()
    signed_in(client, admin, clock)
    form = client.get("/admin/users/new").text
    r = client.post(
        "/admin/users/new",
        data={
            "org_id": bidder.user.org_id,
            "username": "newbidder",
            "display_name": "新投标员",
            "roles": "bidder",
            "csrf_token": csrf_from(form),
        },
    )
    assert r.status_code == 200 and "一次性口令" in r.text
    temp = r.text.split('data-testid="temp-password">')[1].split("<")[0]
    token = csrf_from(anon_client.get("/login").text)
    r = anon_client.post("/login", data={"username": "newbidder", "password": temp, "csrf_token": token})
    assert r.headers["location"] == "/account?must_change=1"
    assert anon_client.get("/workbench/bidder").headers["location"] == "/account?must_change=1"
    page = anon_client.get("/account?must_change=1").text
    r = anon_client.post(
        "/account/password",
        data={"old": temp, "new": "My-Own-Password-7", "confirm": "My-Own-Password-7", "csrf_token": csrf_from(page)},
    )
    assert "口令已修改" in r.text
    assert anon_client.get("/workbench/bidder").status_code == 200


def test_auditors_read_the_event_log_and_bidders_do_not(
    client: TestClient, anon_client: TestClient, session: Session, clock: FixedClock, ident: Identity
) -> None:
    auditor = a_user(session, clock, ident, role=Role.AUDITOR)
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    session.commit()
    signed_in(client, auditor, clock)
    page = client.get("/audit/events")
    assert page.status_code == 200 and "登记市场主体" in page.text
    signed_in(anon_client, bidder, clock)
    assert anon_client.get("/audit/events").status_code == 403
