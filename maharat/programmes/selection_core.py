"""The exact optimizer behind ``maharat.programmes.selection``: classes, segments and the HiGHS models.

Pure module (numpy + scipy only). See ``selection``'s docstring for the formulation and the proof that it
is exact; this module holds the arrays and the solves.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from .selection_types import (
    Applicant,
    Cap,
    RuleRef,
    Rules,
    cap_limit,
    quota_count,
)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

# HiGHS with presolve off: on the full segment model (50,000 → 2,000) presolve removed nothing and tripled
# the solve (0.35 s against 0.10 s; 0.59 s against 0.10 s at 500,000 → 20,000); on the restricted models of
# solve_stage1 it makes no difference (benchmarks/selection.py, "presolve on"). mip_rel_gap 0: stop only
# when the optimum is proven.
HIGHS_OPTIONS: dict[str, bool | float] = {"presolve": False, "mip_rel_gap": 0.0}
# Reduced-cost fixing in stage 1 (see solve_stage1); False solves the full segment model (tests compare both).
FIXING = True


@dataclass(frozen=True)
class Row:
    """One coupling rule over classes: at least (minimum) or at most `bound(n)` selected from `classes`."""

    ref: RuleRef
    minimum: bool
    classes: BoolArray
    count: int | None = None
    share: float | None = None

    def bound(self, n: int) -> int:
        """Persons required (minimum) or allowed (maximum) in a cohort of n."""
        if self.minimum:
            return quota_count(self.share, n) if self.share is not None else (self.count or 0)
        return cap_limit(Cap(self.ref.attribute or "", self.ref.value, self.count, self.share), n)


@dataclass
class Problem:
    """Applicants as arrays, grouped into classes (same rule memberships) and segments (class × score)."""

    keys: list[str]
    scores: FloatArray
    points: IntArray  # scores on an integer grid, shifted to start at 0 and divided by their gcd
    ranks: IntArray  # lottery rank, 0 = luckiest
    groups: tuple[str, ...]
    attributes: tuple[str, ...]
    class_of: IntArray
    class_groups: BoolArray  # (classes, groups)
    class_values: list[tuple[str | None, ...]]
    class_size: IntArray
    order: IntArray  # applicants by class, points desc, rank asc
    seg_class: IntArray
    seg_points: IntArray
    seg_start: IntArray  # into order
    seg_count: IntArray
    rows: list[Row] = field(default_factory=list)

    @property
    def classes(self) -> int:
        """Number of classes."""
        return len(self.class_size)

    def matrix(self) -> FloatArray:
        """Row membership of each class: (rows, classes)."""
        if not self.rows:
            return np.zeros((0, self.classes))
        return np.array([row.classes for row in self.rows], dtype=float)

    def take_members(self, take: IntArray) -> IntArray:
        """Applicant indices of a cohort given how many to take from the head of each segment."""
        if not len(take) or not take.sum():
            return np.zeros(0, dtype=np.int64)
        starts = np.repeat(self.seg_start, take)
        offsets = np.arange(int(take.sum())) - np.repeat(np.cumsum(take) - take, take)
        return self.order[starts + offsets]


def integer_points(scores: FloatArray) -> IntArray:
    """Scores as integers on their decimal grid (at most 6 decimals), shifted to 0 and divided by their gcd."""
    if not len(scores):
        return np.zeros(0, dtype=np.int64)
    if not np.all(np.isfinite(scores)):
        raise ValueError("scores must be finite")
    for decimals in range(7):
        scaled = scores * 10.0**decimals
        rounded = np.round(scaled)
        if np.all(np.abs(scaled - rounded) <= 1e-6):
            break
    if np.abs(rounded).max() >= 2.0**50:
        raise ValueError("scores are too large for exact comparison at their precision")
    points = rounded.astype(np.int64)
    points -= points.min()
    divisor = int(np.gcd.reduce(points))
    return points // divisor if divisor > 1 else points


def build_problem(applicants: Sequence[Applicant], rules: Rules, ranks: IntArray) -> Problem:
    """Arrays, classes, segments and rule rows of a selection problem."""
    groups = tuple(sorted({q.group for q in rules.quotas} | {r.group for r in rules.reserved}))
    attributes = tuple(sorted({c.attribute for c in rules.caps}))
    group_set = frozenset(groups)
    signature_of: dict[tuple[frozenset[str], tuple[str | None, ...]], int] = {}
    signatures: list[tuple[frozenset[str], tuple[str | None, ...]]] = []
    raw = np.empty(len(applicants), dtype=np.int64)
    for i, applicant in enumerate(applicants):
        values = tuple(applicant.attributes.get(a) for a in attributes) if attributes else ()
        signature = (applicant.groups & group_set, values)
        found = signature_of.get(signature)
        if found is None:
            found = signature_of[signature] = len(signatures)
            signatures.append(signature)
        raw[i] = found
    # Canonical class order (independent of input order): sorted by group memberships then values.
    canonical = sorted(
        range(len(signatures)),
        key=lambda s: (
            tuple(g in signatures[s][0] for g in groups),
            tuple((v is not None, v or "") for v in signatures[s][1]),
        ),
    )
    renumber = np.empty(len(signatures), dtype=np.int64)
    renumber[canonical] = np.arange(len(signatures))
    class_of = renumber[raw] if len(raw) else raw
    class_groups = np.array([[g in signatures[s][0] for g in groups] for s in canonical], dtype=bool).reshape(
        len(canonical), len(groups)
    )
    class_values = [signatures[s][1] for s in canonical]

    scores = np.array([a.score for a in applicants], dtype=np.float64)
    points = integer_points(scores)
    order = np.lexsort((ranks, -points, class_of)).astype(np.int64)
    cls, pts = class_of[order], points[order]
    brk = np.flatnonzero(np.r_[True, (cls[1:] != cls[:-1]) | (pts[1:] != pts[:-1])]) if len(order) else order
    problem = Problem(
        keys=[a.key for a in applicants],
        scores=scores,
        points=points,
        ranks=ranks,
        groups=groups,
        attributes=attributes,
        class_of=class_of,
        class_groups=class_groups,
        class_values=class_values,
        class_size=np.bincount(class_of, minlength=len(canonical)).astype(np.int64),
        order=order,
        seg_class=cls[brk],
        seg_points=pts[brk],
        seg_start=brk.astype(np.int64),
        seg_count=np.diff(np.r_[brk, len(order)]).astype(np.int64),
    )
    problem.rows = build_rows(problem, rules)
    return problem


def build_rows(problem: Problem, rules: Rules) -> list[Row]:
    """The coupling rows: quotas, reserved seats, then caps (a cap on every value expands to one row each)."""
    rows: list[Row] = []
    for quota in rules.quotas:
        member = problem.class_groups[:, problem.groups.index(quota.group)]
        rows.append(Row(RuleRef("quota", group=quota.group), True, member, share=quota.min_share))
    for reserved in rules.reserved:
        member = problem.class_groups[:, problem.groups.index(reserved.group)]
        rows.append(Row(RuleRef("reserved", group=reserved.group), True, member, count=reserved.seats))
    for cap in rules.caps:
        position = problem.attributes.index(cap.attribute)
        column = [values[position] for values in problem.class_values]
        targets = sorted({v for v in column if v is not None}) if cap.value is None else [cap.value]
        for value in targets:
            member = np.array([v == value for v in column], dtype=bool)
            ref = RuleRef("cap", attribute=cap.attribute, value=value)
            rows.append(Row(ref, False, member, count=cap.max_count, share=cap.max_share))
    return rows


@dataclass
class Solved:
    """A cohort as counts taken from the head of each segment, with how it was proven."""

    take: IntArray
    objective: float  # in points
    bound: float  # HiGHS's proven bound, in points
    lp_bound: float = math.nan
    boundary: int = 0
    solves: int = 1


def _bounds_vectors(problem: Problem, n: int, bounds: IntArray) -> tuple[FloatArray, FloatArray]:
    lower = np.array([b if r.minimum else -np.inf for r, b in zip(problem.rows, bounds, strict=True)])
    upper = np.array([np.inf if r.minimum else b for r, b in zip(problem.rows, bounds, strict=True)])
    return np.r_[float(n), lower], np.r_[float(n), upper]


def take_from_counts(problem: Problem, counts: IntArray) -> IntArray:
    """Per-segment takes when each class takes its `counts` best members (by points, then lottery)."""
    before = np.cumsum(problem.seg_count) - problem.seg_count
    first_seg = np.searchsorted(problem.seg_class, np.arange(problem.classes))
    within = before - before[first_seg][problem.seg_class]
    return np.clip(counts[problem.seg_class] - within, 0, problem.seg_count).astype(np.int64)


def solve_priority(
    problem: Problem, n: int, bounds: IntArray, slack_budget: int | None = None
) -> tuple[IntArray, float] | None:
    """Stage 1: class counts of a cohort of n maximizing total points under the rows (None if infeasible).

    Columns: one continuous y per segment (0..count, objective its points) and one integer k per class
    (k = Σ y of the class); rows: total = n and each rule over k. With slack_budget, minimum rows may fall
    short by σ ≥ 0 with Σσ ≤ slack_budget.
    """
    nseg, classes, nrows = len(problem.seg_count), problem.classes, len(problem.rows)
    slack_rows = [i for i, r in enumerate(problem.rows) if r.minimum] if slack_budget is not None else []
    nsl = len(slack_rows)
    link = sp.csr_matrix((-np.ones(nseg), (problem.seg_class, np.arange(nseg))), shape=(classes, nseg))
    coupling = sp.csr_matrix(np.vstack([np.ones((1, classes)), problem.matrix()]))
    slack = sp.csr_matrix(
        (np.ones(nsl), (np.array(slack_rows, dtype=int) + 1, np.arange(nsl))), shape=(nrows + 1, nsl)
    )
    blocks = [
        [link, sp.eye(classes, format="csr"), sp.csr_matrix((classes, nsl))],
        [sp.csr_matrix((nrows + 1, nseg)), coupling, slack],
    ]
    lower, upper = _bounds_vectors(problem, n, bounds)
    lows, highs = [np.zeros(classes), lower], [np.zeros(classes), upper]
    if nsl:
        blocks.append(
            [sp.csr_matrix((1, nseg)), sp.csr_matrix((1, classes)), sp.csr_matrix(np.ones((1, nsl)))]
        )
        lows.append(np.array([0.0]))
        highs.append(np.array([float(slack_budget or 0)]))
    matrix = sp.bmat(blocks, format="csr")
    cost = np.r_[-problem.seg_points.astype(float), np.zeros(classes + nsl)]
    result = milp(
        cost,
        constraints=LinearConstraint(matrix, np.concatenate(lows), np.concatenate(highs)),
        integrality=np.r_[np.zeros(nseg), np.ones(classes), np.zeros(nsl)],
        bounds=Bounds(
            np.zeros(nseg + classes + nsl),
            np.r_[problem.seg_count, np.minimum(problem.class_size, n), np.full(nsl, np.inf)].astype(float),
        ),
        options=HIGHS_OPTIONS,
    )
    if result.status == 2:
        return None
    if result.status != 0 or result.x is None:
        raise RuntimeError(f"HiGHS did not prove an optimum: {result.message}")
    counts = np.round(result.x[nseg : nseg + classes]).astype(np.int64)
    return counts, -float(getattr(result, "mip_dual_bound", result.fun))


def lp_duals(problem: Problem, n: int, bounds: IntArray) -> tuple[FloatArray, float] | None:
    """Reduced costs of the segments (max sense) and the LP-duality upper bound U(π) on the total points.

    For any cohort y: points·y ≤ U − Σ_{d>0} d·(count − y) − Σ_{d<0} |d|·y (weak duality; π is projected
    onto the sign-feasible orthant first, so the bound is valid whatever the LP solver returned). None when
    the LP relaxation, hence the problem, is infeasible. Interior point with crossover, presolve off: on
    these models HiGHS's dual simplex took 20 s where this takes 1.6 s (200,000 segments, measured).
    """
    full = problem.matrix()[:, problem.seg_class] if problem.rows else np.zeros((0, len(problem.seg_class)))
    minimum = np.array([r.minimum for r in problem.rows], dtype=bool)
    b = bounds.astype(float)
    a_ub = np.vstack([-full[minimum], full[~minimum]])
    b_ub = np.r_[-b[minimum], b[~minimum]]
    cost = -problem.seg_points.astype(float)
    for method, options in (("highs-ipm", {"presolve": False}), ("highs", {})):
        result = linprog(
            cost,
            A_ub=sp.csr_matrix(a_ub) if len(a_ub) else None,
            b_ub=b_ub if len(a_ub) else None,
            A_eq=sp.csr_matrix(np.ones((1, len(cost)))),
            b_eq=[float(n)],
            bounds=np.c_[np.zeros(len(cost)), problem.seg_count],
            method=method,
            options=options,
        )
        if result.status == 2:
            return None
        if result.status == 0:
            break
    else:
        raise RuntimeError(f"HiGHS could not solve the LP relaxation: {result.message}")
    dual_ub = np.minimum(result.ineqlin.marginals, 0.0) if len(a_ub) else np.zeros(0)
    dual_eq = np.asarray(result.eqlin.marginals, dtype=float)
    reduced = cost - (a_ub.T @ dual_ub if len(a_ub) else 0.0) - dual_eq[0]
    lower = float(dual_ub @ b_ub + dual_eq[0] * n + np.minimum(reduced, 0.0) @ problem.seg_count)
    return -reduced, -lower


def _tolerance(upper: float) -> float:
    """Slack for floating-point error in U(π) and the reduced costs (points are integers)."""
    return 1e-7 * (1.0 + abs(upper)) + 1e-6


@dataclass
class Stage1:
    """An optimal cohort's class counts, its value in points, the LP duals that certify it, HiGHS calls."""

    counts: IntArray
    objective: float
    duals: tuple[FloatArray, float]
    solves: int


def solve_stage1(problem: Problem, n: int, bounds: IntArray) -> Stage1 | None:
    """Stage 1 with reduced-cost fixing: class counts of an optimal cohort, its bound, and the LP duals.

    Segments whose reduced cost d exceeds Δ in size are fixed at the bound the LP puts them at; HiGHS solves
    the rest exactly (value z). If U(π) − z ≤ Δ, no cohort changing a fixed segment can reach z, so z is the
    optimum of the full model; otherwise Δ grows to U(π) − z and the (then certified) solve is repeated.
    A restricted model that is infeasible, or a third attempt, falls back to the full model.
    """
    duals = lp_duals(problem, n, bounds)
    if duals is None:
        return None
    reduced, upper = duals
    tolerance = _tolerance(upper)
    delta, solves = 1.0 + tolerance, 1
    for _attempt in range(2 if FIXING else 0):
        found = _solve_restricted(problem, n, bounds, reduced, delta)
        solves += 1
        if found is None:
            break
        objective = float(take_from_counts(problem, found) @ problem.seg_points)
        if upper - objective + tolerance <= delta:
            return Stage1(found, objective, duals, solves)
        delta = upper - objective + 2 * tolerance
    full = solve_priority(problem, n, bounds)
    if full is None:
        return None
    return Stage1(full[0], float(take_from_counts(problem, full[0]) @ problem.seg_points), duals, solves + 1)


def _solve_restricted(
    problem: Problem, n: int, bounds: IntArray, reduced: FloatArray, delta: float
) -> IntArray | None:
    """Stage 1 over the segments with |d| ≤ delta only, the others fixed (d > delta: taken whole)."""
    free = np.abs(reduced) <= delta
    fixed_class = np.bincount(
        problem.seg_class,
        weights=np.where(~free & (reduced > 0), problem.seg_count, 0),
        minlength=problem.classes,
    ).astype(np.int64)
    free_segs = np.flatnonzero(free)
    classes, class_of_free = np.unique(problem.seg_class[free_segs], return_inverse=True)
    nf, nc = len(free_segs), len(classes)
    rows_classes = np.vstack([np.ones((1, problem.classes)), problem.matrix()])
    lower, upper = _bounds_vectors(problem, n, bounds)
    used = rows_classes @ fixed_class
    link = sp.hstack(
        [
            sp.csr_matrix(
                (-np.ones(nf), (np.asarray(class_of_free).reshape(-1), np.arange(nf))), shape=(nc, nf)
            ),
            sp.eye(nc, format="csr"),
        ]
    )
    coupling = sp.hstack([sp.csr_matrix((len(rows_classes), nf)), sp.csr_matrix(rows_classes[:, classes])])
    # k_c counts the whole class, so the fixed part of a free class enters through its link row's constant.
    used -= rows_classes[:, classes] @ fixed_class[classes]
    result = milp(
        np.r_[-problem.seg_points[free_segs].astype(float), np.zeros(nc)],
        constraints=LinearConstraint(
            sp.vstack([link, coupling], format="csr"),
            np.r_[fixed_class[classes], lower - used],
            np.r_[fixed_class[classes], upper - used],
        ),
        integrality=np.r_[np.zeros(nf), np.ones(nc)],
        bounds=Bounds(
            np.zeros(nf + nc),
            np.r_[problem.seg_count[free_segs], np.minimum(problem.class_size[classes], n)].astype(float),
        ),
        options=HIGHS_OPTIONS,
    )
    if result.status == 2 or result.x is None:
        return None
    if result.status != 0:
        raise RuntimeError(f"HiGHS did not prove an optimum: {result.message}")
    counts = fixed_class.copy()
    counts[classes] = np.round(result.x[nf:]).astype(np.int64)
    return counts


def solve_lottery(
    problem: Problem,
    n: int,
    bounds: IntArray,
    counts: IntArray,
    duals: tuple[FloatArray, float] | None = None,
) -> Solved:
    """Stage 2: among cohorts with stage 1's points at every score level, minimize the sum of lottery ranks.

    Segments whose reduced cost exceeds the LP gap are fixed (weak duality, see lp_duals); the rest are
    solved exactly: integer t per free segment, continuous x per member (its rank as cost, so the best
    ranks of a segment fill first), rows: total, rules and one equality per score level.
    """
    take = take_from_counts(problem, counts)
    objective = float(take @ problem.seg_points)
    solves = 1 if duals is None else 0
    duals = duals or lp_duals(problem, n, bounds)
    if duals is None:
        raise RuntimeError("the LP relaxation of a feasible cohort is infeasible")
    reduced, upper = duals
    gap = max(0.0, upper - objective)
    tolerance = gap + _tolerance(upper)
    fixed_in = (reduced > tolerance) & (take == problem.seg_count)
    fixed_out = (reduced < -tolerance) & (take == 0)
    free = np.flatnonzero(~fixed_in & ~fixed_out)
    solved = Solved(take, objective, objective, upper, 0, solves)
    if not len(free):
        return solved
    level_keys, level_of = np.unique(problem.seg_points[free], return_inverse=True)
    level_need = np.bincount(level_of, weights=take[free], minlength=len(level_keys)).astype(np.int64)
    if len(level_keys) == len(free):  # one free segment per level: its take is forced
        return solved
    caps = np.minimum(problem.seg_count[free], level_need[level_of])
    members = int(caps.sum())
    solved.boundary = members
    nf = len(free)
    member_seg = np.repeat(np.arange(nf), caps)
    offsets = np.arange(members) - np.repeat(np.cumsum(caps) - caps, caps)
    member_rank = problem.ranks[problem.order[problem.seg_start[free][member_seg] + offsets]]
    fixed_take = np.where(fixed_in, problem.seg_count, 0)
    rows_classes = np.vstack([np.ones((1, problem.classes)), problem.matrix()])
    used = rows_classes[:, problem.seg_class] @ fixed_take
    lower, upper_b = _bounds_vectors(problem, n, bounds)
    coupling = rows_classes[:, problem.seg_class[free]]
    link = sp.hstack(
        [
            sp.eye(nf, format="csr"),
            -sp.csr_matrix((np.ones(members), (member_seg, np.arange(members))), shape=(nf, members)),
        ]
    )
    level = sp.csr_matrix((np.ones(nf), (level_of, np.arange(nf))), shape=(len(level_keys), nf))
    matrix = sp.vstack(
        [
            link,
            sp.hstack([sp.csr_matrix(coupling), sp.csr_matrix((len(coupling), members))]),
            sp.hstack([level, sp.csr_matrix((len(level_keys), members))]),
        ],
        format="csr",
    )
    lows = np.r_[np.zeros(nf), lower - used, level_need]
    highs = np.r_[np.zeros(nf), upper_b - used, level_need]
    result = milp(
        np.r_[np.zeros(nf), member_rank.astype(float)],
        constraints=LinearConstraint(matrix, lows, highs),
        integrality=np.r_[np.ones(nf), np.zeros(members)],
        bounds=Bounds(np.zeros(nf + members), np.r_[caps, np.ones(members)].astype(float)),
        options=HIGHS_OPTIONS,
    )
    if result.status != 0 or result.x is None:
        raise RuntimeError(f"HiGHS did not prove the lottery stage optimal: {result.message}")
    final = fixed_take.copy()
    final[free] = np.round(result.x[:nf]).astype(np.int64)
    solved.take = final
    solved.solves = solves + 1
    return solved
