"""Importing ESCO from its own CSV download and from Tabiya's cleaned files, tiny folders written per test."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from maharat.skills.esco import SKILL_GROUP_TYPE, EscoImportError, import_folder, skill_code
from maharat.skills.models import Occupation, OccupationSkill, Skill, SkillGroup

pytestmark = pytest.mark.django_db

ESCO = "http://data.europa.eu/esco/"
ISCO_URI = ESCO + "isco/C{}"
DEVELOPER = ESCO + "occupation/11111111-1111-1111-1111-111111111111"
WEB_DEVELOPER = ESCO + "occupation/22222222-2222-2222-2222-222222222222"
FRONTEND = ESCO + "occupation/33333333-3333-3333-3333-333333333333"
PYTHON = ESCO + "skill/aaaaaaaa-0000-0000-0000-000000000001"
HTML = ESCO + "skill/aaaaaaaa-0000-0000-0000-000000000002"
TEAMWORK = ESCO + "skill/aaaaaaaa-0000-0000-0000-000000000003"
PROGRAMMING = ESCO + "skill/bbbbbbbb-0000-0000-0000-000000000001"
SKILLS_ROOT = ESCO + "skill/bbbbbbbb-0000-0000-0000-000000000000"
ICT_FIELD = ESCO + "isced-f/0613"
UNKNOWN_SKILL = ESCO + "skill/ffffffff-0000-0000-0000-000000000000"

ISCO_HEADER = [
    "conceptType",
    "conceptUri",
    "code",
    "preferredLabel",
    "status",
    "altLabels",
    "inScheme",
    "description",
]
OCCUPATION_HEADER = [
    "conceptType",
    "conceptUri",
    "iscoGroup",
    "preferredLabel",
    "altLabels",
    "description",
    "code",
]
SKILL_HEADER = [
    "conceptType",
    "conceptUri",
    "skillType",
    "reuseLevel",
    "preferredLabel",
    "altLabels",
    "description",
]
COLLECTION_HEADER = [
    "conceptType",
    "conceptUri",
    "preferredLabel",
    "status",
    "skillType",
    "reuseLevel",
    "altLabels",
    "description",
    "broaderConceptUri",
    "broaderConceptPT",
]
GROUP_HEADER = ["conceptType", "conceptUri", "preferredLabel", "altLabels", "description", "code"]
HIERARCHY_HEADER = [
    "Level 0 URI",
    "Level 0 preferred term",
    "Level 1 URI",
    "Level 1 preferred term",
    "Level 2 URI",
    "Level 2 preferred term",
    "Level 3 URI",
    "Level 3 preferred term",
    "Description",
    "Scope note",
    "Level 0 code",
    "Level 1 code",
    "Level 2 code",
    "Level 3 code",
]


def write(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]], *, bom: bool = False) -> Path:
    """A CSV file quoted the way ESCO quotes it (only where needed, multi-line values included)."""
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def esco_folder(folder: Path) -> Path:
    """A miniature ESCO download: ISCO groups, occupations, skills, groups, hierarchy and relations."""
    folder.mkdir(exist_ok=True)
    isco = [("2", "Professionals"), ("25", "ICT professionals"), ("251", "Software developers and analysts")]
    isco += [("2512", "Software developers"), ("2513", "Web and multimedia developers")]
    write(
        folder / "ISCOGroups_en.csv",
        ISCO_HEADER,
        [
            ["ISCOGroup", ISCO_URI.format(c), c, label, "released", "", "isco,\noccupations", ""]
            for c, label in isco
        ],
        bom=True,
    )
    write(
        folder / "occupations_en.csv",
        OCCUPATION_HEADER,
        [
            [
                "Occupation",
                DEVELOPER,
                "2512",
                "software developer",
                "programmer\ncoder\n",
                "Writes software.",
                "2512.4",
            ],
            [
                "Occupation",
                WEB_DEVELOPER,
                "2513",
                "web developer",
                "web programmer",
                "Builds websites.",
                "2513.2",
            ],
            ["Occupation", FRONTEND, "2513", "front-end developer", "", "", "2513.2.1"],
        ],
    )
    write(
        folder / "broaderRelationsOccPillar.csv",
        ["conceptType", "conceptUri", "broaderType", "broaderUri"],
        [
            ["ISCOGroup", ISCO_URI.format("25"), "ISCOGroup", ISCO_URI.format("2")],
            ["Occupation", FRONTEND, "Occupation", WEB_DEVELOPER],
        ],
    )
    write(
        folder / "skills_en.csv",
        SKILL_HEADER,
        [
            [
                "KnowledgeSkillCompetence",
                PYTHON,
                "knowledge",
                "sector-specific",
                "Python",
                "Python\npython 3",
                "A lang.",
            ],
            [
                "KnowledgeSkillCompetence",
                TEAMWORK,
                "skill/competence",
                "transversal",
                "work in teams",
                "teamwork principles",
                "",
            ],
        ],
    )
    write(
        folder / "digitalSkillsCollection_en.csv",
        COLLECTION_HEADER,
        [
            [
                "KnowledgeSkillCompetence",
                PYTHON,
                "Python",
                "released",
                "knowledge",
                "sector-specific",
                "Python | Python programming",
                "",
                f"{PROGRAMMING} | {ICT_FIELD}",
                "programming | ICT",
            ],
            [
                "KnowledgeSkillCompetence",
                HTML,
                "HTML",
                "released",
                "knowledge",
                "cross-sector",
                "HyperText Markup Language",
                "Markup.",
                f"{ICT_FIELD} | {PROGRAMMING}",
                "",
            ],
        ],
    )
    write(
        folder / "skillGroups_en.csv",
        GROUP_HEADER,
        [
            ["SkillGroup", PROGRAMMING, "computer programming", "coding\nsoftware development", "", "S5.6"],
            ["SkillGroup", ICT_FIELD, "software and applications development", "", "", "0613"],
        ],
    )
    write(
        folder / "skillsHierarchy_en.csv",
        HIERARCHY_HEADER,
        [
            [SKILLS_ROOT, "skills", "", "", "", "", "", "", "", "", "S"],  # ESCO's short rows
            [
                SKILLS_ROOT,
                "skills",
                PROGRAMMING,
                "computer programming",
                "",
                "",
                "",
                "",
                "Write code.",
                "",
                "S",
                "S5",
            ],
        ],
    )
    write(
        folder / "occupationSkillRelations.csv",
        ["occupationUri", "relationType", "skillType", "skillUri"],
        [
            [DEVELOPER, "essential", "knowledge", PYTHON],
            [DEVELOPER, "optional", "skill/competence", TEAMWORK],
            [WEB_DEVELOPER, "essential", "knowledge", HTML],
            [WEB_DEVELOPER, "optional", "knowledge", UNKNOWN_SKILL],
            [ESCO + "occupation/unknown", "essential", "knowledge", PYTHON],
        ],
    )
    write(
        folder / "skillSkillRelations.csv",
        ["originalSkillUri", "relationType", "skillType", "targetSkillUri"],
        [[PYTHON, "optional", "knowledge", HTML]],
    )
    (folder / "README.txt").write_text("ESCO v1.1.1 sample\n", encoding="utf-8")
    return folder


def tabiya_folder(folder: Path) -> Path:
    """A miniature of Tabiya's cleaned ESCO, whose files link rows by Tabiya ID."""
    folder.mkdir(exist_ok=True)
    write(
        folder / "ISCOGroups.csv",
        ["ESCOURI", "ID", "UUIDHISTORY", "CODE", "PREFERREDLABEL", "ALTLABELS", "DESCRIPTION"],
        [
            [ISCO_URI.format("2"), "k1", "u1", "2", "Professionals", "", ""],
            [ISCO_URI.format("25"), "k2", "u2", "25", "ICT professionals", "", ""],
            [ISCO_URI.format("2512"), "k3", "u3", "2512", "Software developers", "", "Develop software."],
        ],
        bom=True,
    )
    write(
        folder / "occupations.csv",
        [
            "ESCOURI",
            "ID",
            "UUIDHISTORY",
            "ISCOGROUPCODE",
            "CODE",
            "PREFERREDLABEL",
            "ALTLABELS",
            "OCCUPATIONTYPE",
        ],
        [[DEVELOPER, "k10", "u10", "2512", "2512.4", "software developer", "programmer\ncoder", "ESCO"]],
    )
    write(
        folder / "skillGroups.csv",
        ["ESCOURI", "ID", "UUIDHISTORY", "CODE", "PREFERREDLABEL", "ALTLABELS", "DESCRIPTION", "SCOPENOTE"],
        [[PROGRAMMING, "k20", "u20", "S5.6", "computer programming", "", "", ""]],
    )
    write(
        folder / "skills.csv",
        [
            "ESCOURI",
            "ID",
            "UUIDHISTORY",
            "SKILLTYPE",
            "REUSELEVEL",
            "PREFERREDLABEL",
            "ALTLABELS",
            "DESCRIPTION",
        ],
        [
            [
                PYTHON,
                "k30",
                "u30",
                "knowledge",
                "sector-specific",
                "Python",
                "python 3\nPython language",
                "A lang.",
            ],
            [TEAMWORK, "k31", "u31", "skill/competence", "transversal", "work in teams", "", ""],
        ],
    )
    hierarchy_header = ["PARENTOBJECTTYPE", "PARENTID", "CHILDID", "CHILDOBJECTTYPE"]
    write(
        folder / "occupations_hierarchy.csv",
        hierarchy_header,
        [
            ["ISCOGroup", "k1", "k2", "ISCOGroup"],
            ["ISCOGroup", "k2", "k3", "ISCOGroup"],
            ["ISCOGroup", "k3", "k10", "ESCOOccupation"],
        ],
    )
    write(
        folder / "skills_hierarchy.csv",
        hierarchy_header,
        [["SkillGroup", "k20", "k30", "Skill"], ["SkillGroup", "k99", "k31", "Skill"]],
    )
    write(
        folder / "occupation_skill_relations.csv",
        ["OCCUPATIONTYPE", "OCCUPATIONID", "RELATIONTYPE", "SKILLID"],
        [
            ["ESCO", "k10", "essential", "k30"],
            ["ESCO", "k10", "optional", "k31"],
            ["ESCO", "k10", "optional", "k404"],
            ["ESCO", "k404", "optional", "k30"],
        ],
    )
    write(
        folder / "skill_skill_relations.csv",
        ["REQUIRINGID", "RELATIONTYPE", "REQUIREDID"],
        [["k30", "optional", "k31"]],
    )
    return folder


def relation(occupation_uri: str, skill_uri: str) -> str:
    return OccupationSkill.objects.get(
        occupation__esco_uri=occupation_uri, skill__esco_uri=skill_uri
    ).relation


class EscoDownloadTests:
    def test_imports_isco_groups_occupations_skills_and_relations(self, tmp_path: Path) -> None:
        result = import_folder(esco_folder(tmp_path / "esco"))

        assert (result.isco_groups.created, result.occupations.created) == (5, 3)
        assert (result.skill_groups.created, result.skills.created) == (3, 3)
        assert result.relations.created == 3
        assert (result.relations_unknown_occupation, result.relations_unknown_skill) == (1, 1)
        assert result.relations_skipped == 2

        developer = Occupation.objects.get(esco_uri=DEVELOPER)
        assert (developer.code, developer.kind, developer.isco_code) == ("2512.4", "esco", "2512")
        assert developer.alt_labels_en == ["programmer", "coder"]  # a multi-line quoted altLabels field
        assert developer.label_ar == ""
        assert developer.parent is not None and developer.parent.code == "2512"
        assert Occupation.objects.get(esco_uri=FRONTEND).parent == Occupation.objects.get(
            esco_uri=WEB_DEVELOPER
        )
        software = Occupation.objects.get(code="2512")
        assert (software.kind, software.isco_code, software.esco_uri) == (
            "isco",
            "2512",
            ISCO_URI.format("2512"),
        )
        assert software.label_en == "Software developers"  # read through the byte-order mark
        assert [o.code for o in _ancestors(software)] == ["251", "25", "2"]

        python = Skill.objects.get(esco_uri=PYTHON)
        assert python.code == "esco:aaaaaaaa-0000-0000-0000-000000000001"
        assert (python.group, python.curated, python.label_ar) == (SkillGroup.ESCO, False, "")
        assert (python.skill_type, python.reuse_level, python.description_en) == (
            "knowledge",
            "sector-specific",
            "A lang.",
        )
        # newline-separated in skills_en.csv, " | "-separated in the collection: both read, merged
        assert sorted(python.synonyms_en) == ["Python programming", "python 3"]
        assert python.broader is not None and python.broader.esco_uri == PROGRAMMING
        assert (
            Skill.objects.get(esco_uri=HTML).broader.esco_uri == PROGRAMMING
        )  # the skills pillar before ISCED-F
        programming = Skill.objects.get(esco_uri=PROGRAMMING)
        assert (programming.skill_type, programming.description_en) == (SKILL_GROUP_TYPE, "Write code.")
        assert programming.broader.esco_uri == SKILLS_ROOT
        assert Skill.objects.get(esco_uri=ICT_FIELD).code == "esco:isced-f:0613"

        assert relation(DEVELOPER, PYTHON) == "essential"
        assert relation(DEVELOPER, TEAMWORK) == "optional"
        assert dict(result.ignored).keys() == {"README.txt", "skillSkillRelations.csv"}
        assert {name for name, _label, _rows in result.files} == {
            path.name for path in (tmp_path / "esco").glob("*.csv") if path.name != "skillSkillRelations.csv"
        }

    def test_a_second_run_changes_nothing(self, tmp_path: Path) -> None:
        folder = esco_folder(tmp_path / "esco")
        import_folder(folder)
        stamps = dict(Skill.objects.values_list("id", "updated_at"))

        again = import_folder(folder)

        assert (again.created, again.updated) == (0, 0)
        assert again.skills.unchanged == 3 and again.relations.unchanged == 3
        assert dict(Skill.objects.values_list("id", "updated_at")) == stamps

    def test_a_changed_release_updates_labels_and_relations(self, tmp_path: Path) -> None:
        folder = esco_folder(tmp_path / "esco")
        import_folder(folder)
        rows = [
            ["KnowledgeSkillCompetence", PYTHON, "knowledge", "cross-sector", "Python (programming)", "", ""],
        ]
        write(folder / "skills_en.csv", SKILL_HEADER, rows)
        write(
            folder / "occupationSkillRelations.csv",
            ["occupationUri", "relationType", "skillType", "skillUri"],
            [[DEVELOPER, "essential", "knowledge", TEAMWORK]],
        )

        result = import_folder(folder)

        python = Skill.objects.get(esco_uri=PYTHON)
        assert (python.label_en, python.reuse_level) == ("Python (programming)", "cross-sector")
        assert python.description_en == "A lang."  # an import fills fields, never blanks them
        assert result.skills.updated == 1 and result.relations.updated == 1
        assert relation(DEVELOPER, TEAMWORK) == "essential"
        assert relation(DEVELOPER, PYTHON) == "essential"  # relations are never deleted

    def test_a_dry_run_writes_nothing(self, tmp_path: Path) -> None:
        result = import_folder(esco_folder(tmp_path / "esco"), dry_run=True)

        assert result.dry_run and result.skills.created == 3
        assert not Skill.objects.exists() and not Occupation.objects.exists()

    def test_reports_progress_by_stage(self, tmp_path: Path) -> None:
        seen: list[tuple[str, int, int]] = []
        import_folder(esco_folder(tmp_path / "esco"), progress=lambda *args: seen.append(args))
        assert seen[-1][1:] == (3, 3)
        assert {stage for stage, _done, _total in seen} >= {"Reading files", "Writing skills"}


def _ancestors(occupation: Occupation) -> list[Occupation]:
    found = []
    while occupation.parent is not None:
        occupation = occupation.parent
        found.append(occupation)
    return found


class BadInputTests:
    def test_refuses_a_file_named_like_esco_with_unknown_columns_and_writes_nothing(
        self, tmp_path: Path
    ) -> None:
        folder = esco_folder(tmp_path / "esco")
        write(folder / "skills_en.csv", ["uri", "label"], [[PYTHON, "Python"]])

        with pytest.raises(EscoImportError) as caught:
            import_folder(folder)

        assert "skills_en.csv is named like an ESCO or Tabiya file" in caught.value.errors[0]
        assert not Occupation.objects.exists() and not Skill.objects.exists()

    def test_ignores_an_unknown_file_with_another_name(self, tmp_path: Path) -> None:
        folder = esco_folder(tmp_path / "esco")
        write(folder / "notes.csv", ["what", "why"], [["a", "b"]])
        assert ("notes.csv", "columns not recognized") in import_folder(folder).ignored

    def test_refuses_a_row_without_uri_or_label_with_its_row_number(self, tmp_path: Path) -> None:
        folder = esco_folder(tmp_path / "esco")
        rows = [
            ["KnowledgeSkillCompetence", PYTHON, "knowledge", "", "Python", "", ""],
            ["KnowledgeSkillCompetence", "", "knowledge", "", "Java", "", ""],
            ["KnowledgeSkillCompetence", HTML, "knowledge", "", "", "", ""],
        ]
        write(folder / "skills_en.csv", SKILL_HEADER, rows)

        with pytest.raises(EscoImportError) as caught:
            import_folder(folder)

        assert caught.value.errors == [
            "skills_en.csv, row 3: the row has no concept URI.",
            "skills_en.csv, row 4: the concept has no preferred label.",
        ]
        assert not Skill.objects.exists()

    @pytest.mark.parametrize(
        ("row", "message"),
        [
            (["Occupation", DEVELOPER, "", "developer", "", "", ""], "the occupation has no code"),
            (
                ["Occupation", DEVELOPER, "25x", "developer", "", "", "2512.1"],
                "“25x” is not an ISCO-08 group code",
            ),
            (["Mystery", ESCO + "thing/1", "", "developer", "", "", "1"], "unknown concept type “Mystery”"),
            (["Occupation", DEVELOPER, "", "x" * 301, "", "", "2512.1"], "longer than 300 characters"),
            (
                ["Occupation", "http://" + "x" * 200, "", "dev", "", "", "2512.1"],
                "longer than 200 characters",
            ),
        ],
    )
    def test_refuses_bad_occupation_rows(self, tmp_path: Path, row: list[str], message: str) -> None:
        folder = tmp_path / "esco"
        folder.mkdir()
        write(folder / "occupations_en.csv", OCCUPATION_HEADER, [row])
        with pytest.raises(EscoImportError, match=message):
            import_folder(folder)

    def test_refuses_a_bad_isco_code_and_a_bad_relation_type(self, tmp_path: Path) -> None:
        folder = tmp_path / "esco"
        folder.mkdir()
        write(
            folder / "ISCOGroups_en.csv",
            ISCO_HEADER,
            [["ISCOGroup", ISCO_URI.format("X"), "25a", "ICT", "", "", "", ""]],
        )
        write(
            folder / "occupationSkillRelations.csv",
            ["occupationUri", "relationType", "skillType", "skillUri"],
            [[DEVELOPER, "sometimes", "", PYTHON], ["", "essential", "", PYTHON]],
        )
        with pytest.raises(EscoImportError) as caught:
            import_folder(folder)
        assert len(caught.value.errors) == 3
        assert "“essential” or “optional”" in caught.value.errors[1]

    @pytest.mark.parametrize(
        ("name", "header", "row", "message"),
        [
            (
                "broaderRelationsSkillPillar.csv",
                ["conceptType", "conceptUri", "broaderType", "broaderUri"],
                ["SkillGroup", PYTHON, "SkillGroup", ""],
                "needs both a concept URI and a broader URI",
            ),
            (
                "skills_hierarchy.csv",
                ["PARENTOBJECTTYPE", "PARENTID", "CHILDID", "CHILDOBJECTTYPE"],
                ["SkillGroup", "", "k1", "Skill"],
                "needs both a parent ID and a child ID",
            ),
            (
                "occupation_skill_relations.csv",
                ["OCCUPATIONTYPE", "OCCUPATIONID", "RELATIONTYPE", "SKILLID"],
                ["ESCO", "k1", "essential", ""],
                "needs both an occupation and a skill",
            ),
            (
                "occupation_skill_relations.csv",
                ["OCCUPATIONTYPE", "OCCUPATIONID", "RELATIONTYPE", "SKILLID"],
                ["ESCO", "k1", "maybe", "k2"],
                "must be “essential” or “optional”",
            ),
        ],
    )
    def test_refuses_bad_link_rows(
        self, tmp_path: Path, name: str, header: list[str], row: list[str], message: str
    ) -> None:
        write(tmp_path / name, header, [row])
        with pytest.raises(EscoImportError, match=f"{name}, row 2: the .*{message}"):
            import_folder(tmp_path)

    def test_refuses_a_file_whose_rows_are_not_utf8(self, tmp_path: Path) -> None:
        rows = b"".join(
            b"KnowledgeSkillCompetence,%sskill/%d,skill %d\n" % (ESCO.encode(), n, n) for n in range(500)
        )
        header = b"conceptType,conceptUri,preferredLabel\n"  # the bad byte comes after the first block read
        (tmp_path / "skills_en.csv").write_bytes(header + rows + b"KnowledgeSkillCompetence,x,caf\xe9\n")
        write(
            tmp_path / "ISCOGroups_en.csv",
            ISCO_HEADER,
            [["ISCOGroup", ISCO_URI.format("2"), "2", "P", "", "", "", ""]],
        )
        with pytest.raises(EscoImportError, match="skills_en.csv cannot be read as UTF-8 CSV"):
            import_folder(tmp_path)

    def test_refuses_a_file_that_is_not_utf8(self, tmp_path: Path) -> None:
        folder = tmp_path / "esco"
        folder.mkdir()
        (folder / "skills_en.csv").write_bytes("conceptUri,preferredLabel\nx,caf\xe9\n".encode("latin-1"))
        (folder / "occupations_en.csv").write_bytes("conceptUri,preferredLabel\xe9\n".encode("latin-1"))
        with pytest.raises(EscoImportError, match="cannot be read as UTF-8 CSV") as caught:
            import_folder(folder)
        assert len(caught.value.errors) == 2

    def test_refuses_a_missing_or_empty_folder(self, tmp_path: Path) -> None:
        with pytest.raises(EscoImportError, match="is not a folder"):
            import_folder(tmp_path / "nowhere")
        with pytest.raises(EscoImportError, match="No ESCO or Tabiya CSV file"):
            import_folder(tmp_path)

    def test_a_conflict_found_while_writing_rolls_everything_back(self, tmp_path: Path) -> None:
        Occupation.objects.create(
            code="2512", kind="isco", isco_code="2512", label_en="x", esco_uri=ESCO + "other"
        )
        with pytest.raises(EscoImportError, match="Occupation code 2512 is used by both"):
            import_folder(esco_folder(tmp_path / "esco"))
        assert Occupation.objects.count() == 1 and not Skill.objects.exists()

    def test_a_skill_code_taken_by_another_skill_is_refused(self, tmp_path: Path) -> None:
        Skill.objects.create(code=skill_code(PYTHON), label_en="Python", group="coding")
        with pytest.raises(EscoImportError, match="already belongs to another skill"):
            import_folder(esco_folder(tmp_path / "esco"))
        assert Skill.objects.count() == 1 and not Occupation.objects.exists()

    def test_reports_only_the_first_errors_of_a_broken_file(self, tmp_path: Path) -> None:
        folder = tmp_path / "esco"
        folder.mkdir()
        write(
            folder / "skills_en.csv",
            SKILL_HEADER,
            [["KnowledgeSkillCompetence", "", "", "", "x", "", ""]] * 300,
        )
        with pytest.raises(EscoImportError) as caught:
            import_folder(folder)
        assert len(caught.value.errors) == 201
        assert caught.value.errors[-1] == "… and 100 more errors."


class ConceptKindTests:
    def test_without_a_concept_type_the_kind_comes_from_the_uri_or_the_columns(self, tmp_path: Path) -> None:
        (tmp_path / "sub").mkdir()  # folders inside are not files to read
        rows = [
            [ISCO_URI.format("2"), "2", "Professionals", "", "", ""],
            [DEVELOPER, "2512.4", "software developer", "", "", ""],
            [ICT_FIELD, "", "ICT", "", "", ""],
            [PYTHON, "", "Python", "knowledge", "", ""],
        ]
        write(
            tmp_path / "concepts.csv", ["conceptUri", "code", "preferredLabel", "skillType", "x", "y"], rows
        )
        result = import_folder(tmp_path)
        counts = (result.isco_groups, result.occupations, result.skill_groups, result.skills)
        assert [c.created for c in counts] == [1, 1, 1, 1]
        assert Occupation.objects.get(esco_uri=DEVELOPER).isco_code == "2512"  # from its code

    def test_rows_without_any_value_are_skipped(self, tmp_path: Path) -> None:
        write(
            tmp_path / "skills_en.csv",
            SKILL_HEADER,
            [["", "", "", "", "", "", ""], ["KnowledgeSkillCompetence", PYTHON, "", "", "Python", "", ""]],
        )
        assert import_folder(tmp_path).skills.created == 1

    def test_a_concept_given_as_group_and_as_skill_is_a_skill(self, tmp_path: Path) -> None:
        write(tmp_path / "skillGroups_en.csv", GROUP_HEADER, [["SkillGroup", PYTHON, "Python", "", "", "S1"]])
        write(
            tmp_path / "skills_en.csv",
            SKILL_HEADER,
            [["KnowledgeSkillCompetence", PYTHON, "knowledge", "", "Python", "", ""]],
        )
        result = import_folder(tmp_path)
        assert (result.skill_groups.created, result.skills.created) == (0, 1)
        assert Skill.objects.get().skill_type == "knowledge"

    def test_codes_of_skills_outside_esco_are_stable_hashes(self) -> None:
        code = skill_code("https://example.org/skills/42")
        assert (
            code.startswith("esco:")
            and len(code) == 37
            and code == skill_code("https://example.org/skills/42")
        )


class TabiyaFormatTests:
    def test_imports_tabiya_files_linked_by_id(self, tmp_path: Path) -> None:
        result = import_folder(tabiya_folder(tmp_path / "tabiya"))

        assert (result.isco_groups.created, result.occupations.created) == (3, 1)
        assert (result.skill_groups.created, result.skills.created) == (1, 2)
        assert result.relations.created == 2
        assert (result.relations_unknown_occupation, result.relations_unknown_skill) == (1, 1)
        assert result.links_unknown == 1
        assert (
            "skill_skill_relations.csv",
            "Tabiya skill–skill relations: recognized, not imported: Maharat does not store this",
        ) in result.ignored
        developer = Occupation.objects.get(esco_uri=DEVELOPER)
        assert (developer.code, developer.isco_code, developer.parent.code) == ("2512.4", "2512", "2512")
        assert developer.alt_labels_en == ["programmer", "coder"]
        assert Occupation.objects.get(code="25").parent.code == "2"
        assert Occupation.objects.get(code="2512").parent.code == "25"  # not under 251: Tabiya says 25
        python = Skill.objects.get(esco_uri=PYTHON)
        assert python.synonyms_en == ["python 3", "Python language"]
        assert python.broader.esco_uri == PROGRAMMING
        assert relation(DEVELOPER, PYTHON) == "essential"
        assert relation(DEVELOPER, TEAMWORK) == "optional"

        again = import_folder(tmp_path / "tabiya")
        assert (again.created, again.updated) == (0, 0)

    def test_esco_and_tabiya_of_the_same_release_merge_by_uri(self, tmp_path: Path) -> None:
        import_folder(esco_folder(tmp_path / "esco"))
        result = import_folder(tabiya_folder(tmp_path / "tabiya"))

        assert result.skills.created == 0 and result.occupations.created == 0
        assert Skill.objects.filter(esco_uri=PYTHON).count() == 1
        assert (result.relations.created, result.relations.unchanged) == (0, 2)
        assert (import_folder(tmp_path / "esco").created, import_folder(tmp_path / "esco").updated) == (0, 0)


class CuratedSkillsTests:
    def test_esco_fills_a_curated_skill_without_touching_its_labels(self, tmp_path: Path) -> None:
        curated = Skill.objects.create(
            code="coding-python",
            label_en="Python programming",
            label_ar="البرمجة بلغة بايثون",
            synonyms_ar=["بايثون"],
            group=SkillGroup.CODING,
            esco_uri=PYTHON,
            curated=True,
        )
        teamwork = Skill.objects.create(
            code="soft-teamwork",
            label_en="Teamwork",
            label_ar="العمل الجماعي",
            synonyms_en=["team work"],
            group=SkillGroup.SOFT,
            esco_uri=TEAMWORK,
            curated=True,
        )

        result = import_folder(esco_folder(tmp_path / "esco"))

        curated.refresh_from_db()
        assert (curated.code, curated.label_en, curated.label_ar) == (
            "coding-python",
            "Python programming",
            "البرمجة بلغة بايثون",
        )
        assert (curated.group, curated.curated, curated.synonyms_ar) == (SkillGroup.CODING, True, ["بايثون"])
        assert (curated.description_en, curated.skill_type, curated.reuse_level) == (
            "A lang.",
            "knowledge",
            "sector-specific",
        )
        assert curated.synonyms_en == ["python 3", "Python programming"]  # it had none: ESCO's are added
        assert curated.broader.esco_uri == PROGRAMMING
        teamwork.refresh_from_db()
        assert teamwork.synonyms_en == ["team work"]  # it had its own: kept
        assert (result.skills.created, result.skills.updated) == (1, 2)
        assert Skill.objects.filter(esco_uri__in=[PYTHON, TEAMWORK]).count() == 2
        assert relation(DEVELOPER, PYTHON) == "essential"
        assert (import_folder(tmp_path / "esco").created, import_folder(tmp_path / "esco").updated) == (0, 0)

    def test_esco_fills_the_uri_of_a_curated_isco_group_and_keeps_its_labels(self, tmp_path: Path) -> None:
        ours = Occupation.objects.create(
            code="2512",
            kind="isco",
            isco_code="2512",
            label_en="Software developers (ours)",
            label_ar="مطورو البرمجيات",
        )
        import_folder(esco_folder(tmp_path / "esco"))
        ours.refresh_from_db()
        assert ours.esco_uri == ISCO_URI.format("2512")
        assert (ours.label_en, ours.label_ar) == ("Software developers (ours)", "مطورو البرمجيات")
        assert ours.parent.code == "251"
        assert Occupation.objects.get(esco_uri=DEVELOPER).parent == ours


class ImportEscoCommandTests:
    def test_prints_what_it_read_wrote_and_skipped(self, tmp_path: Path) -> None:
        out = io.StringIO()
        call_command("import_esco", str(esco_folder(tmp_path / "esco")), stdout=out)
        text = out.getvalue()
        assert "read occupations_en.csv (ESCO concepts): 3 rows" in text
        assert "ignored README.txt: not a CSV file" in text
        assert "skills: 3 created, 0 updated, 0 unchanged" in text
        assert "skipped 2 relations: 1 name an unknown occupation, 1 an unknown skill" in text
        assert "100%" in text and "Done in" in text

    def test_dry_run_says_nothing_was_written(self, tmp_path: Path) -> None:
        out = io.StringIO()
        call_command("import_esco", str(tabiya_folder(tmp_path / "t")), "--dry-run", stdout=out)
        assert "Dry run" in out.getvalue() and "broader links naming an unknown concept" in out.getvalue()
        assert not Skill.objects.exists()

    def test_refuses_bad_input_with_the_errors(self, tmp_path: Path) -> None:
        folder = tmp_path / "esco"
        folder.mkdir()
        write(
            folder / "skills_en.csv",
            SKILL_HEADER,
            [["KnowledgeSkillCompetence", "", "", "", "x", "", ""]] * 60,
        )
        with pytest.raises(CommandError) as caught:
            call_command("import_esco", str(folder), stdout=io.StringIO())
        message = str(caught.value)
        assert message.startswith("Nothing was imported:")
        assert "skills_en.csv, row 2: the row has no concept URI." in message
        assert "… and 10 more." in message
