"""Explanations and checks of a cohort: per-applicant reasons, rule attainment, verify() and replacement().

Pure module (numpy only). ``verify`` and ``attainment`` recount everything from the applicants and the rules
with plain Python, independently of the optimizer's arrays, so that they can check it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .selection_core import BoolArray, FloatArray, IntArray, Problem
from .selection_types import (
    CONTROL,
    CONTROL_LOTTERY,
    SELECTED,
    SELECTED_QUOTA,
    SELECTED_ROOM,
    SELECTED_SCORE,
    SELECTED_TIE,
    WAITLISTED,
    WAITLISTED_CAP,
    WAITLISTED_INFEASIBLE,
    WAITLISTED_QUOTA,
    WAITLISTED_SCORE,
    WAITLISTED_TIE,
    Applicant,
    Attainment,
    Cap,
    Reason,
    RuleRef,
    Rules,
    Selection,
    Violation,
    cap_limit,
    quota_count,
)

CODES = (
    SELECTED_SCORE,
    SELECTED_TIE,
    SELECTED_QUOTA,
    SELECTED_ROOM,
    WAITLISTED_SCORE,
    WAITLISTED_TIE,
    WAITLISTED_CAP,
    WAITLISTED_QUOTA,
    WAITLISTED_INFEASIBLE,
    CONTROL_LOTTERY,
)
OUTCOMES = (SELECTED, WAITLISTED, CONTROL)


@dataclass(frozen=True)
class _Check:
    """One rule instance: which applicants count toward it and its bound at a cohort size."""

    ref: RuleRef
    minimum: bool
    share: float | None
    count: int | None

    def counts(self, applicant: Applicant) -> bool:
        """Whether the applicant counts toward the rule."""
        if self.ref.kind == "cap":
            return applicant.attributes.get(self.ref.attribute or "") == self.ref.value
        return self.ref.group in applicant.groups

    def bound(self, m: int) -> int:
        """The minimum (quota, reserved) or maximum (cap) in a cohort of m."""
        if self.ref.kind == "quota":
            return quota_count(self.share or 0.0, m)
        if self.ref.kind == "reserved":
            return self.count or 0
        return cap_limit(Cap(self.ref.attribute or "", self.ref.value, self.count, self.share), m)


def _checks(applicants: Sequence[Applicant], rules: Rules) -> list[_Check]:
    checks = [_Check(RuleRef("quota", group=q.group), True, q.min_share, None) for q in rules.quotas]
    checks += [_Check(RuleRef("reserved", group=r.group), True, None, r.seats) for r in rules.reserved]
    for cap in rules.caps:
        values = (
            sorted({a.attributes[cap.attribute] for a in applicants if cap.attribute in a.attributes})
            if cap.value is None
            else [cap.value]
        )
        checks += [
            _Check(RuleRef("cap", attribute=cap.attribute, value=v), False, cap.max_share, cap.max_count)
            for v in values
        ]
    return checks


def attainment(
    selected: Sequence[str], applicants: Sequence[Applicant], rules: Rules
) -> tuple[Attainment, ...]:
    """How far a cohort meets each quota, reserved-seat rule and cap (one entry per capped value)."""
    by_key = {a.key: a for a in applicants}
    cohort = [by_key[k] for k in selected if k in by_key]
    m = len(cohort)
    result = []
    for check in _checks(applicants, rules):
        achieved = sum(1 for a in cohort if check.counts(a))
        result.append(
            Attainment(
                check.ref,
                "min" if check.minimum else "max",
                check.bound(m),
                achieved,
                achieved / m if m else 0.0,
                check.share,
            )
        )
    return tuple(result)


def verify(selection: Selection, applicants: Sequence[Applicant], rules: Rules) -> list[Violation]:
    """Every way the selection breaks the rules or its own structure; an empty list means it is valid."""
    violations: list[Violation] = []
    keys = [a.key for a in applicants]
    known = set(keys)
    if len(known) != len(keys):
        violations.append(Violation("duplicate", None, len(known), len(keys)))
    seen: set[str] = set()
    for key in (*selection.selected, *selection.control, *selection.waitlist):
        if key not in known:
            violations.append(Violation("unknown_key", None, 0, 1, key))
        elif key in seen:
            violations.append(Violation("overlap", None, 1, 2, key))
        seen.add(key)
    m = len(selection.selected)
    if m > rules.seats:
        violations.append(Violation("seats", RuleRef("seats"), rules.seats, m))
    expected = min(rules.seats, len(known) - len(set(selection.control) & known))
    if m < expected:
        violations.append(Violation("unfilled", RuleRef("seats"), expected, m))
    missing = known - seen
    if missing:
        violations.append(Violation("waitlist", None, len(known), len(known) - len(missing), min(missing)))
    for item in attainment(selection.selected, applicants, rules):
        if not item.met:
            violations.append(Violation(item.rule.kind, item.rule, item.required, item.achieved))
    return violations


def replacement(
    selection: Selection, withdrawn: str, applicants: Sequence[Applicant], rules: Rules
) -> str | None:
    """The first waitlisted key whose entry in place of `withdrawn` leaves no rule worse off; None if nobody.

    "Worse off" is per rule: a quota's shortfall or a cap's excess must not grow. A cohort that met every rule
    therefore still meets every rule; a relaxed cohort does not fall further behind.
    """
    if withdrawn not in selection.selected:
        raise ValueError(f"{withdrawn!r} is not in the selected cohort")
    by_key = {a.key: a for a in applicants}
    cohort = [by_key[k] for k in selection.selected if k in by_key]
    m = len(cohort)
    checks = _checks(applicants, rules)
    counts = [sum(1 for a in cohort if c.counts(a)) for c in checks]
    bounds = [c.bound(m) for c in checks]
    out = by_key[withdrawn]
    leaving = [c.counts(out) for c in checks]
    verdict: dict[tuple[bool, ...], bool] = {}
    for key in selection.waitlist:
        candidate = by_key.get(key)
        if candidate is None:
            continue
        profile = tuple(c.counts(candidate) for c in checks)
        if profile not in verdict:
            verdict[profile] = all(
                _worse(c.minimum, n, n - left + came, b) <= _worse(c.minimum, n, n, b)
                for c, n, left, came, b in zip(checks, counts, leaving, profile, bounds, strict=True)
            )
        if verdict[profile]:
            return key
    return None


def _worse(minimum: bool, _before: int, after: int, bound: int) -> int:
    return max(0, bound - after) if minimum else max(0, after - bound)


class Reasons(Mapping[str, Reason]):
    """Reasons of every applicant, built on access from arrays (a cohort of 500,000 costs no objects)."""

    def __init__(
        self,
        keys: Sequence[str],
        outcome: IntArray,
        code: IntArray,
        scores: FloatArray,
        ranks: IntArray,
        cutoff: float | None,
        class_cutoff: FloatArray,
        rule_id: IntArray,
        rule_table: list[tuple[RuleRef, ...]],
        waitlist_position: IntArray,
    ) -> None:
        self._keys = list(keys)
        self._index: dict[str, int] | None = None
        self._outcome, self._code, self._scores, self._ranks = outcome, code, scores, ranks
        self._cutoff, self._class_cutoff = cutoff, class_cutoff
        self._rule_id, self._rule_table, self._position = rule_id, rule_table, waitlist_position

    def __getitem__(self, key: str) -> Reason:
        if self._index is None:
            self._index = {k: i for i, k in enumerate(self._keys)}
        i = self._index[key]
        class_cutoff = float(self._class_cutoff[i])
        position = int(self._position[i])
        return Reason(
            outcome=OUTCOMES[int(self._outcome[i])],
            code=CODES[int(self._code[i])],
            score=float(self._scores[i]),
            lottery_rank=int(self._ranks[i]),
            cutoff=self._cutoff,
            class_cutoff=None if np.isnan(class_cutoff) else class_cutoff,
            rules=self._rule_table[int(self._rule_id[i])],
            waitlist_position=position if position > 0 else None,
        )

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def reasons(
    problem: Problem,
    pool: BoolArray,
    control: BoolArray,
    waitlist: IntArray,
    bounds: IntArray,
    infeasible: bool = False,
) -> Reasons:
    """Each applicant's outcome and its explanation (codes in selection_types), from the final cohort.

    A selected applicant below the overall cut-off displaced a higher scorer; optimality means that swap
    broke a rule: a tight quota of theirs (SELECTED_QUOTA) or a full cap of the other (SELECTED_ROOM).
    A waitlisted applicant above someone selected from the same quota cell was kept out by a full cap on
    their own values (WAITLISTED_CAP): were none full, swapping them in would raise the total.
    """
    a, classes = len(problem.keys), problem.classes
    scores, cls = problem.scores, problem.class_of
    outcome = np.full(a, OUTCOMES.index(WAITLISTED), dtype=np.int64)
    outcome[pool] = OUTCOMES.index(SELECTED)
    outcome[control] = OUTCOMES.index(CONTROL)
    position = np.zeros(a, dtype=np.int64)
    position[waitlist] = np.arange(1, len(waitlist) + 1)
    members = problem.matrix().astype(bool)  # rows × classes
    row_count = members[:, cls[pool]].sum(axis=1) if len(problem.rows) else np.zeros(0, dtype=np.int64)
    is_min = np.array([r.minimum for r in problem.rows], dtype=bool)
    tight = (is_min & (row_count <= bounds)) | (~is_min & (row_count >= bounds))
    tight_min = members & (tight & is_min)[:, None]
    full_cap = members & (tight & ~is_min)[:, None]

    n = int(pool.sum())
    cutoff = float(np.sort(scores)[::-1][n - 1]) if n else None
    class_cut = np.full(classes, np.nan)
    if n:
        np.fmin.at(class_cut, cls[pool], scores[pool])
    cells, cell_of = (
        np.unique(problem.class_groups, axis=0, return_inverse=True) if classes else (None, np.zeros(0, int))
    )
    cell_of = np.asarray(cell_of).reshape(-1)
    cell_cut = np.full(len(cells) if cells is not None else 0, np.nan)
    if n:
        np.fmin.at(cell_cut, cell_of[cls[pool]], scores[pool])
    tie = _ties(problem, pool, tight_min, full_cap)

    code = np.full(a, CODES.index(WAITLISTED_SCORE), dtype=np.int64)
    above = scores >= cutoff if cutoff is not None else np.zeros(a, dtype=bool)
    in_tight = tight_min.any(axis=0)[cls] if len(problem.rows) else np.zeros(a, dtype=bool)
    capped = full_cap.any(axis=0)[cls] if len(problem.rows) else np.zeros(a, dtype=bool)
    sel = pool & ~control
    code[sel & ~above & ~in_tight] = CODES.index(SELECTED_ROOM)
    code[sel & ~above & in_tight] = CODES.index(SELECTED_QUOTA)
    code[sel & above] = CODES.index(SELECTED_SCORE)
    code[sel & tie] = CODES.index(SELECTED_TIE)
    wait = ~pool
    beat = scores > np.nan_to_num(cell_cut[cell_of[cls]], nan=np.inf)
    code[wait & above] = CODES.index(WAITLISTED_QUOTA)
    code[wait & capped & (beat | above)] = CODES.index(WAITLISTED_CAP)
    code[wait & tie] = CODES.index(WAITLISTED_TIE)
    code[control] = CODES.index(CONTROL_LOTTERY)
    if infeasible:
        code[:] = CODES.index(WAITLISTED_INFEASIBLE)

    # The rules behind each (code, class): tight quotas of theirs, full caps of theirs or elsewhere.
    combo = code * max(classes, 1) + cls
    unique, rule_id = np.unique(combo, return_inverse=True)
    refs = [r.ref for r in problem.rows]
    table: list[tuple[RuleRef, ...]] = []
    for value in unique.tolist():
        c, k = CODES[value // max(classes, 1)], value % max(classes, 1)
        if c == SELECTED_QUOTA:
            picked = tight_min[:, k]
        elif c == SELECTED_ROOM:
            picked = (tight & ~is_min) & ~members[:, k]
        elif c == WAITLISTED_CAP:
            picked = full_cap[:, k]
        elif c == WAITLISTED_QUOTA:
            picked = (tight & is_min) & ~members[:, k]
        else:
            picked = np.zeros(len(refs), dtype=bool)
        table.append(tuple(ref for ref, p in zip(refs, picked, strict=True) if p))
    class_cutoff = class_cut[cls] if classes else np.zeros(0)
    return Reasons(
        problem.keys,
        outcome,
        code,
        scores,
        problem.ranks,
        cutoff,
        class_cutoff,
        np.asarray(rule_id).reshape(-1),
        table,
        position,
    )


def _ties(problem: Problem, pool: BoolArray, tight_min: BoolArray, full_cap: BoolArray) -> BoolArray:
    """Applicants at a score shared by a selected and a waitlisted applicant whose swap would keep every rule.

    Swapping out a member of class a for one of class b keeps the rules iff every tight quota row holding a
    also holds b, and every full cap holding b also holds a; this depends only on each class's signature.
    """
    a = len(problem.keys)
    tie = np.zeros(a, dtype=bool)
    if not a:
        return tie
    in_pool = pool[problem.order]
    seg_of = np.repeat(np.arange(len(problem.seg_count)), problem.seg_count)
    chosen = np.bincount(seg_of, weights=in_pool, minlength=len(problem.seg_count)).astype(np.int64)
    left = problem.seg_count - chosen
    tm = [sum(1 << r for r in np.flatnonzero(tight_min[:, k]).tolist()) for k in range(problem.classes)]
    fc = [sum(1 << r for r in np.flatnonzero(full_cap[:, k]).tolist()) for k in range(problem.classes)]
    segs_by_level: dict[int, tuple[list[int], list[int]]] = {}
    for s in np.flatnonzero((chosen > 0) | (left > 0)).tolist():
        entry = segs_by_level.setdefault(int(problem.seg_points[s]), ([], []))
        if chosen[s]:
            entry[0].append(s)
        if left[s]:
            entry[1].append(s)
    seg_win = np.zeros(len(problem.seg_count), dtype=bool)
    seg_lose = np.zeros(len(problem.seg_count), dtype=bool)
    for out_segs, in_segs in segs_by_level.values():
        if not out_segs or not in_segs:
            continue
        outs = {(tm[k], fc[k]) for k in problem.seg_class[out_segs].tolist()}
        ins = {(tm[k], fc[k]) for k in problem.seg_class[in_segs].tolist()}
        pairs = {(o, i) for o in outs for i in ins if o[0] & ~i[0] == 0 and i[1] & ~o[1] == 0}
        good_out, good_in = {p[0] for p in pairs}, {p[1] for p in pairs}
        for s in out_segs:
            k = int(problem.seg_class[s])
            seg_win[s] = (tm[k], fc[k]) in good_out
        for s in in_segs:
            k = int(problem.seg_class[s])
            seg_lose[s] = (tm[k], fc[k]) in good_in
    flag_sorted = np.where(in_pool, seg_win[seg_of], seg_lose[seg_of])
    tie[problem.order] = flag_sorted
    return tie
