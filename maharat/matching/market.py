"""How registry values become the engine's numbers: governorates and distances, languages, education, needs.

Everything a deployment may want to tune is read from settings with a default here:
``MATCHING_WEIGHTS`` (a dict of ``engine.Weights`` fields), ``MATCHING_K`` (list length, default 20),
``MATCHING_RELATED_DISCOUNTS`` (credit when a narrower skill meets its broader requirement, and the reverse).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
from django.conf import settings

from maharat.core.geography import GOVERNORATES
from maharat.matching.engine_types import Weights
from maharat.people.choices import EducationLevel, Language

# Approximate centres (latitude, longitude) of the governorates, by code: the location term's proximity.
CENTRES: dict[str, tuple[float, float]] = {
    "AM": (31.95, 35.93),
    "BA": (32.04, 35.73),
    "ZA": (32.07, 36.09),
    "MD": (31.72, 35.79),
    "IR": (32.55, 35.85),
    "MA": (32.34, 36.21),
    "JA": (32.28, 35.90),
    "AJ": (32.33, 35.75),
    "KA": (31.18, 35.70),
    "TA": (30.84, 35.60),
    "MN": (30.19, 35.73),
    "AQ": (29.53, 35.01),
}
GOVERNORATE_CODES: tuple[str, ...] = tuple(code for code, *_rest in GOVERNORATES)
SAME_GOVERNORATE = 0.8  # location credit within a governorate but another locality
COMMUTE_KM = 150.0  # road distance at which the location credit reaches zero

LANGUAGE_BITS: dict[str, int] = {code: bit for bit, code in enumerate(Language.values)}
EDUCATION_RANK: dict[str, int] = {code: rank for rank, code in enumerate(EducationLevel.values)}
# Washington Group domains, in the order of their accessibility bits.
NEED_FIELDS = ("wg_seeing", "wg_hearing", "wg_walking", "wg_cognition", "wg_selfcare", "wg_communication")
A_LOT = 3  # "a lot of difficulty" or worse: the Washington Group cut-off for a disability


def proximity_matrix() -> np.ndarray:
    """Location credit between governorates: SAME_GOVERNORATE within one, falling with road distance."""
    lat = np.radians([CENTRES[c][0] for c in GOVERNORATE_CODES])
    lon = np.radians([CENTRES[c][1] for c in GOVERNORATE_CODES])
    a = (
        np.sin((lat[:, None] - lat[None, :]) / 2) ** 2
        + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin((lon[:, None] - lon[None, :]) / 2) ** 2
    )
    km = 1.3 * 2 * 6371 * np.arcsin(np.sqrt(a))  # roads run about 1.3 times the straight line
    prox = SAME_GOVERNORATE * np.clip(1 - km / COMMUTE_KM, 0, 1)
    np.fill_diagonal(prox, SAME_GOVERNORATE)
    return np.round(prox, 3)


def language_mask(codes: Any) -> int:
    """Bit mask of a list of language codes (unknown codes count as "other")."""
    mask = 0
    for code in codes or ():
        mask |= 1 << LANGUAGE_BITS.get(str(code), LANGUAGE_BITS[Language.OTHER])
    return mask


def needs_mask(answers: Any) -> int:
    """Accessibility needs from the six Washington Group answers: a bit per domain with a lot of difficulty."""
    mask = 0
    for bit, answer in enumerate(answers):
        if answer is not None and answer >= A_LOT:
            mask |= 1 << bit
    return mask


def weights() -> Weights:
    """The score's weights: the engine's defaults, overridden by ``settings.MATCHING_WEIGHTS``."""
    chosen = Weights(**dict(getattr(settings, "MATCHING_WEIGHTS", {}) or {}))
    chosen.validate()
    return chosen


def weights_dict(chosen: Weights) -> dict[str, Any]:
    """The weights as JSON-ready values, kept with each run."""
    return dataclasses.asdict(chosen)


def list_length() -> int:
    """How many opportunities each person gets, and candidates each opportunity (``MATCHING_K``)."""
    return max(1, int(getattr(settings, "MATCHING_K", 20)))


def related_discounts() -> tuple[float, float]:
    """(narrower meets broader, broader meets narrower) credit; 0 switches a direction off."""
    up, down = getattr(settings, "MATCHING_RELATED_DISCOUNTS", (0.8, 0.5))
    for value in (up, down):
        if not (0.0 <= float(value) < 1.0) or math.isnan(float(value)):
            raise ValueError("related-skill discounts must lie in [0, 1)")
    return float(up), float(down)
