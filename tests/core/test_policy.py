"""The whole role × action matrix, compared with the table below: a policy change is a visible change here."""

from __future__ import annotations

import pytest

from ggzy.core import policy
from ggzy.core.actor import Actor
from ggzy.core.errors import Forbidden
from ggzy.core.policy import Kind, Scope, Subject
from ggzy.core.roles import Role

# Columns: public bidder tenderer agency expert operator supervisor sector_supervisor auditor inspector admin
COLUMNS = [
    Role.PUBLIC,
    Role.BIDDER,
    Role.TENDERER,
    Role.AGENCY,
    Role.EXPERT,
    Role.OPERATOR,
    Role.SUPERVISOR,
    Role.SECTOR_SUPERVISOR,
    Role.AUDITOR,
    Role.INSPECTOR,
    Role.ADMIN,
]
# A = any object, O = own organisation's, S = own sectors', U = own account, . = refused
TABLE = """
portal.view                    A A A A A A A A A A A
log.proof                      A A A A A A A A A A A
entity.read                    A A A A A A A A A A A
account.self                   . U U U U U U U U U U
entity.contacts                . O O O O A A A A A A
entity.register                . . . . . A . . . . A
entity.update                  . O O O . A . . . . A
user.manage                    . . . . . . . . . . A
user.read                      . . . . . . . . A A A
log.read                       . . . . . . A S A A .
catalog.manage                 . . . . . . A . . . .
search.synonyms                . . . . . . A . . . A
project.register               . . O O . . . . . . .
project.manage                 . . O O . . . . . . .
project.read                   . . O O . A A S A A .
project.accept                 . . . . . A . . . . .
documents.download             . A . . . . . . . . .
bid.submit                     . O . . . . . . . . .
opening.share                  . . O . . A A . . . .
opening.run                    . . . . . A . . . . .
registrations.read             . . . . . . . . A . .
alert.read                     . . . . . . A S A A .
alert.handle                   . . . . . . A S . . .
account.review                 . . . . . . A . . . .
evaluation.run                 . . . . . A . . . . .
evaluation.score               . . O O A . . . . . .
evaluation.chair               . . . . A . . . . . .
evaluation.respond             . O . . . . . . . . .
evaluation.watch               . . . . . . A S A A .
evaluation.report              . . O O A A A S A A .
deposit.pay                    . O . . . . . . . . .
deposit.manage                 . . . . . A . . . . .
deposit.read                   . . . . . A A S A A .
deposit.issuers                . . . . . . A . . . .
expert.pool_manage             . . . . . . A . . . .
expert.pool_read               . . . . . A A . A A .
expert.draw_request            . . O O . . . . . . .
expert.draw_names              . . . . . A . . . . .
expert.answer                  . . . . U . . . . . .
case.file                      . O . . . . . . . . .
case.answer                    . . O O . . . . . . .
case.read                      . O O O . A A S A A .
case.state                     . O O O . . . . . . .
case.guide                     . . . . . A . . . . .
case.decide                    . . . . . . . S . . .
case.overview                  . . . . . . A S A A .
credit.record                  . . . . . . A A . . .
credit.read                    . O O O . A A A A A .
credit.object                  . O O O . . . . . . .
federation.manage              . . . . . . A . . . .
federation.read                . . . . . . A A A A .
federation.push                . . . . . . . . . . .
award.manage                   . . O O . . . . . . .
award.sign                     . O . . . . . . . . .
award.performance              . . O O . . . . . . .
award.performance_object       . O . . . . . . . . .
award.read                     . O O O . A A S A A .
archive.read                   . . O O . A A S A A .
workbench.bidder               . A . . . . . . . . .
workbench.tenderer             . . A . . . . . . . .
workbench.agency               . . . A . . . . . . .
workbench.expert               . . . . A . . . . . .
workbench.operator             . . . . . A . . . . .
workbench.supervisor           . . . . . . A . . . .
workbench.sector_supervisor    . . . . . . . A . . .
workbench.auditor              . . . . . . . . A . .
workbench.inspector            . . . . . . . . . A .
workbench.admin                . . . . . . . . . . A
holder.key                     . . U . . U U . . . .
delegation.manage              . . O . . . . . . . .
delegation.read                . . O O . A A A A A .
delegation.overview            . . . . . . A S A A .
"""
LETTER = {"A": Scope.ANY, "O": Scope.OWN, "S": Scope.SECTOR, "U": Scope.SELF, ".": None}


def expected() -> dict[tuple[str, Role], Scope | None]:
    out = {}
    for line in TABLE.strip().splitlines():
        name, *cells = line.split()
        assert len(cells) == len(COLUMNS), name
        for role, cell in zip(COLUMNS, cells, strict=True):
            out[(name, role)] = LETTER[cell]
    return out


def test_the_policy_is_exactly_the_table() -> None:
    table = expected()
    assert {name for name, _ in table} == set(policy.ACTIONS), "every action appears in the table, and only those"
    for (name, role), scope in table.items():
        actor = Actor(user_id=None if role is Role.PUBLIC else "u1", role=role, org_id="o1")
        assert policy.scope_for(actor, name) == scope, f"{name} for {role}"


def test_auditors_and_inspectors_never_write() -> None:
    for action in policy.ACTIONS.values():
        if action.kind is Kind.WRITE:
            assert Role.AUDITOR not in action.grants
            assert Role.INSPECTOR not in action.grants


def test_the_administrator_never_reads_trade_contents() -> None:
    assert all(Role.ADMIN not in a.grants for a in policy.ACTIONS.values() if a.content)


def test_validate_refuses_a_table_that_breaks_separation(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = policy.Action("bid.read", "读取投标文件", Kind.READ, content=True, grants={Role.ADMIN: Scope.ANY})
    monkeypatch.setitem(policy.ACTIONS, "bid.read", bad)
    with pytest.raises(AssertionError, match="administrator"):
        policy.validate()


def test_own_scope_needs_the_actors_organisation() -> None:
    bidder = Actor("u1", Role.BIDDER, org_id="org-a")
    assert policy.can(bidder, policy.ENTITY_UPDATE, Subject("organisation", frozenset({"org-a"})))
    assert not policy.can(bidder, policy.ENTITY_UPDATE, Subject("organisation", frozenset({"org-b"})))


def test_sector_supervisors_act_only_inside_their_sectors() -> None:
    housing = Actor("u2", Role.SECTOR_SUPERVISOR, org_id="g", sectors=frozenset({"housing"}))
    assert policy.can(housing, policy.LOG_READ, Subject("project", sector="housing"))
    assert not policy.can(housing, policy.LOG_READ, Subject("project", sector="water"))
    assert not policy.can(housing, policy.LOG_READ, Subject("project", sector=None))


def test_self_scope_is_one_account() -> None:
    me = Actor("u3", Role.OPERATOR, org_id="c")
    assert policy.can(me, policy.ACCOUNT_SELF, Subject("user", user_id="u3"))
    assert not policy.can(me, policy.ACCOUNT_SELF, Subject("user", user_id="u4"))


def test_ensure_refuses_in_chinese() -> None:
    with pytest.raises(Forbidden, match="无权执行「管理用户账户与角色」"):
        policy.ensure(Actor("u1", Role.OPERATOR), policy.USER_MANAGE)
