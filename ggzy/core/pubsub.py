"""推送 — fan-out of live messages (openings, monitoring): Redis when configured, in-process otherwise."""

from __future__ import annotations

import contextlib
import json
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol


class Bus(Protocol):
    def publish(self, channel: str, message: dict[str, Any]) -> None: ...

    def subscribe(self, channel: str) -> Any: ...


class Subscription:
    """Messages of one channel, read with a timeout so a page stream can notice a closed client."""

    def __init__(self) -> None:
        self._q: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=1000)

    def put(self, message: dict[str, Any]) -> None:
        with contextlib.suppress(queue.Full):  # a stalled reader loses messages, never blocks publishers
            self._q.put_nowait(message)

    def get(self, timeout: float) -> dict[str, Any] | None:
        try:
            return self._q.get(timeout=timeout)
        except queue.Empty:
            return None


class InProcessBus:
    def __init__(self) -> None:
        self._subs: dict[str, list[Subscription]] = {}
        self._lock = threading.Lock()

    def publish(self, channel: str, message: dict[str, Any]) -> None:
        with self._lock:
            subs = list(self._subs.get(channel, ()))
        for s in subs:
            s.put(message)

    @contextmanager
    def subscribe(self, channel: str) -> Iterator[Subscription]:
        sub = Subscription()
        with self._lock:
            self._subs.setdefault(channel, []).append(sub)
        try:
            yield sub
        finally:
            with self._lock:
                self._subs[channel].remove(sub)


class RedisBus:
    """The same interface over Redis pub/sub, so several app nodes see each other's messages."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)

    def publish(self, channel: str, message: dict[str, Any]) -> None:
        self._redis.publish(f"ggzy:{channel}", json.dumps(message, ensure_ascii=False))

    @contextmanager
    def subscribe(self, channel: str) -> Iterator[Subscription]:
        sub = Subscription()
        ps = self._redis.pubsub(ignore_subscribe_messages=True)
        ps.subscribe(f"ggzy:{channel}")
        stop = threading.Event()

        def pump() -> None:
            while not stop.is_set():
                m = ps.get_message(timeout=0.5)
                if m and m.get("type") == "message":
                    sub.put(json.loads(m["data"]))

        t = threading.Thread(target=pump, daemon=True)
        t.start()
        try:
            yield sub
        finally:
            stop.set()
            t.join(timeout=2)
            ps.close()


def make_bus(redis_url: str) -> InProcessBus | RedisBus:
    return RedisBus(redis_url) if redis_url else InProcessBus()
