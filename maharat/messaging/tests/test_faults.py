"""Faults: a real worker killed mid-broadcast, gateways that time out or fail, gateways that deliver twice.

Nothing may be lost and nothing may reach a person twice. The one window at-least-once delivery leaves is
the worker that dies after the gateway accepted a message and before recording it: that message is sent
again, under the same message id, which the gateway (like every aggregator that takes a client reference)
uses to deliver it once. The kill test counts both: HTTP requests, and distinct message ids.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from conftest import require_service
from maharat.messaging import delivery
from maharat.messaging.choices import ChannelKind, Direction, Status
from maharat.messaging.delivery import outbox_deliver_batch, outbox_next_wake, outbox_recover
from maharat.messaging.models import Channel, Message
from maharat.messaging.services import message_send_to_phone
from maharat.messaging.tasks import KICK_KEY, outbox_dispatch, outbox_send_batch
from maharat.messaging.tests.builders import http_channel
from maharat.messaging.tests.gateway import Gateway
from maharat.messaging.tests.test_worker import _redis_reachable, _worker_database_url

T0 = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def ids_seen(gateway: Gateway, path: str = "/send") -> Counter[int]:
    """How many times the gateway was asked to send each message id."""
    return Counter(int(r.query["id"]) for r in list(gateway.requests) if r.path == path)


def start_worker(database_url: str, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": database_url, "MESSAGING_QUIET_HOURS": ""}
    return subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            *extra,
        ],
        cwd=Path(settings.BASE_DIR),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait(check: Callable[[], bool], what: str, worker: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        if worker.poll() is not None:
            pytest.fail("worker exited: " + worker.stderr.read().decode()[-2000:])  # type: ignore[union-attr]
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.redis
class WorkerKilledTests:
    def test_worker_killed_mid_broadcast_loses_nothing_and_sends_nothing_twice(
        self, transactional_db: Any, gateway: Gateway
    ) -> None:
        require_service("Redis (REDIS_URL)", _redis_reachable(settings.REDIS_URL))
        database_url = _worker_database_url()
        if database_url is None:
            pytest.skip("the worker needs a database server it can share with the test (PostgreSQL)")
        cache.delete(KICK_KEY)
        gateway.default = (202, "0: Accepted for delivery", 0.01)  # a gateway that takes 10 ms a message
        http_channel(gateway)
        total = 300
        messages = [
            message_send_to_phone(
                phone=f"+9627955{i:05d}", text=f"Workshop reminder {i}", idempotency_key=f"kill:{i}"
            )
            for i in range(total)
        ]
        ids = {m.pk for m in messages}
        first = start_worker(database_url, "--pool=solo")
        try:
            wait(lambda: len(gateway.requests) >= 90, "the broadcast to be under way", first)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=20)
        time.sleep(0.2)  # requests the dead worker had on the wire reach the gateway
        requests_at_kill = len(gateway.requests)
        statuses = Counter(Message.objects.filter(pk__in=ids).values_list("status", flat=True))
        assert 0 < requests_at_kill < total, "the worker was not killed mid-broadcast"
        assert statuses[Status.SENDING] > 0, statuses  # claimed messages the dead worker held
        assert statuses[Status.QUEUED] > 0, statuses  # messages nobody had claimed yet
        held = set(Message.objects.filter(pk__in=ids, status=Status.SENDING).values_list("pk", flat=True))
        recorded_before = set(
            Message.objects.filter(pk__in=ids, status=Status.SENT).values_list("pk", flat=True)
        )

        # Nothing comes back before the lease runs out; then the sweep puts the held messages back. (The
        # lease is a minute or more: the test moves the held leases into the past instead of waiting.)
        assert outbox_recover() == 0
        Message.objects.filter(pk__in=held).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
        assert outbox_recover() == len(held)

        second = start_worker(database_url, "--pool=prefork", "--concurrency=2")
        try:
            outbox_dispatch.delay()
            wait(
                lambda: Message.objects.filter(pk__in=ids, status=Status.SENT).count() == total,
                "every message to be sent",
                second,
            )
            time.sleep(0.3)
        finally:
            second.terminate()
            second.wait(timeout=30)

        seen = ids_seen(gateway)
        assert set(seen) == ids  # none lost
        again = {pk for pk, n in seen.items() if n > 1}
        assert all(n <= 2 for n in seen.values())
        # Only messages the dead worker held unrecorded went twice, under the same id; a message whose
        # acceptance was recorded was never sent again.
        assert again <= held and not again & recorded_before
        assert len(again) <= delivery.RECORD_CHUNK + delivery.send_concurrency()
        assert sum(seen.values()) == total + len(again)
        # The gateway delivers by message id: every person gets the text exactly once.
        delivered = {int(r.query["id"]): r.query["text"] for r in gateway.requests}
        assert delivered == {m.pk: m.text for m in messages}
        attempts = dict(Message.objects.filter(pk__in=ids).values_list("pk", "attempts"))
        assert {pk for pk, n in attempts.items() if n == 2} <= held
        assert Message.objects.filter(direction=Direction.OUT).count() == total


@pytest.mark.django_db
class BatchFaultTests:
    def test_timeouts_and_5xx_are_retried_with_backoff_then_fall_back(
        self, gateway: Gateway, settings: Any
    ) -> None:
        settings.MESSAGING_HTTP_TIMEOUT = 0.3
        primary = http_channel(gateway, name="Primary", priority=1, path="/send")
        http_channel(gateway, name="Backup", priority=2, path="/backup")
        message = message_send_to_phone(phone="+962795550001", text="Hello", idempotency_key="f1")
        assert message.status == Status.QUEUED and message.channel == primary
        gateway.answer((503, "busy"), (202, "late", 1.0), (500, "oops"))
        assert outbox_deliver_batch(now=T0) == {"claimed": 1, delivery.RETRY: 1}
        message.refresh_from_db()
        assert (message.status, message.attempts, message.next_attempt_at) == (Status.QUEUED, 1, at(30))
        assert outbox_deliver_batch(now=at(29)) == {}  # not due yet: nothing claimed, nothing sent
        assert outbox_next_wake(now=at(29)) == at(30)
        assert outbox_deliver_batch(now=at(30)) == {"claimed": 1, delivery.RETRY: 1}
        message.refresh_from_db()
        assert message.error.startswith("time-out") and message.next_attempt_at == at(90)
        assert outbox_deliver_batch(now=at(90)) == {"claimed": 1, delivery.FALLBACK: 1}
        message.refresh_from_db()
        assert message.status == Status.QUEUED and message.channel.name == "Backup"
        assert outbox_deliver_batch(now=at(91)) == {"claimed": 1, delivery.SENT: 1}
        message.refresh_from_db()
        assert message.status == Status.SENT and message.gateway_id == str(message.pk)
        time.sleep(1.0)  # the timed-out request has finished on the gateway's side
        paths = Counter(r.path for r in gateway.requests)
        assert paths == {"/send": 3, "/backup": 1}
        assert outbox_deliver_batch(now=at(200)) == {}

    def test_without_fallback_the_message_fails_once(self, gateway: Gateway) -> None:
        gateway.default = (502, "bad gateway", 0.0)
        channel = http_channel(gateway)
        message = message_send_to_phone(phone="+962795550002", text="Hello", idempotency_key="f2")
        for second in (30, 90, 1000, 5000):
            outbox_deliver_batch(now=timezone.now() + dt.timedelta(seconds=second))
        message.refresh_from_db()
        assert message.status == Status.FAILED and message.attempts == 3 and message.channel == channel
        assert len(gateway.requests) == 3

    def test_a_refusal_is_final_and_other_messages_of_the_batch_go(self, gateway: Gateway) -> None:
        http_channel(gateway)
        gateway.default = (202, "ok", 0.0)
        for i in range(3):
            message_send_to_phone(phone=f"+96279555{i:04d}", text="hi", idempotency_key=f"g{i}")
        gateway.answer((400, "bad number"))
        outcome = outbox_deliver_batch()
        assert outcome == {"claimed": 3, delivery.SENT: 2, delivery.FAILED: 1}
        assert len(gateway.requests) == 3

    def test_batch_respects_the_channel_rate_and_releases_the_rest(self, gateway: Gateway) -> None:
        channel = http_channel(gateway)
        channel.rate_per_second = 4
        channel.save()
        Message.objects.bulk_create(
            Message(
                direction=Direction.OUT,
                phone=f"+96279556{i:04d}",
                channel=channel,
                text="hi",
                status=Status.QUEUED,
                idempotency_key=f"r{i}",
            )
            for i in range(10)
        )
        outcome = outbox_deliver_batch(now=at(0))
        assert outcome == {"claimed": 10, delivery.SENT: 4, delivery.RATE_LIMITED: 6}
        released = Message.objects.filter(status=Status.QUEUED)
        assert released.count() == 6 and {m.attempts for m in released} == {0}
        assert {m.next_attempt_at for m in released} == {at(1)}
        assert outbox_deliver_batch(now=at(1)) == {"claimed": 6, delivery.SENT: 4, delivery.RATE_LIMITED: 2}
        assert outbox_deliver_batch(now=at(2)) == {"claimed": 2, delivery.SENT: 2}
        assert sorted(ids_seen(gateway).values()) == [1] * 10

    def test_quiet_hours_hold_back_all_but_essential_messages(self, gateway: Gateway, settings: Any) -> None:
        channel = http_channel(gateway)
        settings.MESSAGING_QUIET_HOURS = "21-8"
        night = dt.datetime(2026, 3, 10, 23, 0, tzinfo=timezone.get_current_timezone())
        for key, essential in (("news", False), ("reply", True)):
            Message.objects.create(
                direction=Direction.OUT,
                phone="+962795557777",
                channel=channel,
                text=key,
                essential=essential,
                status=Status.QUEUED,
                idempotency_key=key,
            )
        assert outbox_deliver_batch(now=night) == {delivery.DEFERRED: 1, "claimed": 1, delivery.SENT: 1}
        news = Message.objects.get(idempotency_key="news")
        assert news.status == Status.QUEUED and timezone.localtime(news.next_attempt_at).hour == 8

    def test_inactive_channel_falls_back_and_a_client_crash_is_retried(
        self, gateway: Gateway, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        dead = http_channel(gateway, name="Dead", priority=1)
        http_channel(gateway, name="Alive", priority=2, path="/alive")
        message = Message.objects.create(
            direction=Direction.OUT,
            phone="+962795558888",
            channel=dead,
            text="hi",
            status=Status.QUEUED,
            idempotency_key="dead",
            tried_channels=[dead.pk],
        )
        Channel.objects.filter(pk=dead.pk).update(active=False)
        assert outbox_deliver_batch() == {"claimed": 1, delivery.FALLBACK: 1}

        from maharat.messaging.channels import http as http_module

        def explode(self: Any, message: Message) -> Any:
            raise RuntimeError("client bug")

        monkeypatch.setattr(http_module.HttpClient, "send", explode)
        assert outbox_deliver_batch() == {"claimed": 1, delivery.RETRY: 1}
        message.refresh_from_db()
        assert message.status == Status.QUEUED and message.error == "error: RuntimeError"

    def test_delivery_report_that_overtakes_the_batch_is_kept(
        self, gateway: Gateway, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from maharat.messaging.channels import http as http_module

        channel = http_channel(gateway)
        message = Message.objects.create(
            direction=Direction.OUT,
            phone="+962795559999",
            channel=channel,
            text="hi",
            status=Status.QUEUED,
            idempotency_key="fast-dlr",
        )
        real_send = http_module.HttpClient.send

        def send_then_report(self: Any, outgoing: Message) -> Any:
            result = real_send(self, outgoing)
            Message.objects.filter(pk=outgoing.pk).update(status=Status.DELIVERED)
            return result

        monkeypatch.setattr(http_module.HttpClient, "send", send_then_report)
        assert outbox_deliver_batch() == {"claimed": 1, delivery.SENT: 1}
        message.refresh_from_db()
        assert message.status == Status.DELIVERED and message.sent_at is not None
        assert message.gateway_id == str(message.pk)

    def test_gateway_ids_of_their_own_are_recorded_per_message(self, gateway: Gateway) -> None:
        channel = http_channel(gateway, id_field="message_id")
        for i in range(3):
            Message.objects.create(
                direction=Direction.OUT,
                phone=f"+96279554{i:04d}",
                channel=channel,
                text="hi",
                status=Status.QUEUED,
                idempotency_key=f"own{i}",
            )
        gateway.answer(*[(200, f'{{"message_id": "gw-{i}"}}') for i in range(3)])
        assert outbox_deliver_batch(limit=10) == {"claimed": 3, delivery.SENT: 3}
        assert sorted(Message.objects.values_list("gateway_id", flat=True)) == ["gw-0", "gw-1", "gw-2"]

    def test_eager_batch_task_sends_and_wakes_nothing(self, gateway: Gateway) -> None:
        http_channel(gateway)
        Message.objects.create(
            direction=Direction.OUT,
            phone="+962795550003",
            text="x",
            status=Status.QUEUED,
            idempotency_key="e",
            channel=Channel.objects.get(),
        )
        assert outbox_send_batch() == {"claimed": 1, delivery.SENT: 1}
        assert len(gateway.requests) == 1


@pytest.mark.django_db(transaction=True)
class DuplicateInboundTests:
    def test_gateway_delivering_the_same_message_many_times_at_once_is_stored_and_answered_once(
        self, live_server: Any, gateway: Gateway
    ) -> None:
        if "sqlite" in settings.DATABASES["default"]["ENGINE"]:
            pytest.skip("concurrent requests need a database server (PostgreSQL runs this)")
        channel = http_channel(gateway)
        url = f"{live_server.url}/messaging/hooks/{channel.pk}/{channel.inbound_token}/receive/"
        body = urlencode({"from": "+962795551234", "text": "HELP", "id": "dup-1"})
        answers: list[int] = []
        barrier = threading.Barrier(6)

        def deliver() -> None:
            barrier.wait()
            response = requests.post(
                url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30
            )
            answers.append(response.status_code)

        threads = [threading.Thread(target=deliver) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers == [200] * 6
        assert Message.objects.filter(direction=Direction.IN).count() == 1
        assert Message.objects.filter(direction=Direction.OUT).count() == 1, list(
            Message.objects.values("status", "error", "channel", "text", "direction")
        )
        assert len(gateway.requests) == 1, list(
            Message.objects.values("status", "error", "channel", "text", "direction")
        )


@pytest.mark.django_db
class DuplicateInboundSequentialTests:
    def test_redelivery_after_a_lost_answer_is_answered_once(
        self, gateway: Gateway, django_capture_on_commit_callbacks: Any
    ) -> None:
        channel = Channel.objects.create(name="Kannel", kind=ChannelKind.KANNEL, rate_per_second=0)
        channel.config = {"url": gateway.url("/cgi-bin/sendsms"), "callback_base": "http://testserver"}
        channel.save()
        url = f"/messaging/hooks/{channel.pk}/{channel.inbound_token}/receive/"
        query = {"from": "+962795554321", "to": "1234", "text": "HELP", "id": "6f1c-uuid"}
        for _ in range(4):
            with django_capture_on_commit_callbacks(execute=True):
                assert Client().get(url, query).status_code == 200
        assert Message.objects.filter(direction=Direction.IN).count() == 1
        assert Message.objects.filter(direction=Direction.OUT, status=Status.SENT).count() == 1
        assert len(gateway.requests) == 1 and gateway.requests[0].path == "/cgi-bin/sendsms"
