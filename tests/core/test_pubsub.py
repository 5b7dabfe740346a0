"""Fan-out: in-process by default, Redis between app nodes when configured.

The Redis test is marked `redis`: `make test` leaves it out, `make test-pg` and `.ci/run` start Redis and run it.
"""

from __future__ import annotations

import os
import time
import uuid

import pytest

from ggzy.core.pubsub import InProcessBus, RedisBus, make_bus

REDIS = os.environ.get("GGZY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_in_process_subscribers_get_what_is_published_after_they_subscribe() -> None:
    bus = InProcessBus()
    bus.publish("opening:s1", {"n": 0})
    with bus.subscribe("opening:s1") as sub, bus.subscribe("opening:s2") as other:
        bus.publish("opening:s1", {"n": 1})
        assert sub.get(timeout=1) == {"n": 1}
        assert other.get(timeout=0.05) is None
    assert sub.get(timeout=0.05) is None


@pytest.mark.redis
def test_redis_carries_messages_between_two_nodes() -> None:
    channel = f"opening:{uuid.uuid4().hex}"
    node_a, node_b = RedisBus(REDIS), RedisBus(REDIS)
    with node_b.subscribe(channel) as sub:
        time.sleep(0.2)  # the subscription reaches the server
        node_a.publish(channel, {"bidder": "甲", "price": "100.00"})
        assert sub.get(timeout=3) == {"bidder": "甲", "price": "100.00"}


@pytest.mark.parametrize(("url", "kind"), [("", InProcessBus), (REDIS, RedisBus)])
def test_the_bus_follows_the_configuration(url: str, kind: type) -> None:
    assert isinstance(make_bus(url), kind)
