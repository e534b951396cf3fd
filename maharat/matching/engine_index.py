"""Validation, quantization and the inverted indexes of the matching engine (see ``engine.py`` for the score)."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse

from . import engine_kernels as kern
from .engine_types import (
    MAX_EDUCATION,
    MAX_LEVEL,
    UNIT,
    UNIT_BITS,
    BoolArray,
    FloatArray,
    IntArray,
    Opportunities,
    Seekers,
    Weights,
)

LEVELS = MAX_LEVEL + 1  # minimum levels 0 … MAX_LEVEL: a key is skill * LEVELS + minimum
WEIGHT_BITS = UNIT_BITS - kern.CREDIT_BITS  # credit (12 bits) × weight (16 bits) = units (28 bits)
MASK_BITS = 62  # languages and accessibility features: bits 0 … 61
EARLIEST = -(2**31)  # available_from when unknown: available at once
LATEST = 2**31 - 1  # start when unknown: no seeker is late


def quantize(values: Any, one: int) -> IntArray:
    """round(values · one) half up, as int64: the one rounding rule of the engine."""
    return np.floor(np.asarray(values, dtype=np.float64) * one + 0.5).astype(np.int64)


def _column(values: Any, n: int, name: str, default: int, low: int, high: int) -> IntArray:
    """An int64 column of length n (default when None), every value in [low, high]."""
    if values is None:
        return np.full(n, default, np.int64)
    out = np.asarray(values)
    if out.shape != (n,):
        raise ValueError(f"{name} must have one value per row ({n})")
    if out.dtype.kind == "f" and not np.array_equal(out, np.round(out)):
        raise ValueError(f"{name} must hold integers")
    out = out.astype(np.int64)
    if n and (out.min() < low or out.max() > high):
        raise ValueError(f"{name} must lie in [{low}, {high}]")
    return out


def _flags(values: Any, n: int, name: str) -> BoolArray:
    """A boolean column of length n."""
    out = np.asarray(values, dtype=bool)
    if out.shape != (n,):
        raise ValueError(f"{name} must have one value per row ({n})")
    return out


def _csr(indptr: Any, skills: Any, n: int, n_skills: int, what: str) -> tuple[IntArray, IntArray]:
    """A validated CSR row pointer and column array."""
    ptr = np.asarray(indptr, dtype=np.int64)
    cols = np.asarray(skills, dtype=np.int64)
    if ptr.shape != (n + 1,) or ptr[0] != 0 or ptr[-1] != len(cols) or (np.diff(ptr) < 0).any():
        raise ValueError(f"{what}: skill_indptr must be a CSR row pointer over skills")
    if len(cols) and (cols.min() < 0 or cols.max() >= n_skills):
        raise ValueError(f"{what}: skills must lie in [0, n_skills)")
    return ptr, cols


def _ids(values: Any, n: int, what: str) -> IntArray:
    """Unique int64 ids, one per row."""
    ids = _column(values, n, f"{what} ids", 0, -(2**63), 2**63 - 1)
    if len(np.unique(ids)) != n:
        raise ValueError(f"{what} ids must be unique")
    return ids


def _chunks(seg_start: IntArray, column: IntArray, flagged: BoolArray) -> tuple[IntArray, IntArray, int]:
    """Chunks of at most CHUNK items inside each segment: (starts + end, governorate column, unflagged count).

    Flagged segments (closed to non-Jordanians; seekers needing a permit) come last in index order, so the
    chunks a constrained query may see are a prefix.
    """
    starts = [np.arange(a, b, kern.CHUNK) for a, b in zip(seg_start[:-1], seg_start[1:], strict=True)]
    start = np.concatenate([*starts, np.zeros(0, np.int64)]).astype(np.int64)
    n_unflagged = int((~flagged[start]).sum()) if len(start) else 0
    col = column[start].astype(np.int64) if len(start) else np.zeros(0, np.int64)
    return np.append(start, seg_start[-1]).astype(np.int64), col, n_unflagged


def _compact(values: IntArray) -> Any:
    """Posting weights as uint16 when they fit (half the bytes to stream), else int32."""
    if len(values) == 0 or values.max() < 2**16:
        return values.astype(np.uint16)
    return values.astype(np.int32)


class MatchIndex:
    """Everything the kernels need, built once from seekers, opportunities and the taxonomy.

    Opportunities are kept in *index order*: active ones only, grouped by (closed to non-Jordanians,
    governorate column — remote last), by id within a group. Postings are keyed by (required skill, minimum
    level) and list opportunity positions in index order, so the part open to seekers needing a work permit is
    each list's head. The seeker-side postings used by ``top_candidates`` are built on first use.
    """

    def __init__(
        self,
        seekers: Seekers,
        opportunities: Opportunities,
        *,
        n_skills: int,
        proximity: Any,
        weights: Weights,
        related: Any = None,
        work_permit_exceptions: Any = None,
    ) -> None:
        weights.validate()
        self.weights = weights
        self.n_skills = int(n_skills)
        prox = np.asarray(proximity, dtype=np.float64)
        if prox.ndim != 2 or prox.shape[0] != prox.shape[1] or prox.shape[0] < 1:
            raise ValueError("proximity must be a square matrix, one row and column per governorate")
        if not ((prox >= 0) & (prox <= 1)).all():
            raise ValueError("proximity values must lie in [0, 1]")
        self.governorates = prox.shape[0]
        self.seekers, self.opportunities = seekers, opportunities
        self._tables(prox)
        self._relations(related)
        self._seekers(seekers)
        self._opportunities(opportunities)
        self._check_localities()
        self._postings()
        self._exceptions(work_permit_exceptions)
        self._reverse: dict[str, Any] | None = None

    # -- tables ------------------------------------------------------------------------------------------
    def _tables(self, prox: FloatArray) -> None:
        w, g = self.weights, self.governorates
        self.locq = np.zeros(
            (g + 1, g + 1), np.int64
        )  # row: seeker governorate (g: unknown); column g: remote
        self.locq[:g, :g] = quantize(w.location * prox, UNIT)
        self.locq[:, g] = quantize(w.location * w.remote, UNIT)
        levels = np.arange(LEVELS)
        below = np.maximum(0, levels[None, :] - levels[:, None])  # [p, m]: levels short of the minimum
        self.gq = quantize(w.proficiency_shortfall**below, kern.CREDIT_ONE)
        edu = np.arange(MAX_EDUCATION + 1)
        short = np.maximum(0, edu[None, :] - edu[:, None])
        self.eduq = quantize(w.education * w.education_shortfall**short, UNIT)
        prm = np.zeros(kern.P_SIZE, np.int64)
        prm[kern.P_LOCALITY] = quantize(w.location, UNIT)
        language, availability, accessibility = (
            quantize(x, UNIT) for x in (w.language, w.availability, w.accessibility)
        )
        prm[kern.P_REST] = language + availability + self.eduq.max() + accessibility
        self.prm = prm
        # ⌊units · m / n⌋ for n required languages (accessibility needs) of which m are met; full when n = 0
        n = np.arange(MASK_BITS + 1)[:, None]
        m = np.arange(MASK_BITS + 1)[None, :]
        self.fracq = np.stack(
            [np.where(n == 0, units, units * m // np.maximum(n, 1)) for units in (language, accessibility)]
        )
        horizon = w.availability_horizon_days
        late = np.arange(horizon + 1)
        self.availq = np.where(late == 0, availability, availability * (horizon - late) // horizon).astype(
            np.int64
        )

    def _relations(self, related: Any) -> None:
        """Relation rows by the seeker's skill: (required skill it meets, quantized discount)."""
        k = self.n_skills
        if related is None:
            coo = sparse.coo_matrix((k, k))
        else:
            coo = sparse.coo_matrix(related)
            if coo.shape != (k, k):
                raise ValueError("related must be an n_skills × n_skills matrix")
            coo.sum_duplicates()
        d = np.asarray(coo.data, dtype=np.float64)
        if ((d <= 0) | (d >= 1)).any():
            raise ValueError("related-skill discounts must lie strictly between 0 and 1")
        if (quantize(d, kern.CREDIT_ONE) < 1).any():
            raise ValueError("related-skill discounts must be at least 1/4096")
        if (coo.row == coo.col).any():
            raise ValueError("a skill cannot be related to itself")
        by_source = sparse.csr_matrix((quantize(d, kern.CREDIT_ONE), (coo.col, coo.row)), shape=(k, k))
        by_source.sort_indices()
        self.rel_indptr = by_source.indptr.astype(np.int64)
        self.rel_target = by_source.indices.astype(np.int64)
        self.rel_fq = by_source.data.astype(np.int64)

    def _seekers(self, s: Seekers) -> None:
        n, g = len(s.ids), self.governorates
        self.s_id = _ids(s.ids, n, "seeker")
        self.s_indptr, self.s_skill = _csr(s.skill_indptr, s.skills, n, self.n_skills, "seekers")
        self.s_prof = _column(s.proficiency, len(self.s_skill), "proficiency", 0, 1, MAX_LEVEL)
        gov = _column(s.governorate, n, "seeker governorate", 0, -1, g - 1)
        attr = np.empty((n, 7), np.int64)
        attr[:, 0] = np.where(gov < 0, g, gov)
        attr[:, 1] = _column(s.locality, n, "seeker locality", -1, -1, 2**62)
        attr[:, 2] = _column(s.languages, n, "seeker languages", 0, 0, 2**MASK_BITS - 1)
        attr[:, 3] = _column(s.available_from, n, "available_from", EARLIEST, EARLIEST, LATEST)
        attr[:, 4] = _column(s.education, n, "education", 0, 0, MAX_EDUCATION)
        attr[:, 5] = _column(s.accessibility_needs, n, "accessibility_needs", 0, 0, 2**MASK_BITS - 1)
        self.s_permit = _flags(s.needs_work_permit, n, "needs_work_permit")
        self.s_consent = _flags(s.matching_consent, n, "matching_consent")
        attr[:, 6] = self.s_permit
        self.s_attr = attr

    def _opportunities(self, o: Opportunities) -> None:
        n, g = len(o.ids), self.governorates
        self.o_id_all = _ids(o.ids, n, "opportunity")
        self.req_indptr, skills = _csr(o.skill_indptr, o.skills, n, self.n_skills, "opportunities")
        importance = np.asarray(o.importance, dtype=np.float64)
        if importance.shape != skills.shape or not (np.isfinite(importance) & (importance > 0)).all():
            raise ValueError("importance must be positive and finite, one per required skill")
        minimum = _column(o.min_proficiency, len(skills), "min_proficiency", 0, 0, MAX_LEVEL)
        rows = np.repeat(np.arange(n), np.diff(self.req_indptr))
        pairs = rows * self.n_skills + skills
        if len(np.unique(pairs)) != len(pairs):
            raise ValueError("an opportunity lists the same required skill twice")
        totals = np.bincount(rows, weights=importance, minlength=n)
        self.req_key = skills * LEVELS + minimum
        self.req_val = quantize(self.weights.skills * importance / totals[rows], 1 << WEIGHT_BITS)
        remote = _flags(o.remote, n, "remote")
        self.o_active = _flags(o.active, n, "active")
        self.o_closed_all = _flags(o.closed_to_non_jordanians, n, "closed_to_non_jordanians")
        gov = _column(o.governorate, n, "opportunity governorate", 0, -1, g - 1)
        if (gov[~remote] < 0).any():
            raise ValueError("an opportunity that is not remote needs a governorate")
        attr = np.empty((n, 6), np.int64)
        attr[:, 0] = np.where(remote, g, gov)
        attr[:, 1] = np.where(remote, -1, _column(o.locality, n, "opportunity locality", -1, -1, 2**62))
        attr[:, 2] = _column(o.languages, n, "opportunity languages", 0, 0, 2**MASK_BITS - 1)
        attr[:, 3] = _column(o.start, n, "start", LATEST, EARLIEST, LATEST)
        attr[:, 4] = _column(o.min_education, n, "min_education", 0, 0, MAX_EDUCATION)
        attr[:, 5] = _column(o.accessibility, n, "opportunity accessibility", 0, 0, 2**MASK_BITS - 1)
        self.o_attr_all = attr
        # index order: active only, by (closed, governorate column, id)
        active = np.flatnonzero(self.o_active)
        order = active[np.lexsort((self.o_id_all[active], attr[active, 0], self.o_closed_all[active]))]
        self.o_orig = order.astype(np.int64)
        self.o_pos = np.full(n, -1, np.int64)
        self.o_pos[order] = np.arange(len(order))
        self.o_attr = np.ascontiguousarray(attr[order])
        self.o_id = self.o_id_all[order]
        self.o_closed = self.o_closed_all[order]
        self.n_open = int((~self.o_closed).sum())
        group = self.o_closed.astype(np.int64) * (g + 1) + self.o_attr[:, 0]
        cut = np.flatnonzero(np.diff(group)) + 1 if len(group) else np.zeros(0, np.int64)
        self.seg_start = np.concatenate(([0], cut, [len(group)])).astype(np.int64)
        self.chunks = _chunks(self.seg_start, self.o_attr[:, 0], self.o_closed)

    def _check_localities(self) -> None:
        """Refuse a locality that appears under two governorates (the location bound relies on it)."""
        g = self.governorates
        loc = np.concatenate((self.s_attr[:, 1], self.o_attr_all[:, 1]))
        gov = np.concatenate((self.s_attr[:, 0], self.o_attr_all[:, 0]))
        keep = loc >= 0
        if (gov[keep] >= g).any():
            raise ValueError("a seeker with a locality needs a governorate")
        pairs = np.unique(np.stack((loc[keep], gov[keep])), axis=1)
        if pairs.shape[1] != len(np.unique(loc[keep])):
            raise ValueError("a locality must lie in one governorate")

    def _postings(self) -> None:
        """Requirements of the active opportunities in index order, and the postings by key."""
        counts = np.diff(self.req_indptr)[self.o_orig]
        self.o_req_indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        total = int(self.o_req_indptr[-1])
        take = np.repeat(self.req_indptr[self.o_orig] - self.o_req_indptr[:-1], counts) + np.arange(total)
        self.o_req_key = self.req_key[take]
        self.o_req_val = self.req_val[take]
        pos = np.repeat(np.arange(len(self.o_orig)), counts)
        n_keys = self.n_skills * LEVELS
        by_key = np.argsort(self.o_req_key, kind="stable")  # positions stay ascending within a key
        indptr = np.concatenate(([0], np.cumsum(np.bincount(self.o_req_key, minlength=n_keys)))).astype(
            np.int64
        )
        self.key_ptr, self.post_gap, src, self.key_open_end = kern.gap_encode(
            indptr, pos[by_key], self.n_open
        )
        self.post_val = _compact(np.where(src >= 0, self.o_req_val[by_key][src], 0))

    def _exceptions(self, pairs: Any) -> None:
        """Work-permit exceptions that matter: active closed opportunities, seekers who need a permit."""
        n_s = len(self.s_id)
        arr = (
            np.zeros((0, 2), np.int64) if pairs is None else np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        )
        if len(arr) and (
            arr[:, 0].min() < 0
            or arr[:, 0].max() >= n_s
            or arr[:, 1].min() < 0
            or arr[:, 1].max() >= len(self.o_pos)
        ):
            raise ValueError("work_permit_exceptions must hold (seeker index, opportunity index) pairs")
        arr = np.unique(arr, axis=0)
        self.exception_pairs = {(int(s), int(o)) for s, o in arr}
        keep = self.s_permit[arr[:, 0]] & self.o_active[arr[:, 1]] & self.o_closed_all[arr[:, 1]]
        arr = arr[keep]
        self.exc_indptr = np.concatenate(([0], np.cumsum(np.bincount(arr[:, 0], minlength=n_s)))).astype(
            np.int64
        )
        self.exc_pos = self.o_pos[arr[:, 1]].astype(np.int64)  # sorted by seeker (np.unique sorted the pairs)
        self.exc_arr = arr

    # -- seeker-side postings for top_candidates ------------------------------------------------------------
    def reverse_index(self) -> dict[str, Any]:
        """Consenting seekers in index order (needs permit, governorate, id) and their postings by skill."""
        if self._reverse is not None:
            return self._reverse
        g = self.governorates
        consenting = np.flatnonzero(self.s_consent)
        attr = self.s_attr[consenting]
        order = consenting[np.lexsort((self.s_id[consenting], attr[:, 0], self.s_permit[consenting]))]
        permit = self.s_permit[order]
        indptr, item, cred = kern.seeker_postings(
            order, self.seekers_tuple(), self.taxonomy_tuple(), self.n_skills
        )
        ptr, gap, src, free = kern.gap_encode(indptr, item, int((~permit).sum()))
        del item
        cred = cred[:, np.maximum(src, 0)]
        cred[:, src < 0] = 0  # fillers add nothing
        del src
        rs_attr = np.ascontiguousarray(self.s_attr[order])
        group = permit.astype(np.int64) * (g + 1) + rs_attr[:, 0]
        cut = np.flatnonzero(np.diff(group)) + 1 if len(group) else np.zeros(0, np.int64)
        start = np.concatenate(([0], cut, [len(group)])).astype(np.int64)
        spos = np.full(len(self.s_id), -1, np.int64)
        spos[order] = np.arange(len(order))
        exc = self.exc_arr[spos[self.exc_arr[:, 0]] >= 0]
        exc = exc[np.lexsort((spos[exc[:, 0]], self.o_pos[exc[:, 1]]))]
        n_o = len(self.o_orig)
        skill = [self.skill_units(int(s), int(o)) for s, o in exc]  # few: exceptions are individual decisions
        self._reverse = {
            "postings": (ptr, free, gap, cred),
            "candidates": (rs_attr, self.s_id[order], order.astype(np.int64)),
            "chunks": _chunks(start, rs_attr[:, 0], permit),
            "exceptions": (
                np.concatenate(([0], np.cumsum(np.bincount(self.o_pos[exc[:, 1]], minlength=n_o)))).astype(
                    np.int64
                ),
                spos[exc[:, 0]].astype(np.int64),
                np.array(skill, dtype=np.int64),
            ),
        }
        return self._reverse

    def seekers_tuple(self) -> tuple[Any, ...]:
        """The seeker arrays the passes read."""
        return (self.s_indptr, self.s_skill, self.s_prof, self.s_attr)

    def taxonomy_tuple(self) -> tuple[Any, ...]:
        """Relation rows by the seeker's skill and the proficiency credit table."""
        return (self.rel_indptr, self.rel_target, self.rel_fq, self.gq)

    def opps_tuple(self) -> tuple[Any, ...]:
        """The opportunity arrays in index order."""
        return (self.o_attr, self.o_id, self.o_orig, self.o_req_indptr, self.o_req_key, self.o_req_val)

    def tables(self) -> tuple[Any, ...]:
        """The lookup tables of the non-skill terms and the parameter vector (see ``other_terms``)."""
        return (self.locq, self.eduq, self.prm, self.fracq, self.availq)

    def skill_units(self, seeker: int, opportunity: int) -> int:
        """The skills term of one pair in units (opportunity: index into the opportunities, active or not)."""
        return int(
            kern.pair_skill_units(
                seeker, opportunity, self.s_indptr, self.s_skill, self.s_prof,
                self.rel_indptr, self.rel_target, self.rel_fq, self.gq,
                self.req_indptr, self.req_key, self.req_val,
            )
        )  # fmt: skip
