"""Sending what the outbox holds: one attempt at a time, claimed atomically, retried, then a fallback channel.

``outbox_deliver`` makes at most one attempt at one message and says what happened. A message is claimed by a
conditional UPDATE from queued to sending, so two workers, or a task the broker delivers twice, never both
send it. A claim holds a lease (``next_attempt_at`` while sending): if the worker dies mid-send, the
dispatcher puts the message back in the queue when the lease runs out. That is the one window where a
gateway can get a message twice (it was accepted but the worker died before recording it), which is why
every request names Maharat's message id where the gateway can take one.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from maharat.messaging.channels import client_for
from maharat.messaging.channels.base import SendResult, http_timeout
from maharat.messaging.choices import Direction, Status
from maharat.messaging.models import Channel, Message
from maharat.messaging.schedule import backoff_seconds, quiet_hours_end, rate_allows, retry_max
from maharat.messaging.services import channels_for

logger = logging.getLogger("maharat.messaging")

SENT, RETRY, FALLBACK, FAILED = "sent", "retry", "fallback", "failed"
DEFERRED, RATE_LIMITED, WAITING, SKIPPED = "deferred", "rate_limited", "waiting", "skipped"
# How long a claim lasts: longer than any gateway request can take.
LEASE = dt.timedelta(seconds=60)
# Queued messages with no time set are normally sent at once; a task lost before it ran is picked up after this.
LOST_AFTER = dt.timedelta(seconds=60)


def lease() -> dt.timedelta:
    """How long a worker holds a claimed message before it counts as abandoned."""
    return max(LEASE, dt.timedelta(seconds=4 * http_timeout() + 30))


def _defer(message: Message, until: dt.datetime) -> None:
    Message.objects.filter(pk=message.pk, status=Status.QUEUED).update(
        next_attempt_at=until, updated_at=timezone.now()
    )


def _next_channel(message: Message) -> Channel | None:
    preferred = message.person.preferred_channel if message.person is not None else "sms"
    tried = set(message.tried_channels or []) | {message.channel_id}
    return next((c for c in channels_for(preferred) if c.pk not in tried), None)


def _give_up(message: Message, error: str, now: dt.datetime) -> str:
    """After the last attempt on a channel: fall back to the next channel, or fail for good."""
    fallback = _next_channel(message)
    if fallback is not None:
        Message.objects.filter(pk=message.pk).update(
            channel=fallback,
            attempts=0,
            status=Status.QUEUED,
            next_attempt_at=None,
            tried_channels=[*(message.tried_channels or []), fallback.pk],
            error=error[:500],
            updated_at=now,
        )
        logger.warning("message %s falls back to channel %s: %s", message.pk, fallback.pk, error)
        return FALLBACK
    Message.objects.filter(pk=message.pk).update(
        status=Status.FAILED, failed_at=now, next_attempt_at=None, error=error[:500], updated_at=now
    )
    logger.warning("message %s failed: %s", message.pk, error)
    return FAILED


def _record(message: Message, result: SendResult, now: dt.datetime) -> str:
    if result.ok:
        done = Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
            status=Status.SENT,
            sent_at=now,
            gateway_id=result.gateway_id[:100],
            next_attempt_at=None,
            error="",
            updated_at=now,
        )
        if not done:  # a delivery report overtook the worker: keep its status, add what the worker knows
            Message.objects.filter(pk=message.pk).update(sent_at=now, gateway_id=result.gateway_id[:100])
        return SENT
    if result.retryable and message.attempts < retry_max():
        Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
            status=Status.QUEUED,
            next_attempt_at=now + dt.timedelta(seconds=backoff_seconds(message.attempts)),
            error=result.error[:500],
            updated_at=now,
        )
        return RETRY
    return _give_up(message, result.error, now)


def outbox_deliver(message_id: int, *, now: dt.datetime | None = None) -> str:
    """Make at most one attempt to send a queued message; returns what happened (sent, retry, deferred…)."""
    now = now or timezone.now()
    message = Message.objects.select_related("channel", "person").filter(pk=message_id).first()
    if message is None or message.direction != Direction.OUT or message.status != Status.QUEUED:
        return SKIPPED
    if message.next_attempt_at is not None and message.next_attempt_at > now:
        return WAITING
    if not message.essential:
        quiet_end = quiet_hours_end(now)
        if quiet_end is not None:
            _defer(message, quiet_end)
            return DEFERRED
    channel = message.channel
    if channel is None or not channel.active:
        return _give_up(message, "channel inactive", now)
    if not rate_allows(channel.pk, channel.rate_per_second, now):
        _defer(message, now + dt.timedelta(seconds=1))
        return RATE_LIMITED
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = Message.objects.filter(due, pk=message.pk, status=Status.QUEUED).update(
        status=Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + lease(), updated_at=now
    )
    if not claimed:
        return SKIPPED  # another worker has it
    message.attempts += 1
    try:
        result = client_for(channel).send(message)
    except Exception as exc:  # a client bug must not leave the message claimed until the lease runs out
        logger.exception("channel %s raised while sending message %s", channel.pk, message.pk)
        result = SendResult(ok=False, error=f"error: {exc.__class__.__name__}", retryable=True)
    return _record(message, result, timezone.now() if now is None else now)


def outbox_recover(*, now: dt.datetime | None = None) -> int:
    """Put back in the queue messages whose worker stopped mid-send (their lease ran out); returns how many."""
    now = now or timezone.now()
    return Message.objects.filter(
        direction=Direction.OUT, status=Status.SENDING, next_attempt_at__lte=now
    ).update(
        status=Status.QUEUED,
        next_attempt_at=now,
        error="the worker stopped while sending; trying again",
        updated_at=now,
    )


def outbox_due(*, now: dt.datetime | None = None, limit: int = 1000) -> list[int]:
    """Ids of queued messages whose time has come, and of those whose task was lost, oldest first."""
    now = now or timezone.now()
    due = Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lte=now - LOST_AFTER)
    return list(
        Message.objects.filter(due, direction=Direction.OUT, status=Status.QUEUED)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def eager() -> bool:
    """True when Celery runs tasks in-process (no broker): nothing can be scheduled for later."""
    from config.celery import app

    return bool(app.conf.task_always_eager) or not getattr(settings, "REDIS_URL", "")
