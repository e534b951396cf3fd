"""Inputs and outputs of the matching engine: seekers, opportunities, weights, top-k lists, explanations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

UNIT_BITS = 28
UNIT = (
    1 << UNIT_BITS
)  # score units in one point: scores are integers, a perfect match scores sum(weights) points
MAX_LEVEL = 4  # proficiency levels 1 (basic) … 4 (expert); a required minimum of 0 means any level
MAX_EDUCATION = 7  # education levels 0 (none) … 7 (doctorate), in the order the Django side defines
MAX_WEIGHT_SUM = 7.0  # keeps every score below 2**31 units

# Eligibility reasons returned by explain().
INACTIVE = "inactive"
CLOSED_TO_NON_JORDANIANS = "closed_to_non_jordanians"
PERMIT_EXCEPTION = "work_permit_exception"
NO_MATCHING_CONSENT = "no_matching_consent"


@dataclass(frozen=True)
class Weights:
    """The weight of each term of the score (in points) and the few constants that shape the terms."""

    skills: float = 0.55
    location: float = 0.15
    language: float = 0.10
    availability: float = 0.05
    education: float = 0.10
    accessibility: float = 0.05
    proficiency_shortfall: float = 0.5  # credit kept per proficiency level below the required minimum
    education_shortfall: float = 0.5  # credit kept per education level below the required minimum
    availability_horizon_days: int = 60  # days late at which the availability credit reaches zero
    remote: float = 1.0  # location credit of a remote opportunity, for everyone

    def validate(self) -> None:
        """Raise ValueError unless every weight is usable."""
        terms = (
            self.skills,
            self.location,
            self.language,
            self.availability,
            self.education,
            self.accessibility,
        )
        if min(terms) < 0 or not np.isfinite(terms).all():
            raise ValueError("weights must be finite and non-negative")
        if sum(terms) > MAX_WEIGHT_SUM:
            raise ValueError(f"the weights may add up to at most {MAX_WEIGHT_SUM} points")
        for name in ("proficiency_shortfall", "education_shortfall", "remote"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1]")
        if not 1 <= self.availability_horizon_days <= 3660:
            raise ValueError("availability_horizon_days must lie in [1, 3660]")


@dataclass(frozen=True)
class Seekers:
    """Job seekers as arrays (one row each; skills in CSR form: row i owns skills[skill_indptr[i]:skill_indptr[i+1]]).

    governorate: 0 … G-1, or -1 when unknown; locality: a global locality id or -1 (a locality lies in one
    governorate); languages and accessibility_needs: bit masks (bits 0 … 61); available_from: day number from
    which the seeker can start; education: level 0 … MAX_EDUCATION; needs_work_permit: the person is not
    Jordanian and needs work rights; matching_consent: the person agreed to be proposed to employers.
    """

    ids: IntArray
    skill_indptr: IntArray
    skills: IntArray
    proficiency: IntArray
    governorate: IntArray
    needs_work_permit: BoolArray
    matching_consent: BoolArray
    locality: IntArray | None = None
    languages: IntArray | None = None
    available_from: IntArray | None = None
    education: IntArray | None = None
    accessibility_needs: IntArray | None = None

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Opportunities:
    """Opportunities as arrays (one row each; required skills in CSR form with importance and minimum level).

    importance: positive weights of the required skills (only their ratios within an opportunity matter);
    min_proficiency: 0 … MAX_LEVEL; governorate: 0 … G-1 (ignored when remote); languages: required bit mask;
    start: day number of the start (a seeker available later loses availability credit); min_education: level;
    accessibility: bit mask of the accommodations offered; closed_to_non_jordanians: the work-rights lists close
    this opportunity's occupation to non-Jordanians; active: published and neither closed nor expired.
    """

    ids: IntArray
    skill_indptr: IntArray
    skills: IntArray
    importance: FloatArray
    min_proficiency: IntArray
    governorate: IntArray
    remote: BoolArray
    active: BoolArray
    closed_to_non_jordanians: BoolArray
    locality: IntArray | None = None
    languages: IntArray | None = None
    start: IntArray | None = None
    min_education: IntArray | None = None
    accessibility: IntArray | None = None

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class TopK:
    """Ranked lists: row i holds the best items for query i, best first (ties: smaller id first).

    items are indices into the other side's arrays, -1 where fewer than k items are eligible; scores are in
    units (UNIT per point), -1 in the padding.
    """

    queries: IntArray
    items: Int32Array
    scores: Int32Array
    seconds: float

    def points(self) -> FloatArray:
        """The scores in points (NaN in the padding)."""
        return np.where(self.items >= 0, self.scores / UNIT, np.nan)


@dataclass(frozen=True)
class SkillMatch:
    """How one required skill of the opportunity was met: directly, or through a related skill at a discount."""

    skill: int
    via: int  # the seeker's skill that met it (== skill when met directly)
    discount: float  # 1.0 when met directly, else the relation's discount as quantized (k/4096)
    proficiency: int  # the seeker's level in ``via``
    min_proficiency: int
    credit: float  # discount × proficiency factor, as quantized (k/4096)
    units: int  # what it adds to the skills term; these add up exactly to Explanation.terms["skills"]


@dataclass(frozen=True)
class Explanation:
    """One pair's score split into its terms (in units; they add up exactly to ``total``) and its skills."""

    seeker: int
    opportunity: int
    total: int
    terms: dict[str, int]
    matched: tuple[SkillMatch, ...]
    missing: tuple[int, ...]  # required skills the seeker meets neither directly nor through a related skill
    recommendable: bool  # may the opportunity appear in the seeker's list
    proposable: bool  # may the seeker appear in the opportunity's candidate list
    reasons: tuple[
        str, ...
    ]  # codes: INACTIVE, CLOSED_TO_NON_JORDANIANS, PERMIT_EXCEPTION, NO_MATCHING_CONSENT

    @property
    def points(self) -> float:
        """The total score in points."""
        return self.total / UNIT

    def term_points(self) -> dict[str, float]:
        """Each term in points."""
        return {name: units / UNIT for name, units in self.terms.items()}
