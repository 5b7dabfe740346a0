"""依赖 — per-request plumbing: the unit of work, who is calling, CSRF, the page renderer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from ggzy.core import i18n, policy
from ggzy.core.actor import PUBLIC, Actor
from ggzy.core.errors import Forbidden, PasswordChangeRequired, Unauthenticated
from ggzy.core.i18n import N_
from ggzy.core.roles import Role
from ggzy.entities import auth
from ggzy.entities.models import User, WebSession
from ggzy.web import menu, security
from ggzy.web.context import AppContext
from ggzy.web.templating import render


def get_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]


def _uow(request: Request) -> Iterator[Session]:
    ctx = get_ctx(request)
    with ctx.db.unit_of_work(write=request.method not in security.SAFE_METHODS) as s:
        yield s


# scope="function": commit happens before the response is sent, so a failed commit is a 500.
Db = Annotated[Session, Depends(_uow, scope="function")]


@dataclass
class Principal:
    """The caller: an actor, and how they proved who they are."""

    actor: Actor
    user: User | None = None
    web: WebSession | None = None
    via: str | None = None  # "session" | "token"
    pending_mfa: bool = False  # signed in with a password only; may finish sign-in, nothing else
    roles: tuple[Role, ...] = ()

    @property
    def signed_in(self) -> bool:
        return self.user is not None and not self.pending_mfa


def ip_of(request: Request) -> str | None:
    ctx = get_ctx(request)
    peer = request.client.host if request.client else None
    return security.client_ip(peer, request.headers.get("x-forwarded-for"), ctx.settings.trusted_proxies)


def resolve_principal(request: Request) -> Principal:
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    ctx = get_ctx(request)
    ip = ip_of(request)
    principal = Principal(actor=Actor(user_id=None, role=Role.PUBLIC, ip=ip))
    header = request.headers.get("authorization", "")
    cookie = request.cookies.get(security.session_cookie(ctx.settings))
    if header.lower().startswith("bearer "):
        with ctx.db.unit_of_work(write=False) as s:  # one SELECT, no write
            found = auth.load_token(s, raw=header[7:].strip(), clock=ctx.clock)
            if found is None or found.token is None:
                raise Unauthenticated(N_("接口令牌无效、已过期或已吊销"), code="bad-token")
            s.expunge_all()
        role = Role(found.token.role)
        principal = Principal(found.actor(role, ip), user=found.user, via="token", roles=found.roles)
    elif cookie:
        with ctx.db.unit_of_work(write=False) as s:  # one SELECT, no write
            caller = auth.load_session(s, token=cookie, clock=ctx.clock, ident=ctx.ident, activity=ctx.activity)
            s.expunge_all()
        if caller is not None and caller.web is not None:
            ws, user = caller.web, caller.user
            # activity is noted in memory and written by the tick: the request's read path stays read-only
            ctx.activity.note(ws.token_hash, ctx.clock.now())
            pending = not ws.mfa_passed and (user.totp_secret is not None or any(r.is_staff for r in caller.roles))
            principal = Principal(
                caller.actor(Role(ws.role), ip),
                user=user,
                web=ws,
                via="session",
                pending_mfa=pending,
                roles=caller.roles,
            )
    request.state.principal = principal
    return principal


def _current(request: Request) -> Principal:
    p = resolve_principal(request)
    if p.pending_mfa:  # a half-finished sign-in acts as nobody, except on the sign-in pages
        return Principal(actor=Actor(user_id=None, role=Role.PUBLIC, ip=p.actor.ip), web=p.web, pending_mfa=True)
    return p


CurrentPrincipal = Annotated[Principal, Depends(_current)]


def _actor(request: Request) -> Actor:
    return _current(request).actor


CurrentActor = Annotated[Actor, Depends(_actor)]


def _signed_in(request: Request) -> Principal:
    p = _current(request)
    if not p.signed_in:
        raise Unauthenticated(N_("请先登录"))
    if p.user is not None and p.user.must_change_password and not request.url.path.startswith(("/account", "/logout")):
        raise PasswordChangeRequired(N_("首次登录或口令被重置后，须先修改口令"))
    return p


SignedIn = Annotated[Principal, Depends(_signed_in)]


def csrf_token_for(request: Request) -> str:
    """The token a form on this page must send back."""
    p = resolve_principal(request)
    if p.web is not None:
        return p.web.csrf_token
    token: str | None = getattr(request.state, "new_csrf", None) or request.cookies.get(
        security.csrf_cookie(get_ctx(request).settings)
    )
    if not token:
        from ggzy.core.ids import new_token

        token = new_token(24)
        request.state.new_csrf = token
    return token


async def csrf_protect(request: Request) -> None:
    """For unsafe methods from a browser: same origin, and the form or header echoes the token."""
    if request.method in security.SAFE_METHODS:
        return
    ctx = get_ctx(request)
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    cookie_names = (security.session_cookie(ctx.settings), security.csrf_cookie(ctx.settings))
    if request.url.path.startswith("/api/") and not any(request.cookies.get(n) for n in cookie_names):
        return  # a cookie-less API call cannot be forged by a browser on another site
    origin = request.headers.get("origin")
    if origin and origin != "null" and origin.rstrip("/") != str(request.base_url).rstrip("/"):
        raise Forbidden(N_("跨站请求被拒绝（来源不符）"), code="csrf-origin")
    sent = request.headers.get("x-csrf-token")
    ctype = request.headers.get("content-type", "")
    if sent is None and "multipart" in ctype:  # never read an upload before its sender is known (RefuseNul)
        raise Forbidden(N_("上传表单须以 csrf_token 为第一个字段，请刷新页面后重试（CSRF 校验失败）"), code="csrf")
    if sent is None and "form" in ctype:
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    p = resolve_principal(request)
    expected = p.web.csrf_token if p.web is not None else request.cookies.get(security.csrf_cookie(ctx.settings))
    if not security.tokens_match(sent, expected):
        raise Forbidden(N_("表单已失效或来源不明，请刷新页面后重试（CSRF 校验失败）"), code="csrf")


def page(request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    """Render a page with what every page needs: who is signed in, the CSRF token, the platform name."""
    ctx = get_ctx(request)
    p = _current(request)
    full = {
        "request": request,
        "settings": ctx.settings,
        "principal": p,
        "csrf_token": csrf_token_for(request),
        "now": ctx.clock.now(),
        "may_supervise": policy.scope_for(p.actor, policy.ALERT_READ) is not None,
        "role_menu": menu.for_actor(p.actor) if p.signed_in else [],
        **(context or {}),
    }
    from ggzy.web.i18n import locale_for  # the switch's module needs this one's dependencies

    with i18n.use(locale_for(request)):
        resp = HTMLResponse(render(request.app.state.templates, template, full), status_code=status)
    new = getattr(request.state, "new_csrf", None)
    if new:
        resp.set_cookie(
            security.csrf_cookie(ctx.settings),
            new,
            httponly=True,
            secure=ctx.settings.cookie_secure,
            samesite="strict",
            path="/",
        )
    return resp


__all__ = [
    "PUBLIC",
    "Ctx",
    "CurrentActor",
    "CurrentPrincipal",
    "Db",
    "Principal",
    "SignedIn",
    "csrf_protect",
    "page",
]


def set_session_cookie(response: Response, ctx: AppContext, token: str) -> None:
    response.set_cookie(
        security.session_cookie(ctx.settings),
        token,
        httponly=True,
        secure=ctx.settings.cookie_secure,
        samesite="lax",
        path="/",
        max_age=int(ctx.ident.absolute.total_seconds()),
    )


def clear_session_cookie(response: Response, ctx: AppContext) -> None:
    response.delete_cookie(
        security.session_cookie(ctx.settings), path="/", secure=ctx.settings.cookie_secure, httponly=True
    )


def safe_next(target: str | None, default: str = "/workbench") -> str:
    """Only same-site paths: never redirect to another host after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def content_disposition(filename: str) -> str:
    """RFC 6266 with an RFC 5987 UTF-8 name, and a plain ASCII fallback."""
    from urllib.parse import quote

    ascii_name = "".join(c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in filename) or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
