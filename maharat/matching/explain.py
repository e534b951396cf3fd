"""Reasons in plain words, in the active language: why an opportunity was recommended, and what is missing.

"You have 4 of the 5 skills asked; missing: spreadsheets — the course 'Excel basics' teaches it." Missing
skills come with the published courses of the learning capability whose taught skills include them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from maharat.learning.models import Course
from maharat.matching.engine_types import UNIT
from maharat.matching.market import SAME_GOVERNORATE
from maharat.matching.models import Recommendation
from maharat.skills.models import Proficiency, Skill

TERM_LABELS = {
    "skills": gettext_lazy("Skills"),
    "location": gettext_lazy("Location"),
    "language": gettext_lazy("Languages"),
    "availability": gettext_lazy("Start date"),
    "education": gettext_lazy("Education"),
    "accessibility": gettext_lazy("Accessibility"),
}
COURSES_PER_SKILL = 2


@dataclass
class MissingSkill:
    """A required skill the person does not have, and courses that teach it."""

    skill: Skill
    courses: list[Course] = field(default_factory=list)


@dataclass
class Reasons:
    """What a page says about one recommendation."""

    summary: str
    lines: list[str]
    missing: list[MissingSkill]
    percent: int
    terms: list[tuple[str, float]]


def courses_teaching(skill_ids: Iterable[int]) -> dict[int, list[Course]]:
    """Published courses by skill taught, for the given skills (one query)."""
    wanted = set(skill_ids)
    out: dict[int, list[Course]] = defaultdict(list)
    if not wanted:
        return out
    links = Course.skills_taught.through.objects.filter(
        skill_id__in=wanted, course__published=True
    ).select_related("course")
    for link in links.order_by("course__label_en", "course_id"):
        if len(out[link.skill_id]) < COURSES_PER_SKILL:
            out[link.skill_id].append(link.course)
    return out


def skills_of(recs: Iterable[Recommendation]) -> dict[int, Skill]:
    """Every skill the recommendations mention, by id (one query)."""
    ids: set[int] = set()
    for rec in recs:
        ids.update(rec.missing)
        for m in rec.matched:
            ids.update((m["skill"], m["via"]))
    return Skill.objects.in_bulk(list(ids))


def max_units(weights: dict[str, Any]) -> int:
    """The highest score a pair can reach under these weights, in units."""
    names = ("skills", "location", "language", "availability", "education", "accessibility")
    return max(1, int(round(sum(float(weights.get(n, 0)) for n in names) * UNIT)))


def term_points(rec: Recommendation) -> list[tuple[str, float]]:
    """The score's terms in points, labelled in the active language."""
    return [(str(TERM_LABELS.get(name, name)), units / UNIT) for name, units in rec.terms.items()]


def _skill_lines(rec: Recommendation, skills: dict[int, Skill]) -> list[str]:
    lines = []
    for m in rec.matched:
        skill, via = skills.get(m["skill"]), skills.get(m["via"])
        if skill is None or via is None:
            continue
        if m["via"] != m["skill"]:
            lines.append(
                _("Your skill “%(via)s” counts towards “%(skill)s”.")
                % {"via": via.label, "skill": skill.label}
            )
        elif m["proficiency"] < m["min_proficiency"]:
            lines.append(
                _("Your level in “%(skill)s” is below the level asked (%(level)s).")
                % {"skill": skill.label, "level": Proficiency(m["min_proficiency"]).label}
            )
    return lines


def reasons(
    rec: Recommendation,
    *,
    skills: dict[int, Skill],
    courses: dict[int, list[Course]],
    weights: dict[str, Any],
    remote: bool,
    work_rights: str = "",
) -> Reasons:
    """The plain-words reasons of one recommendation, for the person it is recommended to."""
    met, missing_ids = len(rec.matched), list(rec.missing)
    total = met + len(missing_ids)
    missing = [MissingSkill(skills[s], courses.get(s, [])) for s in missing_ids if s in skills]
    if total == 0:
        summary = _("This offer asks for no particular skill.")
    else:
        summary = ngettext(
            "You have %(met)s of the %(total)s skill asked.",
            "You have %(met)s of the %(total)s skills asked.",
            total,
        ) % {"met": met, "total": total}
    lines = _skill_lines(rec, skills)
    full = {name: int(round(float(weights.get(name, 0)) * UNIT)) for name in TERM_LABELS}
    if remote:
        lines.append(_("Remote work: you can do it from home."))
    elif rec.terms.get("location", 0) >= full["location"] > 0:
        lines.append(_("It is in your area."))
    elif rec.terms.get("location", 0) >= full["location"] * SAME_GOVERNORATE - 1 > 0:
        lines.append(_("It is in your governorate."))
    elif rec.terms.get("location", 0) > 0:
        lines.append(_("It is within commuting distance."))
    else:
        lines.append(_("It is far from where you live."))
    if rec.terms.get("language", 0) < full["language"]:
        lines.append(_("It asks for a language you have not listed."))
    if rec.terms.get("education", 0) < full["education"]:
        lines.append(_("It asks for more education than you have listed."))
    if rec.terms.get("accessibility", 0) < full["accessibility"]:
        lines.append(_("The workplace may not offer every accommodation you need."))
    if work_rights:
        lines.append(work_rights)
    percent = min(100, int(round(100 * rec.units / max_units(weights))))
    return Reasons(summary, lines, missing, percent, term_points(rec))
