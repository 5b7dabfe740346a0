"""招标文件与报名 — issue the documents; a supplier downloads or registers, secretly (电子办法 art. 20–21).

Downloading needs no registration; both are recorded (who, when, from where) and kept from every
role until the opening. Invited procedures admit only invited suppliers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ggzy.bidding import queries
from ggzy.bidding.models import DocumentAccess, SectionDocument
from ggzy.core import events, policy
from ggzy.core.actor import Actor
from ggzy.core.clock import Clock
from ggzy.core.errors import Forbidden, NotFound, RuleViolation
from ggzy.core.files import Stored
from ggzy.core.ids import new_id
from ggzy.credit import enforce as credit
from ggzy.credit.states import Step as CreditStep
from ggzy.projects import queries as projects
from ggzy.projects.states import SectionStatus
from ggzy.rules.procedures import procedure

DOCUMENTS_DOWNLOADED = events.event_type("bidding.documents_downloaded", "下载招标文件")
REGISTERED = events.event_type("bidding.registered", "投标报名")
CONFIDENTIAL_TYPES = frozenset({DOCUMENTS_DOWNLOADED, REGISTERED})


def issue(session: Session, *, section_id: str, files: list[tuple[str, Stored]], clock: Clock) -> list[SectionDocument]:
    docs = [
        SectionDocument(
            id=new_id(),
            section_id=section_id,
            name=name[:200],
            path=f.path,
            size=f.size,
            sha256=f.sha256,
            uploaded_at=clock.now(),
        )
        for name, f in files
    ]
    session.add_all(docs)
    session.flush()
    return docs


def ensure_may_take_part(
    session: Session, actor: Actor, section_id: str, now: datetime, *, documents: bool = True
) -> None:
    """A logged-in supplier may take part; in invited procedures only an invited one.

    `documents=False` when bidding: the documents period may end before the deadline; bidding may not.
    """
    policy.ensure(actor, policy.DOCUMENTS_DOWNLOAD)
    section = projects.get_section(session, section_id)
    project = projects.get_project(session, section.project_id)
    if procedure(project.method).invited and not projects.is_invited(session, section.id, actor.org_id):
        raise Forbidden("本项目采用邀请方式，仅受邀供应商可以参加", code="not-invited")
    if SectionStatus(section.status) is not SectionStatus.BIDDING:
        what = "获取招标文件" if documents else "递交或撤回投标文件"
        raise RuleViolation(f"标段当前状态为「{SectionStatus(section.status).label}」，不能{what}", code="not-bidding")
    assert section.documents_until is not None
    if documents and section.documents_until < now:
        raise RuleViolation("招标文件提供期已结束", code="documents-closed")


def download(session: Session, actor: Actor, *, document_id: str, clock: Clock) -> SectionDocument:
    """下载 — returns the document to stream; the access is recorded, never shown before the opening."""
    doc = session.get(SectionDocument, document_id)
    if doc is None:
        raise NotFound("未找到该招标文件")
    ensure_may_take_part(session, actor, doc.section_id, clock.now())
    assert actor.org_id is not None and actor.user_id is not None
    session.add(
        DocumentAccess(
            id=new_id(),
            section_id=doc.section_id,
            org_id=actor.org_id,
            user_id=actor.user_id,
            kind="download",
            at=clock.now(),
            ip=actor.ip,
        )
    )
    events.record(
        session,
        actor,
        DOCUMENTS_DOWNLOADED,
        clock=clock,
        subject=("document", doc.id),
        scope=doc.section_id,
        payload={"sha256": doc.sha256},
        secret_until=events.AT_OPENING,
    )
    return doc


def register(session: Session, actor: Actor, *, section_id: str, clock: Clock) -> None:
    """报名 — optional; never a condition for downloading (电子办法 art. 20)."""
    ensure_may_take_part(session, actor, section_id, clock.now())
    assert actor.org_id is not None and actor.user_id is not None
    if any(a.kind == "register" and a.org_id == actor.org_id for a in queries.accesses(session, section_id)):
        return
    if credit.warnings(session, org_id=actor.org_id, section_id=section_id, at=clock.now()):
        # 报名 is warned, not refused: the check is kept, the page shows the warning
        credit.check(
            session, actor, org_id=actor.org_id, section_id=section_id, step=CreditStep.REGISTRATION, clock=clock
        )
    session.add(
        DocumentAccess(
            id=new_id(),
            section_id=section_id,
            org_id=actor.org_id,
            user_id=actor.user_id,
            kind="register",
            at=clock.now(),
            ip=actor.ip,
        )
    )
    events.record(
        session,
        actor,
        REGISTERED,
        clock=clock,
        subject=("section", section_id),
        scope=section_id,
        secret_until=events.AT_OPENING,
    )
