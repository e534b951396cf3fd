"""Writes of the helpdesk: tickets from messages nobody's keyword understood, replies, assignment, closing.

A message the router cannot answer joins the open ticket of its phone number, or opens one (with a short
acknowledgement, once per ticket). The ticket belongs to the organization whose staff may see the person:
the organization that registered them, else one their registration consent names, else the platform's
operating organization (``MESSAGING_HELPDESK_ORGANIZATION``, a slug, else the first active implementing
agency); a ticket with no organization is seen by administrators only. Staff replies go out as essential
messages through the outbox; the first one sets the ticket's time to first response. Every write is
audited. FAQ entries and canned replies written on staff pages are audited too.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from maharat.core.audit import audit_record
from maharat.core.errors import DomainError
from maharat.core.models import AuditAction
from maharat.messaging import access
from maharat.messaging.choices import Direction
from maharat.messaging.models import Message
from maharat.messaging.models_conversations import (
    Conversation,
    FaqEntry,
    FaqTopic,
    Survey,
    SurveyResponse,
    Ticket,
    TicketStatus,
)
from maharat.messaging.services import message_send_to_person, message_send_to_phone
from maharat.people.choices import ConsentPurpose, OrganizationKind
from maharat.people.models import Organization, Person, valid_consent_q

MAX_REPLY_CHARS = 640


def operating_organization() -> Organization | None:
    """The organization that runs the platform's helpdesk for numbers no partner answers for."""
    slug = str(getattr(settings, "MESSAGING_HELPDESK_ORGANIZATION", "") or "")
    if slug:
        found = Organization.objects.filter(slug=slug, active=True).first()
        if found is not None:
            return found
    agencies = Organization.objects.filter(kind=OrganizationKind.IMPLEMENTING_AGENCY, active=True)
    return agencies.order_by("pk").first()


def helpdesk_organization(person: Person | None) -> Organization | None:
    """Whose staff answer this person: registering organization, then consented one, then the operator."""
    if person is not None:
        if (
            person.registered_by_id is not None
            and person.registered_by is not None
            and person.registered_by.active
        ):
            return person.registered_by
        consent = (
            person.consents.filter(valid_consent_q(ConsentPurpose.REGISTRATION))
            .filter(organizations__active=True)
            .order_by("pk")
            .first()
        )
        if consent is not None:
            return consent.organizations.filter(active=True).order_by("pk").first()
    return operating_organization()


def _ack_text() -> str:
    return _("Thank you for your message. A member of our team will answer you soon.")


@transaction.atomic
def ticket_receive(*, message: Message, acknowledge: bool = True) -> tuple[Ticket, bool]:
    """Add an incoming message to its phone's open ticket, or open one (acknowledged to the sender when asked);
    returns the ticket and whether it is new."""
    now = timezone.now()
    ticket = (
        Ticket.objects.select_for_update()
        .filter(phone=message.phone)
        .exclude(status=TicketStatus.CLOSED)
        .order_by("-pk")
        .first()
    )
    created = ticket is None
    if ticket is None:
        ticket, created = _ticket_open(message, now)
    if created:
        audit_record(
            actor=f"sms:{message.phone}",
            action=AuditAction.CREATE,
            subject=ticket,
            person_id=message.person_id,
            fields=["status", "organization"],
            reason="helpdesk ticket opened by a text message",
        )
    else:
        ticket.status = TicketStatus.OPEN
        ticket.last_message_at = now
        if ticket.person_id is None and message.person_id is not None:
            ticket.person = message.person
        ticket.save(update_fields=["status", "last_message_at", "person", "updated_at"])
    ticket.messages.add(message)
    if created and acknowledge:
        language = ticket.language
        with translation.override(language):
            ack = _send(ticket, _ack_text(), language, key=f"ticket:{ticket.pk}:ack", reply_to=message)
        ticket.messages.add(ack)
    return ticket, created


def _ticket_open(message: Message, now: Any) -> tuple[Ticket, bool]:
    language = (message.person.preferred_language if message.person else "") or message.language or "ar"
    try:
        with transaction.atomic():
            ticket = Ticket.objects.create(
                person=message.person,
                phone=message.phone,
                organization=helpdesk_organization(message.person),
                language=language,
                last_message_at=now,
            )
    except IntegrityError:
        # Another message from the phone opened its ticket a moment ago: one open ticket per phone.
        return Ticket.objects.select_for_update().exclude(status=TicketStatus.CLOSED).get(
            phone=message.phone
        ), False
    return ticket, True


def _send(ticket: Ticket, text: str, language: str, *, key: str, reply_to: Message | None) -> Message:
    if ticket.person is not None:
        return message_send_to_person(
            person=ticket.person,
            text=text,
            language=language,
            essential=True,
            idempotency_key=key,
            reply_to=reply_to,
        )
    return message_send_to_phone(
        phone=ticket.phone,
        text=text,
        language=language,
        essential=True,
        idempotency_key=key,
        reply_to=reply_to,
    )


def _require_access(actor: Any, ticket: Ticket) -> None:
    if not access.can_work_on_ticket(actor, ticket):
        raise DomainError(_("You may not work on this ticket."))


@transaction.atomic
def ticket_reply(*, actor: Any, ticket: Ticket, text: str, nonce: str) -> Message:
    """Send the person a staff reply (once per form nonce), and start the clock's first response."""
    _require_access(actor, ticket)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write a reply.")})
    if len(text) > MAX_REPLY_CHARS:
        raise ValidationError(
            {"text": _("A reply can have at most %(n)d characters.") % {"n": MAX_REPLY_CHARS}}
        )
    if ticket.status == TicketStatus.CLOSED:
        raise DomainError(_("This ticket is closed."))
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    last_in = ticket.messages.filter(direction=Direction.IN).order_by("-pk").first()
    message = _send(
        ticket, text, ticket.language, key=f"ticket:{ticket.pk}:reply:{nonce[:64]}", reply_to=last_in
    )
    if ticket.messages.filter(pk=message.pk).exists():
        return message  # the same form sent twice: one reply
    ticket.messages.add(message)
    now = timezone.now()
    fields = ["status", "updated_at"]
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        ticket.first_response_seconds = max(0, int((now - ticket.created_at).total_seconds()))
        fields += ["first_response_at", "first_response_seconds"]
    if ticket.assignee_id is None and getattr(actor, "is_authenticated", False):
        ticket.assignee = actor
        fields.append("assignee")
    ticket.status = TicketStatus.PENDING
    ticket.save(update_fields=fields)
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=ticket,
        person_id=ticket.person_id,
        fields=fields,
        reason="helpdesk reply sent",
        detail={"message": message.pk},
    )
    return message


@transaction.atomic
def ticket_assign(*, actor: Any, ticket: Ticket, assignee: Any | None) -> Ticket:
    """Give the ticket to a staff member who may work on it (or to nobody)."""
    _require_access(actor, ticket)
    if assignee is not None and not access.can_work_on_ticket(assignee, ticket):
        raise ValidationError({"assignee": _("This person cannot work on this ticket.")})
    ticket.assignee = assignee
    ticket.save(update_fields=["assignee", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=ticket,
        person_id=ticket.person_id,
        fields=["assignee"],
        reason="helpdesk ticket assigned",
        detail={"assignee": getattr(assignee, "pk", None)},
    )
    return ticket


@transaction.atomic
def ticket_close(*, actor: Any, ticket: Ticket, topic: str) -> Ticket:
    """Close a ticket with the topic it was about; the next message from the phone opens a new one."""
    _require_access(actor, ticket)
    if topic not in FaqTopic.values:
        raise ValidationError({"topic": _("Choose what the ticket was about.")})
    if ticket.status == TicketStatus.CLOSED:
        raise DomainError(_("This ticket is closed."))
    ticket.status = TicketStatus.CLOSED
    ticket.topic = topic
    ticket.closed_at = timezone.now()
    ticket.save(update_fields=["status", "topic", "closed_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=ticket,
        person_id=ticket.person_id,
        fields=["status", "topic", "closed_at"],
        reason="helpdesk ticket closed",
    )
    return ticket


def response_times(tickets: Any) -> dict[str, float | int | None]:
    """Median and 90th percentile of the time to first response, in minutes, of the answered tickets."""
    seconds = sorted(
        s
        for s in tickets.exclude(first_response_seconds=None).values_list("first_response_seconds", flat=True)
    )
    if not seconds:
        return {"answered": 0, "median": None, "p90": None}
    p90 = seconds[min(len(seconds) - 1, max(0, -(-9 * len(seconds) // 10) - 1))]
    return {
        "answered": len(seconds),
        "median": round(statistics.median(seconds) / 60, 1),
        "p90": round(p90 / 60, 1),
    }


# FAQ ------------------------------------------------------------------------------------------------------

FAQ_FIELDS = (
    "code",
    "topic",
    "question_en",
    "question_ar",
    "answer_en",
    "answer_ar",
    "keywords_en",
    "keywords_ar",
    "active",
)


@transaction.atomic
def faq_save(*, actor: Any, entry: FaqEntry | None, data: Mapping[str, Any]) -> FaqEntry:
    """Create or change an FAQ entry after checking it fits in two text messages per language."""
    created = entry is None or entry.pk is None
    entry = entry or FaqEntry()
    changed = []
    for field in FAQ_FIELDS:
        if field in data and getattr(entry, field) != data[field]:
            setattr(entry, field, data[field])
            changed.append(field)
    entry.full_clean()
    if not changed and not created:
        return entry
    entry.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.CHANGE,
        subject=entry,
        fields=changed,
        reason="FAQ entry written",
    )
    return entry


# Surveys --------------------------------------------------------------------------------------------------

SURVEY_FIELDS = (
    "organization",
    "title",
    "question1_en",
    "question1_ar",
    "question2_en",
    "question2_ar",
    "question3_en",
    "question3_ar",
)


@transaction.atomic
def survey_create(*, actor: Any, data: Mapping[str, Any]) -> Survey:
    """A three-question survey of an organization where the actor may manage surveys."""
    organization = data.get("organization")
    if organization is None or not access.survey_organizations(actor).filter(pk=organization.pk).exists():
        raise ValidationError({"organization": _("You may not create surveys for this organization.")})
    survey = Survey(**{field: data[field] for field in SURVEY_FIELDS if field in data})
    survey.full_clean()
    survey.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        subject=survey,
        fields=list(SURVEY_FIELDS),
        reason="survey written",
    )
    return survey


def erase_person_conversations(person: Person) -> int:
    """Blank an anonymized person's dialogue answers, survey answers and ticket numbers; counts stay."""
    erased = Conversation.objects.filter(person=person).update(phone="", answers={})
    erased += SurveyResponse.objects.filter(person=person).update(answers=[])
    erased += Ticket.objects.filter(person=person).update(phone="")
    return erased
