"""Builders for the broadcast and RapidPro tests: people an organization may message, and API tokens."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from maharat.core.models import Governorate
from maharat.core.testing import Personas
from maharat.messaging.broadcasts import token_create
from maharat.messaging.models_api import OrganizationToken
from maharat.people.choices import ConsentChannel, ConsentPurpose, LegalStatus, Nationality, Sex
from maharat.people.models import Organization, Person
from maharat.people.services import person_register

_numbers = itertools.count(100)


def reachable(
    personas: Personas,
    *,
    organization: Organization | None = None,
    language: str = "ar",
    messaging: bool = True,
    **fields: Any,
) -> Person:
    """A person registered with the organization (the Mafraq partner unless told) who agreed to text messages."""
    number = next(_numbers)
    organization = organization or personas.partner
    data: dict[str, Any] = {
        "given_name_latin": f"Reach{number}",
        "family_name_latin": "Person",
        "sex": Sex.FEMALE,
        "date_of_birth": dt.date(1996, 5, 4),
        "nationality": Nationality.SYRIA,
        "legal_status": LegalStatus.REFUGEE,
        "phone": f"+96279660{number:04d}",
        "governorate": Governorate.objects.get(code=fields.pop("governorate", "MA")),
        "preferred_language": language,
    }
    data.update(fields)
    purposes = [ConsentPurpose.REGISTRATION] + ([ConsentPurpose.MESSAGING] if messaging else [])
    return person_register(
        actor=personas.admin,
        data=data,
        consent_purposes=purposes,
        consent_channel=ConsentChannel.PAPER,
        organization=organization,
        check_similar=False,
    )


def api_token(personas: Personas, organization: Organization | None = None) -> tuple[OrganizationToken, str]:
    """A token of the organization (the Mafraq partner unless told) and its key."""
    return token_create(actor=personas.admin, organization=organization or personas.partner, name="RapidPro")
