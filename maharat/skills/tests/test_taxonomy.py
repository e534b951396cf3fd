"""Loading the curated bilingual taxonomy from its CSV files, and its meeting with ESCO imports."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from maharat.core.testing import Personas
from maharat.skills.esco import import_folder
from maharat.skills.models import Occupation, OccupationSkill, PersonSkill, Skill
from maharat.skills.taxonomy import OCCUPATION_COLUMNS, SKILL_COLUMNS, TaxonomyError, load_curated
from maharat.skills.tests.test_esco import PYTHON, TEAMWORK, esco_folder

pytestmark = pytest.mark.django_db

OCCUPATIONS = [
    ("2512", "Software developers", "مطورو البرمجيات", "251"),  # listed before its parent
    ("2", "Professionals", "الاختصاصيون", ""),
    ("25", "ICT professionals", "اختصاصيو تكنولوجيا المعلومات", "2"),
    ("251", "Software and applications developers", "مطورو البرمجيات والتطبيقات", "25"),
    ("7531", "Tailors and dressmakers", "الخياطون", ""),
]
SKILLS = [
    ("coding-python", "coding", "Python", "بايثون", "Python 3|py", "برمجة بايثون", PYTHON, "2512"),
    ("trades-sewing", "trades", "Sewing", "خياطة", "tailoring", "تفصيل|خياطة الملابس", "", "7531"),
    ("soft-teamwork", "soft", "Teamwork", "العمل الجماعي", "", "", TEAMWORK, "2512|7531"),
]


def write(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A CSV file saved by a spreadsheet, with a byte-order mark."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def taxonomy(
    folder: Path, occupations: Sequence[Sequence[str]] = OCCUPATIONS, skills: Sequence[Sequence[str]] = SKILLS
) -> Path:
    """A folder with the curated taxonomy's two files."""
    folder.mkdir(exist_ok=True)
    write(folder / "occupations.csv", OCCUPATION_COLUMNS, occupations)
    write(folder / "skills.csv", SKILL_COLUMNS, skills)
    return folder


def links(code: str) -> dict[str, str]:
    return dict(OccupationSkill.objects.filter(skill__code=code).values_list("occupation__code", "relation"))


class LoadCuratedTests:
    def test_loads_occupations_skills_and_their_links(self, tmp_path: Path) -> None:
        result = load_curated(taxonomy(tmp_path / "data"))

        assert (result.occupations.created, result.skills.created, result.relations.created) == (5, 3, 4)
        software = Occupation.objects.get(code="2512")
        assert (software.kind, software.isco_code, software.label_ar) == ("isco", "2512", "مطورو البرمجيات")
        assert software.parent.code == "251" and software.parent.parent.code == "25"
        assert software.esco_uri is None
        python = Skill.objects.get(code="coding-python")
        assert (python.label_en, python.label_ar, python.group, python.curated) == (
            "Python",
            "بايثون",
            "coding",
            True,
        )
        assert (python.synonyms_en, python.synonyms_ar, python.esco_uri) == (
            ["Python 3", "py"],
            ["برمجة بايثون"],
            PYTHON,
        )
        assert Skill.objects.get(code="trades-sewing").esco_uri is None
        assert links("soft-teamwork") == {"2512": "essential", "7531": "essential"}

    def test_loading_twice_changes_nothing(self, tmp_path: Path) -> None:
        folder = taxonomy(tmp_path / "data")
        load_curated(folder)
        stamps = dict(Skill.objects.values_list("code", "updated_at"))

        again = load_curated(folder)

        assert (again.created, again.updated) == (0, 0)
        assert (again.occupations.unchanged, again.skills.unchanged, again.relations.unchanged) == (5, 3, 4)
        assert dict(Skill.objects.values_list("code", "updated_at")) == stamps

    def test_an_edited_file_updates_labels_parents_and_links(self, tmp_path: Path) -> None:
        load_curated(taxonomy(tmp_path / "data"))
        occupations = [*OCCUPATIONS[:4], ("7531", "Tailors", "الخياطون", "2")]
        skills = [
            *SKILLS[:2],
            ("soft-teamwork", "soft", "Team work", "العمل ضمن فريق", "", "", TEAMWORK, "7531"),
        ]

        result = load_curated(taxonomy(tmp_path / "data", occupations, skills))

        tailors = Occupation.objects.get(code="7531")
        assert (tailors.label_en, tailors.parent.code) == ("Tailors", "2")
        assert (result.occupations.updated, result.skills.updated, result.relations_removed) == (1, 1, 1)
        assert Skill.objects.get(code="soft-teamwork").label_ar == "العمل ضمن فريق"
        assert links("soft-teamwork") == {"7531": "essential"}

    def test_an_esco_uri_may_move_from_one_curated_skill_to_another(self, tmp_path: Path) -> None:
        load_curated(taxonomy(tmp_path / "data"))
        swapped = [
            (*SKILLS[0][:6], TEAMWORK, SKILLS[0][7]),
            SKILLS[1],
            (*SKILLS[2][:6], PYTHON, SKILLS[2][7]),
        ]
        load_curated(taxonomy(tmp_path / "data", skills=swapped))
        assert Skill.objects.get(code="coding-python").esco_uri == TEAMWORK
        assert Skill.objects.get(code="soft-teamwork").esco_uri == PYTHON

    def test_a_code_longer_than_a_unit_group_is_an_occupation_under_it(self, tmp_path: Path) -> None:
        load_curated(
            taxonomy(tmp_path / "data", [*OCCUPATIONS, ("2512.4", "Programmer", "مبرمج", "2512")], [])
        )
        programmer = Occupation.objects.get(code="2512.4")
        assert (programmer.kind, programmer.isco_code, programmer.parent.code) == ("esco", "2512", "2512")

    def test_skills_may_refer_to_isco_groups_already_stored(self, tmp_path: Path) -> None:
        load_curated(taxonomy(tmp_path / "data"))
        folder = tmp_path / "skills-only"
        folder.mkdir()
        write(
            folder / "skills.csv",
            SKILL_COLUMNS,
            [("trades-cutting", "trades", "Cutting", "قص", "", "", "", "7531")],
        )
        result = load_curated(folder)
        assert result.files == ["skills.csv"] and links("trades-cutting") == {"7531": "essential"}

    def test_reports_progress(self, tmp_path: Path) -> None:
        seen: list[tuple[str, int, int]] = []
        load_curated(taxonomy(tmp_path / "data"), progress=lambda *args: seen.append(args))
        assert ("Loading skills", 3, 3) in seen and ("Loading occupations", 5, 5) in seen


class RefusedFilesTests:
    @pytest.mark.parametrize(
        ("occupations", "skills", "message"),
        [
            (OCCUPATIONS, [("x", "cooking", "X", "س", "", "", "", "")], "“cooking” is not a skill group"),
            (OCCUPATIONS, [("x", "soft", "X", "", "", "", "", "")], "label_ar is empty"),
            (OCCUPATIONS, [("x", "soft", "", "س", "", "", "", "")], "label_en is empty"),
            (OCCUPATIONS, [("x", "soft", "X" * 301, "س", "", "", "", "")], "label_en is longer than 300"),
            (OCCUPATIONS, [("", "soft", "X", "س", "", "", "", "")], "the code must have 1 to 80 characters"),
            (OCCUPATIONS, [SKILLS[0], SKILLS[0]], "the code coding-python is repeated"),
            (OCCUPATIONS, [("x", "soft", "X", "س", "", "", "9999|2", "")], "“9999|2” is not an ESCO URI"),
            (OCCUPATIONS, [("x", "soft", "X", "س", "", "", "", "9999|2")], "unknown ISCO codes: 9999."),
            (
                OCCUPATIONS,
                [SKILLS[0], ("y", "soft", "Y", "ي", "", "", PYTHON, "")],
                "also given to coding-python",
            ),
            ([("2512", "Software", "برمجيات", "251")], [], "the parent code 251 is not known"),
            ([("25a", "Software", "برمجيات", "")], [], "“25a” is not an ISCO-08 code"),
            ([("2", "A", "أ", ""), ("2", "B", "ب", "")], [], "the code 2 is repeated"),
            ([("2", "A", "", "")], [], "occupations.csv, row 2: label_ar is empty"),
            ([("2", "A", "أ", "25"), ("25", "B", "ب", "2")], [], "the code 2 is its own ancestor"),
        ],
    )
    def test_refuses_the_whole_load_with_row_errors(
        self, tmp_path: Path, occupations: list[tuple[str, ...]], skills: list[tuple[str, ...]], message: str
    ) -> None:
        folder = taxonomy(tmp_path / "data", occupations, [SKILLS[1], *skills] if skills else skills)
        if not skills:
            (folder / "skills.csv").unlink()
        with pytest.raises(TaxonomyError) as caught:
            load_curated(folder)
        assert any(message in error for error in caught.value.errors), caught.value.errors
        assert not Skill.objects.exists() and not Occupation.objects.exists()

    def test_refuses_files_without_the_columns_or_not_utf8(self, tmp_path: Path) -> None:
        folder = tmp_path / "data"
        folder.mkdir()
        write(folder / "skills.csv", ["code", "label"], [("x", "X")])
        (folder / "occupations.csv").write_bytes(
            "isco_code,label_en,label_ar,parent_code\n2,caf\xe9,,\n".encode("latin-1")
        )
        with pytest.raises(TaxonomyError) as caught:
            load_curated(folder)
        assert caught.value.errors[0].startswith("occupations.csv cannot be read as UTF-8 CSV")
        assert caught.value.errors[1] == (
            "skills.csv lacks the columns group, label_en, label_ar, synonyms_en, synonyms_ar, esco_uri, isco_codes."
        )

    def test_refuses_a_folder_without_the_files(self, tmp_path: Path) -> None:
        with pytest.raises(TaxonomyError, match="has neither occupations.csv nor skills.csv"):
            load_curated(tmp_path)


class CuratedMeetsEscoTests:
    def test_curated_skill_takes_over_the_row_of_an_earlier_esco_import(self, tmp_path: Path) -> None:
        import_folder(esco_folder(tmp_path / "esco"))
        esco_python = Skill.objects.get(esco_uri=PYTHON)

        result = load_curated(taxonomy(tmp_path / "data"))

        python = Skill.objects.get(esco_uri=PYTHON)
        assert python.pk == esco_python.pk and result.skills.created == 1  # only sewing is new
        assert (python.code, python.curated, python.label_ar, python.group) == (
            "coding-python",
            True,
            "بايثون",
            "coding",
        )
        assert (python.description_en, python.broader_id) == (
            "A lang.",
            esco_python.broader_id,
        )  # ESCO's kept
        assert links("coding-python") == {"2512": "essential", "2512.4": "essential"}
        assert python.synonyms_en == ["Python 3", "py"]  # the curated synonyms replace ESCO's…
        assert Skill.objects.get(code="soft-teamwork").synonyms_en == ["teamwork principles"]  # …or keep them
        software = Occupation.objects.get(code="2512")
        assert (software.label_ar, software.esco_uri) == (
            "مطورو البرمجيات",
            "http://data.europa.eu/esco/isco/C2512",
        )

        # …and ESCO imported again afterwards finds the curated skill by URI and leaves it alone.
        again = import_folder(tmp_path / "esco")
        assert (again.created, again.updated) == (0, 0)
        assert Skill.objects.get(esco_uri=PYTHON).code == "coding-python"
        assert (load_curated(tmp_path / "data").created, load_curated(tmp_path / "data").updated) == (0, 0)

    def test_an_esco_row_is_merged_into_the_curated_skill_that_later_names_its_uri(
        self, tmp_path: Path, personas: Personas
    ) -> None:
        without_uri = [SKILLS[0][:6] + ("", SKILLS[0][7]), *SKILLS[1:]]
        load_curated(taxonomy(tmp_path / "data", skills=without_uri))
        import_folder(esco_folder(tmp_path / "esco"))
        esco_python = Skill.objects.get(esco_uri=PYTHON)
        PersonSkill.objects.create(person=personas.amal, skill=esco_python, proficiency=2)
        narrower = Skill.objects.create(
            code="x-django", label_en="Django", group="coding", broader=esco_python
        )
        curated = Skill.objects.get(code="coding-python")
        software = Occupation.objects.get(code="2512.4")
        OccupationSkill.objects.create(occupation=software, skill=curated, relation="optional")

        result = load_curated(taxonomy(tmp_path / "data"))

        python = Skill.objects.get(code="coding-python")
        assert result.merged == 1 and not Skill.objects.filter(pk=esco_python.pk).exists()
        assert python.esco_uri == PYTHON and python.description_en == "A lang."
        assert PersonSkill.objects.get(person=personas.amal).skill == python
        narrower.refresh_from_db()
        assert narrower.broader == python
        assert links("coding-python") == {"2512": "essential", "2512.4": "essential"}

    def test_refuses_to_merge_when_someone_holds_both_skills(
        self, tmp_path: Path, personas: Personas
    ) -> None:
        without_uri = [SKILLS[0][:6] + ("", SKILLS[0][7]), *SKILLS[1:]]
        load_curated(taxonomy(tmp_path / "data", skills=without_uri))
        import_folder(esco_folder(tmp_path / "esco"))
        for skill in Skill.objects.filter(
            code__in=["coding-python", "esco:aaaaaaaa-0000-0000-0000-000000000001"]
        ):
            PersonSkill.objects.create(person=personas.amal, skill=skill, proficiency=2)

        with pytest.raises(TaxonomyError, match="1 people hold both coding-python and the ESCO skill"):
            load_curated(taxonomy(tmp_path / "data"))
        assert Skill.objects.filter(esco_uri=PYTHON).get().curated is False

    def test_refuses_a_uri_held_by_a_curated_skill_missing_from_the_file(self, tmp_path: Path) -> None:
        Skill.objects.create(
            code="old-python",
            label_en="Python",
            label_ar="بايثون",
            group="coding",
            curated=True,
            esco_uri=PYTHON,
        )
        Skill.objects.create(code="coding-python", label_en="Py", label_ar="ب", group="coding", curated=True)
        with pytest.raises(TaxonomyError, match="belongs to the curated skill old-python"):
            load_curated(taxonomy(tmp_path / "data"))


class LoadTaxonomyCommandTests:
    def test_prints_the_counts(self, tmp_path: Path) -> None:
        out = io.StringIO()
        call_command("load_taxonomy", str(taxonomy(tmp_path / "data")), stdout=out)
        assert "skills: 3 created, 0 updated, 0 unchanged" in out.getvalue()
        assert "occupation–skill relations: 4 created" in out.getvalue()

    def test_reports_removed_relations_and_merges(self, tmp_path: Path) -> None:
        without_uri = [SKILLS[0][:6] + ("", "7531"), *SKILLS[1:]]
        load_curated(taxonomy(tmp_path / "data", skills=without_uri))
        import_folder(esco_folder(tmp_path / "esco"))
        out = io.StringIO()
        call_command("load_taxonomy", str(taxonomy(tmp_path / "data")), stdout=out)
        assert "1 relations no longer listed were removed" in out.getvalue()
        assert "1 skills imported from ESCO were merged into curated skills" in out.getvalue()

    def test_refuses_bad_files_listing_the_errors(self, tmp_path: Path) -> None:
        bad = [(f"x{i}", "nope", "X", "س", "", "", "", "") for i in range(55)]
        with pytest.raises(CommandError) as caught:
            call_command("load_taxonomy", str(taxonomy(tmp_path / "data", skills=bad)), stdout=io.StringIO())
        assert str(caught.value).startswith("Nothing was loaded:")
        assert "skills.csv, row 2: “nope” is not a skill group" in str(caught.value)
        assert "… and 5 more." in str(caught.value)
