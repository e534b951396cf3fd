"""Who may see what of matching: the only place that decides it.

- A beneficiary sees their own recommended opportunities, nobody else's.
- An employer recruiter sees the ranked candidates of their own organization's offers, never another
  employer's ranking. Among the candidates (people who consented to being shown to employers — the engine
  lists no one else), a recruiter sees:
  * by name, the people who applied to this offer, or whose consent for matching or for sharing names the
    employer's organization;
  * under a pseudonym (skills, governorate and score only, no name, contact, age or identity), the people
    whose matching consent names no organization, i.e. "show my profile to employers" in general;
  * nobody else: a person whose matching consent names other organizations only is left out.
- Programme staff (programme officers, administrators) run the engine and read the fairness audit, which
  shows counts by group, never a person.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings

from maharat.core.roles import Role, user_roles
from maharat.opportunities.access import can_manage_opportunity, own_person
from maharat.opportunities.models import Application, Opportunity
from maharat.people.access import is_admin
from maharat.people.choices import ConsentPurpose
from maharat.people.models import Consent, Person, valid_consent_q

IDENTIFIED = "identified"
PSEUDONYMOUS = "pseudonymous"


def seeker(user: Any) -> Person | None:
    """The registry record of a logged-in beneficiary (None for anyone else)."""
    return own_person(user)


def can_run_matching(user: Any) -> bool:
    """Start and resume runs, see their progress, read the fairness audit: programme officers and admins."""
    return is_admin(user) or Role.PROGRAMME_OFFICER in user_roles(user)


def can_rank_candidates(user: Any, opportunity: Opportunity) -> bool:
    """See an offer's ranked candidates: its own employer's recruiters and administrators."""
    return can_manage_opportunity(user, opportunity)


def candidate_visibility(opportunity: Opportunity, person_ids: list[int]) -> dict[int, str]:
    """How far each of these people may be shown to the offer's employer (absent: not at all).

    Consent is read now, not when the list was computed: a withdrawn matching consent hides the person at once
    (unless they applied to this offer themself).
    """
    applied = set(
        Application.objects.filter(opportunity=opportunity, person_id__in=person_ids).values_list(
            "person_id", flat=True
        )
    )
    matching = Consent.objects.filter(person_id__in=person_ids).filter(
        valid_consent_q(ConsentPurpose.MATCHING)
    )
    consenting = set(matching.values_list("person_id", flat=True))
    named = set(
        Consent.objects.filter(person_id__in=consenting, organizations=opportunity.employer_id)
        .filter(valid_consent_q(ConsentPurpose.MATCHING) | valid_consent_q(ConsentPurpose.SHARING))
        .values_list("person_id", flat=True)
    )
    general = set(matching.filter(organizations__isnull=True).values_list("person_id", flat=True))
    out: dict[int, str] = {}
    for pk in person_ids:
        if pk in applied or pk in named:
            out[pk] = IDENTIFIED
        elif pk in general:
            out[pk] = PSEUDONYMOUS
    return out


def pseudonym(person_id: int, opportunity_id: int) -> str:
    """A label for a candidate that differs from offer to offer, so employers cannot link people across offers."""
    key = settings.PSEUDONYM_KEY.encode()
    digest = hmac.new(key, f"candidate:{opportunity_id}:{person_id}".encode(), hashlib.sha256).hexdigest()
    return digest[:6].upper()
