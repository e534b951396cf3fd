"""Writes of broadcasts: segments, broadcasts, their fan-out into one message per person, and API tokens.

A broadcast fans out into one outbox message per recipient through ``message_send_to_person``, under the
idempotency key ``broadcast:<broadcast>:<person>``: a fan-out stopped half-way (a worker killed, a deploy)
and run again finds the messages already written and sends nothing twice. Broadcast messages are not
essential, so the outbox holds them back for people who opted out, during quiet hours and past the daily cap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from maharat.core.audit import audit_record
from maharat.core.errors import DomainError
from maharat.core.models import AuditAction
from maharat.messaging.access_broadcasts import can_broadcast_for, messageable_people
from maharat.messaging.choices import Status
from maharat.messaging.models import MessageTemplate
from maharat.messaging.models_api import (
    Broadcast,
    BroadcastRecipient,
    BroadcastStatus,
    OrganizationToken,
    Segment,
    hash_token,
)
from maharat.messaging.parts import sms_parts
from maharat.messaging.segments import clean_filters, segment_people
from maharat.messaging.services import message_send_to_person
from maharat.people.models import Organization, Person

BATCH = 500
# A fan-out still "sending" after this long lost its worker: ``broadcasts_due`` runs it again.
STALLED_AFTER = dt.timedelta(minutes=5)


def _refuse_unless_allowed(actor: Any, organization: Organization) -> None:
    if getattr(actor, "is_authenticated", False) and not can_broadcast_for(actor, organization):
        raise DomainError(_("You may not send messages for this organization."))


# Segments -------------------------------------------------------------------------------------------------


@transaction.atomic
def segment_save(
    *,
    actor: Any,
    organization: Organization,
    name: str,
    filters: Mapping[str, Any],
    segment: Segment | None = None,
) -> Segment:
    """Save a named filter on the registry for an organization (a new one, or changes to ``segment``)."""
    _refuse_unless_allowed(actor, organization)
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Give the segment a name."))
    clean = clean_filters(filters)
    same_name = Segment.objects.filter(organization=organization, name=name)
    if segment is not None:
        same_name = same_name.exclude(pk=segment.pk)
    if same_name.exists():
        raise DomainError(_("Your organization already has a segment with this name."))
    created = segment is None
    if segment is None:
        segment = Segment(organization=organization, created_by=actor if getattr(actor, "pk", None) else None)
    segment.name, segment.filters = name, clean
    segment.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.CHANGE,
        subject=segment,
        fields=["name", "filters"],
        detail={"filters": clean},
    )
    return segment


# Broadcasts -----------------------------------------------------------------------------------------------


def broadcast_audience(broadcast: Broadcast) -> QuerySet[Person]:
    """Whom the broadcast goes to now: its segment, or its listed people, among those its organization may message."""
    if broadcast.segment is not None:
        return segment_people(broadcast.organization, broadcast.segment.filters)
    return messageable_people(broadcast.organization).filter(
        pk__in=broadcast.people.through.objects.filter(broadcast_id=broadcast.pk).values("person_id")
    )


@transaction.atomic
def broadcast_create(
    *,
    actor: Any,
    organization: Organization,
    segment: Segment | None = None,
    people: Iterable[Person] | None = None,
    text_ar: str = "",
    text_en: str = "",
    template: MessageTemplate | None = None,
    scheduled_at: dt.datetime | None = None,
    via_api: bool = False,
    urns: Iterable[str] = (),
) -> Broadcast:
    """Write a broadcast to a segment or to listed people, to be sent at a time (now when none is given)."""
    _refuse_unless_allowed(actor, organization)
    text_ar, text_en = (text_ar or "").strip(), (text_en or "").strip()
    if template is None and not (text_ar or text_en):
        raise DomainError(_("Write the message in Arabic or English, or choose a template."))
    listed = list(people or [])
    if (segment is None) == (not listed):
        raise DomainError(_("Send either to a segment or to a list of people."))
    if segment is not None and segment.organization_id != organization.pk:
        raise DomainError(_("This segment belongs to another organization."))
    if listed:
        reachable = set(
            messageable_people(organization)
            .filter(pk__in=[p.pk for p in listed])
            .values_list("pk", flat=True)
        )
        if len(reachable) != len({p.pk for p in listed}):
            raise DomainError(
                _("Some of these people have not agreed to receive messages from your organization.")
            )
    broadcast = Broadcast.objects.create(
        organization=organization,
        segment=segment,
        text_ar=text_ar,
        text_en=text_en,
        template=template,
        scheduled_at=scheduled_at or timezone.now(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        via_api=via_api,
        urns=list(urns),
    )
    if listed:
        broadcast.people.set(listed)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        subject=broadcast,
        fields=["text_ar", "text_en", "template", "scheduled_at"],
        detail={"segment": segment.pk if segment else None, "people": len(listed)},
    )
    return broadcast


@transaction.atomic
def broadcast_cancel(*, actor: Any, broadcast: Broadcast) -> Broadcast:
    """Cancel a scheduled broadcast before it starts; one already sending or sent cannot be called back."""
    _refuse_unless_allowed(actor, broadcast.organization)
    now = timezone.now()
    done = Broadcast.objects.filter(pk=broadcast.pk, status=BroadcastStatus.SCHEDULED).update(
        status=BroadcastStatus.CANCELLED, cancelled_at=now, updated_at=now
    )
    if not done:
        raise DomainError(_("Only a broadcast that has not started yet can be cancelled."))
    broadcast.refresh_from_db()
    audit_record(
        actor=actor, action=AuditAction.CHANGE, subject=broadcast, fields=["status"], reason="cancelled"
    )
    return broadcast


def _snapshot(broadcast: Broadcast) -> None:
    """Fix the recipients the first time the broadcast is sent (a later run keeps the same list)."""
    if broadcast.recipients.exists():
        return
    ids = list(broadcast_audience(broadcast).order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        BroadcastRecipient.objects.bulk_create(
            [BroadcastRecipient(broadcast=broadcast, person_id=pk) for pk in ids],
            batch_size=BATCH,
            ignore_conflicts=True,
        )


def broadcast_key(broadcast_id: int, person_id: int) -> str:
    """The idempotency key of a broadcast's message to a person."""
    return f"broadcast:{broadcast_id}:{person_id}"


def _send_one(broadcast: Broadcast, recipient: BroadcastRecipient) -> None:
    person = recipient.person
    language = person.preferred_language or "ar"
    with transaction.atomic():
        if broadcast.template is not None:
            message = message_send_to_person(
                person=person,
                template=broadcast.template.code,
                params={"name": person.given_name_ar if language == "ar" else person.given_name_latin},
                language=language,
                idempotency_key=broadcast_key(broadcast.pk, person.pk),
            )
        else:
            message = message_send_to_person(
                person=person,
                text=broadcast.text_for(language),
                language=language,
                idempotency_key=broadcast_key(broadcast.pk, person.pk),
            )
        BroadcastRecipient.objects.filter(pk=recipient.pk).update(message=message)


def broadcast_send(
    broadcast_id: int,
    *,
    now: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    after_each: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Fan a due broadcast out into one message per recipient; safe to run again after a crash, or twice at once."""
    now = now or timezone.now()
    broadcast = (
        Broadcast.objects.select_related("organization", "segment", "template")
        .filter(pk=broadcast_id)
        .first()
    )
    if broadcast is None or broadcast.status in (BroadcastStatus.CANCELLED, BroadcastStatus.SENT):
        return {
            "broadcast": broadcast_id,
            "written": 0,
            "status": broadcast.status if broadcast else "missing",
        }
    if broadcast.status == BroadcastStatus.SCHEDULED:
        if broadcast.scheduled_at > now:
            return {"broadcast": broadcast_id, "written": 0, "status": broadcast.status}
        Broadcast.objects.filter(pk=broadcast.pk, status=BroadcastStatus.SCHEDULED).update(
            status=BroadcastStatus.SENDING, started_at=now, updated_at=now
        )
        broadcast.refresh_from_db()
        if broadcast.status != BroadcastStatus.SENDING:  # cancelled in between
            return {"broadcast": broadcast_id, "written": 0, "status": broadcast.status}
    _snapshot(broadcast)
    pending = broadcast.recipients.filter(message__isnull=True)
    total = pending.count()
    written = 0
    while True:
        batch = list(pending.select_related("person").order_by("pk")[:BATCH])
        if not batch:
            break
        for recipient in batch:
            _send_one(broadcast, recipient)
            written += 1
            if after_each is not None:
                after_each(written)
            if progress is not None:
                progress(written, total)
    finished = timezone.now()
    Broadcast.objects.filter(pk=broadcast.pk, status=BroadcastStatus.SENDING).update(
        status=BroadcastStatus.SENT, finished_at=finished, updated_at=finished
    )
    return {"broadcast": broadcast_id, "written": written, "status": BroadcastStatus.SENT}


def broadcasts_due(*, now: dt.datetime | None = None) -> list[int]:
    """Broadcasts whose time has come, and those whose fan-out stopped half-way, oldest first."""
    now = now or timezone.now()
    scheduled = Broadcast.objects.filter(status=BroadcastStatus.SCHEDULED, scheduled_at__lte=now)
    stalled = Broadcast.objects.filter(status=BroadcastStatus.SENDING, started_at__lte=now - STALLED_AFTER)
    return sorted({*scheduled.values_list("pk", flat=True), *stalled.values_list("pk", flat=True)})


# Statistics and cost --------------------------------------------------------------------------------------

STAT_KEYS = ("pending", "queued", "sent", "delivered", "failed", "blocked")
_STAT_OF: dict[str, str] = {
    Status.QUEUED: "queued",
    Status.SENDING: "queued",
    Status.SENT: "sent",
    Status.DELIVERED: "delivered",
    Status.FAILED: "failed",
    Status.BLOCKED: "blocked",
}


def broadcast_stats_many(broadcast_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Statistics of several broadcasts in one query, by broadcast id."""
    ids = list(broadcast_ids)
    stats = {pk: dict.fromkeys(STAT_KEYS, 0) for pk in ids}
    rows = (
        BroadcastRecipient.objects.filter(broadcast_id__in=ids)
        .values("broadcast_id", "message__status")
        .order_by()
        .annotate(n=Count("pk"))
    )
    for row in rows:
        status = row["message__status"]
        stats[row["broadcast_id"]][_STAT_OF.get(status, "pending") if status else "pending"] += row["n"]
    for counts in stats.values():
        counts["total"] = sum(counts[k] for k in STAT_KEYS)
    return stats


def broadcast_stats(broadcast: Broadcast) -> dict[str, int]:
    """How many recipients are waiting, queued, sent, delivered, failed or blocked (not sent), and in all."""
    return broadcast_stats_many([broadcast.pk])[broadcast.pk]


def cost_per_part() -> Decimal:
    """What one SMS part costs (``MESSAGING_COST_PER_PART``, in the programme's currency)."""
    return Decimal(str(getattr(settings, "MESSAGING_COST_PER_PART", "0.02")))


def broadcast_estimate(
    *,
    audience: QuerySet[Person],
    text_ar: str = "",
    text_en: str = "",
    template: MessageTemplate | None = None,
) -> dict[str, Any]:
    """Recipients by language, SMS parts of each text, total parts and cost, and whether to warn about length."""
    by_language = dict(audience.order_by().values_list("preferred_language").annotate(n=Count("pk")))
    texts = (
        {"ar": template.text_for("ar"), "en": template.text_for("en")}
        if template is not None
        else {"ar": text_ar or text_en, "en": text_en or text_ar}
    )
    parts = {language: sms_parts(text) if text else 0 for language, text in texts.items()}
    recipients = {"ar": 0, "en": 0}
    for language, n in by_language.items():
        recipients["en" if language == "en" else "ar"] += n
    total_parts = sum(recipients[lang] * parts[lang] for lang in recipients)
    limit = int(getattr(settings, "MESSAGING_MAX_PARTS_WARNING", 3))
    return {
        "recipients": sum(recipients.values()),
        "by_language": recipients,
        "parts": parts,
        "total_parts": total_parts,
        "cost": (cost_per_part() * total_parts).quantize(Decimal("0.01")),
        "long": any(p > limit for p in parts.values()),
        "limit": limit,
    }


# API tokens -----------------------------------------------------------------------------------------------


@transaction.atomic
def token_create(*, actor: Any, organization: Organization, name: str) -> tuple[OrganizationToken, str]:
    """A new API token for an organization; the key is returned once and only its hash is stored."""
    _refuse_unless_allowed(actor, organization)
    name = " ".join((name or "").split())[:100]
    if not name:
        raise DomainError(_("Give the token a name, e.g. the RapidPro workspace that will use it."))
    raw = OrganizationToken.new_key()
    token = OrganizationToken.objects.create(
        organization=organization,
        name=name,
        key_prefix=raw[:8],
        key_hash=hash_token(raw),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(actor=actor, action=AuditAction.CREATE, subject=token, fields=["name"])
    return token, raw


@transaction.atomic
def token_revoke(*, actor: Any, token: OrganizationToken) -> OrganizationToken:
    """Stop a token from working, from now on."""
    _refuse_unless_allowed(actor, token.organization)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            actor=actor, action=AuditAction.CHANGE, subject=token, fields=["revoked_at"], reason="revoked"
        )
    return token


def token_lookup(raw: str) -> OrganizationToken | None:
    """The live token with this key (of an active organization), recording when it was last used."""
    if not raw:
        return None
    token = (
        OrganizationToken.objects.select_related("organization")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, organization__active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        OrganizationToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
