"""Test data of matching: skills, verified employers, published offers and people's skills and consents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from maharat.core.models import Governorate
from maharat.opportunities.choices import OpportunityKind, OpportunityStatus, VerificationStatus
from maharat.opportunities.models import EmployerProfile, Opportunity, OpportunitySkill
from maharat.opportunities.work_rights_data import load_work_rights
from maharat.people.choices import ConsentChannel, ConsentPurpose
from maharat.people.models import Consent, Organization, Person
from maharat.skills.models import PersonSkill, Skill, SkillGroup


def skill(code: str, en: str, ar: str = "", broader: Skill | None = None) -> Skill:
    """A skill of the taxonomy (created once)."""
    found, _created = Skill.objects.get_or_create(
        code=code,
        defaults={"label_en": en, "label_ar": ar or en, "group": SkillGroup.TRADES, "broader": broader},
    )
    return found


def verified(org: Organization, insured: int | None = None) -> Organization:
    """Mark an organization as a verified employer."""
    EmployerProfile.objects.update_or_create(
        organization=org, defaults={"status": VerificationStatus.VERIFIED, "insured_workers": insured}
    )
    return org


def offer(
    employer: Organization,
    title: str,
    skills: list[tuple[Skill, int, int]],
    *,
    governorate: str | None = "MA",
    status: str = OpportunityStatus.PUBLISHED,
    sector: str = "S",
    **fields: Any,
) -> Opportunity:
    """An opportunity with required skills given as (skill, importance, minimum proficiency)."""
    load_work_rights()
    gov = Governorate.objects.get(code=governorate) if governorate else None
    opportunity = Opportunity.objects.create(
        employer=employer,
        kind=fields.pop("kind", OpportunityKind.JOB_FULL_TIME),
        title_en=title,
        title_ar=fields.pop("title_ar", title),
        sector=sector,
        governorate=gov,
        status=status,
        published_at=timezone.now() if status == OpportunityStatus.PUBLISHED else None,
        closing_date=fields.pop("closing_date", timezone.localdate() + dt.timedelta(days=30)),
        **fields,
    )
    for s, importance, minimum in skills:
        OpportunitySkill.objects.create(
            opportunity=opportunity, skill=s, importance=importance, min_proficiency=minimum
        )
    return opportunity


def holds(person: Person, *skills: tuple[Skill, int]) -> Person:
    """Give a person skills at proficiencies."""
    for s, level in skills:
        PersonSkill.objects.update_or_create(person=person, skill=s, defaults={"proficiency": level})
    return person


def consent(person: Person, purpose: str = ConsentPurpose.MATCHING, *orgs: Organization) -> Consent:
    """Record a valid consent of the person."""
    row = Consent.objects.create(person=person, purpose=purpose, channel=ConsentChannel.WEB)
    if orgs:
        row.organizations.set(orgs)
    return row
