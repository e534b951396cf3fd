"""Reads of messaging: recent messages for staff, and the outbox's state per channel."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from maharat.messaging import access
from maharat.messaging.choices import Direction, Status
from maharat.messaging.models import Channel, Message

PAGE_SIZE = 50


def message_list(
    user: Any, *, after_id: int | None = None, limit: int = PAGE_SIZE
) -> tuple[list[Message], int | None]:
    """A page of the newest messages the user may read, and the cursor of the next page (None at the end)."""
    messages = access.visible_messages(user).select_related("person", "channel").order_by("-pk")
    if after_id is not None:
        messages = messages.filter(pk__lt=after_id)
    page = list(messages[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return page, (page[-1].pk if more and page else None)


OUTBOX_STATUSES = (
    Status.QUEUED,
    Status.SENDING,
    Status.SENT,
    Status.DELIVERED,
    Status.FAILED,
    Status.BLOCKED,
)


def outbox_state() -> list[dict[str, Any]]:
    """Outgoing messages per channel and status (counts only, nothing personal), channels by priority."""
    rows = (
        Message.objects.filter(direction=Direction.OUT)
        .values("channel_id", "status")
        .order_by()
        .annotate(n=Count("pk"))
    )
    counts: dict[int | None, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["channel_id"], {})[row["status"]] = row["n"]
    table = []
    for channel in Channel.objects.order_by("priority", "pk"):
        by_status = counts.pop(channel.pk, {})
        table.append({"channel": channel, "counts": [by_status.get(s, 0) for s in OUTBOX_STATUSES]})
    if None in counts:  # messages that never had a channel (not sent: no active channel)
        by_status = counts.pop(None)
        table.append({"channel": None, "counts": [by_status.get(s, 0) for s in OUTBOX_STATUSES]})
    return table
