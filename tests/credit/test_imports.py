"""Outside lists: each lookup kept with its provenance (财库〔2016〕125号), "no hit" recorded as no hit; imports
keep their good rows and report each bad row by number."""

from __future__ import annotations

import hashlib
import io

import pytest
from openpyxl import Workbook
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.errors import Invalid
from ggzy.core.files import FileStore
from ggzy.core.roles import Role
from ggzy.credit import imports, queries
from ggzy.credit.sources import FakeSource, Hit
from ggzy.credit.states import TradeClass
from ggzy.entities import queries as entities
from ggzy.entities.service import Identity
from tests.builders import a_credit_code, a_user


def test_a_lookup_keeps_the_answer_and_a_hit_binds(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore
) -> None:
    supervisor = a_user(session, clock, ident, role=Role.SUPERVISOR)
    bidder = a_user(session, clock, ident, role=Role.BIDDER)
    code = entities.get_org(session, bidder.user.org_id).credit_code
    source = FakeSource("dishonest_debtors")
    source.add(Hit(code, "某公司", "有履行能力而拒不履行生效法律文书确定义务", "（2026）豫07执123号", "2026-01-05"))
    row = imports.look_up(session, supervisor.actor, source=source, credit_code=code, files=files, clock=clock)
    stored = b"".join(files.read(row.copy_path))
    assert row.hit and row.digest == hashlib.sha256(stored).hexdigest() and code.encode() in stored
    assert queries.sanctions_for(session, bidder.user.org_id, TradeClass.PROCUREMENT, "410700", clock.now())


def test_no_hit_is_recorded_as_no_hit(session: Session, clock: FixedClock, ident: Identity, files: FileStore) -> None:
    supervisor = a_user(session, clock, ident, role=Role.SUPERVISOR)
    code = a_credit_code("clean")
    row = imports.look_up(
        session, supervisor.actor, source=FakeSource("tax_offenders"), credit_code=code, files=files, clock=clock
    )
    assert not row.hit and row.copy_size > 0 and queries.lookups(session)[0].id == row.id
    assert queries.records_of(session, code) == []


CSV = (
    "统一社会信用代码,名称,失信行为,依据,列入日期,截止日期,限制领域,地区\n"
    "{good},新乡市甲公司,提供虚假材料谋取中标,财库〔2026〕1号,2026-03-01,2028-03-01,政府采购,41\n"
    "91410700ABCDEFGHIJ,新乡市乙公司,x,y,2026-03-01,,政府采购,\n"
    "{good2},新乡市丙公司,x,y,2026/03/01,,政府采购,\n"
    "{good3},新乡市丁公司,x,y,2026-03-01,,房地产,\n"
    "\n"
    '{good4},新乡市戊公司,恶意投诉,财库〔2026〕2号,2026-04-01,,"政府采购,工程招标",\n'
)


def test_an_import_keeps_good_rows_and_reports_bad_ones_by_number(
    session: Session, clock: FixedClock, ident: Identity
) -> None:
    supervisor = a_user(session, clock, ident, role=Role.SUPERVISOR)
    codes = [a_credit_code(f"imp{i}") for i in range(4)]
    data = CSV.format(good=codes[0], good2=codes[1], good3=codes[2], good4=codes[3]).encode()
    report = imports.import_list(
        session, supervisor.actor, list_name="procurement_misconduct", filename="名单.csv", data=data, clock=clock
    )
    assert report.kept == 2
    assert [n for n, _ in report.problems] == [3, 4, 5]
    assert "校验位" in report.problems[0][1] or "字符" in report.problems[0][1]
    assert "YYYY-MM-DD" in report.problems[1][1] and "限制领域" in report.problems[2][1]
    assert len(queries.records_of(session, codes[0])) == 1 and queries.records_of(session, codes[1]) == []


def test_an_xlsx_import_and_a_bad_header(session: Session, clock: FixedClock, ident: Identity) -> None:
    supervisor = a_user(session, clock, ident, role=Role.SUPERVISOR)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["统一社会信用代码", "名称", "列入日期"])
    ws.append([a_credit_code("x1"), "新乡市己公司", "2026-05-01"])
    buf = io.BytesIO()
    wb.save(buf)
    report = imports.import_list(
        session, supervisor.actor, list_name="tax_offenders", filename="a.xlsx", data=buf.getvalue(), clock=clock
    )
    assert report.kept == 1 and report.problems == []
    with pytest.raises(Invalid, match="表头缺少"):
        imports.import_list(
            session,
            supervisor.actor,
            list_name="tax_offenders",
            filename="a.csv",
            data="名称\n甲\n".encode(),
            clock=clock,
        )
