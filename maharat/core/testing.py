"""Test base shared by every app: named personas and the permission-matrix helper.

The personas make tests read like stories: Amal, a Syrian refugee woman in Mafraq; Omar, a young
Jordanian man in Amman; Hassan, an Iraqi migrant worker with a disability; and the staff around them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client

from maharat.core.geography import ensure_governorates
from maharat.core.models import Governorate
from maharat.core.roles import Role
from maharat.people.choices import (
    ConsentChannel,
    ConsentPurpose,
    HouseholdRole,
    LegalStatus,
    Nationality,
    OrganizationKind,
    Sex,
)
from maharat.people.models import Membership, Organization, Person
from maharat.people.services import person_register

PASSWORD = "Maharat-test-2026"  # noqa: S105 - test personas only


@dataclass
class Personas:
    """Named people and accounts every test can use."""

    agency: Organization
    partner: Organization
    other_partner: Organization
    employer_org: Organization
    training_org: Organization
    university: Organization
    amal: Person
    omar: Person
    hassan: Person
    amal_user: Any
    employer: Any
    trainer: Any
    mentor: Any
    officer: Any
    other_officer: Any
    researcher: Any
    admin: Any
    anonymous: None = None

    def client_for(self, user: Any) -> Client:
        """A test client logged in as the user (anonymous when None)."""
        client = english_client()
        if user is not None:
            client.force_login(user)
        return client


def english_client() -> Client:
    """A test client whose pages come in English (the platform's default is Arabic)."""
    from django.conf import settings

    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _staff(username: str, org: Organization | None, role: str, **extra: Any) -> Any:
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password=PASSWORD, **extra
    )
    if org is not None:
        Membership.objects.create(user=user, organization=org, role=role)
    return user


def build_personas() -> Personas:
    """Create the personas in the test database."""
    ensure_governorates()  # transactional tests flush the rows the data migration loaded
    gov = {g.code: g for g in Governorate.objects.all()}
    org = Organization.objects.create
    agency = org(
        kind=OrganizationKind.IMPLEMENTING_AGENCY,
        slug="agency",
        label_en="Livelihoods Agency",
        label_ar="وكالة سبل العيش",
        governorate=gov["AM"],
    )
    partner = org(
        kind=OrganizationKind.PARTNER,
        slug="mafraq-ngo",
        label_en="Mafraq Women's Association",
        label_ar="جمعية نساء المفرق",
        governorate=gov["MA"],
    )
    other_partner = org(
        kind=OrganizationKind.PARTNER,
        slug="karak-ngo",
        label_en="Karak Youth Centre",
        label_ar="مركز شباب الكرك",
        governorate=gov["KA"],
    )
    employer_org = org(
        kind=OrganizationKind.EMPLOYER,
        slug="zarqa-garments",
        label_en="Zarqa Garments",
        label_ar="ملابس الزرقاء",
        governorate=gov["ZA"],
    )
    training_org = org(
        kind=OrganizationKind.TRAINING_PROVIDER,
        slug="code-academy",
        label_en="Code Academy",
        label_ar="أكاديمية البرمجة",
        governorate=gov["IR"],
    )
    university = org(
        kind=OrganizationKind.RESEARCH, slug="research-lab", label_en="Research Lab", label_ar="مختبر الأبحاث"
    )
    officer = _staff("officer", partner, Role.PROGRAMME_OFFICER, first_name="Rania")
    other_officer = _staff("other_officer", other_partner, Role.PROGRAMME_OFFICER, first_name="Khaled")
    employer = _staff("employer", employer_org, Role.EMPLOYER_RECRUITER)
    trainer = _staff("trainer", training_org, Role.TRAINING_PROVIDER)
    mentor = _staff("mentor", agency, Role.MENTOR)
    researcher = _staff("researcher", university, Role.RESEARCHER)
    admin = get_user_model().objects.create_superuser(
        username="admin", email="admin@example.org", password=PASSWORD
    )
    amal_user = get_user_model().objects.create_user(
        username="+962791234567", phone="+962791234567", password=PASSWORD
    )
    all_purposes = [ConsentPurpose.REGISTRATION, ConsentPurpose.MESSAGING, ConsentPurpose.RESEARCH]
    amal = person_register(
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
            "unhcr_case_number": "945-12345678",
            "phone": "+962791234567",
            "governorate": gov["MA"],
            "locality": "Zaatari",
            "household_role": HouseholdRole.HEAD,
            "female_headed_household": True,
            "languages": ["ar"],
        },
        consent_purposes=all_purposes,
        consent_channel=ConsentChannel.PAPER,
        organization=partner,
    )
    amal.user = amal_user
    amal.save(update_fields=["user"])
    omar = person_register(
        actor=other_officer,
        data={
            "given_name_ar": "عمر",
            "family_name_ar": "العبادي",
            "given_name_latin": "Omar",
            "family_name_latin": "Al-Abbadi",
            "sex": Sex.MALE,
            "date_of_birth": dt.date(2003, 9, 1),
            "nationality": Nationality.JORDAN,
            "legal_status": LegalStatus.JORDANIAN,
            "national_id": "2003123456",
            "phone": "+962781112233",
            "governorate": gov["AM"],
            "languages": ["ar", "en"],
        },
        consent_purposes=[ConsentPurpose.REGISTRATION],
        consent_channel=ConsentChannel.WEB,
        organization=other_partner,
    )
    hassan = person_register(
        actor=officer,
        data={
            "given_name_ar": "حسن",
            "family_name_ar": "الجبوري",
            "given_name_latin": "Hassan",
            "family_name_latin": "Al-Jubouri",
            "sex": Sex.MALE,
            "date_of_birth": dt.date(1988, 1, 20),
            "nationality": Nationality.IRAQ,
            "legal_status": LegalStatus.MIGRANT_WORKER,
            "phone": "+962775556677",
            "governorate": gov["ZA"],
            "wg_walking": 3,
            "wg_seeing": 2,
        },
        consent_purposes=[ConsentPurpose.REGISTRATION, ConsentPurpose.RESEARCH],
        consent_channel=ConsentChannel.PAPER,
        organization=partner,
    )
    return Personas(
        agency=agency,
        partner=partner,
        other_partner=other_partner,
        employer_org=employer_org,
        training_org=training_org,
        university=university,
        amal=amal,
        omar=omar,
        hassan=hassan,
        amal_user=amal_user,
        employer=employer,
        trainer=trainer,
        mentor=mentor,
        officer=officer,
        other_officer=other_officer,
        researcher=researcher,
        admin=admin,
    )


def assert_forbidden(url: str, users: list[Any], *, method: str = "get", data: Any = None) -> None:
    """Every one of the users is refused the URL: 403/404, or a redirect to log in for anonymous."""
    for user in users:
        client = english_client()
        if user is not None:
            client.force_login(user)
        response = getattr(client, method)(url, data or {})
        who = getattr(user, "username", "anonymous")
        if user is None:
            assert response.status_code in (302, 401, 403, 404), f"{who} got {response.status_code} on {url}"
            if response.status_code == 302:
                assert "/login" in response["Location"], f"{who} redirected to {response['Location']}"
        else:
            assert response.status_code in (403, 404), f"{who} got {response.status_code} on {url}"


PAGE_BUDGET = 60 * 1024  # bytes a beneficiary page may weigh: HTML, stylesheets and scripts


def page_weight(client: Client, url: str) -> int:
    """HTML plus every stylesheet and script the page links, in bytes."""
    import re

    from django.contrib.staticfiles import finders

    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    total = len(response.content)
    for asset in re.findall(r'(?:href|src)="/static/([^"]+\.(?:css|js))"', html):
        path = finders.find(asset)
        assert path, asset
        with open(str(path), "rb") as handle:
            total += len(handle.read())
    return total
