"""错误 — the domain's errors: each has a stable code, an HTTP status and a Chinese message.

The web layer turns them into RFC 9457 problem+json for the API and a Chinese page for people.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ggzy.core.i18n import N_

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class DomainError(Exception):
    status = 400
    code = "bad-request"
    title = N_("请求有误")

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class Invalid(DomainError):
    """Input that can never be right (a malformed credit code, a weak password)."""

    status = 422
    code = "invalid"
    title = N_("输入不符合要求")


class NotFound(DomainError):
    status = 404
    code = "not-found"
    title = N_("未找到")


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"
    title = N_("需要登录")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = N_("无权访问")


class Conflict(DomainError):
    """The object exists already, or is in a state that does not allow this."""

    status = 409
    code = "conflict"
    title = N_("与现有数据冲突")


class RuleViolation(DomainError):
    """A legal or business rule refuses the step; the message cites the rule."""

    status = 409
    code = "rule-violation"
    title = N_("不符合规则")


class Locked(DomainError):
    status = 429
    code = "locked"
    title = N_("操作过于频繁")


class PasswordChangeRequired(DomainError):
    """The person signed in with a one-time password and must set their own first."""

    status = 403
    code = "password-change-required"
    title = N_("请先修改口令")


class RecordedRefusal(RuleViolation):
    """A refusal that must leave a trace although the request's transaction is rolled back (a debarred bidder's
    attempt: 一处失信，处处受限). The edge that catches it runs `record` in a transaction of its own."""

    def __init__(self, message: str, *, record: Callable[[Session], None], code: str | None = None, **details: Any):
        super().__init__(message, code=code, **details)
        self.record = record
