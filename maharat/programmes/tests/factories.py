"""Test data for programmes: a programme of the Mafraq partner with an open call that asks two questions."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from maharat.core.testing import Personas
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
