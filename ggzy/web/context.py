"""运行环境 — what a running app holds: settings, database, clock, keys, identity settings, fan-out."""

from __future__ import annotations

from dataclasses import dataclass, field

from ggzy.bidding.keys import KeyEnv
from ggzy.core.clock import Clock
from ggzy.core.config import Settings
from ggzy.core.db import Database
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.pubsub import Bus
from ggzy.entities.service import Identity


@dataclass
class AppContext:
    settings: Settings
    db: Database
    clock: Clock
    keys: Keys
    ident: Identity
    bus: Bus
    files: FileStore
    opening: KeyEnv
    extras: dict[str, object] = field(default_factory=dict)
