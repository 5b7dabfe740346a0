"""Idempotency-Key — one middleware for every API write (POST, PUT, PATCH, DELETE under /api/).

A signed-in caller that sends `Idempotency-Key: <1–100 visible ASCII characters>` with a write gets, for a
retry with the same key, the first answer again (status, body, `Idempotent-Replayed: true`) and nothing is
done twice. The key is the caller's own: (user, role) and key identify a request; its digest covers the
method, path, query and body, so the same key with a different request is refused (422 problem
`idempotency-key-reused`) and a retry while the first is still running waits its turn (409
`idempotency-key-in-use`, Retry-After: 1). Only successful JSON answers (2xx, up to 1 MiB) are kept; a failed
write gives its key back, so a corrected retry may run. The table and the verbs are ggzy/core/idempotency.py.

The body is spooled (memory, then a temporary file) to be digested before the route runs, then replayed to
it in chunks; BodyLimit, outside, bounds it. Without the header nothing changes.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ggzy.core import idempotency
from ggzy.core.errors import DomainError
from ggzy.web.security import SAFE_METHODS, ASGIApp, Message, Receive, Scope, Send

HEADER = b"idempotency-key"
SPOOL_MEMORY = 1 << 20
CHUNK = 1 << 20


async def _problem(send: Send, status: int, code: str, title: str, detail: str, path: str, **headers: str) -> None:
    body = json.dumps(
        {
            "type": f"urn:ggzy:problem:{code}",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": path,
            "code": code,
        },
        ensure_ascii=False,
    ).encode()
    extra = [(k.lower().replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Idempotency:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") in SAFE_METHODS
            or not str(scope.get("path", "")).startswith("/api/")
        ):
            await self.app(scope, receive, send)
            return
        raw = dict(scope.get("headers") or []).get(HEADER)
        if raw is None:
            await self.app(scope, receive, send)
            return
        path = str(scope["path"])
        key = raw.decode("latin-1").strip()
        if not idempotency.valid_key(key):
            await _problem(
                send,
                400,
                "idempotency-key-invalid",
                "请求有误",
                f"Idempotency-Key 应为1至{idempotency.MAX_KEY}个可见 ASCII 字符",
                path,
            )
            return
        principal = await run_in_threadpool(_principal_of, scope)
        if principal is None:  # not signed in: the route answers (401 or its own rules); nothing is kept
            await self.app(scope, receive, send)
            return
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)  # noqa: SIM115 - closed below
        try:
            digest = hashlib.sha256()
            for part in (scope["method"], path, scope.get("query_string", b"").decode("latin-1")):
                digest.update(part.encode() + b"\x00")
            disconnected = False
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    disconnected = True
                    break
                chunk = message.get("body", b"")
                digest.update(chunk)
                spool.write(chunk)
                if not message.get("more_body"):
                    break
            if disconnected:
                return
            await self._run(scope, send, spool, principal, key, digest.hexdigest(), path, receive)
        finally:
            spool.close()

    async def _run(
        self,
        scope: Scope,
        send: Send,
        spool: Any,
        principal: str,
        key: str,
        request_hash: str,
        path: str,
        receive: Receive,
    ) -> None:
        ctx = scope["app"].state.ctx

        def take() -> idempotency.Outcome:
            with ctx.db.unit_of_work() as s:
                return idempotency.claim(
                    s,
                    principal=principal,
                    key=key,
                    request_hash=request_hash,
                    method=scope["method"],
                    path=path,
                    now=ctx.clock.now(),
                )

        outcome = await run_in_threadpool(take)
        if outcome.claim is idempotency.Claim.MISMATCH:
            await _problem(
                send,
                422,
                "idempotency-key-reused",
                "输入不符合要求",
                f"该 Idempotency-Key 已用于另一请求（{outcome.path}），同一键只能重试内容完全相同的请求",
                path,
            )
            return
        if outcome.claim is idempotency.Claim.RUNNING:
            await _problem(
                send,
                409,
                "idempotency-key-in-use",
                "与现有数据冲突",
                "使用该 Idempotency-Key 的请求仍在处理中，请稍后重试",
                path,
                retry_after="1",
            )
            return
        if outcome.claim is idempotency.Claim.REPLAY:
            await send(
                {
                    "type": "http.response.start",
                    "status": outcome.status or 200,
                    "headers": [
                        (b"content-type", outcome.content_type.encode() or b"application/json"),
                        (b"content-length", str(len(outcome.body)).encode()),
                        (b"idempotent-replayed", b"true"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": outcome.body})
            return
        await self._first(scope, send, spool, principal, key, receive, ctx)

    async def _first(
        self, scope: Scope, send: Send, spool: Any, principal: str, key: str, receive: Receive, ctx: Any
    ) -> None:
        spool.seek(0)
        done = False

        async def replay() -> Message:
            nonlocal done
            if done:
                return await receive()
            chunk = spool.read(CHUNK)
            more = bool(chunk) and spool.tell() < _size(spool)
            if not more:
                done = True
            return {"type": "http.request", "body": chunk, "more_body": more}

        status = 0
        ctype = ""
        body = bytearray()
        overflow = False

        async def capture(message: Message) -> None:
            nonlocal status, ctype, overflow
            if message["type"] == "http.response.start":
                status = int(message["status"])
                for name, value in message.get("headers") or []:
                    if name.lower() == b"content-type":
                        ctype = value.decode("latin-1")
            elif message["type"] == "http.response.body" and not overflow:
                body.extend(message.get("body", b""))
                if len(body) > idempotency.MAX_ANSWER_BYTES:
                    overflow = True
                    body.clear()
            await send(message)

        try:
            await self.app(scope, replay, capture)
        except BaseException:
            await run_in_threadpool(_release, ctx, principal, key)
            raise
        keep = 200 <= status < 300 and not overflow and (ctype.startswith("application/json") or not body)

        def finish() -> None:
            with ctx.db.unit_of_work() as s:
                if keep:
                    idempotency.complete(
                        s, principal=principal, key=key, status=status, content_type=ctype, body=bytes(body)
                    )
                else:
                    idempotency.release(s, principal=principal, key=key)

        await run_in_threadpool(finish)


def _size(spool: Any) -> int:
    here = spool.tell()
    spool.seek(0, 2)
    end = int(spool.tell())
    spool.seek(here)
    return end


def _release(ctx: Any, principal: str, key: str) -> None:
    with ctx.db.unit_of_work() as s:
        idempotency.release(s, principal=principal, key=key)


def _principal_of(scope: Scope) -> str | None:
    from ggzy.web.deps import resolve_principal

    try:
        p = resolve_principal(Request(scope))
    except DomainError:  # a bad token: the route refuses it with its own problem
        return None
    if not p.signed_in or p.user is None:
        return None
    return f"{p.user.id}:{p.actor.role.value}"
