"""Segments: saved filters on the registry, checked when saved and evaluated over whom an organization may reach.

A filter is a small JSON object, e.g. ``{"governorates": ["MA"], "sex": "F", "age_min": 18, "age_max": 35,
"course": 4}``. Every key is optional; an empty filter means everyone the organization may message. The
filter narrows ``access_broadcasts.messageable_people`` and never widens it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from maharat.core.models import Governorate
from maharat.messaging.access_broadcasts import messageable_people
from maharat.people.choices import LegalStatus, Nationality, Sex
from maharat.people.models import Organization, Person
from maharat.people.selectors import years_before

LIST_KEYS = ("governorates", "legal_statuses", "nationalities")
ID_KEYS = ("programme", "cohort", "course")
KEYS = frozenset({*LIST_KEYS, *ID_KEYS, "sex", "age_min", "age_max", "disability", "language", "skill"})
LANGUAGES = ("ar", "en")


def _as_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    items = value if isinstance(value, list | tuple) else [value]
    return [str(item).strip() for item in items if str(item).strip()]


def _as_int(key: str, value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({key: _("Enter a whole number.")}) from None
    if number < 0:
        raise ValidationError({key: _("Enter a whole number.")})
    return number


def _check_choices(key: str, values: list[str], allowed: list[str] | tuple[str, ...]) -> None:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValidationError({key: _("Unknown value: %(values)s.") % {"values": ", ".join(unknown)}})


def _check_exists(key: str, number: int) -> None:
    from maharat.learning.models import Course
    from maharat.programmes.models import Cohort, Programme

    model: Any = {"programme": Programme, "cohort": Cohort, "course": Course}[key]
    if not model.objects.filter(pk=number).exists():
        raise ValidationError({key: _("There is no such record.")})


def clean_filters(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A filter with known keys and values only, empty ones dropped; ValidationError names the bad key."""
    unknown = sorted(set(raw) - KEYS)
    if unknown:
        raise ValidationError(_("Unknown filter: %(keys)s.") % {"keys": ", ".join(unknown)})
    clean: dict[str, Any] = {}
    governorates = _as_list(raw.get("governorates"))
    if governorates:
        known = set(Governorate.objects.filter(code__in=governorates).values_list("code", flat=True))
        _check_choices("governorates", governorates, sorted(known))
        clean["governorates"] = sorted(governorates)
    for key, allowed in (("legal_statuses", LegalStatus.values), ("nationalities", Nationality.values)):
        values = _as_list(raw.get(key))
        if values:
            _check_choices(key, values, allowed)
            clean[key] = sorted(values)
    for key, allowed_one in (("sex", Sex.values), ("disability", ["yes", "no"]), ("language", LANGUAGES)):
        value = str(raw.get(key) or "").strip()
        if value:
            _check_choices(key, [value], list(allowed_one))
            clean[key] = value
    age_min, age_max = _as_int("age_min", raw.get("age_min")), _as_int("age_max", raw.get("age_max"))
    if age_min is not None and age_max is not None and age_min > age_max:
        raise ValidationError({"age_max": _("The highest age is lower than the lowest.")})
    if age_min is not None:
        clean["age_min"] = age_min
    if age_max is not None:
        clean["age_max"] = age_max
    for key in ID_KEYS:
        number = _as_int(key, raw.get(key))
        if number is not None:
            _check_exists(key, number)
            clean[key] = number
    skill = str(raw.get("skill") or "").strip()
    if skill:
        from maharat.skills.models import Skill

        if not Skill.objects.filter(code=skill).exists():
            raise ValidationError({"skill": _("There is no such skill.")})
        clean["skill"] = skill
    return clean


def apply_segment_filters(
    people: QuerySet[Person], filters: Mapping[str, Any], today: dt.date
) -> QuerySet[Person]:
    """Narrow people by a cleaned filter."""
    if filters.get("governorates"):
        people = people.filter(governorate__code__in=filters["governorates"])
    if filters.get("legal_statuses"):
        people = people.filter(legal_status__in=filters["legal_statuses"])
    if filters.get("nationalities"):
        people = people.filter(nationality__in=filters["nationalities"])
    if filters.get("sex"):
        people = people.filter(sex=filters["sex"])
    if filters.get("disability") in ("yes", "no"):
        people = people.filter(has_disability=filters["disability"] == "yes")
    if filters.get("language"):
        people = people.filter(preferred_language=filters["language"])
    if filters.get("age_min") is not None:
        people = people.filter(date_of_birth__lte=years_before(today, int(filters["age_min"])))
    if filters.get("age_max") is not None:
        oldest = years_before(today, int(filters["age_max"]) + 1) + dt.timedelta(days=1)
        people = people.filter(date_of_birth__gte=oldest)
    if filters.get("programme") or filters.get("cohort"):
        from maharat.programmes.models import Enrolment

        enrolled = Enrolment.objects.filter(person=OuterRef("pk"))
        if filters.get("programme"):
            enrolled = enrolled.filter(cohort__programme_id=filters["programme"])
        if filters.get("cohort"):
            enrolled = enrolled.filter(cohort_id=filters["cohort"])
        people = people.filter(Exists(enrolled))
    if filters.get("course"):
        from maharat.learning.models import CourseEnrolment

        people = people.filter(
            Exists(CourseEnrolment.objects.filter(person=OuterRef("pk"), course_id=filters["course"]))
        )
    if filters.get("skill"):
        from maharat.skills.models import PersonSkill

        people = people.filter(
            Exists(PersonSkill.objects.filter(person=OuterRef("pk"), skill__code=filters["skill"]))
        )
    return people


def segment_people(organization: Organization, filters: Mapping[str, Any]) -> QuerySet[Person]:
    """The people a filter selects among those the organization may message."""
    return apply_segment_filters(messageable_people(organization), filters, timezone.localdate())


def describe_filters(filters: Mapping[str, Any]) -> list[str]:
    """The filter in words, one line per condition, for staff pages."""
    lines = []
    if filters.get("governorates"):
        names = Governorate.objects.filter(code__in=filters["governorates"]).order_by("code")
        lines.append(_("Governorate: %(values)s") % {"values": ", ".join(g.label for g in names)})
    labels = (
        ("legal_statuses", LegalStatus, _("Status: %(values)s")),
        ("nationalities", Nationality, _("Nationality: %(values)s")),
    )
    for key, choices, pattern in labels:
        if filters.get(key):
            lines.append(pattern % {"values": ", ".join(str(choices(v).label) for v in filters[key])})
    if filters.get("sex"):
        lines.append(_("Sex: %(value)s") % {"value": Sex(filters["sex"]).label})
    if filters.get("disability") == "yes":
        lines.append(_("With a disability"))
    elif filters.get("disability") == "no":
        lines.append(_("Without a disability"))
    if filters.get("language"):
        lines.append(_("Language: %(value)s") % {"value": filters["language"]})
    if filters.get("age_min") is not None or filters.get("age_max") is not None:
        lines.append(
            _("Age: %(low)s to %(high)s")
            % {"low": filters.get("age_min", 0), "high": filters.get("age_max", "∞")}
        )
    for key, pattern in (
        ("programme", _("Enrolled in programme #%(id)s")),
        ("cohort", _("Enrolled in cohort #%(id)s")),
        ("course", _("Enrolled in course #%(id)s")),
    ):
        if filters.get(key):
            lines.append(pattern % {"id": filters[key]})
    if filters.get("skill"):
        lines.append(_("Has the skill %(code)s") % {"code": filters["skill"]})
    return lines or [_("Everyone your organization may message")]
