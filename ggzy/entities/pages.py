"""登录、账户与主体库页面 — sign-in, account security, user administration, the entity directory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ggzy.core import policy
from ggzy.core.errors import DomainError, Forbidden
from ggzy.core.roles import GRANTABLE, SECTOR_LABELS, Role, Sector
from ggzy.entities import auth, passwords, queries, service, totp
from ggzy.entities.models import WebSession
from ggzy.entities.states import ORG_KIND_LABELS, OrgKind
from ggzy.web.deps import (
    Ctx,
    CurrentActor,
    CurrentPrincipal,
    Db,
    SignedIn,
    clear_session_cookie,
    ip_of,
    page,
    resolve_principal,
    safe_next,
    set_session_cookie,
)

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
OptText = Annotated[str, Form()]


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# --- sign-in ---------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, principal: CurrentPrincipal, next: str = "") -> Response:
    if principal.signed_in:
        return _redirect(safe_next(next))
    return page(request, "entities/login.html", {"next": next, "error": "", "username": ""})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request, db: Db, ctx: Ctx, username: Text, password: Text, next: Annotated[str, Form()] = ""
) -> Response:
    ip = ip_of(request)
    outcome = auth.check_password(
        db, username=username.strip().lower(), password=password, ip=ip, clock=ctx.clock, ident=ctx.ident
    )
    if outcome.user is None or outcome.role is None:
        ctx_page = {"next": next, "error": outcome.message, "username": username[:64]}
        return page(request, "entities/login.html", ctx_page, status=401)
    _end_current(request, db)
    done = not (outcome.needs_second_factor or outcome.needs_enrolment)
    token, _ = auth.start_session(db, user=outcome.user, role=outcome.role, ip=ip, mfa_passed=done, clock=ctx.clock)
    if outcome.needs_second_factor:
        target = f"/login/otp?next={next}" if next else "/login/otp"
    elif outcome.needs_enrolment:
        target = "/account/totp?first=1"
    elif outcome.user.must_change_password:
        target = "/account?must_change=1"
    else:
        target = safe_next(next)
    resp = _redirect(target)
    set_session_cookie(resp, ctx, token)
    return resp


def _end_current(request: Request, db: Db) -> None:
    """Whatever session the browser had ends at a new sign-in step (no session fixation)."""
    p = resolve_principal(request)
    if p.web is not None:
        live = db.get(WebSession, p.web.token_hash)
        if live is not None:
            db.delete(live)


@router.get("/login/otp", response_class=HTMLResponse)
def otp_form(request: Request, next: str = "") -> Response:
    p = resolve_principal(request)
    if not p.pending_mfa:
        return _redirect("/login")
    return page(request, "entities/otp.html", {"next": next, "error": ""})


@router.post("/login/otp", response_class=HTMLResponse)
def otp(request: Request, db: Db, ctx: Ctx, code: Text, next: Annotated[str, Form()] = "") -> Response:
    p = resolve_principal(request)
    if not p.pending_mfa or p.user is None:
        return _redirect("/login")
    user = queries.get_user(db, p.user.id)
    role = p.actor.role
    ok = auth.check_second_factor(
        db, user=user, role=role, code=code, ip=ip_of(request), clock=ctx.clock, ident=ctx.ident
    )
    if not ok:
        return page(
            request, "entities/otp.html", {"next": next, "error": "动态口令不正确或已使用过，请等待下一个口令"}, 401
        )
    _end_current(request, db)
    token, _ = auth.start_session(db, user=user, role=role, ip=ip_of(request), mfa_passed=True, clock=ctx.clock)
    resp = _redirect("/account?must_change=1" if user.must_change_password else safe_next(next))
    set_session_cookie(resp, ctx, token)
    return resp


@router.post("/logout")
def logout(request: Request, db: Db, ctx: Ctx) -> Response:
    p = resolve_principal(request)
    if p.web is not None:
        auth.end_session(db, p.actor, token_hash=p.web.token_hash, clock=ctx.clock)
    resp = _redirect("/")
    clear_session_cookie(resp, ctx)
    return resp


# --- account ---------------------------------------------------------------------------------


def _account_context(db: Db, principal: SignedIn, **extra: object) -> dict[str, object]:
    assert principal.user is not None
    return {
        "user": principal.user,
        "org": queries.get_org(db, principal.user.org_id),
        "grants": queries.grants_of(db, principal.user.id),
        "tokens": queries.tokens_of(db, principal.user.id),
        "message": "",
        "error": "",
        "new_token": None,
        **extra,
    }


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, db: Db, principal: SignedIn, must_change: int = 0) -> Response:
    message = "首次登录或口令已被重置：请先设置您自己的口令。" if must_change else ""
    return page(request, "entities/account.html", _account_context(db, principal, warning=message))


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request, db: Db, ctx: Ctx, principal: SignedIn, old: Text, new: Text, confirm: Text
) -> Response:
    keep = principal.web.token_hash if principal.web else None
    try:
        if new != confirm:
            raise DomainError("两次输入的新口令不一致")
        auth.change_password(db, principal.actor, old=old, new=new, clock=ctx.clock, ident=ctx.ident, keep_session=keep)
    except DomainError as exc:
        db.rollback()
        return page(
            request, "entities/account.html", _account_context(db, principal, error=exc.message, warning=""), 422
        )
    assert principal.user is not None
    principal.user.must_change_password = False
    return page(
        request,
        "entities/account.html",
        _account_context(db, principal, message="口令已修改，其他已登录的会话已退出。", warning=""),
    )


@router.get("/account/totp", response_class=HTMLResponse)
def totp_form(request: Request, ctx: Ctx, first: int = 0) -> Response:
    p = resolve_principal(request)
    if p.user is None:
        return _redirect("/login")
    secret = totp.new_secret()
    uri = totp.provisioning_uri(secret, username=p.user.username, issuer=ctx.settings.platform_name)
    return page(
        request,
        "entities/totp.html",
        {"secret": secret, "qr": totp.qr_svg(uri), "first": first, "error": "", "me": p.user},
    )


@router.post("/account/totp", response_class=HTMLResponse)
def totp_enrol(request: Request, db: Db, ctx: Ctx, secret: Text, code: Text) -> Response:
    p = resolve_principal(request)
    if p.user is None:
        return _redirect("/login")
    try:
        user = auth.enrol_totp(db, p.actor, secret=secret, code=code, clock=ctx.clock, ident=ctx.ident)
    except DomainError as exc:
        uri = totp.provisioning_uri(secret, username=p.user.username, issuer=ctx.settings.platform_name)
        context = {"secret": secret, "qr": totp.qr_svg(uri), "first": 0, "error": exc.message, "me": p.user}
        return page(request, "entities/totp.html", context, 422)
    _end_current(request, db)
    token, _ = auth.start_session(db, user=user, role=p.actor.role, ip=ip_of(request), mfa_passed=True, clock=ctx.clock)
    resp = _redirect("/account?must_change=1" if user.must_change_password else "/account")
    set_session_cookie(resp, ctx, token)
    return resp


@router.post("/account/tokens", response_class=HTMLResponse)
def token_new(request: Request, db: Db, ctx: Ctx, principal: SignedIn, name: Text) -> Response:
    raw, _ = auth.issue_token(db, principal.actor, name=name, clock=ctx.clock, ident=ctx.ident)
    context = _account_context(
        db, principal, new_token=raw, message="令牌已签发，仅显示这一次，请妥善保存。", warning=""
    )
    return page(request, "entities/account.html", context)


@router.post("/account/tokens/{token_id}/revoke")
def token_revoke(db: Db, ctx: Ctx, principal: SignedIn, token_id: str) -> Response:
    auth.revoke_token(db, principal.actor, token_id=token_id, clock=ctx.clock)
    return _redirect("/account")


@router.post("/account/role")
def switch_role(db: Db, principal: SignedIn, role: Annotated[Role, Form()]) -> Response:
    if principal.web is None:
        raise Forbidden("只有网页会话可以切换角色")
    live = db.get(WebSession, principal.web.token_hash)
    assert live is not None
    auth.switch_role(db, live, role=role)
    return _redirect(f"/workbench/{role.value}")


# --- administration --------------------------------------------------------------------------


@router.get("/admin/users", response_class=HTMLResponse)
def admin_users(request: Request, db: Db, principal: SignedIn) -> Response:
    policy.ensure(principal.actor, policy.USER_READ)
    users = queries.list_users(db)
    rows = [(u, queries.get_org(db, u.org_id), queries.grants_of(db, u.id)) for u in users]
    return page(request, "entities/admin_users.html", {"rows": rows})


@router.get("/admin/users/new", response_class=HTMLResponse)
def admin_user_form(request: Request, db: Db, principal: SignedIn) -> Response:
    policy.ensure(principal.actor, policy.USER_MANAGE)
    return page(request, "entities/admin_user_new.html", _user_form_context(db, error="", values={}))


def _user_form_context(db: Db, *, error: str, values: Mapping[str, object]) -> dict[str, object]:
    orgs, _ = queries.list_orgs(db, limit=1000)
    return {
        "orgs": orgs,
        "roles": GRANTABLE,
        "sectors": list(Sector),
        "sector_labels": SECTOR_LABELS,
        "error": error,
        "values": values,
    }


@router.post("/admin/users/new", response_class=HTMLResponse)
async def admin_user_create(request: Request, db: Db, ctx: Ctx, principal: SignedIn) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items()}
    roles = [Role(r) for r in form.getlist("roles") if isinstance(r, str) and r in Role._value2member_map_]
    sector = str(form.get("sector") or "")
    grants = [(r, sector if r is Role.SECTOR_SUPERVISOR else "") for r in roles]
    temp = passwords.generate()
    try:
        user = service.create_user(
            db,
            principal.actor,
            org_id=values.get("org_id", ""),
            username=values.get("username", ""),
            display_name=values.get("display_name", ""),
            password=temp,
            roles=grants,
            clock=ctx.clock,
            ident=ctx.ident,
        )
    except DomainError as exc:
        db.rollback()
        return page(
            request, "entities/admin_user_new.html", _user_form_context(db, error=exc.message, values=values), 422
        )
    return page(request, "entities/admin_user_created.html", {"created": user, "temp_password": temp, "reset": False})


@router.post("/admin/users/{user_id}/{action}", response_class=HTMLResponse)
def admin_user_action(request: Request, db: Db, ctx: Ctx, principal: SignedIn, user_id: str, action: str) -> Response:
    if action == "unlock":
        service.unlock_user(db, principal.actor, user_id=user_id, clock=ctx.clock)
    elif action == "disable":
        service.disable_user(db, principal.actor, user_id=user_id, clock=ctx.clock)
    elif action == "reset":
        temp = passwords.generate()
        user = service.reset_password(
            db, principal.actor, user_id=user_id, new_password=temp, clock=ctx.clock, ident=ctx.ident
        )
        return page(
            request, "entities/admin_user_created.html", {"created": user, "temp_password": temp, "reset": True}
        )
    else:
        return page(
            request,
            "errors/error.html",
            {"status": 404, "title": "页面不存在", "detail": "没有这个操作", "ref": None},
            404,
        )
    return _redirect("/admin/users")


# --- the entity directory (主体库) ------------------------------------------------------------


@router.get("/entities", response_class=HTMLResponse)
def entities(
    request: Request,
    db: Db,
    actor: CurrentActor,
    kind: str = "",
    q: str = "",
    page_no: Annotated[int, Query(alias="page", ge=1, le=10000)] = 1,
) -> Response:
    policy.ensure(actor, policy.ENTITY_READ)
    kind = kind if kind in OrgKind._value2member_map_ else ""
    orgs, total = queries.list_orgs(db, kind=kind or None, q=q[:60] or None, limit=30, offset=(page_no - 1) * 30)
    return page(
        request,
        "entities/directory.html",
        {
            "orgs": orgs,
            "total": total,
            "kind": kind,
            "q": q[:60],
            "kinds": ORG_KIND_LABELS,
            "page_no": page_no,
            "can_register": policy.can(actor, policy.ENTITY_REGISTER),
        },
    )


@router.get("/entities/new", response_class=HTMLResponse)
def entity_form(request: Request, principal: SignedIn) -> Response:
    policy.ensure(principal.actor, policy.ENTITY_REGISTER)
    return page(
        request,
        "entities/entity_new.html",
        {"kinds": ORG_KIND_LABELS, "sectors": SECTOR_LABELS, "error": "", "values": {}},
    )


@router.post("/entities/new", response_class=HTMLResponse)
async def entity_create(request: Request, db: Db, ctx: Ctx, principal: SignedIn) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items()}
    try:
        kind_text = values.get("kind", "")
        if kind_text not in OrgKind._value2member_map_:
            raise DomainError("请选择主体类别")
        sector_text = values.get("sector", "")
        org = service.register_organisation(
            db,
            principal.actor,
            name=values.get("name", ""),
            credit_code_text=values.get("credit_code", ""),
            kind=OrgKind(kind_text),
            sector=Sector(sector_text) if sector_text in Sector._value2member_map_ else None,
            clock=ctx.clock,
            **{k: values.get(k, "") for k in service.ORG_FIELDS},
        )
    except DomainError as exc:
        db.rollback()
        context = {"kinds": ORG_KIND_LABELS, "sectors": SECTOR_LABELS, "error": exc.message, "values": values}
        return page(request, "entities/entity_new.html", context, 422)
    return _redirect(f"/entities/{org.id}?created=1")


@router.get("/entities/{org_id}", response_class=HTMLResponse)
def entity_detail(request: Request, db: Db, actor: CurrentActor, org_id: str, created: int = 0) -> Response:
    policy.ensure(actor, policy.ENTITY_READ)
    org = queries.get_org(db, org_id)
    show_contacts = policy.can(actor, policy.ENTITY_CONTACTS, service.org_subject(org))
    return page(
        request,
        "entities/entity.html",
        {
            "org": org,
            "kind_label": ORG_KIND_LABELS[OrgKind(org.kind)],
            "show_contacts": show_contacts,
            "created": created,
        },
    )
