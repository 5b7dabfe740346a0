"""Sealed bids: ciphertext only, signed receipts, replace and withdraw before the deadline, nothing after it."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy import sealing
from ggzy.bidding import documents, service
from ggzy.bidding import keys as opening_keys
from ggzy.bidding.models import Bid, DocumentAccess
from ggzy.bidding.queries import documents_of
from ggzy.core import canonical, events, merkle, transparency
from ggzy.core.clock import FixedClock
from ggzy.core.errors import Forbidden, Invalid, NotFound, RuleViolation
from ggzy.core.events import Event
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.entities.service import Identity
from ggzy.projects import publication, queries
from ggzy.rules.procedures import Method
from ggzy.sealing import p256
from tests.builders import signed_in
from tests.trade import World, a_project, a_published_section, a_sealed_bid, a_world, an_envelope


@pytest.fixture
def world(session: Session, clock: FixedClock, ident: Identity, opening_env: opening_keys.KeyEnv) -> World:
    return a_world(session, clock, ident, opening_env)


@pytest.fixture
def section(
    session: Session, clock: FixedClock, world: World, files: FileStore, opening_env: opening_keys.KeyEnv
) -> object:
    return a_published_section(session, clock, world, files, opening_env)


def test_a_sealed_bid_gets_a_signed_receipt_whose_digest_is_the_stored_ciphertext(
    session: Session, clock: FixedClock, world: World, section: object, files: FileStore, keys: Keys
) -> None:
    bid = a_sealed_bid(session, clock, files, keys, section, world.bidders[0])  # type: ignore[arg-type]
    signed = json.loads(bid.receipt)
    body = signed["receipt"]
    keys.log_public.verify(base64.b64decode(signed["signature"]), canonical.dumps(body).encode())
    with open(files.path(bid.envelope_path), "rb") as f:
        assert sealing.envelope_digest(f).hex() == body["sha256"] == bid.envelope_digest
    assert session.execute(select(Event).where(Event.id == body["event"])).scalar() is None  # sealed till opening
    events.disclose(session, bid.section_id, clock=clock)  # what the audit tick does once the section is opened
    transparency.sign_checkpoint(session, keys=keys, origin="o", clock=clock)
    sealed = transparency.sealed_proof(session, body["event"])
    assert merkle.verify_inclusion(sealed.index, sealed.size, sealed.leaf, sealed.proof, sealed.root)
    ev = session.get(Event, sealed.copy_seq)
    assert ev is not None and ev.type == "bidding.bid_sealed" and bid.envelope_digest in ev.payload
    assert merkle.leaf_hash(canonical_entry(ev, public=False)) == sealed.leaf
    size = transparency.tree_head(session).size
    proof = transparency.inclusion_proof(session, ev.seq, size)
    assert merkle.verify_inclusion(
        ev.seq, size, merkle.leaf_hash(canonical_entry(ev)), proof, transparency.root_at(session, size)
    )


def canonical_entry(ev: Event, *, public: bool = True) -> bytes:
    from ggzy.core.events import entry_of

    return entry_of(ev, public=public)


def test_replacing_supersedes_and_withdrawing_ends_a_bid(
    session: Session, clock: FixedClock, world: World, section: object, files: FileStore, keys: Keys
) -> None:
    b = world.bidders[0]
    first = a_sealed_bid(session, clock, files, keys, section, b)  # type: ignore[arg-type]
    second = a_sealed_bid(session, clock, files, keys, section, b, price="4700000.00")  # type: ignore[arg-type]
    assert (first.status, second.status, second.version) == ("superseded", "sealed", 2)
    service.withdraw(session, b.actor, bid_id=second.id, clock=clock)
    assert second.status == "withdrawn"
    with pytest.raises(RuleViolation, match="不能撤回"):
        service.withdraw(session, b.actor, bid_id=second.id, clock=clock)
    with pytest.raises(NotFound):
        service.withdraw(session, world.bidders[1].actor, bid_id=first.id, clock=clock)


@pytest.mark.parametrize(("offset", "accepted"), [(-1, True), (0, False), (1, False)])
def test_the_deadline_is_strict_to_the_microsecond(
    session: Session,
    clock: FixedClock,
    world: World,
    section: object,
    files: FileStore,
    keys: Keys,
    offset: int,
    accepted: bool,
) -> None:
    assert section.bid_deadline is not None  # type: ignore[attr-defined]
    clock.set(section.bid_deadline + timedelta(microseconds=offset))  # type: ignore[attr-defined]
    if accepted:
        assert a_sealed_bid(session, clock, files, keys, section, world.bidders[0]).status == "sealed"  # type: ignore[arg-type]
    else:
        with pytest.raises(RuleViolation, match=r"投标截止时间已过.*第27条"):
            a_sealed_bid(session, clock, files, keys, section, world.bidders[0])  # type: ignore[arg-type]


def test_a_bid_sealed_for_another_bidder_version_or_section_is_refused(
    session: Session,
    clock: FixedClock,
    world: World,
    section: object,
    files: FileStore,
    keys: Keys,
    opening_env: opening_keys.KeyEnv,
) -> None:
    me, other = world.bidders[0], world.bidders[1]
    for envelope, error in (
        (an_envelope(section, other, 1, price="1.00", files=[]), sealing.WrongContext),  # type: ignore[arg-type]
        (an_envelope(section, me, 2, price="1.00", files=[]), sealing.WrongContext),  # type: ignore[arg-type]
    ):
        with pytest.raises(error):
            a_sealed_bid(session, clock, files, keys, section, me, data=envelope)  # type: ignore[arg-type]
    strangers = [sealing.Recipient(i, p256.generate().public) for i in (1, 2, 3)]  # not the section's key set
    wrong_key = an_envelope(section, me, 1, price="1.00", files=[], recipients=strangers)  # type: ignore[arg-type]
    with pytest.raises(sealing.WrongKey):
        a_sealed_bid(session, clock, files, keys, section, me, data=wrong_key)  # type: ignore[arg-type]
    with pytest.raises(Invalid, match="不是有效的密封文件"):
        a_sealed_bid(session, clock, files, keys, section, me, data=b"%PDF-1.4 plain text bid")  # type: ignore[arg-type]
    assert session.execute(select(Bid)).first() is None


def test_only_bidders_bid_and_invited_procedures_admit_only_the_invited(
    session: Session,
    clock: FixedClock,
    world: World,
    files: FileStore,
    keys: Keys,
    ident: Identity,
    opening_env: opening_keys.KeyEnv,
) -> None:
    p = a_project(session, clock, world, method=Method.INVITED_TENDER, estimate="3000000.00")
    s = queries.sections_of(session, p.id)[0]
    publication.invite(
        session, world.tenderer.actor, section_id=s.id, org_ids=[b.user.org_id for b in world.bidders], clock=clock
    )
    a_published_section(session, clock, world, files, opening_env, project=p)
    from tests.builders import a_user

    outsider = a_user(session, clock, ident)
    with pytest.raises(Forbidden, match="仅受邀供应商"):
        a_sealed_bid(session, clock, files, keys, s, outsider)
    with pytest.raises(Forbidden):
        a_sealed_bid(session, clock, files, keys, s, world.tenderer)
    assert a_sealed_bid(session, clock, files, keys, s, world.bidders[0]).status == "sealed"


def test_downloading_needs_no_registration_and_both_are_recorded(
    session: Session, clock: FixedClock, world: World, section: object, files: FileStore
) -> None:
    doc = documents_of(session, section.id)[0]  # type: ignore[attr-defined]
    b = world.bidders[0]
    assert documents.download(session, b.actor, document_id=doc.id, clock=clock).sha256 == doc.sha256
    documents.register(session, b.actor, section_id=section.id, clock=clock)  # type: ignore[attr-defined]
    documents.register(session, b.actor, section_id=section.id, clock=clock)  # type: ignore[attr-defined]
    kinds = sorted(a.kind for a in session.execute(select(DocumentAccess)).scalars())
    assert kinds == ["download", "register"]
    with pytest.raises(Forbidden):
        documents.download(session, world.operator.actor, document_id=doc.id, clock=clock)


def test_after_the_deadline_a_late_bid_is_told_it_is_about_bids_not_documents(
    session: Session, clock: FixedClock, world: World, section: object, files: FileStore, keys: Keys
) -> None:
    """Issue 13 item 3: a late bid was told it could not 「获取招标文件」."""
    from ggzy.projects.timers import reach_deadline

    assert section.bid_deadline is not None  # type: ignore[attr-defined]
    clock.set(section.bid_deadline + timedelta(seconds=1))  # type: ignore[attr-defined]
    assert reach_deadline(session, section.id, clock.now())  # type: ignore[attr-defined]
    with pytest.raises(RuleViolation) as late:
        a_sealed_bid(session, clock, files, keys, section, world.bidders[0])  # type: ignore[arg-type]
    assert "不能递交或撤回投标文件" in late.value.message
    assert "获取招标文件" not in late.value.message
    doc = documents_of(session, section.id)[0]  # type: ignore[attr-defined]
    with pytest.raises(RuleViolation, match="不能获取招标文件"):
        documents.download(session, world.bidders[0], document_id=doc.id, clock=clock)


def test_after_the_documents_period_the_section_page_offers_no_download_that_would_fail(
    session: Session, clock: FixedClock, world: World, section: object, client: TestClient
) -> None:
    """Issue 13 item 3: the page offered a download that answered 409 「招标文件提供期已结束」."""
    bidder = signed_in(client, world.bidders[0], clock)
    url = f"/sections/{section.id}"  # type: ignore[attr-defined]
    session.commit()
    assert 'data-testid="download"' in bidder.get(url).text
    assert section.documents_until is not None  # type: ignore[attr-defined]
    clock.set(section.documents_until + timedelta(seconds=1))  # type: ignore[attr-defined]
    bidder = signed_in(client, world.bidders[0], clock)  # days later: a new sign-in
    page = bidder.get(url).text
    assert 'data-testid="download"' not in page
    assert "招标文件提供期已于" in page and "仍可递交投标文件" in page
    assert 'data-testid="go-bid"' in page  # bidding itself is still open
