"""Load Maharat's curated bilingual taxonomy: ISCO-08 occupations and skills with Arabic labels and synonyms.

The taxonomy ships in ``maharat/skills/data`` as two CSV files (UTF-8, a byte-order mark is tolerated):

* ``occupations.csv``: ``isco_code,label_en,label_ar,parent_code``. The code becomes ``Occupation.code``; a
  code of 1 to 4 digits is an ISCO-08 group (``kind=isco``), anything longer an occupation beneath one
  (``kind=esco``); ``isco_code`` keeps its first 4 digits.
* ``skills.csv``: ``code,group,label_en,label_ar,synonyms_en,synonyms_ar,esco_uri,isco_codes`` where
  synonyms and ISCO codes are ``|``-separated.

Rules of the load:

* Every row of both files is checked first (known group, both labels, known parent and ISCO codes, no
  repeated code or URI); if any row is wrong nothing is written and every error is reported with its row.
* Rows are matched by code, compared, and created or updated only when they differ, in one transaction:
  loading twice changes nothing the second time.
* The curated load owns codes, labels, Arabic synonyms, groups, ESCO URIs and the ``curated`` flag; it leaves
  what an ESCO import added (descriptions, skill types, broader concepts, ESCO's own occupation data). An
  empty ``synonyms_en`` leaves ESCO's alternative labels in place; an empty ``parent_code`` leaves the parent.
* A skill listed with an ESCO URI that an ESCO import already brought in takes over that row (its code becomes
  the curated code); when the curated skill exists too, the ESCO row is merged into it (its relations, people
  and narrower skills move over) and deleted.
* The ISCO codes of a skill are stored as *essential* occupation–skill relations to those ISCO groups: the
  curated file lists only the groups a skill really defines. Relations from the skill to other ISCO groups
  are removed; relations to ESCO occupations, which come from ESCO, are left alone.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maharat.skills.esco import Counts
from maharat.skills.models import Occupation, OccupationSkill, PersonSkill, Skill, SkillGroup

__all__ = ["DATA_DIR", "LoadResult", "TaxonomyError", "load_curated"]

DATA_DIR = Path(__file__).resolve().parent / "data"
OCCUPATION_COLUMNS = ("isco_code", "label_en", "label_ar", "parent_code")
SKILL_COLUMNS = (
    "code",
    "group",
    "label_en",
    "label_ar",
    "synonyms_en",
    "synonyms_ar",
    "esco_uri",
    "isco_codes",
)

Progress = Callable[[str, int, int], None]

_OCCUPATION_CODE = re.compile(r"^\d[\d.]{0,39}$")
_ISCO_GROUP = re.compile(r"^\d{1,4}$")
_SKILL_FIELDS = ("code", "label_en", "label_ar", "synonyms_en", "synonyms_ar", "group", "esco_uri", "curated")
_OCCUPATION_FIELDS = ("code", "kind", "isco_code", "label_en", "label_ar")
# What an ESCO row brings when it is merged into a curated skill that lacks it.
_ESCO_FIELDS = ("description_en", "skill_type", "reuse_level", "broader_id", "synonyms_en")


class TaxonomyError(Exception):
    """The taxonomy files cannot be loaded; ``errors`` says why, row by row."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class LoadResult:
    """What a load of the curated taxonomy created, updated and merged."""

    occupations: Counts = field(default_factory=Counts)
    skills: Counts = field(default_factory=Counts)
    relations: Counts = field(default_factory=Counts)
    relations_removed: int = 0
    merged: int = 0
    files: list[str] = field(default_factory=list)

    @property
    def created(self) -> int:
        """Rows created in all tables."""
        return self.occupations.created + self.skills.created + self.relations.created

    @property
    def updated(self) -> int:
        """Rows updated, removed or merged in all tables."""
        return (
            self.occupations.updated
            + self.skills.updated
            + self.relations.updated
            + self.relations_removed
            + self.merged
        )


@dataclass
class _Checked:
    """The rows of both files once checked."""

    occupations: dict[str, dict[str, Any]] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)
    skills: dict[str, dict[str, Any]] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def error(self, name: str, row: int, message: str) -> None:
        """Record a row error."""
        self.errors.append(
            _("%(file)s, row %(row)d: %(message)s") % {"file": name, "row": row, "message": message}
        )


def _read(path: Path, columns: tuple[str, ...], checked: _Checked) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV file with their spreadsheet row numbers, after checking it has the columns."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            reader.fieldnames = header
            missing = [c for c in columns if c not in header]
            if missing:
                checked.errors.append(
                    _("%(file)s lacks the columns %(columns)s.")
                    % {"file": path.name, "columns": ", ".join(missing)}
                )
                return []
            return [
                (number, {k: (v or "").strip() for k, v in row.items() if k})
                for number, row in enumerate(reader, start=2)
                if any((v or "").strip() for v in row.values() if isinstance(v, str))
            ]
    except (UnicodeDecodeError, csv.Error) as exc:
        checked.errors.append(
            _("%(file)s cannot be read as UTF-8 CSV: %(error)s") % {"file": path.name, "error": exc}
        )
        return []


def _split(value: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in value.split("|") if part.strip()))


def _check_labels(checked: _Checked, name: str, number: int, row: dict[str, str]) -> bool:
    ok = True
    for column in ("label_en", "label_ar"):
        if not row[column]:
            checked.error(name, number, _("%(column)s is empty.") % {"column": column})
            ok = False
        elif len(row[column]) > 300:
            checked.error(name, number, _("%(column)s is longer than 300 characters.") % {"column": column})
            ok = False
    return ok


def _check_occupations(path: Path, checked: _Checked, stored: dict[str, int]) -> None:
    name = path.name
    for number, row in _read(path, OCCUPATION_COLUMNS, checked):
        code = row["isco_code"]
        if not _OCCUPATION_CODE.match(code):
            checked.error(name, number, _("“%(code)s” is not an ISCO-08 code.") % {"code": code})
            continue
        if code in checked.occupations:
            checked.error(name, number, _("the code %(code)s is repeated.") % {"code": code})
            continue
        if not _check_labels(checked, name, number, row):
            continue
        checked.occupations[code] = {
            "code": code,
            "kind": Occupation.Kind.ISCO_GROUP
            if _ISCO_GROUP.match(code)
            else Occupation.Kind.ESCO_OCCUPATION,
            "isco_code": code.replace(".", "")[:4],
            "label_en": row["label_en"],
            "label_ar": row["label_ar"],
            "_row": number,
        }
        if row["parent_code"]:
            checked.parents[code] = row["parent_code"]
    known = set(checked.occupations) | set(stored)
    for code, parent in checked.parents.items():
        number = checked.occupations[code]["_row"]
        if parent not in known:
            checked.error(name, number, _("the parent code %(code)s is not known.") % {"code": parent})
        elif _in_cycle(code, checked.parents):
            checked.error(name, number, _("the code %(code)s is its own ancestor.") % {"code": code})


def _in_cycle(code: str, parents: dict[str, str]) -> bool:
    seen = {code}
    current = parents.get(code)
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def _check_skills(path: Path, checked: _Checked, stored_occupations: dict[str, int]) -> None:
    name = path.name
    uris: dict[str, str] = {}
    known_occupations = set(checked.occupations) | set(stored_occupations)
    for number, row in _read(path, SKILL_COLUMNS, checked):
        code, uri = row["code"], row["esco_uri"]
        if not code or len(code) > 80:
            checked.error(name, number, _("the code must have 1 to 80 characters."))
            continue
        if code in checked.skills:
            checked.error(name, number, _("the code %(code)s is repeated.") % {"code": code})
            continue
        ok = _check_labels(checked, name, number, row)
        if row["group"] not in SkillGroup.values:
            checked.error(
                name,
                number,
                _("“%(group)s” is not a skill group; use one of %(groups)s.")
                % {"group": row["group"], "groups": ", ".join(SkillGroup.values)},
            )
            ok = False
        if uri and (len(uri) > 200 or not uri.startswith(("http://", "https://"))):
            checked.error(name, number, _("“%(uri)s” is not an ESCO URI.") % {"uri": uri})
            ok = False
        elif uri in uris:
            checked.error(name, number, _("the ESCO URI is also given to %(code)s.") % {"code": uris[uri]})
            ok = False
        unknown = [c for c in _split(row["isco_codes"]) if c not in known_occupations]
        if unknown:
            checked.error(name, number, _("unknown ISCO codes: %(codes)s.") % {"codes": ", ".join(unknown)})
            ok = False
        if not ok:
            continue
        if uri:
            uris[uri] = code
        checked.skills[code] = {
            "code": code,
            "label_en": row["label_en"],
            "label_ar": row["label_ar"],
            "synonyms_en": _split(row["synonyms_en"]),
            "synonyms_ar": _split(row["synonyms_ar"]),
            "group": row["group"],
            "esco_uri": uri or None,
            "curated": True,
            "_row": number,
        }
        checked.links[code] = _split(row["isco_codes"])


@dataclass
class _SkillPlan:
    """Which stored row each curated skill becomes, and which ESCO rows merge into curated ones."""

    targets: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    merges: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def _plan_skills(checked: _Checked, name: str) -> _SkillPlan:
    rows = list(
        Skill.objects.values("id", *_SKILL_FIELDS, *(f for f in _ESCO_FIELDS if f not in _SKILL_FIELDS))
    )
    by_code = {row["code"]: row for row in rows}
    by_uri = {row["esco_uri"]: row for row in rows if row["esco_uri"]}
    plan = _SkillPlan()
    for code, wanted in checked.skills.items():
        uri = wanted["esco_uri"]
        holder = by_uri.get(uri) if uri else None
        target = by_code.get(code)
        if target is None and holder is not None and holder["code"] not in checked.skills:
            target = holder  # the curated skill takes over the row an ESCO import created
        plan.targets[code] = target
        if holder is None or holder is target or holder["code"] in checked.skills:
            continue
        if holder["curated"]:
            checked.error(
                name,
                wanted["_row"],
                _("the ESCO URI belongs to the curated skill %(code)s, which is not in this file.")
                % {"code": holder["code"]},
            )
            continue
        assert target is not None
        both = set(PersonSkill.objects.filter(skill_id=holder["id"]).values_list("person_id", flat=True))
        both &= set(PersonSkill.objects.filter(skill_id=target["id"]).values_list("person_id", flat=True))
        if both:
            checked.error(
                name,
                wanted["_row"],
                _(
                    "%(count)d people hold both %(code)s and the ESCO skill %(other)s; merge their skills first."
                )
                % {"count": len(both), "code": code, "other": holder["code"]},
            )
            continue
        plan.merges.append((code, holder))
    return plan


def _merge_into(target: dict[str, Any], holder: dict[str, Any]) -> None:
    """Move an ESCO skill's relations, holders and narrower skills to the curated skill, then delete it."""
    target_id, holder_id = target["id"], holder["id"]
    kept = dict(OccupationSkill.objects.filter(skill_id=target_id).values_list("occupation_id", "relation"))
    for relation in OccupationSkill.objects.filter(skill_id=holder_id):
        if relation.occupation_id not in kept:
            relation.skill_id = target_id
            relation.save(update_fields=["skill"])
        elif relation.relation == OccupationSkill.Relation.ESSENTIAL:
            OccupationSkill.objects.filter(skill_id=target_id, occupation_id=relation.occupation_id).update(
                relation=OccupationSkill.Relation.ESSENTIAL
            )
    PersonSkill.objects.filter(skill_id=holder_id).update(skill_id=target_id, updated_at=timezone.now())
    Skill.objects.filter(broader_id=holder_id).exclude(pk=target_id).update(broader_id=target_id)
    fill = {name: holder[name] for name in _ESCO_FIELDS if holder[name] and not target[name]}
    if fill.get("broader_id") == target_id:
        fill.pop("broader_id")
    Skill.objects.filter(pk=holder_id).delete()
    if fill:
        Skill.objects.filter(pk=target_id).update(**fill)
        target.update(fill)


def _write_occupations(checked: _Checked, result: LoadResult, progress: Progress | None) -> None:
    rows = {row["code"]: row for row in Occupation.objects.values("id", "parent_id", *_OCCUPATION_FIELDS)}
    new, changed = [], []
    now = timezone.now()
    for code, wanted in checked.occupations.items():
        row = rows.get(code)
        values = {k: wanted[k] for k in _OCCUPATION_FIELDS}
        if row is None:
            new.append(Occupation(**values))
        elif any(row[k] != v for k, v in values.items()):
            changed.append(Occupation(id=row["id"], **values, updated_at=now))
    Occupation.objects.bulk_create(new, batch_size=500)
    Occupation.objects.bulk_update(changed, [*_OCCUPATION_FIELDS, "updated_at"], batch_size=500)
    ids = dict(Occupation.objects.values_list("code", "id"))
    moved = [
        code
        for code, parent in checked.parents.items()
        if code not in rows or rows[code]["parent_id"] != ids[parent]
    ]
    Occupation.objects.bulk_update(
        [Occupation(id=ids[code], parent_id=ids[checked.parents[code]], updated_at=now) for code in moved],
        ["parent", "updated_at"],
        batch_size=500,
    )
    updated = {o.code for o in changed} | {code for code in moved if code in rows}
    result.occupations.created += len(new)
    result.occupations.updated += len(updated)
    result.occupations.unchanged += len(checked.occupations) - len(new) - len(updated)
    if progress:
        progress(_("Loading occupations"), len(checked.occupations), len(checked.occupations))


def _write_skills(checked: _Checked, plan: _SkillPlan, result: LoadResult, progress: Progress | None) -> None:
    for code, holder in plan.merges:
        target = plan.targets[code]
        assert target is not None
        _merge_into(target, holder)
        result.merged += 1
    # URIs move between curated skills in one load: free them first so the unique constraint holds throughout.
    moving = [
        t["id"]
        for code, t in plan.targets.items()
        if t is not None and t["esco_uri"] and t["esco_uri"] != checked.skills[code]["esco_uri"]
    ]
    Skill.objects.filter(pk__in=moving).update(esco_uri=None)
    now = timezone.now()
    new, changed = [], []
    for done, (code, wanted) in enumerate(checked.skills.items(), start=1):
        target = plan.targets[code]
        values = {k: wanted[k] for k in _SKILL_FIELDS}
        if target is None:
            new.append(Skill(**values))
            continue
        if not values["synonyms_en"] and values["esco_uri"]:
            values["synonyms_en"] = target["synonyms_en"]
        if target["id"] in moving or any(target[k] != v for k, v in values.items()):
            changed.append(Skill(id=target["id"], **values, updated_at=now))
        else:
            result.skills.unchanged += 1
        if progress and done % 500 == 0:
            progress(_("Loading skills"), done, len(checked.skills))
    Skill.objects.bulk_update(changed, [*_SKILL_FIELDS, "updated_at"], batch_size=500)
    Skill.objects.bulk_create(new, batch_size=500)
    result.skills.created += len(new)
    result.skills.updated += len(changed)
    if progress:
        progress(_("Loading skills"), len(checked.skills), len(checked.skills))


def _write_links(checked: _Checked, result: LoadResult) -> None:
    skill_ids = dict(Skill.objects.filter(code__in=list(checked.skills)).values_list("code", "id"))
    occupation_ids = dict(Occupation.objects.values_list("code", "id"))
    stored = {
        (skill, occupation): (pk, relation)
        for pk, skill, occupation, relation in OccupationSkill.objects.filter(
            skill_id__in=list(skill_ids.values()), occupation__kind=Occupation.Kind.ISCO_GROUP
        ).values_list("id", "skill_id", "occupation_id", "relation")
    }
    wanted = {
        (skill_ids[code], occupation_ids[isco]) for code, iscos in checked.links.items() for isco in iscos
    }
    essential = OccupationSkill.Relation.ESSENTIAL
    new = [
        OccupationSkill(skill_id=s, occupation_id=o, relation=essential) for s, o in wanted - stored.keys()
    ]
    OccupationSkill.objects.bulk_create(new, batch_size=500)
    upgrade = [stored[key][0] for key in wanted & stored.keys() if stored[key][1] != essential]
    OccupationSkill.objects.filter(pk__in=upgrade).update(relation=essential)
    gone = [stored[key][0] for key in stored.keys() - wanted]
    OccupationSkill.objects.filter(pk__in=gone).delete()
    result.relations.created += len(new)
    result.relations.updated += len(upgrade)
    result.relations.unchanged += len(wanted & stored.keys()) - len(upgrade)
    result.relations_removed += len(gone)


def load_curated(path_dir: str | Path | None = None, progress: Progress | None = None) -> LoadResult:
    """Load the curated occupations and skills from a folder (the shipped data by default), all or nothing."""
    folder = Path(path_dir) if path_dir is not None else DATA_DIR
    occupations_path, skills_path = folder / "occupations.csv", folder / "skills.csv"
    if not occupations_path.is_file() and not skills_path.is_file():
        raise TaxonomyError(
            [_("%(folder)s has neither occupations.csv nor skills.csv.") % {"folder": folder}]
        )
    result = LoadResult()
    checked = _Checked()
    stored = dict(Occupation.objects.values_list("code", "id"))
    if occupations_path.is_file():
        result.files.append(occupations_path.name)
        _check_occupations(occupations_path, checked, stored)
    if skills_path.is_file():
        result.files.append(skills_path.name)
        _check_skills(skills_path, checked, stored)
    plan = _plan_skills(checked, skills_path.name)
    if checked.errors:
        raise TaxonomyError(checked.errors)
    with transaction.atomic():
        _write_occupations(checked, result, progress)
        _write_skills(checked, plan, result, progress)
        _write_links(checked, result)
    return result
