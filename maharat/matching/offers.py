"""Opportunities from the database, in bulk, as the engine's arrays.

Active means what seekers may see: published, of a verified employer, not past its closing date
(``Opportunity.objects.visible()``); drafts, offers waiting for moderation, closed and expired ones are not
loaded at all, so they can be in no list. Required skills come in one ordered pass over OpportunitySkill.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.utils import timezone

from maharat.matching.engine_types import Opportunities
from maharat.matching.market import EDUCATION_RANK, NEED_FIELDS, language_mask
from maharat.matching.seekers import ITERATOR_CHUNK, Localities, Taxonomy, governorate_indices
from maharat.opportunities.models import Opportunity, OpportunitySkill

EPOCH = dt.date(2000, 1, 1)
WALKING_BIT = NEED_FIELDS.index("wg_walking")


def day_number(day: dt.date | None) -> int | None:
    """Days since 2000-01-01 (the engine's dates)."""
    return None if day is None else (day - EPOCH).days


def accommodations_mask(domains: Iterable[str] | None, accessible: bool) -> int:
    """Accommodations offered as a bit mask over the Washington Group domains; "accessible" means step-free."""
    mask = 0
    for name in domains or ():
        if name in NEED_FIELDS:
            mask |= 1 << NEED_FIELDS.index(name)
    if accessible:
        mask |= 1 << WALKING_BIT
    return mask


@dataclass
class OfferTable:
    """The engine's opportunities and, row by row, what the Django side needs back."""

    opportunities: Opportunities
    opportunity_ids: np.ndarray
    employer_ids: np.ndarray
    employer_closed: np.ndarray  # the employer itself did not open the offer to non-Jordanians

    def __len__(self) -> int:
        return len(self.opportunity_ids)

    def row_of(self) -> dict[int, int]:
        """Opportunity id → row."""
        return {int(o): i for i, o in enumerate(self.opportunity_ids.tolist())}


def load_offers(
    taxonomy: Taxonomy,
    localities: Localities,
    opportunity_ids: Iterable[int] | None = None,
    *,
    today: dt.date | None = None,
) -> OfferTable:
    """Active opportunities (or the named ones among them) as engine arrays, ordered by id."""
    today = today or timezone.localdate()
    gov_index = governorate_indices()
    offers = Opportunity.objects.visible(today).order_by("pk")
    if opportunity_ids is not None:
        offers = offers.filter(pk__in=list(opportunity_ids))
    rows = offers.values_list(
        "pk", "employer_id", "governorate_id", "locality", "remote", "languages", "start_date",
        "min_education", "accommodations", "accessible", "open_to_non_jordanians",
    )  # fmt: skip
    ids: list[int] = []
    employers: list[int] = []
    gov: list[int] = []
    loc: list[int] = []
    remote: list[bool] = []
    langs: list[int] = []
    start: list[int] = []
    edu: list[int] = []
    access: list[int] = []
    closed: list[bool] = []
    latest = 2**31 - 1
    for (
        pk,
        employer,
        gov_id,
        locality,
        is_remote,
        languages,
        start_date,
        education,
        domains,
        step_free,
        open_,
    ) in rows.iterator(chunk_size=ITERATOR_CHUNK):
        g = gov_index.get(gov_id, -1)
        ids.append(pk)
        employers.append(employer)
        gov.append(g)
        loc.append(-1 if is_remote else localities.of(g, locality))
        remote.append(bool(is_remote) or g < 0)
        langs.append(language_mask(languages))
        number = day_number(start_date)
        start.append(latest if number is None else number)
        edu.append(EDUCATION_RANK.get(education or "", 0))
        access.append(accommodations_mask(domains, step_free))
        closed.append(not open_)
    opportunity_ids = np.asarray(ids, dtype=np.int64)
    indptr, skills, importance, minimum = _requirements(taxonomy, opportunity_ids)
    n = len(ids)
    opportunities = Opportunities(
        ids=opportunity_ids,
        skill_indptr=indptr,
        skills=skills,
        importance=importance,
        min_proficiency=minimum,
        governorate=np.asarray(gov, dtype=np.int64),
        remote=np.asarray(remote, dtype=bool),
        active=np.ones(n, dtype=bool),
        closed_to_non_jordanians=np.asarray(closed, dtype=bool),
        locality=np.asarray(loc, dtype=np.int64),
        languages=np.asarray(langs, dtype=np.int64),
        start=np.asarray(start, dtype=np.int64),
        min_education=np.asarray(edu, dtype=np.int64),
        accessibility=np.asarray(access, dtype=np.int64),
    )
    return OfferTable(
        opportunities, opportunity_ids, np.asarray(employers, dtype=np.int64), np.asarray(closed, dtype=bool)
    )


def _requirements(
    taxonomy: Taxonomy, opportunity_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Required skills in CSR form (rows follow opportunity_ids), with importance and minimum level."""
    required = OpportunitySkill.objects.order_by("opportunity_id", "skill_id").values_list(
        "opportunity_id", "skill_id", "importance", "min_proficiency"
    )
    if len(opportunity_ids) < ITERATOR_CHUNK:
        required = required.filter(opportunity_id__in=opportunity_ids.tolist())
    data = np.array(list(required.iterator(chunk_size=ITERATOR_CHUNK)), dtype=np.int64).reshape(-1, 4)
    data = data[np.isin(data[:, 0], opportunity_ids)]
    rows = np.searchsorted(opportunity_ids, data[:, 0])
    counts = np.bincount(rows, minlength=len(opportunity_ids))
    indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    return (
        indptr,
        taxonomy.index_of(data[:, 1]).astype(np.int64),
        data[:, 2].astype(np.float64),
        np.clip(data[:, 3], 0, 4).astype(np.int64),
    )
