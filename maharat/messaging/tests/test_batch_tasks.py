"""The batch tasks as a worker runs them (with a broker): kicks fold into one task, backlogs fan out, waits wake."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from maharat.messaging import delivery, schedule, tasks
from maharat.messaging.choices import Direction, Status
from maharat.messaging.models import Channel, Message
from maharat.messaging.tests.builders import http_channel
from maharat.messaging.tests.gateway import Gateway

pytestmark = pytest.mark.django_db


class Calls:
    """Tasks handed to the broker instead of run."""

    def __init__(self) -> None:
        self.delay: list[tuple[Any, ...]] = []
        self.later: list[dict[str, Any]] = []


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch) -> Iterator[Calls]:
    """As if a broker were configured: tasks are recorded, not run."""
    calls = Calls()
    monkeypatch.setattr(tasks, "eager", lambda: False)
    monkeypatch.setattr(tasks.outbox_send_batch, "delay", lambda *a: calls.delay.append(a))
    monkeypatch.setattr(tasks.outbox_send_batch, "apply_async", lambda *a, **k: calls.later.append(k))
    monkeypatch.setattr(tasks.outbox_send, "apply_async", lambda *a, **k: calls.later.append({"one": a, **k}))
    cache.delete(tasks.KICK_KEY)
    yield calls
    cache.delete(tasks.KICK_KEY)


def queue(channel: Channel, n: int, *, prefix: str = "m", **fields: Any) -> list[int]:
    rows = Message.objects.bulk_create(
        Message(
            direction=Direction.OUT,
            phone=f"+96279557{i:04d}",
            channel=channel,
            text="hi",
            status=Status.QUEUED,
            idempotency_key=f"{prefix}{i}",
            **fields,
        )
        for i in range(n)
    )
    return [m.pk for m in rows]


class KickTests:
    def test_kicks_fold_into_one_batch_task(self, broker: Calls) -> None:
        for message_id in (1, 2, 3):
            tasks.outbox_kick(message_id)
        assert len(broker.delay) == 1
        cache.delete(tasks.KICK_KEY)  # the batch task finished
        tasks.outbox_kick(4)
        assert len(broker.delay) == 2

    def test_without_a_broker_a_kick_sends_the_message_there(self, gateway: Gateway) -> None:
        channel = http_channel(gateway)
        (message_id,) = queue(channel, 1)
        tasks.outbox_kick(message_id)
        assert Message.objects.get(pk=message_id).status == Status.SENT


class BatchTaskTests:
    def test_backlog_is_shared_sent_and_the_kick_key_dropped(
        self, broker: Calls, gateway: Gateway, settings: Any
    ) -> None:
        settings.MESSAGING_BATCH_SIZE = 2
        ids = queue(http_channel(gateway), 5)
        cache.add(tasks.KICK_KEY, 1)
        totals = tasks.outbox_send_batch()
        assert totals == {"claimed": 5, delivery.SENT: 5}
        assert len(broker.delay) == 1  # a full first batch asks a second worker process to share the work
        assert cache.get(tasks.KICK_KEY) is None
        assert Message.objects.filter(pk__in=ids, status=Status.SENT).count() == 5
        assert broker.later == []

    def test_a_long_backlog_hands_over_to_a_fresh_task(
        self, broker: Calls, gateway: Gateway, settings: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        settings.MESSAGING_BATCH_SIZE = 1
        monkeypatch.setattr(tasks, "BATCHES_PER_TASK", 2)
        queue(http_channel(gateway), 4)
        assert tasks.outbox_send_batch() == {"claimed": 2, delivery.SENT: 2}
        assert len(broker.delay) == 2  # the share at the first full batch, and the hand-over
        assert Message.objects.filter(status=Status.QUEUED).count() == 2

    def test_waiting_messages_wake_one_task_at_their_time(self, broker: Calls, gateway: Gateway) -> None:
        gateway.default = (503, "busy", 0.0)
        channel = http_channel(gateway)
        queue(channel, 2)
        tasks.outbox_send_batch()
        wake = Message.objects.values_list("next_attempt_at", flat=True).first()
        assert wake is not None and wake > timezone.now()
        assert len(broker.later) == 1
        eta = broker.later[0]["eta"]
        assert dt.timedelta(0) < eta - wake <= dt.timedelta(seconds=1)
        tasks.outbox_send_batch()  # nothing due yet; the same wake-up is not scheduled twice
        assert len(broker.later) == 1

    def test_dispatch_starts_a_batch_whatever_the_kick_key_says(self, broker: Calls) -> None:
        cache.add(tasks.KICK_KEY, 1)
        assert tasks.outbox_dispatch() == {"recovered": 0, "dispatched": 0}
        assert len(broker.delay) == 1

    def test_single_message_task_schedules_its_retry(self, broker: Calls, gateway: Gateway) -> None:
        gateway.default = (500, "oops", 0.0)
        (message_id,) = queue(http_channel(gateway), 1)
        assert tasks.outbox_send(message_id) == delivery.RETRY
        assert broker.later and broker.later[0]["one"] == ((message_id,),)


class RateTakeTests:
    def test_takes_what_fits_in_the_second(self) -> None:
        now = timezone.now()
        assert schedule.rate_take(9, 5, 3, now) == 3
        assert schedule.rate_take(9, 5, 3, now) == 2
        assert schedule.rate_take(9, 5, 3, now) == 0
        assert schedule.rate_take(9, 0, 7, now) == 7
        assert schedule.rate_take(9, 5, 0, now) == 0

    def test_key_expiring_between_add_and_incr(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def gone(*args: Any, **kwargs: Any) -> int:
            raise ValueError("key expired")

        monkeypatch.setattr(schedule.cache, "incr", gone)
        assert schedule.rate_take(10, 5, 3) == 3
        assert schedule.rate_take(10, 2, 3) == 2
