"""Matching engine: the exact k best opportunities of every seeker and candidates of every opportunity.

Pure module (numpy, scipy, numba; no Django). The Django side loads seekers and opportunities into the arrays
of ``Seekers`` and ``Opportunities``, calls ``build_index`` once, then ``top_opportunities`` (for seekers),
``top_candidates`` (for opportunities, e.g. one just published) and ``explain`` (the reasons shown on a page),
and stores the results. ``fairness_audit`` computes the staff audit from stored lists.

The score. A pair (seeker s, opportunity o) scores the sum of six terms, each an **integer** number of units
(``UNIT`` = 2**28 units make one point; ``Weights`` gives each term's points):

- *skills* = Σ over the required skills r of o of c(s, r, m_r) · w(o, r), where
  w(o, r) = round(W.skills · 2**16 · importance_r / Σ importance of o) and c (a credit out of 4096) is the
  best of: g(p, m_r) for the seeker's own skill r at proficiency p, and round(d · g(p, m_r)) for each skill
  the seeker holds at proficiency p that is related to r with discount d (``related[r, k] = d``, 0 < d < 1,
  d itself rounded to 1/4096). g(p, m) = round(4096 · W.proficiency_shortfall ** max(0, m − p)): full credit
  at or above the required minimum, less for each level short. Meeting every requirement gives W.skills.
- *location* = W.location if both are in the same locality; otherwise W.location · proximity[gs, go] (the
  caller's governorate matrix, e.g. from commuting time; its diagonal is "same governorate, other
  locality"); W.location · W.remote for a remote opportunity, whoever the seeker; 0 when the seeker's
  governorate is unknown (unless remote).
- *language* = ⌊W.language · |required ∩ spoken| / |required|⌋ (full when nothing is required).
- *availability* = W.availability if the seeker is available by the start date, falling linearly to 0 at
  ``availability_horizon_days`` late.
- *education* = W.education · W.education_shortfall ** max(0, minimum − level).
- *accessibility* = ⌊W.accessibility · |needs ∩ offered| / |needs|⌋ (full for a seeker with no needs).

Every real-valued weight is rounded once, half up, to units (``engine_index.quantize``); after that all
arithmetic is on integers. ``explain`` returns the six terms and the per-skill contributions, which add up
exactly to the score that was ranked.

Hard constraints filter before ranking: an inactive (closed, expired, unpublished) opportunity is in no
list; an opportunity closed to non-Jordanians is never proposed to or for a seeker who needs a work permit,
unless the pair is among ``work_permit_exceptions`` (flexible permits, exempt employers: decided upstream);
a seeker without matching consent is never in an opportunity's candidate list. (``top_opportunities`` serves
seekers their own recommendations, which discloses nothing about them; the caller chooses whom to compute.)

Ranking is by score descending, then id ascending: a strict total order, so "the k best" is one well-defined
list, the one a brute force over every pair returns.

Why the top k is exact (``top_opportunities``; ``top_candidates`` is the same argument with the roles
swapped):

1. *The index computes the definition.* Postings are keyed by (required skill r, minimum level m) and list
   (opportunity, w(o, r)). For a seeker, the kernel records c(s, r, m) for every key reachable from the
   seeker's skills and their related skills (keeping the best source), then adds c · w along each of those
   postings into a score buffer. An opportunity lists a skill once, so it appears at most once per key, and
   keys with c = 0 add 0: after the pass, buffer[o] equals the skills term of (s, o) exactly — integers, so
   the order of the additions cannot matter — and it is 0 for opportunities that share nothing creditable.
2. *The bound is valid.* Opportunities are stored grouped by governorate column (remote is a column), so
   within a group the location term is at most B_loc(g) = proximity units (or the locality units in the
   seeker's own governorate: a locality lies in one governorate, which ``build_index`` checks), and the
   other four terms at most their weights. So every score in the group is ≤ buffer[o] + B(g).
3. *Pruning never drops a member of the top k.* The heap holds the k best pairs offered so far; θ is the
   score of its worst once it is full. θ only rises, so the final k-th score is ≥ θ. A chunk of 128
   opportunities is skipped when its largest buffer value + B(g) < θ, and an opportunity when its own
   buffer + B(g) < θ — **strictly**: its score is then below the final k-th score, so it is not in the top k
   whatever its id. Everything else is scored exactly and offered to the heap, which keeps the k best under
   the total order. To make θ high early, the best-looking opportunity of each of the 2k chunks with the
   highest bounds is scored and offered first ("seeds": real pairs, so θ stays a true k-th best score so
   far) and marked in the buffer with a value no bound lets through, so that nothing is offered twice.
4. *Constraints are structural.* Inactive opportunities are not indexed. Opportunities closed to
   non-Jordanians come last in index order, so for a seeker who needs a permit every postings list is walked
   only up to its open part and the closed groups are not scanned; that seeker's exceptions are scored from
   the definition and offered to the heap. Seekers without consent are not in the seeker-side postings.

The tests check both directions against a brute force over every pair on random instances (hypothesis),
including ties, relations, exceptions and every constraint.

Performance (``benchmarks/matching.py``: 1,000,000 seekers × 100,000 opportunities, exact top-20, in
about 36 s on this 2-core machine). The work is one multiply-add per (seeker, posting) pair that shares a
creditable key, into a 4-byte-per-opportunity buffer that stays in the core's cache, then one vectorized
pass of chunk maxima over that buffer; only the few dozen opportunities the bound lets through are scored in
full. Postings are 4 bytes (a uint16 gap to the previous opportunity and a uint16 weight), which halves the
memory traffic of the hot loop; blocks of seekers run on all cores (``prange``, dynamic scheduling), each
block reusing its scratch buffers; nothing is done in Python per seeker.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numba
import numpy as np

from . import engine_kernels as kern
from .engine_fairness import GroupRate, fairness_audit
from .engine_index import LEVELS, MatchIndex, quantize
from .engine_types import (
    CLOSED_TO_NON_JORDANIANS,
    INACTIVE,
    MAX_EDUCATION,
    MAX_LEVEL,
    NO_MATCHING_CONSENT,
    PERMIT_EXCEPTION,
    UNIT,
    Explanation,
    IntArray,
    Opportunities,
    Seekers,
    SkillMatch,
    TopK,
    Weights,
)

__all__ = [
    "CLOSED_TO_NON_JORDANIANS",
    "INACTIVE",
    "MAX_EDUCATION",
    "MAX_LEVEL",
    "NO_MATCHING_CONSENT",
    "PERMIT_EXCEPTION",
    "UNIT",
    "Explanation",
    "GroupRate",
    "MatchIndex",
    "Opportunities",
    "Seekers",
    "SkillMatch",
    "TopK",
    "Weights",
    "build_index",
    "explain",
    "fairness_audit",
    "quantize",
    "score",
    "top_candidates",
    "top_opportunities",
]

TERMS = ("skills", "location", "language", "availability", "education", "accessibility")


def build_index(
    seekers: Seekers,
    opportunities: Opportunities,
    *,
    n_skills: int,
    proximity: Any,
    weights: Weights | None = None,
    related: Any = None,
    work_permit_exceptions: Any = None,
) -> MatchIndex:
    """Validate the inputs and build the opportunity postings (ValueError on bad input).

    proximity: G × G location credit in [0, 1] between governorates (diagonal: same governorate);
    related: n_skills × n_skills scipy.sparse (or dense) matrix, entry [r, k] = d ∈ (0, 1) when holding skill k
    meets requirement r at discount d; work_permit_exceptions: (seeker index, opportunity index) pairs allowed
    despite a closure to non-Jordanians.
    """
    return MatchIndex(
        seekers,
        opportunities,
        n_skills=n_skills,
        proximity=proximity,
        weights=weights or Weights(),
        related=related,
        work_permit_exceptions=work_permit_exceptions,
    )


def _queries(selection: Sequence[int] | IntArray | None, n: int, what: str) -> IntArray:
    """The query indices, validated."""
    queries = np.arange(n, dtype=np.int64) if selection is None else np.asarray(selection, dtype=np.int64)
    if queries.ndim != 1 or (len(queries) and (queries.min() < 0 or queries.max() >= n)):
        raise ValueError(f"{what} must be indices into the {what}")
    return queries


def _block(n: int) -> int:
    """Queries per parallel block: enough blocks for dynamic balance, few enough to amortize the buffers."""
    return int(max(1, min(512, n // (8 * numba.get_num_threads()))))


def _parallel(work: Any) -> None:
    """Run a parallel kernel with dynamic scheduling (blocks go to whichever thread is free)."""
    previous = numba.get_parallel_chunksize()
    numba.set_parallel_chunksize(1)
    try:
        work()
    finally:
        numba.set_parallel_chunksize(previous)


def top_opportunities(
    index: MatchIndex, *, k: int = 20, seekers: Sequence[int] | IntArray | None = None
) -> TopK:
    """The k best eligible opportunities of each seeker (all seekers by default), exactly as a brute force ranks them."""
    if k < 1:
        raise ValueError("k must be at least 1")
    start = time.perf_counter()
    queries = _queries(seekers, len(index.s_id), "seekers")
    items = np.empty((len(queries), k), np.int32)
    scores = np.empty((len(queries), k), np.int32)
    x = index
    postings = (x.key_ptr, x.key_open_end, x.post_gap, x.post_val)
    _parallel(
        lambda: kern.forward(
            queries,
            _block(len(queries)),
            x.seekers_tuple(),
            x.taxonomy_tuple(),
            postings,
            x.opps_tuple(),
            x.chunks,
            (x.exc_indptr, x.exc_pos),
            x.tables(),
            items,
            scores,
        )  # fmt: skip
    )
    return TopK(queries, items, scores, time.perf_counter() - start)


def top_candidates(
    index: MatchIndex, *, k: int = 20, opportunities: Sequence[int] | IntArray | None = None
) -> TopK:
    """The k best consenting, eligible seekers of each opportunity (all by default; none for inactive ones)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    start = time.perf_counter()
    queries = _queries(opportunities, len(index.o_id_all), "opportunities")
    r = index.reverse_index()
    items = np.empty((len(queries), k), np.int32)
    scores = np.empty((len(queries), k), np.int32)
    _parallel(
        lambda: kern.reverse(
            index.o_pos[queries],
            _block(len(queries)),
            LEVELS,
            index.opps_tuple(),
            index.o_closed,
            r["postings"],
            r["candidates"],
            r["chunks"],
            r["exceptions"],
            index.tables(),
            items,
            scores,
        )  # fmt: skip
    )
    return TopK(queries, items, scores, time.perf_counter() - start)


def score(
    index: MatchIndex, seekers: Sequence[int] | IntArray, opportunities: Sequence[int] | IntArray
) -> IntArray:
    """The score in units of each (seeker, opportunity) pair, from the definition, whatever the constraints."""
    s = np.asarray(seekers, dtype=np.int64)
    o = np.asarray(opportunities, dtype=np.int64)
    if s.shape != o.shape or s.ndim != 1:
        raise ValueError("seekers and opportunities must be two index arrays of the same length")
    _queries(s, len(index.s_id), "seekers")
    _queries(o, len(index.o_id_all), "opportunities")
    x = index
    return np.asarray(
        kern.score_pairs(
            s,
            o,
            x.s_indptr,
            x.s_skill,
            x.s_prof,
            x.s_attr,
            x.rel_indptr,
            x.rel_target,
            x.rel_fq,
            x.gq,
            x.req_indptr,
            x.req_key,
            x.req_val,
            x.o_attr_all,
            x.tables(),
        )  # fmt: skip
    )


def _skill_matches(index: MatchIndex, s: int, o: int) -> tuple[list[SkillMatch], list[int]]:
    """How the seeker meets each required skill of the opportunity (best credit, as the score counts it)."""
    x = index
    own = list(
        zip(
            x.s_skill[x.s_indptr[s] : x.s_indptr[s + 1]].tolist(),
            x.s_prof[x.s_indptr[s] : x.s_indptr[s + 1]].tolist(),
            strict=True,
        )
    )
    matched: list[SkillMatch] = []
    missing: list[int] = []
    for q in range(x.req_indptr[o], x.req_indptr[o + 1]):
        r, m = divmod(int(x.req_key[q]), LEVELS)
        options = []  # (credit, quantized discount, -skill, skill, proficiency) of every way to meet r
        for k, p in own:
            discounts = [kern.CREDIT_ONE] if k == r else []
            discounts += [
                int(f)
                for t, f in zip(
                    x.rel_target[x.rel_indptr[k] : x.rel_indptr[k + 1]],
                    x.rel_fq[x.rel_indptr[k] : x.rel_indptr[k + 1]],
                    strict=True,
                )
                if t == r
            ]
            for fq in discounts:
                c = (fq * int(x.gq[p, m]) + (kern.CREDIT_ONE >> 1)) >> kern.CREDIT_BITS
                options.append((c, fq, -k, k, p))
        best = max(
            options, default=None
        )  # the best credit; on a tie the seeker's own skill, then the smallest id
        if best is None or best[0] == 0:
            missing.append(r)
            continue
        c, fq, _, k, p = best
        matched.append(
            SkillMatch(r, k, fq / kern.CREDIT_ONE, p, m, c / kern.CREDIT_ONE, c * int(x.req_val[q]))
        )
    return matched, missing


def explain(index: MatchIndex, seeker: int, opportunity: int) -> Explanation:
    """One pair's score by term, the required skills met (how, at what credit) and missing, and its eligibility."""
    x = index
    s, o = int(seeker), int(opportunity)
    if not (0 <= s < len(x.s_id) and 0 <= o < len(x.o_id_all)):
        raise ValueError("seeker and opportunity must be indices")
    matched, missing = _skill_matches(x, s, o)
    sa, oa = x.s_attr[s], x.o_attr_all[o]
    other_terms: Any = kern.other_terms  # a numba dispatcher
    others = other_terms(*(int(v) for v in sa[:6]), *(int(v) for v in oa), x.tables())
    terms = dict(zip(TERMS, [sum(m.units for m in matched), *(int(t) for t in others)], strict=True))
    reasons: list[str] = []
    recommendable = bool(x.o_active[o])
    if not recommendable:
        reasons.append(INACTIVE)
    if x.o_closed_all[o] and x.s_permit[s]:
        if (s, o) in x.exception_pairs:
            reasons.append(PERMIT_EXCEPTION)
        else:
            reasons.append(CLOSED_TO_NON_JORDANIANS)
            recommendable = False
    if not x.s_consent[s]:
        reasons.append(NO_MATCHING_CONSENT)
    return Explanation(
        seeker=s,
        opportunity=o,
        total=sum(terms.values()),
        terms=terms,
        matched=tuple(matched),
        missing=tuple(missing),
        recommendable=recommendable,
        proposable=recommendable and bool(x.s_consent[s]),
        reasons=tuple(reasons),
    )
