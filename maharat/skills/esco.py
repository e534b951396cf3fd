"""Import ESCO (the EU's classification of skills and occupations) from a folder of CSV files.

Two formats are read, detected per file from its header (not its name):

* ESCO's own download (``ISCOGroups_en.csv``, ``occupations_en.csv``, ``skills_en.csv``, the skill
  collections, ``skillGroups_en.csv``, ``skillsHierarchy_en.csv``, ``broaderRelations*Pillar.csv``,
  ``occupationSkillRelations.csv``), linked by concept URI;
* Tabiya's cleaned ESCO (``ISCOGroups.csv``, ``occupations.csv``, ``skills.csv``, ``skillGroups.csv``,
  ``occupations_hierarchy.csv``, ``skills_hierarchy.csv``, ``occupation_skill_relations.csv``), linked by
  Tabiya's row IDs, which mean something only inside one folder.

Every file is parsed and checked before anything is written; then ISCO groups, occupations, skill groups and
skills, the hierarchy and the occupation–skill relations are written in one transaction, in bulk, comparing
with what is stored so that a second run changes nothing. Rows are matched by ESCO URI (ISCO groups also by
code, so Maharat's curated ISCO groups gain their URI). Imports fill fields and never blank them.

Decisions:

* ESCO skill groups become ``Skill`` rows with ``skill_type == SKILL_GROUP_TYPE`` so that ``Skill.broader``
  holds the whole ESCO hierarchy (a skill's broader concept is usually a group); user-facing lists should
  exclude them.
* A skill listed under several broader concepts gets the first one that exists, concepts of ESCO's skills
  pillar before ISCED-F fields of education; an occupation without a broader relation goes under its ISCO
  unit group, an ISCO group under the group whose code is one digit shorter.
* A curated skill (``curated=True``) keeps its code, labels and group: ESCO only adds its description, type,
  reuse level, broader concept and, when it has none, English synonyms. An occupation with an Arabic label
  is Maharat's own: ESCO does not change its code or English label.
* Relations are added or their type changed, never deleted; a relation naming an unknown occupation or skill
  is counted and skipped. Skill-to-skill relations, green-share tables and occupation collections are
  recognized and left out: Maharat has nowhere to keep them.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maharat.skills.models import Occupation, OccupationSkill, Skill, SkillGroup

__all__ = [
    "SKILL_GROUP_TYPE",
    "Counts",
    "EscoImportError",
    "EscoImportResult",
    "Progress",
    "import_folder",
    "skill_code",
]

Progress = Callable[[str, int, int], None]
"""Told the stage, how much of it is done and its total."""

SKILL_GROUP_TYPE = "skillgroup"

ISCO, OCCUPATION, SKILL_GROUPS, SKILLS = "isco", "occupation", "skillgroup", "skill"
_ESCO_BASE = "http://data.europa.eu/esco/"
_SKILL_BASE = _ESCO_BASE + "skill/"
_ISCED_F = _ESCO_BASE + "isced-f/"
_BATCH = 2000
_MAX_ERRORS = 200
_ALT_SPLIT = re.compile(r"\s*\n\s*|\s+\|\s+")
_ISCO_CODE = re.compile(r"^\d{1,4}$")
_LEADING_DIGITS = re.compile(r"^\d{1,4}")
# Names of the files ESCO and Tabiya publish: such a file with a header we do not know is an error, not noise.
_DATA_FILE_NAME = re.compile(
    r"^(skills|occupations|iscogroups|skillgroups|skillshierarchy|broaderrelations\w*|\w*relations"
    r"|\w*_hierarchy|\w*collection)(_[a-z]{2})?$",
    re.IGNORECASE,
)
_ESCO_TYPES = {
    "iscogroup": ISCO,
    "occupation": OCCUPATION,
    "skillgroup": SKILL_GROUPS,
    "knowledgeskillcompetence": SKILLS,
}
_TABIYA_TYPES = {
    "iscogroup": ISCO,
    "escooccupation": OCCUPATION,
    "localoccupation": OCCUPATION,
    "occupation": OCCUPATION,
    "skillgroup": SKILL_GROUPS,
    "skill": SKILLS,
}
_RELATIONS = {r.value: r.value for r in OccupationSkill.Relation}


class EscoImportError(Exception):
    """The folder cannot be imported; ``errors`` says why, file by file and row by row."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class Counts:
    """Rows created, updated and found already as they should be."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class EscoImportResult:
    """What an import read, wrote and left out."""

    files: list[tuple[str, str, int]] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)
    isco_groups: Counts = field(default_factory=Counts)
    occupations: Counts = field(default_factory=Counts)
    skill_groups: Counts = field(default_factory=Counts)
    skills: Counts = field(default_factory=Counts)
    hierarchy: Counts = field(default_factory=Counts)
    relations: Counts = field(default_factory=Counts)
    relations_unknown_occupation: int = 0
    relations_unknown_skill: int = 0
    links_unknown: int = 0
    dry_run: bool = False

    def tables(self) -> list[tuple[str, Counts]]:
        """The counts with their names, in the order they were written."""
        return [
            (_("ISCO groups"), self.isco_groups),
            (_("occupations"), self.occupations),
            (_("skill groups"), self.skill_groups),
            (_("skills"), self.skills),
            (_("broader links"), self.hierarchy),
            (_("occupation–skill relations"), self.relations),
        ]

    @property
    def created(self) -> int:
        """Rows created in all tables."""
        return sum(counts.created for _name, counts in self.tables())

    @property
    def updated(self) -> int:
        """Rows updated in all tables."""
        return sum(counts.updated for _name, counts in self.tables())

    @property
    def relations_skipped(self) -> int:
        """Relations left out because their occupation or skill is not known."""
        return self.relations_unknown_occupation + self.relations_unknown_skill


@dataclass
class Concept:
    """One ISCO group, occupation, skill group or skill as read from the files."""

    uri: str
    kind: str
    label: str
    alt: list[str] = field(default_factory=list)
    description: str = ""
    code: str = ""
    isco: str = ""
    skill_type: str = ""
    reuse_level: str = ""

    def merge(self, other: Concept) -> None:
        """Fill what this one lacks from the same concept read in another file."""
        for name in ("label", "description", "code", "isco", "skill_type", "reuse_level"):
            if not getattr(self, name):
                setattr(self, name, getattr(other, name))
        self.alt = _unique([*self.alt, *other.alt])


@dataclass
class _State:
    """Everything parsed from a folder, before it is written."""

    concepts: dict[str, dict[str, Concept]] = field(
        default_factory=lambda: {ISCO: {}, OCCUPATION: {}, SKILL_GROUPS: {}, SKILLS: {}}
    )
    occupation_broader: dict[str, list[str]] = field(default_factory=dict)
    skill_broader: dict[str, list[str]] = field(default_factory=dict)
    relations: dict[tuple[str, str], str] = field(default_factory=dict)
    tabiya_ids: dict[str, str] = field(default_factory=dict)
    tabiya_links: list[tuple[str, str, str]] = field(default_factory=list)
    tabiya_relations: list[tuple[str, str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    result: EscoImportResult = field(default_factory=EscoImportResult)

    def error(self, name: str, row: int, message: str) -> None:
        """Record a row error."""
        self.errors.append(
            _("%(file)s, row %(row)d: %(message)s") % {"file": name, "row": row, "message": message}
        )

    def add(self, concept: Concept, name: str, row: int) -> None:
        """Keep a concept read from a file, checking what its kind requires."""
        if not concept.uri:
            return self.error(name, row, _("the row has no concept URI."))
        if len(concept.uri) > 200:
            return self.error(name, row, _("the concept URI is longer than 200 characters."))
        if not concept.label:
            return self.error(name, row, _("the concept has no preferred label."))
        if len(concept.label) > 300:
            return self.error(name, row, _("the preferred label is longer than 300 characters."))
        if concept.kind == ISCO and not _ISCO_CODE.match(concept.code):
            return self.error(
                name,
                row,
                _("“%(code)s” is not an ISCO-08 group code (1 to 4 digits).") % {"code": concept.code},
            )
        if concept.kind == OCCUPATION:
            concept.isco = concept.isco or _leading_digits(concept.code)
            if not concept.code or len(concept.code) > 40:
                return self.error(name, row, _("the occupation has no code of at most 40 characters."))
            if not _ISCO_CODE.match(concept.isco):
                return self.error(
                    name,
                    row,
                    _("“%(code)s” is not an ISCO-08 group code (1 to 4 digits).") % {"code": concept.isco},
                )
        concept.alt = [a for a in concept.alt if a.casefold() != concept.label.casefold()]
        kept = self.concepts[concept.kind].get(concept.uri)
        if kept is None:
            self.concepts[concept.kind][concept.uri] = concept
        else:
            kept.merge(concept)
        return None


# Reading files


def _split(value: str) -> list[str]:
    """Alternative labels: newline-separated in ESCO's main files, `` | ``-separated in its collections."""
    return _unique(part for part in _ALT_SPLIT.split(value) if part)


def _unique(values: Any) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def _leading_digits(code: str) -> str:
    match = _LEADING_DIGITS.match(code)
    return match.group(0) if match else ""


def _read_header(path: Path) -> list[str]:
    """The column names of a CSV file, lower-cased; empty when the file is empty."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first = next(csv.reader(handle), [])
    return [name.strip().lower() for name in first]


def _read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row with its number as a spreadsheet shows it (the header is row 1), values stripped."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [name.strip().lower() for name in next(reader, [])]
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            yield (
                number,
                {name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)},
            )


def _read_esco_concepts(state: _State, name: str, path: Path, header: set[str]) -> int:
    fallback = OCCUPATION if "iscogroup" in header else SKILLS if "skilltype" in header else None
    count = 0
    for number, row in _read_rows(path):
        count += 1
        uri = row.get("concepturi", "")
        given = row.get("concepttype", "")
        kind = _ESCO_TYPES.get(given.lower()) if given else _kind_from_uri(uri) or fallback
        if kind is None:
            message = _("unknown concept type “%(type)s”.") % {"type": given} if given else None
            state.error(
                name, number, message or _("the row has no conceptType and its URI does not tell it.")
            )
            continue
        concept = Concept(
            uri=uri,
            kind=kind,
            label=row.get("preferredlabel", ""),
            alt=_split(row.get("altlabels", "")),
            description=row.get("description", ""),
            code=row.get("code", ""),
            isco=row.get("iscogroup", ""),
            skill_type=row.get("skilltype", ""),
            reuse_level=row.get("reuselevel", ""),
        )
        state.add(concept, name, number)
        broader = [u.strip() for u in row.get("broaderconcepturi", "").split("|") if u.strip()]
        if broader and kind in (SKILLS, SKILL_GROUPS):
            state.skill_broader.setdefault(uri, []).extend(broader)
    return count


def _kind_from_uri(uri: str) -> str | None:
    if uri.startswith(_ESCO_BASE + "isco/"):
        return ISCO
    if uri.startswith(_ESCO_BASE + "occupation/"):
        return OCCUPATION
    if uri.startswith(_ISCED_F):
        return SKILL_GROUPS
    return None


def _read_esco_broader(state: _State, name: str, path: Path, header: set[str]) -> int:
    count = 0
    for number, row in _read_rows(path):
        count += 1
        child, parent = row.get("concepturi", ""), row.get("broaderuri", "")
        if not child or not parent:
            state.error(name, number, _("the row needs both a concept URI and a broader URI."))
            continue
        kind = _ESCO_TYPES.get(row.get("concepttype", "").lower()) or _kind_from_uri(child)
        target = state.occupation_broader if kind in (ISCO, OCCUPATION) else state.skill_broader
        target.setdefault(child, []).append(parent)
    return count


def _read_esco_hierarchy(state: _State, name: str, path: Path, header: set[str]) -> int:
    """``skillsHierarchy_en.csv``: each row is a path from a top concept down to level 3."""
    count = 0
    for number, row in _read_rows(path):
        count += 1
        path_uris = [
            (row.get(f"level {level} uri", ""), row.get(f"level {level} preferred term", ""))
            for level in range(4)
        ]
        path_uris = [(uri, term) for uri, term in path_uris if uri]
        for position, (uri, term) in enumerate(path_uris):
            last = position == len(path_uris) - 1
            description = row.get("description", "") if last else ""
            state.add(Concept(uri=uri, kind=SKILL_GROUPS, label=term, description=description), name, number)
            if position:
                state.skill_broader.setdefault(uri, []).append(path_uris[position - 1][0])
    return count


def _read_esco_relations(state: _State, name: str, path: Path, header: set[str]) -> int:
    count = 0
    for number, row in _read_rows(path):
        count += 1
        _keep_relation(
            state,
            name,
            number,
            row.get("occupationuri", ""),
            row.get("skilluri", ""),
            row.get("relationtype", ""),
        )
    return count


def _keep_relation(state: _State, name: str, number: int, occupation: str, skill: str, relation: str) -> None:
    relation = _RELATIONS.get(relation.lower(), "")
    if not occupation or not skill:
        return state.error(name, number, _("the relation needs both an occupation and a skill."))
    if not relation:
        return state.error(name, number, _("the relation type must be “essential” or “optional”."))
    key = (occupation, skill)
    if state.relations.get(key) != OccupationSkill.Relation.ESSENTIAL:
        state.relations[key] = relation
    return None


def _read_tabiya_concepts(state: _State, name: str, path: Path, header: set[str]) -> int:
    count = 0
    for number, row in _read_rows(path):
        count += 1
        uri = row.get("escouri", "")
        if "iscogroupcode" in header:
            kind = OCCUPATION
        elif "skilltype" in header:
            kind = SKILLS
        else:
            kind = ISCO if uri.startswith(_ESCO_BASE + "isco/") else SKILL_GROUPS
        concept = Concept(
            uri=uri,
            kind=kind,
            label=row.get("preferredlabel", ""),
            alt=_split(row.get("altlabels", "")),
            description=row.get("description", ""),
            code=row.get("code", ""),
            isco=row.get("iscogroupcode", ""),
            skill_type=row.get("skilltype", ""),
            reuse_level=row.get("reuselevel", ""),
        )
        state.add(concept, name, number)
        if uri and row.get("id"):
            state.tabiya_ids[row["id"]] = uri
    return count


def _read_tabiya_hierarchy(state: _State, name: str, path: Path, header: set[str]) -> int:
    count = 0
    for number, row in _read_rows(path):
        count += 1
        child, parent = row.get("childid", ""), row.get("parentid", "")
        if not child or not parent:
            state.error(name, number, _("the row needs both a parent ID and a child ID."))
            continue
        state.tabiya_links.append((child, parent, row.get("childobjecttype", "").lower()))
    return count


def _read_tabiya_relations(state: _State, name: str, path: Path, header: set[str]) -> int:
    count = 0
    for number, row in _read_rows(path):
        count += 1
        occupation, skill = row.get("occupationid", ""), row.get("skillid", "")
        relation = _RELATIONS.get(row.get("relationtype", "").lower())
        if not occupation or not skill:
            state.error(name, number, _("the relation needs both an occupation and a skill."))
        elif relation is None:
            state.error(name, number, _("the relation type must be “essential” or “optional”."))
        else:
            state.tabiya_relations.append((occupation, skill, relation))
    return count


Reader = Callable[[_State, str, Path, set[str]], int]


@dataclass(frozen=True)
class _Format:
    """A kind of file, recognized by the columns it has (and those it must not have)."""

    label: Any
    required: frozenset[str]
    reader: Reader | None
    order: int = 0
    excluded: frozenset[str] = frozenset()

    def matches(self, header: set[str]) -> bool:
        """Whether a file with these columns is of this kind."""
        return self.required <= header and not self.excluded & header


def _format(label: Any, required: str, reader: Reader | None, order: int = 0, excluded: str = "") -> _Format:
    return _Format(
        label, frozenset(required.split(",")), reader, order, frozenset(excluded.split(",")) - {""}
    )


_NOT_STORED = gettext_lazy("recognized, not imported: Maharat does not store this")
# Checked in this order: the first that matches decides.
_FORMATS = [
    _format(gettext_lazy("ESCO skill–skill relations"), "originalskilluri,targetskilluri", None),
    _format(gettext_lazy("ESCO green share of occupations"), "concepturi,greenshare", None),
    _format(gettext_lazy("ESCO concept schemes"), "concepturi,hastopconcept", None),
    _format(
        gettext_lazy("ESCO collection of occupations"),
        "concepturi,broaderconcepturi",
        None,
        excluded="skilltype,iscogroup",
    ),
    _format(gettext_lazy("ESCO concepts"), "concepturi,preferredlabel", _read_esco_concepts, 0),
    _format(gettext_lazy("ESCO broader relations"), "concepturi,broaderuri", _read_esco_broader, 1),
    _format(gettext_lazy("ESCO skills hierarchy"), "level 0 uri,level 1 uri", _read_esco_hierarchy, 1),
    _format(
        gettext_lazy("ESCO occupation–skill relations"),
        "occupationuri,skilluri,relationtype",
        _read_esco_relations,
        2,
    ),
    _format(gettext_lazy("Tabiya skill–skill relations"), "requiringid,requiredid", None),
    _format(gettext_lazy("Tabiya concepts"), "escouri,id,preferredlabel", _read_tabiya_concepts, 0),
    _format(gettext_lazy("Tabiya hierarchy"), "parentid,childid,childobjecttype", _read_tabiya_hierarchy, 1),
    _format(
        gettext_lazy("Tabiya occupation–skill relations"),
        "occupationid,skillid,relationtype",
        _read_tabiya_relations,
        2,
    ),
]


def _detect(header: list[str]) -> _Format | None:
    columns = set(header)
    return next((f for f in _FORMATS if f.matches(columns)), None)


def _parse_folder(folder: Path, progress: Progress | None) -> _State:
    """Read and check every file of the folder; nothing is written."""
    state = _State()
    result = state.result
    chosen: list[tuple[int, str, Path, _Format, set[str]]] = []
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        if path.suffix.lower() != ".csv":
            result.ignored.append((path.name, _("not a CSV file")))
            continue
        try:
            header = _read_header(path)
        except (UnicodeDecodeError, csv.Error) as exc:
            state.errors.append(
                _("%(file)s cannot be read as UTF-8 CSV: %(error)s") % {"file": path.name, "error": exc}
            )
            continue
        kind = _detect(header)
        if kind is None:
            if _DATA_FILE_NAME.match(path.stem):
                state.errors.append(
                    _(
                        "%(file)s is named like an ESCO or Tabiya file but its columns are not known: %(columns)s"
                    )
                    % {"file": path.name, "columns": ", ".join(header[:12]) or _("(empty file)")}
                )
            else:
                result.ignored.append((path.name, _("columns not recognized")))
        elif kind.reader is None:
            result.ignored.append((path.name, f"{kind.label}: {_NOT_STORED}"))
        else:
            chosen.append((kind.order, path.name, path, kind, set(header)))
    # Main files before collections: when both describe a concept, the first one read wins.
    chosen.sort(key=lambda item: (item[0], "collection" in item[1].lower(), item[1]))
    for done, (_order, name, path, kind, header_set) in enumerate(chosen, start=1):
        assert kind.reader is not None
        try:
            rows = kind.reader(state, name, path, header_set)
        except (UnicodeDecodeError, csv.Error) as exc:
            state.errors.append(
                _("%(file)s cannot be read as UTF-8 CSV: %(error)s") % {"file": name, "error": exc}
            )
            continue
        result.files.append((name, str(kind.label), rows))
        if progress:
            progress(_("Reading files"), done, len(chosen))
    _resolve_tabiya_ids(state)
    return state


def _resolve_tabiya_ids(state: _State) -> None:
    """Turn Tabiya's folder-local row IDs into the ESCO URIs they stand for."""
    ids = state.tabiya_ids
    for child_id, parent_id, child_type in state.tabiya_links:
        child, parent = ids.get(child_id), ids.get(parent_id)
        if child is None or parent is None:
            state.result.links_unknown += 1
            continue
        kind = _TABIYA_TYPES.get(child_type)
        target = state.skill_broader if kind in (SKILLS, SKILL_GROUPS) else state.occupation_broader
        target.setdefault(child, []).append(parent)
    for occupation_id, skill_id, relation in state.tabiya_relations:
        occupation, skill = ids.get(occupation_id), ids.get(skill_id)
        if occupation is None:
            state.result.relations_unknown_occupation += 1
        elif skill is None:
            state.result.relations_unknown_skill += 1
        elif state.relations.get((occupation, skill)) != OccupationSkill.Relation.ESSENTIAL:
            state.relations[(occupation, skill)] = relation


# Writing


def skill_code(uri: str) -> str:
    """The code of a skill imported from ESCO: ``esco:`` and the concept's identifier in its URI."""
    if uri.startswith(_SKILL_BASE):
        return "esco:" + uri[len(_SKILL_BASE) :]
    if uri.startswith(_ESCO_BASE):
        return "esco:" + uri[len(_ESCO_BASE) :].replace("/", ":")
    return "esco:" + hashlib.sha256(uri.encode()).hexdigest()[:32]


def _changes(row: dict[str, Any], desired: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """The allowed fields whose wanted value is not empty and differs from the stored one."""
    return {
        name: desired[name]
        for name in allowed
        if desired[name] not in ("", [], None) and row[name] != desired[name]
    }


def _report(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress:
        progress(stage, done, total)


_OCCUPATION_FIELDS = ("code", "kind", "isco_code", "label_en", "alt_labels_en", "description_en", "esco_uri")


def _write_occupations(state: _State, progress: Progress | None) -> None:
    rows = list(Occupation.objects.values("id", "label_ar", *_OCCUPATION_FIELDS))
    by_uri = {row["esco_uri"]: row for row in rows if row["esco_uri"]}
    by_code: dict[str, dict[str, Any]] = {row["code"]: row for row in rows}
    conflicts: list[str] = []
    stage = _("Writing occupations")
    for kind, counts in ((ISCO, state.result.isco_groups), (OCCUPATION, state.result.occupations)):
        new: list[Occupation] = []
        changed: list[Occupation] = []
        for concept in sorted(state.concepts[kind].values(), key=lambda c: c.code):
            desired = {
                "code": concept.code,
                "kind": Occupation.Kind.ISCO_GROUP if kind == ISCO else Occupation.Kind.ESCO_OCCUPATION,
                "isco_code": concept.code if kind == ISCO else concept.isco,
                "label_en": concept.label,
                "alt_labels_en": concept.alt,
                "description_en": concept.description,
                "esco_uri": concept.uri,
            }
            row = by_uri.get(concept.uri)
            if row is None:
                row = by_code.get(concept.code)
                if row is not None and row["esco_uri"] not in (None, concept.uri):
                    conflicts.append(
                        _("Occupation code %(code)s is used by both %(uri)s and %(other)s.")
                        % {"code": concept.code, "uri": concept.uri, "other": row["esco_uri"]}
                    )
                    continue
            if row is None:
                new.append(Occupation(**desired))
                by_code[concept.code] = by_uri[concept.uri] = {"id": None, **desired}
                continue
            ours = bool(row["label_ar"])
            allowed = ("isco_code", "alt_labels_en", "description_en", "esco_uri")
            change = _changes(row, desired, allowed if ours else _OCCUPATION_FIELDS)
            if not change:
                counts.unchanged += 1
                continue
            row.update(change)
            changed.append(
                Occupation(**{k: row[k] for k in ("id", *_OCCUPATION_FIELDS)}, updated_at=timezone.now())
            )
        if conflicts:
            raise EscoImportError(conflicts)
        for start in range(0, len(new), _BATCH):
            Occupation.objects.bulk_create(new[start : start + _BATCH])
            _report(progress, stage, start + len(new[start : start + _BATCH]), len(new))
        Occupation.objects.bulk_update(changed, [*_OCCUPATION_FIELDS, "updated_at"], batch_size=500)
        counts.created += len(new)
        counts.updated += len(changed)


def _write_occupation_parents(state: _State) -> None:
    rows = list(Occupation.objects.values_list("id", "code", "kind", "esco_uri", "parent_id"))
    by_uri = {uri: pk for pk, _c, _k, uri, _p in rows if uri}
    isco_by_code = {code: pk for pk, code, kind, _u, _p in rows if kind == Occupation.Kind.ISCO_GROUP}
    current = {pk: parent for pk, _c, _k, _u, parent in rows}
    wanted: dict[int, int] = {}
    for uri, broader in state.occupation_broader.items():
        child_id = by_uri.get(uri)
        parent = _first_known(broader, by_uri, child_id, current.get(child_id) if child_id else None)
        if child_id is None or parent is None:
            state.result.links_unknown += 1
        else:
            wanted[child_id] = parent
    for kind in (ISCO, OCCUPATION):
        for concept in state.concepts[kind].values():
            child = by_uri[concept.uri]
            default = concept.code[:-1] if kind == ISCO else concept.isco
            parent = isco_by_code.get(default) if default else None
            if child not in wanted and parent is not None and parent != child:
                wanted[child] = parent
    _write_links(Occupation, "parent", wanted, current, state.result.hierarchy)


def _first_known(
    candidates: list[str], by_uri: dict[str, int], child: int | None, current: int | None = None
) -> int | None:
    """The broader concept to keep: the current one if still listed (so that ESCO's and Tabiya's files do
    not undo each other's choice), else the first known, ESCO's skills pillar before ISCED-F fields."""
    known = [by_uri[uri] for uri in dict.fromkeys(candidates) if uri in by_uri and by_uri[uri] != child]
    if current is not None and current in known:
        return current
    ordered = sorted(dict.fromkeys(candidates), key=lambda uri: uri.startswith(_ISCED_F))
    return next((by_uri[uri] for uri in ordered if uri in by_uri and by_uri[uri] != child), None)


def _write_links(
    model: type[Occupation] | type[Skill],
    name: str,
    wanted: dict[int, int],
    current: dict[int, Any],
    counts: Counts,
) -> None:
    changed: dict[int, int] = {}
    for child, parent in wanted.items():
        if current.get(child) == parent:
            counts.unchanged += 1
            continue
        if current.get(child) is None:
            counts.created += 1
        else:
            counts.updated += 1
        changed[child] = parent
    _update_by_value(model, f"{name}_id", changed, updated_at=timezone.now())


def _update_by_value(model: Any, name: str, values: dict[int, Any], **also: Any) -> None:
    """Set a field row by row with one UPDATE per distinct value: far faster than ``bulk_update``'s CASE."""
    by_value: dict[Any, list[int]] = {}
    for pk, value in values.items():
        by_value.setdefault(value, []).append(pk)
    for value, pks in by_value.items():
        for start in range(0, len(pks), 500):
            model.objects.filter(pk__in=pks[start : start + 500]).update(**{name: value}, **also)


_SKILL_FIELDS = (
    "code",
    "label_en",
    "label_ar",
    "synonyms_en",
    "synonyms_ar",
    "group",
    "esco_uri",
    "skill_type",
    "reuse_level",
    "description_en",
    "curated",
)
_ESCO_SKILL_FIELDS = ("label_en", "synonyms_en", "skill_type", "reuse_level", "description_en")
_CURATED_SKILL_FIELDS = ("skill_type", "reuse_level", "description_en")


def _write_skills(state: _State, progress: Progress | None) -> None:
    rows = list(Skill.objects.values("id", *_SKILL_FIELDS))
    by_uri = {row["esco_uri"]: row for row in rows if row["esco_uri"]}
    codes = {row["code"]: row["esco_uri"] for row in rows}
    conflicts: list[str] = []
    stage = _("Writing skills")
    for kind, counts in ((SKILL_GROUPS, state.result.skill_groups), (SKILLS, state.result.skills)):
        new: list[Skill] = []
        changed: list[Skill] = []
        for concept in sorted(state.concepts[kind].values(), key=lambda c: c.uri):
            if kind == SKILL_GROUPS and concept.uri in state.concepts[SKILLS]:
                continue  # a concept given both as group and as skill is a skill
            desired = {
                "code": skill_code(concept.uri),
                "label_en": concept.label,
                "label_ar": "",
                "synonyms_en": concept.alt,
                "synonyms_ar": [],
                "group": SkillGroup.ESCO,
                "esco_uri": concept.uri,
                "skill_type": SKILL_GROUP_TYPE if kind == SKILL_GROUPS else concept.skill_type,
                "reuse_level": "" if kind == SKILL_GROUPS else concept.reuse_level,
                "description_en": concept.description,
                "curated": False,
            }
            row = by_uri.get(concept.uri)
            if row is None:
                if codes.get(desired["code"], concept.uri) != concept.uri:
                    conflicts.append(
                        _("Skill code %(code)s already belongs to another skill (%(other)s).")
                        % {"code": desired["code"], "other": codes[desired["code"]] or "—"}
                    )
                    continue
                new.append(Skill(**desired))
                continue
            if row["curated"]:
                allowed = _CURATED_SKILL_FIELDS + (() if row["synonyms_en"] else ("synonyms_en",))
            else:
                allowed = _ESCO_SKILL_FIELDS
            change = _changes(row, desired, allowed)
            if not change:
                counts.unchanged += 1
                continue
            row.update(change)
            changed.append(Skill(**{k: row[k] for k in ("id", *_SKILL_FIELDS)}, updated_at=timezone.now()))
        if conflicts:
            raise EscoImportError(conflicts)
        for start in range(0, len(new), _BATCH):
            Skill.objects.bulk_create(new[start : start + _BATCH])
            _report(progress, stage, start + len(new[start : start + _BATCH]), len(new))
        Skill.objects.bulk_update(changed, [*_SKILL_FIELDS, "updated_at"], batch_size=500)
        counts.created += len(new)
        counts.updated += len(changed)


def _write_skill_broader(state: _State) -> None:
    rows = list(Skill.objects.filter(esco_uri__isnull=False).values_list("id", "esco_uri", "broader_id"))
    by_uri = {uri: pk for pk, uri, _b in rows if uri}
    current = {pk: broader for pk, _u, broader in rows}
    wanted: dict[int, int] = {}
    for uri, broader in state.skill_broader.items():
        child = by_uri.get(uri)
        parent = _first_known(broader, by_uri, child, current.get(child) if child else None)
        if child is None or parent is None:
            state.result.links_unknown += 1
        else:
            wanted[child] = parent
    _write_links(Skill, "broader", wanted, current, state.result.hierarchy)


def _write_relations(state: _State, progress: Progress | None) -> None:
    result = state.result
    occupations = dict(Occupation.objects.filter(esco_uri__isnull=False).values_list("esco_uri", "id"))
    skills = dict(Skill.objects.filter(esco_uri__isnull=False).values_list("esco_uri", "id"))
    existing = {
        (occupation, skill): (pk, relation)
        for pk, occupation, skill, relation in OccupationSkill.objects.values_list(
            "id", "occupation_id", "skill_id", "relation"
        )
    }
    new: list[tuple[int, int, str]] = []
    changed: dict[int, str] = {}
    for (occupation_uri, skill_uri), relation in state.relations.items():
        occupation, skill = occupations.get(occupation_uri), skills.get(skill_uri)
        if occupation is None:
            result.relations_unknown_occupation += 1
        elif skill is None:
            result.relations_unknown_skill += 1
        elif (occupation, skill) not in existing:
            new.append((occupation, skill, relation))
        elif existing[(occupation, skill)][1] != relation:
            changed[existing[(occupation, skill)][0]] = relation
        else:
            result.relations.unchanged += 1
    _insert_relations(new, progress)
    _update_by_value(OccupationSkill, "relation", changed)
    result.relations.created += len(new)
    result.relations.updated += len(changed)


def _insert_relations(rows: list[tuple[int, int, str]], progress: Progress | None) -> None:
    """Insert relations with plain ``executemany``: the ESCO has 120,000 of them, too many for model objects."""
    meta = OccupationSkill._meta
    quote = connection.ops.quote_name
    by_name = {f.name: f.column or f.name for f in meta.concrete_fields}
    columns = ", ".join(quote(by_name[name]) for name in ("occupation", "skill", "relation"))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES (%s, %s, %s)"  # noqa: S608 - names, not data
    stage = _("Writing occupation–skill relations")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _BATCH * 5):
            batch = rows[start : start + _BATCH * 5]
            cursor.executemany(sql, batch)
            _report(progress, stage, start + len(batch), len(rows))


def import_folder(
    folder: str | Path, progress: Progress | None = None, *, dry_run: bool = False
) -> EscoImportResult:
    """Import every ESCO or Tabiya CSV file of a folder, all or nothing; a dry run writes nothing."""
    folder = Path(folder)
    if not folder.is_dir():
        raise EscoImportError([_("%(folder)s is not a folder.") % {"folder": folder}])
    state = _parse_folder(folder, progress)
    if state.errors:
        extra = len(state.errors) - _MAX_ERRORS
        more = [_("… and %(count)d more errors.") % {"count": extra}] if extra > 0 else []
        raise EscoImportError(state.errors[:_MAX_ERRORS] + more)
    if not state.result.files:
        raise EscoImportError([_("No ESCO or Tabiya CSV file was found in %(folder)s.") % {"folder": folder}])
    with transaction.atomic():
        _write_occupations(state, progress)
        _write_occupation_parents(state)
        _write_skills(state, progress)
        _write_skill_broader(state)
        _write_relations(state, progress)
        if dry_run:
            transaction.set_rollback(True)
    state.result.dry_run = dry_run
    return state.result
