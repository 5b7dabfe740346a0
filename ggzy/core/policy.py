"""访问策略 — the one module that answers every (role, action, object) question (S1 管办分离).

Services call `ensure(actor, action, subject)`; nobody checks roles anywhere else. The table
below is the whole policy; `tests/core/test_policy.py` holds a copy of it as a matrix, so any
change here is a visible change there. Invariants checked at import:
- auditors and discipline inspectors only read (and look after their own account);
- the platform administrator never touches trade contents;
- nobody but the platform itself acts for the public.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ggzy.core.actor import Actor
from ggzy.core.errors import Forbidden
from ggzy.core.roles import GRANTABLE, Role


class Scope(StrEnum):
    ANY = "any"  # every object
    OWN = "own"  # objects of the actor's organisation
    SECTOR = "sector"  # objects in the actor's sectors (行业监管, 谁监管、谁负责)
    SELF = "self"  # the actor's own account


class Kind(StrEnum):
    READ = "read"
    WRITE = "write"
    SELF_SERVICE = "self"  # one's own password, second factor, tokens


@dataclass(frozen=True)
class Subject:
    """What a policy question is about: whose it is and which sector it belongs to."""

    kind: str
    org_ids: frozenset[str] = frozenset()
    sector: str | None = None
    user_id: str | None = None
    # 委托代理: an agency named on the object acts for its owner (org_ids) only while an active appointment
    # covers it. It may read what it is named on; it may write only with `appointment` (the agency agreement's
    # reference) set. `agent_rule` is the legal basis the refusal cites (the projects domain fills it in).
    agent_org_id: str | None = None
    appointment: str | None = None
    agent_rule: str = ""


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    kind: Kind
    content: bool  # touches trade contents (bids, projects, evaluations, the log's payloads)
    grants: Mapping[Role, Scope] = field(default_factory=dict)


ACTIONS: dict[str, Action] = {}

ALL_PEOPLE: dict[Role, Scope] = {r: Scope.ANY for r in Role if r is not Role.SYSTEM}
LOGGED_IN: dict[Role, Scope] = dict.fromkeys(GRANTABLE, Scope.ANY)
OVERSIGHT: dict[Role, Scope] = {Role.AUDITOR: Scope.ANY, Role.INSPECTOR: Scope.ANY}


def _define(name: str, label: str, kind: Kind, *, content: bool, grants: Mapping[Role, Scope]) -> str:
    ACTIONS[name] = Action(name, label, kind, content, dict(grants))
    return name


# --- the table ------------------------------------------------------------------------------
PORTAL_VIEW = _define("portal.view", "浏览门户", Kind.READ, content=False, grants=ALL_PEOPLE)
LOG_PROOF = _define("log.proof", "查看签名树头与证明", Kind.READ, content=False, grants=ALL_PEOPLE)
ENTITY_READ = _define("entity.read", "查看市场主体名录", Kind.READ, content=False, grants=ALL_PEOPLE)
ACCOUNT_SELF = _define(
    "account.self",
    "管理本人账户（口令、动态口令、令牌）",
    Kind.SELF_SERVICE,
    content=False,
    grants=dict.fromkeys(GRANTABLE, Scope.SELF),
)
ENTITY_CONTACTS = _define(
    "entity.contacts",
    "查看主体联系人与法定代表人",
    Kind.READ,
    content=False,
    grants={
        Role.OPERATOR: Scope.ANY,
        Role.SUPERVISOR: Scope.ANY,
        Role.SECTOR_SUPERVISOR: Scope.ANY,
        Role.ADMIN: Scope.ANY,
        Role.BIDDER: Scope.OWN,
        Role.TENDERER: Scope.OWN,
        Role.AGENCY: Scope.OWN,
        Role.EXPERT: Scope.OWN,
        **OVERSIGHT,
    },
)
ENTITY_REGISTER = _define(
    "entity.register",
    "登记市场主体",
    Kind.WRITE,
    content=False,
    grants={Role.ADMIN: Scope.ANY, Role.OPERATOR: Scope.ANY},
)
ENTITY_UPDATE = _define(
    "entity.update",
    "修改市场主体信息",
    Kind.WRITE,
    content=False,
    grants={
        Role.ADMIN: Scope.ANY,
        Role.OPERATOR: Scope.ANY,
        Role.BIDDER: Scope.OWN,
        Role.TENDERER: Scope.OWN,
        Role.AGENCY: Scope.OWN,
    },
)
USER_MANAGE = _define("user.manage", "管理用户账户与角色", Kind.WRITE, content=False, grants={Role.ADMIN: Scope.ANY})
USER_READ = _define("user.read", "查看用户账户", Kind.READ, content=False, grants={Role.ADMIN: Scope.ANY, **OVERSIGHT})
LOG_READ = _define(
    "log.read",
    "查阅事件日志明细",
    Kind.READ,
    content=True,
    grants={Role.SUPERVISOR: Scope.ANY, Role.SECTOR_SUPERVISOR: Scope.SECTOR, **OVERSIGHT},
)
CATALOG_MANAGE = _define(
    "catalog.manage", "调整交易目录", Kind.WRITE, content=False, grants={Role.SUPERVISOR: Scope.ANY}
)
# 检索近义词: the portal search's synonym table (道路 → 公路 …), kept by the supervision office and the administrator
SEARCH_SYNONYMS = _define(
    "search.synonyms",
    "维护门户检索近义词",
    Kind.WRITE,
    content=False,
    grants={Role.SUPERVISOR: Scope.ANY, Role.ADMIN: Scope.ANY},
)
MANAGERS: dict[Role, Scope] = {Role.TENDERER: Scope.OWN, Role.AGENCY: Scope.OWN}
PROJECT_REGISTER = _define("project.register", "登记交易项目", Kind.WRITE, content=True, grants=MANAGERS)
PROJECT_MANAGE = _define(
    "project.manage", "发布公告、澄清修改、重新招标、终止", Kind.WRITE, content=True, grants=MANAGERS
)
PROJECT_READ = _define(
    "project.read",
    "查看项目办理情况",
    Kind.READ,
    content=True,
    grants={
        **MANAGERS,
        Role.OPERATOR: Scope.ANY,
        Role.SUPERVISOR: Scope.ANY,
        Role.SECTOR_SUPERVISOR: Scope.SECTOR,
        **OVERSIGHT,
    },
)
PROJECT_ACCEPT = _define(
    "project.accept", "受理或退回项目登记", Kind.WRITE, content=True, grants={Role.OPERATOR: Scope.ANY}
)
DOCUMENTS_DOWNLOAD = _define(
    "documents.download", "下载招标文件、报名", Kind.WRITE, content=True, grants={Role.BIDDER: Scope.ANY}
)
BID_SUBMIT = _define("bid.submit", "递交、修改、撤回投标", Kind.WRITE, content=True, grants={Role.BIDDER: Scope.OWN})
OPENING_SHARE = _define(
    "opening.share",
    "提交开标密钥份额",
    Kind.WRITE,
    content=True,
    grants={Role.OPERATOR: Scope.ANY, Role.SUPERVISOR: Scope.ANY, Role.TENDERER: Scope.OWN},
)
OPENING_RUN = _define("opening.run", "主持开标", Kind.WRITE, content=True, grants={Role.OPERATOR: Scope.ANY})
REGISTRATIONS_READ = _define(
    "registrations.read", "查看报名与下载记录（开标后）", Kind.READ, content=True, grants={Role.AUDITOR: Scope.ANY}
)
ALERT_READ = _define(
    "alert.read",
    "查看监管预警与风险看板",
    Kind.READ,
    content=True,
    grants={Role.SUPERVISOR: Scope.ANY, Role.SECTOR_SUPERVISOR: Scope.SECTOR, **OVERSIGHT},
)
ALERT_HANDLE = _define(
    "alert.handle",
    "分派、核查、查实或排除预警",
    Kind.WRITE,
    content=True,
    grants={Role.SUPERVISOR: Scope.ANY, Role.SECTOR_SUPERVISOR: Scope.SECTOR},
)
ACCOUNT_REVIEW = _define(
    "account.review",
    "复核工作人员账户的开设、提权、重新启用与口令重置（双人复核）",
    Kind.WRITE,
    content=False,
    grants={Role.SUPERVISOR: Scope.ANY},
)
EVALUATION_RUN = _define(
    "evaluation.run",
    "组织评标（开启评标、组织报价轮次、记录协商情况）",
    Kind.WRITE,
    content=True,
    grants={Role.OPERATOR: Scope.ANY},
)
EVALUATION_SCORE = _define(
    "evaluation.score",
    "独立评审打分、提出书面澄清（评标委员会成员：评标专家、招标人代表）",
    Kind.WRITE,
    content=True,
    grants={Role.EXPERT: Scope.ANY, Role.TENDERER: Scope.OWN, Role.AGENCY: Scope.OWN},
)
EVALUATION_CHAIR = _define(
    "evaluation.chair",
    "汇总评审结果、签署评标报告（评标委员会组长）",
    Kind.WRITE,
    content=True,
    grants={Role.EXPERT: Scope.ANY},
)
EVALUATION_RESPOND = _define(
    "evaluation.respond",
    "答复评标澄清、提交谈判磋商报价",
    Kind.WRITE,
    content=True,
    grants={Role.BIDDER: Scope.OWN},
)
EVALUATION_WATCH = _define(
    "evaluation.watch",
    "在线监督评标过程",
    Kind.READ,
    content=True,
    grants={Role.SUPERVISOR: Scope.ANY, Role.SECTOR_SUPERVISOR: Scope.SECTOR, **OVERSIGHT},
)
EVALUATION_REPORT = _define(
    "evaluation.report",
    "查看已签署的评标报告",
    Kind.READ,
    content=True,
    grants={
        **MANAGERS,
        Role.EXPERT: Scope.ANY,
        Role.OPERATOR: Scope.ANY,
        Role.SUPERVISOR: Scope.ANY,
        Role.SECTOR_SUPERVISOR: Scope.SECTOR,
        **OVERSIGHT,
    },
)
DEPOSIT_PAY = _define(
    "deposit.pay", "缴纳投标保证金、登记基本账户", Kind.WRITE, content=True, grants={Role.BIDDER: Scope.OWN}
)
DEPOSIT_MANAGE = _define(
    "deposit.manage", "核实到账、退还与不予退还保证金", Kind.WRITE, content=True, grants={Role.OPERATOR: Scope.ANY}
)
DEPOSIT_READ = _define(
    "deposit.read",
    "查看标段保证金收退情况（开标后）",
    Kind.READ,
    content=True,
    grants={
        Role.OPERATOR: Scope.ANY,
        Role.SUPERVISOR: Scope.ANY,
        Role.SECTOR_SUPERVISOR: Scope.SECTOR,
        **OVERSIGHT,
    },
)
ISSUER_MANAGE = _define(
    "deposit.issuers", "登记与暂停保函出具机构", Kind.WRITE, content=False, grants={Role.SUPERVISOR: Scope.ANY}
)
AWARD_MANAGE = _define(
    "award.manage",
    "公示中标候选人、答复异议、定标、起草或上传并签署合同、提交书面报告",
    Kind.WRITE,
    content=True,
    grants=MANAGERS,
)
AWARD_SIGN = _define("award.sign", "中标人签署合同", Kind.WRITE, content=True, grants={Role.BIDDER: Scope.OWN})
AWARD_READ = _define(
    "award.read",
    "查看中标候选人公示、异议、定标与合同",
    Kind.READ,
    content=True,
    grants={
        **MANAGERS,
        Role.BIDDER: Scope.OWN,
        Role.OPERATOR: Scope.ANY,
        Role.SUPERVISOR: Scope.ANY,
        Role.SECTOR_SUPERVISOR: Scope.SECTOR,
        **OVERSIGHT,
    },
)
PERFORMANCE_RECORD = _define(
    "award.performance",
    "记录合同履约评价（按约履行、延期、质量缺陷、违约、解除）",
    Kind.WRITE,
    content=True,
    grants=MANAGERS,
)
PERFORMANCE_OBJECT = _define(
    "award.performance_object",
    "对本单位的合同履约评价提出异议（一次）",
    Kind.WRITE,
    content=True,
    grants={Role.BIDDER: Scope.OWN},
)
ARCHIVE_READ = _define(
    "archive.read",
    "查阅交易档案",
    Kind.READ,
    content=True,
    grants={
        **MANAGERS,
        Role.OPERATOR: Scope.ANY,
        Role.SUPERVISOR: Scope.ANY,
        Role.SECTOR_SUPERVISOR: Scope.SECTOR,
        **OVERSIGHT,
    },
)
HOLDER_KEY = _define(
    "holder.key",
    "登记本人的开标密钥公钥（私钥只在本人一方）",
    Kind.SELF_SERVICE,
    content=False,
    grants={Role.OPERATOR: Scope.SELF, Role.SUPERVISOR: Scope.SELF, Role.TENDERER: Scope.SELF},
)
EXPERT_POOL_MANAGE = _define(
    "expert.pool_manage",
    "维护评标专家库（专业分类、导入导出、暂停与除名）",
    Kind.WRITE,
    content=False,
    grants={Role.SUPERVISOR: Scope.ANY},
)
EXPERT_POOL_READ = _define(
    "expert.pool_read",
    "查看评标专家库",
    Kind.READ,
    content=False,
    grants={Role.SUPERVISOR: Scope.ANY, Role.OPERATOR: Scope.ANY, **OVERSIGHT},
)
EXPERT_DRAW_REQUEST = _define("expert.draw_request", "申请抽取评标专家", Kind.WRITE, content=True, grants=MANAGERS)
EXPERT_DRAW_NAMES = _define(
    "expert.draw_names",
    "评标结束前查看抽取专家的姓名（组织评标）",
    Kind.READ,
    content=True,
    grants={Role.OPERATOR: Scope.ANY},
)
EXPERT_ANSWER = _define(
    "expert.answer",
    "接受或拒绝评标邀请（本人）",
    Kind.WRITE,
    content=True,
    grants={Role.EXPERT: Scope.SELF},
)
PARTIES: dict[Role, Scope] = {Role.BIDDER: Scope.OWN, Role.TENDERER: Scope.OWN, Role.AGENCY: Scope.OWN}
CASE_FILE = _define("case.file", "提出异议（质疑）或投诉", Kind.WRITE, content=True, grants={Role.BIDDER: Scope.OWN})
CASE_ANSWER = _define("case.answer", "答复异议（质疑）、按处理决定整改", Kind.WRITE, content=True, grants=MANAGERS)
CASE_READ = _define(
    "case.read",
    "查看异议投诉案件（当事人、受理部门；决定公布前他人不可见）",
    Kind.READ,
    content=True,
    grants={
        **PARTIES,
        Role.OPERATOR: Scope.ANY,
        Role.SUPERVISOR: Scope.ANY,
        Role.SECTOR_SUPERVISOR: Scope.SECTOR,
        **OVERSIGHT,
    },
)
CASE_STATE = _define("case.state", "在案件中陈述、补充证据、回答询问", Kind.WRITE, content=True, grants=PARTIES)
CASE_GUIDE = _define(
    "case.guide", "指导当事人依法提出异议投诉（不作决定）", Kind.WRITE, content=True, grants={Role.OPERATOR: Scope.ANY}
)
CASE_DECIDE = _define(
    "case.decide",
    "受理或不予受理投诉、询问、暂停交易、中止计时、作出处理决定",
    Kind.WRITE,
    content=True,
    grants={Role.SECTOR_SUPERVISOR: Scope.SECTOR},
)
CASE_OVERVIEW = _define(
    "case.overview",
    "查看异议投诉总览与登记册",
    Kind.READ,
    content=True,
    grants={Role.SUPERVISOR: Scope.ANY, Role.SECTOR_SUPERVISOR: Scope.SECTOR, **OVERSIGHT},
)
CREDIT_RECORD = _define(
    "credit.record",
    "记录信用信息、惩戒措施，导入名单，处理信用异议与修复",
    Kind.WRITE,
    content=False,
    grants={Role.SUPERVISOR: Scope.ANY, Role.SECTOR_SUPERVISOR: Scope.ANY},
)
CREDIT_READ = _define(
    "credit.read",
    "查看信用记录明细、查询留痕与拦截记录",
    Kind.READ,
    content=False,
    grants={
        **PARTIES,
        Role.OPERATOR: Scope.ANY,
        Role.SUPERVISOR: Scope.ANY,
        Role.SECTOR_SUPERVISOR: Scope.ANY,
        **OVERSIGHT,
    },
)
CREDIT_OBJECT = _define(
    "credit.object", "对本单位信用记录提出异议、申请修复", Kind.WRITE, content=False, grants=PARTIES
)
FEDERATION_MANAGE = _define(
    "federation.manage",
    "认可、暂停与恢复接入交易平台",
    Kind.WRITE,
    content=False,
    grants={Role.SUPERVISOR: Scope.ANY},
)
FEDERATION_READ = _define(
    "federation.read",
    "查看接入交易平台名录与推送数据质量",
    Kind.READ,
    content=False,
    grants={Role.SUPERVISOR: Scope.ANY, Role.SECTOR_SUPERVISOR: Scope.ANY, **OVERSIGHT},
)
# an accredited platform's push: its system, known by its token and its signature, acts as the platform's system
FEDERATION_PUSH = _define(
    "federation.push", "接入平台推送交易数据", Kind.WRITE, content=True, grants={Role.SYSTEM: Scope.ANY}
)
DELEGATION_MANAGE = _define(
    "delegation.manage",
    "委托或撤销招标代理机构（委托代理协议）",
    Kind.WRITE,
    content=True,
    grants={Role.TENDERER: Scope.OWN},
)
DELEGATION_READ = _define(
    "delegation.read",
    "查看委托代理关系及代理机构以本单位名义办理的事项",
    Kind.READ,
    content=True,
    grants={
        **MANAGERS,
        Role.OPERATOR: Scope.ANY,
        Role.SUPERVISOR: Scope.ANY,
        Role.SECTOR_SUPERVISOR: Scope.ANY,
        **OVERSIGHT,
    },
)
DELEGATION_OVERVIEW = _define(
    "delegation.overview",
    "查看代理机构在同一行业代理多家招标人的风险提示",
    Kind.READ,
    content=True,
    grants={Role.SUPERVISOR: Scope.ANY, Role.SECTOR_SUPERVISOR: Scope.SECTOR, **OVERSIGHT},
)
WORKBENCH = {
    role: _define(f"workbench.{role.value}", f"{role.label}工作台", Kind.READ, content=False, grants={role: Scope.ANY})
    for role in GRANTABLE
}


# --- the questions -------------------------------------------------------------------------


def scope_for(actor: Actor, action: str) -> Scope | None:
    """How far the actor's right reaches for this action; None means not at all."""
    if actor.role is Role.SYSTEM:
        return Scope.ANY
    return ACTIONS[action].grants.get(actor.role)


def can(actor: Actor, action: str, subject: Subject | None = None) -> bool:
    scope = scope_for(actor, action)
    if scope is None:
        return False
    if scope is Scope.ANY or subject is None:
        return True
    if scope is Scope.OWN:
        if actor.org_id is None:
            return False
        if actor.org_id in subject.org_ids:
            return True
        if subject.agent_org_id is not None and actor.org_id == subject.agent_org_id:
            return subject.appointment is not None or ACTIONS[action].kind is not Kind.WRITE
        return False
    if scope is Scope.SECTOR:
        return subject.sector is not None and subject.sector in actor.sectors
    return actor.user_id is not None and actor.user_id == subject.user_id


def unappointed_agent(actor: Actor, action: str, subject: Subject | None) -> bool:
    """The actor is the agency named on the subject, refused only because no active appointment covers it."""
    return (
        subject is not None
        and subject.agent_org_id is not None
        and actor.org_id == subject.agent_org_id
        and actor.org_id not in subject.org_ids
        and subject.appointment is None
        and scope_for(actor, action) is Scope.OWN
    )


def ensure(actor: Actor, action: str, subject: Subject | None = None) -> None:
    if not can(actor, action, subject):
        if unappointed_agent(actor, action, subject):
            assert subject is not None
            raise Forbidden(
                f"本机构没有招标人（采购人）有效的委托代理，不能代其「{ACTIONS[action].label}」："
                f"{subject.agent_rule or '代理机构只能在委托范围内办理'}。"
                "请招标人（采购人）先在「委托代理」中委托本机构",
                code="no-appointment",
                action=action,
            )
        raise Forbidden(f"当前角色（{actor.role.label}）无权执行「{ACTIONS[action].label}」", action=action)


def validate() -> None:
    """The separation rules of S1, checked over the whole table."""
    for a in ACTIONS.values():
        for role in a.grants:
            if role in (Role.AUDITOR, Role.INSPECTOR) and a.kind is Kind.WRITE:
                raise AssertionError(f"{role} may only read, but {a.name} writes")
            if role is Role.ADMIN and a.content:
                raise AssertionError(f"the platform administrator may not touch trade contents ({a.name})")
            if role is Role.PUBLIC and a.kind is not Kind.READ:
                raise AssertionError(f"the public may only read ({a.name})")


validate()
