"""A script that uses only the API and bearer tokens takes a tender from registration to the archived dossier:
the agency is appointed, registers and publishes; the centre accepts; the key holders register their public keys;
three bidders download, seal on their own side and submit; the deadline passes (the platform's tick, not a
person); two holder bodies unwrap their shares on their own side and hand them in; the opening record is public.
Then the tenderer asks for a committee (专家抽取) and the platform's tick draws it once a checkpoint gives the
seed; the called experts accept; the centre opens the evaluation room (评标); the experts score and the chair signs
the report; the tenderer publishes the candidates (中标候选人公示), and after the publicity period names the winner,
reports to the supervision office, drafts the contract, which both sides sign; the dossier (档案) is sealed and
read, and the section's OCDS record carries the award and the signed contract.
Every write carries an Idempotency-Key, and one retry of each kind is made to show it creates nothing twice.
The people (accounts, the expert pool) are made by the test builders first, as an administrator would."""

from __future__ import annotations

import base64
import io
import itertools
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy import sealing
from ggzy.bidding import keyholder
from ggzy.bidding.client import load_key_set
from ggzy.bidding.models import Bid
from ggzy.core import timers
from ggzy.core.clock import SHANGHAI, FixedClock
from ggzy.core.roles import Role
from ggzy.entities import totp
from ggzy.entities.service import Identity
from ggzy.entities.states import OrgKind
from ggzy.evaluation import methods
from ggzy.sealing import p256
from ggzy.sealing.header import SealContext
from ggzy.web.app import due_sources
from ggzy.web.context import AppContext
from tests.builders import PASSWORD, Person, a_user, an_org
from tests.evaluation.builders import a_sheet
from tests.experts.builders import a_tree, an_expert

_keys = itertools.count(1)


class Script:
    """What an integrator's script holds: the server, its tokens, nothing else."""

    def __init__(self, client: TestClient, clock: FixedClock) -> None:
        self.client, self.clock, self.tokens = client, clock, {}

    def sign_in(self, who: Person) -> None:
        body: dict[str, str] = {"username": who.username, "password": PASSWORD, "name": "对接脚本"}
        if who.secret:
            self.clock.advance(timedelta(seconds=30))  # a fresh step for the code
            body["totp_code"] = totp.code_at(who.secret, self.clock.now())
        r = self.client.post("/api/v1/auth/tokens", json=body)
        assert r.status_code == 201, r.text
        self.tokens[who.username] = r.json()["token"]

    def headers(self, who: Person, *, key: str | None = None) -> dict[str, str]:
        out = {"authorization": f"Bearer {self.tokens[who.username]}"}
        if key is not None:
            out["idempotency-key"] = key
        return out

    def write(self, who: Person, method: str, url: str, status: int = 200, *, retry: bool = False, **kw: Any) -> Any:
        key = f"script-{next(_keys)}"
        r = self.client.request(method, url, headers={**self.headers(who, key=key), **kw.pop("headers", {})}, **kw)
        assert r.status_code == status, f"{method} {url}: {r.status_code} {r.text}"
        if retry:  # the network dropped the answer: the same request again gets the same answer, nothing new
            again = self.client.request(method, url, headers=self.headers(who, key=key), **kw)
            assert again.headers.get("idempotent-replayed") == "true" and again.content == r.content
        return r.json() if r.content else None

    def read(self, who: Person | None, url: str, **kw: Any) -> Any:
        r = self.client.get(url, headers=self.headers(who) if who else {}, **kw)
        assert r.status_code == 200, f"GET {url}: {r.status_code} {r.text}"
        return r.json()


def seal(section: dict[str, Any], bidder_org: str, price: str, name: str) -> bytes:
    recipients, threshold, deadline = load_key_set(section)
    out = io.BytesIO()
    sealing.seal(
        recipients,
        SealContext(section_id=section["id"], bidder_id=bidder_org, version=1),
        {"price": price, "currency": "CNY", "duration_days": 180, "remark": "", "deposit_account": f"acct-{name}"},
        [sealing.BidFile("投标文件.pdf", f"%PDF-1.4 {name}".encode())],
        out,
        threshold=threshold,
        deadline=deadline,
        supervision={
            "machine": {"algorithm": "sha256", "fingerprint": f"fp-{name}"},
            "files": [{"name": "投标文件.pdf", "author": name}],
        },
    )
    return out.getvalue()


def test_a_script_takes_a_tender_from_registration_to_the_archived_dossier_through_the_api_only(
    session: Session, clock: FixedClock, ident: Identity, client: TestClient, app_ctx: AppContext
) -> None:
    # the people exist (accounts are opened by the administrator); everything after this is the API
    tenderer = a_user(session, clock, ident, role=Role.TENDERER, org=an_org(session, clock, kind=OrgKind.TENDERER))
    agency = a_user(session, clock, ident, role=Role.AGENCY, org=an_org(session, clock, kind=OrgKind.AGENCY))
    operator = a_user(session, clock, ident, role=Role.OPERATOR)
    office = a_user(session, clock, ident, role=Role.SUPERVISOR)
    bidders = [a_user(session, clock, ident, role=Role.BIDDER) for _ in range(3)]
    a_tree(session, clock)  # the expert pool: six civil engineers and four cost engineers
    experts = [an_expert(session, clock, ident, specialities=["A08.01"]) for _ in range(6)]
    experts += [an_expert(session, clock, ident, specialities=["B02"]) for _ in range(4)]
    for i, p in enumerate(experts, 1):
        p.user.display_name = f"测试专家{i}号"  # each their own name: the centre finds the called ones by it
    session.commit()
    api = Script(client, clock)
    for who in (tenderer, agency, operator, office, *bidders):
        api.sign_in(who)

    # the key holders make their key pairs on their own side and register the public halves
    pairs = {}
    for who in (tenderer, operator, office):
        pairs[who.username] = p256.generate()
        body = {"public_key": p256.b64encode(pairs[who.username].public)}
        api.write(who, "PUT", "/api/v1/keyholder/key", json=body)

    # 委托代理, registration, acceptance, publication
    today = clock.now().astimezone(SHANGHAI).date()
    appointment = {
        "agency_org_id": agency.user.org_id,
        "agreement_ref": "XXDL-2026-SCRIPT",
        "agreement_file_name": "委托代理协议.pdf",
        "agreement_file_base64": base64.b64encode(b"%PDF-1.4 agreement").decode(),
        "categories": ["construction"],
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=180)).isoformat(),
    }
    api.write(tenderer, "POST", "/api/v1/appointments", 201, json=appointment, retry=True)
    project = api.write(
        agency,
        "POST",
        "/api/v1/projects",
        201,
        retry=True,
        json={
            "name": "新乡市接口脚本道路工程",
            "approval_code": "2026-410700-48-01-000999",
            "category": "construction",
            "sector": "housing",
            "method": "open_tender",
            "state_funds_share": "100",
            "state_funds_amount": "6000000",
            "tenderer_org_id": tenderer.user.org_id,
            "sections": [{"name": "施工", "estimate": "6000000.00"}],
        },
    )
    assert project["appointment"] == "XXDL-2026-SCRIPT"
    registrations = api.read(operator, "/api/v1/projects", params={"status": "registered"})["items"]
    assert [p["id"] for p in registrations] == [project["id"]]
    api.write(operator, "POST", f"/api/v1/projects/{project['id']}/accept", retry=True)
    section_id = project["sections"][0]["id"]
    deadline = clock.now() + timedelta(days=21)
    notice = api.write(
        agency,
        "POST",
        f"/api/v1/sections/{section_id}/publish",
        201,
        data={
            "title": "新乡市接口脚本道路工程招标公告",
            "body": "欢迎投标。",
            "deadline": deadline.isoformat(),
            "documents_until": (deadline - timedelta(days=1)).isoformat(),
        },
        files=[("documents", ("招标文件.pdf", b"%PDF-1.4 tender documents", "application/pdf"))],
    )
    assert api.read(None, "/api/v1/notices", params={"q": "接口脚本"})["items"][0]["number"] == notice["number"]

    # the bidders download the documents, seal on their own side and submit
    section = api.read(None, f"/api/v1/sections/{section_id}")
    assert section["status"] == "bidding" and len(section["recipients"]) == 3
    for i, b in enumerate(bidders):
        r = client.post(f"/api/v1/documents/{section['documents'][0]['id']}/download", headers=api.headers(b))
        assert r.status_code == 200 and r.content.startswith(b"%PDF")
        envelope = seal(section, b.user.org_id, f"{5_800_000 - i * 10_000}.00", b.username)
        receipt = api.write(b, "PUT", f"/api/v1/sections/{section_id}/bid", 201, content=envelope, retry=i == 0)
        assert receipt["version"] == 1
    assert session.execute(select(func.count()).select_from(Bid)).scalar_one() == 3  # the retry made no fourth

    # the deadline passes: the platform closes bidding by its own tick (no person, no page)
    clock.advance(deadline - clock.now() + timedelta(minutes=1))
    timers.tick(app_ctx.db, due_sources(app_ctx), clock.now())
    assert api.read(None, f"/api/v1/sections/{section_id}")["status"] == "closed"

    # two holder bodies unwrap their shares on their own side and hand them in; the record is public
    for who in (operator, office):
        api.sign_in(who)  # staff tokens are short-lived: a fresh one after three weeks
        work = api.read(who, f"/api/v1/sections/{section_id}/opening/shares")
        shares = keyholder.shares_from_work(work, pairs[who.username].private, clock=clock)
        progress = api.write(who, "POST", f"/api/v1/sections/{section_id}/opening/shares", json={"shares": shares})
    assert progress["opened"] is True
    record = api.read(None, f"/api/v1/sections/{section_id}/opening")
    assert record["status"] == "opened" and sorted(r["price"] for r in record["rows"]) == [
        "5780000.00",
        "5790000.00",
        "5800000.00",
    ]
    acts = api.read(tenderer, "/api/v1/agency-acts")["items"]
    assert {"projects.registered", "projects.section_published"} <= {a["type"] for a in acts}

    # 专家抽取: the tenderer asks for a committee; the platform commits, waits for the next signed checkpoint
    # (its seed) and draws by its own tick; the centre reads who was called; they accept
    api.sign_in(tenderer)
    draw = api.write(
        tenderer,
        "POST",
        f"/api/v1/experts/sections/{section_id}/draws",
        201,
        json={"counts": {"A08.01": 3, "B02": 2}, "evaluation_on": str(clock.now().astimezone(SHANGHAI).date())},
    )
    assert draw["status"] == "committed" and draw["calls"] == []
    assert api.read(tenderer, f"/api/v1/experts/draws/{draw['id']}")["calls"] == []  # public; no names yet
    clock.advance(timedelta(minutes=app_ctx.settings.checkpoint_minutes))  # the next checkpoint period
    timers.tick(app_ctx.db, due_sources(app_ctx), clock.now())  # a checkpoint after the commitment: the seed
    timers.tick(app_ctx.db, due_sources(app_ctx), clock.now())  # the draw
    api.sign_in(operator)
    seats = api.read(operator, f"/api/v1/experts/draws/{draw['id']}")["calls"]  # the centre sees who was called
    called = [next(p for p in experts if p.user.display_name == c["name"]) for c in seats if c["status"] == "invited"]
    for who in called:
        api.sign_in(who)
        (inv,) = api.read(who, "/api/v1/experts/invitations")
        answer = api.write(who, "POST", f"/api/v1/experts/invitations/{inv['id']}/answer", json={"accept": True})
        assert answer["status"] == "accepted"
    assert len(called) == 5

    # 评标: the centre opens the room with the drawn committee and its chair; each expert scores; the chair signs
    room = api.write(
        operator,
        "POST",
        f"/api/v1/sections/{section_id}/evaluation",
        201,
        json={"chair": called[0].user.id, "kind": "comprehensive"},
    )
    orgs = [b["org_id"] for b in room["bids"]]
    method = methods.preset(methods.Kind.COMPREHENSIVE)
    for who in called:
        progress = api.write(
            who, "POST", f"/api/v1/evaluations/{room['id']}/sheet", json=a_sheet(method, orgs).to_json()
        )
    assert all(m["submitted"] for m in progress["members"])
    report = api.write(called[0], "POST", f"/api/v1/evaluations/{room['id']}/report")
    assert report["report_sha256"]

    # 定标: candidates are published; the publicity period passes; the winner, the report to the supervisor,
    # the contract signed by both sides; the dossier (档案) is sealed and read
    award = f"/api/v1/sections/{section_id}/award"
    published = api.write(tenderer, "POST", f"{award}/publish", 201)
    assert len(published["candidates"]) == 3
    clock.set(datetime.fromisoformat(published["publicity_ends_at"]) + timedelta(minutes=1))
    timers.tick(app_ctx.db, due_sources(app_ctx), clock.now())
    api.sign_in(tenderer)
    first = published["candidates"][0]
    winner = next(b for b in bidders if b.user.org_id == first["org_id"])
    api.sign_in(winner)
    awarded = api.write(tenderer, "POST", f"{award}/winner", json={"winner_org_id": first["org_id"]})
    assert awarded["winner_org_id"] == first["org_id"] and awarded["notice_sha256"]
    api.write(tenderer, "POST", f"{award}/report", json={"text": "招标投标情况书面报告"})
    contract = {"amount": first["price"], "security": "0", "duration_days": 180}
    draft = api.write(tenderer, "POST", f"{award}/contract", 201, json=contract)
    assert draft["contract"]["source"] == "draft"
    api.write(winner, "POST", f"{award}/sign")
    signed = api.write(tenderer, "POST", f"{award}/sign")
    assert signed["status"] == "archived" and signed["contract"]["signed_at"]
    dossier = api.read(tenderer, f"/api/v1/archive/{section_id}")
    assert dossier["retention_years"] >= 15 and dossier["files"]

    # the open-data record (OCDS) of the section, read by anyone, carries the award and the signed contract
    ocid = f"{app_ctx.settings.ocds_prefix}-{section['code']}"
    (ocds,) = api.read(None, f"/api/ocds/records/{ocid}")["records"]
    compiled = ocds["compiledRelease"]
    (awarded_to,) = compiled["awards"]
    assert awarded_to["status"] == "active" and awarded_to["value"]["amount"] == float(first["price"])
    (signed_contract,) = compiled["contracts"]
    assert signed_contract["awardID"] == awarded_to["id"] and signed_contract["dateSigned"]
