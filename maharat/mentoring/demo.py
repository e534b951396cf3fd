"""The demo of mentoring: three mentors of the Livelihoods Agency, mentee requests, and Amal's mentor.

Amal asked for a female mentor; the demo "mentor" account (Huda) is her mentor, with one session held last
week and the next one tomorrow, so the reminder command has something to send. The other requests wait for
the programme officer to run the suggestion on the mentoring dashboard.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from maharat.core.models import Governorate
from maharat.core.roles import Role
from maharat.mentoring import services
from maharat.mentoring.choices import Language, MenteeGroup, PairingStatus, RequestStatus, Sector, SessionMode
from maharat.mentoring.models import MenteeRequest, MentorProfile, Pairing, Session
from maharat.people.choices import Sex
from maharat.people.models import Membership, Organization, Person
from maharat.skills.models import Skill, SkillGroup

AMAL_PHONE = "+962791234567"
SKILLS = {
    "digital-e-payments": (
        SkillGroup.DIGITAL,
        "Digital payments and e-wallets",
        "المدفوعات الرقمية والمحافظ الإلكترونية",
    ),
    "digital-cv-writing": (
        SkillGroup.DIGITAL,
        "Writing a CV and cover letter",
        "إعداد السيرة الذاتية ورسالة التغطية",
    ),
    "business-business-plan": (SkillGroup.BUSINESS, "Writing a business plan", "إعداد خطة العمل"),
    "business-bookkeeping": (SkillGroup.BUSINESS, "Bookkeeping", "مسك الدفاتر"),
    "freelancing-client-communication": (
        SkillGroup.FREELANCING,
        "Remote client communication",
        "التواصل مع العملاء عن بُعد",
    ),
}
# username (None: the demo mentor account), name, sex, governorate, sectors, skills, languages, capacity
MENTORS: list[tuple[str | None, str, str, str, list[str], list[str], list[str], int]] = [
    (
        None,
        "هدى الخطيب · Huda Al-Khatib",
        "F",
        "MA",
        ["G", "J"],
        ["digital-e-payments", "business-business-plan"],
        ["ar", "en"],
        3,
    ),
    (
        "mentor-samir",
        "سمير النمري · Samir Al-Nimri",
        "M",
        "AM",
        ["C", "F"],
        ["business-bookkeeping"],
        ["ar"],
        2,
    ),
    (
        "mentor-lina",
        "لينا حداد · Lina Haddad",
        "F",
        "IR",
        ["J", "M"],
        ["freelancing-client-communication", "digital-cv-writing"],
        ["ar", "en"],
        2,
    ),
]


def _skill(code: str) -> Skill:
    group, en, ar = SKILLS[code]
    skill, _created = Skill.objects.get_or_create(
        code=code, defaults={"group": group, "label_en": en, "label_ar": ar, "curated": True}
    )
    return skill


def _mentor_user(username: str, organization: Organization) -> Any:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        user = get_user_model().objects.create_user(
            username=username, email=f"{username}@demo.maharat.example"
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, organization=organization, role=Role.MENTOR)
    return user


def _profiles(officer: Any, organization: Organization, mentor_user: Any) -> list[MentorProfile]:
    governorates = {g.code: g for g in Governorate.objects.all()}
    profiles = []
    for username, name, sex, gov, sectors, skills, languages, capacity in MENTORS:
        user = mentor_user if username is None else _mentor_user(username, organization)
        profile = MentorProfile.objects.filter(user=user).first()
        if profile is None:
            profile = services.mentor_profile_save(
                actor=officer,
                profile=MentorProfile(
                    user=user,
                    organization=organization,
                    display_name=name,
                    sex=sex,
                    sectors=sectors,
                    languages=languages,
                    governorate=governorates[gov],
                    remote=True,
                    availability="Evenings after 6 pm · مساءً بعد السادسة",
                    weekdays=[6, 1, 3],
                    hours_per_month=6,
                    capacity=capacity,
                    preferred_groups=[MenteeGroup.WOMEN] if sex == "F" else [MenteeGroup.YOUTH],
                ),
                skills=[_skill(code) for code in skills],
            )
        profiles.append(profile)
    return profiles


def _request(officer: Any, organization: Organization, person: Person, **fields: Any) -> MenteeRequest:
    live = MenteeRequest.objects.filter(
        person=person, organization=organization, status__in=[RequestStatus.OPEN, RequestStatus.MATCHED]
    ).first()
    if live is not None:
        return live
    skills = [_skill(code) for code in fields.pop("skills", [])]
    return services.mentee_request_create(
        actor=officer,
        request=MenteeRequest(
            person=person, organization=organization, governorate=person.governorate, **fields
        ),
        skills=skills,
    )


def _amal_pairing(officer: Any, huda: MentorProfile, request: MenteeRequest) -> Pairing:
    pairing = Pairing.objects.filter(request=request, status=PairingStatus.ACTIVE).first()
    if pairing is not None:
        return pairing
    [pairing] = services.pairings_confirm(
        actor=officer, choices=[services.PairChoice(request.pk, huda.pk)], org_ids=[huda.organization_id]
    )
    now = timezone.now()
    held = services.session_schedule(
        actor=huda.user,
        pairing=pairing,
        starts_at=now + dt.timedelta(hours=1),
        mode=SessionMode.ONLINE,
        meeting_url="https://meet.example.org/amal-huda",
    )
    # The demo needs a session in the past; scheduling refuses past times, so the demo moves it back a week.
    Session.objects.filter(pk=held.pk).update(starts_at=now - dt.timedelta(days=7))
    services.session_record(
        actor=huda.user,
        session=held,
        status="held",
        notes="Talked about selling embroidery online and opening an e-wallet. Next: price list.",
    )
    tomorrow = timezone.localtime(now).replace(hour=18, minute=0, second=0, microsecond=0) + dt.timedelta(
        days=1
    )
    services.session_schedule(
        actor=huda.user,
        pairing=pairing,
        starts_at=tomorrow,
        mode=SessionMode.ONLINE,
        meeting_url="https://meet.example.org/amal-huda",
    )
    return pairing


@transaction.atomic
def demo_mentoring(*, officer: Any, organization: Organization, mentor_user: Any) -> dict[str, int]:
    """Create the demo mentors, requests and Amal's pairing (idempotent); returns what exists."""
    huda, *_others = _profiles(officer, organization, mentor_user)
    amal = Person.objects.active().filter(phone=AMAL_PHONE).first()
    if amal is not None:
        amal_request = _request(
            officer,
            organization,
            amal,
            goals="Sell my embroidery online and get paid by e-wallet. · بيع التطريز عبر الإنترنت والدفع بالمحفظة الإلكترونية",
            sector=Sector.G,
            language=Language.ARABIC,
            remote_ok=True,
            wants_female_mentor=True,
            skills=["digital-e-payments", "business-business-plan"],
        )
        _amal_pairing(officer, huda, amal_request)
    others = Person.objects.active().exclude(phone=AMAL_PHONE).filter(phone__isnull=False).order_by("pk")
    goals = [
        (Sex.MALE, Sector.C, ["business-bookkeeping"], "Keep the books of a small workshop."),
        (
            Sex.FEMALE,
            Sector.J,
            ["freelancing-client-communication"],
            "Find first clients for online translation.",
        ),
        (Sex.FEMALE, Sector.G, ["digital-e-payments"], "Start a home food business with e-payments."),
        (Sex.MALE, Sector.J, ["digital-cv-writing"], "Write a CV for remote IT support jobs."),
    ]
    for sex, sector, skills, goal in goals:
        person = others.filter(sex=sex).exclude(mentee_requests__organization=organization).first()
        if person is None or MenteeRequest.objects.filter(organization=organization, goals=goal).exists():
            continue
        _request(
            officer,
            organization,
            person,
            goals=goal,
            sector=sector,
            language=Language.ARABIC,
            remote_ok=True,
            wants_female_mentor=sex == Sex.FEMALE and sector == Sector.G,
            skills=skills,
        )
    return {
        "mentors": MentorProfile.objects.filter(organization=organization).count(),
        "requests": MenteeRequest.objects.filter(
            organization=organization, status=RequestStatus.OPEN
        ).count(),
        "pairings": Pairing.objects.filter(
            mentor__organization=organization, status=PairingStatus.ACTIVE
        ).count(),
    }
