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

With a broker (production), the gateway's request only stores the message ("pending": one INSERT, refused
as a duplicate by the unique gateway id) and kicks a routing batch in the worker; the request answers at
once. ``inbound_route_batch`` claims up to a batch of pending messages in one transaction (``FOR UPDATE
SKIP LOCKED`` on PostgreSQL, so concurrent batches take disjoint sets, and never a message whose number
has an earlier one still pending, so one number's messages are routed in order), finds their senders in
one query, routes each under its own savepoint, and commits once. A worker killed mid-batch rolls the
whole batch back: its messages are pending again and the next batch (or the dispatcher) routes them; the
replies' keys make a second routing answer nothing twice. Without a broker (tests, the embedded demo) the
request routes the message itself, as before.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import translation
from django.utils.translation import gettext as _

from maharat.core.text import normalize_text
from maharat.messaging import dialogues
from maharat.messaging.channels.base import InboundMessage
from maharat.messaging.choices import Direction, Route, Status
from maharat.messaging.delivery import eager
from maharat.messaging.faq import faq_find
from maharat.messaging.keywords import KeywordTable
from maharat.messaging.models import Channel, Message
from maharat.messaging.models_conversations import Conversation, ConversationState, Ticket, TicketStatus
from maharat.messaging.parts import sms_parts
from maharat.messaging.schedule import day_start
from maharat.messaging.services import (
    message_send_to_person,
    message_send_to_phone,
    optout_set,
    outbox_prefetch,
)
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


def inbound_receive(
    *, channel: Channel, inbound: InboundMessage, pending: bool = False
) -> tuple[Message, bool]:
    """Store a message from a phone once per gateway id; returns the row and whether it is new.

    ``pending`` stores it for a routing batch: status "pending", and the sender is looked up by the batch.
    The insert is tried first and a duplicate gateway id is refused by the unique key (one statement for a
    new message, in autocommit; a savepoint inside a transaction).
    """
    key = f"in:{channel.pk}:{inbound.gateway_id}" if inbound.gateway_id else None
    message = Message(
        direction=Direction.IN,
        person=None if pending else Person.objects.active().filter(phone=inbound.sender).first(),
        phone=inbound.sender,
        channel=channel,
        text=inbound.text,
        language=language_of(inbound.text),
        idempotency_key=key,
        status=Status.PENDING if pending else Status.RECEIVED,
        gateway_id=inbound.gateway_id,
        parts=sms_parts(inbound.text),
    )
    try:
        if connection.in_atomic_block:
            with transaction.atomic():
                message.save()
        else:
            message.save()
    except IntegrityError:
        if key is None:
            raise
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


# Numbers a routing batch found without a running dialogue (it looked them all up in one query).
_NO_DIALOGUE: ContextVar[frozenset[str]] = ContextVar("maharat_inbound_no_dialogue", default=frozenset())
# Messages a routing batch answered, by route: marked handled with one statement per route at its end.
_HANDLED: ContextVar[dict[str, list[int]] | None] = ContextVar("maharat_inbound_handled", default=None)


def _in_dialogue(message: Message, words: str) -> tuple[str, str, str] | None:
    if message.phone in _NO_DIALOGUE.get():
        return None
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


_UNROUTED = (Status.RECEIVED, Status.PENDING)


def inbound_route(message: Message) -> Message | None:
    """Act on a stored incoming message and answer it; returns the reply, or None when nobody understood it.

    A message nobody understood ends "received, not handled" (in a helpdesk ticket), an answered one
    "handled" with its route.
    """
    if message.direction != Direction.IN or message.status not in _UNROUTED:
        return None
    with transaction.atomic():
        answer = _answer(message)
        if answer is None:
            _ticket(message)
            if message.status == Status.PENDING:
                Message.objects.filter(pk=message.pk, status=Status.PENDING).update(status=Status.RECEIVED)
                message.status = Status.RECEIVED
            return None
        route, text, language = answer
        reply = _reply(message, text, language) if text else None
        handled = _HANDLED.get()
        if handled is None:
            Message.objects.filter(pk=message.pk, status__in=_UNROUTED).update(
                status=Status.HANDLED, route=route
            )
    if handled is not None:
        handled.setdefault(route, []).append(message.pk)  # the batch records them per route when it ends
    message.status, message.route = Status.HANDLED, route
    return reply


def _route_safely(message: Message) -> None:
    """Route a message; a routing error leaves it "received, not handled" for staff (never routed again)."""
    try:
        inbound_route(message)
    except Exception:
        logger.exception("routing incoming message %s failed; it waits for staff", message.pk)
        # Whatever the copy in memory says: the routing's savepoint was rolled back.
        if Message.objects.filter(pk=message.pk, status=Status.PENDING).update(status=Status.RECEIVED):
            message.status = Status.RECEIVED


def inbound_batch_size() -> int:
    """How many pending messages one routing batch claims (``MESSAGING_INBOUND_BATCH_SIZE``, 20 by default).

    Small, because a batch's replies are queued when it commits: the first message waits for the last.
    """
    return max(int(getattr(settings, "MESSAGING_INBOUND_BATCH_SIZE", 20)), 1)


def _claim_pending(limit: int) -> list[Message]:
    """Lock up to ``limit`` pending messages, oldest first, none whose number has an earlier one pending."""
    earlier = Message.objects.filter(status=Status.PENDING, phone=OuterRef("phone"), pk__lt=OuterRef("pk"))
    claim = (
        Message.objects.filter(status=Status.PENDING, direction=Direction.IN)
        .exclude(Exists(earlier))
        .select_related("channel")
        .order_by("pk")
    )
    if connection.features.has_select_for_update_skip_locked:
        claim = claim.select_for_update(skip_locked=True, of=("self",))
    return list(claim[:limit])


def inbound_route_batch(*, limit: int | None = None) -> int:
    """Claim and route up to a batch of pending incoming messages in one transaction; returns how many."""
    with transaction.atomic():
        messages = _claim_pending(limit or inbound_batch_size())
        if not messages:
            return 0
        senders: dict[str, Person] = {}
        for person in Person.objects.active().filter(phone__in={m.phone for m in messages}):
            senders.setdefault(person.phone or "", person)  # the same person as ``.first()`` finds
        known = []
        for message in messages:
            message.person = senders.get(message.phone)
            if message.person is not None:
                known.append(message)
        if known:
            Message.objects.bulk_update(known, ["person"])
        phones = {m.phone for m in messages}  # one message per number in a batch (see ``_claim_pending``)
        talking = set(
            Conversation.objects.filter(phone__in=phones, state=ConversationState.ACTIVE).values_list(
                "phone", flat=True
            )
        )
        handled: dict[str, list[int]] = {}
        token = _NO_DIALOGUE.set(frozenset(phones - talking))
        handled_token = _HANDLED.set(handled)
        try:
            with outbox_prefetch(phones, fresh_keys=[f"reply:{m.pk}" for m in messages]):
                for message in messages:
                    _route_safely(message)
        finally:
            _NO_DIALOGUE.reset(token)
            _HANDLED.reset(handled_token)
        for route, ids in handled.items():
            Message.objects.filter(pk__in=ids, status=Status.PENDING).update(
                status=Status.HANDLED, route=route
            )
    return len(messages)


def inbound_pending() -> bool:
    """Whether any incoming message waits to be routed."""
    return Message.objects.filter(status=Status.PENDING).exists()


def inbound_handle(*, channel: Channel, inbound: InboundMessage) -> tuple[Message, bool]:
    """Store a gateway's message and, the first time only, route it; a routing error leaves it for staff.

    With a broker the message is only stored (pending) and a routing batch is kicked; without one it is
    routed here and now.
    """
    if not eager():
        from maharat.messaging.tasks import inbound_kick

        message, created = inbound_receive(channel=channel, inbound=inbound, pending=True)
        if created:
            transaction.on_commit(inbound_kick, robust=True)
        return message, created
    message, created = inbound_receive(channel=channel, inbound=inbound)
    if created:
        _route_safely(message)
    return message, created
