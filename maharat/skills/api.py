"""API endpoints of the taxonomy: bilingual skill search."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from maharat.skills.selectors import skill_search

router = Router(tags=["skills"])


class SkillOut(Schema):
    """A skill with both labels."""

    id: int
    code: str
    label_en: str
    label_ar: str
    group: str
    esco_uri: str | None


@router.get("/search", response=list[SkillOut], summary="Search skills in Arabic or English")
def search(request: HttpRequest, q: str, limit: int = Query(20, ge=1, le=100)) -> Any:  # type: ignore[type-arg]
    """Normalizes Arabic spelling variants, matches synonyms and tolerates typos."""
    return skill_search(q[:100], limit=limit)
