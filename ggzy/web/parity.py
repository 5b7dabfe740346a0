"""接口对等 — every page action that changes state has an API twin: the same verb, the same policy check.

This is the one table of twins. `tests/web/test_api_parity.py` walks the app's routes and fails when a page
route that changes state (any method but GET/HEAD, or a GET listed in STATEFUL_GETS) is in none of the three
tables below, when a twin named here is not an API route, or when an entry names a route that no longer
exists. A page route that dispatches on a path segment (`/supervision/alerts/{alert_id}/{move}`) lists one
twin per value of that segment.

- TWINS: page route → its API twins (method and path as the app declares them).
- PAGE_ONLY: reviewed, with the reason: pages that exist only for people (signing in with a password and a
  second factor in a browser, the session's role switch). Keep it short.
- KNOWN_GAPS: page routes whose twin is not built yet — each is a debt, named here so the list stays honest.
"""

from __future__ import annotations

TWINS: dict[str, tuple[str, ...]] = {
    # projects and sections (ggzy/projects/api.py)
    "POST /projects/new": ("POST /api/v1/projects",),
    "POST /projects/{project_id}/accept": ("POST /api/v1/projects/{project_id}/accept",),
    "POST /projects/{project_id}/return": ("POST /api/v1/projects/{project_id}/return",),
    "POST /projects/{project_id}/resubmit": ("POST /api/v1/projects/{project_id}/resubmit",),
    "POST /projects/{project_id}/terminate": ("POST /api/v1/projects/{project_id}/terminate",),
    "POST /sections/{section_id}/publish": ("POST /api/v1/sections/{section_id}/publish",),
    "POST /sections/{section_id}/clarify": ("POST /api/v1/sections/{section_id}/clarify",),
    "POST /sections/{section_id}/invite": ("POST /api/v1/sections/{section_id}/invite",),
    "POST /sections/{section_id}/retender": ("POST /api/v1/sections/{section_id}/retender",),
    "POST /sections/{section_id}/terminate": ("POST /api/v1/sections/{section_id}/terminate",),
    # delegation (委托代理)
    "POST /delegations/new": ("POST /api/v1/appointments",),
    "POST /delegations/{appointment_id}/revoke": ("POST /api/v1/appointments/{appointment_id}/revoke",),
    # supervision (ggzy/supervision/api.py): the page dispatches on {move}
    "POST /supervision/alerts/{alert_id}/{move}": (
        "POST /api/v1/supervision/alerts/{alert_id}/assign",
        "POST /api/v1/supervision/alerts/{alert_id}/investigate",
        "POST /api/v1/supervision/alerts/{alert_id}/confirm",
        "POST /api/v1/supervision/alerts/{alert_id}/dismiss",
    ),
    # bidding and opening
    "POST /bids/{bid_id}/withdraw": ("POST /api/v1/bids/{bid_id}/withdraw",),
    "POST /documents/{document_id}/download": ("POST /api/v1/documents/{document_id}/download",),
    "POST /sections/{section_id}/register": ("POST /api/v1/sections/{section_id}/register",),
    "POST /sections/{section_id}/opening/objections": ("POST /api/v1/sections/{section_id}/opening/objections",),
    # deposits
    "POST /my/deposits/basic-account": ("PUT /api/v1/deposits/basic-account",),
    "POST /sections/{section_id}/deposit/sub-account": ("POST /api/v1/sections/{section_id}/deposit/sub-account",),
    "POST /sections/{section_id}/deposit/guarantee": ("PUT /api/v1/sections/{section_id}/deposit/guarantee",),
    # cases
    "POST /sections/{section_id}/objections": ("POST /api/v1/cases/objections",),
    "POST /sections/{section_id}/complaints": ("POST /api/v1/cases/complaints",),
    "POST /cases/{case_id}/answer": ("POST /api/v1/cases/{case_id}/answer",),
    "POST /cases/{case_id}/accept": ("POST /api/v1/cases/{case_id}/accept",),
    "POST /cases/{case_id}/refuse": ("POST /api/v1/cases/{case_id}/refuse",),
    "POST /cases/{case_id}/pause": ("POST /api/v1/cases/{case_id}/pause",),
    "POST /cases/{case_id}/resume": ("POST /api/v1/cases/{case_id}/resume",),
    "POST /cases/{case_id}/suspension": ("POST /api/v1/cases/{case_id}/suspension",),
    "POST /cases/{case_id}/decision": ("POST /api/v1/cases/{case_id}/decision",),
    "POST /cases/{case_id}/entries": ("POST /api/v1/cases/{case_id}/entries",),
    "POST /cases/{case_id}/compliance": ("POST /api/v1/cases/{case_id}/compliance",),
    # credit
    "POST /credit/manage/sanctions": ("POST /api/v1/credit/sanctions",),
    "POST /credit/manage/imports": ("POST /api/v1/credit/imports",),
    "POST /credit/records/{record_id}/list": ("POST /api/v1/credit/records/{record_id}/listing",),
    "POST /credit/records/{record_id}/objections": ("POST /api/v1/credit/records/{record_id}/objections",),
    "POST /credit/objections/{objection_id}/handle": ("POST /api/v1/credit/objections/{objection_id}/handling",),
    "POST /credit/records/{record_id}/repair-request": ("POST /api/v1/credit/records/{record_id}/repair-request",),
    "POST /credit/records/{record_id}/repair": ("POST /api/v1/credit/records/{record_id}/repair",),
    "POST /credit/checks/{check_id}/review": ("POST /api/v1/credit/checks/{check_id}/review",),
    # experts
    "POST /experts/specialities": ("POST /api/v1/experts/specialities",),
    "POST /experts/{user_id}/status": ("POST /api/v1/experts/pool/{user_id}/status",),
    "POST /experts/import": ("POST /api/v1/experts/pool/import",),
    "POST /sections/{section_id}/experts": ("POST /api/v1/experts/sections/{section_id}/draws",),
    "POST /my/expert-invitations/{invitation_id}": ("POST /api/v1/experts/invitations/{invitation_id}/answer",),
    # evaluation
    "POST /sections/{section_id}/evaluation": ("POST /api/v1/sections/{section_id}/evaluation",),
    "POST /evaluations/{evaluation_id}/sheet": ("POST /api/v1/evaluations/{evaluation_id}/sheet",),
    "POST /evaluations/{evaluation_id}/questions": ("POST /api/v1/evaluations/{evaluation_id}/questions",),
    "POST /evaluation-questions/{question_id}/answer": ("POST /api/v1/evaluation-questions/{question_id}/answer",),
    "POST /evaluations/{evaluation_id}/rounds": ("POST /api/v1/evaluations/{evaluation_id}/rounds",),
    "POST /evaluations/{evaluation_id}/rounds/close": ("POST /api/v1/evaluations/{evaluation_id}/rounds/close",),
    "POST /evaluations/{evaluation_id}/quotes": ("POST /api/v1/evaluations/{evaluation_id}/quotes",),
    "POST /evaluations/{evaluation_id}/negotiation-record": (
        "POST /api/v1/evaluations/{evaluation_id}/negotiation-record",
    ),
    "POST /evaluations/{evaluation_id}/report": ("POST /api/v1/evaluations/{evaluation_id}/report",),
    # award and contract
    "POST /sections/{section_id}/award/publish": ("POST /api/v1/sections/{section_id}/award/publish",),
    "POST /sections/{section_id}/award/objections": ("POST /api/v1/sections/{section_id}/award/objections",),
    "POST /award-objections/{objection_id}/answer": ("POST /api/v1/award-objections/{objection_id}/answer",),
    "POST /sections/{section_id}/award/winner": ("POST /api/v1/sections/{section_id}/award/winner",),
    "POST /sections/{section_id}/award/report": ("POST /api/v1/sections/{section_id}/award/report",),
    "POST /sections/{section_id}/award/contract": ("POST /api/v1/sections/{section_id}/award/contract",),
    "POST /sections/{section_id}/award/sign": ("POST /api/v1/sections/{section_id}/award/sign",),
    # catalog
    "POST /catalog": ("POST /api/v1/catalog",),
    # entities, accounts and tokens
    "POST /entities/new": ("POST /api/v1/organisations",),
    "POST /admin/users/new": ("POST /api/v1/users",),
    "POST /admin/users/{user_id}/{action}": (
        "POST /api/v1/users/{user_id}/reset",
        "POST /api/v1/users/{user_id}/enable",
        "POST /api/v1/users/{user_id}/unlock",
        "POST /api/v1/users/{user_id}/disable",
    ),
    "POST /admin/reviews/{request_id}/{decision}": (
        "POST /api/v1/account-requests/{request_id}/approve",
        "POST /api/v1/account-requests/{request_id}/reject",
    ),
    "POST /account/password": ("POST /api/v1/me/password",),
    "POST /lang": ("PATCH /api/v1/me",),  # the 中文 / English switch; saved on the account when signed in
    "POST /login/code": ("POST /api/v1/auth/password",),
    "POST /account/totp": ("POST /api/v1/me/totp",),
    "POST /account/tokens": ("POST /api/v1/auth/tokens",),
    "POST /account/tokens/{token_id}/revoke": ("DELETE /api/v1/auth/tokens/{token_id}",),
    # guarantee claims and held money (ggzy/deposits/api.py)
    "POST /sections/{section_id}/deposit/guarantee/apply": (
        "POST /api/v1/sections/{section_id}/deposit/guarantee/application",
    ),
    "POST /sections/{section_id}/deposits/claims": ("POST /api/v1/sections/{section_id}/deposits/claims",),
    "POST /sections/{section_id}/deposits/held-returns": ("POST /api/v1/sections/{section_id}/deposits/held-returns",),
    # contract performance (ggzy/award/api.py)
    "POST /sections/{section_id}/award/performance": ("POST /api/v1/sections/{section_id}/award/performance",),
    "POST /performance/{performance_id}/objection": ("POST /api/v1/performance/{performance_id}/objection",),
    "POST /performance/{performance_id}/handling": ("POST /api/v1/performance/{performance_id}/handling",),
    "POST /performance/{performance_id}/confirmation": ("POST /api/v1/performance/{performance_id}/confirmation",),
    # accredited platforms (ggzy/federation/api.py)
    "POST /supervision/platforms": ("POST /api/v1/federation/platforms",),
    "POST /supervision/platforms/{platform_id}/suspend": ("POST /api/v1/federation/platforms/{platform_id}/suspend",),
    "POST /supervision/platforms/{platform_id}/reinstate": (
        "POST /api/v1/federation/platforms/{platform_id}/reinstate",
    ),
}

PAGE_ONLY: dict[str, str] = {
    "POST /login": "浏览器登录表单（口令）；接口以 POST /api/v1/auth/tokens 换取令牌",
    "POST /login/otp": "浏览器登录的第二步（动态口令）；接口在换取令牌时一并提交 totp_code",
    "POST /logout": "结束浏览器会话；接口令牌以 DELETE /api/v1/auth/tokens/{token_id} 吊销",
    "POST /account/role": "切换浏览器会话的当前角色；接口令牌在换取时即固定一个角色",
}

KNOWN_GAPS: dict[str, str] = {}

# GET page routes that change state (none today: a GET's unit of work is read-only, ggzy/web/deps.py `_uow`).
STATEFUL_GETS: frozenset[str] = frozenset()
