"""Sending from the outbox: retries with back-off on 5xx and time-outs, fallback, claims, leases, rate limits."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from maharat.core.testing import Personas
from maharat.messaging import delivery
from maharat.messaging.choices import Status
from maharat.messaging.delivery import outbox_deliver, outbox_due, outbox_recover
from maharat.messaging.models import Channel, Message
from maharat.messaging.services import message_send_to_person
from maharat.messaging.tasks import outbox_dispatch, outbox_send
from maharat.messaging.tests.builders import console_channel, http_channel
from maharat.messaging.tests.gateway import Gateway

pytestmark = pytest.mark.django_db
AMMAN = ZoneInfo("Asia/Amman")
T0 = dt.datetime(2026, 3, 10, 12, 0, tzinfo=AMMAN)


def queued(personas: Personas, key: str = "k", **kwargs: Any) -> Message:
    """A message to Amal, queued (its task not run: the tests drive the attempts)."""
    return message_send_to_person(
        person=personas.amal, text="Workshop tomorrow at 10", idempotency_key=key, **kwargs
    )


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


class RetryTests:
    def test_gateway_5xx_is_retried_with_exponential_backoff_then_fails(
        self, personas: Personas, gateway: Gateway
    ) -> None:
        gateway.default = (503, "busy", 0.0)
        http_channel(gateway)
        message = queued(personas)
        assert outbox_deliver(message.pk, now=T0) == delivery.RETRY
        message.refresh_from_db()
        assert message.status == Status.QUEUED and message.attempts == 1 and message.next_attempt_at == at(30)
        assert message.error.startswith("HTTP 503")
        assert outbox_deliver(message.pk, now=at(29)) == delivery.WAITING
        assert outbox_deliver(message.pk, now=at(30)) == delivery.RETRY
        message.refresh_from_db()
        assert message.next_attempt_at == at(30 + 60)
        assert outbox_deliver(message.pk, now=at(90)) == delivery.FAILED
        message.refresh_from_db()
        assert message.status == Status.FAILED and message.attempts == 3 and message.failed_at == at(90)
        assert len(gateway.requests) == 3

    def test_retry_after_a_5xx_succeeds(self, personas: Personas, gateway: Gateway) -> None:
        gateway.answer((500, "oops"))
        http_channel(gateway)
        message = queued(personas)
        assert outbox_deliver(message.pk, now=T0) == delivery.RETRY
        assert outbox_deliver(message.pk, now=at(30)) == delivery.SENT
        message.refresh_from_db()
        assert message.status == Status.SENT and message.error == "" and message.sent_at == at(30)

    def test_time_out_counts_as_a_failed_attempt(
        self, personas: Personas, gateway: Gateway, settings: Any
    ) -> None:
        settings.MESSAGING_HTTP_TIMEOUT = 0.2
        gateway.answer((202, "late", 1.0))
        http_channel(gateway)
        message = queued(personas)
        assert outbox_deliver(message.pk, now=T0) == delivery.RETRY
        message.refresh_from_db()
        assert message.error.startswith("time-out")

    def test_refused_connection_is_retried(self, personas: Personas, db: Any) -> None:
        Channel.objects.create(
            name="Down", kind="http", config={"url": "http://127.0.0.1:9/send?to={to}"}, rate_per_second=0
        )
        message = queued(personas)
        assert outbox_deliver(message.pk, now=T0) == delivery.RETRY
        message.refresh_from_db()
        assert message.error.startswith("connection error")

    def test_4xx_is_not_retried(self, personas: Personas, gateway: Gateway) -> None:
        gateway.default = (400, "bad number", 0.0)
        http_channel(gateway)
        message = queued(personas)
        assert outbox_deliver(message.pk, now=T0) == delivery.FAILED
        assert len(gateway.requests) == 1

    def test_backoff_is_capped_at_an_hour(self) -> None:
        from maharat.messaging.schedule import backoff_seconds

        assert [backoff_seconds(n) for n in (1, 2, 3)] == [30, 60, 120]
        assert backoff_seconds(20) == 3600


class FallbackTests:
    def test_final_failure_falls_back_to_the_next_channel(self, personas: Personas, gateway: Gateway) -> None:
        gateway.answer((503, "down"), (503, "down"), (503, "down"))
        first = http_channel(gateway, name="Aggregator", priority=1, path="/first")
        second = http_channel(gateway, name="Backup", priority=2, path="/second")
        message = queued(personas)
        assert message.channel == first
        outbox_deliver(message.pk, now=T0)
        outbox_deliver(message.pk, now=at(30))
        assert outbox_deliver(message.pk, now=at(90)) == delivery.FALLBACK
        message.refresh_from_db()
        assert message.channel == second and message.attempts == 0 and message.status == Status.QUEUED
        assert message.tried_channels == [first.pk, second.pk]
        assert outbox_deliver(message.pk, now=at(90)) == delivery.SENT
        message.refresh_from_db()
        assert message.status == Status.SENT and message.gateway_id == str(message.pk)
        assert [r.path for r in gateway.requests] == ["/first"] * 3 + ["/second"]

    def test_a_failing_gateway_never_falls_back_to_the_console(
        self, personas: Personas, gateway: Gateway
    ) -> None:
        gateway.default = (400, "bad", 0.0)
        http_channel(gateway, priority=1)
        console_channel(priority=0)
        message = queued(personas)
        assert message.channel is not None and message.channel.kind == "http"
        assert outbox_deliver(message.pk, now=T0) == delivery.FAILED

    def test_refusal_falls_back_at_once_and_fails_when_all_are_tried(
        self, personas: Personas, gateway: Gateway
    ) -> None:
        gateway.default = (401, "unauthorized", 0.0)
        http_channel(gateway, name="A", priority=1)
        http_channel(gateway, name="B", priority=2)
        message = queued(personas)
        assert outbox_deliver(message.pk, now=T0) == delivery.FALLBACK
        assert outbox_deliver(message.pk, now=T0) == delivery.FAILED
        assert len(gateway.requests) == 2

    def test_task_follows_the_fallback_in_one_go(self, personas: Personas, gateway: Gateway) -> None:
        gateway.answer((403, "no"))
        http_channel(gateway, priority=1)
        http_channel(gateway, priority=2)
        message = queued(personas)
        assert outbox_send(message.pk) == delivery.SENT

    def test_deactivated_channel_hands_its_messages_on(self, personas: Personas, gateway: Gateway) -> None:
        first = http_channel(gateway, priority=1, path="/first")
        http_channel(gateway, priority=2, path="/second")
        message = queued(personas)
        Channel.objects.filter(pk=first.pk).update(active=False)
        assert outbox_deliver(message.pk, now=T0) == delivery.FALLBACK
        assert outbox_deliver(message.pk, now=T0) == delivery.SENT
        assert [r.path for r in gateway.requests] == ["/second"]


class ClaimTests:
    def test_message_claimed_by_another_worker_is_not_sent_again(
        self, personas: Personas, gateway: Gateway
    ) -> None:
        http_channel(gateway)
        message = queued(personas)
        Message.objects.filter(pk=message.pk).update(status=Status.SENDING, next_attempt_at=at(60))
        assert outbox_deliver(message.pk, now=T0) == delivery.SKIPPED
        assert not gateway.requests

    def test_redelivered_task_sends_nothing_twice(self, personas: Personas, gateway: Gateway) -> None:
        http_channel(gateway)
        message = queued(personas)
        assert outbox_send(message.pk) == delivery.SENT
        assert outbox_send(message.pk) == delivery.SKIPPED
        assert len(gateway.requests) == 1

    def test_claim_is_a_conditional_update(
        self, personas: Personas, gateway: Gateway, monkeypatch: Any
    ) -> None:
        """A worker that read the row as queued but lost the race to claim it sends nothing."""
        http_channel(gateway)
        message = queued(personas)
        real_rate_allows = delivery.rate_allows

        def another_worker_claims_first(*args: Any, **kwargs: Any) -> bool:
            Message.objects.filter(pk=message.pk).update(status=Status.SENDING)
            return real_rate_allows(*args, **kwargs)

        monkeypatch.setattr(delivery, "rate_allows", another_worker_claims_first)
        assert outbox_deliver(message.pk, now=T0) == delivery.SKIPPED
        assert not gateway.requests

    def test_abandoned_claim_is_requeued_when_its_lease_ends(self, personas: Personas) -> None:
        console_channel()
        message = queued(personas)
        Message.objects.filter(pk=message.pk).update(status=Status.SENDING, next_attempt_at=at(60))
        assert outbox_recover(now=at(59)) == 0
        assert outbox_recover(now=at(60)) == 1
        message.refresh_from_db()
        assert message.status == Status.QUEUED
        assert outbox_deliver(message.pk, now=at(61)) == delivery.SENT

    def test_a_crashing_client_releases_the_message_for_a_retry(
        self, personas: Personas, monkeypatch: Any
    ) -> None:
        from maharat.messaging.channels.console import ConsoleClient

        def boom(self: Any, message: Message) -> Any:
            raise RuntimeError("bug")

        monkeypatch.setattr(ConsoleClient, "send", boom)
        message = queued(personas)
        assert outbox_deliver(message.pk, now=T0) == delivery.RETRY
        message.refresh_from_db()
        assert message.status == Status.QUEUED and message.error == "error: RuntimeError"


class ScheduleTests:
    def test_rate_limit_defers_the_message_to_the_next_second(
        self, personas: Personas, gateway: Gateway
    ) -> None:
        channel = http_channel(gateway)
        Channel.objects.filter(pk=channel.pk).update(rate_per_second=2)
        messages = [queued(personas, key=f"k{i}") for i in range(3)]
        outcomes = [outbox_deliver(m.pk, now=T0) for m in messages]
        assert outcomes == [delivery.SENT, delivery.SENT, delivery.RATE_LIMITED]
        messages[2].refresh_from_db()
        assert messages[2].next_attempt_at == at(1)
        assert outbox_deliver(messages[2].pk, now=at(1)) == delivery.SENT

    def test_quiet_hours_defer_a_queued_message_until_morning(
        self, personas: Personas, gateway: Gateway, settings: Any
    ) -> None:
        http_channel(gateway)
        message = queued(personas)
        settings.MESSAGING_QUIET_HOURS = "21-8"
        night = dt.datetime(2026, 3, 10, 21, 5, tzinfo=AMMAN)
        assert outbox_deliver(message.pk, now=night) == delivery.DEFERRED
        message.refresh_from_db()
        morning = dt.datetime(2026, 3, 11, 8, 0, tzinfo=AMMAN)
        assert message.next_attempt_at == morning and not gateway.requests
        assert outbox_deliver(message.pk, now=morning) == delivery.SENT

    def test_dispatcher_sends_due_and_lost_messages(self, personas: Personas, gateway: Gateway) -> None:
        http_channel(gateway)
        due = queued(personas, key="due")
        lost = queued(personas, key="lost")
        later = queued(personas, key="later")
        now = dt.datetime.now(AMMAN)
        Message.objects.filter(pk=due.pk).update(next_attempt_at=now - dt.timedelta(seconds=1))
        Message.objects.filter(pk=lost.pk).update(created_at=now - dt.timedelta(minutes=5))
        Message.objects.filter(pk=later.pk).update(next_attempt_at=now + dt.timedelta(hours=1))
        assert set(outbox_due()) == {due.pk, lost.pk}
        assert outbox_dispatch() == {"recovered": 0, "dispatched": 2}
        assert Message.objects.filter(status=Status.SENT).count() == 2
        assert Message.objects.get(pk=later.pk).status == Status.QUEUED

    def test_outbox_flush_command_sends_what_is_due(self, personas: Personas, gateway: Gateway) -> None:
        from io import StringIO

        from django.core.management import call_command

        http_channel(gateway)
        message = queued(personas)
        Message.objects.filter(pk=message.pk).update(next_attempt_at=dt.datetime.now(AMMAN))
        out = StringIO()
        call_command("outbox_flush", stdout=out)
        assert "1 messages due" in out.getvalue() and "sent 1" in out.getvalue()
        assert len(gateway.requests) == 1
