"""运行环境 — what a running app holds: settings, database, clock, keys, identity settings, fan-out, notifications."""

from __future__ import annotations

from dataclasses import dataclass, field

from ggzy.bidding.keys import KeyEnv
from ggzy.core.clock import Clock
from ggzy.core.config import Settings
from ggzy.core.db import Database
from ggzy.core.files import FileStore
from ggzy.core.keys import Keys
from ggzy.core.notify import MemoryNotifier, Notifier, from_settings
from ggzy.core.pubsub import Bus
from ggzy.entities.auth import SessionActivity
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
    notifier: Notifier = field(default_factory=MemoryNotifier)  # GGZY_NOTIFIER; ggzy/core/notify.py
    activity: SessionActivity = field(default_factory=SessionActivity)  # written out by the tick

    def __post_init__(self) -> None:
        if self.settings.notifier != "memory":
            self.notifier = from_settings(self.settings.notifier)
