"""通知 — the one way the platform tells a person something out of band (短信、语音、站内信、邮件).

Services call `ctx.notifier.send(to_user_id, channel, subject, body)`; they never learn the phone
number or the mailbox, and nothing they send is written to the event log or to application logs
(a one-time code is a secret). A deployment plugs in its SMS gateway or mail relay by implementing
`Notifier`; the platform and its tests run with `MemoryNotifier`, which only records.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable


class Channel(StrEnum):
    SMS = "sms"
    VOICE = "voice"
    IN_APP = "in_app"
    EMAIL = "email"

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]


CHANNEL_LABELS = {Channel.SMS: "短信", Channel.VOICE: "语音电话", Channel.IN_APP: "站内信", Channel.EMAIL: "电子邮件"}


@dataclass(frozen=True)
class Message:
    to_user_id: str
    channel: Channel
    subject: str
    body: str

    def __repr__(self) -> str:  # the body may hold a one-time code: keep it out of reprs and tracebacks
        return f"Message(to_user_id={self.to_user_id!r}, channel={self.channel.value!r}, subject={self.subject!r})"


@runtime_checkable
class Notifier(Protocol):
    def send(self, to_user_id: str, channel: Channel, subject: str, body: str) -> None:
        """Deliver, or raise; a notifier never silently drops a message."""


class MemoryNotifier:
    """The in-process channel: keeps every message, newest last (the default, and the tests' fake)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sent: list[Message] = []

    def send(self, to_user_id: str, channel: Channel, subject: str, body: str) -> None:
        with self._lock:
            self.sent.append(Message(to_user_id, Channel(channel), subject, body))

    def to(self, user_id: str, channel: Channel | None = None) -> list[Message]:
        """What one person has received (on one channel), oldest first."""
        with self._lock:
            return [m for m in self.sent if m.to_user_id == user_id and (channel is None or m.channel is channel)]

    def last(self, user_id: str, channel: Channel | None = None) -> Message:
        got = self.to(user_id, channel)
        if not got:
            raise LookupError(f"nothing was sent to {user_id}")
        return got[-1]


def from_settings(kind: str) -> Notifier:
    """The notifier named by GGZY_NOTIFIER; only the in-process one ships with the platform."""
    if kind == "memory":
        return MemoryNotifier()
    raise ValueError(f"unknown notifier {kind!r} (only 'memory' is built in)")
