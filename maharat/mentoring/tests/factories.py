"""Test data for mentoring: mentors of the Mafraq partner, requests of the personas, a confirmed pair."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from maharat.core.models import Governorate
from maharat.core.roles import Role
from maharat.core.testing import Personas
from maharat.mentoring import services
from maharat.mentoring.models import MenteeRequest, MentorProfile, Pairing, Session
from maharat.people.models import Membership, Organization, Person
from maharat.skills.models import Skill, SkillGroup


def skill(code: str = "digital-e-payments") -> Skill:
    """A curated skill."""
    item, _created = Skill.objects.get_or_create(
        code=code, defaults={"label_en": code, "label_ar": code, "group": SkillGroup.DIGITAL, "curated": True}
    )
    return item


def gov(code: str) -> Governorate:
    """A governorate by code."""
    return Governorate.objects.get(code=code)


def mentor_user(username: str, organization: Organization) -> Any:
    """A user with the mentor role in the organization."""
    user = get_user_model().objects.create_user(username=username, password="x-Maharat-2026")
    Membership.objects.create(user=user, organization=organization, role=Role.MENTOR)
    return user


def make_mentor(
    personas: Personas,
    user: Any = None,
    *,
    organization: Organization | None = None,
    skills: list[Skill] | None = None,
    **fields: Any,
) -> MentorProfile:
    """A mentor profile (the mentor persona by default, mentoring for the Mafraq partner)."""
    organization = organization or personas.partner
    if user is None:
        user = personas.mentor
        Membership.objects.get_or_create(user=user, organization=organization, role=Role.MENTOR)
    values: dict[str, Any] = {
        "display_name": f"Mentor {user.username}",
        "sex": "F",
        "sectors": ["G"],
        "languages": ["ar"],
        "governorate": gov("MA"),
        "remote": True,
        "capacity": 2,
    }
    values.update(fields)
    return services.mentor_profile_save(
        actor=personas.officer,
        profile=MentorProfile(user=user, organization=organization, **values),
        skills=skills if skills is not None else [skill()],
    )


def make_request(
    personas: Personas,
    person: Person | None = None,
    *,
    organization: Organization | None = None,
    skills: list[Skill] | None = None,
    **fields: Any,
) -> MenteeRequest:
    """A mentee request (Amal's by default)."""
    person = person or personas.amal
    values: dict[str, Any] = {
        "goals": "Sell embroidery online",
        "sector": "G",
        "language": "ar",
        "governorate": person.governorate,
        "remote_ok": True,
    }
    values.update(fields)
    return services.mentee_request_create(
        actor=personas.officer,
        request=MenteeRequest(person=person, organization=organization or personas.partner, **values),
        skills=skills if skills is not None else [skill()],
    )


def make_pairing(personas: Personas, **mentor_fields: Any) -> Pairing:
    """Amal paired with the mentor persona."""
    mentor = make_mentor(personas, **mentor_fields)
    request = make_request(personas, wants_female_mentor=True)
    [pairing] = services.pairings_confirm(
        actor=personas.officer,
        choices=[services.PairChoice(request.pk, mentor.pk)],
        org_ids=[personas.partner.pk],
    )
    return pairing


def held_session(personas: Personas, pairing: Pairing, *, days_ago: int = 2) -> Session:
    """A session scheduled, moved into the past (tests only) and recorded as held."""
    session = services.session_schedule(
        actor=personas.mentor,
        pairing=pairing,
        starts_at=timezone.now() + dt.timedelta(hours=2),
        meeting_url="https://meet.example.org/x",
    )
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - dt.timedelta(days=days_ago))
    return services.session_record(actor=personas.mentor, session=session, status="held", notes="secret note")
