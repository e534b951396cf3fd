"""Matching benchmark: the engine's exact top-k for every seeker against three baselines, with an anchor.

    python benchmarks/matching.py                                  # 100,000 × 10,000 and 1,000,000 × 100,000
    python benchmarks/matching.py --sizes 100000x10000 --seed 3 --sample 500

For each size it draws a synthetic market (not timed): about 3,000 skills with Zipf-like popularity
(exponent 0.91, so that about 44% of seeker–opportunity pairs share a skill), 5–15 skills per seeker at
proficiency 1–4, 3–10 required skills per opportunity (importance 1–3, minimum level 0–4), a taxonomy of
related skills (--related per skill on average, discounts 0.5–0.9), 12 governorates of unequal size with
localities, 15% remote opportunities, languages, start dates, education, accessibility needs, 30% of
seekers needing a work permit, 12% of opportunities closed to non-Jordanians, 10% inactive, 10% of
seekers without matching consent, and one work-permit exception per 1,000 seekers.

Then, on the same data:

1. ``build_index`` and ``top_opportunities`` for **every** seeker (exact top-k, full score, hard
   constraints), with the peak resident memory during the call; ``top_candidates`` for every opportunity
   (unless --no-candidates).
2. On a sample of seekers (the same sample for all), with the time extrapolated to every seeker:
   a naive Python loop over pairs (full score, --naive-sample seekers); ``scipy.sparse`` products in blocks
   of 128 seekers with the other terms added in numpy and ``argpartition`` (full score, --sample seekers);
   FAISS exact inner-product search (``IndexFlatIP``) on the same (skill, minimum level) vectors, which can
   only compute the skills term (--sample seekers; the database is split in shards of 10,000
   opportunities to bound memory; ``OPENBLAS_CORETYPE=SkylakeX`` is set, see PERFORMANCE.md).
3. Checks: the naive loop and the scipy product compute the full score with the constraints and must
   return the engine's lists exactly (items and integer scores, ties by id). FAISS is compared with the
   exact skills-only top-k over the active opportunities (no constraints, which it cannot apply): its float32
   inner products may order near-equal scores differently, so lists are counted as identical, or equal up
   to ties (the same exact scores), or different.

The anchor, measured in the same run, is ``np.sort`` of 1,000,000 floats and a 2,048 × 2,048 float32 matrix
product. Importing this module does nothing; only running it does.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_CORETYPE", "SkylakeX")  # before numpy and faiss load OpenBLAS

import argparse  # noqa: E402
import heapq  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, TypeVar  # noqa: E402

import numba  # noqa: E402
import numpy as np  # noqa: E402
import scipy  # noqa: E402
from scipy import sparse  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from maharat.matching import engine_kernels as kern  # noqa: E402
from maharat.matching.engine import (  # noqa: E402
    MatchIndex,
    Opportunities,
    Seekers,
    TopK,
    build_index,
    top_candidates,
    top_opportunities,
)
from maharat.matching.engine_index import LEVELS  # noqa: E402

T = TypeVar("T")
N_SKILLS = 3000
ZIPF = 0.91
GOVERNORATES = ("AM", "IR", "ZA", "MF", "BA", "KA", "JA", "AJ", "MD", "MN", "TA", "AQ")
SHARE = np.array([42, 18, 14, 6, 5, 3, 3, 2, 3, 2, 1, 1], dtype=float) / 100.0
CENTRES = np.radians(
    [
        (31.95, 35.93),
        (32.55, 35.85),
        (32.07, 36.09),
        (32.34, 36.21),
        (32.04, 35.73),
        (31.18, 35.70),
        (32.28, 35.90),
        (32.33, 35.75),
        (31.72, 35.79),
        (30.19, 35.73),
        (30.84, 35.60),
        (29.53, 35.01),
    ]
)
LOCALITIES = np.array([20, 9, 6, 4, 4, 4, 3, 3, 4, 3, 3, 2])
TARGET_SECONDS = {(1_000_000, 100_000): 60.0}
MEMORY_TARGET_MB = 2048
BLOCK = 128  # seekers per scipy product
SHARD = 10_000  # opportunities per FAISS database shard


# -- synthetic market -------------------------------------------------------------------------------------
@dataclass
class Market:
    """One synthetic instance and what build_index needs besides the two sides."""

    seekers: Seekers
    opportunities: Opportunities
    related: sparse.csr_matrix
    proximity: np.ndarray
    exceptions: np.ndarray


def proximity() -> np.ndarray:
    """Location credit between governorates: 0.8 within one, falling with road distance (≈ 1.3 × straight line)."""
    lat, lon = CENTRES[:, 0], CENTRES[:, 1]
    a = (
        np.sin((lat[:, None] - lat[None, :]) / 2) ** 2
        + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin((lon[:, None] - lon[None, :]) / 2) ** 2
    )
    km = 1.3 * 2 * 6371 * np.arcsin(np.sqrt(a))
    prox = 0.8 * np.clip(1 - km / 150, 0, 1)
    np.fill_diagonal(prox, 0.8)
    return np.round(prox, 3)


def skill_lists(
    rng: np.random.Generator, n: int, lo: int, hi: int, popularity: np.ndarray
) -> tuple[Any, Any]:
    """CSR skill lists of lo…hi distinct skills per row, drawn by popularity without replacement."""
    count = rng.integers(lo, hi + 1, n)
    cdf = np.cumsum(popularity) / popularity.sum()
    sizes = np.zeros(n + 1, np.int64)
    pieces = []
    for a in range(0, n, 200_000):
        b = min(n, a + 200_000)
        draws = np.searchsorted(cdf, rng.random((b - a, 2 * hi))).astype(np.int32)
        order = np.argsort(draws, axis=1, kind="stable")
        ranked = np.take_along_axis(draws, order, 1)
        repeat = np.zeros_like(ranked, dtype=bool)
        repeat[:, 1:] = ranked[:, 1:] == ranked[:, :-1]
        dup = np.zeros_like(repeat)
        np.put_along_axis(dup, order, repeat, 1)
        keep = ~dup & (np.cumsum(~dup, axis=1) <= count[a:b, None])
        pieces.append(draws[keep])  # first occurrences in draw order: sampling without replacement
        sizes[a + 1 : b + 1] = keep.sum(1)
    return np.cumsum(sizes), np.concatenate(pieces)


def market(n_seekers: int, n_opps: int, seed: int, related: float) -> Market:
    """A synthetic national market (see the module docstring)."""
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, N_SKILLS + 1) ** ZIPF
    popularity = popularity[rng.permutation(N_SKILLS)]
    offset = np.concatenate(([0], np.cumsum(LOCALITIES)))

    def place(n: int, unknown: float) -> tuple[np.ndarray, np.ndarray]:
        gov = rng.choice(len(GOVERNORATES), n, p=SHARE)
        loc = offset[gov] + np.minimum(rng.geometric(0.3, n) - 1, LOCALITIES[gov] - 1)
        loc = np.where(rng.random(n) < 0.8, loc, -1)
        gone = rng.random(n) < unknown
        return np.where(gone, -1, gov), np.where(gone, -1, loc)

    def bits(n: int, shares: tuple[float, ...]) -> np.ndarray:
        mask = np.zeros(n, np.int64)
        for b, share in enumerate(shares):
            mask |= (rng.random(n) < share).astype(np.int64) << b
        return mask

    sp, ss = skill_lists(rng, n_seekers, 5, 15, popularity)
    sg, sl = place(n_seekers, 0.02)
    seekers = Seekers(
        ids=np.arange(1, n_seekers + 1, dtype=np.int64),
        skill_indptr=sp,
        skills=ss,
        proficiency=rng.integers(1, 5, len(ss)).astype(np.int8),
        governorate=sg,
        needs_work_permit=rng.random(n_seekers) < 0.3,
        matching_consent=rng.random(n_seekers) < 0.9,
        locality=sl,
        languages=bits(n_seekers, (0.97, 0.4, 0.05)),  # Arabic, English, French
        available_from=rng.integers(0, 91, n_seekers),
        education=rng.choice(8, n_seekers, p=[0.05, 0.1, 0.15, 0.3, 0.1, 0.2, 0.08, 0.02]),
        accessibility_needs=np.where(rng.random(n_seekers) < 0.05, 1 << rng.integers(0, 4, n_seekers), 0),
    )
    op, os_ = skill_lists(rng, n_opps, 3, 10, popularity)
    og, ol = place(n_opps, 0.0)
    opportunities = Opportunities(
        ids=np.arange(1, n_opps + 1, dtype=np.int64),
        skill_indptr=op,
        skills=os_,
        importance=rng.choice([1.0, 2.0, 3.0], len(os_), p=[0.5, 0.3, 0.2]),
        min_proficiency=rng.choice(5, len(os_), p=[0.1, 0.3, 0.3, 0.2, 0.1]),
        governorate=og,
        remote=rng.random(n_opps) < 0.15,
        active=rng.random(n_opps) < 0.9,
        closed_to_non_jordanians=rng.random(n_opps) < 0.12,
        locality=ol,
        languages=bits(n_opps, (0.85, 0.3, 0.03)),
        start=rng.integers(0, 121, n_opps),
        min_education=rng.choice(7, n_opps, p=[0.3, 0.1, 0.2, 0.2, 0.05, 0.1, 0.05]),
        accessibility=bits(n_opps, (0.3, 0.3, 0.3, 0.3)),
    )
    n_rel = rng.poisson(related * N_SKILLS)
    r = rng.integers(0, N_SKILLS, n_rel)
    k = np.clip(r + rng.integers(-50, 51, n_rel), 0, N_SKILLS - 1)  # related skills sit near in the taxonomy
    keep = r != k
    discount = np.round(rng.uniform(0.5, 0.9, n_rel) * 20) / 20
    rel = sparse.coo_matrix((discount[keep], (r[keep], k[keep])), shape=(N_SKILLS, N_SKILLS)).tocsr()
    rel.data = np.minimum(rel.data, 0.9)  # duplicates were summed
    permit = np.flatnonzero(seekers.needs_work_permit)
    closed = np.flatnonzero(opportunities.closed_to_non_jordanians)
    n_exc = max(1, n_seekers // 1000)
    exceptions = np.stack((rng.choice(permit, n_exc), rng.choice(closed, n_exc)), axis=1)
    return Market(seekers, opportunities, rel, proximity(), exceptions)


# -- measuring --------------------------------------------------------------------------------------------
def timed(work: Callable[[], T]) -> tuple[T, float]:
    """The result of work() and its wall time in seconds."""
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class PeakMemory:
    """Samples this process's resident memory every 5 ms in a thread, to find the peak during some work."""

    def __init__(self) -> None:
        self.before = rss_mb()
        self.peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, rss_mb())

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def anchor() -> tuple[float, float]:
    """Seconds to sort 1,000,000 floats (median of 5) and GFLOP/s of a 2,048² float32 product (best of 3)."""
    values = np.random.default_rng(0).random(1_000_000)
    sort = sorted(timed(lambda: np.sort(values))[1] for _ in range(5))[2]
    a = np.random.default_rng(1).random((2048, 2048), dtype=np.float32)
    gemm = min(timed(lambda: a @ a)[1] for _ in range(3))
    return sort, 2 * 2048**3 / gemm / 1e9


# -- the baselines -----------------------------------------------------------------------------------------
def credits(index: MatchIndex, seekers: np.ndarray) -> sparse.csr_matrix:
    """Seeker × (skill, minimum level) credits (the best over own and related skills), for the baselines."""
    rows, cols, vals = [], [], []
    rel_ptr, rel_target, rel_fq, gq = index.rel_indptr, index.rel_target, index.rel_fq, index.gq
    for row, s in enumerate(seekers.tolist()):
        best: dict[int, int] = {}
        for j in range(index.s_indptr[s], index.s_indptr[s + 1]):
            k, p = int(index.s_skill[j]), int(index.s_prof[j])
            sources = [(k, kern.CREDIT_ONE)] + [
                (int(rel_target[t]), int(rel_fq[t])) for t in range(rel_ptr[k], rel_ptr[k + 1])
            ]
            for r, fq in sources:
                for m in range(LEVELS):
                    c = (fq * int(gq[p, m]) + (kern.CREDIT_ONE >> 1)) >> kern.CREDIT_BITS
                    key = r * LEVELS + m
                    if c > best.get(key, 0):
                        best[key] = c
        rows += [row] * len(best)
        cols += list(best)
        vals += list(best.values())
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(seekers), N_SKILLS * LEVELS), dtype=np.float64)


def requirement_matrix(index: MatchIndex) -> sparse.csc_matrix:
    """(skill, minimum level) × active opportunity (index order) weights, for the baselines."""
    pos = np.repeat(np.arange(len(index.o_id)), np.diff(index.o_req_indptr))
    return sparse.csc_matrix(
        (index.o_req_val.astype(np.float64), (index.o_req_key, pos)),
        shape=(N_SKILLS * LEVELS, len(index.o_id)),
    )


def naive_setup(index: MatchIndex) -> dict[str, Any]:
    """Python lists for the naive loop (one-off work, not timed)."""
    locq, eduq, prm, fracq, availq = (t.tolist() for t in index.tables())
    reqs = [
        list(
            zip(
                index.o_req_key[index.o_req_indptr[o] : index.o_req_indptr[o + 1]].tolist(),
                index.o_req_val[index.o_req_indptr[o] : index.o_req_indptr[o + 1]].tolist(),
                strict=True,
            )
        )
        for o in range(len(index.o_id))
    ]
    return {
        "tables": (locq, eduq, prm, fracq, availq),
        "reqs": reqs,
        "opps": (index.o_attr.tolist(), index.o_id.tolist(), index.o_orig.tolist(), index.o_closed.tolist()),
    }


def naive_loop(
    index: MatchIndex, lists: dict[str, Any], sample: np.ndarray, k: int
) -> list[list[tuple[int, int]]]:
    """Pure Python over every (seeker, active opportunity) pair: the full score, the constraints, heapq."""
    locq, eduq, prm, fracq, availq = lists["tables"]
    reqs = lists["reqs"]
    o_attr, o_id, o_orig, closed = lists["opps"]
    horizon = len(availq) - 1
    exceptions = index.exception_pairs
    out = []
    for s in sample.tolist():
        row = credits(index, np.array([s]))
        credit = dict(zip(row.indices.tolist(), row.data.astype(int).tolist(), strict=True))
        sg, sl, slang, savail, sedu, sneeds, permit = index.s_attr[s].tolist()
        scored = []
        for o, (og, ol, olang, ostart, oedu, oacc) in enumerate(o_attr):
            if permit and closed[o] and (s, o_orig[o]) not in exceptions:
                continue
            units = sum(credit.get(key, 0) * w for key, w in reqs[o])
            units += prm[kern.P_LOCALITY] if sl >= 0 and sl == ol else locq[sg][og]
            units += fracq[0][olang.bit_count()][(olang & slang).bit_count()]
            units += availq[min(max(savail - ostart, 0), horizon)] + eduq[sedu][oedu]
            units += fracq[1][sneeds.bit_count()][(sneeds & oacc).bit_count()]
            scored.append((units, -o_id[o], o))
        out.append([(o_orig[o], u) for u, _, o in heapq.nlargest(k, scored)])
    return out


def other_units(index: MatchIndex, s: np.ndarray) -> np.ndarray:
    """Location, language, availability, education and accessibility units: seekers s × active opportunities."""
    locq, eduq, prm, fracq, availq = index.tables()
    sa, oa = index.s_attr[s], index.o_attr
    same = (sa[:, 1, None] >= 0) & (sa[:, 1, None] == oa[None, :, 1])
    units = np.where(same, prm[kern.P_LOCALITY], locq[sa[:, 0, None], oa[None, :, 0]])
    units += fracq[0][np.bitwise_count(oa[None, :, 2]), np.bitwise_count(oa[None, :, 2] & sa[:, 2, None])]
    units += availq[np.clip(sa[:, 3, None] - oa[None, :, 3], 0, len(availq) - 1)]
    units += eduq[sa[:, 4, None], oa[None, :, 4]]
    units += fracq[1][np.bitwise_count(sa[:, 5, None]), np.bitwise_count(sa[:, 5, None] & oa[None, :, 5])]
    return units


def tie_breaker(index: MatchIndex) -> tuple[np.ndarray, int]:
    """Per active opportunity, a value larger for a smaller id, and the bits it needs (for one int64 sort key)."""
    n = len(index.o_id)
    return n - np.argsort(np.argsort(index.o_id)), (n + 1).bit_length()


def scipy_setup(index: MatchIndex) -> tuple[sparse.csc_matrix, np.ndarray, int, dict[int, list[int]]]:
    """The weight matrix, the tie-breaker and the exceptions by seeker (one-off work, not timed)."""
    tie, bits = tie_breaker(index)
    allowed: dict[int, list[int]] = {}
    for seeker, o in index.exception_pairs:
        allowed.setdefault(seeker, []).append(int(index.o_pos[o]))
    return requirement_matrix(index), tie, bits, allowed


def scipy_blocked(
    index: MatchIndex,
    setup: tuple[sparse.csc_matrix, np.ndarray, int, dict[int, list[int]]],
    sample: np.ndarray,
    k: int,
) -> tuple[list[list[tuple[int, int]]], float]:
    """Sparse credits × sparse weights in blocks, other terms in numpy, constraints as a mask, argpartition.

    Returns the lists and the share of pairs whose skills term is positive.
    """
    weights, tie, bits, allowed = setup
    out, positive = [], 0
    for a in range(0, len(sample), BLOCK):
        block = sample[a : a + BLOCK]
        skills = (credits(index, block) @ weights).toarray()  # exact: integers below 2**53
        positive += int((skills > 0).sum())
        units = skills.astype(np.int64) + other_units(index, block)
        barred = index.s_attr[block, 6][:, None].astype(bool) & index.o_closed[None, :]
        for row, seeker in enumerate(block.tolist()):
            barred[row, [o for o in allowed.get(seeker, []) if o >= 0]] = False
        units[barred] = -1
        key = (units << bits) + tie  # one int64 key: score, then smaller id
        top = np.argpartition(-key, k - 1, axis=1)[:, :k]
        for row in range(len(block)):
            best = top[row][np.argsort(-key[row, top[row]])]
            out.append([(int(index.o_orig[o]), int(units[row, o])) for o in best if units[row, o] >= 0])
    return out, positive / (len(sample) * len(index.o_id))


def exact_skills_only(index: MatchIndex, sample: np.ndarray, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each sample seeker's k best active opportunities on the skills term alone: (positions, units), ties by id."""
    weights = requirement_matrix(index)
    tie, bits = tie_breaker(index)
    out = []
    for a in range(0, len(sample), BLOCK):
        skills = (credits(index, sample[a : a + BLOCK]) @ weights).toarray().astype(np.int64)
        key = (skills << bits) + tie
        top = np.argpartition(-key, k - 1, axis=1)[:, :k]
        for row in range(len(top)):
            best = top[row][np.argsort(-key[row, top[row]])]
            out.append((best, skills[row, best]))
    return out


def faiss_flat(index: MatchIndex, sample: np.ndarray, k: int) -> tuple[np.ndarray, float, int]:
    """IndexFlatIP on dense (skill, minimum level) vectors, database in shards: (positions, search seconds, dims)."""
    import faiss

    faiss.omp_set_num_threads(numba.get_num_threads())
    used = np.unique(index.o_req_key)  # the dimensions some active opportunity requires
    queries = (credits(index, sample)[:, used].toarray() / kern.CREDIT_ONE).astype(np.float32)
    rows = requirement_matrix(index).tocsr()[used].tocsc()
    scale = float(1 << (28 - kern.CREDIT_BITS))  # so that inner products are in points
    best_d = np.full((len(sample), k), -np.inf, np.float32)
    best_i = np.full((len(sample), k), -1, np.int64)
    search = 0.0
    for a in range(0, len(index.o_id), SHARD):
        shard = np.ascontiguousarray((rows[:, a : a + SHARD].T.toarray() / scale).astype(np.float32))
        flat = faiss.IndexFlatIP(len(used))
        flat.add(shard)
        start = time.perf_counter()
        dist, ids = flat.search(queries, k)
        search += time.perf_counter() - start
        both_d = np.concatenate((best_d, dist), axis=1)
        both_i = np.concatenate((best_i, ids + a), axis=1)
        order = np.argsort(-both_d, axis=1, kind="stable")[:, :k]
        best_d, best_i = np.take_along_axis(both_d, order, 1), np.take_along_axis(both_i, order, 1)
        del flat, shard
    return best_i, search, len(used)


def faiss_agreement(index: MatchIndex, sample: np.ndarray, found: np.ndarray, k: int) -> tuple[int, int, int]:
    """How many FAISS lists match the exact skills-only lists: (same exact scores, same items, same order)."""
    weights = requirement_matrix(index)
    same_scores = same_items = same_order = 0
    for row, (want, want_units) in enumerate(exact_skills_only(index, sample, k)):
        got = found[row]
        units = (credits(index, sample[row : row + 1]) @ weights[:, got]).toarray()[0].astype(np.int64)
        same_scores += np.array_equal(np.sort(units)[::-1], want_units)
        same_items += np.array_equal(np.sort(got), np.sort(want))
        same_order += np.array_equal(got, want)
    return same_scores, same_items, same_order


# -- one size -----------------------------------------------------------------------------------------------
def same_lists(engine: TopK, rows: np.ndarray, other: list[list[tuple[int, int]]]) -> int:
    """How many sample lists are identical (items and integer scores) to the engine's."""
    same = 0
    for row, expected in zip(rows.tolist(), other, strict=True):
        got = [(int(i), int(u)) for i, u in zip(engine.items[row], engine.scores[row], strict=True) if i >= 0]
        same += got == expected
    return same


def run_size(n_seekers: int, n_opps: int, args: argparse.Namespace) -> None:
    """Draw, build, rank everyone, run the baselines on the sample, check, print."""
    k = args.k
    data, made = timed(lambda: market(n_seekers, n_opps, args.seed, args.related))
    skills_per_seeker = np.diff(data.seekers.skill_indptr).mean()
    needs_per_opp = np.diff(data.opportunities.skill_indptr).mean()
    print(
        f"\n{n_seekers:,} seekers × {n_opps:,} opportunities, top-{k} (data drawn in {made:.1f} s, not timed below)"
    )
    print(
        f"  data:      {skills_per_seeker:.1f} skills per seeker, {needs_per_opp:.1f} required per opportunity, "
        f"{data.related.nnz:,} related-skill pairs, {int(data.opportunities.active.sum()):,} active opportunities"
    )
    with PeakMemory() as build_memory:
        index, build_s = timed(
            lambda: build_index(
                data.seekers,
                data.opportunities,
                n_skills=N_SKILLS,
                proximity=data.proximity,
                related=data.related,
                work_permit_exceptions=data.exceptions,
            )
        )
    top_opportunities(index, k=k, seekers=np.arange(min(64, n_seekers)))  # compiled code loaded, threads up
    load = os.getloadavg()[0]
    with PeakMemory() as memory:
        result = top_opportunities(index, k=k)
    engine_s = result.seconds
    target = TARGET_SECONDS.get((n_seekers, n_opps))
    verdict = (
        "" if target is None else f"  [target < {target:g} s: {'met' if engine_s < target else 'missed'}]"
    )
    print(
        f"  engine:    {engine_s:8.2f} s for all {n_seekers:,} seekers = {n_seekers / engine_s:,.0f} seekers/s "
        f"(+ build_index {build_s:.2f} s; load average {load:.2f} before){verdict}"
    )
    met = "met" if memory.peak <= MEMORY_TARGET_MB else "missed"
    print(
        f"             peak resident {max(memory.peak, build_memory.peak):,.0f} MB during build and ranking, "
        f"{build_memory.before:,.0f} MB before (the market itself)  [target ≤ {MEMORY_TARGET_MB:,} MB: {met}]"
    )
    if not args.no_candidates:
        top_candidates(index, k=k, opportunities=np.arange(min(8, n_opps)))  # builds the seeker-side postings
        with PeakMemory() as reverse_memory:
            reverse = top_candidates(index, k=k)
        one = np.flatnonzero(data.opportunities.active)[: min(200, n_opps)]
        single = sorted(top_candidates(index, k=k, opportunities=[o]).seconds for o in one)
        print(
            f"  engine:    {reverse.seconds:8.2f} s for the {k} best candidates of all {n_opps:,} opportunities "
            f"= {n_opps / reverse.seconds:,.0f} opportunities/s; one new opportunity against every seeker: "
            f"median {1000 * single[len(single) // 2]:.2f} ms; peak {reverse_memory.peak:,.0f} MB"
        )
    sample = np.random.default_rng(args.seed + 1).choice(
        n_seekers, min(args.sample, n_seekers), replace=False
    )
    sample.sort()
    naive = sample[: args.naive_sample]
    prepared = naive_setup(index)
    with PeakMemory() as naive_memory:
        lists, naive_s = timed(lambda: naive_loop(index, prepared, naive, k))
    report(
        "naive loop",
        naive_s,
        len(naive),
        n_seekers,
        naive_memory.peak,
        f"{same_lists(result, naive, lists)}/{len(naive)} lists identical (full score)",
    )
    setup = scipy_setup(index)
    with PeakMemory() as scipy_memory:
        (lists, positive), scipy_s = timed(lambda: scipy_blocked(index, setup, sample, k))
    report(
        "scipy blocks",
        scipy_s,
        len(sample),
        n_seekers,
        scipy_memory.peak,
        f"{same_lists(result, sample, lists)}/{len(sample)} lists identical (full score)",
    )
    if not args.no_faiss:
        with PeakMemory() as faiss_memory:
            (found, search_s, dims), faiss_s = timed(lambda: faiss_flat(index, sample, k))
        same_scores, same_items, same_order = faiss_agreement(index, sample, found, k)
        gb = len(index.o_id) * dims * 4 / 2**30
        report(
            "FAISS flat",
            search_s,
            len(sample),
            n_seekers,
            faiss_memory.peak,
            f"skills term only, {dims:,} dims: {same_scores}/{len(sample)} lists with the exact top-{k} scores "
            f"({same_items} the same items, {same_order} in the same order; the rest differ only among equal "
            f"scores, which float32 does not order by id); whole database {gb:.1f} GB as float32 "
            f"(here in shards of {SHARD:,}, built in {faiss_s - search_s:.1f} s, not counted)",
        )
    print(f"  pairs with a positive skills term (scipy sample): {100 * positive:.1f}%")


def report(label: str, seconds: float, sampled: int, n_seekers: int, peak: float, checks: str) -> None:
    """One baseline line: time on the sample, seekers/s, time extrapolated to every seeker, memory, checks."""
    rate = sampled / seconds
    total = n_seekers / rate
    span = (
        f"{total / 3600:.1f} h"
        if total >= 3600
        else f"{total / 60:.1f} min"
        if total >= 120
        else f"{total:.0f} s"
    )
    memory = f", peak {peak:,.0f} MB"
    print(
        f"  {label:12s} {seconds:8.2f} s for {sampled:,} seekers = {rate:,.1f} seekers/s → {span} for all{memory}"
    )
    print(f"  {'':12s} {checks}")


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="100000x10000,1000000x100000", help="seekers×opportunities,…")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sample", type=int, default=1000, help="seekers for the scipy and FAISS baselines")
    parser.add_argument("--naive-sample", type=int, default=20, help="seekers for the naive loop")
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--related", type=float, default=0.5, help="related skills per skill, on average")
    parser.add_argument("--no-faiss", action="store_true")
    parser.add_argument("--no-candidates", action="store_true", help="skip top_candidates")
    args = parser.parse_args(argv)
    sizes = [tuple(int(x) for x in item.lower().split("x")) for item in args.sizes.split(",")]
    try:
        import faiss

        faiss_version = f", faiss {faiss.__version__} (OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']})"
    except ImportError:
        faiss_version, args.no_faiss = ", faiss not installed", True
    print(f"Matching benchmark: seed {args.seed}, top-{args.k}")
    print(
        f"machine: {os.cpu_count()} CPUs ({numba.get_num_threads()} numba threads), "
        f"{platform.python_implementation()} {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, numba {numba.__version__}{faiss_version}, "
        f"load average {os.getloadavg()[0]:.2f} before the run"
    )
    sort_s, gflops = anchor()
    print(
        f"anchor:  np.sort of 1,000,000 floats {1000 * sort_s:.1f} ms; float32 2,048² product {gflops:.0f} GFLOP/s"
    )
    for n_seekers, n_opps in sizes:
        run_size(n_seekers, n_opps, args)
    print(f"\nload average {os.getloadavg()[0]:.2f} after the run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
