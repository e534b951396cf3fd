"""Test data for programmes: programmes and open calls of the Mafraq partner, and applicants made to order."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from maharat.core.models import Governorate
from maharat.core.testing import Personas
from maharat.people.choices import ConsentChannel, ConsentPurpose, LegalStatus, Nationality, Sex
from maharat.people.models import Person
from maharat.people.services import person_register
from maharat.programmes.choices import CallStatus, QuestionKind
from maharat.programmes.models import Call, Programme, Question

_numbers = itertools.count(1)

DEFAULT_QUESTIONS: tuple[dict[str, Any], ...] = (
    {
        "code": "has_laptop",
        "label_en": "Do you have a laptop?",
        "label_ar": "هل لديك حاسوب محمول؟",
        "kind": QuestionKind.YES_NO,
        "required": True,
    },
    {
        "code": "track",
        "label_en": "Which track interests you?",
        "label_ar": "أي مسار يهمك؟",
        "kind": QuestionKind.CHOICE,
        "options": [
            ["web", "Web development", "تطوير المواقع"],
            ["design", "Graphic design", "التصميم الجرافيكي"],
        ],
        "required": False,
    },
)


def make_programme(personas: Personas, **overrides: Any) -> Programme:
    """A digital-skills programme owned by ``personas.partner``, running this year."""
    number = next(_numbers)
    today = timezone.localdate()
    values: dict[str, Any] = {
        "owner": personas.partner,
        "slug": f"digital-skills-{number}",
        "label_en": "Digital skills for employment",
        "label_ar": "المهارات الرقمية من أجل العمل",
        "starts_on": today - dt.timedelta(days=30),
        "ends_on": today + dt.timedelta(days=335),
    }
    values.update(overrides)
    return Programme.objects.create(**values)


def make_call(
    personas: Personas,
    *,
    programme: Programme | None = None,
    questions: list[dict[str, Any]] | tuple[dict[str, Any], ...] | None = None,
    **overrides: Any,
) -> Call:
    """A published call, open today, with 20 seats and code DSEA; ``questions=[]`` makes one without questions."""
    today = timezone.localdate()
    values: dict[str, Any] = {
        "programme": programme or make_programme(personas),
        "code": "DSEA",
        "label_en": "Digital skills, Mafraq 2026",
        "label_ar": "المهارات الرقمية، المفرق 2026",
        "status": CallStatus.PUBLISHED,
        "opens_on": today - dt.timedelta(days=5),
        "closes_on": today + dt.timedelta(days=25),
        "seats": 20,
    }
    values.update(overrides)
    call = Call.objects.create(**values)
    for position, question in enumerate(DEFAULT_QUESTIONS if questions is None else questions):
        Question.objects.create(call=call, position=position, **question)
    return call


_phones = itertools.count(1000)


def open_call(personas: Personas, **fields: Any) -> Call:
    """A published call without questions, open today, 2 seats unless told (selection tests count on few seats)."""
    values: dict[str, Any] = {
        "code": f"C{Call.objects.count() + 1}",
        "label_en": "Digital skills intake",
        "label_ar": "دفعة المهارات الرقمية",
        "seats": 2,
    }
    values.update(fields)
    return make_call(personas, questions=[], **values)


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
