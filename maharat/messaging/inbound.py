"""Incoming messages: stored once per gateway id, then routed, and answered through the outbox.

Routing order:

1. A running dialogue (registration, survey; ``dialogues``) takes the message as its next answer. A cancel
   word (CANCEL, إلغاء …) ends the dialogue only, although إلغاء alone is also an opt-out word outside a
   dialogue; STOP and the other opt-out words end the dialogue *and* opt out. An expired dialogue is
   abandoned and the message is routed as if there were none.
2. Opt-out and opt-in words, matched exactly after normalization (never through a typing error).
3. The programmes' commands (``sms_handle``).
4. Keywords from the registry (``register_keyword``): HELP, STATUS, COURSE, REGISTER, CANCEL here, JOBS
   and others from their apps, matched in both languages with one typing error tolerated
   (``keywords``). Keywords that reveal something about a person answer a registered number only.
5. The FAQ knowledge base (``faq``), unless the phone has an open helpdesk ticket (a reply to staff
   belongs in the ticket).
6. A number no registered person has gets a polite bilingual invitation to register (REGISTER), once a
   day, that says nothing about anyone.
7. Anything else joins the phone's open helpdesk ticket or opens one (``helpdesk``); the message stays
   "received, not handled" until staff answer it.

Replies are essential messages keyed on the incoming message, so a gateway that delivers the same message
twice gets one reply.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from maharat.core.text import normalize_text
from maharat.messaging import dialogues
from maharat.messaging.channels.base import InboundMessage
from maharat.messaging.choices import Direction, Route, Status
from maharat.messaging.faq import faq_find
from maharat.messaging.keywords import KeywordTable
from maharat.messaging.models import Channel, Message
from maharat.messaging.models_conversations import Ticket, TicketStatus
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
        "Maharat: send APPLY and a call's code to apply, STATUS for your applications, COURSE for your next "
        "session, REGISTER to sign up, STOP to stop messages, START to get them again. Or ask your question."
    )


def _unknown_text() -> str:
    return _(
        "Welcome to Maharat. This number is not registered with us. Reply REGISTER to sign up by text message, "
        "or visit a programme office."
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


# The keyword registry --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeywordRequest:
    """What a keyword handler is given: the message, its sender (None for an unknown number), what followed
    the keyword, and the language to answer in (the handler runs with it active)."""

    message: Message
    person: Person | None
    phone: str
    args: str
    language: str


KeywordHandler = Callable[[KeywordRequest], "str | None"]


@dataclass(frozen=True)
class _Registered:
    handler: KeywordHandler
    personal: bool


_TABLE = KeywordTable(protected=OPT_OUT_WORDS | OPT_IN_WORDS)
_HANDLERS: dict[str, _Registered] = {}


def register_keyword(
    words: Iterable[str], handler: KeywordHandler, *, personal: bool = True, name: str = ""
) -> str:
    """Answer messages that are one of the words (either language; typing errors tolerated) with ``handler``.

    The handler returns the reply text, or None to let the router try its other handlers. A ``personal``
    keyword (the default) answers registered numbers only; an unknown number sending it gets the invitation
    to register. Registering a name again replaces its words and handler. Opt-out and opt-in words cannot be
    keywords (ValueError). Returns the keyword's name.
    """
    spellings = [w for w in words if w.strip()]
    if not spellings:
        raise ValueError("a keyword needs at least one word")
    key = name or normalize_text(spellings[0])
    _TABLE.remove(key)
    _TABLE.add(spellings, key)
    _HANDLERS[key] = _Registered(handler, personal)
    return key


def keyword_names() -> set[str]:
    """The keywords registered so far."""
    return _TABLE.names()


def _help(request: KeywordRequest) -> str:
    if request.person is None:
        return _both(_help_text)
    return _help_text()


def _status(request: KeywordRequest) -> str:
    assert request.person is not None  # noqa: S101 - personal keyword
    return _status_text(request.person)


def _course(request: KeywordRequest) -> str:
    from maharat.learning.sms import course_reply

    assert request.person is not None  # noqa: S101 - personal keyword
    return course_reply(request.person)


def _register(request: KeywordRequest) -> str:
    return dialogues.register_start(phone=request.phone, person=request.person, language=request.language)


def _cancel(request: KeywordRequest) -> str:
    return _("There is nothing to cancel. Send STOP to stop messages from Maharat.")


def register_default_keywords() -> None:
    """HELP, STATUS, COURSE, REGISTER and CANCEL (called once the apps are ready)."""
    register_keyword(HELP_WORDS, _help, personal=False, name="help")
    register_keyword([*STATUS_WORDS, "وضعي"], _status, name="status")
    register_keyword(
        ["course", "courses", "دورة", "دوره", "دورتي", "الدورات", "دورات"], _course, name="course"
    )
    register_keyword(
        ["register", "signup", "sign up", "تسجيل", "سجلني"],
        _register,
        personal=False,
        name="register",
    )
    cancel_words = [w for w in dialogues.CANCEL_WORDS if not _TABLE.clashes(w)]
    register_keyword(cancel_words, _cancel, personal=False, name="cancel")


register_default_keywords()


# Routing ----------------------------------------------------------------------------------------------------


def _in_dialogue(message: Message, words: str) -> tuple[str, str, str] | None:
    conversation = dialogues.active_conversation(message.phone)
    if conversation is None:
        return None
    match = _TABLE.match(message.text)
    if dialogues.is_cancel(message.text) or (match is not None and match.name == "cancel" and not match.args):
        return Route.DIALOGUE, dialogues.dialogue_cancel(conversation, message), conversation.language
    if words in OPT_OUT_WORDS:
        dialogues.dialogue_cancel(conversation, message)
        return None  # the opt-out below still applies
    reply = dialogues.dialogue_step(conversation, message)
    return Route.DIALOGUE, reply or "", conversation.language


def _open_ticket(phone: str) -> bool:
    return Ticket.objects.filter(phone=phone).exclude(status=TicketStatus.CLOSED).exists()


def _keyword(message: Message, person: Person | None, language: str) -> tuple[str, str, str] | None:
    match = _TABLE.match(message.text)
    if match is None:
        return None
    registered = _HANDLERS.get(match.name)
    if registered is None or (registered.personal and person is None):
        return None
    if person is None:
        language = language_of(message.text)
    request = KeywordRequest(
        message=message, person=person, phone=message.phone, args=match.args, language=language
    )
    with translation.override(language):
        text = registered.handler(request)
    if text is None:
        return None
    # Unknown numbers asking for HELP get both languages: the reply's language is then nobody's.
    return match.name, text, "" if (person is None and match.name == "help") else language


def _answer(message: Message) -> tuple[str, str, str] | None:
    """The route, reply text (empty for no reply) and its language, after acting on it; None when not understood."""
    from maharat.programmes.sms import sms_handle

    person = message.person
    words = normalize_text(message.text)
    language = person.preferred_language if person is not None else language_of(message.text)
    actor = f"sms:{message.phone}"
    in_dialogue = _in_dialogue(message, words)
    if in_dialogue is not None:
        return in_dialogue
    if words in OPT_OUT_WORDS or words in OPT_IN_WORDS:
        opted_out = words in OPT_OUT_WORDS
        optout_set(actor=actor, phone=message.phone, person=person, opted_out=opted_out, keyword=words)
        with translation.override(language):
            text = _opted_out_text() if opted_out else _opted_in_text()
        return (Route.OPT_OUT if opted_out else Route.OPT_IN), text, language
    reply = sms_handle(phone=message.phone, text=message.text)
    if reply is not None:
        return Route.PROGRAMMES, reply.text, language
    keyword = _keyword(message, person, language)
    if keyword is not None:
        name, text, reply_language = keyword
        # HELP and STATUS keep the routes they always had, for the reports that count them.
        route = {"help": Route.HELP, "status": Route.STATUS}.get(name, Route.KEYWORD)
        return route, text, reply_language
    if not _open_ticket(message.phone):
        entry = faq_find(message.text)
        if entry is not None:
            return Route.FAQ, entry.answer_for(language), language
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
        if _TABLE.match(message.text) is None:
            _ticket(message)
        return Route.UNKNOWN_NUMBER, "" if invited else _both(_unknown_text), ""
    return None


def _ticket(message: Message) -> None:
    from maharat.messaging.helpdesk import ticket_receive

    ticket_receive(message=message, acknowledge=message.person is not None)


def inbound_route(message: Message) -> Message | None:
    """Act on a stored incoming message and answer it; returns the reply, or None when nobody understood it."""
    if message.direction != Direction.IN or message.status != Status.RECEIVED:
        return None
    with transaction.atomic():
        answer = _answer(message)
        if answer is None:
            _ticket(message)
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
