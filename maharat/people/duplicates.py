"""Duplicate detection: hard duplicates (same phone or document) are refused, similar names are flagged."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from maharat.core.text import name_key, name_similarity
from maharat.people.models import Person

HARD_FIELDS = ("phone", "national_id", "moi_card_number", "unhcr_case_number")
# A name scored at least this similar (0-100) with the same date of birth is sent to staff review.
SIMILAR_NAME_THRESHOLD = 85.0


@dataclass(frozen=True)
class HardDuplicate:
    """An existing person with the same value of a unique field."""

    field: str
    person_id: int


@dataclass(frozen=True)
class SimilarPerson:
    """An existing person with the same birth date and a similar name."""

    person_id: int
    score: float


def find_hard_duplicate(values: dict[str, str | None], exclude_id: int | None = None) -> HardDuplicate | None:
    """The first existing person sharing a phone or identity document with these values."""
    query = Q()
    wanted = {field: values.get(field) for field in HARD_FIELDS if values.get(field)}
    if not wanted:
        return None
    for field, value in wanted.items():
        query |= Q(**{field: value})
    candidates = Person.objects.filter(query)
    if exclude_id is not None:
        candidates = candidates.exclude(pk=exclude_id)
    for candidate in candidates[:5]:
        for field, value in wanted.items():
            if getattr(candidate, field) == value:
                return HardDuplicate(field=field, person_id=candidate.pk)
    return None


def person_names(person: Person) -> tuple[str, str]:
    """The Arabic-script and Latin-script full names of a person."""
    arabic = f"{person.given_name_ar} {person.family_name_ar}".strip()
    latin = f"{person.given_name_latin} {person.family_name_latin}".strip()
    return arabic, latin


def names_score(a: tuple[str, str], b: tuple[str, str]) -> float:
    """Best similarity between two people's names, comparing like scripts with like."""
    scores = [name_similarity(x, y) for x, y in zip(a, b, strict=True) if x and y]
    return max(scores, default=0.0)


def find_similar(person: Person, threshold: float = SIMILAR_NAME_THRESHOLD) -> list[SimilarPerson]:
    """Active people born the same day whose name is similar in either script."""
    names = person_names(person)
    candidates = (
        Person.objects.active()
        .filter(date_of_birth=person.date_of_birth)
        .exclude(pk=person.pk)
        .only("id", "given_name_ar", "family_name_ar", "given_name_latin", "family_name_latin")[:500]
    )
    found = []
    for candidate in candidates:
        score = names_score(names, person_names(candidate))
        if score >= threshold:
            found.append(SimilarPerson(person_id=candidate.pk, score=round(score, 1)))
    return sorted(found, key=lambda s: (-s.score, s.person_id))


def search_name_for(person: Person) -> str:
    """The normalized name string that list search matches against (both scripts)."""
    arabic, latin = person_names(person)
    parts = [name_key(arabic) if arabic else "", name_key(latin) if latin else ""]
    return " | ".join(part for part in parts if part)[:400]
