"""专家页面 — the supervision office's pool, the tenderer's draw request on a section, the draw's public record,
and the expert's invitations with accept and decline."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ggzy.core import policy
from ggzy.core.calendar import local_date
from ggzy.core.errors import DomainError, Invalid, NotFound
from ggzy.entities import queries as entities
from ggzy.experts import queries, service, xlsx
from ggzy.experts.states import DrawStatus, ExpertStatus, InvitationStatus
from ggzy.projects import queries as projects
from ggzy.projects.states import SectionStatus
from ggzy.rules import experts as rules
from ggzy.web.deps import Ctx, CurrentActor, Db, SignedIn, content_disposition, page
from ggzy.web.params import Position

router = APIRouter(include_in_schema=False)
MAX_XLSX = 20 * 1024 * 1024
Line = Annotated[str, Form(max_length=300)]


def _redirect(url: str, *, error: str = "", done: str = "") -> RedirectResponse:
    q = f"?error={quote(error)}" if error else (f"?done={quote(done)}" if done else "")
    return RedirectResponse(url + q, status_code=303)


@router.get("/experts", response_class=HTMLResponse)
def pool_page(
    request: Request,
    db: Db,
    principal: SignedIn,
    speciality: str = "",
    region: str = "",
    status: str = "",
    offset: Position = 0,
    error: str = "",
    done: str = "",
) -> Response:
    policy.ensure(principal.actor, policy.EXPERT_POOL_READ)
    experts = queries.list_experts(db, speciality=speciality, region=region, status=status, limit=100, offset=offset)
    specs = queries.specialities_of(db, [e.user_id for e in experts])
    users = {e.user_id: entities.get_user(db, e.user_id) for e in experts}
    return page(
        request,
        "experts/pool.html",
        {
            "experts": experts,
            "specs": specs,
            "users": users,
            "tree": queries.specialities(db),
            "counts": queries.count_experts(db),
            "statuses": list(ExpertStatus),
            "status_of": ExpertStatus,
            "f": {"speciality": speciality, "region": region, "status": status},
            "may_manage": policy.can(principal.actor, policy.EXPERT_POOL_MANAGE),
            "offset": offset,
            "error": error,
            "done": done,
        },
    )


@router.post("/experts/specialities", response_class=HTMLResponse)
def define(request: Request, ctx: Ctx, principal: SignedIn, code: Line, name: Line) -> Response:
    try:
        with ctx.db.unit_of_work() as s:
            service.define_speciality(s, principal.actor, code=code, name=name, clock=ctx.clock)
    except DomainError as e:
        return _redirect("/experts", error=e.message)
    return _redirect("/experts", done=f"专业 {code.strip().upper()} 已保存")


@router.post("/experts/{user_id}/status", response_class=HTMLResponse)
def change_status(
    request: Request, ctx: Ctx, principal: SignedIn, user_id: str, status: Line, reason: Line = ""
) -> Response:
    try:
        with ctx.db.unit_of_work() as s:
            service.set_status(s, principal.actor, user_id=user_id, status=status, reason=reason, clock=ctx.clock)
    except DomainError as e:
        return _redirect("/experts", error=e.message)
    return _redirect("/experts", done="专家状态已变更")


@router.post("/experts/import", response_class=HTMLResponse)
async def import_pool(request: Request, ctx: Ctx, principal: SignedIn, file: Annotated[UploadFile, File()]) -> Response:
    data = await file.read(MAX_XLSX + 1)
    with tempfile.TemporaryDirectory(prefix="ggzy-experts-") as tmp:
        path = Path(tmp) / "pool.xlsx"
        path.write_bytes(data)
        try:
            if len(data) > MAX_XLSX:
                raise Invalid("文件过大（不超过 20 MB）")
            policy.ensure(principal.actor, policy.EXPERT_POOL_MANAGE)
            with ctx.db.unit_of_work() as s:
                report = xlsx.import_experts(s, principal.actor, path, clock=ctx.clock)
        except DomainError as e:
            return _redirect("/experts", error=e.message)
    with ctx.db.unit_of_work(write=False) as s:
        return page(request, "experts/imported.html", {"report": report})


@router.get("/experts/export.xlsx")
def export_pool(db: Db, principal: SignedIn) -> Response:
    policy.ensure(principal.actor, policy.EXPERT_POOL_READ)
    with tempfile.TemporaryDirectory(prefix="ggzy-experts-") as tmp:
        path = Path(tmp) / "pool.xlsx"
        xlsx.export_experts(db, path)
        body = path.read_bytes()
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": content_disposition("评标专家库.xlsx")},
    )


@router.get("/sections/{section_id}/experts", response_class=HTMLResponse)
def section_page(request: Request, db: Db, ctx: Ctx, principal: SignedIn, section_id: str, error: str = "") -> Response:
    """The tenderer's (or agency's) request for a committee, and the draw of this section so far."""
    section = projects.get_section(db, section_id)
    project = projects.get_project(db, section.project_id)
    may_request = policy.can(principal.actor, policy.EXPERT_DRAW_REQUEST, projects.subject_of(project))
    if not may_request and not policy.can(principal.actor, policy.EVALUATION_RUN, projects.subject_of(project)):
        policy.ensure(principal.actor, policy.EXPERT_DRAW_REQUEST, projects.subject_of(project))
    draws = queries.draws_of(db, section.id)
    active = queries.active_draw(db, section.id, section.round)
    return page(
        request,
        "experts/section.html",
        {
            "s": section,
            "p": project,
            "tenderer": entities.get_org(db, project.tenderer_org_id),
            "opened": SectionStatus(section.status) is SectionStatus.OPENED,
            "draws": draws,
            "active": active,
            "draw_status": DrawStatus,
            "may_request": may_request and active is None,
            "tree": queries.specialities(db),
            "tomorrow": local_date(ctx.clock.now()) + timedelta(days=1),
            "answer_minutes": rules.ANSWER_MINUTES,
            "error": error,
        },
    )


@router.post("/sections/{section_id}/experts", response_class=HTMLResponse)
def request_draw(
    request: Request,
    ctx: Ctx,
    principal: SignedIn,
    section_id: str,
    seats: Annotated[str, Form(max_length=2000)],
    evaluation_on: Annotated[str, Form(max_length=10)],
    representatives: Annotated[str, Form(max_length=2000)] = "",
    exclude_regions: Line = "",
    require_regions: Line = "",
    exclude_tenderer_region: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    try:
        try:
            day = date.fromisoformat(evaluation_on)
        except ValueError:
            raise Invalid("评标日期应写作 YYYY-MM-DD") from None
        with ctx.db.unit_of_work() as s:
            reps = []
            for name in representatives.split():
                u = entities.find_user(s, name)
                if u is None:
                    raise Invalid(f"用户「{name}」不存在")
                reps.append(u.id)
            req = service.DrawRequest(
                seats=_seats(seats),
                evaluation_on=day,
                representatives=reps,
                exclude_regions=exclude_regions.replace("，", ",").split(","),
                require_regions=require_regions.replace("，", ",").split(","),
                exclude_tenderer_region=bool(exclude_tenderer_region),
            )
            d = service.request_draw(s, principal.actor, section_id=section_id, request=req, clock=ctx.clock)
            draw_id = d.id
    except DomainError as e:
        return _redirect(f"/sections/{section_id}/experts", error=e.message)
    return _redirect(f"/expert-draws/{draw_id}")


def _seats(text: str) -> list[str]:
    """ "A08.01×3，B02×2" or one code a line: each code with its count."""
    out: list[str] = []
    for part in text.replace("，", ",").replace("\n", ",").split(","):
        part = part.strip()
        if not part:
            continue
        code, _, n = part.replace("x", "×").replace("X", "×").partition("×")
        try:
            count = int(n) if n.strip() else 1
        except ValueError:
            raise Invalid(f"「{part}」应写作 专业代码×人数") from None
        if not 1 <= count <= service.MAX_SEATS:
            raise Invalid(f"「{part}」人数应在1至{service.MAX_SEATS}之间")
        out += [code.strip() or "*"] * count
    return out


@router.get("/sections/{section_id}/expert-draw")
def latest_draw(db: Db, section_id: str) -> Response:
    """The public record of the section's latest draw (linked from the section page once it is opened)."""
    projects.get_section(db, section_id)
    draws = queries.draws_of(db, section_id)
    if not draws:
        raise NotFound("本标段尚未抽取评标专家")
    return RedirectResponse(f"/expert-draws/{draws[0].id}", status_code=303)


@router.get("/expert-draws/{draw_id}", response_class=HTMLResponse)
def draw_page(request: Request, db: Db, actor: CurrentActor, draw_id: str) -> Response:
    """The draw's public record: commitment, seed sources, order and how to verify it."""
    v = service.view(db, actor, draw_id)
    names = {s.code: s.name for s in queries.specialities(db)}
    return page(
        request,
        "experts/draw.html",
        {"v": v, "d": v.draw, "names": names, "draw_status": DrawStatus, "inv_status": InvitationStatus},
    )


@router.get("/my/expert-invitations", response_class=HTMLResponse)
def my_invitations(request: Request, db: Db, principal: SignedIn, error: str = "", done: str = "") -> Response:
    policy.ensure(principal.actor, policy.EXPERT_ANSWER)
    rows = []
    for i in queries.invitations_for(db, principal.actor.user_id or ""):
        d = queries.get_draw(db, i.draw_id)
        section = projects.get_section(db, d.section_id)
        rows.append((i, d, section, projects.get_project(db, section.project_id)))
    return page(
        request,
        "experts/invitations.html",
        {"rows": rows, "inv_status": InvitationStatus, "error": error, "done": done},
    )


@router.post("/my/expert-invitations/{invitation_id}", response_class=HTMLResponse)
def answer(
    request: Request, ctx: Ctx, principal: SignedIn, invitation_id: str, accept: Annotated[str, Form(max_length=3)]
) -> Response:
    try:
        with ctx.db.unit_of_work() as s:
            service.answer(
                s,
                principal.actor,
                invitation_id=invitation_id,
                accept=accept == "yes",
                clock=ctx.clock,
                notifier=ctx.notifier,
            )
    except DomainError as e:
        return _redirect("/my/expert-invitations", error=e.message)
    return _redirect("/my/expert-invitations", done="已接受邀请" if accept == "yes" else "已拒绝，平台已补抽")
