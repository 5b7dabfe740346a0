"""演示交易 — the demo city's trades at every stage: one bidding now, one opened with five bids, one failed.

The story runs on its own clock, starting weeks ago and ending before now, so the event log's times
stay in order. Bids are sealed with the same envelope code a bidder's client uses.

The demo also plays the key holders' *client side*: each demo holder's key pair is made here, kept in
memory for the story and written as a key file under `var/demo-keyholders/` (encrypted under that demo
user's password) — exactly what `ggzy keyholder init` does on a holder's own machine. Only the public keys
are registered with the platform; at the opening the demo unwraps shares as a holder's client would
(`ggzy.bidding.keyholder.unwrap_shares`) and hands in the shares. No server code path reads these files.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy import sealing
from ggzy.bidding import documents, keyholder, keys, opening
from ggzy.bidding import service as bidding
from ggzy.core.actor import Actor, system
from ggzy.core.clock import SHANGHAI, FixedClock
from ggzy.core.files import FileStore
from ggzy.core.roles import Role, Sector
from ggzy.deposits import demo as deposit_demo
from ggzy.entities import auth, queries
from ggzy.entities.models import User
from ggzy.projects import publication
from ggzy.projects import queries as project_queries
from ggzy.projects import service as projects
from ggzy.projects import timers as deadlines
from ggzy.projects.models import Project
from ggzy.rules.catalog import Category
from ggzy.rules.procedures import Method, procedure
from ggzy.sealing import keyfile, p256
from ggzy.sealing.header import SealContext


@dataclass
class Cast:
    """Who acts in the story: actors by username, and the passwords the demo knows (key holders need them)."""

    users: dict[str, User]
    passwords: dict[str, str]

    def actor(self, session: Session, username: str, *, ip: str | None = None) -> Actor:
        """Each person works from their own address (a ring shares one)."""
        user = self.users[username]
        role = queries.roles_of(session, user.id)[0]
        return auth.actor_for(session, user, role, ip or f"10.{_digits(username, 2)}.{_digits(username + '/', 2)}.8")


@dataclass(frozen=True)
class Story:
    name: str
    approval: str
    category: Category
    sector: Sector
    tenderer: str
    section: str
    estimate: Decimal
    bidders: tuple[tuple[str, Decimal, int], ...]
    stage: str  # bidding | opened | failed
    # bidders whose bids were made on one machine, sent from one address, paid from one account
    ring: tuple[str, ...] = ()
    method: Method = Method.OPEN_TENDER
    # after the opening (ggzy/evaluation/demo.py): "" none, "scoring" all but one member scored, "reported" signed
    evaluation: str = ""


RING_ACCOUNT = "6222021704001234567"  # the planted ring pays every member's security from this one account

STORIES = (
    Story(
        "新乡市第一中学综合教学楼建设工程",
        "2026-410702-47-01-000123",
        Category.CONSTRUCTION,
        Sector.HOUSING,
        "tenderer5",
        "施工总承包",
        Decimal("8600000.00"),
        (
            ("bidder01", Decimal("8318000.00"), 365),
            ("bidder02", Decimal("8425500.00"), 360),
            ("bidder05", Decimal("8199000.00"), 380),
            ("bidder14", Decimal("8466000.00"), 350),
            ("bidder16", Decimal("8390800.00"), 370),
        ),
        "opened",
        evaluation="scoring",
    ),
    Story(
        "卫河新乡段堤防加固工程",
        "2026-410700-76-01-000456",
        Category.CONSTRUCTION,
        Sector.WATER,
        "tenderer3",
        "堤防加固施工",
        Decimal("5200000.00"),
        (("bidder03", Decimal("5102000.00"), 240), ("bidder18", Decimal("5150000.00"), 250)),
        "failed",
    ),
    Story(
        "新乡市G107线辅道改造工程",
        "2026-410700-48-01-000654",
        Category.CONSTRUCTION,
        Sector.TRANSPORT,
        "tenderer2",
        "辅道改造施工",
        Decimal("9600000.00"),
        (
            ("bidder10", Decimal("9388000.00"), 200),
            ("bidder11", Decimal("9412000.00"), 200),
            ("bidder12", Decimal("9436000.00"), 200),
            ("bidder13", Decimal("9190000.00"), 210),
        ),
        "opened",
        ring=("bidder10", "bidder11", "bidder12"),
        evaluation="reported",
    ),
    Story(
        "新乡市第一人民医院医用设备采购项目",
        "2026-410700-84-02-000321",
        Category.GP_GOODS,
        Sector.FINANCE,
        "tenderer4",
        "医用监护设备",
        Decimal("1860000.00"),
        (
            ("bidder07", Decimal("1788000.00"), 60),
            ("bidder08", Decimal("1812500.00"), 45),
            ("bidder09", Decimal("1769900.00"), 50),
        ),
        "opened",
        method=Method.NEGOTIATION,
        evaluation="reported",
    ),
    Story(
        "新乡市第一人民医院信息系统运维服务项目",
        "2026-410700-84-02-000322",
        Category.GP_SERVICES,
        Sector.FINANCE,
        "tenderer4",
        "信息系统运维",
        Decimal("680000.00"),
        (
            ("bidder07", Decimal("655000.00"), 365),
            ("bidder17", Decimal("648800.00"), 365),
            ("bidder19", Decimal("662000.00"), 365),
        ),
        "opened",
        method=Method.NEGOTIATION,
        evaluation="scoring",
    ),
    Story(
        "新乡市S229线路面改造工程",
        "2026-410700-48-01-000789",
        Category.CONSTRUCTION,
        Sector.TRANSPORT,
        "tenderer2",
        "路面改造施工",
        Decimal("12800000.00"),
        (("bidder06", Decimal("12450000.00"), 300),),
        "bidding",
    ),
)


def _pdf(title: str, author: str, creator: str) -> bytes:
    """A tiny but real PDF with an Info dictionary (author, creating application) for the supervision metadata."""
    body = f"%PDF-1.4\n1 0 obj << /Title ({title}) /Author ({author}) /Creator ({creator}) >> endobj\n"
    return (body + "trailer << /Info 1 0 R >>\n%%EOF\n").encode("latin-1", "replace")


def _seal_bid(
    session: Session,
    cast: Cast,
    *,
    bidder: str,
    section_id: str,
    price: Decimal,
    days: int,
    clock: FixedClock,
    files: FileStore,
    signer: Ed25519PrivateKey,
    ring: bool = False,
) -> None:
    actor = cast.actor(session, bidder, ip="10.9.9.9" if ring else None)
    section = project_queries.get_section(session, section_id)
    assert section.bid_deadline is not None and actor.org_id is not None
    key_set = [
        sealing.Recipient(r.share_index, r.public_key) for r in keys.recipients(session, section.id, section.round)
    ]
    version = bidding.next_version(session, section, actor.org_id)
    # each firm writes with its own copy of an office suite; the ring shares one licensed copy and one author
    author = "王工" if ring else f"{bidder}-author"
    application = "Office Suite 12.1 (licence 7731)" if ring else f"Office Suite 12.1 (licence {_digits(bidder, 5)})"
    buf = io.BytesIO()
    sealing.seal(
        key_set,
        SealContext(section_id=section.id, bidder_id=actor.org_id, version=version),
        {
            "price": str(price),
            "currency": "CNY",
            "duration_days": days,
            "remark": "演示投标",
            "deposit_account": RING_ACCOUNT if ring else f"6222021704{_digits(bidder, 9)}",
        },
        [sealing.BidFile("投标文件.pdf", _pdf("投标文件", author, application))],
        buf,
        threshold=keys.THRESHOLD,
        deadline=int(section.bid_deadline.timestamp()),
        supervision={
            "machine": {"algorithm": "sha256", "fingerprint": _digest("ring" if ring else bidder)},
            "files": [
                {
                    "name": "投标文件.pdf",
                    "author": author,
                    "application": application,
                }
            ],
        },
    )
    stored = files.save(f"bids/{section.id}", [buf.getvalue()], max_bytes=1 << 30)
    header = bidding.ensure_envelope(files, stored)
    bidding.submit(session, actor, section_id=section.id, stored=stored, header=header, clock=clock, signer=signer)


def _digest(seed: str) -> str:
    return hashlib.sha256(f"ggzy-demo/{seed}".encode()).hexdigest()


def _digits(seed: str, n: int) -> str:
    return str(int(_digest(seed), 16))[:n]


def _run(
    session: Session,
    cast: Cast,
    story: Story,
    clock: FixedClock,
    *,
    files: FileStore,
    env: keys.KeyEnv,
    signer: Ed25519PrivateKey,
) -> None:
    manager = cast.actor(session, story.tenderer)
    tenderer_org = manager.org_id
    assert tenderer_org is not None
    project = projects.register(
        session,
        manager,
        name=story.name,
        approval_code=story.approval,
        category=story.category,
        sector=story.sector,
        method=story.method,
        state_funds_share=Decimal(100),
        state_funds_amount=story.estimate,
        tenderer_org_id=tenderer_org,
        sections=[projects.SectionIn(story.section, story.estimate)],
        clock=clock,
    )
    clock.advance(timedelta(hours=3))
    projects.accept(session, cast.actor(session, "operator"), project_id=project.id, clock=clock)
    clock.advance(timedelta(days=1))
    section = project_queries.sections_of(session, project.id)[0]
    if procedure(story.method).invited:  # 竞争性谈判: the purchaser invites the suppliers (采购法 art. 38)
        publication.invite(
            session,
            manager,
            section_id=section.id,
            org_ids=[cast.users[b].org_id for b, _p, _d in story.bidders],
            clock=clock,
        )
        clock.advance(timedelta(hours=1))
    negotiated = story.method is Method.NEGOTIATION
    document = _pdf(f"{story.name}招标文件", "招标代理", "Office Suite 12.1")
    doc = files.save(f"documents/{section.id}", [document], max_bytes=1 << 30)
    # a tender: 20 days and more (招标投标法 art. 24); a negotiation: 3 working days and more (非招标办法 art. 29)
    period, documents_for = (
        (timedelta(days=6), timedelta(days=2)) if negotiated else (timedelta(days=21), timedelta(days=10))
    )
    deadline = (clock.now() + period).astimezone(SHANGHAI).replace(hour=9, minute=30, second=0, microsecond=0)
    publication.publish_tender(
        session,
        manager,
        section_id=section.id,
        title=f"{story.name}（{story.section}）{'竞争性谈判公告' if negotiated else '招标公告'}",
        body=(
            f"{story.name}已列入政府采购计划，资金来源为财政资金，现进行竞争性谈判采购，欢迎符合资格条件的供应商参加。"
            if negotiated
            else f"{story.name}已由有关部门批准建设，资金来源为财政资金，现进行公开招标，欢迎符合资格条件的投标人参加。"
        ),
        deadline=deadline,
        documents_until=deadline - documents_for,
        documents=[("招标文件.pdf", doc)],
        clock=clock,
        keys_env=env,
        security=deposit_demo.requirement(story.estimate),
        security_bank="中国银行新乡分行",
    )
    office = cast.actor(session, "supervisor")
    for i, (bidder, price, days) in enumerate(story.bidders):
        clock.advance(timedelta(days=1, hours=i))
        documents.download(
            session, cast.actor(session, bidder), document_id=documents_of(session, section.id), clock=clock
        )
        deposit_demo.secure(  # cash from the basic account; the ring from one account; the last one by guarantee
            session,
            cast.actor(session, bidder),
            office,
            section_id=section.id,
            amount=deposit_demo.requirement(story.estimate),
            clock=clock,
            shared_account=RING_ACCOUNT if bidder in story.ring else None,
            guarantee=i == len(story.bidders) - 1 and bidder not in story.ring,
        )
        _seal_bid(
            session,
            cast,
            bidder=bidder,
            section_id=section.id,
            price=price,
            days=days,
            clock=clock,
            files=files,
            signer=signer,
            ring=bidder in story.ring,
        )
    if story.stage == "bidding":
        return
    clock.set(deadline + timedelta(seconds=1))
    deadlines.reach_deadline(session, section.id, clock.now())
    if story.stage == "opened":
        for holder in ("operator", "supervisor"):
            clock.advance(timedelta(minutes=3))
            actor = cast.actor(session, holder)
            # the holder's client: fetch the headers, unwrap locally with the holder's own key, hand in shares
            work = opening.holder_work(session, actor, section_id=section.id, clock=clock, files=files)
            shares = keyholder.unwrap_shares(
                {b.bid_id: b.header for b in work.bids},
                CLIENT_KEYS[cast.users[holder].id].private,
                index=work.index,
                now=clock.now(),
                deadline=work.deadline,
            )
            opening.submit_shares(
                session, actor, section_id=section.id, shares=shares, clock=clock, env=env, files=files
            )


def documents_of(session: Session, section_id: str) -> str:
    from ggzy.bidding import queries as bid_queries

    return bid_queries.documents_of(session, section_id)[0].id


CLIENT_KEYS: dict[str, p256.KeyPair] = {}  # the demo holders' side: user id → key pair (never the server's)
DEMO_KEY_ITERATIONS = 10_000  # demo key files only; `ggzy keyholder init` uses keyfile.DEFAULT_ITERATIONS


def ensure_holder_keys(
    session: Session, cast: Cast, env: keys.KeyEnv, now: datetime, *, var: Path | None = None
) -> None:
    """On each demo holder's side: a key pair (and a key file under var/demo-keyholders/); register its public half."""
    folder = var / "demo-keyholders" if var is not None else None
    for username, user in cast.users.items():
        roles = queries.roles_of(session, user.id)
        if not set(roles) & keys.HOLDER_ROLES:
            continue
        pair = CLIENT_KEYS.get(user.id) or p256.generate()
        CLIENT_KEYS[user.id] = pair
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            rec = keyfile.wrap(
                pair.private, cast.passwords[username], iterations=DEMO_KEY_ITERATIONS, label=f"演示 {username}"
            )
            (folder / f"{username}.json").write_text(rec.to_json(), encoding="utf-8")
        if keys.holder_public(session, user.id) != pair.public:
            keys.register_holder_key(
                session, cast.actor(session, username), public_key=pair.public, clock=FixedClock(now)
            )


STORY_DAYS = 24  # register, accept, publish, bids, a 21-day bidding period, the opening


def build(
    session: Session, cast: Cast, *, clock: FixedClock, files: FileStore, env: keys.KeyEnv, signer: Ed25519PrivateKey
) -> int:
    """Play every story not played yet, one after another on the story clock; returns how many were played."""
    done = set(session.execute(select(Project.approval_code)).scalars())
    played = 0
    for story in STORIES:
        if story.approval in done:
            continue
        _run(session, cast, story, clock, files=files, env=env, signer=signer)
        clock.advance(timedelta(hours=2))
        played += 1
    return played


__all__ = ["Cast", "Role", "build", "ensure_holder_keys", "system"]
