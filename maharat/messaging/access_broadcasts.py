"""Who may broadcast to whom, and whom an organization's segments, broadcasts and API token reach.

An organization reaches the people it may see in the registry (``people.access``: they consented to register
with it or to share their record with it) who also consented to receive text messages. Staff broadcast for
the organizations where they are programme officers or training-provider staff; administrators for any.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from maharat.messaging.models_api import Broadcast, Segment
from maharat.people import access as people_access
from maharat.people.access import REGISTRY_ROLES, is_admin, organization_ids
from maharat.people.choices import ConsentPurpose
from maharat.people.models import Consent, Organization, Person, valid_consent_q


def organization_people(organization: Organization) -> QuerySet[Person]:
    """People the organization may see in the registry (active records only)."""
    return people_access.organization_people([organization.pk])


def messageable_people(organization: Organization) -> QuerySet[Person]:
    """People the organization may see who consented to receive text messages: whom it may broadcast to."""
    messaging = Consent.objects.filter(person=OuterRef("pk")).filter(
        valid_consent_q(ConsentPurpose.MESSAGING)
    )
    return organization_people(organization).filter(Exists(messaging))


def broadcast_organizations(user: Any) -> QuerySet[Organization]:
    """Organizations the user may broadcast for and whose broadcasts they may read."""
    if is_admin(user):
        return Organization.objects.filter(active=True)
    return Organization.objects.filter(pk__in=organization_ids(user, REGISTRY_ROLES))


def can_broadcast(user: Any) -> bool:
    """The staff Broadcasts pages."""
    return broadcast_organizations(user).exists()


def can_broadcast_for(user: Any, organization: Organization) -> bool:
    """Whether the user may broadcast (and manage segments and tokens) for this organization."""
    return broadcast_organizations(user).filter(pk=organization.pk).exists()


def visible_broadcasts(user: Any) -> QuerySet[Broadcast]:
    """Broadcasts of the organizations the user works for."""
    return Broadcast.objects.filter(organization__in=broadcast_organizations(user))


def visible_segments(user: Any) -> QuerySet[Segment]:
    """Segments of the organizations the user works for."""
    return Segment.objects.filter(organization__in=broadcast_organizations(user))
