"""The notification channel: the in-process fake records what each person was sent, and keeps codes out of reprs."""

from __future__ import annotations

import pytest

from ggzy.core.notify import Channel, MemoryNotifier, Notifier, from_settings


def test_memory_notifier_records_per_person_and_channel() -> None:
    n = MemoryNotifier()
    assert isinstance(n, Notifier)
    n.send("u1", Channel.SMS, "口令重置", "验证码 123456")
    n.send("u2", Channel.IN_APP, "待复核", "有一项待复核")
    n.send("u1", Channel.EMAIL, "通知", "正文")
    assert [m.subject for m in n.to("u1")] == ["口令重置", "通知"]
    assert n.last("u1", Channel.SMS).body == "验证码 123456"
    assert "123456" not in repr(n.last("u1", Channel.SMS))
    with pytest.raises(LookupError):
        n.last("u3")


def test_only_the_memory_notifier_is_built_in() -> None:
    assert isinstance(from_settings("memory"), MemoryNotifier)
    with pytest.raises(ValueError, match="unknown notifier"):
        from_settings("carrier-pigeon")
