"""Fairness audit of recommendation or shortlist lists: rates by group and the 80% rule (pure function)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class GroupRate:
    """How often one group's members appear in the lists, against the best-served group of the same attribute."""

    attribute: str  # e.g. "sex", "status", "disability", "governorate"
    group: str
    members: int  # seekers of the group in the pool
    recommended: int  # of them, how many appear in at least one list
    rate: float  # recommended / members
    ratio: float  # rate / the highest rate among the attribute's groups (1.0 when no one is recommended)
    flagged: bool  # ratio below the threshold (the four-fifths rule at 0.8)


def fairness_audit(
    lists: Any,
    groups: Mapping[str, Sequence[Any] | np.ndarray],
    *,
    pool: Any = None,
    threshold: float = 0.8,
    min_members: int = 1,
) -> tuple[GroupRate, ...]:
    """Recommendation rates by group for each attribute, flagging groups below threshold × the best group's rate.

    lists: seeker indices per list (rows of ``TopK.items`` from ``top_candidates``, a shortlist, or any
    sequence of sequences), -1 for padding; audit one opportunity by passing its list alone. groups: per
    attribute, one label per seeker (None: not counted for that attribute). pool: boolean mask of the seekers
    who could have been recommended (all by default). Groups with fewer than min_members members get a rate
    but are neither flagged nor used as the best group.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError("threshold must lie in (0, 1]")
    sizes = {len(labels) for labels in groups.values()}
    if len(sizes) > 1:
        raise ValueError("every attribute needs one label per seeker")
    n = sizes.pop() if sizes else 0
    in_pool = np.ones(n, bool) if pool is None else np.asarray(pool, dtype=bool)
    if in_pool.shape != (n,):
        raise ValueError("pool must have one value per seeker")
    rows = [np.asarray(row, dtype=np.int64).ravel() for row in lists]
    flat = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    flat = flat[flat >= 0]
    if len(flat) and flat.max() >= n:
        raise ValueError("lists hold seeker indices")
    hit = np.zeros(n, bool)
    hit[flat] = True
    hit &= in_pool
    out: list[GroupRate] = []
    for attribute, labels in groups.items():
        values = np.array(["" if v is None else str(v) for v in labels], dtype=object)
        counted = in_pool & np.array([v is not None for v in labels], dtype=bool)
        names, inverse = np.unique(values[counted].astype(str), return_inverse=True)
        members = np.bincount(inverse, minlength=len(names))
        recommended = np.bincount(inverse, weights=hit[counted], minlength=len(names)).astype(np.int64)
        rates = recommended / np.maximum(members, 1)
        big = members >= min_members
        best = float(rates[big].max()) if big.any() else 0.0
        for name, m, r, rate, ok in zip(names.tolist(), members, recommended, rates, big, strict=True):
            ratio = float(rate) / best if best > 0 else 1.0
            out.append(
                GroupRate(attribute, name, int(m), int(r), float(rate), ratio, bool(ok and ratio < threshold))
            )
    return tuple(out)
