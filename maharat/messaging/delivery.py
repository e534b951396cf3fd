"""Sending what the outbox holds: one attempt at a time, claimed atomically, retried, then a fallback channel.

``outbox_deliver`` makes at most one attempt at one message and says what happened. A message is claimed by a
conditional UPDATE from queued to sending, so two workers, or a task the broker delivers twice, never both
send it. A claim holds a lease (``next_attempt_at`` while sending): if the worker dies mid-send, the
dispatcher puts the message back in the queue when the lease runs out. That is the one window where a
gateway can get a message twice (it was accepted but the worker died before recording it), which is why
every request names Maharat's message id where the gateway can take one.

``outbox_deliver_batch`` is the same contract for many messages at once, which is how a worker empties a
broadcast: it claims up to a batch of due messages in one statement (``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so concurrent workers claim disjoint sets; the claim's lease time doubles as its token), sends
them through a small thread pool (a gateway's latency is waited for in parallel; requests share one pooled
HTTP session), and records the accepted ones in bulk, a chunk at a time so that a killed worker leaves at
most one chunk to send again. Refusals go through the same per-message bookkeeping as ``outbox_deliver``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from maharat.messaging.channels import client_for
from maharat.messaging.channels.base import SendResult, http_timeout
from maharat.messaging.choices import Direction, Status
from maharat.messaging.models import Channel, Message
from maharat.messaging.schedule import backoff_seconds, quiet_hours_end, rate_allows, rate_take, retry_max
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


def batch_size() -> int:
    """How many messages one batch claims (``MESSAGING_BATCH_SIZE``, 200 by default)."""
    return max(int(getattr(settings, "MESSAGING_BATCH_SIZE", 200)), 1)


def send_concurrency() -> int:
    """How many gateway requests a batch keeps in flight (``MESSAGING_SEND_CONCURRENCY``, 8 by default)."""
    return max(int(getattr(settings, "MESSAGING_SEND_CONCURRENCY", 8)), 1)


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


# Batches ---------------------------------------------------------------------------------------------------

# Accepted messages are recorded this many at a time: the most a killed worker can leave sent but unrecorded.
RECORD_CHUNK = 25


def _claim(limit: int, now: dt.datetime, essential_only: bool) -> list[Message]:
    """Mark up to ``limit`` due messages as sending under one lease; returns exactly those this call claimed."""
    until = now + lease()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    candidates = Message.objects.filter(due, direction=Direction.OUT, status=Status.QUEUED)
    if essential_only:
        candidates = candidates.filter(essential=True)
    with transaction.atomic():
        locking = candidates.order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            locking = locking.select_for_update(skip_locked=True)
        ids = list(locking.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        # The lease time is this claim's token: on databases without row locks (SQLite), a message another
        # claim took in between keeps that claim's time and is not counted here.
        Message.objects.filter(pk__in=ids, status=Status.QUEUED).update(
            status=Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=until, updated_at=now
        )
    return list(
        Message.objects.select_related("channel", "person")
        .filter(pk__in=ids, status=Status.SENDING, next_attempt_at=until)
        .order_by("pk")
    )


def _release(messages: Iterable[Message], until: dt.datetime, now: dt.datetime) -> None:
    """Hand claimed messages back to the queue untried (rate limit): the attempt they were charged is undone."""
    ids = [m.pk for m in messages]
    if ids:
        Message.objects.filter(pk__in=ids, status=Status.SENDING).update(
            status=Status.QUEUED, attempts=F("attempts") - 1, next_attempt_at=until, updated_at=now
        )


def _send_one(message: Message) -> SendResult:
    assert message.channel is not None
    try:
        return client_for(message.channel).send(message)
    except Exception as exc:  # a client bug must not leave the message claimed until the lease runs out
        logger.exception("channel %s raised while sending message %s", message.channel_id, message.pk)
        return SendResult(ok=False, error=f"error: {exc.__class__.__name__}", retryable=True)


def _record_sent(accepted: list[tuple[Message, SendResult]], now: dt.datetime) -> None:
    """Record accepted messages in two statements, keeping any delivery report that overtook the worker."""
    if not accepted:
        return
    ids = [m.pk for m, _r in accepted]
    own_ids = all(r.gateway_id == str(m.pk) for m, r in accepted)
    gateway_id: Cast | Case
    if own_ids:  # Kannel and HTTP gateways: the gateway id is Maharat's
        gateway_id = Cast("pk", output_field=CharField())
    else:
        gateway_id = Case(
            *[When(pk=m.pk, then=Value(r.gateway_id[:100])) for m, r in accepted],
            default=Value(""),
            output_field=CharField(),
        )
    Message.objects.filter(pk__in=ids, status=Status.SENDING).update(
        status=Status.SENT, sent_at=now, gateway_id=gateway_id, next_attempt_at=None, error="", updated_at=now
    )
    # A delivery report already moved some on: keep their status, add what the worker knows.
    Message.objects.filter(pk__in=ids, sent_at__isnull=True).update(sent_at=now, gateway_id=gateway_id)


def outbox_deliver_batch(*, limit: int | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Claim up to a batch of due messages and make one attempt at each; returns how many had each outcome.

    The same rules as ``outbox_deliver``: quiet hours hold back all but essential messages, each channel's
    rate limit is shared with every worker, refusals are retried with back-off and then fall back.
    """
    limit = limit or batch_size()
    fixed = now is not None  # tests and the benchmark pass a time; workers use the clock
    now = now or timezone.now()
    outcomes: dict[str, int] = {}

    def count(outcome: str, n: int = 1) -> None:
        if n:
            outcomes[outcome] = outcomes.get(outcome, 0) + n

    quiet_end = quiet_hours_end(now)
    if quiet_end is not None:
        due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        count(
            DEFERRED,
            Message.objects.filter(
                due, direction=Direction.OUT, status=Status.QUEUED, essential=False
            ).update(next_attempt_at=quiet_end, updated_at=now),
        )
    claimed = _claim(limit, now, essential_only=quiet_end is not None)
    count("claimed", len(claimed))
    sendable: list[Message] = []
    by_channel: dict[int, list[Message]] = {}
    for message in claimed:
        channel = message.channel
        if channel is None or not channel.active:
            count(_give_up(message, "channel inactive", now))
            continue
        by_channel.setdefault(channel.pk, []).append(message)
    for messages in by_channel.values():
        channel = messages[0].channel
        assert channel is not None
        allowed = rate_take(channel.pk, channel.rate_per_second, len(messages), now)
        sendable.extend(messages[:allowed])
        _release(messages[allowed:], now + dt.timedelta(seconds=1), now)
        count(RATE_LIMITED, len(messages) - allowed)
    if not sendable:
        return outcomes
    workers = min(send_concurrency(), len(sendable))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="outbox") as pool:
        for start in range(0, len(sendable), RECORD_CHUNK):
            chunk = sendable[start : start + RECORD_CHUNK]
            results = list(pool.map(_send_one, chunk)) if workers > 1 else [_send_one(m) for m in chunk]
            finished = now if fixed else timezone.now()
            accepted = [(m, r) for m, r in zip(chunk, results, strict=True) if r.ok]
            _record_sent(accepted, finished)
            count(SENT, len(accepted))
            for message, result in zip(chunk, results, strict=True):
                if not result.ok:
                    count(_record(message, result, finished))
    return outcomes


def outbox_next_wake(*, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the earliest queued message that waits (a retry, a rate limit, quiet hours) becomes due."""
    now = now or timezone.now()
    return (
        Message.objects.filter(direction=Direction.OUT, status=Status.QUEUED, next_attempt_at__gt=now)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
