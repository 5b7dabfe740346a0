"""角色与行业 — the roles of REQUIREMENTS.md "Roles" and the sectors that regulators are scoped to."""

from __future__ import annotations

from enum import StrEnum

from ggzy.core.i18n import N_


class Role(StrEnum):
    PUBLIC = "public"
    BIDDER = "bidder"
    TENDERER = "tenderer"
    AGENCY = "agency"
    EXPERT = "expert"
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    SECTOR_SUPERVISOR = "sector_supervisor"
    AUDITOR = "auditor"
    INSPECTOR = "inspector"
    ADMIN = "admin"
    SYSTEM = "system"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def is_staff(self) -> bool:
        """Staff roles must pass a second factor (等保 level 3, GB/T 22239-2019 8.1.4.1 d)."""
        return self in STAFF_ROLES


ROLE_LABELS: dict[Role, str] = {
    Role.PUBLIC: N_("社会公众"),
    Role.BIDDER: N_("投标人/供应商"),
    Role.TENDERER: N_("招标人/采购人"),
    Role.AGENCY: N_("招标代理机构"),
    Role.EXPERT: N_("评标专家"),
    Role.OPERATOR: N_("交易中心工作人员"),
    Role.SUPERVISOR: N_("综合监管（公管办）"),
    Role.SECTOR_SUPERVISOR: N_("行业监管"),
    Role.AUDITOR: N_("审计"),
    Role.INSPECTOR: N_("纪检监察"),
    Role.ADMIN: N_("平台管理员"),
    Role.SYSTEM: N_("平台系统"),
}

STAFF_ROLES = frozenset(
    {Role.OPERATOR, Role.SUPERVISOR, Role.SECTOR_SUPERVISOR, Role.AUDITOR, Role.INSPECTOR, Role.ADMIN}
)

# Roles a person can be given (PUBLIC and SYSTEM are never granted).
GRANTABLE = tuple(r for r in Role if r not in (Role.PUBLIC, Role.SYSTEM))

# 管办分离 and 等保 三权分立: these roles are held alone, never beside another role.
EXCLUSIVE_ROLES = frozenset({Role.ADMIN, Role.AUDITOR, Role.INSPECTOR})


class Sector(StrEnum):
    HOUSING = "housing"
    TRANSPORT = "transport"
    WATER = "water"
    FINANCE = "finance"
    LAND = "land"
    STATE_ASSETS = "state_assets"
    OTHER = "other"

    @property
    def label(self) -> str:
        return SECTOR_LABELS[self]


SECTOR_LABELS: dict[Sector, str] = {
    Sector.HOUSING: N_("住房和城乡建设"),
    Sector.TRANSPORT: N_("交通运输"),
    Sector.WATER: N_("水利"),
    Sector.FINANCE: N_("财政（政府采购）"),
    Sector.LAND: N_("自然资源（土地矿业权）"),
    Sector.STATE_ASSETS: N_("国有资产"),
    Sector.OTHER: N_("其他"),
}
