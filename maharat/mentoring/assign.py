"""Matching mentees to mentors under capacity, solved exactly as an assignment problem (no Django here).

Each mentor is replicated once per free place; each mentee also gets a private "no mentor" column worth
nothing, so leaving someone unmatched is always possible and a pair that breaks a hard rule (a woman who
asked for a female mentor, a meeting nobody can travel to) is never chosen. The Hungarian method of
``scipy.optimize.linear_sum_assignment`` then maximizes the total fit exactly, and every mentor's capacity
holds because a mentor has only as many columns as free places.

The fit is a sum of integer terms so that staff can read why a pair was suggested:

- ``base``: 1 for any allowed pair, so that matching someone beats leaving them waiting;
- ``skills``: 3 per skill the mentee wants and the mentor has (at most three skills count);
- ``sector``: 3 when the mentor works in the sector of the mentee's goal;
- ``language``: 2 when the mentor speaks the mentee's language;
- ``place``: 2 in the same governorate, otherwise 1 when both accept online or phone mentoring;
- ``group``: 1 when the mentee belongs to a group the mentor prefers.

Hard rules: a mentee who asked for a female mentor gets only female mentors, and the two must share a
governorate or both accept remote mentoring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

WEIGHTS = {"base": 1, "skills": 3, "sector": 3, "language": 2, "same_place": 2, "remote": 1, "group": 1}
MAX_SKILLS_COUNTED = 3
BLOCK_FEMALE = "female_mentor_asked"
BLOCK_PLACE = "no_common_place"


@dataclass(frozen=True)
class MentorData:
    """What the solver knows of a mentor."""

    key: int
    free_places: int
    female: bool
    skills: frozenset[int] = frozenset()
    sectors: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    governorate: int | None = None
    remote: bool = True
    preferred_groups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class MenteeData:
    """What the solver knows of a mentee's request."""

    key: int
    wants_female: bool = False
    skills: frozenset[int] = frozenset()
    sector: str = ""
    language: str = ""
    governorate: int | None = None
    remote_ok: bool = True
    groups: frozenset[str] = frozenset()

    @property
    def _sector_set(self) -> frozenset[str]:
        return frozenset([self.sector]) if self.sector else frozenset()

    @property
    def _language_set(self) -> frozenset[str]:
        return frozenset([self.language]) if self.language else frozenset()


@dataclass(frozen=True)
class Fit:
    """How well a mentor suits a mentee: the score, its terms, and the hard rules it breaks (if any)."""

    score: int
    terms: dict[str, int] = field(default_factory=dict)
    blocked_by: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        """Whether the pair respects every hard rule."""
        return not self.blocked_by


@dataclass(frozen=True)
class Pair:
    """One suggested pair, by position in the input lists."""

    mentee: int
    mentor: int
    fit: Fit


@dataclass(frozen=True)
class Assignment:
    """The suggestion: pairs, mentees left without a mentor, and the total fit."""

    pairs: list[Pair]
    unmatched: list[int]
    total: int


def fit(mentor: MentorData, mentee: MenteeData) -> Fit:
    """The fit of one pair, term by term."""
    blocked: list[str] = []
    if mentee.wants_female and not mentor.female:
        blocked.append(BLOCK_FEMALE)
    same_place = mentor.governorate is not None and mentor.governorate == mentee.governorate
    remote = mentor.remote and mentee.remote_ok
    if not (same_place or remote):
        blocked.append(BLOCK_PLACE)
    if blocked:
        return Fit(score=0, terms={}, blocked_by=tuple(blocked))
    terms = {"base": WEIGHTS["base"]}
    shared = len(mentor.skills & mentee.skills)
    if shared:
        terms["skills"] = WEIGHTS["skills"] * min(shared, MAX_SKILLS_COUNTED)
    if mentee.sector and mentee.sector in mentor.sectors:
        terms["sector"] = WEIGHTS["sector"]
    if mentee.language and mentee.language in mentor.languages:
        terms["language"] = WEIGHTS["language"]
    if same_place:
        terms["same_place"] = WEIGHTS["same_place"]
    else:
        terms["remote"] = WEIGHTS["remote"]
    if mentor.preferred_groups & mentee.groups:
        terms["group"] = WEIGHTS["group"]
    return Fit(score=sum(terms.values()), terms=terms)


def _incidence(sets: Sequence[frozenset[Any]], index: dict[Any, int]) -> np.ndarray:
    matrix = np.zeros((len(sets), max(len(index), 1)), dtype=np.int64)
    for row, items in enumerate(sets):
        for item in items:
            matrix[row, index[item]] = 1
    return matrix


def _index(*families: Sequence[frozenset[Any]]) -> dict[Any, int]:
    items = sorted({item for family in families for items in family for item in items}, key=str)
    return {item: k for k, item in enumerate(items)}


def score_matrix(mentors: Sequence[MentorData], mentees: Sequence[MenteeData]) -> np.ndarray:
    """Fit scores (mentees × mentors, -1 where a hard rule forbids the pair), computed on whole arrays.

    It gives the same numbers as ``fit`` pair by pair (the tests check it) without building a Python object per
    pair, which is what keeps a thousand mentees and hundreds of mentors under a second.
    """
    n, m = len(mentees), len(mentors)
    if n == 0 or m == 0:
        return np.zeros((n, m), dtype=np.int64)

    def both(attr_e: str, attr_m: str) -> tuple[np.ndarray, np.ndarray]:
        want = [getattr(e, attr_e) for e in mentees]
        have = [getattr(r, attr_m) for r in mentors]
        index = _index(want, have)
        return _incidence(want, index), _incidence(have, index)

    want, have = both("skills", "skills")
    shared = np.minimum(want @ have.T, MAX_SKILLS_COUNTED)
    sector_e, sector_m = both("_sector_set", "sectors")
    language_e, language_m = both("_language_set", "languages")
    group_e, group_m = both("groups", "preferred_groups")
    female = np.array([r.female for r in mentors])
    wants_female = np.array([e.wants_female for e in mentees])
    gov_m = np.array([-1 if r.governorate is None else r.governorate for r in mentors])
    gov_e = np.array([-2 if e.governorate is None else e.governorate for e in mentees])
    remote = np.outer([e.remote_ok for e in mentees], [r.remote for r in mentors])
    same = gov_e[:, None] == gov_m[None, :]
    allowed = (same | remote) & ~(wants_female[:, None] & ~female[None, :])
    score = (
        WEIGHTS["base"]
        + WEIGHTS["skills"] * shared
        + WEIGHTS["sector"] * ((sector_e @ sector_m.T) > 0)
        + WEIGHTS["language"] * ((language_e @ language_m.T) > 0)
        + np.where(same, WEIGHTS["same_place"], WEIGHTS["remote"])
        + WEIGHTS["group"] * ((group_e @ group_m.T) > 0)
    )
    return np.where(allowed, score, -1).astype(np.int64)


def assign(mentors: Sequence[MentorData], mentees: Sequence[MenteeData]) -> Assignment:
    """The assignment of mentees to mentors with the largest total fit that no mentor's free places exceed."""
    scores = score_matrix(mentors, mentees)
    n = len(mentees)
    columns: list[int] = []  # the mentor index behind each replicated column
    for j, mentor in enumerate(mentors):
        columns.extend([j] * min(max(mentor.free_places, 0), n))
    if n == 0 or not columns:
        return Assignment(pairs=[], unmatched=list(range(n)), total=0)
    replicated = scores[:, columns]
    # A forbidden pair costs more than the best possible total, so leaving the mentee alone always wins.
    forbidden = int(scores.max(initial=0)) * n + 1
    cost = np.where(replicated >= 0, -replicated, forbidden)
    alone = np.full((n, n), forbidden, dtype=np.int64)
    np.fill_diagonal(alone, 0)
    rows, cols = linear_sum_assignment(np.hstack([cost, alone]))
    pairs: list[Pair] = []
    matched: set[int] = set()
    for i, c in zip(rows.tolist(), cols.tolist(), strict=True):
        if c < len(columns) and replicated[i, c] >= 0:
            pairs.append(Pair(mentee=i, mentor=columns[c], fit=fit(mentors[columns[c]], mentees[i])))
            matched.add(i)
    pairs.sort(key=lambda p: p.mentee)
    return Assignment(
        pairs=pairs,
        unmatched=[i for i in range(n) if i not in matched],
        total=sum(p.fit.score for p in pairs),
    )
