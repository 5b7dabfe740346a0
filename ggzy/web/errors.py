"""错误呈现 — DomainError and friends as RFC 9457 problem+json for the API, a Chinese page for people."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from ggzy.core import i18n
from ggzy.core.errors import DomainError, PasswordChangeRequired, RecordedRefusal, Unauthenticated
from ggzy.core.i18n import N_
from ggzy.core.ids import new_id

log = logging.getLogger("ggzy.web")

HTTP_TITLES = {
    400: N_("请求有误"),
    401: N_("需要登录"),
    403: N_("无权访问"),
    404: N_("页面不存在"),
    405: N_("不支持的请求方法"),
    409: N_("与现有数据冲突"),
    413: N_("请求体过大"),
    415: N_("不支持的内容类型"),
    422: N_("输入不符合要求"),
    429: N_("操作过于频繁"),
    500: N_("系统内部错误"),
}


class Problem(BaseModel):
    """RFC 9457 problem details, as every API error is answered (extra members such as `errors` may follow)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    code: str


PROBLEM_TYPE = "application/problem+json"
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {
        "description": "请求被拒绝（RFC 9457 problem+json）",
        "content": {PROBLEM_TYPE: {"schema": Problem.model_json_schema()}},
    }
}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _t(request: Request, text: str) -> str:
    """An error's Chinese text in the request's language (its msgid looked up; unknown texts stay Chinese)."""
    from ggzy.web.i18n import locale_for

    return i18n.gettext(text, locale_for(request))


def problem(request: Request, status: int, *, code: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    """RFC 9457; `title` and `detail` are given in Chinese and answered in the language Accept-Language asks for."""
    body = {
        "type": f"urn:ggzy:problem:{code}",
        "title": _t(request, title),
        "status": status,
        "detail": _t(request, detail),
        "instance": request.url.path,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE)


def _page(request: Request, status: int, title: str, detail: str, ref: str | None = None) -> Response:
    from ggzy.web.deps import page

    title, detail = _t(request, title), _t(request, detail)
    try:
        return page(
            request, "errors/error.html", {"status": status, "title": title, "detail": detail, "ref": ref}, status
        )
    except Exception:  # the error page itself must never fail
        log.exception("error page failed")
        return Response(f"{status} {title}", status_code=status, media_type="text/plain; charset=utf-8")


def keep_refusal(request: Request, exc: RecordedRefusal) -> None:
    """The refused request's transaction was rolled back; the refusal is kept in one of its own."""
    ctx = request.app.state.ctx
    try:
        with ctx.db.unit_of_work() as s:
            exc.record(s)
    except Exception:  # the refusal is still answered; a lost trace is logged, never a 500
        log.exception("could not keep a refused attempt")


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if isinstance(exc, RecordedRefusal):
            await run_in_threadpool(keep_refusal, request, exc)
        if is_api(request):
            extra = {k: v for k, v in exc.details.items() if isinstance(v, str | int | list)}
            resp = problem(request, exc.status, code=exc.code, title=exc.title, detail=exc.message, **extra)
            retry = exc.details.get("retry_after")
            if exc.status == 429 and isinstance(retry, int):  # RFC 9110 §10.2.3: seconds until a retry may succeed
                resp.headers["Retry-After"] = str(retry)
            return resp
        if isinstance(exc, Unauthenticated):
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        if isinstance(exc, PasswordChangeRequired):
            return RedirectResponse("/account?must_change=1", status_code=303)
        return _page(request, exc.status, exc.title, exc.message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()
        ]
        detail = "；".join(f"{'.'.join(e['loc'][1:]) or e['loc'][0]}: {e['msg']}" for e in errors[:5])
        if is_api(request):
            return problem(request, 422, code="validation", title=N_("输入不符合要求"), detail=detail, errors=errors)
        return _page(request, 422, "输入不符合要求", _t(request, N_("请检查所填内容：")) + detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        title = HTTP_TITLES.get(exc.status_code, N_("请求失败"))
        detail = str(exc.detail) if exc.detail else title
        if exc.status_code == 404:
            detail = N_("您访问的地址不存在或已被移除")
        if is_api(request):
            return problem(request, exc.status_code, code=f"http-{exc.status_code}", title=title, detail=detail)
        return _page(request, exc.status_code, title, detail)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        ref = new_id()
        log.error("unhandled error ref=%s path=%s type=%s", ref, request.url.path, type(exc).__name__, exc_info=exc)
        detail = _t(request, N_("系统暂时无法处理您的请求，请稍后重试。如需帮助，请提供编号 {ref}")).format(ref=ref)
        if is_api(request):
            return problem(request, 500, code="internal", title=N_("系统内部错误"), detail=detail, ref=ref)
        return _page(request, 500, N_("系统内部错误"), detail, ref)
