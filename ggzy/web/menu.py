"""我的功能 — every page a role may open, one click from every page (issue 13 item 1).

Each entry is shown to whoever the page's own policy check admits, so the menu never offers a page that answers 403
and never hides one a person may use. A page that needs an object (a section, a case) is reached from its list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ggzy.bidding.keys import HOLDER_ROLES
from ggzy.core import policy
from ggzy.core.actor import Actor
from ggzy.core.i18n import N_
from ggzy.core.roles import Role


@dataclass(frozen=True)
class Entry:
    label: str
    href: str
    shown: Callable[[Actor], bool]


def _can(action: str) -> Callable[[Actor], bool]:
    return lambda a: policy.can(a, action)


def _scoped(*actions: str) -> Callable[[Actor], bool]:
    return lambda a: any(policy.scope_for(a, x) is not None for x in actions)


def _role(*roles: Role) -> Callable[[Actor], bool]:
    return lambda a: a.role in roles


ENTRIES: tuple[Entry, ...] = (
    Entry(N_("项目办理"), "/projects", _scoped(policy.PROJECT_READ)),
    Entry(N_("登记项目"), "/projects/new", _can(policy.PROJECT_REGISTER)),
    Entry(N_("受理登记"), "/centre/registrations", _can(policy.PROJECT_ACCEPT)),
    Entry(N_("委托代理"), "/delegations", _scoped(policy.DELEGATION_READ)),
    Entry(N_("我的投标"), "/my/bids", _role(Role.BIDDER)),
    Entry(N_("投标保证金"), "/my/deposits", _role(Role.BIDDER)),
    Entry(N_("开标密钥"), "/keyholder", lambda a: a.role in HOLDER_ROLES),
    Entry(
        N_("评标"),
        "/evaluations",
        lambda a: (
            a.role in (Role.EXPERT, Role.TENDERER, Role.AGENCY, Role.BIDDER)
            or _scoped(policy.EVALUATION_RUN, policy.EVALUATION_WATCH)(a)
        ),
    ),
    Entry(N_("评标邀请"), "/my/expert-invitations", _can(policy.EXPERT_ANSWER)),
    Entry(N_("专家库"), "/experts", _can(policy.EXPERT_POOL_READ)),
    Entry(N_("异议与投诉"), "/cases", _can(policy.CASE_READ)),
    Entry(N_("案件总览"), "/supervision/cases", _can(policy.CASE_OVERVIEW)),
    Entry(N_("实时监测"), "/supervision/board", _scoped(policy.ALERT_READ)),
    Entry(N_("预警处置"), "/supervision/alerts", _scoped(policy.ALERT_READ)),
    Entry(N_("接入平台"), "/supervision/platforms", _can(policy.FEDERATION_READ)),
    Entry(N_("代理机构集中度"), "/supervision/agencies", _scoped(policy.DELEGATION_OVERVIEW)),
    Entry(N_("信用管理"), "/credit/manage", _can(policy.CREDIT_RECORD)),
    Entry(N_("交易档案"), "/archive", _scoped(policy.ARCHIVE_READ)),
    Entry(N_("操作日志"), "/audit/events", _can(policy.LOG_READ)),
    Entry(N_("检索近义词"), "/notices/synonyms", _can(policy.SEARCH_SYNONYMS)),
    Entry(N_("用户管理"), "/admin/users", _can(policy.USER_READ)),
    Entry(N_("账户复核"), "/admin/reviews", _can(policy.ACCOUNT_REVIEW)),
)


def for_actor(actor: Actor) -> list[Entry]:
    return [e for e in ENTRIES if e.shown(actor)]
