"""Deposit builders: a section taking bids with a security requirement, bidders with basic accounts and sub-accounts."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.roles import Role, Sector
from ggzy.deposits import service
from ggzy.deposits.models import SubAccount
from ggzy.deposits.service import BankPayment
from ggzy.entities.service import Identity
from ggzy.entities.states import OrgKind
from ggzy.projects import service as registration
from ggzy.projects.models import Section
from ggzy.projects.states import SectionStatus
from ggzy.rules.catalog import Category
from ggzy.rules.procedures import Method
from tests.builders import Person, a_user, an_org

_txn = itertools.count(1)


@dataclass
class Desk:
    """One section taking bids with a security of `amount`, its tenderer, an operator, and bidders."""

    section: Section
    tenderer: Person
    operator: Person
    bidders: list[Person]
    subs: dict[str, SubAccount]  # bidder org id -> its sub-account
    basic: dict[str, str]  # bidder org id -> its basic account number


def a_desk(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    *,
    bidders: int = 3,
    amount: str = "20000.00",
    estimate: str = "5000000.00",
    method: Method = Method.OPEN_TENDER,
) -> Desk:
    tenderer = a_user(session, clock, ident, role=Role.TENDERER, org=an_org(session, clock, kind=OrgKind.TENDERER))
    operator = a_user(session, clock, ident, role=Role.OPERATOR)
    category = Category.CONSTRUCTION if method is Method.OPEN_TENDER else Category.GP_GOODS
    project = registration.register(
        session,
        tenderer.actor,
        name="新乡市测试保证金工程",
        approval_code="2026-410700-48-01-000009",
        category=category,
        sector=Sector.HOUSING,
        method=method,
        state_funds_share=Decimal(100),
        state_funds_amount=Decimal(estimate),
        tenderer_org_id=tenderer.user.org_id,
        sections=[registration.SectionIn("第1标段", Decimal(estimate))],
        clock=clock,
    )
    registration.accept(session, operator.actor, project_id=project.id, clock=clock)
    section = session.query(Section).filter_by(project_id=project.id).one()
    # The notice is out (publication is tested in projects): bidding until 20 days from now.
    section.status = SectionStatus.BIDDING.value
    section.bid_deadline = clock.now() + timedelta(days=20)
    session.flush()
    service.set_requirement(
        session, tenderer.actor, section_id=section.id, amount=amount, bank_name="中国银行新乡分行", clock=clock
    )
    people = [a_user(session, clock, ident, role=Role.BIDDER) for _ in range(bidders)]
    subs, basic = {}, {}
    for i, p in enumerate(people):
        digest = int(hashlib.sha256(str(p.user.org_id).encode()).hexdigest(), 16)  # not hash(): stable across runs
        account_no = f"41050{i + 1:03d}{digest % 10**8:08d}"
        service.register_basic_account(session, p.actor, account_no=account_no, bank_name="建设银行", clock=clock)
        assert p.user.org_id is not None
        basic[p.user.org_id] = account_no
        subs[p.user.org_id] = service.open_sub_account(session, p.actor, section_id=section.id, clock=clock)
    return Desk(section, tenderer, operator, people, subs, basic)


def a_payment(
    desk: Desk,
    bidder: Person,
    *,
    amount: str = "20000.00",
    payer: str | None = None,
    txn: str | None = None,
    at: datetime,
) -> BankPayment:
    org = bidder.user.org_id
    assert org is not None
    return BankPayment(
        bank_txn_id=txn or f"TXN{next(_txn):08d}",
        sub_account=desk.subs[org].number,
        payer_account=payer or desk.basic[org],
        payer_name="测试投标人",
        amount=amount,
        paid_at=at,
    )
