"""Exporting people: CSV and XLSX, HXL hashtags, pseudonymized research files, audit, and the command."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maharat.core.errors import AccessDenied
from maharat.core.models import AuditAction, AuditLog
from maharat.people import access, importing
from maharat.people.exporting import FULL_COLUMNS, RESEARCH_COLUMNS, export_people
from maharat.people.models import Person


def read_csv(content: bytes) -> list[list[str]]:
    """Rows of an exported CSV (which starts with a UTF-8 byte-order mark for Excel)."""
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def identifying_values(personas: Any) -> list[str]:
    """Names, phones, identity numbers and exact birth dates of the personas."""
    values = []
    for person in (personas.amal, personas.omar, personas.hassan):
        values += [
            person.given_name_latin,
            person.family_name_ar,
            person.phone,
            person.date_of_birth.isoformat(),
        ]
        values += [v for v in (person.national_id, person.unhcr_case_number, person.locality) if v]
        values.append(str(person.public_id))
    return values


class ExportPeopleTests:
    def test_csv_has_fixed_english_headers_and_one_row_per_person(self, personas: Any) -> None:
        content = export_people(queryset=Person.objects.all(), actor=personas.admin, fmt="csv")
        rows = read_csv(content)
        assert rows[0] == [name for name, _tag in FULL_COLUMNS]
        assert len(rows) == 4
        by_phone = {row[rows[0].index("phone")]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
        amal = by_phone["+962791234567"]
        assert amal["given_name_ar"] == "أمل" and amal["date_of_birth"] == "1994-03-12"
        assert (amal["governorate"], amal["governorate_pcode"]) == ("Mafraq", "JO22")
        assert (
            amal["unhcr_case_number"] == "945-12345678"
            and amal["registered_by"] == "Mafraq Women's Association"
        )
        assert amal["female_headed_household"] == "yes" and amal["languages"] == "ar"
        hassan = by_phone["+962775556677"]
        assert (hassan["wg_walking"], hassan["wg_seeing"], hassan["wg_hearing"]) == ("3", "2", "")
        assert hassan["has_disability"] == "yes"

    def test_csv_with_hxl_row_under_the_header(self, personas: Any) -> None:
        content = export_people(queryset=Person.objects.all(), actor=personas.admin, fmt="csv", hxl=True)
        rows = read_csv(content)
        tags = dict(zip(rows[0], rows[1], strict=True))
        assert tags["sex"] == "#sex"
        assert tags["date_of_birth"] == "#date+birth"
        assert tags["governorate"] == "#adm1+name" and tags["governorate_pcode"] == "#adm1+code"
        assert tags["phone"] == "#contact+phone"
        assert all(tag.startswith("#") for tag in rows[1])
        assert len(rows) == 5

    def test_hxl_export_reads_back_with_the_same_mapping(self, personas: Any) -> None:
        content = export_people(queryset=Person.objects.all(), actor=personas.admin, fmt="csv", hxl=True)
        table = importing.read_table("export.csv", content)
        assert len(table.rows) == 3 and table.hxl_tags["phone"] == "#contact+phone"
        mapping = importing.suggest_mapping(table.headers, table.hxl_tags, table.rows)
        assert {f: c for f, c in mapping.items() if f != "governorate"} == {
            f: f for f in mapping if f != "governorate"
        }
        report = importing.validate_import(table=table, mapping=mapping, organization=personas.partner)
        # Everyone is already registered: the only errors are the duplicates.
        assert {e.field for e in report.errors} <= {"phone", "national_id", "unhcr_case_number"}
        assert report.rows_with_errors == 3

    def test_xlsx_export_has_the_same_content(self, personas: Any) -> None:
        content = export_people(queryset=Person.objects.all(), actor=personas.admin, fmt="xlsx", hxl=True)
        table = importing.read_table("export.xlsx", content)
        assert table.headers == [name for name, _tag in FULL_COLUMNS]
        assert table.hxl_tags["date_of_birth"] == "#date+birth"
        amal = next(row for row in table.rows if row["phone"] == "+962791234567")
        assert amal["date_of_birth"] == "1994-03-12" and amal["given_name_latin"] == "Amal"

    def test_researcher_export_has_no_names_phones_ids_or_birth_dates(self, personas: Any) -> None:
        people = access.research_people(personas.researcher)
        content = export_people(
            queryset=people, actor=personas.researcher, fmt="csv", hxl=True, researcher=True
        )
        rows = read_csv(content)
        assert rows[0] == [name for name, _tag in RESEARCH_COLUMNS]
        text = content.decode("utf-8-sig")
        for value in identifying_values(personas):
            assert value not in text
        # Omar did not consent to research.
        assert len(rows) == 2 + 2
        records = [dict(zip(rows[0], row, strict=True)) for row in rows[2:]]
        assert {r["pseudonym"] for r in records} == {
            access.pseudonym(personas.amal),
            access.pseudonym(personas.hassan),
        }
        assert {r["birth_year"] for r in records} == {"1994", "1988"}

    def test_researcher_cannot_export_identified_records(self, personas: Any) -> None:
        with pytest.raises(AccessDenied):
            export_people(queryset=Person.objects.all(), actor=personas.researcher, fmt="csv")
        assert not AuditLog.objects.filter(action=AuditAction.EXPORT).exists()

    def test_every_export_is_audited_once_with_count_and_pseudonymization(self, personas: Any) -> None:
        export_people(queryset=Person.objects.all(), actor=personas.admin, fmt="xlsx", hxl=True)
        export_people(
            queryset=access.research_people(personas.researcher),
            actor=personas.researcher,
            fmt="csv",
            researcher=True,
        )
        first, second = AuditLog.objects.filter(action=AuditAction.EXPORT).order_by("id")
        assert first.actor == personas.admin and first.subject_type == "people.person"
        assert first.detail == {"count": 3, "pseudonymized": False, "format": "xlsx", "hxl": True}
        assert second.actor == personas.researcher
        assert second.detail == {"count": 2, "pseudonymized": True, "format": "csv", "hxl": False}

    def test_formula_like_names_are_neutralized(self, personas: Any) -> None:
        Person.objects.filter(pk=personas.omar.pk).update(given_name_latin='=HYPERLINK("http://x")')
        rows = read_csv(export_people(queryset=Person.objects.all(), actor=personas.admin, fmt="csv"))
        names = [row[rows[0].index("given_name_latin")] for row in rows[1:]]
        assert '\'=HYPERLINK("http://x")' in names
        table = importing.read_table(
            "e.xlsx", export_people(queryset=Person.objects.all(), actor=personas.admin, fmt="xlsx")
        )
        assert '=HYPERLINK("http://x")' in [row["given_name_latin"] for row in table.rows]

    def test_reads_people_in_chunks_without_a_query_per_person(
        self, personas: Any, django_assert_max_num_queries: Any
    ) -> None:
        # The actor's roles (2), the people with their governorate and organization (1), the audit entry (1).
        with django_assert_max_num_queries(4):
            export_people(queryset=Person.objects.all(), actor=personas.admin, fmt="csv")

    def test_unknown_format_is_a_programming_error(self, personas: Any) -> None:
        with pytest.raises(ValueError):
            export_people(queryset=Person.objects.all(), actor=personas.admin, fmt="pdf")  # type: ignore[arg-type]


class ExportCommandTests:
    def test_exports_everything_as_csv_with_hxl(self, personas: Any, tmp_path: Path) -> None:
        output = tmp_path / "people.csv"
        out = io.StringIO()
        call_command(
            "export_people", "--all", "--format", "csv", "--hxl", "--output", str(output), "--actor", "admin",
            stdout=out,
        )  # fmt: skip
        rows = read_csv(output.read_bytes())
        assert rows[1][0] == "#meta+id" and len(rows) == 5
        assert "Exported 3 people" in out.getvalue() and "100% 3/3" in out.getvalue()
        assert AuditLog.objects.filter(action=AuditAction.EXPORT, actor=personas.admin).count() == 1

    def test_officer_exports_people_registered_by_their_organization(
        self, personas: Any, tmp_path: Path
    ) -> None:
        output = tmp_path / "people.xlsx"
        call_command(
            "export_people", "--organization", "mafraq-ngo", "--format", "xlsx", "--output", str(output),
            "--actor", "officer", stdout=io.StringIO(),
        )  # fmt: skip
        table = importing.read_table("people.xlsx", output.read_bytes())
        assert sorted(row["given_name_latin"] for row in table.rows) == ["Amal", "Hassan"]

    def test_pseudonymized_export_for_researcher(self, personas: Any, tmp_path: Path) -> None:
        output = tmp_path / "research.csv"
        call_command(
            "export_people", "--all", "--pseudonymized", "--output", str(output), "--actor", "researcher",
            stdout=io.StringIO(),
        )  # fmt: skip
        text = output.read_bytes().decode("utf-8-sig")
        assert text.startswith("pseudonym,")
        for value in identifying_values(personas):
            assert value not in text

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--all", "--actor", "researcher"], "pseudonymized"),
            (["--all", "--actor", "employer"], "may not export"),
            (["--all", "--actor", "nobody"], "No user"),
            (["--organization", "nowhere", "--actor", "admin"], "No organization"),
        ],
    )
    def test_refuses_actors_without_the_right_and_unknown_names(
        self, personas: Any, tmp_path: Path, args: list[str], message: str
    ) -> None:
        output = tmp_path / "x.csv"
        with pytest.raises(CommandError, match=message):
            call_command("export_people", *args, "--output", str(output), stdout=io.StringIO())
        assert not output.exists()
