"""Accredited platforms push signed OCDS releases (issue #14, 5): the whole tender goes in, is published with its
source and screened like our own trades; every kind of bad push is refused with its status and kept as a refusal
(its reason, never the token or the signature), changing nothing stored."""

from __future__ import annotations

import json
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.core.clock import FixedClock
from ggzy.core.events import Event
from ggzy.credit.states import TradeClass
from ggzy.entities import auth
from ggzy.entities import queries as entities
from ggzy.entities.service import Identity
from ggzy.federation import queries, screening
from ggzy.federation.models import PushedRelease, PushedTrade, Refusal
from ggzy.rules import federation as law
from ggzy.supervision.models import Alert
from tests.builders import csrf_from, signed_in
from tests.credit.conftest import a_sanction
from tests.federation.kit import Market, package, whole_tender
from tests.trade import World, a_world

PUSH = "/api/v1/federation/push"


def setup(
    session: Session, clock: FixedClock, ident: Identity, env: opening_keys.KeyEnv, client: TestClient
) -> tuple[World, Market, str]:
    world = a_world(session, clock, ident, env, bidders=3)
    raw, _ = auth.issue_token(session, world.supervisor.actor, name="监管", clock=clock, ident=ident)
    session.commit()
    market = Market()
    r = client.post(
        "/api/v1/federation/platforms",
        json={
            "code": market.code,
            "name": "某市场化交易平台",
            "kind": "market",
            "region": "410700",
            "ocid_prefix": market.prefix,
            "public_key": market.public,
        },
        headers={"authorization": f"Bearer {raw}"},
    )
    assert r.status_code == 201, r.text
    market.token = r.json()["token"]
    assert market.token.startswith("gfp_")
    return world, market, raw


def bidders_of(session: Session, world: World) -> list[tuple[str, str]]:
    orgs = [entities.get_org(session, b.user.org_id) for b in world.bidders]
    return [(o.credit_code, o.name) for o in orgs]


def push(client: TestClient, market: Market, body: bytes, clock: FixedClock, **kw: object) -> object:
    return client.post(PUSH, content=body, headers=market.headers(body, clock.now(), **kw))  # type: ignore[arg-type]


def counts(session: Session) -> tuple[int, int]:
    session.expire_all()
    return (
        int(session.scalar(select(func.count()).select_from(PushedRelease)) or 0),
        int(session.scalar(select(func.count()).select_from(Refusal)) or 0),
    )


def test_a_whole_tender_goes_in_once_is_published_with_its_source_and_screened(
    session: Session, clock: FixedClock, ident: Identity, opening_env: opening_keys.KeyEnv, client: TestClient
) -> None:
    world, market, _ = setup(session, clock, ident, opening_env, client)
    tenderers = bidders_of(session, world)
    barred = world.bidders[0]
    a_sanction(session, clock, world.supervisor, barred.user.org_id, classes=[TradeClass.STATE_WORKS])
    session.commit()
    rels = whole_tender(market.prefix, "MKT-2026-0001", clock.now() - timedelta(days=5), bidders=tenderers)
    body = package(rels)
    r = client.post(PUSH, content=body, headers=market.headers(body, clock.now()))
    assert r.status_code == 200, r.text
    assert len(r.json()["accepted"]) == 4 and r.json()["duplicates"] == [] and not r.json()["skewed"]
    again = client.post(PUSH, content=body, headers=market.headers(body, clock.now()))  # a retry: taken as there
    assert again.status_code == 200 and again.json()["accepted"] == [] and len(again.json()["duplicates"]) == 4
    assert counts(session) == (4, 0)
    t = session.get(PushedTrade, f"{market.prefix}-MKT-2026-0001")
    assert t is not None and t.releases == 4 and t.last_tag == "contract" and str(t.awarded) == "900000.00"
    assert t.supplier == tenderers[0][1] and not t.screened

    portal = client.get("/federation")
    assert portal.status_code == 200 and "来源：某市场化交易平台" in portal.text and t.title in portal.text
    page = client.get(f"/federation/trades/{t.ocid}")
    assert page.status_code == 200 and "来源：某市场化交易平台（市场化交易平台）" in page.text
    assert page.text.count(f"{t.ocid}-") == 4
    listed = client.get("/api/v1/federation/trades").json()
    assert [x["ocid"] for x in listed] == [t.ocid] and listed[0]["platform_name"] == "某市场化交易平台"

    # the tick screens it: the indicators, and the credit register by credit code (the winner is debarred)
    due = screening.due(session, clock.now())
    assert due == [t.ocid]
    assert screening.apply(session, t.ocid, clock.now())
    session.commit()
    assert screening.due(session, clock.now()) == []
    alerts = list(session.execute(select(Alert).where(Alert.source == f"federation:{market.code}")).scalars())
    credit = [a for a in alerts if a.flag_id == screening.CREDIT_FLAG]
    assert len(credit) == 1, [a.title for a in alerts]
    assert tenderers[0][1] in credit[0].title and "来源：某市场化交易平台" in credit[0].title
    evidence = json.loads(credit[0].evidence)
    assert evidence["credit_code"] == tenderers[0][0] and "《招标投标法》第53条" in evidence["cited"]
    assert credit[0].severity == "high" and credit[0].sector == "housing"
    office = signed_in(client, world.supervisor, clock)
    dash = office.get("/supervision")
    assert dash.status_code == 200 and credit[0].title in dash.text  # on the supervision dashboard


def test_the_same_release_id_with_another_body_is_refused_409_and_nothing_changes(
    session: Session, clock: FixedClock, ident: Identity, opening_env: opening_keys.KeyEnv, client: TestClient
) -> None:
    world, market, _ = setup(session, clock, ident, opening_env, client)
    rels = whole_tender(market.prefix, "MKT-1", clock.now() - timedelta(days=5), bidders=bidders_of(session, world))
    assert (
        client.post(PUSH, content=package(rels[:2]), headers=market.headers(package(rels[:2]), clock.now())).status_code
        == 200
    )
    changed = [rels[1] | {"tag": ["tenderUpdate"], "tender": {**rels[1]["tender"], "title": "改过的标题"}}, rels[2]]
    body = package(changed)
    r = client.post(PUSH, content=body, headers=market.headers(body, clock.now()))
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "release-conflict" and r.json()["release"] == rels[1]["id"]
    assert counts(session) == (2, 1)  # the award of the same package was not stored either
    t = session.get(PushedTrade, rels[0]["ocid"])
    assert t is not None and "改过" not in t.title


def test_bad_signature_unknown_platform_wrong_token_and_suspension_are_refused_and_kept(
    session: Session, clock: FixedClock, ident: Identity, opening_env: opening_keys.KeyEnv, client: TestClient
) -> None:
    world, market, supervisor_token = setup(session, clock, ident, opening_env, client)
    body = package(whole_tender(market.prefix, "MKT-2", clock.now(), bidders=bidders_of(session, world))[:1])
    other = Market()  # a key the platform did not register
    r = client.post(PUSH, content=body, headers=market.headers(body, clock.now(), key=other.key))
    assert r.status_code == 401 and r.json()["code"] == "bad-signature"
    tampered = body.replace("市场化平台测试工程".encode(), "篡改后的工程".encode())
    r = client.post(PUSH, content=tampered, headers=market.headers(body, clock.now()))
    assert r.status_code == 401 and r.json()["code"] == "bad-signature"
    stranger = Market(code="nobody")
    r = client.post(PUSH, content=body, headers=stranger.headers(body, clock.now()))
    assert r.status_code == 401 and r.json()["code"] == "unknown-platform"
    wrong = Market(code=market.code, key=market.key, token="gfp_wrong")
    r = client.post(PUSH, content=body, headers=wrong.headers(body, clock.now()))
    assert r.status_code == 401 and r.json()["code"] == "bad-token"
    pid = queries.platforms(session)[0].id
    s = client.post(
        f"/api/v1/federation/platforms/{pid}/suspend",
        json={"reason": "未按时推送交易数据"},
        headers={"authorization": f"Bearer {supervisor_token}"},
    )
    assert s.status_code == 200 and s.json()["status"] == "suspended"
    r = client.post(PUSH, content=body, headers=market.headers(body, clock.now()))
    assert r.status_code == 403 and r.json()["code"] == "platform-suspended" and "未按时推送" in r.json()["detail"]
    assert counts(session) == (0, 5)
    reasons = sorted(session.execute(select(Refusal.reason)).scalars())
    assert reasons == ["bad-signature", "bad-signature", "bad-token", "platform-suspended", "unknown-platform"]
    logged = session.execute(select(Event).where(Event.type == "federation.push_refused")).scalars().all()
    assert len(logged) == 5
    everything = json.dumps([e.payload for e in logged if e.payload], ensure_ascii=False) + "".join(
        r.detail for r in session.execute(select(Refusal)).scalars()
    )
    assert market.token not in everything and "gfp_wrong" not in everything  # no secret in the log
    assert market.headers(body, clock.now())["x-signature"] not in everything
    f = queries.figures(session, queries.platforms(session)[0])
    assert f.refused == 4 and dict(f.by_reason)["bad-signature"] == 2  # the unknown one is nobody's
    assert queries.unknown_refusals(session) == 1


def test_another_platforms_trade_is_refused(
    session: Session, clock: FixedClock, ident: Identity, opening_env: opening_keys.KeyEnv, client: TestClient
) -> None:
    world, market, _ = setup(session, clock, ident, opening_env, client)
    ours = whole_tender("ocds-ggzy00", "XXZB-2026-0001-01", clock.now(), bidders=bidders_of(session, world))[:1]
    body = package(ours)
    r = client.post(PUSH, content=body, headers=market.headers(body, clock.now()))
    assert r.status_code == 403 and r.json()["code"] == "not-owner" and "ocds-ggzy00" in r.json()["detail"]
    assert counts(session) == (0, 1)


def test_clock_skew_within_the_window_is_accepted_and_reported_beyond_it_refused(
    session: Session, clock: FixedClock, ident: Identity, opening_env: opening_keys.KeyEnv, client: TestClient
) -> None:
    world, market, _ = setup(session, clock, ident, opening_env, client)
    rels = whole_tender(market.prefix, "MKT-3", clock.now() - timedelta(days=9), bidders=bidders_of(session, world))
    body = package(rels[:1])
    r = client.post(PUSH, content=body, headers=market.headers(body, clock.now() + timedelta(minutes=3)))
    assert r.status_code == 200 and r.json()["skewed"] and r.json()["skew_seconds"] == 180
    assert "180 秒" in r.json()["warning"]
    body = package(rels[1:2])
    late = clock.now() - timedelta(minutes=int(law.TIMESTAMP_WINDOW.value) + 1)
    r = client.post(PUSH, content=body, headers=market.headers(body, late))
    assert r.status_code == 401 and r.json()["code"] == "stale-timestamp"
    assert counts(session) == (1, 1)
    f = queries.figures(session, queries.platforms(session)[0])
    assert f.skewed == 1 and f.skew_max == 180 and f.lag_median == 9 * 86_400 and f.late_over_day == 1


def test_invalid_ocds_is_reported_by_json_path_and_nothing_is_stored(
    session: Session, clock: FixedClock, ident: Identity, opening_env: opening_keys.KeyEnv, client: TestClient
) -> None:
    world, market, _ = setup(session, clock, ident, opening_env, client)
    rels = whole_tender(market.prefix, "MKT-4", clock.now(), bidders=bidders_of(session, world))
    rels[1]["tender"]["value"] = {"amount": "九十万", "currency": "CNY"}
    rels[2]["awards"][0]["status"] = "won"
    del rels[3]["date"]
    body = package(rels)
    r = client.post(PUSH, content=body, headers=market.headers(body, clock.now()))
    assert r.status_code == 422 and r.json()["code"] == "invalid-ocds"
    errors = r.json()["errors"]
    assert "/releases/1/tender/value/amount: 应为数字" in errors
    assert any(e.startswith("/releases/2/awards/0/status") for e in errors)
    assert any(e.startswith("/releases/3/date") for e in errors)
    not_json = b"{not json"
    r = client.post(PUSH, content=not_json, headers=market.headers(not_json, clock.now()))
    assert r.status_code == 422 and r.json()["code"] == "not-json"
    assert counts(session) == (0, 2)


def test_a_body_over_the_limit_is_413_and_counted(
    session: Session, clock: FixedClock, ident: Identity, opening_env: opening_keys.KeyEnv, client: TestClient
) -> None:
    _, market, _ = setup(session, clock, ident, opening_env, client)
    body = b'{"releases": [], "pad": "' + b"x" * int(law.MAX_PUSH_BYTES.value) + b'"}'
    r = client.post(PUSH, content=body, headers=market.headers(body, clock.now()))
    assert r.status_code == 413 and r.json()["code"] == "too-large"
    assert counts(session) == (0, 1)
    huge = b"x" * (int(law.MAX_PUSH_BYTES.value) + (2 << 20))  # beyond the route's limit: cut off at the door
    r = client.post(PUSH, content=huge, headers=market.headers(huge, clock.now()))
    assert r.status_code == 413


def test_accreditation_refuses_bad_input_in_chinese_and_only_the_office_may_accredit(
    session: Session, clock: FixedClock, ident: Identity, opening_env: opening_keys.KeyEnv, client: TestClient
) -> None:
    world, market, supervisor_token = setup(session, clock, ident, opening_env, client)
    auth_h = {"authorization": f"Bearer {supervisor_token}"}
    good = {"code": "cty002", "name": "某县交易平台", "kind": "county", "region": "410721",
            "ocid_prefix": "ocds-cty002", "public_key": Market().public}  # fmt: skip
    for field, value, code in [
        ("public_key", "abcd", "bad-public-key"),
        ("ocid_prefix", "ggzy-1", "bad-prefix"),
        ("region", "41", "bad-region"),
        ("ocid_prefix", market.prefix, "prefix-taken"),
        ("ocid_prefix", "ocds-ggzy00", "prefix-taken"),  # our own
        ("code", market.code, "platform-code-taken"),
    ]:
        r = client.post("/api/v1/federation/platforms", json={**good, field: value}, headers=auth_h)
        assert r.status_code in (409, 422) and r.json()["code"] == code, (field, r.text)
    bidder_token, _ = auth.issue_token(session, world.bidders[0].actor, name="x", clock=clock, ident=ident)
    session.commit()
    r = client.post("/api/v1/federation/platforms", json=good, headers={"authorization": f"Bearer {bidder_token}"})
    assert r.status_code == 403
    assert len(queries.platforms(session)) == 1


def test_the_register_pages_accredit_show_the_token_once_suspend_and_show_the_figures(
    session: Session, clock: FixedClock, ident: Identity, opening_env: opening_keys.KeyEnv, client: TestClient
) -> None:
    world, _market, _ = setup(session, clock, ident, opening_env, client)
    office = signed_in(client, world.supervisor, clock)
    page = office.get("/supervision/platforms")
    assert page.status_code == 200 and "某市场化交易平台" in page.text and "认可接入平台" in page.text
    form = {"csrf_token": csrf_from(page.text), "code": "cty002", "name": "某县交易平台", "kind": "county",
            "region": "410721", "ocid_prefix": "ocds-cty002", "public_key": Market().public}  # fmt: skip
    bad = office.post("/supervision/platforms", data={**form, "public_key": "不是公钥"})
    assert bad.status_code == 422 and "签名公钥应为 Ed25519 公钥" in bad.text
    assert len(queries.platforms(session)) == 1
    done = office.post("/supervision/platforms", data=form)
    assert done.status_code == 200 and 'data-testid="new-token"' in done.text and "gfp_" in done.text
    again = office.get("/supervision/platforms")
    assert "gfp_" not in again.text and "某县交易平台" in again.text  # shown once only
    county = next(p for p in queries.platforms(session) if p.code == "cty002")
    r = office.post(
        f"/supervision/platforms/{county.id}/suspend", data={"csrf_token": csrf_from(again.text), "reason": ""}
    )
    assert r.status_code == 422 and "暂停须说明理由" in r.text
    r = office.post(
        f"/supervision/platforms/{county.id}/suspend", data={"csrf_token": csrf_from(again.text), "reason": "资质过期"}
    )
    assert r.status_code == 303
    session.expire_all()
    assert queries.platforms(session)[1].status == "suspended"
    figures = office.get(f"/supervision/platforms/{county.id}")
    assert figures.status_code == 200 and "推送数据质量（原始数据）" in figures.text and "已暂停" in figures.text
    r = office.post(f"/supervision/platforms/{county.id}/reinstate", data={"csrf_token": csrf_from(again.text)})
    assert r.status_code == 303
