"""登录、账户与主体库页面 — sign-in, account security, user administration, the entity directory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ggzy.core import events, policy
from ggzy.core.errors import DomainError, Forbidden
from ggzy.core.i18n import N_
from ggzy.core.roles import GRANTABLE, SECTOR_LABELS, Role, Sector
from ggzy.entities import auth, queries, review, service, totp
from ggzy.entities.models import WebSession
from ggzy.entities.states import ORG_KIND_LABELS, OrgKind
from ggzy.web import params
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
from ggzy.web.i18n import remember_locale

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
OptText = Annotated[str, Form()]


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# --- sign-in ---------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, principal: CurrentPrincipal, next: str = "", code_set: params.Flag = 0) -> Response:
    if principal.signed_in:
        return _redirect(safe_next(next))
    context = {
        "next": next,
        "error": "",
        "username": "",
        "message": N_("新口令已设置，请用它登录。") if code_set else "",
    }
    return page(request, "entities/login.html", context)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request, db: Db, ctx: Ctx, username: Text, password: Text, next: Annotated[str, Form()] = ""
) -> Response:
    ip = ip_of(request)
    outcome = auth.check_password(
        db, username=username.strip().lower(), password=password, ip=ip, clock=ctx.clock, ident=ctx.ident
    )
    if outcome.user is None or outcome.role is None:
        ctx_page = {"next": next, "error": outcome.message, "username": username[:64], "message": ""}
        return page(request, "entities/login.html", ctx_page, status=429 if outcome.throttled else 401)
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
    remember_locale(resp, request, outcome.user.locale)
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
        return page(request, "entities/otp.html", {"next": next, "error": ok.message}, 429 if ok.locked_until else 401)
    _end_current(request, db)
    token, _ = auth.start_session(db, user=user, role=role, ip=ip_of(request), mfa_passed=True, clock=ctx.clock)
    resp = _redirect("/account?must_change=1" if user.must_change_password else safe_next(next))
    set_session_cookie(resp, ctx, token)
    remember_locale(resp, request, user.locale)
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
        "requests": review.about(db, principal.user.id),
        "review_labels": review.KIND_LABELS,
        "status_labels": review.STATUS_LABELS,
        "event_labels": {name: t.label for name, t in events.EVENT_TYPES.items()},
        "history": queries.account_history(db, principal.user.id),
        "message": "",
        "error": "",
        "new_token": None,
        **extra,
    }


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, db: Db, principal: SignedIn, must_change: params.Flag = 0, totp: str = "") -> Response:
    message = N_("首次登录或口令已被重置：请先设置您自己的口令。") if must_change else ""
    done = N_("动态口令已更换：原验证器应用中的口令从此失效。") if totp == "replaced" else ""
    return page(request, "entities/account.html", _account_context(db, principal, warning=message, message=done))


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request, db: Db, ctx: Ctx, principal: SignedIn, old: Text, new: Text, confirm: Text
) -> Response:
    keep = principal.web.token_hash if principal.web else None
    try:
        if new != confirm:
            raise DomainError(N_("两次输入的新口令不一致"))
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
        _account_context(db, principal, message=N_("口令已修改，其他已登录的会话已退出。"), warning=""),
    )


def _totp_page(
    request: Request, ctx: Ctx, user: object, secret: str, *, first: int, error: str, status: int = 200
) -> Response:
    from ggzy.entities.models import User

    assert isinstance(user, User)
    uri = totp.provisioning_uri(secret, username=user.username, issuer=ctx.settings.platform_name)
    context = {
        "secret": secret,
        "qr": totp.qr_svg(uri),
        "first": first,
        "error": error,
        "me": user,
        "replacing": user.totp_secret is not None,
    }
    return page(request, "entities/totp.html", context, status)


@router.get("/account/totp", response_class=HTMLResponse)
def totp_form(request: Request, ctx: Ctx, first: params.Flag = 0) -> Response:
    """A half-signed-in session reaches this page only for the first factor of an account that has none."""
    p = resolve_principal(request)
    if p.user is None:
        return _redirect("/login")
    if p.pending_mfa and p.user.totp_secret is not None:
        return _redirect("/login/otp")
    return _totp_page(request, ctx, p.user, totp.new_secret(), first=first, error="")


@router.post("/account/totp", response_class=HTMLResponse)
def totp_enrol(
    request: Request, db: Db, ctx: Ctx, secret: Text, code: Text, current_code: Annotated[str, Form()] = ""
) -> Response:
    p = resolve_principal(request)
    if p.user is None:
        return _redirect("/login")
    if p.pending_mfa and p.user.totp_secret is not None:  # the second factor is passed, never replaced, here
        return _redirect("/login/otp")
    secret = secret.strip().replace(" ", "").upper()[:64]
    if p.user.totp_secret is not None:
        try:
            outcome = auth.replace_totp(
                db, p.actor, current_code=current_code, secret=secret, code=code, clock=ctx.clock, ident=ctx.ident
            )
        except DomainError as exc:
            db.rollback()
            return _totp_page(request, ctx, p.user, secret, first=0, error=exc.message, status=422)
        if not outcome:
            return _totp_page(request, ctx, p.user, secret, first=0, error=outcome.message, status=422)
        return _redirect("/account?totp=replaced")
    try:
        user = auth.enrol_totp(db, p.actor, secret=secret, code=code, clock=ctx.clock, ident=ctx.ident)
    except DomainError as exc:
        db.rollback()
        return _totp_page(request, ctx, p.user, secret, first=0, error=exc.message, status=422)
    _end_current(request, db)
    token, _ = auth.start_session(db, user=user, role=p.actor.role, ip=ip_of(request), mfa_passed=True, clock=ctx.clock)
    resp = _redirect("/account?must_change=1" if user.must_change_password else "/account")
    set_session_cookie(resp, ctx, token)
    return resp


@router.post("/account/tokens", response_class=HTMLResponse)
def token_new(request: Request, db: Db, ctx: Ctx, principal: SignedIn, name: Text) -> Response:
    raw, _ = auth.issue_token(db, principal.actor, name=name, clock=ctx.clock, ident=ctx.ident)
    context = _account_context(
        db, principal, new_token=raw, message=N_("令牌已签发，仅显示这一次，请妥善保存。"), warning=""
    )
    return page(request, "entities/account.html", context)


@router.post("/account/tokens/{token_id}/revoke")
def token_revoke(db: Db, ctx: Ctx, principal: SignedIn, token_id: str) -> Response:
    auth.revoke_token(db, principal.actor, token_id=token_id, clock=ctx.clock)
    return _redirect("/account")


@router.post("/account/role")
def switch_role(db: Db, principal: SignedIn, role: Annotated[Role, Form()]) -> Response:
    if principal.web is None:
        raise Forbidden(N_("只有网页会话可以切换角色"))
    live = db.get(WebSession, principal.web.token_hash)
    assert live is not None
    auth.switch_role(db, live, role=role)
    return _redirect(f"/workbench/{role.value}")


# --- administration --------------------------------------------------------------------------


@router.get("/admin/users", response_class=HTMLResponse)
def admin_users(
    request: Request,
    db: Db,
    principal: SignedIn,
    q: str = "",
    role: str = "",
    page_no: Annotated[int, Query(alias="page", ge=1, le=10000)] = 1,
) -> Response:
    policy.ensure(principal.actor, policy.USER_READ)
    role = role if role in Role._value2member_map_ else ""
    users, total = queries.find_users(
        db, q=q[:60], role=role, limit=USERS_PER_PAGE, offset=(page_no - 1) * USERS_PER_PAGE
    )
    rows = [(u, queries.get_org(db, u.org_id), queries.grants_of(db, u.id)) for u in users]
    return page(
        request,
        "entities/admin_users.html",
        {
            "rows": rows,
            "total": total,
            "q": q[:60],
            "role": role,
            "roles": GRANTABLE,
            "page_no": page_no,
            "per_page": USERS_PER_PAGE,
        },
    )


USERS_PER_PAGE = 25


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
    try:
        user = service.create_user(
            db,
            principal.actor,
            org_id=values.get("org_id", ""),
            username=values.get("username", ""),
            display_name=values.get("display_name", ""),
            roles=grants,
            clock=ctx.clock,
            ident=ctx.ident,
            notifier=ctx.notifier,
        )
    except DomainError as exc:
        db.rollback()
        return page(
            request, "entities/admin_user_new.html", _user_form_context(db, error=exc.message, values=values), 422
        )
    return page(
        request, "entities/admin_user_created.html", {"created": user, "what": "create", "pending": not user.is_active}
    )


@router.post("/admin/users/{user_id}/{action}", response_class=HTMLResponse)
def admin_user_action(request: Request, db: Db, ctx: Ctx, principal: SignedIn, user_id: str, action: str) -> Response:
    if action == "unlock":
        service.unlock_user(db, principal.actor, user_id=user_id, clock=ctx.clock)
    elif action == "disable":
        service.disable_user(db, principal.actor, user_id=user_id, clock=ctx.clock)
    elif action in ("reset", "enable"):
        if action == "reset":
            req = service.reset_password(
                db, principal.actor, user_id=user_id, clock=ctx.clock, ident=ctx.ident, notifier=ctx.notifier
            )
        else:
            req = service.enable_user(db, principal.actor, user_id=user_id, clock=ctx.clock)
        user = queries.get_user(db, user_id)
        return page(
            request, "entities/admin_user_created.html", {"created": user, "what": action, "pending": req is not None}
        )
    else:
        return page(
            request,
            "errors/error.html",
            {"status": 404, "title": N_("页面不存在"), "detail": N_("没有这个操作"), "ref": None},
            404,
        )
    return _redirect("/admin/users")


# --- 双人复核 ------------------------------------------------------------------------------------


def _review_rows(db: Db) -> list[tuple[Any, Any, Any]]:
    rows = []
    for req in review.pending(db):
        rows.append((req, queries.get_user(db, req.user_id), queries.get_user(db, req.requested_by)))
    return rows


@router.get("/admin/reviews", response_class=HTMLResponse)
def reviews(request: Request, db: Db, principal: SignedIn, done: str = "") -> Response:
    policy.ensure(principal.actor, policy.ACCOUNT_REVIEW)
    message = {"approved": N_("已同意，变更已生效。"), "rejected": N_("已不同意，变更不会生效。")}.get(done, "")
    context = {"rows": _review_rows(db), "message": message, "error": "", "review_labels": review.KIND_LABELS}
    return page(request, "entities/reviews.html", context)


@router.post("/admin/reviews/{request_id}/{decision}", response_class=HTMLResponse)
def review_decide(request: Request, db: Db, ctx: Ctx, principal: SignedIn, request_id: str, decision: str) -> Response:
    try:
        if decision == "approve":
            review.approve(
                db, principal.actor, request_id=request_id, clock=ctx.clock, ident=ctx.ident, notifier=ctx.notifier
            )
        elif decision == "reject":
            review.reject(db, principal.actor, request_id=request_id, clock=ctx.clock)
        else:
            raise DomainError(N_("没有这个操作"))
    except Forbidden:
        raise
    except DomainError as exc:
        db.rollback()
        context = {"rows": _review_rows(db), "message": "", "error": exc.message, "review_labels": review.KIND_LABELS}
        return page(request, "entities/reviews.html", context, 422)
    return _redirect(f"/admin/reviews?done={'approved' if decision == 'approve' else 'rejected'}")


# --- setting one's password with a one-time code -------------------------------------------------


@router.get("/login/code", response_class=HTMLResponse)
def code_form(request: Request, username: str = "") -> Response:
    return page(request, "entities/code.html", {"username": username[:64], "error": ""})


@router.post("/login/code", response_class=HTMLResponse)
def code_set(request: Request, db: Db, ctx: Ctx, username: Text, code: Text, new: Text, confirm: Text) -> Response:
    def again(error: str, status: int) -> Response:
        return page(request, "entities/code.html", {"username": username[:64], "error": error}, status)

    if new != confirm:
        return again(N_("两次输入的新口令不一致"), 422)
    try:
        out = auth.set_password_with_code(
            db, username=username, code=code, new_password=new, ip=ip_of(request), clock=ctx.clock, ident=ctx.ident
        )
    except DomainError as exc:
        db.rollback()
        return again(exc.message, 422)
    if out.user is None:
        return again(out.message, 429 if out.throttled else 401)
    return _redirect("/login?code_set=1")


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
            raise DomainError(N_("请选择主体类别"))
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
def entity_detail(request: Request, db: Db, actor: CurrentActor, org_id: str, created: params.Flag = 0) -> Response:
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
