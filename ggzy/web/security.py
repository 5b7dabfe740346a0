"""安全 — security headers, request size limits, NUL refusal, the client's address, cookie names and CSRF.

CSRF: a browser form must echo a token tied to its session (or, before sign-in, to a random
pre-session cookie); the Origin header, when present, must be our own. Bearer-token API calls
carry no cookies and need no token.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from ggzy.core.config import Settings
from ggzy.core.errors import Invalid

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
# Swagger UI styles its widgets inline; only the docs page gets this allowance.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def session_cookie(settings: Settings) -> str:
    return "__Host-ggzy_session" if settings.cookie_secure else "ggzy_session"


def csrf_cookie(settings: Settings) -> str:
    return "__Host-ggzy_csrf" if settings.cookie_secure else "ggzy_csrf"


def tokens_match(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def client_ip(peer: str | None, forwarded_for: str | None, trusted: tuple[str, ...]) -> str | None:
    """The caller's address; X-Forwarded-For is believed only from a configured proxy (ASVS V4.1.3)."""
    if not peer or not forwarded_for or not _trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):  # the right-most address our proxies did not add
        if not _trusted(hop, trusted):
            return hop[:64]
    return peer


def _trusted(addr: str, trusted: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(t, strict=False) for t in trusted)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"].startswith("/docs")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                names = {k.lower() for k, _ in headers}
                extra = [
                    (b"content-security-policy", (DOCS_CSP if docs else CSP).encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                if self.hsts:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                if b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                headers.extend((k, v) for k, v in extra if k not in names)
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyLimit:
    """Refuse bodies above the limit before reading them (Content-Length) or while reading (chunked)."""

    def __init__(self, app: ASGIApp, *, default: int, overrides: dict[str, int] | None = None) -> None:
        """`overrides` maps a path pattern (regular expression, anchored) to its own limit (uploads)."""
        self.app = app
        self.default = default
        self.overrides = [(re.compile(pattern), limit) for pattern, limit in (overrides or {}).items()]

    def limit_for(self, path: str) -> int:
        for pattern, limit in self.overrides:
            if pattern.fullmatch(path):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                await _problem(send, 400, "请求头 Content-Length 无效", "bad-content-length")
                return
            if too_big:
                await _problem(send, 413, f"请求体超过上限（{limit} 字节）", "too-large")
                return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracking_send)
        except _TooLargeError:
            if not started:
                await _problem(send, 413, f"请求体超过上限（{limit} 字节）", "too-large")


class _TooLargeError(Exception):
    pass


async def _problem(send: Send, status: int, detail: str, code: str) -> None:
    body = json.dumps(
        {"type": f"urn:ggzy:problem:{code}", "title": "请求被拒绝", "status": status, "detail": detail, "code": code},
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


NUL_MESSAGE = "输入中含有不允许的空字符（NUL，\\0），请删除后重试"
NUL_FLAG = "ggzy_nul"  # set in scope["state"] when a small body carries a NUL; deps.refuse_nul raises
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)
_SCANNED_TYPES = (b"application/x-www-form-urlencoded", b"application/json", b"text/")
CSRF_PEEK_BYTES = 65536


def has_nul(text: str) -> bool:
    return "\x00" in text


class RefuseNul:
    """No NUL byte in any text a request carries — PostgreSQL refuses them in text, SQLite truncates.

    Small bodies (forms, JSON, text) are read whole here — BodyLimit, outside, bounds them — checked
    for a raw, percent-encoded or JSON-escaped NUL, and handed on unchanged with a flag in the scope
    that the `refuse_nul` dependency turns into a 422 before any route runs. The path, query, headers
    and cookies are checked by that dependency. A multipart body is scanned as it streams: its text
    fields (not file contents) may carry no NUL; the first field, the CSRF token, is lifted into the
    X-CSRF-Token header so that the CSRF check and the upload's permission check run before the body
    is read.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        raw_type = dict(scope.get("headers") or []).get(b"content-type") or b""
        ctype = raw_type.lower()
        if ctype.startswith(b"multipart/form-data"):
            await self._multipart(scope, receive, send, raw_type)
        elif ctype.startswith(_SCANNED_TYPES):
            await self._small(scope, receive, send, ctype)
        else:
            await self.app(scope, receive, send)

    async def _small(self, scope: Scope, receive: Receive, send: Send, ctype: bytes) -> None:
        messages: list[Message] = []
        body = bytearray()
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        data = bytes(body)
        nul = b"\x00" in data
        if ctype.startswith(b"application/x-www-form-urlencoded"):
            nul = nul or b"%00" in data
        elif ctype.startswith(b"application/json"):
            nul = nul or _JSON_NUL.search(data) is not None
        if nul:
            scope.setdefault("state", {})[NUL_FLAG] = True

        async def replay() -> Message:
            if messages:
                return messages.pop(0)
            return await receive()

        await self.app(scope, replay, send)

    async def _multipart(self, scope: Scope, receive: Receive, send: Send, raw_type: bytes) -> None:
        _, options = parse_options_header(raw_type)
        boundary = options.get(b"boundary")
        if not boundary:
            await self.app(scope, receive, send)
            return
        scan = _MultipartScan(boundary)
        buffered: list[Message] = []
        while scan.first_field is None and scan.seen < CSRF_PEEK_BYTES and not scan.broken:
            message = await receive()
            buffered.append(message)
            if message["type"] != "http.request":
                break
            scan.feed(message.get("body", b""))
            if not message.get("more_body", False):
                break
        headers = list(scope.get("headers") or [])
        token = scan.first_field
        if token is not None and not any(k.lower() == b"x-csrf-token" for k, _ in headers):
            scope = dict(scope)
            scope["headers"] = [*headers, (b"x-csrf-token", token)]
        if scan.nul:
            await _refuse_nul(scope, send)
            return
        started = False

        async def scanned() -> Message:
            if buffered:
                return buffered.pop(0)
            message = await receive()
            if message["type"] == "http.request":
                scan.feed(message.get("body", b""))
                if scan.nul:
                    raise _NulError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, scanned, tracking_send)
        except _NulError:
            if not started:
                await _refuse_nul(scope, send)


class _NulError(Exception):
    pass


def refuse_nul(request: Request) -> None:
    """A router dependency, before any other: no NUL in the path, query, headers, cookies or a small body."""
    raw = request.scope.get("raw_path") or b""
    query = request.scope.get("query_string") or b""
    flagged = bool(request.scope.get("state", {}).get(NUL_FLAG))
    if (
        flagged
        or b"%00" in raw
        or b"\x00" in raw
        or b"%00" in query
        or b"\x00" in query
        or has_nul(request.url.path)
        or any(has_nul(k) or has_nul(v) for k, v in request.query_params.multi_items())
        or any(has_nul(v) for v in request.headers.values())
        or any(has_nul(k) or has_nul(v) for k, v in request.cookies.items())
    ):
        raise Invalid(NUL_MESSAGE, code="nul-character")


class _MultipartScan:
    """Follows a multipart body: NUL in a part name, file name or text field; the first field if it is csrf_token."""

    def __init__(self, boundary: bytes) -> None:
        self.nul = False
        self.broken = False
        self.seen = 0
        self.first_field: bytes | None = None
        self._parts = 0
        self._field = b""
        self._value = b""
        self._headers: dict[bytes, bytes] = {}
        self._is_file = False
        self._name = b""
        self._data = bytearray()
        callbacks: dict[str, Callable[..., None]] = {
            "on_part_begin": self._begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_done,
            "on_part_data": self._part_data,
            "on_part_end": self._end,
        }
        self._parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]

    def feed(self, chunk: bytes) -> None:
        self.seen += len(chunk)
        if self.broken or not chunk:
            return
        try:
            self._parser.write(chunk)
        except Exception:  # malformed: the app's own parser will say so
            self.broken = True

    def _begin(self) -> None:
        self._parts += 1
        self._headers = {}
        self._field = self._value = b""
        self._data = bytearray()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field = self._value = b""

    def _headers_done(self) -> None:
        disposition = self._headers.get(b"content-disposition", b"")
        if b"\x00" in disposition or b"%00" in disposition:
            self.nul = True
        _, options = parse_options_header(disposition)
        self._is_file = b"filename" in options
        self._name = options.get(b"name", b"")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._is_file:
            return
        piece = data[start:end]
        if b"\x00" in piece:
            self.nul = True
        if self._parts == 1 and len(self._data) < 1024:
            self._data += piece

    def _end(self) -> None:
        if self._parts == 1 and not self._is_file and self._name == b"csrf_token":
            self.first_field = bytes(self._data[:1024])
        elif self._parts == 1:
            self.first_field = b""


async def _refuse_nul(scope: Scope, send: Send) -> None:
    if str(scope.get("path", "")).startswith("/api/"):
        await _problem(send, 422, NUL_MESSAGE, "nul-character")
        return
    body = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>输入不符合要求</title></head>'
        f"<body><main><h1>输入不符合要求</h1><p>{NUL_MESSAGE}。</p>"
        '<p><a href="/">返回首页</a></p></main></body></html>'
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 422,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
