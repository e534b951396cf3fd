"""Who may see or do what in mentoring: the only place that decides it.

- Administrators see and manage every mentor, request and pairing.
- Programme officers of the organization that runs the mentoring manage its mentors, mentee requests and
  pairings, and see only those of their own organizations.
- A mentor (a user with the mentor role, or any staff user with a profile) sees only their own mentees,
  and of them only the name and the goals; they reach the mentee through the platform, never by number.
- A mentee sees only their own mentor and sessions, never the mentor's notes.
- The mentor's notes on a session are for the mentor and the managing staff only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from maharat.core.roles import STAFF_ROLES, Role, user_roles
from maharat.mentoring.choices import PairingStatus, SessionStatus
from maharat.mentoring.models import MenteeRequest, MentorProfile, Pairing, Session
from maharat.people.access import is_admin, organization_ids
from maharat.people.models import Organization

MANAGER_ROLES = frozenset({Role.PROGRAMME_OFFICER})
MENTOR_ROLES = frozenset(STAFF_ROLES | {Role.MENTOR})


def managed_org_ids(user: Any) -> list[int]:
    """Organizations whose mentoring the user runs (as programme officer)."""
    return organization_ids(user, MANAGER_ROLES)


def can_manage_mentoring(user: Any) -> bool:
    """The staff dashboard: administrators and programme officers."""
    return is_admin(user) or bool(managed_org_ids(user))


def managing_organizations(user: Any) -> QuerySet[Organization]:
    """Organizations in whose name the user may run mentoring."""
    if is_admin(user):
        return Organization.objects.filter(active=True)
    return Organization.objects.filter(pk__in=managed_org_ids(user))


def can_manage_org(user: Any, organization_id: int) -> bool:
    """Whether the user runs the mentoring of this organization."""
    return is_admin(user) or organization_id in managed_org_ids(user)


def may_mentor(user: Any) -> bool:
    """Users who may hold a mentor profile: mentors, any staff user, administrators."""
    return is_admin(user) or bool(user_roles(user) & MENTOR_ROLES)


def own_profile(user: Any) -> MentorProfile | None:
    """The user's own mentor profile, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return MentorProfile.objects.filter(user=user).select_related("organization", "governorate").first()


def mentor_organizations(user: Any) -> QuerySet[Organization]:
    """Organizations a mentor may mentor for: those of their memberships (every one for administrators)."""
    if is_admin(user):
        return Organization.objects.filter(active=True)
    return Organization.objects.filter(pk__in=organization_ids(user, MENTOR_ROLES))


def visible_mentors(user: Any) -> QuerySet[MentorProfile]:
    """Mentor profiles the user manages."""
    if is_admin(user):
        return MentorProfile.objects.all()
    return MentorProfile.objects.filter(organization_id__in=managed_org_ids(user))


def can_edit_profile(user: Any, profile: MentorProfile) -> bool:
    """The mentor themself, and the staff of the organization the profile mentors for."""
    if getattr(user, "is_authenticated", False) and profile.user_id == user.pk:
        return True
    return can_manage_org(user, profile.organization_id)


def visible_requests(user: Any) -> QuerySet[MenteeRequest]:
    """Mentee requests of the organizations the user manages."""
    if is_admin(user):
        return MenteeRequest.objects.all()
    return MenteeRequest.objects.filter(organization_id__in=managed_org_ids(user))


def managed_pairings(user: Any) -> QuerySet[Pairing]:
    """Pairings the user oversees as staff: those of their organizations' mentors."""
    if is_admin(user):
        return Pairing.objects.all()
    return Pairing.objects.filter(mentor__organization_id__in=managed_org_ids(user))


def mentor_pairings(user: Any) -> QuerySet[Pairing]:
    """The user's own mentees, as mentor."""
    if not getattr(user, "is_authenticated", False):
        return Pairing.objects.none()
    return Pairing.objects.filter(mentor__user=user)


def mentee_pairings(user: Any) -> QuerySet[Pairing]:
    """The user's own mentors, as mentee."""
    if not getattr(user, "is_authenticated", False):
        return Pairing.objects.none()
    return Pairing.objects.filter(mentee__user=user, mentee__merged_into__isnull=True)


def can_oversee(user: Any, pairing: Pairing) -> bool:
    """Staff who run the mentoring of the pairing's organization."""
    return can_manage_org(user, pairing.mentor.organization_id)


def is_pairing_mentor(user: Any, pairing: Pairing) -> bool:
    """Whether the user is the mentor of this pairing."""
    return getattr(user, "is_authenticated", False) and pairing.mentor.user_id == user.pk


def is_pairing_mentee(user: Any, pairing: Pairing) -> bool:
    """Whether the user is the mentee of this pairing."""
    return getattr(user, "is_authenticated", False) and pairing.mentee.user_id == user.pk


def can_view_pairing(user: Any, pairing: Pairing) -> bool:
    """The mentor, the managing staff (the mentee has their own page)."""
    return is_pairing_mentor(user, pairing) or can_oversee(user, pairing)


def can_run_sessions(user: Any, pairing: Pairing) -> bool:
    """Schedule sessions and record whether they were held: the mentor and the managing staff, while active."""
    return pairing.status == PairingStatus.ACTIVE and can_view_pairing(user, pairing)


def can_see_notes(user: Any, pairing: Pairing) -> bool:
    """The mentor's notes on the pairing's sessions: the mentor and the managing staff, never the mentee."""
    return can_view_pairing(user, pairing)


def can_give_feedback(user: Any, session: Session) -> bool:
    """Only the mentee rates a session, once it was held and not yet rated."""
    return (
        is_pairing_mentee(user, session.pairing)
        and session.status == SessionStatus.HELD
        and session.feedback_rating is None
    )


def mentee_card(pairing: Pairing) -> dict[str, Any]:
    """What a mentor may know of a mentee: the name and the goals, nothing else of the record."""
    person = pairing.mentee
    request = pairing.request
    return {
        "name": person.display_name,
        "goals": request.goals,
        "sector": request.get_sector_display() if request.sector else "",
        "skills": [s.label for s in request.skills.all()],
        "language": request.get_language_display(),
    }
