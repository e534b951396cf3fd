"""Reads of matching: a person's recommendations with reasons, an offer's candidates as far as consent allows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from maharat.matching import access, market
from maharat.matching.explain import Reasons, courses_teaching, reasons, skills_of, term_points
from maharat.matching.models import MatchRun, Recommendation, Side
from maharat.opportunities.models import Opportunity
from maharat.opportunities.work_rights import Rules, is_jordanian
from maharat.people.models import Person


@dataclass
class Recommended:
    """One opportunity on a person's page, with its reasons."""

    recommendation: Recommendation
    opportunity: Opportunity
    reasons: Reasons


def _weights(rec: Recommendation) -> dict[str, Any]:
    if rec.run is not None and rec.run.weights:
        return dict(rec.run.weights)
    return market.weights_dict(market.weights())


def person_recommendations(person: Person, *, limit: int | None = None) -> list[Recommended]:
    """The person's stored list, best first, leaving out offers that closed since it was computed."""
    visible = Opportunity.objects.visible()
    recs: QuerySet[Recommendation] = (
        Recommendation.objects.filter(side=Side.PERSON, person=person, opportunity__in=visible)
        .select_related("opportunity__employer", "opportunity__governorate", "opportunity__occupation", "run")
        .order_by("rank")
    )
    if limit is not None:
        recs = recs[:limit]
    rows = list(recs)
    skills = skills_of(rows)
    courses = courses_teaching(s for rec in rows for s in rec.missing)
    needs_permit = not is_jordanian(person.nationality, person.legal_status)
    rules = Rules.load() if needs_permit and rows else None
    out = []
    for rec in rows:
        opportunity = rec.opportunity
        rights = ""
        if rules is not None:
            rights = rules.verdict(
                nationality=person.nationality, legal_status=person.legal_status, opportunity=opportunity
            ).reason
        out.append(
            Recommended(
                rec,
                opportunity,
                reasons(
                    rec,
                    skills=skills,
                    courses=courses,
                    weights=_weights(rec),
                    remote=opportunity.remote,
                    work_rights=rights,
                ),
            )
        )
    return out


@dataclass
class Candidate:
    """One ranked candidate as an employer may see them: by name, or under a pseudonym."""

    recommendation: Recommendation
    visibility: str
    person: Person | None  # None when shown under a pseudonym
    label: str
    governorate: str
    applied: bool
    application_id: int | None
    application_status: str
    terms: list[tuple[str, float]]
    matched: list[str]
    missing: list[str]


def opportunity_candidates(opportunity: Opportunity) -> list[Candidate]:
    """The offer's ranked candidates, only those the employer may see, and only as far as they may see them."""
    from maharat.opportunities.models import Application

    recs = list(
        Recommendation.objects.filter(side=Side.OPPORTUNITY, opportunity=opportunity)
        .select_related("person__governorate")
        .order_by("rank")
    )
    visibility = access.candidate_visibility(opportunity, [r.person_id for r in recs])
    applications = {
        a.person_id: a
        for a in Application.objects.filter(opportunity=opportunity, person_id__in=list(visibility)).only(
            "pk", "person_id", "status"
        )
    }
    skills = skills_of(recs)
    out = []
    for rec in recs:
        seen = visibility.get(rec.person_id)
        if seen is None:
            continue
        person = rec.person if seen == access.IDENTIFIED else None
        application = applications.get(rec.person_id)
        out.append(
            Candidate(
                recommendation=rec,
                visibility=seen,
                person=person,
                label=person.display_name
                if person is not None
                else access.pseudonym(rec.person_id, opportunity.pk),
                governorate=rec.person.governorate.label,
                applied=application is not None,
                application_id=application.pk if application else None,
                application_status=application.get_status_display() if application else "",
                terms=term_points(rec),
                matched=[skills[m["skill"]].label for m in rec.matched if m["skill"] in skills],
                missing=[skills[s].label for s in rec.missing if s in skills],
            )
        )
    return out


def recent_runs(limit: int = 20) -> list[MatchRun]:
    """The latest runs, for the staff page."""
    return list(MatchRun.objects.select_related("opportunity").order_by("-created_at", "-id")[:limit])
