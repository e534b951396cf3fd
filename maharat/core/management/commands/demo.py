"""Prepare the demo: taxonomy, organizations, an account for every role, the personas and synthetic people."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from maharat.core.models import Governorate
from maharat.core.roles import Role
from maharat.people.choices import (
    ConsentChannel,
    ConsentPurpose,
    LegalStatus,
    Nationality,
    OrganizationKind,
    Sex,
)
from maharat.people.models import Membership, Organization, Person
from maharat.people.services import person_register
from maharat.skills.models import Skill

DEMO_PASSWORD = "maharat-demo-2026"  # noqa: S105 - printed for the demo on purpose; never used in production

ORGANIZATIONS = [
    ("agency", OrganizationKind.IMPLEMENTING_AGENCY, "Livelihoods Agency", "وكالة سبل العيش", "AM"),
    ("mafraq-women", OrganizationKind.PARTNER, "Mafraq Women's Association", "جمعية نساء المفرق", "MA"),
    ("karak-youth", OrganizationKind.PARTNER, "Karak Youth Centre", "مركز شباب الكرك", "KA"),
    ("zarqa-garments", OrganizationKind.EMPLOYER, "Zarqa Garments", "مصنع ملابس الزرقاء", "ZA"),
    ("code-academy", OrganizationKind.TRAINING_PROVIDER, "Irbid Code Academy", "أكاديمية إربد للبرمجة", "IR"),
    ("research-lab", OrganizationKind.RESEARCH, "Livelihoods Research Lab", "مختبر أبحاث سبل العيش", "AM"),
]
ACCOUNTS = [
    ("admin", None, Role.ADMIN, "Platform administrator"),
    (
        "programmes",
        "agency",
        Role.PROGRAMME_OFFICER,
        "Programme officer, Livelihoods Agency (runs the demo call)",
    ),
    ("officer", "mafraq-women", Role.PROGRAMME_OFFICER, "Programme officer, Mafraq Women's Association"),
    ("officer2", "karak-youth", Role.PROGRAMME_OFFICER, "Programme officer, Karak Youth Centre"),
    ("employer", "zarqa-garments", Role.EMPLOYER_RECRUITER, "Employer recruiter, Zarqa Garments"),
    ("trainer", "code-academy", Role.TRAINING_PROVIDER, "Training provider staff, Irbid Code Academy"),
    ("mentor", "agency", Role.MENTOR, "Mentor"),
    ("researcher", "research-lab", Role.RESEARCHER, "Researcher (pseudonymized data only)"),
]
BENEFICIARY_PHONE = "+962791234567"


class Command(BaseCommand):
    help = "Load demo data and accounts for every role (idempotent), then print how to log in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=400, help="synthetic people to seed (0 for none)")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        if not Skill.objects.filter(curated=True).exists():
            self._load_taxonomy()
        with transaction.atomic():
            orgs = self._organizations()
            users = self._accounts(orgs)
            self._beneficiary(orgs, users["officer"])
        wanted = options["people"]
        existing = Person.objects.count()
        if wanted and existing < wanted + 1:
            call_command("seed", people=wanted, seed=options["seed"], stdout=self.stdout)
        from maharat.programmes.demo import demo_programme

        call = demo_programme(
            officer=users["programmes"], owner=orgs["agency"], applicants=min(240, wanted // 2)
        )
        self.stdout.write(
            f"Demo programme: {call.programme.label_en}, call {call.code} with {call.applications.count()} applications."
        )
        from maharat.learning.demo import demo_course

        course = demo_course(trainer=users["trainer"], provider=orgs["code-academy"])
        self.stdout.write(
            f"Demo course: {course.label_en}, {course.modules.count()} modules, open to self-enrolment."
        )
        from maharat.mentoring.demo import demo_mentoring

        mentoring = demo_mentoring(
            officer=users["programmes"], organization=orgs["agency"], mentor_user=users["mentor"]
        )
        self.stdout.write(
            "Demo mentoring: {mentors} mentors, {requests} requests waiting, {pairings} active pairs.".format(
                **mentoring
            )
        )
        from maharat.opportunities.demo import demo_opportunities

        jobs = demo_opportunities(employer_user=users["employer"], moderator=users["programmes"])
        self.stdout.write(
            "Demo opportunities: {offers} offers of Zarqa Garments, {published} published, {flagged} flagged for "
            "moderation, {applications} applications.".format(**jobs)
        )
        from maharat.messaging.demo_helpdesk import demo_helpdesk

        helpdesk = demo_helpdesk()
        self.stdout.write(
            "Demo helpdesk: {faq} FAQ entries, {tickets} open tickets (Helpdesk page).".format(**helpdesk)
        )
        from maharat.matching.demo import demo_matching

        matching = demo_matching(officer=users["programmes"])
        self.stdout.write(
            "Demo matching: {stored} recommendations stored; Amal has {amal} (Recommended for you).".format(
                **matching
            )
        )
        from maharat.messaging.demo_broadcasts import demo_broadcasts

        broadcasts = demo_broadcasts(officer=users["programmes"], organization=orgs["agency"])
        self.stdout.write(
            "Demo broadcasts: segment {segment!r} ({recipients} people), one broadcast scheduled for tomorrow "
            "(Broadcasts page).".format(**broadcasts)
        )
        self._print_logins()

    def _load_taxonomy(self) -> None:
        from django.core.management import get_commands

        data = Path(__file__).resolve().parents[3] / "skills" / "data" / "skills.csv"
        if "load_taxonomy" in get_commands() and data.exists():
            call_command("load_taxonomy", stdout=self.stdout)
        else:
            self.stdout.write(
                "The curated skills taxonomy is not in this build yet: skills search starts empty."
            )

    def _organizations(self) -> dict[str, Organization]:
        governorates = {g.code: g for g in Governorate.objects.all()}
        orgs = {}
        for slug, kind, en, ar, gov in ORGANIZATIONS:
            orgs[slug], _ = Organization.objects.get_or_create(
                slug=slug,
                defaults={"kind": kind, "label_en": en, "label_ar": ar, "governorate": governorates[gov]},
            )
        return orgs

    def _accounts(self, orgs: dict[str, Organization]) -> dict[str, Any]:
        user_model = get_user_model()
        users = {}
        for username, org_slug, role, _label in ACCOUNTS:
            user = user_model.objects.filter(username=username).first()
            if user is None:
                user = user_model.objects.create_user(
                    username=username, email=f"{username}@demo.maharat.example", password=DEMO_PASSWORD
                )
            if role == Role.ADMIN and not user.is_superuser:
                user.is_superuser = user.is_staff = True
                user.save(update_fields=["is_superuser", "is_staff"])
            if org_slug:
                Membership.objects.get_or_create(user=user, organization=orgs[org_slug], role=role)
            users[username] = user
        return users

    def _beneficiary(self, orgs: dict[str, Organization], officer: Any) -> None:
        user_model = get_user_model()
        if Person.objects.filter(phone=BENEFICIARY_PHONE).exists():
            return
        user = user_model.objects.filter(phone=BENEFICIARY_PHONE).first() or user_model.objects.create_user(
            username=BENEFICIARY_PHONE, phone=BENEFICIARY_PHONE, password=DEMO_PASSWORD
        )
        person = person_register(
            actor=officer,
            data={
                "given_name_ar": "أمل",
                "family_name_ar": "الحسن",
                "given_name_latin": "Amal",
                "family_name_latin": "Al-Hassan",
                "sex": Sex.FEMALE,
                "date_of_birth": dt.date(1994, 3, 12),
                "nationality": Nationality.SYRIA,
                "legal_status": LegalStatus.REFUGEE,
                "unhcr_case_number": "945-00012345",
                "phone": BENEFICIARY_PHONE,
                "governorate": Governorate.objects.get(code="MA"),
                "locality": "Zaatari",
                "household_role": "head",
                "female_headed_household": True,
                "languages": ["ar"],
            },
            consent_purposes=[ConsentPurpose.REGISTRATION, ConsentPurpose.MESSAGING, ConsentPurpose.RESEARCH],
            consent_channel=ConsentChannel.PAPER,
            organization=orgs["mafraq-women"],
            reason="demo persona",
        )
        person.user = user
        person.save(update_fields=["user"])

    def _print_logins(self) -> None:
        out = self.stdout.write
        out("")
        out("Maharat demo is ready. Open http://127.0.0.1:8000/ (Arabic; the English switch is at the top).")
        out(f"Every demo account's password: {DEMO_PASSWORD}")
        out(f"  {'beneficiary':<12} phone 0791234567 (Amal, a Syrian refugee woman in Mafraq)")
        for username, _org, _role, label in ACCOUNTS:
            out(f"  {username:<12} {label}")
        out("API docs: http://127.0.0.1:8000/api/v1/docs   Admin: http://127.0.0.1:8000/admin/")
