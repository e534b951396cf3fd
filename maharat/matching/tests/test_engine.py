"""Matching engine: exact top-k both ways against a brute force, hard constraints, explanations, fairness audit.

Pure tests (no database). The brute force below re-implements the score from the definition in
``maharat/matching/engine.py`` with Python integers, pair by pair, and ranks every eligible pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse

from maharat.matching.engine import (
    CLOSED_TO_NON_JORDANIANS,
    INACTIVE,
    NO_MATCHING_CONSENT,
    PERMIT_EXCEPTION,
    UNIT,
    MatchIndex,
    Opportunities,
    Seekers,
    Weights,
    build_index,
    explain,
    fairness_audit,
    quantize,
    score,
    top_candidates,
    top_opportunities,
)

CREDIT = 4096


@dataclass
class Market:
    """A random instance: both sides, the taxonomy, the governorates and the exceptions."""

    seekers: Seekers
    opportunities: Opportunities
    n_skills: int
    related: dict[tuple[int, int], float]  # (required skill, seeker's skill) -> discount
    proximity: np.ndarray
    exceptions: list[tuple[int, int]]
    weights: Weights

    def index(self) -> MatchIndex:
        rows = [r for r, _ in self.related]
        cols = [k for _, k in self.related]
        matrix = sparse.coo_matrix((list(self.related.values()), (rows, cols)), shape=(self.n_skills,) * 2)
        return build_index(
            self.seekers,
            self.opportunities,
            n_skills=self.n_skills,
            proximity=self.proximity,
            weights=self.weights,
            related=matrix,
            work_permit_exceptions=self.exceptions or None,
        )


def csr(rng: np.random.Generator, n: int, lo: int, hi: int, n_skills: int) -> tuple[np.ndarray, np.ndarray]:
    counts = rng.integers(lo, hi + 1, n)
    skills = [rng.choice(n_skills, size=c, replace=False) for c in counts]
    return np.concatenate(([0], np.cumsum(counts))), np.concatenate([*skills, np.zeros(0, np.int64)])


def random_market(seed: int, n_seekers: int, n_opps: int, weights: Weights) -> Market:
    """Small instances with coarse values, so that ties are frequent; locality i lies in governorate i // 2."""
    rng = np.random.default_rng(seed)
    n_skills, g = int(rng.integers(2, 9)), int(rng.integers(1, 4))
    sp, ss = csr(rng, n_seekers, 0, min(4, n_skills), n_skills)
    s_gov = rng.integers(-1, g, n_seekers)
    s_loc = np.where(
        (s_gov >= 0) & (rng.random(n_seekers) < 0.6),
        2 * np.maximum(s_gov, 0) + rng.integers(0, 2, n_seekers),
        -1,
    )
    seekers = Seekers(
        ids=rng.permutation(10 * n_seekers)[:n_seekers] + 1,
        skill_indptr=sp,
        skills=ss,
        proficiency=rng.integers(1, 5, len(ss)),
        governorate=s_gov,
        needs_work_permit=rng.random(n_seekers) < 0.4,
        matching_consent=rng.random(n_seekers) < 0.8,
        locality=s_loc,
        languages=rng.integers(0, 4, n_seekers),
        available_from=rng.choice([0, 10, 30, 90], n_seekers),
        education=rng.integers(0, 4, n_seekers),
        accessibility_needs=rng.choice([0, 0, 1, 3], n_seekers),
    )
    op, os_ = csr(rng, n_opps, 0, min(3, n_skills), n_skills)
    o_gov = rng.integers(0, g, n_opps)
    opportunities = Opportunities(
        ids=rng.permutation(10 * n_opps)[:n_opps] + 1,
        skill_indptr=op,
        skills=os_,
        importance=rng.choice([1.0, 2.0, 0.5], len(os_)),
        min_proficiency=rng.integers(0, 5, len(os_)),
        governorate=o_gov,
        remote=rng.random(n_opps) < 0.2,
        active=rng.random(n_opps) < 0.8,
        closed_to_non_jordanians=rng.random(n_opps) < 0.3,
        locality=np.where(rng.random(n_opps) < 0.6, 2 * o_gov + rng.integers(0, 2, n_opps), -1),
        languages=rng.integers(0, 4, n_opps),
        start=rng.choice([0, 20, 60], n_opps),
        min_education=rng.integers(0, 4, n_opps),
        accessibility=rng.integers(0, 4, n_opps),
    )
    related: dict[tuple[int, int], float] = {}
    for _ in range(int(rng.integers(0, 2 * n_skills))):
        r, k = (int(x) for x in rng.choice(n_skills, 2, replace=False))
        related[(r, k)] = float(rng.choice([0.5, 0.75, 0.9]))
    proximity = rng.choice([0.0, 0.5, 0.8], (g, g))
    np.fill_diagonal(proximity, 0.8)
    exceptions = sorted(
        {(int(rng.integers(n_seekers)), int(rng.integers(n_opps))) for _ in range(int(rng.integers(0, 4)))}
    )
    return Market(seekers, opportunities, n_skills, related, proximity, exceptions, weights)


def q(x: float, one: int) -> int:
    return int(quantize(x, one))


def popcount(x: int) -> int:
    return bin(int(x)).count("1")


def brute_units(m: Market, s: int, o: int) -> int:
    """The score of one pair from the definition, with Python integers."""
    w, see, opp = m.weights, m.seekers, m.opportunities
    own = [
        (int(k), int(p))
        for k, p in zip(
            see.skills[see.skill_indptr[s] : see.skill_indptr[s + 1]],
            see.proficiency[see.skill_indptr[s] : see.skill_indptr[s + 1]],
            strict=True,
        )
    ]
    a, b = int(opp.skill_indptr[o]), int(opp.skill_indptr[o + 1])
    total_importance = 0.0
    for j in range(a, b):
        total_importance += float(opp.importance[j])
    skills = 0
    for j in range(a, b):
        r, minimum = int(opp.skills[j]), int(opp.min_proficiency[j])
        weight = q(w.skills * float(opp.importance[j]) / total_importance, 1 << 16)
        credit = 0
        for k, p in own:
            g = q(w.proficiency_shortfall ** max(0, minimum - p), CREDIT)
            if k == r:
                credit = max(credit, g)
            if (r, k) in m.related:
                credit = max(credit, (q(m.related[(r, k)], CREDIT) * g + CREDIT // 2) // CREDIT)
        skills += credit * weight
    s_gov, s_loc = int(see.governorate[s]), int(see.locality[s])
    if opp.remote[o]:
        location = q(w.location * w.remote, UNIT)
    elif s_loc >= 0 and s_loc == int(opp.locality[o]):
        location = q(w.location, UNIT)
    elif s_gov < 0:
        location = 0
    else:
        location = q(w.location * float(m.proximity[s_gov, int(opp.governorate[o])]), UNIT)
    required = int(opp.languages[o])
    language = q(w.language, UNIT)
    if required:
        language = language * popcount(required & int(see.languages[s])) // popcount(required)
    late = int(see.available_from[s]) - int(opp.start[o])
    availability, horizon = q(w.availability, UNIT), w.availability_horizon_days
    if late > 0:
        availability = 0 if late >= horizon else availability * (horizon - late) // horizon
    short = max(0, int(opp.min_education[o]) - int(see.education[s]))
    education = q(w.education * w.education_shortfall**short, UNIT)
    needs = int(see.accessibility_needs[s])
    accessibility = q(w.accessibility, UNIT)
    if needs:
        accessibility = accessibility * popcount(needs & int(opp.accessibility[o])) // popcount(needs)
    return skills + location + language + availability + education + accessibility


def open_to(m: Market, s: int, o: int) -> bool:
    """The hard constraints shared by both directions: active, and work rights (or an exception)."""
    opp = m.opportunities
    closed = opp.closed_to_non_jordanians[o] and m.seekers.needs_work_permit[s] and (s, o) not in m.exceptions
    return bool(opp.active[o]) and not closed


def brute_top_opportunities(
    m: Market, k: int, rows: Sequence[int] | None = None
) -> list[list[tuple[int, int]]]:
    """For each seeker (of rows), (opportunity, units) of the k best eligible opportunities, ties by smaller id."""
    ids = m.opportunities.ids
    out = []
    for s in range(len(m.seekers)) if rows is None else rows:
        ranked = sorted(
            ((brute_units(m, s, o), o) for o in range(len(m.opportunities)) if open_to(m, s, o)),
            key=lambda t: (-t[0], ids[t[1]]),
        )
        out.append([(o, u) for u, o in ranked[:k]])
    return out


def brute_top_candidates(m: Market, k: int, rows: Sequence[int] | None = None) -> list[list[tuple[int, int]]]:
    """For each opportunity (of rows), (seeker, units) of the k best consenting eligible seekers, ties by smaller id."""
    ids = m.seekers.ids
    out = []
    for o in range(len(m.opportunities)) if rows is None else rows:
        ranked = sorted(
            (
                (brute_units(m, s, o), s)
                for s in range(len(m.seekers))
                if m.seekers.matching_consent[s] and open_to(m, s, o)
            ),
            key=lambda t: (-t[0], ids[t[1]]),
        )
        out.append([(s, u) for u, s in ranked[:k]])
    return out


def lists(items: np.ndarray, scores: np.ndarray) -> list[list[tuple[int, int]]]:
    return [
        [(int(i), int(u)) for i, u in zip(row, srow, strict=True) if i >= 0]
        for row, srow in zip(items, scores, strict=True)
    ]


weights_strategy = st.sampled_from(
    [
        Weights(),
        Weights(skills=1.0, location=0.0, language=0.0, availability=0.0, education=0.0, accessibility=0.0),
        Weights(skills=0.3, location=0.5, proficiency_shortfall=0.0, remote=0.4, education_shortfall=0.3),
        Weights(skills=0.0, location=0.2, language=0.3, availability=0.1, availability_horizon_days=30),
    ]
)
market_strategy = st.builds(
    random_market,
    seed=st.integers(0, 2**32 - 1),
    n_seekers=st.integers(1, 25),
    n_opps=st.integers(1, 25),
    weights=weights_strategy,
)
fuzz = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class TopKTests:
    @fuzz
    @given(market=market_strategy, k=st.integers(1, 6))
    def test_top_opportunities_equal_brute_force(self, market: Market, k: int) -> None:
        result = top_opportunities(market.index(), k=k)
        assert lists(result.items, result.scores) == brute_top_opportunities(market, k)

    @fuzz
    @given(market=market_strategy, k=st.integers(1, 6))
    def test_top_candidates_equal_brute_force(self, market: Market, k: int) -> None:
        result = top_candidates(market.index(), k=k)
        assert lists(result.items, result.scores) == brute_top_candidates(market, k)

    @settings(max_examples=20, deadline=None)
    @given(market=market_strategy)
    def test_score_equals_definition_on_every_pair(self, market: Market) -> None:
        index = market.index()
        s, o = np.divmod(
            np.arange(len(market.seekers) * len(market.opportunities)), len(market.opportunities)
        )
        expected = [brute_units(market, int(a), int(b)) for a, b in zip(s, o, strict=True)]
        assert score(index, s, o).tolist() == expected

    def test_a_subset_of_queries_ranks_as_the_full_run(self) -> None:
        market = random_market(7, 25, 25, Weights())
        index = market.index()
        full, part = top_opportunities(index, k=4), top_opportunities(index, k=4, seekers=[20, 3, 3])
        assert part.items.tolist() == full.items[[20, 3, 3]].tolist()
        full, part = top_candidates(index, k=4), top_candidates(index, k=4, opportunities=[5, 0])
        assert part.items.tolist() == full.items[[5, 0]].tolist()

    def test_equal_scores_rank_by_smaller_id_whatever_the_order(self) -> None:
        n = 6
        opportunities = identical_opportunities(n, ids=[60, 10, 50, 20, 40, 30])
        index = build_index(one_seeker(), opportunities, n_skills=2, proximity=[[0.8]])
        result = top_opportunities(index, k=4)
        assert result.items[0].tolist() == [1, 3, 5, 4]  # ids 10, 20, 30, 40
        assert len(set(result.scores[0].tolist())) == 1

    def test_pads_with_minus_one_when_fewer_are_eligible(self) -> None:
        index = build_index(
            one_seeker(), identical_opportunities(2, ids=[1, 2]), n_skills=2, proximity=[[0.8]]
        )
        result = top_opportunities(index, k=5)
        assert result.items[0].tolist() == [0, 1, -1, -1, -1]
        assert result.scores[0, 2:].tolist() == [-1, -1, -1]
        assert np.isnan(result.points()[0, 2:]).all()

    def test_a_larger_market_with_many_chunks_per_governorate_matches_brute_force(self) -> None:
        market = random_market(11, 1000, 1000, Weights())  # segments of 150+ items: several chunks each
        index = market.index()
        assert len(index.chunks[1]) > len(index.seg_start) - 1
        rows = list(range(0, 1000, 41))
        result = top_opportunities(index, k=5, seekers=rows)
        assert lists(result.items, result.scores) == brute_top_opportunities(market, 5, rows)
        result = top_candidates(index, k=5, opportunities=rows)
        assert lists(result.items, result.scores) == brute_top_candidates(market, 5, rows)


def one_seeker(**overrides: object) -> Seekers:
    fields: dict[str, object] = {
        "ids": [1],
        "skill_indptr": [0, 1],
        "skills": [0],
        "proficiency": [3],
        "governorate": [0],
        "needs_work_permit": [False],
        "matching_consent": [True],
    }
    fields.update(overrides)
    return Seekers(**fields)


def identical_opportunities(n: int, ids: list[int], **overrides: object) -> Opportunities:
    fields: dict[str, object] = {
        "ids": ids,
        "skill_indptr": np.arange(n + 1),
        "skills": np.zeros(n, np.int64),
        "importance": np.ones(n),
        "min_proficiency": np.full(n, 2),
        "governorate": np.zeros(n, np.int64),
        "remote": np.zeros(n, bool),
        "active": np.ones(n, bool),
        "closed_to_non_jordanians": np.zeros(n, bool),
    }
    fields.update(overrides)
    return Opportunities(**fields)


# The personas' market: skills 0 hairdressing, 1 construction, 2 farming, 3 spreadsheets, 4 Excel.
GOVERNORATES = ["Amman", "Mafraq", "Irbid"]
PROXIMITY = [[0.8, 0.3, 0.4], [0.3, 0.8, 0.5], [0.4, 0.5, 0.8]]


def personas() -> Seekers:
    """Amal, a Syrian refugee in Mafraq; Omar, a young Jordanian in Amman; Hassan, an Iraqi migrant with a disability."""
    return Seekers(
        ids=[101, 102, 103],
        skill_indptr=[0, 3, 5, 7],
        skills=[0, 1, 2, 1, 3, 4, 2],
        proficiency=[4, 3, 3, 2, 4, 3, 2],
        governorate=[1, 0, 2],
        needs_work_permit=[True, False, True],
        matching_consent=[True, True, False],
        accessibility_needs=[0, 0, 0b01],
    )


def offers(**overrides: object) -> Opportunities:
    """A barber's job (closed to non-Jordanians), a construction site, a farm, an office job, an expired barber's job."""
    fields: dict[str, object] = {
        "ids": [1, 2, 3, 4, 5],
        "skill_indptr": [0, 1, 2, 3, 5, 6],
        "skills": [0, 1, 2, 3, 1, 0],
        "importance": [1.0, 1.0, 1.0, 3.0, 1.0, 1.0],
        "min_proficiency": [2, 2, 1, 3, 1, 1],
        "governorate": [1, 1, 1, 0, 1],
        "remote": [False, False, False, False, False],
        "active": [True, True, True, True, False],
        "closed_to_non_jordanians": [True, False, False, False, True],
        "accessibility": [0, 0, 0b01, 0b01, 0],
    }
    fields.update(overrides)
    return Opportunities(**fields)


def personas_index(**kwargs: object) -> MatchIndex:
    related = sparse.coo_matrix(([0.8], ([3], [4])), shape=(5, 5))  # Excel meets "spreadsheets" at 80%
    return build_index(personas(), offers(), n_skills=5, proximity=PROXIMITY, related=related, **kwargs)


class HardConstraintTests:
    def test_a_barbers_job_is_never_recommended_to_a_syrian_refugee_but_construction_and_farming_are(
        self,
    ) -> None:
        result = top_opportunities(personas_index(), k=5)
        amal = result.items[0].tolist()
        assert 0 not in amal  # the barber's job, though her best skill match
        assert {1, 2} <= set(amal)
        assert 0 in result.items[1].tolist()  # Omar, a Jordanian, sees it

    def test_an_exception_opens_the_closed_job_to_that_person_only(self) -> None:
        index = personas_index(work_permit_exceptions=[(0, 0)])
        assert 0 in top_opportunities(index, k=5).items[0].tolist()
        assert 0 in top_candidates(index, k=5).items[0].tolist()
        assert explain(index, 0, 0).reasons == (PERMIT_EXCEPTION,)
        assert explain(index, 2, 0).reasons == (CLOSED_TO_NON_JORDANIANS, NO_MATCHING_CONSENT)

    def test_an_inactive_offer_appears_nowhere(self) -> None:
        index = personas_index()
        assert 4 not in top_opportunities(index, k=5).items
        assert (top_candidates(index, k=3, opportunities=[4]).items == -1).all()
        assert explain(index, 1, 4).reasons == (INACTIVE,)
        assert not explain(index, 1, 4).recommendable

    def test_a_seeker_without_consent_is_no_ones_candidate_but_sees_recommendations(self) -> None:
        index = personas_index()
        assert 2 not in top_candidates(index, k=3).items
        assert (top_opportunities(index, k=3, seekers=[2]).items >= 0).all()
        hassan_office = explain(index, 2, 3)
        assert hassan_office.recommendable and not hassan_office.proposable

    @fuzz
    @given(market=market_strategy)
    def test_no_list_ever_breaks_a_hard_constraint(self, market: Market) -> None:
        index = market.index()
        for s, row in enumerate(top_opportunities(index, k=25).items):
            assert all(open_to(market, s, int(o)) for o in row if o >= 0)
        for o, row in enumerate(top_candidates(index, k=25).items):
            assert all(
                open_to(market, int(s), o) and market.seekers.matching_consent[s] for s in row if s >= 0
            )


class ExplanationTests:
    @fuzz
    @given(market=market_strategy)
    def test_terms_add_up_to_the_ranked_score(self, market: Market) -> None:
        index = market.index()
        result = top_opportunities(index, k=3)
        for s, (row, units) in enumerate(zip(result.items, result.scores, strict=True)):
            for o, u in zip(row, units, strict=True):
                if o < 0:
                    continue
                why = explain(index, s, int(o))
                assert why.total == sum(why.terms.values()) == u
                assert sum(m.units for m in why.matched) == why.terms["skills"]
                required = market.opportunities.skills[
                    market.opportunities.skill_indptr[o] : market.opportunities.skill_indptr[o + 1]
                ]
                assert sorted([m.skill for m in why.matched] + list(why.missing)) == sorted(required.tolist())

    def test_a_related_skill_meets_a_requirement_at_its_discount(self) -> None:
        why = explain(
            personas_index(), 2, 3
        )  # Hassan has Excel (3) and farming; the office job wants spreadsheets and construction
        (spreadsheets,) = why.matched
        assert (spreadsheets.skill, spreadsheets.via) == (3, 4)
        assert spreadsheets.discount == q(0.8, CREDIT) / CREDIT
        assert spreadsheets.proficiency == 3 and spreadsheets.min_proficiency == 3
        assert spreadsheets.credit == spreadsheets.discount
        assert why.missing == (1,)  # construction
        weight = q(0.55 * 3.0 / 4.0, 1 << 16)
        assert spreadsheets.units == q(0.8, CREDIT) * weight == why.terms["skills"]

    def test_a_proficiency_below_the_minimum_earns_part_of_the_credit(self) -> None:
        why = explain(personas_index(), 1, 3)  # Omar: spreadsheets at 4 (min 3), construction at 2 (min 1)
        assert [(m.skill, m.credit) for m in why.matched] == [(3, 1.0), (1, 1.0)]
        short = explain(
            personas_index(weights=Weights(proficiency_shortfall=0.5)), 0, 0
        )  # Amal: hairdressing 4 ≥ 2
        assert short.matched[0].credit == 1.0
        index = build_index(
            one_seeker(proficiency=[1]),
            identical_opportunities(1, ids=[1], min_proficiency=[4]),
            n_skills=2,
            proximity=[[0.8]],
        )
        assert explain(index, 0, 0).matched[0].credit == 0.125  # three levels short: 0.5 ** 3

    def test_remote_work_matches_a_seeker_whose_governorate_is_unknown(self) -> None:
        index = build_index(
            one_seeker(governorate=[-1]),
            identical_opportunities(2, ids=[1, 2], remote=[True, False]),
            n_skills=2,
            proximity=[[0.8]],
        )
        assert explain(index, 0, 0).terms["location"] == q(0.15, UNIT)
        assert explain(index, 0, 1).terms["location"] == 0
        assert top_opportunities(index, k=1).items[0, 0] == 0

    def test_points_are_units_over_unit(self) -> None:
        why = explain(personas_index(), 1, 1)
        assert why.points == why.total / UNIT
        assert sum(why.term_points().values()) == pytest.approx(why.points)


class FairnessAuditTests:
    def test_flags_a_group_recommended_below_four_fifths_of_the_best_groups_rate(self) -> None:
        sex = ["F"] * 10 + ["M"] * 10
        recommended = [[0, 1, 2, 10, 11, 12, 13, 14], [3, 15, -1]]  # women 4/10, men 6/10
        rates = {r.group: r for r in fairness_audit(recommended, {"sex": sex})}
        assert (rates["F"].rate, rates["M"].rate) == (0.4, 0.6)
        assert rates["F"].ratio == pytest.approx(2 / 3)
        assert rates["F"].flagged and not rates["M"].flagged

    def test_rates_within_four_fifths_are_not_flagged(self) -> None:
        status = ["refugee"] * 5 + ["host"] * 5
        audit = fairness_audit(np.array([[0, 1, 2, 3, 5, 6, 7, 8, 9]]), {"status": status})
        assert not any(r.flagged for r in audit)  # 4/5 against 5/5: exactly 80%

    def test_the_pool_small_groups_and_missing_labels(self) -> None:
        disability = [True, True, False, False, False, None]
        audit = fairness_audit(
            [[0, 2, 5]], {"disability": disability}, pool=[True, True, True, True, False, True], min_members=2
        )
        rates = {r.group: r for r in audit}
        assert (rates["True"].members, rates["True"].recommended) == (2, 1)
        assert (rates["False"].members, rates["False"].recommended) == (2, 1)
        assert not any(r.flagged for r in audit)
        tiny = fairness_audit([[0]], {"governorate": ["AM", "AM", "TA"]}, min_members=2)
        assert not next(r for r in tiny if r.group == "TA").flagged

    def test_audits_the_candidate_lists_of_the_engine(self) -> None:
        index = personas_index()
        audit = fairness_audit(
            top_candidates(index, k=1).items, {"status": ["refugee", "jordanian", "migrant"]}
        )
        assert {r.group for r in audit} == {"refugee", "jordanian", "migrant"}


class ValidationTests:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (lambda: {"seekers": one_seeker(ids=[1], skills=[9])}, "skills must lie"),
            (lambda: {"seekers": one_seeker(proficiency=[5])}, "proficiency"),
            (lambda: {"opportunities": identical_opportunities(2, ids=[1, 1])}, "unique"),
            (lambda: {"related": sparse.coo_matrix(([1.0], ([0], [1])), shape=(2, 2))}, "strictly between"),
            (lambda: {"weights": Weights(skills=8.0)}, "at most"),
            (
                lambda: {
                    "seekers": one_seeker(locality=[3]),
                    "opportunities": identical_opportunities(1, ids=[1], locality=[3], governorate=[1]),
                },
                "one governorate",
            ),
            (lambda: {"proximity": [[1.5]]}, "proximity"),
            (lambda: {"work_permit_exceptions": [(0, 7)]}, "pairs"),
        ],
    )
    def test_bad_input_is_refused(self, change: object, message: str) -> None:
        arguments: dict[str, object] = {
            "seekers": one_seeker(),
            "opportunities": identical_opportunities(1, ids=[1]),
            "n_skills": 2,
            "proximity": [[0.8, 0.2], [0.2, 0.8]],
        }
        arguments.update(change())
        with pytest.raises(ValueError, match=message):
            build_index(**arguments)
