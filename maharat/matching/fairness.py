"""The fairness audit for programme staff: who gets recommended and shortlisted, by group, with the 80% rule.

*Recommendation rate*: among the people who could have been proposed (valid matching consent, and for one
offer, not barred from it by the work-rights lists — the law is not the engine's bias), the share that appears
in a candidate list (one offer's, or any offer's overall). *Shortlist rate*: among the applicants, the share
shortlisted or further (interview, offer, hire). Groups are compared per attribute (sex, legal status,
disability, governorate); a group whose rate is below 80% of the best group's is flagged. Groups under
``MIN_MEMBERS`` people get a rate but are neither flagged nor the benchmark. Counts only, never a person.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from maharat.core.models import Governorate
from maharat.matching.engine_fairness import GroupRate, fairness_audit
from maharat.matching.models import Recommendation, Side
from maharat.opportunities.choices import ApplicationStatus
from maharat.opportunities.models import Application, Opportunity
from maharat.opportunities.work_rights import closed_combinations
from maharat.people.choices import ConsentPurpose, LegalStatus, Sex
from maharat.people.models import Consent, Person, valid_consent_q

MIN_MEMBERS = 5
SHORTLISTED = (
    ApplicationStatus.SHORTLISTED,
    ApplicationStatus.INTERVIEW,
    ApplicationStatus.OFFERED,
    ApplicationStatus.HIRED,
)
ATTRIBUTES = {
    "sex": _("Sex"),
    "status": _("Nationality and status"),
    "disability": _("Disability"),
    "governorate": _("Governorate"),
}


@dataclass
class Row:
    """One group's line in the audit table, labelled for the page."""

    attribute: str
    group: str
    members: int
    selected: int
    rate: float
    ratio: float
    flagged: bool


@dataclass
class Audit:
    """Recommendation and shortlist rates of one scope (an offer, or everything)."""

    recommended: list[Row]
    shortlisted: list[Row]

    @property
    def flagged(self) -> int:
        """How many groups fall below the threshold."""
        return sum(r.flagged for r in (*self.recommended, *self.shortlisted))


def _labels() -> dict[str, dict[str, str]]:
    governorates = {g.code: g.label for g in Governorate.objects.all()}
    return {
        "sex": {k: str(v) for k, v in Sex.choices},
        "status": {k: str(v) for k, v in LegalStatus.choices},
        "disability": {"yes": str(_("With a disability")), "no": str(_("Without a disability"))},
        "governorate": governorates,
    }


def _people(
    person_ids: list[int] | None, *, consenting: bool
) -> tuple[np.ndarray, dict[str, list[str]], list[tuple[str, str]]]:
    """Ids, group labels per attribute, and (nationality, legal status) of the people, ordered by id."""
    people = Person.objects.active()
    if consenting:
        people = people.filter(
            Exists(
                Consent.objects.filter(person=OuterRef("pk")).filter(valid_consent_q(ConsentPurpose.MATCHING))
            )
        )
    if person_ids is not None:
        people = people.filter(pk__in=person_ids)
    rows = list(
        people.order_by("pk").values_list(
            "pk", "sex", "nationality", "legal_status", "has_disability", "governorate__code"
        )
    )
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    groups = {
        "sex": [r[1] for r in rows],
        "status": [r[3] for r in rows],
        "disability": ["yes" if r[4] else "no" for r in rows],
        "governorate": [r[5] for r in rows],
    }
    return ids, groups, [(r[2], r[3]) for r in rows]


def _rows(rates: tuple[GroupRate, ...]) -> list[Row]:
    labels = _labels()
    return [
        Row(
            attribute=str(ATTRIBUTES[r.attribute]),
            group=labels[r.attribute].get(r.group, r.group),
            members=r.members,
            selected=r.recommended,
            rate=r.rate,
            ratio=r.ratio,
            flagged=r.flagged,
        )
        for r in rates
    ]


def _positions(ids: np.ndarray, chosen: list[int]) -> np.ndarray:
    chosen_arr = np.asarray(sorted(set(chosen)), dtype=np.int64)
    chosen_arr = chosen_arr[np.isin(chosen_arr, ids)]
    return np.searchsorted(ids, chosen_arr)


def recommendation_rates(opportunity: Opportunity | None = None) -> list[Row]:
    """Who appears in candidate lists, by group, among the people who could have been proposed."""
    ids, groups, combos = _people(None, consenting=True)
    lists = Recommendation.objects.filter(side=Side.OPPORTUNITY)
    pool = np.ones(len(ids), dtype=bool)
    if opportunity is not None:
        lists = lists.filter(opportunity=opportunity)
        shut = closed_combinations(opportunity)
        pool = np.array([c not in shut for c in combos], dtype=bool)
    listed = _positions(ids, list(lists.values_list("person_id", flat=True).distinct()))
    return _rows(fairness_audit([listed], groups, pool=pool, min_members=MIN_MEMBERS))


def shortlist_rates(opportunity: Opportunity | None = None) -> list[Row]:
    """Who is shortlisted (or further), by group, among the applicants."""
    applications = Application.objects.all()
    if opportunity is not None:
        applications = applications.filter(opportunity=opportunity)
    applicants = list(applications.values_list("person_id", flat=True).distinct())
    ids, groups, _combos = _people(applicants, consenting=False)
    chosen = list(applications.filter(status__in=SHORTLISTED).values_list("person_id", flat=True).distinct())
    return _rows(fairness_audit([_positions(ids, chosen)], groups, min_members=MIN_MEMBERS))


def audit(opportunity: Opportunity | None = None) -> Audit:
    """Both rates for one offer, or overall."""
    return Audit(recommendation_rates(opportunity), shortlist_rates(opportunity))
