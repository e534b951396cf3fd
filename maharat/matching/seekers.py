"""Seekers from the registry, in bulk: the engine's arrays, plus the labels the fairness audit groups by.

Who is a seeker: an active person (not merged, not anonymized) who is not "not looking for work" and holds a
valid consent for programme services (registration) or for showing their profile to employers (matching).
Only the second makes them a *candidate* that employers may be shown (``matching_consent``); the first is
enough to compute their own recommendations, which disclose nothing about them.

Rows are read with ``values_list(...).iterator()`` and turned into numpy arrays: no model instance is built
per person, so a national registry loads in seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Exists, OuterRef, Q
from scipy import sparse

from maharat.core.models import Governorate
from maharat.core.text import normalize_text
from maharat.matching.engine_types import Seekers
from maharat.matching.market import (
    EDUCATION_RANK,
    GOVERNORATE_CODES,
    NEED_FIELDS,
    language_mask,
    needs_mask,
    related_discounts,
)
from maharat.opportunities.work_rights import is_jordanian
from maharat.people.choices import ConsentPurpose, EmploymentStatus
from maharat.people.models import Consent, Person, valid_consent_q
from maharat.skills.models import PersonSkill, Skill

ITERATOR_CHUNK = 10_000


@dataclass
class Taxonomy:
    """Skill ids in dense engine order, and the related-skill matrix from the broader/narrower links."""

    skill_ids: np.ndarray  # sorted database ids; engine skill i is skill_ids[i]
    related: sparse.coo_matrix

    @property
    def n_skills(self) -> int:
        """How many skills the engine indexes."""
        return len(self.skill_ids)

    def index_of(self, ids: Iterable[int] | np.ndarray) -> np.ndarray:
        """Engine indices of database skill ids (every id must exist)."""
        return np.searchsorted(
            self.skill_ids, np.asarray(list(ids) if not isinstance(ids, np.ndarray) else ids)
        )


def load_taxonomy() -> Taxonomy:
    """Every skill, and the discounts at which a narrower skill meets its broader one (and the reverse)."""
    rows = np.array(list(Skill.objects.values_list("pk", "broader_id").order_by("pk")), dtype=object)
    ids = np.array([r[0] for r in rows], dtype=np.int64) if len(rows) else np.zeros(0, np.int64)
    links = [(int(a), int(b)) for a, b in rows if b is not None] if len(rows) else []
    up, down = related_discounts()
    r: list[int] = []
    c: list[int] = []
    d: list[float] = []
    if links:
        narrow = np.searchsorted(ids, [a for a, _b in links])
        broad = np.searchsorted(ids, [b for _a, b in links])
        if up > 0:  # holding the narrower skill meets a requirement of the broader one
            r.extend(broad.tolist())
            c.extend(narrow.tolist())
            d.extend([up] * len(links))
        if down > 0:
            r.extend(narrow.tolist())
            c.extend(broad.tolist())
            d.extend([down] * len(links))
    n = len(ids)
    related = sparse.coo_matrix((d, (r, c)), shape=(n, n))
    return Taxonomy(ids, related)


@dataclass
class Localities:
    """Global locality ids, one per (governorate, locality name as normalized): a locality lies in one governorate."""

    ids: dict[tuple[int, str], int] = field(default_factory=dict)

    def of(self, governorate: int, name: str) -> int:
        """The id of a locality (-1 when unnamed or the governorate is unknown)."""
        key = normalize_text(name or "")
        if not key or governorate < 0:
            return -1
        return self.ids.setdefault((governorate, key), len(self.ids))


@dataclass
class SeekerTable:
    """The engine's seekers and, row by row, what the Django side needs back: ids and audit labels."""

    seekers: Seekers
    person_ids: np.ndarray
    sex: list[str]
    nationality: list[str]
    status: list[str]
    disability: list[str]
    governorate: list[str]

    def __len__(self) -> int:
        return len(self.person_ids)

    def row_of(self) -> dict[int, int]:
        """Person id → row."""
        return {int(p): i for i, p in enumerate(self.person_ids.tolist())}


def governorate_indices() -> dict[int, int]:
    """Governorate primary key → engine column (the order of ``GOVERNORATE_CODES``)."""
    order = {code: i for i, code in enumerate(GOVERNORATE_CODES)}
    return {pk: order[code] for pk, code in Governorate.objects.values_list("pk", "code") if code in order}


def seeker_people(person_ids: Iterable[int] | None = None) -> tuple[Q, Exists]:
    """The filter of the seeker pool and the expression of matching consent."""
    services = Exists(
        Consent.objects.filter(person=OuterRef("pk")).filter(
            valid_consent_q(ConsentPurpose.REGISTRATION) | valid_consent_q(ConsentPurpose.MATCHING)
        )
    )
    matching = Exists(
        Consent.objects.filter(person=OuterRef("pk")).filter(valid_consent_q(ConsentPurpose.MATCHING))
    )
    condition = Q(services) & ~Q(employment_status=EmploymentStatus.INACTIVE)
    if person_ids is not None:
        condition &= Q(pk__in=list(person_ids))
    return condition, matching


def load_seekers(
    taxonomy: Taxonomy, localities: Localities, person_ids: Iterable[int] | None = None
) -> SeekerTable:
    """The seeker pool (or the named people among it) as engine arrays, ordered by person id."""
    condition, matching = seeker_people(person_ids)
    gov_index = governorate_indices()
    gov_code = dict(Governorate.objects.values_list("pk", "code"))
    rows = (
        Person.objects.active()
        .filter(condition)
        .annotate(matching_ok=matching)
        .order_by("pk")
        .values_list(
            "pk",
            "governorate_id",
            "locality",
            "languages",
            "education_level",
            "nationality",
            "sex",
            "legal_status",
            "has_disability",
            "matching_ok",
            *NEED_FIELDS,
        )  # fmt: skip
    )
    ids: list[int] = []
    gov: list[int] = []
    loc: list[int] = []
    langs: list[int] = []
    edu: list[int] = []
    permit: list[bool] = []
    consent: list[bool] = []
    needs: list[int] = []
    sex: list[str] = []
    nations: list[str] = []
    status: list[str] = []
    disability: list[str] = []
    gov_labels: list[str] = []
    for row in rows.iterator(chunk_size=ITERATOR_CHUNK):
        pk, gov_id, locality, languages, education, nationality, sx, legal, disabled, ok = row[:10]
        g = gov_index.get(gov_id, -1)
        ids.append(pk)
        gov.append(g)
        loc.append(localities.of(g, locality))
        langs.append(language_mask(languages))
        edu.append(EDUCATION_RANK.get(education or "", 0))
        permit.append(not is_jordanian(nationality, legal))
        consent.append(bool(ok))
        needs.append(needs_mask(row[10:]))
        sex.append(sx)
        nations.append(nationality)
        status.append(legal)
        disability.append("yes" if disabled else "no")
        gov_labels.append(gov_code.get(gov_id, ""))
    person_ids = np.asarray(ids, dtype=np.int64)
    indptr, skills, proficiency = _skills(taxonomy, person_ids)
    seekers = Seekers(
        ids=person_ids,
        skill_indptr=indptr,
        skills=skills,
        proficiency=proficiency,
        governorate=np.asarray(gov, dtype=np.int64),
        needs_work_permit=np.asarray(permit, dtype=bool),
        matching_consent=np.asarray(consent, dtype=bool),
        locality=np.asarray(loc, dtype=np.int64),
        languages=np.asarray(langs, dtype=np.int64),
        education=np.asarray(edu, dtype=np.int64),
        accessibility_needs=np.asarray(needs, dtype=np.int64),
    )
    return SeekerTable(seekers, person_ids, sex, nations, status, disability, gov_labels)


def _skills(taxonomy: Taxonomy, person_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pool's skills in CSR form (rows follow person_ids), read in one ordered pass."""
    held = PersonSkill.objects.order_by("person_id", "skill_id").values_list(
        "person_id", "skill_id", "proficiency"
    )
    if len(person_ids) < ITERATOR_CHUNK:
        held = held.filter(person_id__in=person_ids.tolist())
    data = np.array(list(held.iterator(chunk_size=ITERATOR_CHUNK)), dtype=np.int64).reshape(-1, 3)
    data = data[np.isin(data[:, 0], person_ids)]
    rows = np.searchsorted(person_ids, data[:, 0])
    counts = np.bincount(rows, minlength=len(person_ids))
    indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    return indptr, taxonomy.index_of(data[:, 1]).astype(np.int64), data[:, 2].astype(np.int64)
