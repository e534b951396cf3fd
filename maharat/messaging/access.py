"""Who may see which messages: the only place that decides it for messaging.

Staff who use the registry (programme officers, training-provider staff) see the messages of the people
they may see (``people.access.visible_people``); messages to or from numbers of no registered person are
seen by administrators only, since nothing ties them to an organization.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from maharat.messaging.models import Message
from maharat.people.access import can_use_registry, is_admin, visible_people


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
