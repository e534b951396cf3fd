"""When the rules cannot all hold: the largest cohort the caps allow, the least shortfall, the relaxation.

Pure module (numpy + scipy). ``plan`` runs stage 1 (``selection_core.solve_stage1``) and, if the rules are
infeasible, finds the nearest feasible relaxation lexicographically: seats first (the caps are hard), then
the least total shortfall in persons over quotas and reserved seats, then the highest total priority.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from .selection_core import (
    HIGHS_OPTIONS,
    FloatArray,
    IntArray,
    Problem,
    solve_priority,
    solve_stage1,
)
from .selection_types import EPSILON, Relaxation, RuleRef, Shortfall


def _class_milp(
    cost: FloatArray, rows: list[tuple[FloatArray, float, float]], upper: FloatArray, integer: int
) -> FloatArray | None:
    """A small MILP over class counts (the first `integer` columns integer) and any extra columns."""
    matrix = np.array([r[0] for r in rows]) if rows else np.zeros((0, len(cost)))
    constraints = (
        [LinearConstraint(matrix, np.array([r[1] for r in rows]), np.array([r[2] for r in rows]))]
        if rows
        else []
    )
    result = milp(
        cost,
        constraints=constraints,
        integrality=np.r_[np.ones(integer), np.zeros(len(cost) - integer)],
        bounds=Bounds(np.zeros(len(cost)), upper),
        options=HIGHS_OPTIONS,
    )
    if result.status == 2 or result.x is None:
        return None
    if result.status != 0:
        raise RuntimeError(f"HiGHS did not prove an optimum: {result.message}")
    return np.asarray(result.x, dtype=float)


def max_cohort(problem: Problem, n: int) -> tuple[int, tuple[RuleRef, ...]]:
    """The largest cohort (≤ n) the caps allow, and the caps that are full in it."""
    caps = [r for r in problem.rows if not r.minimum]
    size = np.minimum(problem.class_size, n).astype(float)
    if not caps or size.sum() <= 0:
        return min(n, int(size.sum())), ()
    ones = np.ones(problem.classes)
    rows: list[tuple[FloatArray, float, float]] = [(ones, 0.0, float(n))]
    for row in caps:
        member = row.classes.astype(float)
        if row.count is not None:
            rows.append((member, -np.inf, float(row.count)))
        if row.share is not None:  # count ≤ share·total, i.e. count ≤ floor(share·total) for integers
            rows.append((member - row.share * ones, -np.inf, EPSILON))
    x = _class_milp(-ones, rows, size, problem.classes)
    if x is None:  # the empty cohort is always feasible
        raise RuntimeError("HiGHS found no cohort under the caps, not even the empty one")
    counts = np.round(x).astype(np.int64)
    total = int(counts.sum())
    full = tuple(r.ref for r in caps if counts[r.classes].sum() >= r.bound(total) and r.classes.any())
    return total, full


def min_shortfall(problem: Problem, n: int, bounds: IntArray) -> int:
    """The least total shortfall, in persons, of the minimum rows when the caps hold and n are selected."""
    minimum = [i for i, r in enumerate(problem.rows) if r.minimum]
    classes, nsl = problem.classes, len(minimum)
    rows: list[tuple[FloatArray, float, float]] = [(np.r_[np.ones(classes), np.zeros(nsl)], n, n)]
    for i, row in enumerate(problem.rows):
        member = np.r_[row.classes.astype(float), np.zeros(nsl)]
        if row.minimum:
            member[classes + minimum.index(i)] = 1.0
            rows.append((member, float(bounds[i]), np.inf))
        else:
            rows.append((member, -np.inf, float(bounds[i])))
    upper = np.r_[np.minimum(problem.class_size, n), np.full(nsl, np.inf)].astype(float)
    x = _class_milp(np.r_[np.zeros(classes), np.ones(nsl)], rows, upper, classes)
    if x is None:
        raise RuntimeError("caps leave no room for n applicants although max_cohort said so")
    return round(float(x[classes:].sum()))


def max_alone(problem: Problem, n: int, bounds: IntArray, index: int) -> tuple[int, tuple[RuleRef, ...]]:
    """Most members of one minimum row selectable in a cohort of n under the caps alone, and the full caps."""
    caps = [(i, r) for i, r in enumerate(problem.rows) if not r.minimum]
    member = problem.rows[index].classes.astype(float)
    rows: list[tuple[FloatArray, float, float]] = [(np.ones(problem.classes), n, n)]
    rows += [(r.classes.astype(float), -np.inf, float(bounds[i])) for i, r in caps]
    x = _class_milp(-member, rows, np.minimum(problem.class_size, n).astype(float), problem.classes)
    if x is None:
        return 0, ()
    counts = np.round(x).astype(np.int64)
    full = tuple(
        r.ref
        for i, r in caps
        if (r.classes & problem.rows[index].classes).any() and counts[r.classes].sum() >= bounds[i]
    )
    return int(counts[problem.rows[index].classes].sum()), full


@dataclass
class Plan:
    """What the rules allow: cohort size, per-row bounds, and the shortfalls and relaxations found."""

    n: int
    bounds: IntArray
    counts: IntArray | None  # stage 1 class counts, None when infeasible and not relaxed
    bound: float = 0.0
    shortfalls: list[Shortfall] = field(default_factory=list)
    relaxations: list[Relaxation] = field(default_factory=list)
    solves: int = 1
    duals: tuple[FloatArray, float] | None = None  # LP reduced costs and bound under `bounds`, when computed


def plan(problem: Problem, n: int, relax: bool) -> Plan:
    """Stage 1 under the rules; if infeasible, the nearest relaxation (seats, then least total shortfall)."""
    bounds = np.array([r.bound(n) for r in problem.rows], dtype=np.int64)
    first = solve_stage1(problem, n, bounds)
    if first is not None:
        return Plan(n, bounds, first.counts, first.objective, duals=first.duals, solves=first.solves)
    result = Plan(n, bounds, None, solves=2)
    size, full = max_cohort(problem, n)
    found: tuple[IntArray, float] | None = None
    if size < n:
        result.shortfalls.append(Shortfall("seats", None, n, len(problem.keys), size, n, None, "caps", full))
        result.relaxations.append(Relaxation("seats", None, n, size))
        n = size
        bounds = np.array([r.bound(n) for r in problem.rows], dtype=np.int64)
        found = solve_priority(problem, n, bounds)
        result.solves += 1
    if found is None:
        budget = min_shortfall(problem, n, bounds)
        found = solve_priority(problem, n, bounds, slack_budget=budget)
        result.solves += 2
        if found is None:
            raise RuntimeError("the least-shortfall cohort vanished")
        achieved = problem.matrix() @ found[0] if problem.rows else np.zeros(0)
        relaxed = bounds.copy()
        for i, row in enumerate(problem.rows):
            if row.minimum and achieved[i] < bounds[i]:
                relaxed[i] = int(round(achieved[i]))
                result.shortfalls.append(_explain_shortfall(problem, n, bounds, relaxed, i))
                to_share = float(relaxed[i]) / n if n and row.share is not None else None
                result.relaxations.append(
                    Relaxation(
                        row.ref.kind, row.ref.group, int(bounds[i]), int(relaxed[i]), row.share, to_share
                    )
                )
                result.solves += 1
        bounds = relaxed
    result.n, result.bounds = n, bounds
    if relax:
        result.counts, result.bound = found
    return result


def _explain_shortfall(
    problem: Problem, n: int, bounds: IntArray, relaxed: IntArray, index: int
) -> Shortfall:
    row = problem.rows[index]
    available = int(problem.class_size[row.classes].sum())
    alone, full_caps = max_alone(problem, n, bounds, index)
    limiting: tuple[RuleRef, ...]
    if available < bounds[index]:
        cause, limiting = "too_few_applicants", ()
    elif bounds[index] > n:
        cause, limiting = "seats", (RuleRef("seats"),)
    elif alone < bounds[index]:
        cause, limiting = "caps", full_caps
    else:
        others = tuple(
            r.ref for j, r in enumerate(problem.rows) if j != index and r.minimum and bounds[j] > 0
        )
        cause, limiting = "competing_rules", others + full_caps
    return Shortfall(
        row.ref.kind,
        row.ref.group,
        int(bounds[index]),
        available,
        int(relaxed[index]),
        n,
        row.share,
        cause,
        limiting,
    )
