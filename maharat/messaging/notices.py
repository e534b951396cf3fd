"""Notices the programmes owe applicants (received, offered, waitlisted, enrolled), sent through the outbox."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from maharat.messaging.choices import Status
from maharat.messaging.models import Message
from maharat.messaging.services import message_send_to_person
from maharat.programmes.models import Notice

BATCH = 500


def notice_key(notice_id: int) -> str:
    """The idempotency key of a notice's message."""
    return f"notice:{notice_id}"


def unsent_notices(notice_ids: Iterable[int] | None = None) -> models.QuerySet[Notice]:
    """Notices not handed to the outbox yet; those the outbox refused (no consent, opted out) are not retried."""
    key = Concat(Value("notice:"), Cast(OuterRef("pk"), models.CharField()), output_field=models.CharField())
    notices = (
        Notice.objects.filter(sent_at__isnull=True)
        .exclude(Exists(Message.objects.filter(idempotency_key=key)))
        .order_by("pk")
    )
    if notice_ids is not None:
        notices = notices.filter(pk__in=list(notice_ids))
    return notices


def notices_send(
    *, notice_ids: Iterable[int] | None = None, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Hand each unsent notice to the outbox once and mark it sent; returns how many went and how many not."""
    # Ids first: the query's own condition changes as notices are sent.
    ids = list(unsent_notices(notice_ids).values_list("pk", flat=True))
    total = len(ids)
    queued = blocked = done = 0
    for start in range(0, total, BATCH):
        batch = Notice.objects.select_related("application__person").filter(pk__in=ids[start : start + BATCH])
        for notice in batch.order_by("pk"):
            with transaction.atomic():
                message = message_send_to_person(
                    person=notice.application.person,
                    text=notice.text,
                    language=notice.language,
                    idempotency_key=notice_key(notice.pk),
                )
                if message.status == Status.BLOCKED:
                    blocked += 1
                else:
                    Notice.objects.filter(pk=notice.pk, sent_at__isnull=True).update(sent_at=timezone.now())
                    queued += 1
            done += 1
            if progress is not None:
                progress(done, total)
    return {"queued": queued, "not_sent": blocked, "total": total}
