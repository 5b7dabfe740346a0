"""主体类别 — kinds of market entity, and which roles a person of each kind may hold."""

from __future__ import annotations

from enum import StrEnum

from ggzy.core.i18n import N_
from ggzy.core.roles import Role


class OrgKind(StrEnum):
    TENDERER = "tenderer"
    AGENCY = "agency"
    BIDDER = "bidder"
    EXPERT_EMPLOYER = "expert_employer"
    GOVERNMENT = "government"

    @property
    def label(self) -> str:
        return ORG_KIND_LABELS[self]


ORG_KIND_LABELS = {
    OrgKind.TENDERER: N_("招标人/采购人"),
    OrgKind.AGENCY: N_("招标代理机构"),
    OrgKind.BIDDER: N_("投标人/供应商"),
    OrgKind.EXPERT_EMPLOYER: N_("专家所在单位"),
    OrgKind.GOVERNMENT: N_("政府机关及事业单位"),
}

ROLE_ORG_KINDS: dict[Role, frozenset[OrgKind]] = {
    Role.BIDDER: frozenset({OrgKind.BIDDER}),
    Role.TENDERER: frozenset({OrgKind.TENDERER, OrgKind.GOVERNMENT}),
    Role.AGENCY: frozenset({OrgKind.AGENCY}),
    Role.EXPERT: frozenset({OrgKind.EXPERT_EMPLOYER}),
    Role.OPERATOR: frozenset({OrgKind.GOVERNMENT}),
    Role.SUPERVISOR: frozenset({OrgKind.GOVERNMENT}),
    Role.SECTOR_SUPERVISOR: frozenset({OrgKind.GOVERNMENT}),
    Role.AUDITOR: frozenset({OrgKind.GOVERNMENT}),
    Role.INSPECTOR: frozenset({OrgKind.GOVERNMENT}),
    Role.ADMIN: frozenset({OrgKind.GOVERNMENT}),
}
