from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from ggzy.bidding import keys as opening_keys
from ggzy.core.clock import FixedClock
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.entities.service import Identity
from ggzy.projects.models import Section
from tests.exchange.builders import a_trade


@pytest.fixture
def trade(
    session: Session, clock: FixedClock, ident: Identity, files: FileStore, opening_env: opening_keys.KeyEnv, keys: Keys
) -> Callable[..., Section]:
    def make(**kw: object) -> Section:
        return a_trade(session, clock, ident, files, opening_env, keys, **kw)  # type: ignore[arg-type]

    return make
