"""The data of cohort selection: applicants and rules in, a selection with its explanations out.

Pure module (no Django import). Every explanation is structured data — a code and numbers — that the
Django side turns into Arabic or English sentences; ``describe()`` gives a plain English line for logs and
benchmarks only. ``maharat.programmes.selection`` re-exports everything public here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

# Statuses of a selection.
OPTIMAL = "optimal"  # every rule holds and the total priority is the proven optimum
RELAXED = (
    "relaxed"  # the rules could not all hold; the nearest feasible relaxation was applied (see relaxation)
)
INFEASIBLE = "infeasible"  # the rules could not all hold and relax=False: nobody is selected
EMPTY = "empty"  # no applicants, or no seats
HEURISTIC = "heuristic"  # greedy(): not optimal, possibly not even valid

# Outcomes of one applicant.
SELECTED = "selected"
WAITLISTED = "waitlisted"
CONTROL = "control"

# Reason codes (Reason.code). Each names the fields that carry its numbers.
SELECTED_SCORE = "selected_score"  # score at or above the overall cut-off (cutoff)
SELECTED_TIE = "selected_tie_lottery"  # tied at score with a waitlisted applicant who could have taken the seat; lottery_rank won
SELECTED_QUOTA = (
    "selected_quota"  # score below the overall cut-off, selected to meet the quota/reserved rules in `rules`
)
SELECTED_ROOM = "selected_room_left_by_caps"  # below the overall cut-off; higher scorers were held back by the full caps in `rules`
WAITLISTED_SCORE = "waitlisted_score"  # score below the cut-off (cutoff, class_cutoff)
WAITLISTED_TIE = (
    "waitlisted_tie_lottery"  # tied at score with a selected applicant; lost the lottery (lottery_rank)
)
WAITLISTED_CAP = "waitlisted_cap_full"  # a cap on the applicant's attributes was full (`rules`)
WAITLISTED_QUOTA = (
    "waitlisted_seats_for_quotas"  # above the overall cut-off; the seat went to the quota groups in `rules`
)
WAITLISTED_INFEASIBLE = (
    "waitlisted_rules_infeasible"  # nobody was selected: the rules cannot all hold (relax=False)
)
CONTROL_LOTTERY = (
    "control_lottery"  # in the study pool, randomized to the control group within the quota cell
)

EPSILON = 1e-9  # shares are compared with this tolerance: ceil(s·n − ε), floor(s·n + ε)


@dataclass(frozen=True)
class Applicant:
    """An eligible applicant to a programme call, with the facts the selection rules look at."""

    key: str
    score: float
    groups: frozenset[str] = frozenset()
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Quota:
    """A minimum share of the selected cohort for a group: count ≥ ceil(min_share · cohort size − 1e-9)."""

    group: str
    min_share: float


@dataclass(frozen=True)
class Reserved:
    """At least `seats` places of the cohort for a group, in persons."""

    group: str
    seats: int


@dataclass(frozen=True)
class Cap:
    """At most max_count persons and/or max_share of the cohort with attribute == value (None: each value)."""

    attribute: str
    value: str | None = None
    max_count: int | None = None
    max_share: float | None = None


@dataclass(frozen=True)
class Rules:
    """The seats of a call and the rules its cohort must satisfy."""

    seats: int
    quotas: tuple[Quota, ...] = ()
    reserved: tuple[Reserved, ...] = ()
    caps: tuple[Cap, ...] = ()
    control_share: float = 0.0


def quota_count(min_share: float, cohort: int) -> int:
    """Persons a share quota asks for in a cohort of this size."""
    return max(0, math.ceil(min_share * cohort - EPSILON))


def cap_limit(cap: Cap, cohort: int) -> int:
    """Most persons a cap allows for one value in a cohort of this size."""
    limit = cohort
    if cap.max_count is not None:
        limit = min(limit, cap.max_count)
    if cap.max_share is not None:
        limit = min(limit, math.floor(cap.max_share * cohort + EPSILON))
    return max(0, limit)


def validate_rules(rules: Rules) -> None:
    """Raise ValueError for rules no cohort could be measured against (a programming error, not a shortfall)."""
    if rules.seats < 0:
        raise ValueError("seats must be ≥ 0")
    if not 0.0 <= rules.control_share < 1.0:
        raise ValueError("control_share must be in [0, 1)")
    for quota in rules.quotas:
        if not 0.0 <= quota.min_share <= 1.0:
            raise ValueError(f"quota share for {quota.group!r} must be in [0, 1]")
    for reserved in rules.reserved:
        if reserved.seats < 0:
            raise ValueError(f"reserved seats for {reserved.group!r} must be ≥ 0")
    for cap in rules.caps:
        if cap.max_count is None and cap.max_share is None:
            raise ValueError(f"cap on {cap.attribute!r} needs max_count or max_share")
        if (cap.max_count is not None and cap.max_count < 0) or (
            cap.max_share is not None and not 0.0 <= cap.max_share <= 1.0
        ):
            raise ValueError(f"cap on {cap.attribute!r} is out of range")


@dataclass(frozen=True)
class RuleRef:
    """Names one rule: a quota or reserved seats of a group, a cap on one attribute value, or the seat count."""

    kind: str  # "quota" | "reserved" | "cap" | "seats"
    group: str | None = None
    attribute: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        if self.kind == "cap":
            return f"cap {self.attribute}={self.value}"
        if self.kind == "seats":
            return "seats"
        return f"{self.kind} {self.group}"


@dataclass(frozen=True)
class Shortfall:
    """Why a rule cannot hold: it asks for `required` persons, at most `achievable` can be selected with the rest."""

    kind: str  # "quota" | "reserved" | "seats"
    group: str | None
    required: int
    available: int  # applicants who count toward the rule (the group's members; all applicants for seats)
    achievable: (
        int  # most persons that can count toward it while every cap (and as many rules as possible) holds
    )
    seats: int  # the cohort size the shares are taken of
    share: float | None = None  # the quota's share, for share quotas
    cause: str = ""  # "too_few_applicants" | "seats" (more than the cohort) | "caps" | "competing_rules"
    limiting: tuple[RuleRef, ...] = ()  # the caps or rules that are full where the rule falls short

    def describe(self) -> str:
        """One English line for logs."""
        what = "seats" if self.kind == "seats" else f"{self.kind} {self.group}"
        share = f" ({self.share:.1%} of {self.seats})" if self.share is not None else ""
        limits = f"; limited by {', '.join(map(str, self.limiting))}" if self.limiting else ""
        return (
            f"{what}{share} needs {self.required}, at most {self.achievable} possible "
            f"({self.available} applicants count toward it): {self.cause.replace('_', ' ')}{limits}"
        )

    __str__ = describe


@dataclass(frozen=True)
class Relaxation:
    """One rule lowered to what can be achieved: from_count → to_count persons (shares of the cohort for quotas)."""

    kind: str  # "quota" | "reserved" | "seats"
    group: str | None
    from_count: int
    to_count: int
    from_share: float | None = None
    to_share: float | None = None

    def describe(self) -> str:
        """One English line for logs."""
        what = "seats" if self.kind == "seats" else f"{self.kind} {self.group}"
        if self.from_share is not None and self.to_share is not None:
            return f"{what} lowered from {self.from_share:.2%} ({self.from_count}) to {self.to_share:.2%} ({self.to_count})"
        return f"{what} lowered from {self.from_count} to {self.to_count}"

    __str__ = describe


@dataclass(frozen=True)
class Attainment:
    """How far the cohort meets one rule: `achieved` persons against a minimum or maximum of `required`."""

    rule: RuleRef
    bound: str  # "min" | "max"
    required: int
    achieved: int
    share: float  # achieved / cohort size (0 for an empty cohort)
    required_share: float | None = None  # the rule's share, for share rules

    @property
    def met(self) -> bool:
        """Whether the rule holds."""
        return self.achieved >= self.required if self.bound == "min" else self.achieved <= self.required

    def describe(self) -> str:
        """One English line for logs."""
        sign = "≥" if self.bound == "min" else "≤"
        return f"{self.rule}: {self.achieved} ({self.share:.1%}) {sign} {self.required}{'' if self.met else ' NOT MET'}"

    __str__ = describe


@dataclass(frozen=True)
class Violation:
    """A rule the cohort breaks, or a structural fault (unknown or duplicate key), found by verify()."""

    kind: str  # "quota" | "reserved" | "cap" | "seats" | "unfilled" | "unknown_key" | "duplicate" | "overlap" | "waitlist"
    rule: RuleRef | None
    required: int
    actual: int
    key: str | None = None

    def describe(self) -> str:
        """One English line for logs."""
        where = f" ({self.rule})" if self.rule else (f" ({self.key})" if self.key else "")
        return f"{self.kind}{where}: required {self.required}, actual {self.actual}"

    __str__ = describe


@dataclass(frozen=True)
class SolverInfo:
    """How the cohort was computed: method, time, model size, objective and its proven bound."""

    method: str
    seconds: float = field(compare=False)
    applicants: int
    classes: int = 0  # classes of interchangeable applicants (quota groups × capped attribute values)
    segments: int = 0  # (class, score) blocks: the model's columns
    boundary: int = 0  # applicants left free for the lottery stage after reduced-cost fixing
    objective: float = 0.0  # total priority of the pool chosen
    bound: float = 0.0  # proven upper bound on the total priority (LP duality and HiGHS)
    gap: float = 0.0  # bound − objective (0 when proven optimal)
    solves: int = 0  # HiGHS calls
    presolve: bool = False

    def describe(self) -> str:
        """One English line for logs."""
        return (
            f"{self.method}: {self.seconds:.3f} s, {self.applicants} applicants, {self.classes} classes, "
            f"{self.segments} segments, boundary {self.boundary}, objective {self.objective:,.2f} "
            f"(bound {self.bound:,.2f}, gap {self.gap:g}), {self.solves} HiGHS solves"
        )

    __str__ = describe


@dataclass(frozen=True)
class Reason:
    """Why one applicant was selected, waitlisted or put in the control group, as a code and its numbers."""

    outcome: str  # SELECTED | WAITLISTED | CONTROL
    code: str  # one of the reason codes above
    score: float
    lottery_rank: int  # 0 = luckiest
    cutoff: float | None = None  # overall cut-off: the cohort-size-th best score among all applicants
    class_cutoff: float | None = (
        None  # lowest score selected among applicants with the same groups and capped values
    )
    rules: tuple[RuleRef, ...] = ()  # the rules that explain the outcome
    waitlist_position: int | None = None  # 1-based place on the waitlist

    def describe(self) -> str:
        """One English line for logs."""
        text = {
            SELECTED_SCORE: f"selected: score {self.score:g} at or above the cut-off {self.cutoff}",
            SELECTED_TIE: f"selected: tie at score {self.score:g} decided by lottery (rank {self.lottery_rank})",
            SELECTED_QUOTA: f"selected to meet {self._rules()} although score {self.score:g} is below the overall cut-off {self.cutoff}",
            SELECTED_ROOM: f"selected: score {self.score:g} below the overall cut-off {self.cutoff}; {self._rules()} were full",
            WAITLISTED_SCORE: f"waitlisted: score {self.score:g} below the cut-off {self.class_cutoff if self.class_cutoff is not None else self.cutoff}",
            WAITLISTED_TIE: f"waitlisted: tie at score {self.score:g} decided by lottery (rank {self.lottery_rank})",
            WAITLISTED_CAP: f"waitlisted: {self._rules()} full",
            WAITLISTED_QUOTA: f"waitlisted: score {self.score:g} at or above the cut-off {self.cutoff}, but seats went to {self._rules()}",
            WAITLISTED_INFEASIBLE: "waitlisted: the rules cannot all hold, nobody was selected",
            CONTROL_LOTTERY: f"control group: drawn by lottery within the quota cell (score {self.score:g})",
        }.get(self.code, self.code)
        if self.waitlist_position is not None:
            text += f" [waitlist #{self.waitlist_position}]"
        return text

    def _rules(self) -> str:
        return " and ".join(map(str, self.rules)) or "other rules"

    __str__ = describe


@dataclass(frozen=True)
class Selection:
    """A programme cohort chosen under the rules, with its waitlist, control group and explanations.

    ``selected`` and ``waitlist`` are ranked by score (highest first), ties by lottery rank (luckiest first);
    the waitlist holds every eligible applicant neither selected nor in the control group. With a control
    group, ``selected`` is the treated part of the study pool and the solver's objective is the pool's.
    """

    selected: tuple[str, ...]
    waitlist: tuple[str, ...]
    control: tuple[str, ...]
    total_score: float  # of the selected
    optimal: bool  # proven optimal under `rules` (the given rules, or their relaxation if "relaxed")
    status: str  # OPTIMAL | RELAXED | INFEASIBLE | EMPTY | HEURISTIC
    seed: int
    rules: Rules  # the rules the cohort satisfies: the given ones, or their relaxation
    shortfalls: tuple[Shortfall, ...] = ()  # why the given rules cannot all hold (also when relax=False)
    relaxation: tuple[Relaxation, ...] = ()  # what was lowered (proposed only, when status is "infeasible")
    attainment: tuple[Attainment, ...] = ()  # each given rule against the selected cohort
    solver: SolverInfo | None = None
    reasons: Mapping[str, Reason] = field(default_factory=dict)  # every applicant's key → why

    def describe(self) -> str:
        """A few English lines for logs."""
        lines = [
            f"{self.status}: {len(self.selected)} selected, {len(self.waitlist)} waitlisted, "
            f"{len(self.control)} control, total priority {self.total_score:g}"
        ]
        lines += [f"  shortfall: {s}" for s in self.shortfalls]
        lines += [f"  relaxed: {r}" for r in self.relaxation]
        lines += [f"  {a}" for a in self.attainment]
        if self.solver is not None:
            lines.append(f"  {self.solver}")
        return "\n".join(lines)
