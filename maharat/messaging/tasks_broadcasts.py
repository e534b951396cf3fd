"""Background work of broadcasts: fan one broadcast out, and start those whose time has come (beat runs it)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from maharat.messaging.broadcasts import broadcast_send, broadcasts_due
from maharat.messaging.delivery import eager


@shared_task(name="maharat.messaging.tasks_broadcasts.broadcast_fan_out", acks_late=True)
def broadcast_fan_out(broadcast_id: int) -> dict[str, Any]:
    """Write one outbox message per recipient of a due broadcast (each once, even when run again)."""
    return broadcast_send(broadcast_id)


@shared_task(name="maharat.messaging.tasks_broadcasts.broadcasts_dispatch")
def broadcasts_dispatch() -> dict[str, int]:
    """Start every scheduled broadcast whose time has come, and resume those a stopped worker left half-sent."""
    due = broadcasts_due()
    for broadcast_id in due:
        if eager():
            broadcast_fan_out(broadcast_id)
        else:
            broadcast_fan_out.delay(broadcast_id)
    return {"dispatched": len(due)}


def broadcast_start(broadcast_id: int) -> None:
    """Hand a broadcast due now to a worker (or send it in-process when there is no broker)."""
    if eager():
        broadcast_fan_out(broadcast_id)
    else:
        broadcast_fan_out.delay(broadcast_id)
