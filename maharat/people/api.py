"""API endpoints of the registry: people (scoped by access.py), research records and organizations."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from maharat.core.errors import DuplicatePersonError
from maharat.core.models import Governorate
from maharat.core.roles import Role
from maharat.people import access, services
from maharat.people.models import Organization, Person
from maharat.people.selectors import PersonFilters, person_list

router = Router(tags=["people"])


class PersonOut(Schema):
    """A person as partner systems see them; identity numbers only for those allowed."""

    id: int
    public_id: uuid.UUID
    given_name_ar: str
    family_name_ar: str
    given_name_latin: str
    family_name_latin: str
    sex: str
    date_of_birth: dt.date
    nationality: str
    legal_status: str
    phone: str | None
    governorate: str
    locality: str
    has_disability: bool
    female_headed_household: bool
    education_level: str
    employment_status: str
    preferred_language: str
    preferred_channel: str
    national_id: str | None = None
    moi_card_number: str | None = None
    unhcr_case_number: str | None = None


class PersonPage(Schema):
    """One page of people and the cursor of the next."""

    results: list[PersonOut]
    next: int | None


class PersonIn(Schema):
    """A registration from a partner system; consent must be stated."""

    given_name_ar: str = ""
    family_name_ar: str = ""
    given_name_latin: str = ""
    family_name_latin: str = ""
    sex: str
    date_of_birth: dt.date
    nationality: str
    legal_status: str
    phone: str | None = None
    national_id: str | None = None
    moi_card_number: str | None = None
    unhcr_case_number: str | None = None
    governorate: str = Field(..., description="Governorate code, e.g. MA for Mafraq")
    locality: str = ""
    female_headed_household: bool = False
    consent_purposes: list[str] = Field(..., description="Must include 'registration'")
    consent_channel: str = "paper"
    organization: str = Field(..., description="Slug of your organization")


class ResearchRecord(Schema):
    """A pseudonymized person."""

    pseudonym: str
    sex: str
    birth_year: int
    nationality: str
    legal_status: str
    governorate: str | None
    female_headed_household: bool
    has_disability: bool
    education_level: str
    employment_status: str


class OrganizationOut(Schema):
    """An organization."""

    slug: str
    kind: str
    label_en: str
    label_ar: str


def _person_out(user: Any, person: Person) -> dict[str, Any]:
    data = {field: getattr(person, field) for field in PersonOut.model_fields if hasattr(person, field)}
    data["governorate"] = person.governorate.code
    if not access.can_see_identifiers(user, person):
        for field in access.IDENTIFIER_FIELDS:
            data[field] = None
    return data


@router.get("/people", response=PersonPage, summary="People you may see, newest first")
def list_people(
    request: HttpRequest,
    governorate: str = "",
    sex: str = "",
    age_group: str = "",
    legal_status: str = "",
    disability: str = "",
    q: str = "",
    after: int | None = None,
    limit: int = Query(50, ge=1, le=200),  # type: ignore[type-arg]
) -> dict[str, Any]:
    """Scoped by access rules: partners see people who consented to share with them; researchers are refused."""
    user = request.user
    if not access.can_use_registry(user):
        raise HttpError(403, "Not allowed to read the registry.")
    filters = PersonFilters(
        governorate=governorate,
        sex=sex,
        age_group=age_group,
        legal_status=legal_status,
        disability=disability,
        q=q,
    )
    page, next_cursor = person_list(user, filters, after_id=after, limit=limit)
    return {"results": [_person_out(user, p) for p in page], "next": next_cursor}


@router.get("/people/{public_id}", response=PersonOut, summary="One person")
def get_person(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    """404 when the person does not exist or you may not see them."""
    person = (
        access.visible_people(request.user).select_related("governorate").filter(public_id=public_id).first()
    )
    if person is None or not access.can_use_registry(request.user):
        raise HttpError(404, "Not found.")
    return _person_out(request.user, person)


@router.post("/people", response={201: PersonOut}, summary="Register a person for your organization")
def create_person(request: HttpRequest, payload: PersonIn) -> Status:
    """Refuses duplicates (409) and invalid data (422) with a message; writes nothing then."""
    organization = Organization.objects.filter(slug=payload.organization).first()
    if organization is None or not access.can_register_for(request.user, organization):
        raise HttpError(403, "Not allowed to register people for this organization.")
    governorate = Governorate.objects.filter(code=payload.governorate).first()
    if governorate is None:
        raise HttpError(422, "Unknown governorate code.")
    data = payload.dict(exclude={"consent_purposes", "consent_channel", "organization", "governorate"})
    data["governorate"] = governorate
    try:
        person = services.person_register(
            actor=request.user,
            data=data,
            consent_purposes=payload.consent_purposes,
            consent_channel=payload.consent_channel,
            organization=organization,
            reason="registered via API",
        )
    except DuplicatePersonError as exc:
        raise HttpError(409, exc.messages[0]) from exc
    except ValidationError as exc:
        raise HttpError(422, "; ".join(exc.messages)) from exc
    return Status(201, _person_out(request.user, person))


@router.get("/research/people", response=list[ResearchRecord], summary="Pseudonymized records (researchers)")
def research_people(
    request: HttpRequest,
    offset: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),  # type: ignore[type-arg]
) -> list[dict[str, Any]]:
    """No names, phones, exact birth dates or identity numbers; only people who consented to research."""
    roles = request.user and access.user_roles(request.user)
    if not roles or not (Role.RESEARCHER in roles or Role.ADMIN in roles):
        raise HttpError(403, "Researchers only.")
    people = access.research_people(request.user).select_related("governorate").order_by("public_id")
    return [access.research_record(p) for p in people[offset : offset + limit]]


@router.get("/organizations", response=list[OrganizationOut], summary="Organizations")
def organizations(request: HttpRequest, kind: str = "") -> Any:
    """Active organizations (public directory data)."""
    orgs = Organization.objects.filter(active=True).order_by("label_en")
    if kind:
        orgs = orgs.filter(kind=kind)
    return orgs
