"""Reads of the taxonomy: bilingual skill search over an in-memory index kept fresh per process."""

from __future__ import annotations

import threading
from typing import Any

from django.db.models import Count, Max, QuerySet

from maharat.skills.esco import SKILL_GROUP_TYPE
from maharat.skills.models import PersonSkill, Skill
from maharat.skills.search import SearchEntry, SkillIndex

_lock = threading.Lock()
_cache: dict[str, Any] = {"key": None, "index": None}


def _taxonomy_version() -> tuple[int, Any]:
    stats = Skill.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return stats["n"], stats["last"]


def skill_index() -> SkillIndex:
    """The search index over every skill, rebuilt when the taxonomy changes."""
    version = _taxonomy_version()
    with _lock:
        if _cache["key"] != version or _cache["index"] is None:
            # ESCO skill groups are stored as Skill rows for the hierarchy; people pick skills, not groups.
            rows = Skill.objects.exclude(skill_type=SKILL_GROUP_TYPE).values_list(
                "id", "label_en", "label_ar", "synonyms_en", "synonyms_ar"
            )
            entries = [
                SearchEntry(id=pk, labels=tuple(x for x in (en, ar, *(syn_en or []), *(syn_ar or [])) if x))
                for pk, en, ar, syn_en, syn_ar in rows.iterator(chunk_size=5000)
            ]
            _cache["index"] = SkillIndex(entries)
            _cache["key"] = version
        return _cache["index"]


def skill_search(query: str, *, limit: int = 20) -> list[Skill]:
    """Skills matching a query in Arabic or English (synonyms, typos, prefixes), best first."""
    hits = skill_index().search(query, limit=limit)
    if not hits:
        return []
    by_id = Skill.objects.in_bulk([pk for pk, _score in hits])
    return [by_id[pk] for pk, _score in hits if pk in by_id]


def person_skills(person: Any) -> QuerySet[PersonSkill]:
    """A person's skills with their labels."""
    return (
        PersonSkill.objects.filter(person=person)
        .select_related("skill")
        .order_by("-proficiency", "skill__label_en")
    )
