"""Reasons in plain words for every term, and the demo that gives Amal recommendations."""

from __future__ import annotations

from typing import Any

import pytest

from maharat.core.testing import Personas
from maharat.matching import market
from maharat.matching.demo import demo_matching
from maharat.matching.engine_types import UNIT
from maharat.matching.explain import reasons
from maharat.matching.models import Recommendation, Side
from maharat.matching.tests.factories import offer, skill, verified

pytestmark = pytest.mark.django_db


def rec(
    terms: dict[str, float], matched: list[dict[str, Any]] | None = None, missing: list[int] | None = None
) -> Recommendation:
    units = {k: int(round(v * UNIT)) for k, v in terms.items()}
    return Recommendation(
        side=Side.PERSON, rank=1, score=sum(units.values()) / UNIT, units=sum(units.values()), terms=units,
        matched=matched or [], missing=missing or [],
    )  # fmt: skip


W = market.weights_dict(market.weights())
FULL = {
    "skills": 0.55,
    "location": 0.15,
    "language": 0.10,
    "availability": 0.05,
    "education": 0.10,
    "accessibility": 0.05,
}


class ReasonsTests:
    def test_a_related_skill_and_a_level_below_the_minimum_are_explained(self, db: Any) -> None:
        broad, narrow, other = skill("b", "Digital skills"), skill("n", "E-mail"), skill("o", "Typing")
        skills = {s.pk: s for s in (broad, narrow, other)}
        matched = [
            {"skill": broad.pk, "via": narrow.pk, "proficiency": 3, "min_proficiency": 1, "credit": 0.8},
            {"skill": other.pk, "via": other.pk, "proficiency": 1, "min_proficiency": 3, "credit": 0.25},
        ]
        r = reasons(
            rec(FULL, matched), skills=skills, courses={}, weights=W, remote=False, work_rights="Open: x."
        )
        assert "“E-mail” counts towards “Digital skills”" in " ".join(r.lines)
        assert "below the level asked (Advanced)" in " ".join(r.lines)
        assert "It is in your area." in r.lines and "Open: x." in r.lines
        assert r.summary == "You have 2 of the 2 skills asked." and r.percent == 100

    @pytest.mark.parametrize(
        ("location", "remote", "line"),
        [
            (0.15 * 0.8, False, "It is in your governorate."),
            (0.05, False, "It is within commuting distance."),
            (0.0, False, "It is far from where you live."),
            (0.15, True, "Remote work: you can do it from home."),
        ],
    )
    def test_location_in_plain_words(self, db: Any, location: float, remote: bool, line: str) -> None:
        r = reasons(rec({**FULL, "location": location}), skills={}, courses={}, weights=W, remote=remote)
        assert line in r.lines
        assert r.summary == "This offer asks for no particular skill."

    def test_shortfalls_in_languages_education_and_accessibility(self, db: Any) -> None:
        terms = {**FULL, "language": 0.0, "education": 0.05, "accessibility": 0.0}
        lines = " ".join(reasons(rec(terms), skills={}, courses={}, weights=W, remote=False).lines)
        assert "language you have not listed" in lines
        assert "more education" in lines and "accommodation" in lines


class DemoTests:
    def test_amal_gets_skills_consent_and_recommendations(self, personas: Personas) -> None:
        employer = verified(personas.employer_org)
        sewing, build, farm = (
            skill("sew", "Sewing"),
            skill("mason", "Masonry"),
            skill("harvest", "Harvesting"),
        )
        offer(employer, "Builder", [(build, 3, 2), (sewing, 1, 1)], sector="F")
        offer(employer, "Farm worker", [(farm, 3, 1), (build, 1, 1)], sector="A")
        offer(employer, "Barber", [(sewing, 3, 1)])
        result = demo_matching(officer=personas.officer)
        assert result["amal"] >= 2 and result["stored"] >= result["amal"]
        again = demo_matching(officer=personas.officer)
        assert again["amal"] == result["amal"]
