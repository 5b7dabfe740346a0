"""Electronic guarantees: attached from a registered issuer, or applied for with the terms sealed until the opening."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.errors import Conflict, Invalid, RuleViolation
from ggzy.core.roles import Role
from ggzy.deposits import guarantees, queries
from ggzy.deposits.guarantees import FakeIssuer
from ggzy.deposits.models import Guarantee
from ggzy.entities import queries as entities
from ggzy.entities.service import Identity
from ggzy.projects import queries as projects
from tests.builders import a_user
from tests.deposits.builders import Desk, a_desk

PLATFORM = Ed25519PrivateKey.generate()


def an_issuer(
    session: Session, clock: FixedClock, ident: Identity, *, integrated: bool = True
) -> tuple[FakeIssuer, str]:
    fake = FakeIssuer(credit_code="91410700MA0000001X", platform_public=PLATFORM.public_key())
    office = a_user(session, clock, ident, role=Role.SUPERVISOR)
    reg = guarantees.register_issuer(
        session,
        office.actor,
        name="新乡融资担保有限公司",
        credit_code=fake.credit_code,
        kind="guarantor",
        public_key_hex=fake.public_hex,
        integrated=integrated,
        clock=clock,
    )
    return fake, reg.id


def a_document(session: Session, desk: Desk, fake: FakeIssuer, **changes: str) -> bytes:
    bidder = desk.bidders[0]
    section = desk.section
    project = projects.get_project(session, section.project_id)
    assert section.bid_deadline is not None
    doc = {
        "format": guarantees.FORMAT,
        "number": "BH-OPEN-1",
        "issuer": fake.credit_code,
        "principal": entities.get_org(session, bidder.user.org_id or "").credit_code,
        "beneficiary": entities.get_org(session, project.tenderer_org_id).credit_code,
        "section": section.code,
        "amount": "20000.00",
        "valid_until": (section.bid_deadline + timedelta(days=90)).date().isoformat(),
        **changes,
    }
    return guarantees.sign_document(fake.key, doc)


def test_an_open_guarantee_that_matches_secures_the_bid(session: Session, clock: FixedClock, ident: Identity) -> None:
    desk = a_desk(session, clock, ident, bidders=1)
    fake, _ = an_issuer(session, clock, ident, integrated=False)
    g = guarantees.attach(
        session, desk.bidders[0].actor, section_id=desk.section.id, data=a_document(session, desk, fake), clock=clock
    )
    assert g.status == "valid" and g.mode == "open"
    (line,) = queries.opening_lines(session, desk.section.id)
    assert line.status.startswith("电子保函有效")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"amount": "19999.99"}, "金额不足"),
        ({"section": "OTHER-1"}, "不是本标段"),
        ({"beneficiary": "91410700MA00000020"}, "受益人"),
        ({"valid_until": "2026-12-01"}, "有效期"),
    ],
)
def test_an_open_guarantee_that_does_not_match_is_refused_with_its_reason(
    session: Session, clock: FixedClock, ident: Identity, changes: dict[str, str], reason: str
) -> None:
    desk = a_desk(session, clock, ident, bidders=1)
    fake, _ = an_issuer(session, clock, ident, integrated=False)
    with pytest.raises(RuleViolation, match=reason):
        guarantees.attach(
            session,
            desk.bidders[0].actor,
            section_id=desk.section.id,
            data=a_document(session, desk, fake, **changes),
            clock=clock,
        )
    assert session.query(Guarantee).count() == 0


def test_a_changed_byte_or_an_unregistered_issuer_is_refused(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk = a_desk(session, clock, ident, bidders=1)
    fake, _ = an_issuer(session, clock, ident, integrated=False)
    data = json.loads(a_document(session, desk, fake))
    data["guarantee"]["amount"] = "200000.00"
    with pytest.raises(RuleViolation, match="签名无效"):
        guarantees.attach(
            session, desk.bidders[0].actor, section_id=desk.section.id, data=json.dumps(data).encode(), clock=clock
        )
    stranger = FakeIssuer(credit_code="91410700MA0000009Y", platform_public=PLATFORM.public_key())
    with pytest.raises(RuleViolation, match="未经监管部门登记"):
        guarantees.attach(
            session,
            desk.bidders[0].actor,
            section_id=desk.section.id,
            data=a_document(session, desk, stranger, issuer=stranger.credit_code),
            clock=clock,
        )


def test_an_integrated_application_never_tells_the_issuer_the_section_before_the_opening(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk = a_desk(session, clock, ident, bidders=1)
    fake, issuer_id = an_issuer(session, clock, ident)
    fake.timeout = 1
    bidder = desk.bidders[0]
    with pytest.raises(Conflict, match="未及时答复"):
        guarantees.apply(
            session,
            bidder.actor,
            section_id=desk.section.id,
            issuer_id=issuer_id,
            issuer=fake,
            key=PLATFORM,
            clock=clock,
        )
    g = guarantees.apply(
        session, bidder.actor, section_id=desk.section.id, issuer_id=issuer_id, issuer=fake, key=PLATFORM, clock=clock
    )
    again = guarantees.apply(
        session, bidder.actor, section_id=desk.section.id, issuer_id=issuer_id, issuer=fake, key=PLATFORM, clock=clock
    )
    assert g.id == again.id and len(fake.issued) == 1
    seen = json.dumps(fake.seen_terms, ensure_ascii=False)
    tenderer = entities.get_org(session, projects.get_project(session, desk.section.project_id).tenderer_org_id)
    assert (
        desk.section.code not in seen
        and tenderer.credit_code not in seen
        and desk.section.id not in seen.replace(f"{desk.section.id}/", "")
    )
    with pytest.raises(RuleViolation, match="开标前"):
        guarantees.disclose(session, fake, g)
    desk.section.opened_at = clock.now() + timedelta(days=21)
    guarantees.disclose(session, fake, g)
    assert fake.disclosed[g.number] == {"section": desk.section.code, "beneficiary": tenderer.credit_code}


def test_a_forged_platform_signature_is_refused_by_the_issuer(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk = a_desk(session, clock, ident, bidders=1)
    fake, issuer_id = an_issuer(session, clock, ident)
    with pytest.raises(RuleViolation, match="签名无效"):
        guarantees.apply(
            session,
            desk.bidders[0].actor,
            section_id=desk.section.id,
            issuer_id=issuer_id,
            issuer=fake,
            key=Ed25519PrivateKey.generate(),
            clock=clock,
        )


def test_after_the_opening_the_tick_tells_each_integrated_issuer_once_what_it_guaranteed(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    """The application travels sealed (section and beneficiary under a commitment); the issuer learns them after
    the opening, on the tick, once, and is asked again when it did not answer in time."""
    desk = a_desk(session, clock, ident, bidders=1)
    fake, issuer_id = an_issuer(session, clock, ident)
    g = guarantees.apply(
        session,
        desk.bidders[0].actor,
        section_id=desk.section.id,
        issuer_id=issuer_id,
        issuer=fake,
        key=PLATFORM,
        clock=clock,
    )
    issuers = {fake.credit_code: fake}
    assert guarantees.due_disclosures(session, clock.now()) == []  # before the opening: nothing to tell
    desk.section.opened_at = clock.now() + timedelta(days=21)
    session.flush()
    assert guarantees.due_disclosures(session, clock.now()) == [g.id]
    assert not guarantees.disclose_due(session, g.id, {}, clock=clock)  # no interface yet: it waits
    fake.timeout = 1
    assert not guarantees.disclose_due(session, g.id, issuers, clock=clock)  # no answer in time: asked again
    assert g.disclosed_at is None and g.number not in fake.disclosed
    assert guarantees.disclose_due(session, g.id, issuers, clock=clock)
    tenderer = entities.get_org(session, projects.get_project(session, desk.section.project_id).tenderer_org_id)
    assert fake.disclosed[g.number] == {"section": desk.section.code, "beneficiary": tenderer.credit_code}
    assert g.disclosed_at is not None and guarantees.due_disclosures(session, clock.now()) == []
    assert not guarantees.disclose_due(session, g.id, issuers, clock=clock)  # once


def test_applying_through_the_platform_names_an_issuer_that_is_registered_and_connected(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    desk = a_desk(session, clock, ident, bidders=1)
    fake, issuer_id = an_issuer(session, clock, ident)
    actor = desk.bidders[0].actor
    with pytest.raises(Invalid, match="请选择经监管部门登记"):
        guarantees.apply_through(
            session, actor, section_id=desk.section.id, issuer_id="NOSUCH", issuers={}, key=PLATFORM, clock=clock
        )
    with pytest.raises(RuleViolation, match="尚未接入平台接口"):
        guarantees.apply_through(
            session, actor, section_id=desk.section.id, issuer_id=issuer_id, issuers={}, key=PLATFORM, clock=clock
        )
    assert fake.issued == {}
    g = guarantees.apply_through(
        session,
        actor,
        section_id=desk.section.id,
        issuer_id=issuer_id,
        issuers={fake.credit_code: fake},
        key=PLATFORM,
        clock=clock,
    )
    assert g.mode == "integrated" and len(fake.issued) == 1
    assert [i.id for i in guarantees.integrated_issuers(session)] == [issuer_id]
