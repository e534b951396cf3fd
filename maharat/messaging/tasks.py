"""Background work of messaging: send the outbox in batches, sweep it for due or abandoned messages, notices.

A message written to the outbox "kicks" the worker (``outbox_kick``). With a broker, kicks are folded into
one batch task at a time (a short-lived key in the cache says one is queued or running), so a broadcast of
100,000 messages costs a handful of tasks, not 100,000; the batch task claims and sends until nothing is
due, and before it stops it drops the key and looks once more, so a message written while it finished is
never left waiting for the sweeper. Without a broker (tests, the embedded demo) a kick sends the one
message there and then. A worker killed mid-batch leaves claimed messages under a lease that
``outbox_dispatch`` (beat, every 30 s) puts back in the queue once it runs out.

Incoming messages stored by the gateways' requests are routed the same way (``inbound_route_pending``):
kicks fold into one routing task, which routes batches until none is pending and fans out to a second
process on a backlog. A routing batch killed mid-way rolls back, and the dispatcher starts a routing task
whenever messages are still pending, so none waits for a kick that never comes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from maharat.messaging.delivery import (
    DEFERRED,
    FALLBACK,
    RATE_LIMITED,
    RETRY,
    WAITING,
    batch_size,
    eager,
    outbox_deliver,
    outbox_deliver_batch,
    outbox_due,
    outbox_next_wake,
    outbox_recover,
)
from maharat.messaging.models import Message

_LATER = (RETRY, DEFERRED, RATE_LIMITED, WAITING)
KICK_KEY = "maharat:outbox:kick"
# A kick key outlives no batch task by much: if a worker dies holding it, kicks work again after this.
KICK_TTL = 10
# Batches one task sends before it hands over to a fresh task (so other queued work gets a turn).
BATCHES_PER_TASK = 50


@shared_task(name="maharat.messaging.tasks.outbox_send", acks_late=True)
def outbox_send(message_id: int) -> str:
    """Send one queued message, on its fallback channels too; schedule the next try when it must wait."""
    outcome = outbox_deliver(message_id)
    for _hop in range(10):  # each fallback moves to a channel not tried yet, so this ends
        if outcome != FALLBACK:
            break
        outcome = outbox_deliver(message_id)
    if outcome in _LATER and not eager():
        # Without a broker nothing can wait: the dispatcher (beat, or `manage.py outbox_flush`) sends it later.
        at = Message.objects.filter(pk=message_id).values_list("next_attempt_at", flat=True).first()
        if at is not None:
            outbox_send.apply_async((message_id,), eta=at)
    return outcome


def _wake_at(at: dt.datetime) -> None:
    """Schedule one batch task for when a waiting message becomes due (at most one per second)."""
    if eager():
        return  # in-process: nothing can wait; the dispatcher sends it later
    second = int(at.timestamp()) + 1
    ttl = max(int(second - timezone.now().timestamp()) + KICK_TTL, KICK_TTL)
    if cache.add(f"maharat:outbox:wake:{second}", 1, timeout=ttl):
        outbox_send_batch.apply_async(eta=dt.datetime.fromtimestamp(second, tz=dt.UTC))


@shared_task(name="maharat.messaging.tasks.outbox_send_batch", acks_late=True)
def outbox_send_batch() -> dict[str, int]:
    """Send due messages a batch at a time until none is due; then wake up again for the next waiting one."""
    totals: dict[str, int] = {}
    rounds = 0
    full = batch_size()
    while rounds < BATCHES_PER_TASK:
        outcome = outbox_deliver_batch(limit=full)
        rounds += 1
        for key, value in outcome.items():
            totals[key] = totals.get(key, 0) + value
        claimed = outcome.get("claimed", 0)
        if rounds == 1 and claimed == full:
            # A backlog: let a second worker process share it (claims never overlap).
            outbox_send_batch.delay()
        if claimed == 0:
            cache.delete(KICK_KEY)
            # Anything committed before the key went is seen now; anything after kicks a new task.
            if outbox_deliver_batch(limit=full).get("claimed", 0) == 0:
                break
    else:
        outbox_send_batch.delay()
    wake = outbox_next_wake()
    if wake is not None:
        _wake_at(wake)
    return totals


def outbox_kick(message_id: int) -> None:
    """A message was written to the outbox: send it now (no broker) or make sure a batch task is coming."""
    if eager():
        outbox_send(message_id)
    elif cache.add(KICK_KEY, 1, timeout=KICK_TTL):
        outbox_send_batch.delay()


INBOUND_KICK_KEY = "maharat:inbound:kick"
# Routing batches one task runs before it hands over: the replies it queued need a worker process too.
INBOUND_BATCHES_PER_TASK = 5


@shared_task(name="maharat.messaging.tasks.inbound_route_pending", acks_late=True)
def inbound_route_pending() -> int:
    """Route pending incoming messages a batch at a time until none is left; returns how many were routed."""
    from maharat.messaging.inbound import inbound_batch_size, inbound_route_batch

    full = inbound_batch_size()
    total = 0
    for rounds in range(INBOUND_BATCHES_PER_TASK):
        routed = inbound_route_batch(limit=full)
        total += routed
        if rounds == 0 and routed == full and not eager():
            inbound_route_pending.delay()  # a backlog: a second process shares it (claims never overlap)
        if routed == 0:
            cache.delete(INBOUND_KICK_KEY)
            # Anything stored before the key went is seen now; anything after kicks a new task.
            again = inbound_route_batch(limit=full)
            total += again
            if again == 0:
                break
    else:
        if not eager():
            inbound_route_pending.delay()
    return total


def inbound_kick() -> None:
    """An incoming message was stored as pending: make sure a routing task is coming."""
    if eager():
        inbound_route_pending()
    elif cache.add(INBOUND_KICK_KEY, 1, timeout=KICK_TTL):
        inbound_route_pending.delay()


@shared_task(name="maharat.messaging.tasks.outbox_dispatch")
def outbox_dispatch() -> dict[str, int]:
    """Requeue messages abandoned mid-send and send every message whose time has come (beat runs it).

    Pending incoming messages (a routing task was killed, or its kick lost) get a routing task too.
    """
    from maharat.messaging.inbound import inbound_pending

    if inbound_pending():
        inbound_route_pending.delay()
    recovered = outbox_recover()
    due = outbox_due()
    if eager():
        for message_id in due:
            outbox_send(message_id)
    else:
        # Whatever kicks were lost (a killed worker held the kick key), one batch claims everything due.
        outbox_send_batch.delay()
    return {"recovered": recovered, "dispatched": len(due)}


@shared_task(name="maharat.messaging.tasks.send_notices")
def send_notices(notice_ids: list[int] | None = None) -> dict[str, Any]:
    """Send the programmes' unsent notices (those named, or all of them) through the outbox."""
    from maharat.messaging.notices import notices_send

    return notices_send(notice_ids=notice_ids)
