"""主体库接口 — tokens, the caller, organisations and accounts over JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from ggzy.core import policy
from ggzy.core.errors import Invalid
from ggzy.core.roles import Role
from ggzy.entities import auth, queries, review, service
from ggzy.entities.models import AccountRequest
from ggzy.entities.schemas import (
    AccountChange,
    AccountRequestRead,
    Grant,
    Me,
    MeUpdate,
    OrgContacts,
    OrgCreate,
    OrgDetail,
    OrgPage,
    OrgRead,
    OrgUpdate,
    PasswordWithCode,
    TokenCreate,
    TokenIssued,
    TotpReplace,
    UserCreate,
    UserCreated,
    UserRead,
)
from ggzy.entities.states import OrgKind
from ggzy.web import params
from ggzy.web.deps import Ctx, CurrentActor, Db, SignedIn, ip_of
from ggzy.web.errors import problem

router = APIRouter()


@router.post("/auth/tokens", response_model=TokenIssued, status_code=201, tags=["认证"])
def create_token(request: Request, body: TokenCreate, db: Db, ctx: Ctx) -> Response | TokenIssued:
    """以用户名、口令（及动态口令）换取接口令牌。失败统一返回 401，不透露用户是否存在。"""
    ip = ip_of(request)
    out = auth.check_password(
        db, username=body.username.lower(), password=body.password, ip=ip, clock=ctx.clock, ident=ctx.ident
    )
    if out.user is None or out.role is None:
        if out.throttled:
            return problem(request, 429, code="sign-in-paused", title="登录已暂停", detail=out.message)
        return problem(
            request, 401, code="bad-credentials", title="认证失败", detail=out.message or auth.GENERIC_FAILURE
        )
    if out.needs_enrolment:
        return problem(
            request,
            403,
            code="second-factor-required",
            title="须先绑定动态口令",
            detail="工作人员须先在网页端绑定动态口令",
        )
    if out.needs_second_factor:
        factor = auth.check_second_factor(
            db, user=out.user, role=out.role, code=body.totp_code or "", ip=ip, clock=ctx.clock, ident=ctx.ident
        )
        if factor.locked_until is not None:
            return problem(request, 429, code="second-factor-paused", title="动态口令验证已暂停", detail=factor.message)
        if not factor:
            return problem(request, 401, code="bad-second-factor", title="认证失败", detail=factor.message)
    actor = auth.actor_for(db, out.user, out.role, ip)
    raw, tok = auth.issue_token(db, actor, name=body.name, clock=ctx.clock, ident=ctx.ident)
    return TokenIssued(id=tok.id, token=raw, role=Role(tok.role), expires_at=tok.expires_at)


@router.delete("/auth/tokens/{token_id}", status_code=204, tags=["认证"], summary="吊销接口令牌")
def revoke_token(token_id: str, db: Db, ctx: Ctx, principal: SignedIn) -> Response:
    auth.revoke_token(db, principal.actor, token_id=token_id, clock=ctx.clock)
    return Response(status_code=204)


@router.get("/me", response_model=Me, tags=["认证"], summary="当前调用者")
def me(db: Db, principal: SignedIn) -> Me:
    assert principal.user is not None
    return _me(db, principal, principal.user.locale)


def _me(db: Db, principal: SignedIn, locale: str | None) -> Me:
    assert principal.user is not None
    org = queries.get_org(db, principal.user.org_id)
    return Me(
        id=principal.user.id,
        username=principal.user.username,
        display_name=principal.user.display_name,
        role=principal.actor.role,
        sectors=sorted(principal.actor.sectors),
        organisation=OrgRead.model_validate(org),
        locale="en" if locale == "en" else "zh" if locale == "zh" else None,
    )


@router.patch("/me", response_model=Me, tags=["认证"], summary="修改本人设置（界面语言）")
def update_me(body: MeUpdate, db: Db, ctx: Ctx, principal: SignedIn) -> Me:
    """设置本人的界面语言；此后登录的页面、消息与文书均用该语言（页面上的“中文 / English”切换也会保存到这里）。"""
    assert principal.user is not None
    user = service.set_locale(db, principal.actor, user_id=principal.user.id, locale=body.locale, clock=ctx.clock)
    return _me(db, principal, user.locale)


@router.get("/organisations", response_model=OrgPage, tags=["市场主体"], summary="市场主体名录")
def list_organisations(
    db: Db,
    actor: CurrentActor,
    kind: OrgKind | None = None,
    q: Annotated[str | None, Query(max_length=60)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: params.Position = 0,
) -> OrgPage:
    policy.ensure(actor, policy.ENTITY_READ)
    orgs, total = queries.list_orgs(db, kind=kind.value if kind else None, q=q, limit=limit, offset=offset)
    return OrgPage(items=[OrgRead.model_validate(o) for o in orgs], total=total)


@router.post("/organisations", response_model=OrgDetail, status_code=201, tags=["市场主体"], summary="登记市场主体")
def register_organisation(body: OrgCreate, db: Db, ctx: Ctx, principal: SignedIn) -> OrgDetail:
    contact = body.model_dump(exclude={"name", "credit_code", "kind", "sector"})
    org = service.register_organisation(
        db,
        principal.actor,
        name=body.name,
        credit_code_text=body.credit_code,
        kind=body.kind,
        sector=body.sector,
        clock=ctx.clock,
        **contact,
    )
    return _detail(org, principal.actor)


@router.get("/organisations/{org_id}", response_model=OrgDetail, tags=["市场主体"], summary="市场主体详情")
def get_organisation(org_id: str, db: Db, actor: CurrentActor) -> OrgDetail:
    policy.ensure(actor, policy.ENTITY_READ)
    return _detail(queries.get_org(db, org_id), actor)


@router.patch("/organisations/{org_id}", response_model=OrgDetail, tags=["市场主体"], summary="修改市场主体信息")
def update_organisation(org_id: str, body: OrgUpdate, db: Db, ctx: Ctx, principal: SignedIn) -> OrgDetail:
    changes = body.model_dump(exclude_none=True)
    if not changes:
        raise Invalid("没有要修改的内容", code="empty-update")
    org = service.update_organisation(db, principal.actor, org_id=org_id, changes=changes, clock=ctx.clock)
    return _detail(org, principal.actor)


def _detail(org: object, actor: object) -> OrgDetail:
    from ggzy.entities.models import Organisation

    assert isinstance(org, Organisation)
    base = OrgRead.model_validate(org).model_dump()
    show = policy.can(actor, policy.ENTITY_CONTACTS, service.org_subject(org))  # type: ignore[arg-type]
    return OrgDetail(**base, contacts=OrgContacts.model_validate(org) if show else None)


@router.post("/users", response_model=UserCreated, status_code=201, tags=["账户"])
def create_user(body: UserCreate, db: Db, ctx: Ctx, principal: SignedIn) -> UserCreated:
    """开设账户。本人凭短信一次性验证码设置口令；工作人员账户须经第二人复核同意后才启用。"""
    user = service.create_user(
        db,
        principal.actor,
        org_id=body.org_id,
        username=body.username,
        display_name=body.display_name,
        roles=[(g.role, g.sector.value if g.sector else "") for g in body.roles],
        clock=ctx.clock,
        ident=ctx.ident,
        notifier=ctx.notifier,
    )
    pending = [r for r in review.about(db, user.id) if r.status == "pending"]
    return UserCreated(
        id=user.id, username=user.username, pending_review=bool(pending), request_id=pending[0].id if pending else None
    )


def _change(user_id: str, req: AccountRequest | None) -> AccountChange:
    return AccountChange(user_id=user_id, pending_review=req is not None, request_id=req.id if req else None)


@router.post("/users/{user_id}/reset", response_model=AccountChange, tags=["账户"])
def reset_password(user_id: str, db: Db, ctx: Ctx, principal: SignedIn) -> AccountChange:
    """重置口令：原口令失效，本人收到短信一次性验证码后自行设置；工作人员账户须经第二人复核。"""
    req = service.reset_password(
        db, principal.actor, user_id=user_id, clock=ctx.clock, ident=ctx.ident, notifier=ctx.notifier
    )
    return _change(user_id, req)


@router.post("/users/{user_id}/enable", response_model=AccountChange, tags=["账户"])
def enable_user(user_id: str, db: Db, ctx: Ctx, principal: SignedIn) -> AccountChange:
    """重新启用账户；工作人员账户须经第二人复核。"""
    return _change(user_id, service.enable_user(db, principal.actor, user_id=user_id, clock=ctx.clock))


def _request_read(db: Db, req: AccountRequest) -> AccountRequestRead:
    return AccountRequestRead(
        id=req.id,
        kind=req.kind,
        kind_label=review.Kind(req.kind).label,
        user_id=req.user_id,
        username=queries.get_user(db, req.user_id).username,
        role=Role(req.role) if req.role else None,
        sector=req.sector or None,
        status=req.status,
        requested_by=req.requested_by,
        requested_at=req.requested_at,
        decided_by=req.decided_by,
        decided_at=req.decided_at,
    )


@router.get("/account-requests", response_model=list[AccountRequestRead], tags=["账户"])
def list_account_requests(db: Db, principal: SignedIn) -> list[AccountRequestRead]:
    """待第二人复核的账户变更（双人复核）。"""
    policy.ensure(principal.actor, policy.ACCOUNT_REVIEW)
    return [_request_read(db, r) for r in review.pending(db)]


@router.post("/account-requests/{request_id}/approve", response_model=AccountRequestRead, tags=["账户"])
def approve_account_request(request_id: str, db: Db, ctx: Ctx, principal: SignedIn) -> AccountRequestRead:
    """复核同意账户变更，变更随即生效；提出人和被变更账户的本人不能复核。"""
    req = review.approve(
        db, principal.actor, request_id=request_id, clock=ctx.clock, ident=ctx.ident, notifier=ctx.notifier
    )
    return _request_read(db, req)


@router.post("/account-requests/{request_id}/reject", response_model=AccountRequestRead, tags=["账户"])
def reject_account_request(request_id: str, db: Db, ctx: Ctx, principal: SignedIn) -> AccountRequestRead:
    """复核不同意账户变更，变更不生效。"""
    return _request_read(db, review.reject(db, principal.actor, request_id=request_id, clock=ctx.clock))


@router.post("/auth/password", status_code=204, tags=["认证"])
def set_password_with_code(request: Request, body: PasswordWithCode, db: Db, ctx: Ctx) -> Response:
    """凭短信一次性验证码设置本人口令（新开账户或口令被重置后）。"""
    out = auth.set_password_with_code(
        db,
        username=body.username,
        code=body.code,
        new_password=body.new_password,
        ip=ip_of(request),
        clock=ctx.clock,
        ident=ctx.ident,
    )
    if out.user is None:
        if out.throttled:
            return problem(request, 429, code="sign-in-paused", title="已暂停", detail=out.message)
        return problem(request, 401, code="bad-code", title="验证码不正确", detail=out.message)
    return Response(status_code=204)


@router.post("/me/totp", status_code=204, tags=["认证"])
def replace_totp(request: Request, body: TotpReplace, db: Db, ctx: Ctx, principal: SignedIn) -> Response:
    """更换动态口令：须完整登录，并提供原验证器此刻的口令。"""
    out = auth.replace_totp(
        db,
        principal.actor,
        current_code=body.current_code,
        secret=body.secret,
        code=body.code,
        clock=ctx.clock,
        ident=ctx.ident,
    )
    if not out:
        status = 429 if out.locked_until else 401
        return problem(request, status, code="bad-second-factor", title="原动态口令不正确", detail=out.message)
    return Response(status_code=204)


@router.get("/users", response_model=list[UserRead], tags=["账户"], summary="用户账户列表")
def list_users(
    db: Db,
    ctx: Ctx,
    principal: SignedIn,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
    offset: params.Position = 0,
) -> list[UserRead]:
    policy.ensure(principal.actor, policy.USER_READ)
    now = ctx.clock.now()
    out = []
    for u in queries.list_users(db, limit=limit, offset=offset):
        grants = [Grant(role=Role(g.role), sector=g.sector or None) for g in queries.grants_of(db, u.id)]
        out.append(
            UserRead(
                id=u.id,
                username=u.username,
                display_name=u.display_name,
                org_id=u.org_id,
                roles=grants,
                is_active=u.is_active,
                locked=bool(u.locked_until and u.locked_until > now),
                second_factor=u.totp_secret is not None,
            )
        )
    return out


__all__ = ["JSONResponse", "router"]


@router.post("/users/{user_id}/unlock", response_model=AccountChange, tags=["账户"], summary="解除账户锁定")
def unlock_user(user_id: str, db: Db, ctx: Ctx, principal: SignedIn) -> AccountChange:
    """解除动态口令的暂停和该用户名被暂停的登录地址。"""
    service.unlock_user(db, principal.actor, user_id=user_id, clock=ctx.clock)
    return _change(user_id, None)


@router.post("/users/{user_id}/disable", response_model=AccountChange, tags=["账户"], summary="停用账户")
def disable_user(user_id: str, db: Db, ctx: Ctx, principal: SignedIn) -> AccountChange:
    """停用账户：其会话和令牌随即失效；重新启用须经第二人复核（工作人员）。"""
    service.disable_user(db, principal.actor, user_id=user_id, clock=ctx.clock)
    return _change(user_id, None)


class PasswordChange(BaseModel):
    old: str = Field(min_length=1, max_length=256)
    new: str = Field(min_length=1, max_length=256)


@router.post("/me/password", status_code=204, tags=["认证"], summary="修改本人口令")
def change_password(body: PasswordChange, db: Db, ctx: Ctx, principal: SignedIn) -> Response:
    """核对原口令后修改；本人其他浏览器会话随即结束。"""
    auth.change_password(
        db, principal.actor, old=body.old, new=body.new, clock=ctx.clock, ident=ctx.ident, keep_session=None
    )
    return Response(status_code=204)
