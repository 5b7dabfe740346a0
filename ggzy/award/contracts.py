"""合同 — the contract after the award: drafted from the award or uploaded by the tenderer, the performance security
≤ 10 % of the amount (条例 art. 58; 采购条例 art. 48), the amount and essential terms compared with the award (条例
art. 57), signed on both sides within 30 days of the award notice (招标投标法 art. 46) and published at once
(procurement: within 2 working days, 采购条例 art. 50)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ggzy.award import documents, queries
from ggzy.award.models import Award, Contract
from ggzy.award.service import MAX_PDF, MAX_TEXT, flag, managed_section, publish_notice, section_context, when
from ggzy.bidding import queries as bids
from ggzy.core import events, holds, policy, training
from ggzy.core.actor import Actor
from ggzy.core.clock import Clock
from ggzy.core.errors import Conflict, Forbidden, Invalid, NotFound, RuleViolation
from ggzy.core.files import FileStore
from ggzy.core.ids import new_id
from ggzy.core.types import fits_money, parse_money
from ggzy.deposits import refunds as deposit_refunds
from ggzy.entities import queries as entities
from ggzy.notices.states import NoticeKind
from ggzy.projects import queries as projects
from ggzy.projects import service as project_verbs
from ggzy.projects.states import SectionStatus
from ggzy.rules import award as rules

if TYPE_CHECKING:
    from ggzy.projects.models import Section

CONTRACT_CREATED = events.event_type("award.contract_created", "起草或上传合同")
CONTRACT_SIGNED_BY = events.event_type("award.contract_signed_by", "一方签署合同")
CONTRACT_SIGNED = events.event_type("award.contract_signed", "合同签订并公告", public=True)
CONTRACT_OVERDUE = events.event_type("award.contract_overdue", "逾期未订立合同", public=True)
CONTRACT_DIFFERS = events.event_type("award.contract_differs", "合同与中标结果不一致", public=True)


def _essential(session: Session, a: Award, section: Section, amount: Decimal, days: int | None) -> list[dict[str, str]]:
    """Departures of the contract from the award (条例 art. 57): the price beyond rounding, the duration."""
    out = []
    price = a.winner_price
    if price is not None and abs(amount - price) > rules.AMOUNT_TOLERANCE:
        out.append({"term": "合同金额", "award": str(price), "contract": str(amount)})
    bid = next(
        (b for b in bids.opened_bids(session, section.id, section.round) if b.bidder_org_id == a.winner_org_id), None
    )
    if bid is not None and bid.duration_days is not None and days is not None and days != bid.duration_days:
        out.append({"term": "工期/服务期（日）", "award": str(bid.duration_days), "contract": str(days)})
    return out


def create_contract(
    session: Session,
    actor: Actor,
    *,
    section_id: str,
    amount: object,
    security: object,
    clock: Clock,
    files: FileStore,
    duration_days: int | None = None,
    terms_text: str = "",
    pdf: bytes | None = None,
) -> Contract:
    """起草或上传合同 — by the tenderer, after the award; the performance security ≤ 10 % of the amount (条例
    art. 58); amount and essential terms compared with the award, a difference flagged to supervision (art. 57)."""
    section, project, terms = managed_section(session, actor, section_id)
    a = queries.award_of(session, section.id, section.round)
    if a is None or a.awarded_at is None or SectionStatus(section.status) is not SectionStatus.AWARDED:
        raise RuleViolation("发出中标通知书后才能起草或上传合同", code="not-awarded")
    if queries.contract_of(session, a.id) is not None:
        raise Conflict("本标段已有合同文本", code="contract-exists")
    value = parse_money(amount, "合同金额")
    bond = parse_money(security, "履约保证金")
    if value <= 0 or not fits_money(value):
        raise Invalid("合同金额须大于零", code="bad-amount")
    if bond < 0:
        raise Invalid("履约保证金不能为负数", code="bad-security")
    cap = (value * terms.security_cap / Decimal(100)).quantize(Decimal("0.01"))
    if bond > cap:
        raise RuleViolation(
            f"履约保证金 {documents.money(bond)} 超过合同金额的{terms.security_cap}%（上限 {documents.money(cap)}，"
            f"{terms.security_citation}）",
            code="security-too-high",
            cap=str(cap),
        )
    if duration_days is not None and not 1 <= duration_days <= 36500:
        raise Invalid("工期/服务期应为1至36500日", code="bad-duration")
    terms_text = terms_text.strip()
    if len(terms_text) > MAX_TEXT:
        raise Invalid(f"主要条款不超过{MAX_TEXT}字", code="bad-terms")
    winner = entities.get_org(session, a.winner_org_id or "")
    tenderer = entities.get_org(session, project.tenderer_org_id)
    if pdf is None:
        source = "draft"
        body = documents.render(
            documents.Letter(
                title="合同",
                to=f"发包人（招标人）：{tenderer.name}　承包人（中标人）：{winner.name}",
                lines=[
                    f"根据{project.name}（标段：{section.name}，编号 {section.code}）的招标文件、"
                    "中标人的投标文件和中标通知书，双方订立本合同（《招标投标法》第46条）。",
                    f"合同金额：{documents.money(value)}。",
                    f"履约保证金：{documents.money(bond)}。",
                    *([f"工期/服务期：{duration_days}日。"] if duration_days else []),
                    *([f"主要条款：{terms_text}"] if terms_text else []),
                    "双方不得再行订立背离合同实质性内容的其他协议（《招标投标法实施条例》第57条）。",
                ],
                sender=f"{tenderer.name}　{winner.name}",
                at=clock.now(),
            )
        )
    else:
        source = "upload"
        if not pdf.startswith(b"%PDF-") or len(pdf) > MAX_PDF:
            raise Invalid(f"合同文件须为不超过{MAX_PDF >> 20} MB 的 PDF", code="bad-pdf")
        body = pdf
    differences = _essential(session, a, section, value, duration_days)
    stored = files.save(f"award/{section.id}", [body], max_bytes=MAX_PDF)
    contract = Contract(
        id=new_id(),
        award_id=a.id,
        section_id=section.id,
        source=source,
        path=stored.path,
        sha256=stored.sha256,
        amount=value,
        security=bond,
        duration_days=duration_days,
        terms=terms_text,
        differences=json.dumps(differences, ensure_ascii=False),
        created_by=actor.user_id or "",
        created_at=clock.now(),
        signed_late=False,
    )
    session.add(contract)
    session.flush()
    events.record(
        session,
        actor,
        CONTRACT_CREATED,
        clock=clock,
        subject=("contract", contract.id),
        scope=section.id,
        payload={"source": source, "sha256": stored.sha256, "amount": value, "security": bond},
    )
    if differences:
        events.record(
            session,
            actor,
            CONTRACT_DIFFERS,
            clock=clock,
            subject=("contract", contract.id),
            scope=section.id,
            payload={"differences": differences},
        )
        flag(
            session,
            "D05",
            "合同与中标结果不一致",
            str(terms.amount_citation),
            section,
            project,
            {"differences": differences},
            clock=clock,
            org_ids=(winner.id,),
        )
    return contract


def sign_contract(session: Session, actor: Actor, *, section_id: str, clock: Clock) -> Contract:
    """签署合同 — the tenderer and the winner each sign on their page, within 30 days of the award notice
    (招标投标法 art. 46); the second signature makes the contract, which is published at once."""
    section, project, terms = section_context(session, section_id)
    a = queries.award_of(session, section.id, section.round)
    if a is None or a.awarded_at is None:
        raise RuleViolation("发出中标通知书后才能签订合同", code="not-awarded")
    contract = queries.contract_of(session, a.id)
    if contract is None:
        raise NotFound("招标人尚未起草或上传合同", code="no-contract")
    # the parties are the tenderer itself (an agency drafts, but does not sign for it) and the winner
    tenderer = actor.org_id is not None and actor.org_id == project.tenderer_org_id
    if tenderer and policy.can(actor, policy.AWARD_MANAGE, projects.subject_of(project)):
        side = "tenderer"
    elif policy.can(actor, policy.AWARD_SIGN) and actor.org_id is not None and actor.org_id == a.winner_org_id:
        side = "winner"
    else:
        raise Forbidden("只有招标人和中标人可以签署本合同", code="not-a-party")
    if contract.signed_at is not None or getattr(contract, f"{side}_signed_at") is not None:
        raise Conflict("您方已经签署过本合同", code="already-signed")
    now = clock.now()
    if a.contract_due_at is not None and now > a.contract_due_at:
        raise RuleViolation(
            f"订立合同的期限已于{when(a.contract_due_at)}届满（{terms.contract.citation}），不能再签署；请联系行政监督部门",
            code="contract-late",
        )
    holds.check(session, section.id, holds.Step.SIGNING)
    setattr(contract, f"{side}_signed_by", actor.user_id)
    setattr(contract, f"{side}_signed_at", now)
    events.record(
        session,
        actor,
        CONTRACT_SIGNED_BY,
        clock=clock,
        subject=("contract", contract.id),
        scope=section.id,
        payload={"side": side},
    )
    if contract.tenderer_signed_at is None or contract.winner_signed_at is None:
        return contract
    project_verbs.mark_contracted(session, actor, section_id=section.id)
    contract.signed_at = now
    contract.publish_due_at = (
        terms.contract_publish.latest_at(now, factor=training.factor(session)) if terms.contract_publish else None
    )
    winner = entities.get_org(session, a.winner_org_id or "")
    body = [
        f"{project.name}（标段：{section.name}，编号 {section.code}）合同已于{when(now)}签订。",
        f"合同双方：{entities.get_org(session, project.tenderer_org_id).name}、{winner.name}",
        f"合同金额：{documents.money(contract.amount)}",
        *([f"工期/服务期：{contract.duration_days}日"] if contract.duration_days else []),
        f"合同文本摘要（SHA-256）：{contract.sha256}",
    ]
    contract.notice_id = publish_notice(session, actor, project, section, NoticeKind.CONTRACT, "\n".join(body), clock)
    deposit_refunds.on_contract(session, section_id=section.id, winner_org_id=a.winner_org_id or "", clock=clock)
    a.next_due_at = a.report_due_at if a.report_due_at and a.reported_at is None and not a.report_overdue else None
    events.record(
        session,
        actor,
        CONTRACT_SIGNED,
        clock=clock,
        subject=("contract", contract.id),
        scope=section.id,
        payload={"sha256": contract.sha256, "amount": contract.amount, "winner": winner.name},
    )
    return contract
