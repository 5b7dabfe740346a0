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
    "POST /projects/{project_id}/edit": ("PUT /api/v1/projects/{project_id}",),
    "POST /projects/{project_id}/terminate": ("POST /api/v1/projects/{project_id}/terminate",),
    "POST /sections/{section_id}/publish": ("POST /api/v1/sections/{section_id}/publish",),
    "POST /sections/{section_id}/clarify": ("POST /api/v1/sections/{section_id}/clarify",),
    "POST /sections/{section_id}/invite": ("POST /api/v1/sections/{section_id}/invite",),
    "POST /sections/{section_id}/retender": ("POST /api/v1/sections/{section_id}/retender",),
    "POST /sections/{section_id}/terminate": ("POST /api/v1/sections/{section_id}/terminate",),
    # portal search synonyms (ggzy/notices/api.py)
    "POST /notices/synonyms": ("POST /api/v1/notices/synonyms",),
    "POST /notices/synonyms/{synonym_id}/remove": ("DELETE /api/v1/notices/synonyms/{synonym_id}",),
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

# --- reads -------------------------------------------------------------------------------------------------
# Every page a person reads (GET) names the API reads that give a system the same data, or is a form or a
# people-only page (READ_PAGE_ONLY, with why), or is a named debt (READ_GAPS). `tests/web/test_api_parity.py`
# walks the GET page routes as it walks the writes.

READS: dict[str, tuple[str, ...]] = {
    "GET /": ("GET /api/v1/notices",),
    "GET /account": ("GET /api/v1/me",),
    "GET /archive": ("GET /api/v1/archive",),
    "GET /my/bids": ("GET /api/v1/my/bids",),
    "GET /rules": ("GET /api/v1/rules",),
    "GET /admin/reviews": ("GET /api/v1/account-requests",),
    "GET /admin/users": ("GET /api/v1/users",),
    "GET /archive/{section_id}": ("GET /api/v1/archive/{section_id}",),
    "GET /audit/events": ("GET /api/v1/log/entries",),
    "GET /audit/events/{seq}": ("GET /api/v1/log/entries/{seq}", "GET /api/v1/log/proof/inclusion"),
    "GET /cases": ("GET /api/v1/cases",),
    "GET /cases/{case_id}": ("GET /api/v1/cases/{case_id}",),
    "GET /catalog": ("GET /api/v1/catalog",),
    "GET /centre/registrations": ("GET /api/v1/projects",),
    "GET /credit": ("GET /api/v1/credit/listed",),
    "GET /credit/entities/{credit_code}": ("GET /api/v1/credit/entities/{credit_code}",),
    "GET /credit/records/{record_id}": ("GET /api/v1/credit/records/{record_id}",),
    "GET /delegations": ("GET /api/v1/appointments",),
    "GET /delegations/acts": ("GET /api/v1/agency-acts",),
    "GET /delegations/{appointment_id}/agreement": ("GET /api/v1/appointments/{appointment_id}/agreement",),
    "GET /entities": ("GET /api/v1/organisations",),
    "GET /entities/{org_id}": ("GET /api/v1/organisations/{org_id}",),
    "GET /evaluations": ("GET /api/v1/evaluations",),
    "GET /evaluations/{evaluation_id}": ("GET /api/v1/evaluations/{evaluation_id}",),
    "GET /evaluations/{evaluation_id}/report.pdf": ("GET /api/v1/evaluations/{evaluation_id}/report.pdf",),
    "GET /evaluations/{evaluation_id}/sheet": ("GET /api/v1/evaluations/{evaluation_id}/my-sheet",),
    "GET /expert-draws/{draw_id}": (
        "GET /api/v1/experts/draws/{draw_id}",
        "GET /api/v1/experts/draws/{draw_id}/record",
    ),
    "GET /experts": ("GET /api/v1/experts/pool",),
    "GET /sections/{section_id}/experts": ("GET /api/v1/experts/sections/{section_id}/draws",),
    "GET /sections/{section_id}/expert-draw": ("GET /api/v1/experts/sections/{section_id}/draws",),
    "GET /experts/export.xlsx": ("GET /api/v1/experts/pool",),
    "GET /federation": ("GET /api/v1/federation/trades",),
    "GET /federation/trades/{ocid}": ("GET /api/v1/federation/trades",),
    "GET /keyholder": ("GET /api/v1/keyholder/key",),
    "GET /my/deposits": ("GET /api/v1/deposits/mine",),
    "GET /my/expert-invitations": ("GET /api/v1/experts/invitations",),
    "GET /notices": ("GET /api/v1/notices",),
    "GET /notices/feed.atom": ("GET /api/v1/notices",),
    "GET /notices/synonyms": ("GET /api/v1/notices/synonyms",),
    "GET /notices/{number}": ("GET /api/v1/notices/{number}",),
    "GET /projects": ("GET /api/v1/projects",),
    "GET /projects/{project_id}": ("GET /api/v1/projects/{project_id}",),
    "GET /sections/{section_id}": ("GET /api/v1/sections/{section_id}",),
    "GET /sections/{section_id}/award": ("GET /api/v1/sections/{section_id}/award",),
    "GET /sections/{section_id}/award/performance": ("GET /api/v1/sections/{section_id}/award/performance",),
    "GET /sections/{section_id}/bid": ("GET /api/v1/sections/{section_id}/my-bids",),
    "GET /sections/{section_id}/deposits": ("GET /api/v1/sections/{section_id}/deposits",),
    "GET /sections/{section_id}/evaluation/live": ("GET /api/v1/sections/{section_id}/ranking",),
    "GET /sections/{section_id}/evaluation/live/events": ("GET /api/v1/sections/{section_id}/ranking",),
    "GET /sections/{section_id}/live": ("GET /api/v1/sections/{section_id}/opening",),
    "GET /sections/{section_id}/live/events": ("GET /api/v1/sections/{section_id}/opening",),
    "GET /sections/{section_id}/opening": (
        "GET /api/v1/sections/{section_id}/opening",
        "GET /api/v1/sections/{section_id}/opening/shares",
    ),
    "GET /supervision/agencies": ("GET /api/v1/supervision/agencies",),
    "GET /supervision/alerts": ("GET /api/v1/supervision/alerts",),
    "GET /supervision/alerts/{alert_id}": (
        "GET /api/v1/supervision/alerts/{alert_id}",
        "GET /api/v1/supervision/alerts/{alert_id}/handlers",
    ),
    "GET /supervision/board": ("GET /api/v1/supervision/board",),
    "GET /supervision/board/stream": ("GET /api/v1/supervision/board",),
    "GET /supervision/cases": ("GET /api/v1/cases",),
    "GET /supervision/cases.xlsx": ("GET /api/v1/cases",),
    "GET /supervision/platforms": ("GET /api/v1/federation/platforms",),
    "GET /supervision/projects/{project_id}": ("GET /api/v1/projects/{project_id}", "GET /api/v1/supervision/alerts"),
    "GET /transparency": ("GET /api/v1/log/checkpoint",),
    "GET /workbench": ("GET /api/v1/me/due",),
    "GET /workbench/{role}": ("GET /api/v1/me/due",),
}

# A form page shows what its write needs (its choices come from the reads above): it names the page write it
# submits, and that write has its twin in TWINS — a system calls the twin instead of reading the form.
FORMS: dict[str, str] = {
    "GET /account/totp": "POST /account/totp",
    "GET /admin/users/new": "POST /admin/users/new",
    "GET /delegations/new": "POST /delegations/new",
    "GET /entities/new": "POST /entities/new",
    "GET /projects/new": "POST /projects/new",
    "GET /projects/{project_id}/edit": "POST /projects/{project_id}/edit",
    "GET /sections/{section_id}/publish": "POST /sections/{section_id}/publish",
    "GET /sections/{section_id}/clarify": "POST /sections/{section_id}/clarify",
    "GET /sections/{section_id}/invite": "POST /sections/{section_id}/invite",
    "GET /sections/{section_id}/cases/new": "POST /sections/{section_id}/objections",
    "GET /sections/{section_id}/evaluation": "POST /sections/{section_id}/evaluation",
    "GET /evaluations/{evaluation_id}/respond": "POST /evaluation-questions/{question_id}/answer",
}

# Reviewed, with the reason: what exists only for people.
READ_PAGE_ONLY: dict[str, str] = {
    "GET /login": "登录表单；接口以 POST /api/v1/auth/tokens 换取令牌",
    "GET /login/otp": "浏览器登录的第二步（动态口令）",
    "GET /login/code": "开户后以一次性短信验证码设置口令的页面",
    "GET /docs": "接口文档本身",
    "GET /healthz": "运行状态探针，不是业务数据",
}

# Pages whose data no API read gives yet — each a debt, named so the list stays honest.
READ_GAPS: dict[str, str] = {
    "GET /cases/{case_id}/entries/{entry_id}/file": "案件证据文件的下载",
    "GET /credit/checks/{check_id}": "单次信用核查记录：接口只列出被拦截的核查",
    "GET /credit/manage": "信用记录管理列表",
    "GET /performance/{performance_id}/file": "履约评价附件的下载",
    "GET /sections/{section_id}/award/contract.pdf": "合同文本 PDF",
    "GET /sections/{section_id}/award/notice.pdf": "中标通知书 PDF",
    "GET /sections/{section_id}/deposit": "投标人本标段的保证金页面：接口以 GET /api/v1/deposits/mine 列出全部",
    "GET /sections/{section_id}/registrations": "标段的获取招标文件登记（开标后审计）",
    "GET /supervision": "风险监测总览（图表）",
    "GET /supervision/platforms/{platform_id}": "接入平台的交易数据统计",
}
