"""The adapter between the database and the pure engine: build a market, rank, and explain pairs as rows.

``build_market`` loads seekers and opportunities in bulk, applies the hard constraints the engine needs as
data (which offers are closed to non-Jordanians, which person–offer pairs are open anyway: see
``constraints.py``), and builds the engine's index. ``person_lists`` and ``candidate_lists`` turn the
engine's top-k into ``Recommendation`` rows (unsaved), each with its score split into terms (in engine units,
adding up exactly to the score) and the skills met and missing, as database skill ids.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from maharat.matching import engine, market
from maharat.matching.constraints import work_rights_constraints
from maharat.matching.engine_types import UNIT, Explanation, Weights
from maharat.matching.models import MatchRun, Recommendation, Side
from maharat.matching.offers import OfferTable, load_offers
from maharat.matching.seekers import Localities, SeekerTable, Taxonomy, load_seekers, load_taxonomy


@dataclass
class Market:
    """Both sides as the engine sees them, the index over them, and the maps back to database ids."""

    taxonomy: Taxonomy
    seekers: SeekerTable
    offers: OfferTable
    index: engine.MatchIndex
    weights: Weights

    def person_row(self) -> dict[int, int]:
        """Person id → seeker row."""
        return self.seekers.row_of()

    def offer_row(self) -> dict[int, int]:
        """Opportunity id → opportunity row."""
        return self.offers.row_of()


def build_market(
    *,
    person_ids: Iterable[int] | None = None,
    opportunity_ids: Iterable[int] | None = None,
    today: dt.date | None = None,
    weights: Weights | None = None,
) -> Market:
    """Load the seeker pool and the active opportunities (or the named ones) and index them."""
    taxonomy = load_taxonomy()
    localities = Localities()
    seekers = load_seekers(taxonomy, localities, person_ids)
    offers = load_offers(taxonomy, localities, opportunity_ids, today=today)
    closed, exceptions = work_rights_constraints(seekers, offers, today=today)
    opportunities = offers.opportunities
    if len(offers):
        opportunities = dataclasses.replace(opportunities, closed_to_non_jordanians=closed)
    chosen = weights or market.weights()
    index = engine.build_index(
        seekers.seekers,
        opportunities,
        n_skills=max(1, taxonomy.n_skills),
        proximity=market.proximity_matrix(),
        weights=chosen,
        related=taxonomy.related if taxonomy.n_skills else None,
        work_permit_exceptions=exceptions if len(exceptions) else None,
    )
    return Market(taxonomy, seekers, offers, index, chosen)


def explanation_fields(m: Market, explanation: Explanation) -> dict[str, Any]:
    """What a stored recommendation keeps of an explanation: terms in units, skills as database ids."""
    ids = m.taxonomy.skill_ids
    return {
        "units": explanation.total,
        "score": explanation.total / UNIT,
        "terms": {name: int(units) for name, units in explanation.terms.items()},
        "matched": [
            {
                "skill": int(ids[s.skill]),
                "via": int(ids[s.via]),
                "proficiency": s.proficiency,
                "min_proficiency": s.min_proficiency,
                "credit": s.credit,
            }
            for s in explanation.matched
        ],
        "missing": [int(ids[r]) for r in explanation.missing],
        "reasons": list(explanation.reasons),
    }


def _rows(
    m: Market, run: MatchRun | None, side: str, pairs: Iterable[tuple[int, int, int]]
) -> list[Recommendation]:
    """Recommendation rows of (seeker row, opportunity row, rank) pairs, explained."""
    person_ids, offer_ids = m.seekers.person_ids, m.offers.opportunity_ids
    out = []
    for s, o, rank in pairs:
        fields = explanation_fields(m, engine.explain(m.index, s, o))
        out.append(
            Recommendation(
                run=run,
                side=side,
                person_id=int(person_ids[s]),
                opportunity_id=int(offer_ids[o]),
                rank=rank,
                **fields,
            )
        )
    return out


def person_lists(m: Market, rows: np.ndarray, *, k: int, run: MatchRun | None = None) -> list[Recommendation]:
    """The k best opportunities of the seekers at these rows, as unsaved rows."""
    if len(rows) == 0 or len(m.offers) == 0:
        return []
    top = engine.top_opportunities(m.index, k=k, seekers=rows)
    pairs = (
        (int(s), int(o), rank + 1)
        for s, items in zip(top.queries.tolist(), top.items.tolist(), strict=True)
        for rank, o in enumerate(items)
        if o >= 0
    )
    return _rows(m, run, Side.PERSON, pairs)


def candidate_lists(
    m: Market, rows: np.ndarray, *, k: int, run: MatchRun | None = None
) -> list[Recommendation]:
    """The k best consenting, eligible candidates of the opportunities at these rows, as unsaved rows."""
    if len(rows) == 0 or len(m.seekers) == 0:
        return []
    top = engine.top_candidates(m.index, k=k, opportunities=rows)
    pairs = (
        (int(s), int(o), rank + 1)
        for o, items in zip(top.queries.tolist(), top.items.tolist(), strict=True)
        for rank, s in enumerate(items)
        if s >= 0
    )
    return _rows(m, run, Side.OPPORTUNITY, pairs)
