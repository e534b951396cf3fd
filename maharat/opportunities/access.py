"""Who may see or do what with opportunities: the only place that decides it.

- Anyone sees published offers of verified employers.
- Employer recruiters manage their own organization's offers and see only the people who applied to them;
  never another employer's offers in draft, or another employer's pipeline.
- Moderators (administrators and programme officers) review flagged offers, reports and employers'
  registration documents, and follow placements up.
- A beneficiary applies for themself and sees only their own applications.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from maharat.core.roles import Role, user_roles
from maharat.opportunities.models import Application, EmployerProfile, Opportunity, Placement
from maharat.people.access import is_admin, organization_ids
from maharat.people.models import Person

EMPLOYER_ROLES = frozenset({Role.EMPLOYER_RECRUITER})


def employer_organization_ids(user: Any) -> list[int]:
    """Organizations whose offers the user manages as a recruiter."""
    return organization_ids(user, EMPLOYER_ROLES)


def is_employer(user: Any) -> bool:
    """Recruiters of at least one organization, and administrators."""
    return is_admin(user) or bool(employer_organization_ids(user))


def can_moderate(user: Any) -> bool:
    """Review flagged offers, reports and employer verification: administrators and programme officers."""
    return is_admin(user) or Role.PROGRAMME_OFFICER in user_roles(user)


def own_person(user: Any) -> Person | None:
    """The registry record of a logged-in beneficiary."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.active().filter(user=user).first()


def can_manage_employer(user: Any, organization_id: int) -> bool:
    """Post and manage offers for this organization."""
    return is_admin(user) or organization_id in employer_organization_ids(user)


def can_manage_opportunity(user: Any, opportunity: Opportunity) -> bool:
    """Edit the offer, see its applicants and move them through the pipeline."""
    return can_manage_employer(user, opportunity.employer_id)


def can_view_opportunity(user: Any, opportunity: Opportunity) -> bool:
    """Visible offers for everyone; any state for its employer and for moderators."""
    if Opportunity.objects.visible().filter(pk=opportunity.pk).exists():
        return True
    return can_manage_opportunity(user, opportunity) or can_moderate(user)


def managed_opportunities(user: Any) -> QuerySet[Opportunity]:
    """Offers the user manages."""
    if is_admin(user):
        return Opportunity.objects.all()
    return Opportunity.objects.filter(employer_id__in=employer_organization_ids(user))


def visible_applications(user: Any) -> QuerySet[Application]:
    """Applications the user may see: to offers they manage, or their own."""
    if is_admin(user):
        return Application.objects.all()
    org_ids = employer_organization_ids(user)
    if org_ids:
        return Application.objects.filter(opportunity__employer_id__in=org_ids)
    if Role.BENEFICIARY in user_roles(user):
        return Application.objects.filter(person__user=user)
    return Application.objects.none()


def is_own_application(user: Any, application: Application) -> bool:
    """The applicant themself."""
    return bool(getattr(user, "is_authenticated", False) and application.person.user_id == user.pk)


def can_manage_application(user: Any, application: Application) -> bool:
    """Shortlist, invite, record outcomes and message the candidate: the offer's employer."""
    return can_manage_opportunity(user, application.opportunity)


def can_view_application(user: Any, application: Application) -> bool:
    """The applicant and the offer's employer."""
    return is_own_application(user, application) or can_manage_application(user, application)


def can_view_employer_document(user: Any, profile: EmployerProfile) -> bool:
    """The registration document: moderators and the employer's own recruiters."""
    return can_moderate(user) or can_manage_employer(user, profile.organization_id)


def can_follow_up(user: Any, placement: Placement) -> bool:
    """Record retention checks: moderators and the employer."""
    return can_moderate(user) or can_manage_opportunity(user, placement.opportunity)


def can_report(user: Any) -> bool:
    """Anyone logged in may report an offer."""
    return bool(getattr(user, "is_authenticated", False))
