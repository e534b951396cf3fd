"""Builders for programme tests: an open call of the Mafraq partner, and applicants made to order."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from maharat.core.models import Governorate
from maharat.core.testing import Personas
from maharat.people.choices import ConsentChannel, ConsentPurpose, LegalStatus, Nationality, Sex
from maharat.people.models import Person
from maharat.people.services import person_register
from maharat.programmes.choices import CallStatus, QuestionKind
from maharat.programmes.models import Call, Programme, Question

_phones = itertools.count(1000)


def open_call(personas: Personas, **fields: Any) -> Call:
    """A published call of a programme owned by the Mafraq partner, open today, 2 seats unless told."""
    today = timezone.localdate()
    programme = Programme.objects.create(
        owner=personas.partner,
        slug=f"p-{Programme.objects.count() + 1}",
        label_en="Digital skills",
        label_ar="المهارات الرقمية",
        starts_on=today,
        ends_on=today + dt.timedelta(days=200),
    )
    values: dict[str, Any] = {
        "programme": programme,
        "code": f"C{Call.objects.count() + 1}",
        "label_en": "Digital skills intake",
        "label_ar": "دفعة المهارات الرقمية",
        "status": CallStatus.PUBLISHED,
        "opens_on": today - dt.timedelta(days=1),
        "closes_on": today + dt.timedelta(days=30),
        "seats": 2,
    }
    values.update(fields)
    return Call.objects.create(**values)


def add_question(call: Call, code: str, kind: str = QuestionKind.NUMBER, **fields: Any) -> Question:
    """A custom question on the call."""
    return Question.objects.create(
        call=call, code=code, label_en=f"Question {code}", label_ar=f"سؤال {code}", kind=kind, **fields
    )


def applicant(personas: Personas, *, sex: str = Sex.FEMALE, **fields: Any) -> Person:
    """A registered person who shared their record with the Mafraq partner; defaults: a Jordanian woman of 25."""
    number = next(_phones)
    data: dict[str, Any] = {
        "given_name_latin": f"Test{number}",
        "family_name_latin": "Person",
        "sex": sex,
        "date_of_birth": timezone.localdate().replace(year=timezone.localdate().year - 25, day=1),
        "nationality": Nationality.JORDAN,
        "legal_status": LegalStatus.JORDANIAN,
        "phone": f"+9627955{number:05d}",
        "governorate": Governorate.objects.get(code=fields.pop("governorate", "AM")),
    }
    data.update(fields)
    return person_register(
        actor=personas.officer,
        data=data,
        consent_purposes=[ConsentPurpose.REGISTRATION],
        consent_channel=ConsentChannel.PAPER,
        organization=personas.partner,
        check_similar=False,
    )


def points(value: str) -> Decimal:
    """Priority points as stored."""
    return Decimal(value)
