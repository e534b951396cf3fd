"""Cohort selection: the exact best cohort of a programme call under quotas, reserved seats and caps.

Pure module (numpy + scipy, no Django). The Django side (``selecting.py``) loads eligible applications, calls
``select()`` and stores the ``Selection`` with its structured reasons.

Problem. Choose n = min(seats, applicants) applicants maximizing the total priority score subject to: for
each quota, members of its group ≥ ceil(share · n − 1e-9); for each reserved rule, members ≥ seats; for each
cap and capped value, persons with that value ≤ min(max_count, floor(max_share · n + 1e-9)).

Formulation (``selection_core``), and why it is exact:

1. *Classes.* Every rule looks only at an applicant's class: the set of quota groups they belong to and
   their values of the capped attributes. Applicants of one class are interchangeable for the rules, so a
   cohort is feasible iff its class counts k_c are, and for given k_c the best cohort takes each class's
   k_c highest scorers (exchange argument: any other choice is improved by swapping within the class).
2. *Segments.* Within a class, applicants with equal score form a segment. The model has a continuous
   y_s ∈ [0, |s|] per segment (objective: its score) and an integer k_c = Σ_{s ∈ c} y_s per class; the
   rules are rows over k. For integer k the best y is a fractional knapsack per class whose segment values
   are distinct: it fills segments from the highest score down and is integral — the k_c best. So the
   model's optimum is the optimum over all cohorts. It has (classes × distinct scores) columns instead of
   one binary per applicant: 500,000 applicants become 15,000–200,000 columns and ~200 integer variables.
3. *Exact arithmetic.* Scores are put on their decimal grid (at most 6 decimals) as integers, shifted and
   divided by their gcd, so totals are integers; HiGHS (``scipy.optimize.milp``, mip_rel_gap 0, presolve
   off: measured faster here) proves optimality, and we recount the cohort in integers.
4. *Reduced-cost fixing* (``solve_stage1``). The LP relaxation gives duals π on the few coupling rows and
   reduced costs d_s = score_s − π·(rows of s's class). Weak duality: every cohort y has score(y) ≤ U(π) −
   Σ_s |d_s|·(distance of y_s from the bound the sign of d_s points to). So a segment with |d_s| > U(π) − z
   is at that bound in every cohort scoring ≥ z. Stage 1 fixes the segments with |d_s| > Δ, lets HiGHS
   solve the rest exactly (value z), and accepts z when U(π) − z ≤ Δ — then no cohort touching a fixed
   segment can do better, and z is the optimum of the full model; otherwise Δ grows to U(π) − z once more,
   then the full model is solved. The tests compare with and without fixing and with a plain per-applicant
   ``milp``.
5. *Lottery among optimal cohorts* (``solve_lottery``). Stage 1 never sees lottery ranks and its model is
   built in a canonical order, so its optimal score multiset (persons selected at each score) depends only
   on the data. Stage 2 keeps that multiset — hence the optimal total — and minimizes the sum of lottery
   ranks of the selected. So different seeds change the cohort only among equal scores, and no swap of a
   selected applicant for a luckier waitlisted one with the same score keeps the rules. Stage 2 fixes, by
   the same bound with z = z*, every segment with |d_s| > U(π) − z*: only the applicants at the cut-offs
   enter its MILP (integer count per free segment, a continuous variable per member costing its rank).
6. *Infeasible rules.* Seats come first: if the caps cannot seat n, the largest cohort they allow is
   found. Then the least total shortfall in persons over quotas and reserved seats (caps stay hard), and
   among cohorts with that least shortfall, the highest total priority (two lexicographic solves). Each
   short rule is lowered to what that cohort achieves and reported (``Shortfall``, ``Relaxation``).
7. *Control group.* With control_share p, a study pool of min(A, round(seats / (1 − p))) is selected the
   same way (absolute counts scaled by pool/seats), then pool − seats are drawn into control within each
   quota cell: cell counts by largest remainder, then within the cell by capped value, ties and members
   drawn with a generator seeded by (seed, 1). If that would break a rule for the treated cohort, a small
   MILP moves the fewest persons between strata. The treated cohort (``selected``) has exactly ``seats``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, milp

from .selection_core import (
    HIGHS_OPTIONS,
    BoolArray,
    IntArray,
    Problem,
    Row,
    build_problem,
    build_rows,
    solve_lottery,
    take_from_counts,
)
from .selection_explain import attainment, reasons, replacement, verify
from .selection_relax import plan
from .selection_types import (
    EMPTY,
    HEURISTIC,
    INFEASIBLE,
    OPTIMAL,
    RELAXED,
    Applicant,
    Attainment,
    Cap,
    Quota,
    Reason,
    Relaxation,
    Reserved,
    RuleRef,
    Rules,
    Selection,
    Shortfall,
    SolverInfo,
    Violation,
    validate_rules,
)

__all__ = [
    "Applicant",
    "Attainment",
    "Cap",
    "Quota",
    "Reason",
    "Relaxation",
    "Reserved",
    "RuleRef",
    "Rules",
    "Selection",
    "Shortfall",
    "SolverInfo",
    "Violation",
    "greedy",
    "lottery_ranks",
    "replacement",
    "select",
    "verify",
]


def lottery_ranks(keys: Sequence[str], seed: int) -> npt.NDArray[np.int64]:
    """Each key's lottery rank (0 = luckiest): a seeded permutation of the sorted keys, whatever their order."""
    keys = list(keys)
    if len(set(keys)) != len(keys):
        raise ValueError("applicant keys must be unique")
    ordered = sorted(range(len(keys)), key=keys.__getitem__)
    ranks = np.empty(len(keys), dtype=np.int64)
    ranks[ordered] = np.random.Generator(np.random.PCG64(seed)).permutation(len(keys))
    return ranks


def select(applicants: Sequence[Applicant], rules: Rules, *, seed: int, relax: bool = True) -> Selection:
    """The cohort of highest total priority under the rules, proven optimal by HiGHS, ties by seeded lottery."""
    start = time.perf_counter()
    validate_rules(rules)
    ranks = lottery_ranks([a.key for a in applicants], seed)
    total = len(applicants)
    pool_size = min(total, round(rules.seats / (1.0 - rules.control_share))) if rules.control_share else 0
    with_control = pool_size > rules.seats
    solve_rules = _pool_rules(rules, pool_size) if with_control else rules
    n = pool_size if with_control else min(rules.seats, total)
    problem = build_problem(applicants, solve_rules, ranks)
    info = SolverInfo("highs-segments", 0.0, total, problem.classes, len(problem.seg_count))
    info = replace(info, presolve=bool(HIGHS_OPTIONS["presolve"]))
    if n == 0:
        return _assemble(problem, applicants, rules, status=EMPTY, seed=seed, info=info, start=start)
    planned = plan(problem, n, relax)
    if planned.counts is None:
        info = replace(info, solves=planned.solves)
        return _assemble(
            problem,
            applicants,
            rules,
            status=INFEASIBLE,
            seed=seed,
            info=info,
            start=start,
            shortfalls=planned.shortfalls,
            relaxations=planned.relaxations,
        )
    solved = solve_lottery(problem, planned.n, planned.bounds, planned.counts, planned.duals)
    pool = problem.take_members(solved.take)
    if len(pool) != planned.n:
        raise RuntimeError("the cohort found does not have the planned size")
    effective = _effective_rules(solve_rules, planned.n, planned.bounds, planned.relaxations)
    unit = _unit(problem)
    info = replace(
        info,
        boundary=solved.boundary,
        objective=math.fsum(problem.scores[pool]),
        bound=math.fsum(problem.scores[pool]) + max(0.0, planned.bound - solved.objective) * unit,
        gap=max(0.0, planned.bound - solved.objective) * unit,
        solves=planned.solves + solved.solves,
    )
    relaxations = list(planned.relaxations)
    control = np.zeros(0, np.int64)
    if with_control:
        effective = _treatment_rules(rules, effective, pool_size, planned.n)
        pool, control, extra = _split_control(problem, pool, effective, seed)
        relaxations += extra
        if extra:
            effective = _lowered(effective, extra)
    return _assemble(
        problem,
        applicants,
        rules,
        status=RELAXED if relaxations else OPTIMAL,
        seed=seed,
        info=info,
        start=start,
        effective=effective,
        pool=pool,
        control=control,
        shortfalls=planned.shortfalls,
        relaxations=relaxations,
        bounds=planned.bounds,
    )


def greedy(applicants: Sequence[Applicant], rules: Rules, *, seed: int) -> Selection:
    """A fast baseline that is NOT optimal: top scores within the caps, then swaps to repair the quotas."""
    start = time.perf_counter()
    validate_rules(rules)
    problem = build_problem(applicants, rules, lottery_ranks([a.key for a in applicants], seed))
    n = min(rules.seats, len(applicants))
    bounds = np.array([r.bound(n) for r in problem.rows], dtype=np.int64)
    member = problem.matrix().astype(bool)
    rows_of = [np.flatnonzero(member[:, c]) for c in range(problem.classes)]
    caps_of = [
        [r for r in rows_of[c].tolist() if not problem.rows[r].minimum] for c in range(problem.classes)
    ]
    first = np.searchsorted(problem.class_of[problem.order], np.arange(problem.classes))
    counts = np.zeros(problem.classes, dtype=np.int64)
    used = np.zeros(len(problem.rows), dtype=np.int64)
    taken = 0
    for i in np.lexsort((problem.ranks, -problem.points)).tolist():
        if taken == n:
            break
        c = int(problem.class_of[i])
        if any(used[r] >= bounds[r] for r in caps_of[c]):
            continue
        counts[c] += 1
        used[rows_of[c]] += 1
        taken += 1
    points, ranks, order = problem.points, problem.ranks, problem.order
    for r, row in enumerate(problem.rows):
        while row.minimum and used[r] < bounds[r]:
            outs = [
                c
                for c in range(problem.classes)
                if counts[c]
                and not member[r, c]
                and all(used[q] > bounds[q] for q in rows_of[c] if problem.rows[q].minimum)
            ]
            if not outs:
                break
            out = min(
                outs,
                key=lambda c: (
                    points[order[first[c] + counts[c] - 1]],
                    -ranks[order[first[c] + counts[c] - 1]],
                ),
            )
            ins = [
                c
                for c in range(problem.classes)
                if member[r, c]
                and counts[c] < problem.class_size[c]
                and all(used[q] - member[q, out] < bounds[q] for q in caps_of[c])
            ]
            if not ins:
                break
            came = max(
                ins, key=lambda c: (points[order[first[c] + counts[c]]], -ranks[order[first[c] + counts[c]]])
            )
            counts[out] -= 1
            used[rows_of[out]] -= 1
            counts[came] += 1
            used[rows_of[came]] += 1
    cohort = problem.take_members(take_from_counts(problem, counts))
    info = SolverInfo("greedy", 0.0, len(applicants), problem.classes, len(problem.seg_count))
    info = replace(info, objective=math.fsum(problem.scores[cohort]))
    return _assemble(
        problem,
        applicants,
        rules,
        status=HEURISTIC,
        seed=seed,
        info=info,
        start=start,
        pool=cohort,
        bounds=bounds,
    )


def _unit(problem: Problem) -> float:
    """Score units per integer point."""
    spread = problem.points.max() if len(problem.points) else 0
    if not spread:
        return 1.0
    high = int(np.argmax(problem.points))
    low = int(np.argmin(problem.points))
    return float(problem.scores[high] - problem.scores[low]) / float(spread)


def _pool_rules(rules: Rules, pool: int) -> Rules:
    """The rules for a study pool of this size: shares as they are, absolute counts scaled by pool/seats."""
    scale = pool / rules.seats
    return Rules(
        seats=pool,
        quotas=rules.quotas,
        reserved=tuple(Reserved(r.group, math.ceil(r.seats * scale - 1e-9)) for r in rules.reserved),
        caps=tuple(
            replace(c, max_count=None if c.max_count is None else math.floor(c.max_count * scale + 1e-9))
            for c in rules.caps
        ),
    )


def _effective_rules(rules: Rules, n: int, bounds: IntArray, relaxations: Sequence[Relaxation]) -> Rules:
    """The rules the cohort satisfies: the given ones with each relaxed rule lowered to its new bound."""
    if not relaxations:
        return rules
    quotas = tuple(
        Quota(q.group, float(bounds[i]) / n if n else 0.0)
        if bounds[i] < math.ceil(q.min_share * n - 1e-9)
        else q
        for i, q in enumerate(rules.quotas)
    )
    offset = len(rules.quotas)
    reserved = tuple(
        Reserved(r.group, min(r.seats, int(bounds[offset + i]))) for i, r in enumerate(rules.reserved)
    )
    seats = n if any(r.kind == "seats" for r in relaxations) else rules.seats
    return replace(rules, seats=seats, quotas=quotas, reserved=reserved)


def _treatment_rules(rules: Rules, pool_rules: Rules, pool: int, pool_filled: int) -> Rules:
    """The rules for the treated part of a study pool: the given ones, lowered where the pool was relaxed."""
    seats = rules.seats if pool_filled >= pool else round(pool_filled * (1.0 - rules.control_share))
    quotas = tuple(
        Quota(q.group, min(q.min_share, p.min_share))
        for q, p in zip(rules.quotas, pool_rules.quotas, strict=True)
    )
    scale = rules.seats / pool
    reserved = tuple(
        Reserved(r.group, min(r.seats, math.floor(p.seats * scale + 1e-9)))
        for r, p in zip(rules.reserved, pool_rules.reserved, strict=True)
    )
    return replace(rules, seats=seats, quotas=quotas, reserved=reserved)


def _lowered(rules: Rules, relaxations: Sequence[Relaxation]) -> Rules:
    """Rules with the quotas and reserved seats of these relaxations lowered."""
    low = {(r.kind, r.group): r for r in relaxations}
    quotas = tuple(
        Quota(q.group, low[("quota", q.group)].to_share or 0.0) if ("quota", q.group) in low else q
        for q in rules.quotas
    )
    reserved = tuple(
        Reserved(r.group, low[("reserved", r.group)].to_count) if ("reserved", r.group) in low else r
        for r in rules.reserved
    )
    return replace(rules, quotas=quotas, reserved=reserved)


def _largest_remainder(
    total: int, weights: npt.NDArray[np.float64], tiebreak: npt.NDArray[np.float64]
) -> IntArray:
    """Integers proportional to weights summing to total: floors, then +1 for the largest remainders."""
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=np.int64)
    exact = total * weights / weights.sum()
    result = np.floor(exact + 1e-9).astype(np.int64)
    extra = total - int(result.sum())
    if extra > 0:
        result[np.lexsort((tiebreak, -(exact - result)))[:extra]] += 1
    return result


def _split_control(
    problem: Problem, pool: IntArray, rules: Rules, seed: int
) -> tuple[IntArray, IntArray, list[Relaxation]]:
    """Draw pool − seats applicants into control, stratified by quota cell then capped value, rules kept."""
    rng = np.random.Generator(np.random.PCG64([seed, 1]))
    seats = min(rules.seats, len(pool))
    draw_total = len(pool) - seats
    size = np.bincount(problem.class_of[pool], minlength=problem.classes).astype(np.int64)
    _cells, cell_of = np.unique(problem.class_groups, axis=0, return_inverse=True)
    cell_of = np.asarray(cell_of).reshape(-1)
    cells = int(cell_of.max()) + 1 if len(cell_of) else 0
    cell_size = np.bincount(cell_of, weights=size, minlength=cells).astype(np.float64)
    per_cell = _largest_remainder(draw_total, cell_size, rng.random(cells))
    tiebreak = rng.random(problem.classes)
    control = np.zeros(problem.classes, dtype=np.int64)
    for cell in range(cells):
        inside = np.flatnonzero(cell_of == cell)
        control[inside] = _largest_remainder(
            int(per_cell[cell]), size[inside].astype(np.float64), tiebreak[inside]
        )
    rows = build_rows(problem, rules)
    bounds = np.array([r.bound(seats) for r in rows], dtype=np.int64)
    relaxations: list[Relaxation] = []
    if not _treatment_ok(rows, size - control, bounds):
        control, relaxations = _repair_control(problem, rows, bounds, size, cell_of, cells, draw_total, seats)
    # Within each class, the members drawn first by a seeded draw over the sorted keys go to control.
    keys = [problem.keys[i] for i in pool.tolist()]
    draw = np.empty(len(pool))
    draw[sorted(range(len(keys)), key=keys.__getitem__)] = rng.random(len(keys))
    by_class = np.lexsort((draw, problem.class_of[pool]))
    position = np.arange(len(pool)) - np.searchsorted(
        problem.class_of[pool][by_class], problem.class_of[pool][by_class]
    )
    is_control = np.zeros(len(pool), dtype=bool)
    is_control[by_class] = position < control[problem.class_of[pool][by_class]]
    return pool[~is_control], pool[is_control], relaxations


def _treatment_ok(rows: Sequence[Row], treated: IntArray, bounds: IntArray) -> bool:
    for row, bound in zip(rows, bounds, strict=True):
        count = int(treated[row.classes].sum())
        if (row.minimum and count < bound) or (not row.minimum and count > bound):
            return False
    return True


def _repair_control(
    problem: Problem,
    rows: Sequence[Row],
    bounds: IntArray,
    size: IntArray,
    cell_of: IntArray,
    cells: int,
    draw_total: int,
    seats: int,
) -> tuple[IntArray, list[Relaxation]]:
    """Control counts per class nearest to proportional (cells first) that keep the treated cohort's rules.

    Columns: control count per class (integer), |deviation| per cell and per class, and a shortfall per
    minimum rule (cost heavy enough to come first); rows: the control total and each rule on size − control.
    """
    k, nr = problem.classes, len(rows)
    pool = max(1, int(size.sum()))
    target = draw_total * size / pool
    cell_target = np.bincount(cell_of, weights=target, minlength=cells)
    weight_cell, weight_slack = 2.0 * pool + 1.0, (2.0 * pool + 1.0) ** 2
    ncol = k + cells + k + nr
    matrix, low, high = [], [], []

    def add(coefficients: dict[int, float] | npt.NDArray[np.float64], lo: float, hi: float) -> None:
        row = np.zeros(ncol)
        if isinstance(coefficients, dict):
            for j, v in coefficients.items():
                row[j] = v
        else:
            row[: len(coefficients)] = coefficients
        matrix.append(row)
        low.append(lo)
        high.append(hi)

    add(np.ones(k), draw_total, draw_total)
    for cell in range(cells):
        inside = (cell_of == cell).astype(float)
        add({**{j: inside[j] for j in range(k)}, k + cell: -1.0}, -np.inf, cell_target[cell])
        add({**{j: inside[j] for j in range(k)}, k + cell: 1.0}, cell_target[cell], np.inf)
    for j in range(k):
        add({j: 1.0, k + cells + j: -1.0}, -np.inf, target[j])
        add({j: 1.0, k + cells + j: 1.0}, target[j], np.inf)
    for i, (row, bound) in enumerate(zip(rows, bounds, strict=True)):
        member = row.classes.astype(float)
        treated_max = float(size @ member)
        if row.minimum:  # treated ≥ bound − slack ⇔ control·member − slack ≤ pool_count − bound
            add({**{j: member[j] for j in range(k)}, k + cells + k + i: -1.0}, -np.inf, treated_max - bound)
        else:
            add({j: member[j] for j in range(k)}, treated_max - bound, np.inf)
    cost = np.r_[np.zeros(k), np.full(cells, weight_cell), np.ones(k), np.full(nr, weight_slack)]
    result = milp(
        cost,
        constraints=LinearConstraint(np.array(matrix), np.array(low), np.array(high)),
        integrality=np.r_[np.ones(k), np.zeros(cells + k + nr)],
        bounds=Bounds(np.zeros(ncol), np.r_[size, np.full(cells + k + nr, np.inf)].astype(float)),
        options=HIGHS_OPTIONS,
    )
    if result.status != 0 or result.x is None:
        raise RuntimeError(f"HiGHS could not allocate the control group: {result.message}")
    control = np.round(result.x[:k]).astype(np.int64)
    relaxations = []
    for i, row in enumerate(rows):
        if row.minimum and result.x[k + cells + k + i] > 0.5:
            achieved = int(((size - control) * row.classes).sum())
            share = row.share
            relaxations.append(
                Relaxation(
                    row.ref.kind,
                    row.ref.group,
                    int(bounds[i]),
                    achieved,
                    share,
                    achieved / seats if share is not None and seats else None,
                )
            )
    return control, relaxations


def _assemble(
    problem: Problem,
    applicants: Sequence[Applicant],
    rules: Rules,
    *,
    status: str,
    seed: int,
    info: SolverInfo,
    start: float,
    effective: Rules | None = None,
    pool: IntArray | None = None,
    control: IntArray | None = None,
    shortfalls: Sequence[Shortfall] = (),
    relaxations: Sequence[Relaxation] = (),
    bounds: IntArray | None = None,
) -> Selection:
    """The Selection: ranked lists, reasons, attainment of the given rules, timing."""
    a = len(problem.keys)
    pool = np.zeros(0, np.int64) if pool is None else pool
    control = np.zeros(0, np.int64) if control is None else control
    in_pool: BoolArray = np.zeros(a, dtype=bool)
    in_pool[pool] = True
    in_pool[control] = True
    in_control: BoolArray = np.zeros(a, dtype=bool)
    in_control[control] = True
    ranking = np.lexsort((problem.ranks, -problem.points))
    selected = ranking[in_pool[ranking] & ~in_control[ranking]]
    held = ranking[in_control[ranking]]
    waiting = ranking[~in_pool[ranking]]
    keys = problem.keys
    selected_keys = tuple(keys[i] for i in selected.tolist())
    why = reasons(
        problem,
        in_pool,
        in_control,
        waiting,
        bounds if bounds is not None else np.zeros(len(problem.rows), dtype=np.int64),
        infeasible=status == INFEASIBLE,
    )
    seconds = time.perf_counter() - start
    return Selection(
        selected=selected_keys,
        waitlist=tuple(keys[i] for i in waiting.tolist()),
        control=tuple(keys[i] for i in held.tolist()),
        total_score=math.fsum(problem.scores[selected]),
        optimal=status in (OPTIMAL, RELAXED),
        status=status,
        seed=seed,
        rules=rules if effective is None else effective,
        shortfalls=tuple(shortfalls),
        relaxation=tuple(relaxations),
        attainment=attainment(selected_keys, applicants, rules) if status != INFEASIBLE else (),
        solver=replace(info, seconds=seconds),
        reasons=why,
    )
