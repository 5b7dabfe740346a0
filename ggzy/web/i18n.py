"""语言切换 — which language a request is answered in, and the 中文 / English switch on every page.

A page follows the signed-in person's saved choice, else the `lang` cookie the switch sets, else Chinese.
The API follows Accept-Language (a client program says what it reads), Chinese when it says nothing we have.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ggzy.core import i18n
from ggzy.entities import service
from ggzy.web.deps import Ctx, Db, get_ctx, resolve_principal, safe_next

COOKIE = "lang"
YEAR = 365 * 24 * 3600

router = APIRouter(include_in_schema=False)


def locale_for(request: Request) -> str:
    """The request's language: never fails (an error page asks it too)."""
    if request.url.path.startswith("/api/"):
        return i18n.negotiate(request.headers.get("accept-language"))
    try:
        p = resolve_principal(request)
    except Exception:  # a bad token is answered by its own error, in the cookie's language
        p = None
    saved = p.user.locale if p is not None and p.user is not None and not p.pending_mfa else None
    return i18n.normalise(saved) or i18n.normalise(request.cookies.get(COOKIE)) or i18n.DEFAULT


def set_cookie(response: Response, request: Request, locale: str) -> None:
    response.set_cookie(
        COOKIE, locale, max_age=YEAR, path="/", samesite="lax", secure=get_ctx(request).settings.cookie_secure
    )


def remember_locale(response: Response, request: Request, saved: str | None) -> None:
    """At sign-in: the browser takes the account's language, so the pages stay in it after signing out."""
    locale = i18n.normalise(saved)
    if locale is not None:
        set_cookie(response, request, locale)


@router.post("/lang")
def switch_language(
    request: Request,
    db: Db,
    ctx: Ctx,
    lang: Annotated[str, Form(max_length=8)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """The switch: remembered in a cookie, and on the account of whoever is signed in (so it follows them)."""
    locale = i18n.normalise(lang) or i18n.DEFAULT
    p = resolve_principal(request)
    if p.signed_in and p.user is not None:
        service.set_locale(db, p.actor, user_id=p.user.id, locale=locale, clock=ctx.clock)
    resp = RedirectResponse(safe_next(next, "/"), status_code=303)
    set_cookie(resp, request, locale)
    return resp
