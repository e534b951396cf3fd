"""Reads of the registry: the staff people list with filters, search and keyset pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from maharat.core.models import AuditLog, Governorate
from maharat.core.phones import try_normalize_phone
from maharat.core.text import name_key
from maharat.people.access import visible_people
from maharat.people.choices import DuplicateStatus
from maharat.people.models import DuplicateFlag, Person

AGE_GROUPS = {
    "15-17": (15, 17),
    "18-24": (18, 24),
    "25-29": (25, 29),
    "30-39": (30, 39),
    "40-49": (40, 49),
    "50-59": (50, 59),
    "60+": (60, 120),
}
PAGE_SIZE = 50


@dataclass
class PersonFilters:
    """Filters of the staff people list; empty values mean 'any'."""

    governorate: str = ""
    sex: str = ""
    age_group: str = ""
    legal_status: str = ""
    disability: str = ""
    organization: int | None = None
    q: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day some years earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _birth_range(age_group: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """Birth dates of people whose age today lies in the group (inclusive bounds)."""
    bounds = AGE_GROUPS.get(age_group)
    if bounds is None:
        return None
    youngest, oldest = bounds
    return years_before(today, oldest + 1) + dt.timedelta(days=1), years_before(today, youngest)


def apply_filters(people: QuerySet[Person], filters: PersonFilters) -> QuerySet[Person]:
    """Narrow a queryset of people by the list filters and the search text."""
    if filters.governorate:
        # By id, looked up first: the planner then knows which governorate it is (small ones hold 1% of the
        # registry, Amman 40%), which it cannot tell from a join on the code.
        governorate_id = (
            Governorate.objects.filter(code=filters.governorate).values_list("id", flat=True).first()
        )
        people = people.filter(governorate_id=governorate_id) if governorate_id is not None else people.none()
    if filters.sex:
        people = people.filter(sex=filters.sex)
    if filters.legal_status:
        people = people.filter(legal_status=filters.legal_status)
    if filters.disability in ("yes", "no"):
        people = people.filter(has_disability=filters.disability == "yes")
    if filters.organization:
        people = people.filter(registered_by_id=filters.organization)
    span = _birth_range(filters.age_group, timezone.localdate())
    if span is not None:
        people = people.filter(date_of_birth__range=span)
    query = filters.q.strip()
    if query:
        phone = try_normalize_phone(query)
        digits = "".join(ch for ch in query if ch.isdigit())
        if phone:
            people = people.filter(phone=phone)
        elif len(digits) >= 6 and len(digits) == len(query.replace(" ", "").replace("+", "")):
            people = people.filter(phone__contains=digits)
        else:
            key = name_key(query)
            if key:
                for token in key.split():
                    people = people.filter(search_name__contains=token)
            else:
                people = people.none()
    return people


def person_list(
    user: Any, filters: PersonFilters, *, after_id: int | None = None, limit: int = PAGE_SIZE
) -> tuple[list[Person], int | None]:
    """One page of the people a user may see, newest first; returns the page and the next cursor."""
    people = apply_filters(visible_people(user), filters).select_related("governorate")
    if after_id is not None:
        people = people.filter(id__lt=after_id)
    page = list(people.order_by("-id")[: limit + 1])
    next_cursor = page[limit - 1].pk if len(page) > limit else None
    return page[:limit], next_cursor


COUNT_CAP = 10_000


def person_count(user: Any, filters: PersonFilters, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many people match, counting at most ``cap`` (an exact count of a million rows is slow)."""
    people = apply_filters(visible_people(user), filters)
    counted = people.order_by()[: cap + 1].count()
    return min(counted, cap), counted > cap


def person_history(person: Person) -> QuerySet[AuditLog]:
    """A person's audit trail, newest first."""
    return AuditLog.objects.filter(person_id=person.pk).select_related("actor").order_by("-at", "-id")


def duplicate_queue(user: Any) -> QuerySet[DuplicateFlag]:
    """Open duplicate flags where the user may see both records."""
    visible = visible_people(user)
    return (
        DuplicateFlag.objects.filter(status=DuplicateStatus.OPEN, person__in=visible, other__in=visible)
        .select_related("person__governorate", "other__governorate")
        .order_by("-score", "-created_at")
    )


def person_detail(user: Any, pk: int) -> Person | None:
    """One person the user may see, with what the detail page shows, or None."""
    return (
        visible_people(user)
        .select_related("governorate", "registered_by", "user")
        .prefetch_related("consents__organizations", "skills__skill")
        .filter(pk=pk)
        .first()
    )
