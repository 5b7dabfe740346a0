"""Signing in through the pages: cookies, the second factor, workbenches, CSRF, logout."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ggzy.core import timers
from ggzy.core.clock import FixedClock
from ggzy.core.db import Database
from ggzy.core.events import Event
from ggzy.core.notify import Channel, MemoryNotifier
from ggzy.core.roles import Role
from ggzy.entities import auth, totp
from ggzy.entities import timers as entity_timers
from ggzy.entities.models import User, WebSession
from ggzy.entities.service import Identity
from ggzy.web.app import create_app
from ggzy.web.context import AppContext
from tests.builders import PASSWORD, a_user, csrf_from, signed_in


def memory(ctx: AppContext) -> MemoryNotifier:
    assert isinstance(ctx.notifier, MemoryNotifier)
    return ctx.notifier


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


def test_an_administrator_opens_an_account_and_only_the_person_learns_how_to_sign_in(
    client: TestClient,
    anon_client: TestClient,
    app_ctx: AppContext,
    session: Session,
    clock: FixedClock,
    ident: Identity,
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
    assert r.status_code == 200 and "已通过短信向本人发送一次性验证码" in r.text
    assert 'data-testid="temp-password"' not in r.text
    new = session.execute(select(User).where(User.username == "newbidder")).scalar_one()
    sms = memory(app_ctx).last(new.id, Channel.SMS)
    code = sms.body.split("一次性验证码 ")[1][:8]
    assert code not in r.text
    page = anon_client.get("/login/code").text
    form_data = {"username": "newbidder", "code": code, "new": "My-Own-Password-7", "confirm": "My-Own-Password-7"}
    r = anon_client.post("/login/code", data={**form_data, "code": "00000000", "csrf_token": csrf_from(page)})
    assert r.status_code == 401 and "验证码不正确" in r.text
    r = anon_client.post("/login/code", data={**form_data, "csrf_token": csrf_from(page)})
    assert r.status_code == 303 and r.headers["location"] == "/login?code_set=1"
    assert "新口令已设置" in anon_client.get("/login?code_set=1").text
    r = anon_client.post("/login/code", data={**form_data, "csrf_token": csrf_from(page)})
    assert r.status_code == 401, "a code works once"
    token = csrf_from(anon_client.get("/login").text)
    r = anon_client.post("/login", data={"username": "newbidder", "password": "My-Own-Password-7", "csrf_token": token})
    assert r.headers["location"] == "/workbench"
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


# --- finding 1: a half-finished sign-in reaches only the second-factor step ----------------------


def test_a_password_alone_cannot_replace_the_second_factor_and_sign_in(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity
) -> None:
    """The reported attack: POST /login → GET /account/totp → POST /account/totp with a chosen secret."""
    regulator = a_user(session, clock, ident, role=Role.SECTOR_SUPERVISOR)
    session.commit()
    sealed = regulator.user.totp_secret
    r = post_login(client, regulator.username, PASSWORD)
    assert r.headers["location"] == "/login/otp"  # type: ignore[attr-defined]
    half = dict(client.cookies)
    form = client.get("/account/totp")
    assert form.status_code == 303 and form.headers["location"] == "/login/otp"
    chosen = totp.new_secret()
    csrf = csrf_from(client.get("/login/otp").text)
    r2 = client.post(
        "/account/totp", data={"secret": chosen, "code": totp.code_at(chosen, clock.now()), "csrf_token": csrf}
    )
    assert r2.status_code == 303 and r2.headers["location"] == "/login/otp"
    assert "set-cookie" not in r2.headers, "no new session"
    assert dict(client.cookies) == half
    assert client.get("/api/v1/log/entries").status_code in (401, 403)
    assert client.get("/workbench/sector_supervisor").headers["location"].startswith("/login")
    session.expire_all()
    assert session.get(User, regulator.user.id).totp_secret == sealed  # type: ignore[union-attr]
    assert not session.execute(select(Event).where(Event.type == "auth.totp_replaced")).first()


def test_replacing_the_factor_needs_a_full_sign_in_and_the_current_code_and_shows_on_the_account_page(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity
) -> None:
    operator = a_user(session, clock, ident, role=Role.OPERATOR)
    session.commit()
    assert operator.secret is not None
    signed_in(client, operator, clock)
    clock.advance(timedelta(seconds=30))  # the sign-in code is spent; the next step's code is fresh
    form = client.get("/account/totp")
    assert form.status_code == 200 and "更换动态口令" in form.text and 'name="current_code"' in form.text
    new = form.text.split('data-testid="totp-secret">')[1].split("<")[0]
    data = {"secret": new, "code": totp.code_at(new, clock.now()), "csrf_token": csrf_from(form.text)}
    wrong = client.post("/account/totp", data={**data, "current_code": "000000"})
    assert wrong.status_code == 422 and "当前动态口令不正确" in wrong.text
    ok = client.post("/account/totp", data={**data, "current_code": totp.code_at(operator.secret, clock.now())})
    assert ok.status_code == 303 and ok.headers["location"] == "/account?totp=replaced"
    page = client.get("/account?totp=replaced").text
    assert "动态口令已更换" in page
    history = page.split('data-testid="account-history"')[1].split("</section>")[0]
    assert "更换动态口令" in history and "testclient" in history
    session.expire_all()
    user = session.get(User, operator.user.id)
    assert user is not None
    assert totp.matching_step(new, totp.code_at(new, clock.now()), clock.now()) is not None
    assert ident.cipher.open(user.totp_secret or "", aad=f"totp:{user.id}") == new


def test_first_enrolment_from_the_password_step_still_works_for_an_account_without_a_factor(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity
) -> None:
    inspector = a_user(session, clock, ident, role=Role.INSPECTOR, with_totp=False)
    session.commit()
    post_login(client, inspector.username, PASSWORD)
    form = client.get("/account/totp?first=1")
    assert form.status_code == 200 and 'name="current_code"' not in form.text
    secret = form.text.split('data-testid="totp-secret">')[1].split("<")[0]
    r = client.post(
        "/account/totp",
        data={"secret": secret, "code": totp.code_at(secret, clock.now()), "csrf_token": csrf_from(form.text)},
    )
    assert r.status_code == 303 and "set-cookie" in r.headers
    assert client.get("/workbench/inspector").status_code == 200


# --- finding 3: second-factor guessing is counted on the account -------------------------------


def test_wrong_codes_spread_over_password_sign_ins_pause_the_second_factor(
    client: TestClient, session: Session, clock: FixedClock, ident: Identity
) -> None:
    supervisor = a_user(session, clock, ident, role=Role.SUPERVISOR)
    session.commit()
    assert supervisor.secret is not None
    statuses = []
    for _ in range(ident.second_factor_failures + 1):
        post_login(client, supervisor.username, PASSWORD)
        page = client.get("/login/otp")
        r = client.post("/login/otp", data={"code": "000000", "csrf_token": csrf_from(page.text)})
        statuses.append(r.status_code)
    assert statuses[:-2] == [401] * (len(statuses) - 2) and statuses[-2:] == [429, 429]
    post_login(client, supervisor.username, PASSWORD)
    page = client.get("/login/otp")
    r = client.post(
        "/login/otp", data={"code": totp.code_at(supervisor.secret, clock.now()), "csrf_token": csrf_from(page.text)}
    )
    assert r.status_code == 429 and "动态口令连续错误次数过多" in r.text and "已暂停至" in r.text


def test_the_token_api_counts_second_factor_failures_across_password_sign_ins(
    anon_client: TestClient, session: Session, clock: FixedClock, ident: Identity
) -> None:
    operator = a_user(session, clock, ident, role=Role.OPERATOR)
    session.commit()
    assert operator.secret is not None
    body = {"username": operator.username, "password": PASSWORD, "name": "脚本"}
    codes = [anon_client.post("/api/v1/auth/tokens", json={**body, "totp_code": "000000"}) for _ in range(30)]
    assert codes[0].status_code == 401 and codes[-1].status_code == 429
    assert sum(r.status_code == 401 for r in codes) == ident.second_factor_failures - 1
    right = anon_client.post(
        "/api/v1/auth/tokens", json={**body, "totp_code": totp.code_at(operator.secret, clock.now())}
    )
    assert right.status_code == 429 and right.headers["content-type"] == "application/problem+json"
    assert "已暂停" in right.json()["detail"]


# --- finding 4: throttled, and saying so ---------------------------------------------------------


def test_a_paused_address_is_told_so_in_chinese_and_the_owner_elsewhere_signs_in(
    client: TestClient, app_ctx: AppContext, session: Session, clock: FixedClock, ident: Identity
) -> None:
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    session.commit()
    for _ in range(ident.limits.pair_failures - 1):
        assert post_login(client, bidder.username, "Wrong-Password-1").status_code == 401  # type: ignore[attr-defined]
    r = post_login(client, bidder.username, "Wrong-Password-1")
    assert r.status_code == 429 and "已暂停" in r.text  # type: ignore[attr-defined]
    right = post_login(client, bidder.username, PASSWORD)
    assert right.status_code == 429 and "用户名或口令错误" not in right.text  # type: ignore[attr-defined]
    assert "已暂停此地址对该账户的登录" in right.text  # type: ignore[attr-defined]
    unknown = [post_login(client, "no-such-user", "Wrong-Password-1") for _ in range(ident.limits.pair_failures)]
    assert unknown[-1].status_code == 429 and "已暂停此地址对该账户的登录" in unknown[-1].text  # type: ignore[attr-defined]
    client.cookies.clear()  # a script, not a browser
    api = client.post("/api/v1/auth/tokens", json={"username": bidder.username, "password": PASSWORD, "name": "x"})
    assert api.status_code == 429 and api.json()["code"] == "sign-in-paused"
    with TestClient(
        create_app(app_ctx), base_url="https://testserver", follow_redirects=False, client=("198.51.100.20", 50000)
    ) as elsewhere:
        assert post_login(elsewhere, bidder.username, PASSWORD).status_code == 303  # type: ignore[attr-defined]


# --- web/deps.py: one read per request, activity written by the tick -----------------------------


@contextmanager
def counted(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = db.bind.engine

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in ("SELECT", "INSERT", "UPDATE", "DELETE"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_a_get_resolves_the_caller_with_one_select_and_writes_nothing(
    client: TestClient, db: Database, app_ctx: AppContext, session: Session, clock: FixedClock, ident: Identity
) -> None:
    auditor = a_user(session, clock, ident, role=Role.SECTOR_SUPERVISOR)
    session.commit()
    signed_in(client, auditor, clock)
    clock.advance(timedelta(minutes=5))  # the old code wrote last_seen_at once a minute during GETs
    with counted(db) as statements:
        r = client.get("/workbench")  # needs the caller and nothing else
    assert r.status_code == 303 and r.headers["location"] == "/workbench/sector_supervisor"
    assert len(statements) == 1, statements
    assert statements[0].lstrip().upper().startswith("SELECT")
    raw, _ = auth.issue_token(session, auditor.actor, name="脚本", clock=clock, ident=ident)
    session.commit()
    with (
        TestClient(create_app(app_ctx), base_url="https://testserver", follow_redirects=False) as script,
        counted(db) as statements,
    ):
        r = script.get("/workbench", headers={"authorization": f"Bearer {raw}"})
    assert r.status_code == 303 and len(statements) == 1, statements


def test_session_activity_keeps_a_reader_signed_in_and_reaches_the_database_at_the_tick(
    client: TestClient, app_ctx: AppContext, session: Session, clock: FixedClock, ident: Identity
) -> None:
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    session.commit()
    signed_in(client, bidder, clock)
    (ws,) = session.execute(select(WebSession).where(WebSession.user_id == bidder.user.id)).scalars()
    started = ws.last_seen_at
    for _ in range(3):  # 60 minutes of reading, twice the idle timeout, with no write in any request
        clock.advance(ident.idle - timedelta(minutes=10))
        assert client.get("/workbench/bidder").status_code == 200
    session.expire_all()
    assert session.get(WebSession, ws.token_hash).last_seen_at == started  # type: ignore[union-attr]
    source = next(s for s in entity_timers.sources(app_ctx) if s.name == "auth.session_activity")
    report = timers.tick(app_ctx.db, [source], clock.now())
    assert report.applied == 1 and report.failed == 0
    session.expire_all()
    assert session.get(WebSession, ws.token_hash).last_seen_at == clock.now()  # type: ignore[union-attr]
    clock.advance(ident.idle + timedelta(seconds=1))
    assert client.get("/workbench/bidder").headers["location"].startswith("/login"), "idle still ends a session"


# --- finding 5: the administrator cannot become anybody ---------------------------------------


def test_the_administrator_resets_a_bidder_but_cannot_sign_in_as_it(
    client: TestClient,
    anon_client: TestClient,
    app_ctx: AppContext,
    session: Session,
    clock: FixedClock,
    ident: Identity,
) -> None:
    admin = a_user(session, clock, ident, role=Role.ADMIN)
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    session.commit()
    signed_in(client, admin, clock)
    users = client.get("/admin/users").text
    r = client.post(f"/admin/users/{bidder.user.id}/reset", data={"csrf_token": csrf_from(users)})
    assert r.status_code == 200 and "已通过短信向本人发送一次性验证码" in r.text
    code = memory(app_ctx).last(bidder.user.id, Channel.SMS).body.split("一次性验证码 ")[1][:8]
    assert code not in r.text
    for password in (PASSWORD, code):  # neither the old password nor anything on the admin's screen works
        assert post_login(anon_client, bidder.username, password).status_code == 401  # type: ignore[attr-defined]
    api = client.post(f"/api/v1/users/{bidder.user.id}/reset", headers={"x-csrf-token": csrf_from(users)})
    assert api.status_code == 200 and api.json() == {
        "user_id": bidder.user.id,
        "pending_review": False,
        "request_id": None,
    }


def test_a_staff_reset_waits_for_the_supervision_office_and_is_shown_to_both(
    client: TestClient,
    anon_client: TestClient,
    app_ctx: AppContext,
    session: Session,
    clock: FixedClock,
    ident: Identity,
) -> None:
    admin = a_user(session, clock, ident, role=Role.ADMIN)
    office = a_user(session, clock, ident, role=Role.SUPERVISOR)
    operator = a_user(session, clock, ident, role=Role.OPERATOR)
    session.commit()
    signed_in(client, admin, clock)
    users = client.get("/admin/users").text
    r = client.post(f"/admin/users/{operator.user.id}/reset", data={"csrf_token": csrf_from(users)})
    assert r.status_code == 200 and 'data-testid="pending-review"' in r.text
    assert memory(app_ctx).to(operator.user.id) == []
    assert client.get("/admin/reviews").status_code == 403, "the administrator does not review"
    listed = client.get("/api/v1/account-requests")
    assert listed.status_code == 403
    # the person concerned sees it on their account page
    signed_in(anon_client, operator, clock)
    page = anon_client.get("/account").text
    assert "涉及本账户的变更" in page and "重置口令" in page and "待复核" in page
    anon_client.cookies.clear()
    # the supervision office sees it on its workbench and approves it
    clock.advance(timedelta(seconds=30))
    signed_in(anon_client, office, clock)
    bench = anon_client.get("/workbench/supervisor").text
    assert "复核：重置口令" in bench and operator.username in bench
    reviews = anon_client.get("/admin/reviews")
    assert reviews.status_code == 200 and operator.username in reviews.text
    (pending,) = anon_client.get("/api/v1/account-requests").json()
    assert pending["kind"] == "reset" and pending["requested_by"] == admin.user.id
    r = anon_client.post(f"/admin/reviews/{pending['id']}/approve", data={"csrf_token": csrf_from(reviews.text)})
    assert r.status_code == 303 and r.headers["location"] == "/admin/reviews?done=approved"
    assert memory(app_ctx).last(operator.user.id, Channel.SMS)
    assert "暂无待复核事项" in anon_client.get("/admin/reviews").text
