"""Incoming messages with a broker: the request only stores them (pending), routing batches answer them."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from maharat.core.testing import Personas
from maharat.messaging import inbound, tasks
from maharat.messaging.choices import BlockReason, Direction, Route, Status
from maharat.messaging.models import Channel, Message
from maharat.messaging.services import message_send_to_phone, outbox_prefetch
from maharat.messaging.tests import test_worker
from maharat.messaging.tests.builders import console_channel
from maharat.messaging.tests.sms_helpers import AMAL, OMAR, STRANGER, text_in
from maharat.messaging.tests.test_worker import wait_for

pytestmark = pytest.mark.django_db
worker = test_worker.worker  # the real Celery worker fixture


class Kicks:
    """Routing tasks handed to the broker instead of run."""

    def __init__(self) -> None:
        self.delay = 0


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch) -> Iterator[Kicks]:
    """As if a broker were configured: the request stores only, and routing tasks are recorded, not run."""
    kicks = Kicks()

    def record(*args: Any) -> None:
        kicks.delay += 1

    monkeypatch.setattr(inbound, "eager", lambda: False)
    monkeypatch.setattr(tasks, "eager", lambda: False)
    monkeypatch.setattr(tasks.inbound_route_pending, "delay", record)
    monkeypatch.setattr(tasks.outbox_send_batch, "delay", lambda *a: None)  # replies wait in the outbox
    cache.delete_many([tasks.INBOUND_KICK_KEY, tasks.KICK_KEY])
    yield kicks
    cache.delete_many([tasks.INBOUND_KICK_KEY, tasks.KICK_KEY])  # a shared Redis keeps them for later tests


@pytest.fixture
def channel(db: Any) -> Channel:
    return console_channel()


def post(channel: Channel, sender: str, text: str, gateway_id: str, capture: Any) -> int:
    with capture(execute=True):
        return int(text_in(channel, sender, text, gateway_id).status_code)


def incoming() -> Any:
    return Message.objects.filter(direction=Direction.IN).order_by("pk")


def replies() -> Any:
    return Message.objects.filter(direction=Direction.OUT)


class StoreOnlyTests:
    def test_request_stores_pending_and_kicks_one_routing_task(
        self, broker: Kicks, channel: Channel, personas: Personas, django_capture_on_commit_callbacks: Any
    ) -> None:
        for i in range(3):
            assert (
                post(channel, f"+96279000010{i}", "HELP", f"g{i}", django_capture_on_commit_callbacks) == 200
            )
        assert [m.status for m in incoming()] == [Status.PENDING] * 3
        assert all(m.person is None for m in incoming())
        assert not replies().exists()
        assert broker.delay == 1  # the kicks fold into one task while its key is held

    def test_duplicate_deliveries_store_one_row_and_get_one_reply(
        self, broker: Kicks, channel: Channel, personas: Personas, django_capture_on_commit_callbacks: Any
    ) -> None:
        for _ in range(3):
            assert post(channel, AMAL, "HELP", "dup", django_capture_on_commit_callbacks) == 200
        assert incoming().count() == 1
        assert inbound.inbound_route_batch() == 1
        assert inbound.inbound_route_batch() == 0
        post(channel, AMAL, "HELP", "dup", django_capture_on_commit_callbacks)
        assert inbound.inbound_route_batch() == 0
        assert replies().count() == 1

    def test_batch_finds_senders_routes_and_answers_each_once(
        self, broker: Kicks, channel: Channel, personas: Personas, django_capture_on_commit_callbacks: Any
    ) -> None:
        post(channel, AMAL, "HELP", "a", django_capture_on_commit_callbacks)
        post(channel, STRANGER, "HELP", "b", django_capture_on_commit_callbacks)
        post(channel, OMAR, "When is the next course?", "c", django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            assert inbound.inbound_route_batch() == 3
        amal, stranger, question = incoming()
        assert amal.person == personas.amal and amal.status == Status.HANDLED and amal.route == Route.HELP
        assert stranger.person is None and stranger.status == Status.HANDLED
        assert question.person == personas.omar and question.status == Status.RECEIVED
        assert question.tickets.exists()  # it waits for staff
        answered = {m.reply_to_id: m for m in replies()}
        assert answered[amal.pk].person == personas.amal and answered[amal.pk].essential
        assert "\n" in answered[stranger.pk].text  # both languages for a number nobody knows
        assert len(answered) == 3  # the question's ticket is acknowledged once

    def test_one_numbers_messages_are_routed_in_order_one_per_batch(
        self, broker: Kicks, channel: Channel, personas: Personas, django_capture_on_commit_callbacks: Any
    ) -> None:
        post(channel, AMAL, "STOP", "1", django_capture_on_commit_callbacks)
        post(channel, AMAL, "START", "2", django_capture_on_commit_callbacks)
        post(channel, STRANGER, "HELP", "3", django_capture_on_commit_callbacks)
        assert inbound.inbound_route_batch() == 2  # STOP and the stranger's; START waits for STOP
        stop, start, _help = incoming()
        assert stop.status == Status.HANDLED and start.status == Status.PENDING
        assert inbound.inbound_route_batch() == 1
        start.refresh_from_db()
        assert (stop.route, start.route) == (Route.OPT_OUT, Route.OPT_IN)

    def test_batch_size_is_respected(
        self, broker: Kicks, channel: Channel, settings: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        settings.MESSAGING_INBOUND_BATCH_SIZE = 2
        for i in range(5):
            post(channel, f"+96279000020{i}", "HELP", f"s{i}", django_capture_on_commit_callbacks)
        assert [inbound.inbound_route_batch() for _ in range(4)] == [2, 2, 1, 0]

    def test_routing_error_leaves_the_message_for_staff_and_the_next_one_goes(
        self,
        broker: Kicks,
        channel: Channel,
        personas: Personas,
        monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        import maharat.programmes.sms as sms

        post(channel, AMAL, "APPLY DSEA", "1", django_capture_on_commit_callbacks)
        post(channel, AMAL, "HELP", "2", django_capture_on_commit_callbacks)
        monkeypatch.setattr(sms, "sms_handle", lambda **kwargs: 1 / 0)
        assert inbound.inbound_route_batch() == 1
        monkeypatch.undo()
        broken, later = incoming()
        assert broken.status == Status.RECEIVED  # never routed again; staff see it
        assert inbound.inbound_route_batch() == 1
        later.refresh_from_db()
        assert later.status == Status.HANDLED and not replies().filter(reply_to=broken).exists()


class KilledBatchTests:
    def test_a_batch_killed_mid_way_leaves_every_message_pending_and_the_next_answers_each_once(
        self,
        broker: Kicks,
        channel: Channel,
        personas: Personas,
        monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        for i in range(3):
            post(channel, f"+96279000030{i}", "HELP", f"k{i}", django_capture_on_commit_callbacks)
        real = inbound.inbound_route
        routed: list[int] = []

        def dies_on_the_third(message: Message) -> Message | None:
            if len(routed) == 2:
                raise SystemExit("the worker was killed")  # not an error routing catches
            routed.append(message.pk)
            return real(message)

        monkeypatch.setattr(inbound, "inbound_route", dies_on_the_third)
        with pytest.raises(SystemExit), django_capture_on_commit_callbacks(execute=True) as callbacks:
            inbound.inbound_route_batch()
        assert callbacks == []  # nothing committed: no reply was queued
        assert [m.status for m in incoming()] == [Status.PENDING] * 3
        assert not replies().exists()
        monkeypatch.setattr(inbound, "inbound_route", real)
        assert inbound.inbound_route_batch() == 3
        assert replies().count() == 3
        assert sorted(replies().values_list("reply_to", flat=True)) == [m.pk for m in incoming()]

    def test_dispatcher_starts_routing_while_messages_are_pending(
        self, broker: Kicks, channel: Channel, django_capture_on_commit_callbacks: Any
    ) -> None:
        tasks.outbox_dispatch()
        assert broker.delay == 0
        post(channel, STRANGER, "HELP", "p", django_capture_on_commit_callbacks)
        assert broker.delay == 1
        tasks.outbox_dispatch()  # whatever the kick key says
        assert broker.delay == 2


class RoutingTaskTests:
    def test_task_routes_until_none_is_pending_and_fans_out_on_a_backlog(
        self, broker: Kicks, channel: Channel, settings: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        settings.MESSAGING_INBOUND_BATCH_SIZE = 2
        for i in range(5):
            post(channel, f"+96279000040{i}", "HELP", f"t{i}", django_capture_on_commit_callbacks)
        assert broker.delay == 1
        assert tasks.inbound_route_pending() == 5
        assert broker.delay == 2  # the first full batch asked a second process to help
        assert not Message.objects.filter(status=Status.PENDING).exists()
        assert cache.get(tasks.INBOUND_KICK_KEY) is None  # the next message kicks a new task
        post(channel, STRANGER, "HELP", "t9", django_capture_on_commit_callbacks)
        assert broker.delay == 3

    def test_a_long_backlog_hands_over_to_a_fresh_task(
        self,
        broker: Kicks,
        channel: Channel,
        settings: Any,
        monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        settings.MESSAGING_INBOUND_BATCH_SIZE = 1
        monkeypatch.setattr(tasks, "INBOUND_BATCHES_PER_TASK", 2)
        for i in range(4):
            post(channel, f"+96279000050{i}", "HELP", f"h{i}", django_capture_on_commit_callbacks)
        before = broker.delay
        assert tasks.inbound_route_pending() == 2
        assert broker.delay == before + 2  # the fan-out, then the hand-over
        assert Message.objects.filter(status=Status.PENDING).count() == 2

    def test_without_a_broker_a_kick_routes_in_process(self, channel: Channel) -> None:
        Message.objects.create(
            direction=Direction.IN, phone=STRANGER, channel=channel, text="HELP", status=Status.PENDING
        )
        tasks.inbound_kick()
        assert Message.objects.get(direction=Direction.IN).status == Status.HANDLED
        assert replies().count() == 1


@pytest.mark.django_db(transaction=True)
class ConcurrentClaimTests:
    def test_a_batch_skips_messages_another_holds_and_takes_them_once_it_dies(self) -> None:
        if "sqlite" in settings.DATABASES["default"]["ENGINE"]:
            pytest.skip("row locks need a database server (PostgreSQL runs this)")
        channel = console_channel()
        for i in range(4):
            Message.objects.create(
                direction=Direction.IN,
                phone=f"+96279000060{i}",
                channel=channel,
                text="HELP",
                status=Status.PENDING,
                idempotency_key=f"in:{channel.pk}:c{i}",
            )
        held = threading.Event()
        release = threading.Event()
        claimed: list[int] = []

        def other_worker() -> None:
            try:
                with transaction.atomic():
                    claimed.extend(m.pk for m in inbound._claim_pending(2))
                    held.set()
                    release.wait(30)
                    raise SystemExit  # killed: its transaction rolls back
            except SystemExit:
                pass
            finally:
                connection.close()

        thread = threading.Thread(target=other_worker)
        thread.start()
        assert held.wait(30)
        assert inbound.inbound_route_batch() == 2  # the two the other worker does not hold
        assert set(Message.objects.filter(status=Status.PENDING).values_list("pk", flat=True)) == set(claimed)
        release.set()
        thread.join(30)
        assert inbound.inbound_route_batch() == 2
        assert not Message.objects.filter(status=Status.PENDING).exists()
        assert Message.objects.filter(direction=Direction.OUT).count() == 4


class OutboxPrefetchTests:
    def test_counts_of_the_day_are_read_once_and_kept_up_to_date(
        self, channel: Channel, settings: Any
    ) -> None:
        settings.MESSAGING_DAILY_CAP = 2
        message_send_to_phone(phone=STRANGER, text="earlier", essential=True, idempotency_key="e0")
        with outbox_prefetch([STRANGER]):
            with CaptureQueriesContext(connection) as queries:
                first = message_send_to_phone(
                    phone=STRANGER, text="one", essential=True, idempotency_key="e1"
                )
            second = message_send_to_phone(phone=STRANGER, text="two", essential=True, idempotency_key="e2")
        assert not any("COUNT" in q["sql"] for q in queries.captured_queries)
        assert first.status == Status.QUEUED
        assert second.status == Status.BLOCKED and second.error == BlockReason.DAILY_CAP

    def test_a_routing_batch_keeps_the_daily_cap(
        self, broker: Kicks, channel: Channel, settings: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        settings.MESSAGING_DAILY_CAP = 1
        message_send_to_phone(phone=STRANGER, text="earlier", essential=True, idempotency_key="e0")
        post(channel, STRANGER, "HELP", "cap", django_capture_on_commit_callbacks)
        assert inbound.inbound_route_batch() == 1
        reply = replies().get(reply_to__isnull=False)
        assert reply.status == Status.BLOCKED and reply.error == BlockReason.DAILY_CAP

    def test_a_fresh_key_that_exists_after_all_fails_the_transaction(self, channel: Channel) -> None:
        message_send_to_phone(phone=STRANGER, text="one", essential=True, idempotency_key="k")
        with (
            outbox_prefetch([STRANGER], fresh_keys=["k"]),
            pytest.raises(IntegrityError),
            transaction.atomic(),
        ):
            message_send_to_phone(phone=STRANGER, text="one", essential=True, idempotency_key="k")
        assert replies().count() == 1


@pytest.mark.redis
class RealWorkerRoutingTests:
    def test_the_request_stores_and_a_real_worker_routes_and_answers_once(
        self, personas: Personas, worker: subprocess.Popen[bytes]
    ) -> None:
        channel = console_channel()
        cache.delete_many([tasks.INBOUND_KICK_KEY, tasks.KICK_KEY])
        for _ in range(2):  # the gateway delivers it twice
            assert text_in(channel, AMAL, "HELP", "real-1").status_code == 200
        message = wait_for(Message.objects.get(direction=Direction.IN), Status.HANDLED, worker)
        assert message.person == personas.amal and message.route == Route.HELP
        reply = wait_for(Message.objects.get(direction=Direction.OUT, reply_to=message), Status.SENT, worker)
        assert reply.person == personas.amal
        assert Message.objects.count() == 2
