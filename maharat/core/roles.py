"""Roles a user can hold, and helpers that read them without touching other apps' models."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user does on the platform; staff roles are held through an organization membership."""

    BENEFICIARY = "beneficiary", _("Beneficiary")
    PROGRAMME_OFFICER = "programme_officer", _("Programme officer")
    EMPLOYER_RECRUITER = "employer_recruiter", _("Employer recruiter")
    TRAINING_PROVIDER = "training_provider", _("Training provider staff")
    MENTOR = "mentor", _("Mentor")
    RESEARCHER = "researcher", _("Researcher")
    ADMIN = "admin", _("Platform administrator")


STAFF_ROLES = frozenset(
    {Role.PROGRAMME_OFFICER, Role.EMPLOYER_RECRUITER, Role.TRAINING_PROVIDER, Role.MENTOR, Role.RESEARCHER}
)


def user_roles(user: Any) -> frozenset[str]:
    """All roles of a user: memberships, beneficiary (a linked person) and administrator."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_maharat_roles", None)
    if cached is not None:
        return cached
    roles: set[str] = set(user.memberships.filter(active=True).values_list("role", flat=True))
    if getattr(user, "is_superuser", False):
        roles.add(Role.ADMIN)
    if _has_person(user):
        roles.add(Role.BENEFICIARY)
    result = frozenset(roles)
    user._maharat_roles = result
    return result


def _has_person(user: Any) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return user.person is not None
    except ObjectDoesNotExist:
        return False


def has_role(user: object, *roles: str) -> bool:
    """True when the user holds any of the roles."""
    return bool(user_roles(user) & set(roles))


def primary_role(user: object) -> str | None:
    """The role that decides the user's home page: administrator first, beneficiary last."""
    roles = user_roles(user)
    for role in (
        Role.ADMIN,
        Role.PROGRAMME_OFFICER,
        Role.TRAINING_PROVIDER,
        Role.RESEARCHER,
        Role.EMPLOYER_RECRUITER,
        Role.MENTOR,
        Role.BENEFICIARY,
    ):
        if role in roles:
            return role
    return None
