"""Who may see or change which people: the only place that decides it.

- Administrators see everyone.
- Programme officers and training-provider staff see the people who consented (for registration or
  for sharing) to their organizations seeing them.
- A beneficiary sees only themself.
- Researchers see pseudonymized records of people who consented to research, never names, phones
  or identity numbers.
- Employers and mentors do not see the registry; they see candidates and mentees through their own
  apps, as far as consent allows.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet

from maharat.core.roles import Role, user_roles  # noqa: F401 - re-exported for api
from maharat.people.choices import ConsentPurpose
from maharat.people.models import Consent, Organization, Person, valid_consent_q

REGISTRY_ROLES = frozenset({Role.PROGRAMME_OFFICER, Role.TRAINING_PROVIDER})
IDENTIFIER_FIELDS = ("national_id", "moi_card_number", "unhcr_case_number")
DIRECT_IDENTIFIERS = (
    "given_name_ar",
    "family_name_ar",
    "given_name_latin",
    "family_name_latin",
    "phone",
    "locality",
    "date_of_birth",
    *IDENTIFIER_FIELDS,
)


def is_admin(user: Any) -> bool:
    """Platform administrators."""
    return Role.ADMIN in user_roles(user)


def organization_ids(user: Any, roles: frozenset[str] = REGISTRY_ROLES) -> list[int]:
    """Organizations where the user holds one of the roles (active memberships only)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        user.memberships.filter(active=True, role__in=roles, organization__active=True).values_list(
            "organization_id", flat=True
        )
    )


def can_use_registry(user: Any) -> bool:
    """Staff pages of the registry: people list, detail, imports, duplicates."""
    return is_admin(user) or bool(user_roles(user) & REGISTRY_ROLES)


def can_manage_registry(user: Any) -> bool:
    """Import, merge and review duplicates: programme officers and administrators."""
    return is_admin(user) or Role.PROGRAMME_OFFICER in user_roles(user)


def is_researcher_only(user: Any) -> bool:
    """Researchers without any other staff role get pseudonymized data only."""
    roles = user_roles(user)
    return Role.RESEARCHER in roles and not (roles & REGISTRY_ROLES) and Role.ADMIN not in roles


def _shared_with(org_ids: list[int]) -> Exists:
    consents = Consent.objects.filter(person=OuterRef("pk"), organizations__in=org_ids).filter(
        valid_consent_q(ConsentPurpose.REGISTRATION) | valid_consent_q(ConsentPurpose.SHARING)
    )
    return Exists(consents)


def organization_people(organization_ids_: list[int]) -> QuerySet[Person]:
    """Active people who registered with, or shared their record with, one of these organizations."""
    return Person.objects.active().filter(_shared_with(organization_ids_))


def visible_people(user: Any) -> QuerySet[Person]:
    """People whose full record the user may see (identifiers decided separately)."""
    people = Person.objects.active()
    if is_admin(user):
        return people
    org_ids = organization_ids(user)
    if org_ids:
        return organization_people(org_ids)
    if Role.BENEFICIARY in user_roles(user):
        return people.filter(user=user)
    return people.none()


def research_people(user: Any) -> QuerySet[Person]:
    """People a researcher may study, pseudonymized: those with valid research consent."""
    if not (is_admin(user) or Role.RESEARCHER in user_roles(user)):
        return Person.objects.none()
    consented = Consent.objects.filter(person=OuterRef("pk")).filter(valid_consent_q(ConsentPurpose.RESEARCH))
    return Person.objects.active().filter(Exists(consented))


def can_view_person(user: Any, person: Person) -> bool:
    """Whether the user may see this person's record."""
    if getattr(user, "is_authenticated", False) and person.user_id == user.pk and person.user_id is not None:
        return True
    return visible_people(user).filter(pk=person.pk).exists()


def can_edit_person(user: Any, person: Person) -> bool:
    """Programme officers in scope, administrators, and the person themself."""
    if getattr(user, "is_authenticated", False) and person.user_id == user.pk:
        return True
    if is_admin(user):
        return True
    return Role.PROGRAMME_OFFICER in user_roles(user) and can_view_person(user, person)


def can_see_identifiers(user: Any, person: Person) -> bool:
    """Identity documents: the person, administrators, and programme officers in scope."""
    return can_edit_person(user, person)


def can_merge(user: Any, keep: Person, drop: Person) -> bool:
    """Merging needs edit rights on both records."""
    return can_manage_registry(user) and can_edit_person(user, keep) and can_edit_person(user, drop)


def can_import_for(user: Any, organization: Organization) -> bool:
    """Import into an organization where the user is a programme officer (or as administrator)."""
    if is_admin(user):
        return True
    return organization.pk in organization_ids(user, frozenset({Role.PROGRAMME_OFFICER}))


def can_register_for(user: Any, organization: Organization) -> bool:
    """Register people on behalf of an organization: same rule as importing."""
    return can_import_for(user, organization)


def pseudonym(person: Person) -> str:
    """A stable pseudonym for researchers: a keyed hash that cannot be reversed without the key."""
    key = settings.PSEUDONYM_KEY.encode()
    digest = hmac.new(key, str(person.public_id).encode(), hashlib.sha256).hexdigest()
    return f"P{digest[:16]}"


def research_record(person: Person) -> dict[str, Any]:
    """What a researcher may see of a person: no names, phone, locality, exact birth date or ID numbers."""
    return {
        "pseudonym": pseudonym(person),
        "sex": person.sex,
        "birth_year": person.date_of_birth.year,
        "nationality": person.nationality,
        "legal_status": person.legal_status,
        "governorate": person.governorate.code if person.governorate_id else None,
        "female_headed_household": person.female_headed_household,
        "has_disability": person.has_disability,
        "wg": person.wg_answers(),
        "education_level": person.education_level,
        "employment_status": person.employment_status,
    }
