"""Writes of messaging: the outbox every capability sends through, opt-outs, and delivery reports.

``message_send_to_person`` is the one way other capabilities talk to a person. It writes the message row
first, under a unique idempotency key (a second call with the same key returns the first row and sends
nothing), then a Celery task sends it once the transaction commits. A message the person must not get (no
messaging consent, opted out, daily cap reached, no phone) is still written, with status "not sent" and
the reason, so staff can see why someone was not told. Essential messages (replies to the person's own
messages, codes, opt-out confirmations) skip the consent and opt-out checks and quiet hours; the daily
cap applies to every message, since it is what stops two auto-responders texting each other for ever.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from maharat.core.audit import audit_record
from maharat.core.errors import DomainError
from maharat.core.models import AuditAction
from maharat.messaging.choices import BlockReason, ChannelKind, Direction, Status
from maharat.messaging.models import Channel, Message, MessageTemplate, OptOut
from maharat.messaging.parts import sms_parts
from maharat.messaging.schedule import day_start, quiet_hours_end
from maharat.people.choices import Channel as PersonChannel
from maharat.people.choices import ConsentPurpose
from maharat.people.models import Person
from maharat.people.services import has_valid_consent

logger = logging.getLogger("maharat.messaging")
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


# Channels -------------------------------------------------------------------------------------------------


def channels_for(preferred: str = PersonChannel.SMS) -> list[Channel]:
    """Active channels in the order to try them: those serving the preferred way first, then by priority.

    With no channel configured at all, the console channel is created, so the embedded mode just works. The
    console is used only while no real channel is active, so a failing gateway never falls back to a log
    (where the message would count as sent), and an all-inactive set means no channel at all.
    """
    active = list(Channel.objects.filter(active=True).order_by("priority", "pk"))
    if not active and not Channel.objects.exists():
        console, _created = Channel.objects.get_or_create(
            kind=ChannelKind.CONSOLE, defaults={"name": "Console", "rate_per_second": 0, "priority": 1000}
        )
        active = [console]
    real = [c for c in active if c.kind != ChannelKind.CONSOLE]
    active = real or active
    wanted = PersonChannel.SMS if preferred == PersonChannel.WEB else preferred
    return sorted(active, key=lambda c: (c.serves != wanted, c.priority, c.pk))


# Templates ------------------------------------------------------------------------------------------------


def render_template(code: str, language: str, params: Mapping[str, Any] | None = None) -> str:
    """A staff-written template in a language with its {placeholders} filled (unknown ones left visible)."""
    template = MessageTemplate.objects.filter(code=code).first()
    if template is None:
        raise DomainError(_("There is no message template “%(code)s”.") % {"code": code})
    values = {str(k): str(v) for k, v in (params or {}).items()}
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template.text_for(language))


# Checks ---------------------------------------------------------------------------------------------------


def is_opted_out(phone: str, person: Person | None = None) -> bool:
    """Whether the number (or the person, under any number) has opted out of non-essential messages."""
    condition = Q(phone=phone)
    if person is not None:
        condition |= Q(person=person)
    return OptOut.objects.filter(condition, active=True).exists()


@dataclass
class _Prefetched:
    """What a batch looked up for many numbers at once: today's counts, and keys no row can have yet."""

    day: dt.datetime
    sent_today: dict[str, int]
    fresh_keys: set[str] = field(default_factory=set)


_PREFETCHED: ContextVar[_Prefetched | None] = ContextVar("maharat_outbox_prefetched", default=None)


@contextlib.contextmanager
def outbox_prefetch(phones: Iterable[str], fresh_keys: Iterable[str] = ()) -> Iterator[None]:
    """Within the block, today's message counts of these numbers come from one query made here.

    For a batch that writes at most a few messages per number (the routing of incoming messages): the
    counts are kept up to date as the block writes messages. ``fresh_keys`` are idempotency keys the
    caller knows no row has yet, so writing them skips the look-up and the savepoint (the unique key still
    refuses a duplicate, which then fails the caller's transaction, or its savepoint).
    """
    wanted = set(phones)
    day = day_start(timezone.now())
    counts = dict(
        Message.objects.filter(direction=Direction.OUT, phone__in=wanted, created_at__gte=day)
        .exclude(status=Status.BLOCKED)
        .values_list("phone")
        .annotate(n=Count("pk"))
        .values_list("phone", "n")
    )
    token = _PREFETCHED.set(
        _Prefetched(day, {phone: counts.get(phone, 0) for phone in wanted}, set(fresh_keys))
    )
    try:
        yield
    finally:
        _PREFETCHED.reset(token)


def _sent_today(phone: str, now: dt.datetime) -> int:
    prefetched = _PREFETCHED.get()
    if prefetched is not None and phone in prefetched.sent_today and day_start(now) == prefetched.day:
        return prefetched.sent_today[phone]
    return (
        Message.objects.filter(direction=Direction.OUT, phone=phone, created_at__gte=day_start(now))
        .exclude(status=Status.BLOCKED)
        .count()
    )


def _block_reason(phone: str, person: Person | None, essential: bool, now: dt.datetime) -> str:
    if not phone:
        return BlockReason.NO_PHONE
    if not essential:
        if person is not None and not has_valid_consent(person, ConsentPurpose.MESSAGING):
            return BlockReason.NO_CONSENT
        if is_opted_out(phone, person):
            return BlockReason.OPTED_OUT
    if _sent_today(phone, now) >= int(getattr(settings, "MESSAGING_DAILY_CAP", 20)):
        return BlockReason.DAILY_CAP
    return ""


# The outbox -----------------------------------------------------------------------------------------------


def _enqueue(message_id: int) -> None:
    from maharat.messaging.tasks import outbox_kick

    outbox_kick(message_id)


def _outbound(
    *,
    phone: str,
    person: Person | None,
    text: str,
    language: str,
    template: str,
    essential: bool,
    idempotency_key: str,
    channel: Channel | None,
    reply_to: Message | None,
    now: dt.datetime | None,
) -> Message:
    if not idempotency_key:
        raise DomainError(_("Every message needs an idempotency key."))
    prefetched = _PREFETCHED.get()
    fresh = prefetched is not None and idempotency_key in prefetched.fresh_keys
    if not fresh:
        existing = Message.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    text = (text or "").strip()
    if not text:
        raise DomainError(_("A message cannot be empty."))
    now = now or timezone.now()
    reason = _block_reason(phone, person, essential, now)
    preferred = person.preferred_channel if person is not None else PersonChannel.SMS
    if channel is None and not reason:
        options = channels_for(preferred)
        channel = options[0] if options else None
        if channel is None:
            reason = BlockReason.NO_CHANNEL
    wait_until = None if essential or reason else quiet_hours_end(now)
    message = Message(
        direction=Direction.OUT,
        person=person,
        phone=phone or "",
        channel=channel,
        text=text,
        language=language,
        template=template,
        idempotency_key=idempotency_key,
        status=Status.BLOCKED if reason else Status.QUEUED,
        error=str(reason),
        essential=essential,
        next_attempt_at=wait_until,
        tried_channels=[channel.pk] if channel is not None else [],
        parts=sms_parts(text),
        reply_to=reply_to,
    )
    if fresh:
        message.save()  # no savepoint of its own: the caller's transaction fails as a whole on a duplicate
    else:
        try:
            with transaction.atomic():
                message.save()
        except IntegrityError:
            # Another worker or request wrote the same key first: its row is the message.
            return Message.objects.get(idempotency_key=idempotency_key)
    if prefetched is not None and message.status != Status.BLOCKED and message.phone in prefetched.sent_today:
        prefetched.sent_today[message.phone] += 1
    warn_at = int(getattr(settings, "MESSAGING_MAX_PARTS_WARNING", 3))
    if message.parts > warn_at:
        logger.warning("message %s takes %d SMS parts (warning above %d)", message.pk, message.parts, warn_at)
    if message.status == Status.QUEUED:
        transaction.on_commit(lambda: _enqueue(message.pk), robust=True)
    return message


def message_send_to_person(
    *,
    person: Person,
    text: str | None = None,
    template: str | None = None,
    params: Mapping[str, Any] | None = None,
    essential: bool = False,
    idempotency_key: str,
    channel: Channel | None = None,
    language: str | None = None,
    reply_to: Message | None = None,
    now: dt.datetime | None = None,
) -> Message:
    """Send a person a text, or a template in their language, once per idempotency key; returns its row."""
    language = language or person.preferred_language or "ar"
    if template:
        text = render_template(template, language, params)
    return _outbound(
        phone=person.phone or "",
        person=person,
        text=text or "",
        language=language,
        template=template or "",
        essential=essential,
        idempotency_key=idempotency_key,
        channel=channel,
        reply_to=reply_to,
        now=now,
    )


def message_send_to_phone(
    *,
    phone: str,
    text: str,
    language: str = "",
    essential: bool = False,
    idempotency_key: str,
    channel: Channel | None = None,
    reply_to: Message | None = None,
    now: dt.datetime | None = None,
) -> Message:
    """Send a text to a number that belongs to no registered person (replies to unknown numbers)."""
    return _outbound(
        phone=phone,
        person=None,
        text=text,
        language=language,
        template="",
        essential=essential,
        idempotency_key=idempotency_key,
        channel=channel,
        reply_to=reply_to,
        now=now,
    )


# Opt-out --------------------------------------------------------------------------------------------------


@transaction.atomic
def optout_set(
    *, actor: Any, phone: str, person: Person | None, opted_out: bool, keyword: str = ""
) -> OptOut:
    """Record that a number opts out of (or back in to) non-essential messages, and audit the change."""
    now = timezone.now()
    optout, created = OptOut.objects.select_for_update().get_or_create(
        phone=phone,
        defaults={"person": person, "active": opted_out, "keyword": keyword[:40], "changed_at": now},
    )
    if not created and optout.active == opted_out and (person is None or optout.person_id == person.pk):
        return optout
    if not created:
        optout.active = opted_out
        optout.keyword = keyword[:40]
        optout.changed_at = now
        if person is not None:
            optout.person = person
        optout.save(update_fields=["active", "keyword", "changed_at", "person", "updated_at"])
    if not opted_out and person is not None:
        # Opting in under this number also lifts an opt-out the person sent from an earlier number.
        OptOut.objects.filter(person=person, active=True).exclude(pk=optout.pk).update(
            active=False, changed_at=now, updated_at=now
        )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.CHANGE,
        subject=optout,
        person_id=person.pk if person is not None else None,
        fields=["active"],
        reason="opted out of text messages" if opted_out else "opted in to text messages",
        detail={"keyword": keyword[:40]},
    )
    return optout


# Delivery reports -----------------------------------------------------------------------------------------

# A report may only move a message forward: a late "sent" never undoes "delivered".
_MAY_BECOME: dict[str, tuple[str, ...]] = {
    Status.SENT: (Status.SENDING, Status.SENT),
    Status.DELIVERED: (Status.SENDING, Status.SENT, Status.DELIVERED),
    Status.FAILED: (Status.SENDING, Status.SENT, Status.FAILED),
}


def message_status_update(
    *, channel: Channel, gateway_id: str, status: str, error: str = "", now: dt.datetime | None = None
) -> Message | None:
    """Apply a gateway's delivery report to the message it names; None when no message has that id."""
    outgoing = Message.objects.filter(channel=channel, direction=Direction.OUT)
    message = outgoing.filter(gateway_id=gateway_id).order_by("-pk").first()
    if message is None and gateway_id.isdigit():
        # Kannel and the HTTP gateway name messages by Maharat's id, and a fast report can arrive before the
        # worker has recorded the gateway's acceptance.
        message = outgoing.filter(pk=int(gateway_id), gateway_id="").first()
    if message is None or status not in _MAY_BECOME:
        return None
    now = now or timezone.now()
    changes: dict[str, Any] = {"status": status, "updated_at": now}
    if status == Status.DELIVERED:
        changes["delivered_at"] = now
    elif status == Status.FAILED:
        changes["failed_at"] = now
        changes["error"] = (error or _("The gateway reported that the message was not delivered."))[:500]
    Message.objects.filter(pk=message.pk, status__in=_MAY_BECOME[status]).update(**changes)
    message.refresh_from_db()
    return message


def erase_person_messages(person: Person) -> int:
    """Blank the texts and numbers of an anonymized person's messages; counts and statuses stay for reports."""
    return Message.objects.filter(person=person).update(text="", phone="")
