"""Incoming messages: stored once per gateway id, then routed, and answered through the outbox.

Routing order: opt-out and opt-in keywords first (they must always work), then the programmes' commands
(``sms_handle``), then HELP and STATUS; a number no registered person has gets a polite bilingual invitation
to register, once a day, that says nothing about anyone. Anything else stays "received, not handled" for
staff (the helpdesk will turn those into tickets). Replies are essential messages keyed on the incoming
message, so a gateway that delivers the same message twice gets one reply.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from maharat.core.text import normalize_text
from maharat.messaging.channels.base import InboundMessage
from maharat.messaging.choices import Direction, Route, Status
from maharat.messaging.models import Channel, Message
from maharat.messaging.parts import sms_parts
from maharat.messaging.schedule import day_start
from maharat.messaging.services import message_send_to_person, message_send_to_phone, optout_set
from maharat.people.models import Person

logger = logging.getLogger("maharat.messaging")


def _keywords(*words: str) -> frozenset[str]:
    return frozenset(normalize_text(word) for word in words)


# Whole messages only (after normalization): "cancel my application" must not silence a person.
OPT_OUT_WORDS = _keywords(
    "stop", "stopall", "stop all", "unsubscribe", "opt out", "optout",
    "توقف", "إلغاء", "الغاء", "إلغاء الاشتراك", "ايقاف", "إيقاف", "أوقف", "اوقف", "قف",
)  # fmt: skip
OPT_IN_WORDS = _keywords("start", "unstop", "subscribe", "opt in", "ابدأ", "ابدا", "اشتراك", "استئناف")
HELP_WORDS = _keywords("help", "info", "مساعدة", "مساعده", "المساعدة", "معلومات")
STATUS_WORDS = _keywords("status", "حالة", "الحالة", "حالتي", "حالة الطلب")
_ARABIC = re.compile("[\u0600-\u06ff]")
STATUS_MAX_PARTS = 3


def language_of(text: str) -> str:
    """Arabic when the text has an Arabic letter, else English."""
    return "ar" if _ARABIC.search(text or "") else "en"


def inbound_receive(*, channel: Channel, inbound: InboundMessage) -> tuple[Message, bool]:
    """Store a message from a phone once per gateway id; returns the row and whether it is new."""
    key = f"in:{channel.pk}:{inbound.gateway_id}" if inbound.gateway_id else None
    if key is not None:
        existing = Message.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing, False
    message = Message(
        direction=Direction.IN,
        person=Person.objects.active().filter(phone=inbound.sender).first(),
        phone=inbound.sender,
        channel=channel,
        text=inbound.text,
        language=language_of(inbound.text),
        idempotency_key=key,
        status=Status.RECEIVED,
        gateway_id=inbound.gateway_id,
        parts=sms_parts(inbound.text),
    )
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return Message.objects.get(idempotency_key=key), False
    return message, True


def _both(text_for: Callable[[], str]) -> str:
    """The same message in English then Arabic, for numbers whose language nobody knows."""
    lines = []
    for language in ("en", "ar"):
        with translation.override(language):
            lines.append(str(text_for()))
    return "\n".join(lines)


def _help_text() -> str:
    return _(
        "Maharat: send APPLY and a call's code to apply, STATUS for your applications, STOP to stop messages, "
        "START to get them again."
    )


def _unknown_text() -> str:
    return _(
        "Welcome to Maharat. This number is not registered with us. To register, visit a programme office or "
        "the Maharat website."
    )


def _opted_out_text() -> str:
    return _("You will no longer receive messages from Maharat. Send START to receive them again.")


def _opted_in_text() -> str:
    return _("You will receive messages from Maharat again. Send STOP to stop them.")


def _status_text(person: Person) -> str:
    from maharat.programmes.sms import application_status_lines

    lines = application_status_lines(person)
    if not lines:
        return _("You have no applications yet. Send HELP to see what you can do by text message.")
    text = lines[0]
    for line in lines[1:]:
        if sms_parts(f"{text}\n{line}") > STATUS_MAX_PARTS:
            break
        text = f"{text}\n{line}"
    return text


def _reply(inbound: Message, text: str, language: str) -> Message:
    channel = inbound.channel if inbound.channel is not None and inbound.channel.active else None
    key = f"reply:{inbound.pk}"
    if inbound.person is not None:
        return message_send_to_person(
            person=inbound.person,
            text=text,
            language=language,
            essential=True,
            idempotency_key=key,
            channel=channel,
            reply_to=inbound,
        )
    return message_send_to_phone(
        phone=inbound.phone,
        text=text,
        language=language,
        essential=True,
        idempotency_key=key,
        channel=channel,
        reply_to=inbound,
    )


def _answer(message: Message) -> tuple[str, str, str] | None:
    """The route, reply text (empty for no reply) and its language, after acting on it; None when not understood."""
    from maharat.programmes.sms import sms_handle

    person = message.person
    words = normalize_text(message.text)
    language = person.preferred_language if person is not None else language_of(message.text)
    actor = f"sms:{message.phone}"
    if words in OPT_OUT_WORDS or words in OPT_IN_WORDS:
        opted_out = words in OPT_OUT_WORDS
        optout_set(actor=actor, phone=message.phone, person=person, opted_out=opted_out, keyword=words)
        with translation.override(language):
            text = _opted_out_text() if opted_out else _opted_in_text()
        return (Route.OPT_OUT if opted_out else Route.OPT_IN), text, language
    reply = sms_handle(phone=message.phone, text=message.text)
    if reply is not None:
        return Route.PROGRAMMES, reply.text, language
    if words in HELP_WORDS:
        if person is None:
            return Route.HELP, _both(_help_text), ""
        with translation.override(language):
            return Route.HELP, _help_text(), language
    if person is None:
        # One invitation a day per number: an automated sender must not get one answer per message.
        invited = (
            Message.objects.filter(
                direction=Direction.IN,
                phone=message.phone,
                route=Route.UNKNOWN_NUMBER,
                created_at__gte=day_start(),
            )
            .exclude(pk=message.pk)
            .exists()
        )
        return Route.UNKNOWN_NUMBER, "" if invited else _both(_unknown_text), ""
    if words in STATUS_WORDS:
        with translation.override(language):
            return Route.STATUS, _status_text(person), language
    return None


def inbound_route(message: Message) -> Message | None:
    """Act on a stored incoming message and answer it; returns the reply, or None when nobody understood it."""
    if message.direction != Direction.IN or message.status != Status.RECEIVED:
        return None
    with transaction.atomic():
        answer = _answer(message)
        if answer is None:
            return None
        route, text, language = answer
        reply = _reply(message, text, language) if text else None
        Message.objects.filter(pk=message.pk, status=Status.RECEIVED).update(
            status=Status.HANDLED, route=route
        )
    message.refresh_from_db()
    return reply


def inbound_handle(*, channel: Channel, inbound: InboundMessage) -> tuple[Message, bool]:
    """Store a gateway's message and, the first time only, route it; a routing error leaves it for staff."""
    message, created = inbound_receive(channel=channel, inbound=inbound)
    if created:
        try:
            inbound_route(message)
        except Exception:
            logger.exception("routing incoming message %s failed; it waits for staff", message.pk)
    return message, created
