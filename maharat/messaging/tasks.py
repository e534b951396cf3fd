"""Background work of messaging: send one message, sweep the outbox for due or abandoned ones, send notices."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from maharat.messaging.delivery import (
    DEFERRED,
    FALLBACK,
    RATE_LIMITED,
    RETRY,
    WAITING,
    eager,
    outbox_deliver,
    outbox_due,
    outbox_recover,
)
from maharat.messaging.models import Message

_LATER = (RETRY, DEFERRED, RATE_LIMITED, WAITING)


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


@shared_task(name="maharat.messaging.tasks.outbox_dispatch")
def outbox_dispatch() -> dict[str, int]:
    """Requeue messages abandoned mid-send and send every message whose time has come (beat runs it)."""
    recovered = outbox_recover()
    due = outbox_due()
    for message_id in due:
        if eager():
            outbox_send(message_id)
        else:
            outbox_send.delay(message_id)
    return {"recovered": recovered, "dispatched": len(due)}


@shared_task(name="maharat.messaging.tasks.send_notices")
def send_notices(notice_ids: list[int] | None = None) -> dict[str, Any]:
    """Send the programmes' unsent notices (those named, or all of them) through the outbox."""
    from maharat.messaging.notices import notices_send

    return notices_send(notice_ids=notice_ids)
