"""Credit builders: a supervisor who records sanctions, and a sanction against an organisation."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.credit import service
from ggzy.credit.models import CreditRecord
from ggzy.credit.states import TradeClass
from tests.builders import Person


def a_sanction(
    session: Session,
    clock: FixedClock,
    by: Person,
    org_id: str,
    *,
    classes: list[TradeClass] | None = None,
    regions: list[str] | None = None,
    years: int = 2,
    listed: bool = True,
    starts: datetime | None = None,
) -> CreditRecord:
    start = starts or clock.now() - timedelta(days=1)
    record = service.record_sanction(
        session,
        by.actor,
        org_id=org_id,
        title="串通投标",
        basis="《招标投标法》第53条",
        source_ref="新建罚〔2026〕12号",
        measure="取消依法必须进行招标的项目投标资格",
        classes=classes or [TradeClass.STATE_WORKS],
        regions=regions,
        starts=start,
        ends=start + timedelta(days=365 * years),
        clock=clock,
    )
    if listed:
        service.list_record(session, by.actor, record_id=record.id, clock=clock)
    return record
