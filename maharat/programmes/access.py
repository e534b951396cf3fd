"""Who may see or do what in programmes: the only place that decides it.

- Administrators manage every programme.
- Programme officers manage the programmes their organization owns: its calls, applicants, selections.
- A beneficiary sees open calls, applies for themself, and sees only their own applications.
- Everyone else (employers, trainers, mentors, researchers) sees no applicants here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from maharat.core.roles import Role, user_roles
from maharat.people.access import is_admin, organization_ids
from maharat.programmes.models import Application, Call, Programme

MANAGER_ROLES = frozenset({Role.PROGRAMME_OFFICER})


def managed_organization_ids(user: Any) -> list[int]:
    """Organizations whose programmes the user manages as a programme officer."""
    return organization_ids(user, MANAGER_ROLES)


def can_use_programmes(user: Any) -> bool:
    """Staff pages of programmes: administrators and programme officers."""
    return is_admin(user) or Role.PROGRAMME_OFFICER in user_roles(user)


def visible_programmes(user: Any) -> QuerySet[Programme]:
    """Programmes the user manages."""
    if is_admin(user):
        return Programme.objects.all()
    return Programme.objects.filter(owner_id__in=managed_organization_ids(user))


def can_manage_programme(user: Any, programme: Programme) -> bool:
    """Edit a programme, its calls and rules, run selections, and act on its applications."""
    return is_admin(user) or programme.owner_id in managed_organization_ids(user)


def can_manage_call(user: Any, call: Call) -> bool:
    """Same rule as the call's programme."""
    return is_admin(user) or call.programme.owner_id in managed_organization_ids(user)


def visible_calls(user: Any) -> QuerySet[Call]:
    """Calls of the programmes the user manages."""
    return Call.objects.filter(programme__in=visible_programmes(user))


def visible_applications(user: Any) -> QuerySet[Application]:
    """Applications the user may see: those to calls they manage, or their own."""
    if is_admin(user):
        return Application.objects.all()
    org_ids = managed_organization_ids(user)
    if org_ids:
        return Application.objects.filter(call__programme__owner_id__in=org_ids)
    if Role.BENEFICIARY in user_roles(user):
        return Application.objects.filter(person__user=user)
    return Application.objects.none()


def is_own_application(user: Any, application: Application) -> bool:
    """The beneficiary whose application it is."""
    return bool(getattr(user, "is_authenticated", False) and application.person.user_id == user.pk)
