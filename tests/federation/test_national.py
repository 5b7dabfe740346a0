"""The national exchange format (issue #14, item 4): the demo city's objects exported with their 统一交易标识码,
sent through the `NationalExchange` Protocol's in-process endpoint, fetched back and imported into a fresh database,
compare equal; bad rows are reported with their row and reason and good rows kept; the mapping is one table."""

from __future__ import annotations

import ast
import inspect
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ggzy import demo
from ggzy.bidding.keys import KeyEnv
from ggzy.core import transparency
from ggzy.core.clock import FixedClock
from ggzy.core.db import Database
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.roles import Role
from ggzy.credit import service as credit
from ggzy.credit.states import TradeClass
from ggzy.entities import auth
from ggzy.entities import queries as entities
from ggzy.entities.models import Organisation
from ggzy.entities.service import Identity
from ggzy.federation import national
from ggzy.rules import trade_id
from ggzy.supervision import service as alerts
from ggzy.supervision.models import Alert
from tests.dbserver import DbServer


def test_the_trade_id_has_its_shape_and_catches_a_mistyped_character() -> None:
    t = trade_id.make("410700", "construction", "XXZB-2026-0003-01")
    assert t.startswith("41070001XXZB2026000301") and len(t) == 23 and trade_id.is_valid(t)
    assert trade_id.make("410700", "gp_goods", "XXCG-2026-0001-01")[6:8] == "02"
    for i in range(len(t)):
        for ch in trade_id.ALPHABET:
            if ch != t[i]:
                assert not trade_id.is_valid(t[:i] + ch + t[i + 1 :]), (i, ch)
    assert not trade_id.is_valid(t[1:] + t[0]) and not trade_id.is_valid("短")


def test_the_demo_city_round_trips_through_the_national_endpoint_into_a_fresh_database(
    session: Session,
    clock: FixedClock,
    ident: Identity,
    files: FileStore,
    opening_env: KeyEnv,
    keys: Keys,
    tmp_path: Path,
    dbserver: DbServer,
) -> None:
    def checkpoint(s: Session, c: object) -> object:  # the demo's awards need signed checkpoints (the draws)
        return transparency.sign_checkpoint(s, keys=keys, origin="demo.test/log", clock=c)  # type: ignore[arg-type]

    kit = demo.TradeKit(files=files, env=opening_env, signer=keys.log_private, var=tmp_path, checkpoint=checkpoint)
    demo.build(session, clock=clock, ident=ident, trades=kit)
    session.flush()
    # a listed sanction and a confirmed alert, so that credit and supervision records go too
    office_user = entities.find_user(session, "supervisor")
    assert office_user is not None
    office = auth.actor_for(session, office_user, Role.SUPERVISOR, "10.0.0.1")
    bidder = session.execute(select(Organisation).where(Organisation.kind == "bidder").limit(1)).scalar_one()
    record = credit.record_sanction(
        session,
        office,
        org_id=bidder.id,
        title="串通投标",
        basis="《招标投标法》第53条",
        source_ref="新建罚〔2026〕12号",
        measure="取消投标资格",
        classes=[TradeClass.STATE_WORKS],
        regions=None,
        starts=clock.now() - timedelta(days=1),
        ends=clock.now() + timedelta(days=365),
        clock=clock,
    )
    credit.list_record(session, office, record_id=record.id, clock=clock)
    alert = session.execute(select(Alert).where(Alert.section_id.is_not(None)).limit(1)).scalar_one()
    alerts.assign(session, office, alert_id=alert.id, assignee_id=office_user.id, clock=clock)
    alerts.investigate(session, office, alert_id=alert.id, clock=clock)
    alerts.confirm(session, office, alert_id=alert.id, sanction_ref="新建罚〔2026〕13号", clock=clock)
    session.flush()
    out = national.export(session)
    counts = {o: len(v) for o, v in out.items()}
    for obj in national.OBJECTS:
        assert counts[obj] > 0, counts
    sections = {r["统一交易标识码"]: r for r in out["section"]}
    assert all(trade_id.is_valid(t) for t in sections)
    assert {r["统一交易标识码"] for r in out["opening"]} <= set(sections)  # every record joins on the trade id
    assert {r["统一交易标识码"] for r in out["result"]} <= set(sections)
    assert all(r["中标金额"].count(".") == 1 for r in out["result"])  # yuan with two decimals, as text
    mine = [r for r in out["credit"] if r["信用记录编号"] == record.id]
    assert [(r["统一社会信用代码"], r["惩戒措施"]) for r in mine] == [(bidder.credit_code, "取消投标资格")]
    assert [r["统一交易标识码"] in sections for r in out["supervision"]] == [True]

    endpoint: national.NationalExchange = national.InProcessNational()
    receipt = endpoint.send(out)
    assert receipt.refused == [] and receipt.accepted == sum(counts.values())
    fetched = endpoint.fetch()

    url = dbserver.clone()
    fresh = Database.from_url(url)
    try:
        with fresh.unit_of_work() as s:
            rep = national.import_records(s, fetched, source="national", clock=clock)
        assert rep.problems == [] and sum(rep.stored.values()) == sum(counts.values())
        with fresh.unit_of_work(write=False) as s:
            back = national.stored(s)
        assert back == out
        with fresh.unit_of_work() as s:  # the same again: nothing new
            again = national.import_records(s, fetched, source="national", clock=clock)
        assert again.stored == {} and again.unchanged == sum(counts.values())
    finally:
        fresh.dispose()
        dbserver.drop(url)


def test_bad_rows_are_reported_with_row_and_reason_and_good_rows_kept(session: Session, clock: FixedClock) -> None:
    good = national.to_national(
        "result",
        {
            "trade_id": trade_id.make("410700", "construction", "MKT-0001-01"),
            "winner_name": "甲公司",
            "winner_code": "91410700MA0000001X",
            "price": "900000.00",
            "awarded_at": "2026-11-20T10:00:00+08:00",
        },
    )
    broken_id = {**good, "统一交易标识码": good["统一交易标识码"][:-1] + "Z"}
    bad_money = {**good, "统一交易标识码": trade_id.make("410700", "construction", "MKT-0002-01"), "中标金额": "九十万"}
    no_zone = {**good, "统一交易标识码": trade_id.make("410700", "construction", "MKT-0003-01"),
               "中标时间": "2026-11-20 10:00"}  # fmt: skip
    missing = {k: v for k, v in good.items() if k != "统一交易标识码"}
    rep = national.import_records(
        session, {"result": [good, broken_id, bad_money, no_zone, missing], "合同": [{}]}, source="x", clock=clock
    )
    assert rep.stored == {"result": 1}
    reasons = {(o, n): why for o, n, why in rep.problems}
    assert "校验位不符" in reasons[("result", 2)]
    assert reasons[("result", 3)] == "「中标金额」不是金额：九十万"
    assert "缺少时区" in reasons[("result", 4)]
    assert reasons[("result", 5)] == "缺少「统一交易标识码」"
    assert "未知的数据对象" in reasons[("合同", 0)]
    assert national.stored(session, source="x")["result"] == [good]


def test_national_field_names_appear_only_in_the_one_mapping_table() -> None:
    source = inspect.getsource(national)
    tree = ast.parse(source)
    names = {n for fields in national.MAPPING.values() for n, _ in fields}
    mapping_node = next(
        n for n in tree.body if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "") == "MAPPING"
    )
    outside = [
        c.value
        for c in ast.walk(tree)
        if isinstance(c, ast.Constant) and c.value in names and not _inside(c, mapping_node)
    ]
    assert outside == [], f"national field names outside MAPPING: {outside}"


def _inside(node: ast.AST, container: ast.AST) -> bool:
    return any(node is n for n in ast.walk(container))
