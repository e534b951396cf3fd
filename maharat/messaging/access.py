"""Who may see which messages: the only place that decides it for messaging.

Staff who use the registry (programme officers, training-provider staff) see the messages of the people
they may see (``people.access.visible_people``); messages to or from numbers of no registered person are
seen by administrators only, since nothing ties them to an organization.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from maharat.core.roles import Role
from maharat.messaging.models import Message
from maharat.messaging.models_conversations import Survey, Ticket
from maharat.people.access import (
    can_manage_registry,
    can_use_registry,
    is_admin,
    organization_ids,
    visible_people,
)
from maharat.people.models import Organization, Person


def can_view_messages(user: Any) -> bool:
    """The staff Messages page: administrators and registry staff."""
    return can_use_registry(user)


def visible_messages(user: Any) -> QuerySet[Message]:
    """Messages the user may read."""
    if not can_view_messages(user):
        return Message.objects.none()
    if is_admin(user):
        return Message.objects.all()
    return Message.objects.filter(person__in=visible_people(user).values("pk"))


# Conversations and the helpdesk ----------------------------------------------------------------------------
# A ticket, survey or person's conversation belongs to one organization: its staff (programme officers and
# training-provider staff) work on it; administrators see every one; nobody else sees any.


def can_use_helpdesk(user: Any) -> bool:
    """The helpdesk inbox: administrators and registry staff."""
    return can_use_registry(user)


def visible_tickets(user: Any) -> QuerySet[Ticket]:
    """Tickets of the organizations where the user works (all of them for administrators)."""
    if not can_use_helpdesk(user):
        return Ticket.objects.none()
    if is_admin(user):
        return Ticket.objects.all()
    return Ticket.objects.filter(organization_id__in=organization_ids(user))


def can_work_on_ticket(user: Any, ticket: Ticket) -> bool:
    """Read, answer, assign and close: staff of the ticket's organization, or an administrator."""
    if not can_use_helpdesk(user):
        return False
    return is_admin(user) or (
        ticket.organization_id is not None and ticket.organization_id in organization_ids(user)
    )


def can_view_conversation(user: Any, person: Person) -> bool:
    """A person's messages and tickets: staff who may see the person."""
    return can_use_helpdesk(user) and visible_people(user).filter(pk=person.pk).exists()


def can_manage_faq(user: Any) -> bool:
    """Write FAQ entries: programme officers and administrators (the answers are public, not personal)."""
    return can_manage_registry(user)


def can_manage_surveys(user: Any) -> bool:
    """Create and send follow-up surveys: programme officers and administrators."""
    return can_manage_registry(user)


def visible_surveys(user: Any) -> QuerySet[Survey]:
    """Surveys of the user's organizations (all for administrators)."""
    if not can_manage_surveys(user):
        return Survey.objects.none()
    if is_admin(user):
        return Survey.objects.all()
    return Survey.objects.filter(organization_id__in=organization_ids(user))


def survey_organizations(user: Any) -> QuerySet[Organization]:
    """Organizations a user may create surveys for."""
    if is_admin(user):
        return Organization.objects.filter(active=True)
    return Organization.objects.filter(pk__in=organization_ids(user, frozenset({Role.PROGRAMME_OFFICER})))
