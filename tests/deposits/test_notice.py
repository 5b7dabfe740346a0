"""The tender notice states the bid security and how to give it (issue 11, item 2); a security over the cap is
refused at publication and nothing is published."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.core.clock import FixedClock
from ggzy.core.errors import RuleViolation
from ggzy.core.files import FileStore
from ggzy.deposits import queries
from ggzy.entities.service import Identity
from ggzy.notices import queries as notices
from ggzy.notices.models import Notice
from ggzy.projects import publication
from ggzy.projects import queries as projects
from ggzy.projects.models import Section
from tests.trade import World, a_project, a_world


def _publish(
    session: Session, clock: FixedClock, world: World, files: FileStore, env: opening_keys.KeyEnv, security: str
) -> tuple[Section, Callable[[], Notice]]:
    project = a_project(session, clock, world)
    section = projects.sections_of(session, project.id)[0]
    doc = files.save(f"documents/{section.id}", [b"%PDF-1.4 tender documents"], max_bytes=1 << 20)
    deadline = clock.now() + timedelta(days=21)
    return section, lambda: publication.publish_tender(
        session,
        world.tenderer.actor,
        section_id=section.id,
        title="新乡市测试道路工程招标公告",
        body="欢迎投标。",
        deadline=deadline,
        documents_until=deadline - timedelta(days=1),
        documents=[("招标文件.pdf", doc)],
        clock=clock,
        keys_env=env,
        security=security,
        security_bank="中国银行新乡分行",
    )


def test_the_notice_states_the_security_and_the_requirement_is_set(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv
) -> None:
    world = a_world(session, clock, ident, opening_env, bidders=1)
    section, publish = _publish(session, clock, world, files, opening_env, "80000.00")
    notice = publish()
    assert "投标保证金：人民币 80,000.00 元" in notice.body and "基本账户" in notice.body
    assert "第26条" in notice.body and "中国银行新乡分行" in notice.body
    req = queries.requirement_of(session, section.id)
    assert req is not None and req.amount_fen == 8_000_000


def test_a_security_over_two_percent_is_refused_and_nothing_is_published(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv
) -> None:
    world = a_world(session, clock, ident, opening_env, bidders=1)
    section, publish = _publish(session, clock, world, files, opening_env, "100000.01")  # 2 % of 5,000,000 is 100,000
    with pytest.raises(RuleViolation, match=r"超过上限 100000\.00 元") as refused, session.begin_nested():
        publish()
    assert refused.value.code == "deposit-over-cap"
    assert section.status == "preparing" and queries.requirement_of(session, section.id) is None
    assert notices.of_section(session, section.id, "tender") == []
