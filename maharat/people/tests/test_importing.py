"""Importing people from CSV, XLSX and KoBoToolbox exports: reading, mapping, checking, all-or-nothing import."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext

from maharat.core.errors import DomainError, DuplicatePersonError
from maharat.core.models import AuditAction, AuditLog
from maharat.people import importing
from maharat.people.choices import ConsentChannel, ConsentPurpose
from maharat.people.models import Consent, DuplicateFlag, ImportJob, Person

HEADER = [
    "given_name_ar",
    "family_name_ar",
    "given_name_latin",
    "family_name_latin",
    "sex",
    "date_of_birth",
    "nationality",
    "legal_status",
    "phone",
    "governorate",
    "languages",
]
GOOD_ROWS = [
    [
        "فاطمة",
        "الخطيب",
        "Fatima",
        "Al-Khatib",
        "F",
        "1992-05-14",
        "SY",
        "refugee",
        "0791110001",
        "Irbid",
        "ar",
    ],
    [
        "يوسف",
        "النعيمي",
        "Yousef",
        "Al-Nuaimi",
        "M",
        "14/02/1999",
        "JO",
        "jordanian",
        "0781110002",
        "عمان",
        "ar en",
    ],
    [
        "زينب",
        "الساعدي",
        "Zainab",
        "Al-Saadi",
        "أنثى",
        "1987-11-30",
        "Iraqi",
        "Migrant worker",
        "",
        "JO13",
        "",
    ],
]


def csv_bytes(rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    """A CSV file as an upload would carry it."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    """An XLSX workbook with one sheet holding the rows."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def good_table() -> importing.Table:
    """Three valid people, none of them already registered."""
    return importing.read_table("people.csv", csv_bytes([HEADER, *GOOD_ROWS]))


def full_mapping(table: importing.Table) -> dict[str, str]:
    """The suggested mapping, asserted to cover every column of the standard header."""
    mapping = importing.suggest_mapping(table.headers, table.hxl_tags, table.rows)
    assert set(mapping) == set(HEADER)
    return mapping


class ReadTableTests:
    def test_reads_utf8_csv_with_byte_order_mark(self) -> None:
        table = importing.read_table("a.csv", b"\xef\xbb\xbf" + csv_bytes([HEADER, GOOD_ROWS[0]]))
        assert table.headers == HEADER
        assert table.rows[0]["given_name_ar"] == "فاطمة"
        assert table.row_numbers == [2]

    def test_falls_back_to_windows_arabic_encoding(self) -> None:
        content = csv_bytes([["الاسم", "الجنس"], ["فاطمة", "أنثى"]], encoding="cp1256")
        table = importing.read_table("a.csv", content)
        assert table.headers == ["الاسم", "الجنس"]
        assert table.rows == [{"الاسم": "فاطمة", "الجنس": "أنثى"}]

    @pytest.mark.parametrize("delimiter", [",", ";", "\t"])
    def test_detects_the_delimiter(self, delimiter: str) -> None:
        content = csv_bytes(
            [["name", "sex", "dob"], ["Amal, Al-Hassan", "F", "1990-01-01"]], delimiter=delimiter
        )
        table = importing.read_table("a.csv", content)
        assert table.headers == ["name", "sex", "dob"]
        assert table.rows[0]["name"] == "Amal, Al-Hassan"

    def test_reads_utf16_text_saved_by_excel(self) -> None:
        table = importing.read_table("a.txt", "الاسم\tالجنس\r\nأمل\tF\r\n".encode("utf-16"))
        assert table.rows == [{"الاسم": "أمل", "الجنس": "F"}]

    def test_refuses_csv_it_cannot_parse(self) -> None:
        content = b'name,notes\nAmal,"' + b"x" * 200_000 + b'"\n'
        with pytest.raises(DomainError, match="CSV"):
            importing.read_table("a.csv", content)

    def test_single_column_file_falls_back_to_comma(self) -> None:
        table = importing.read_table("a.csv", b"name\nAmal\nOmar\n")
        assert table.headers == ["name"]
        assert [r["name"] for r in table.rows] == ["Amal", "Omar"]

    def test_honours_excel_separator_hint(self) -> None:
        table = importing.read_table("a.csv", b"sep=;\nname;sex\nAmal;F\n")
        assert table.headers == ["name", "sex"]
        assert table.row_numbers == [3]

    def test_row_numbers_are_those_of_the_file_when_blank_lines_are_skipped(self) -> None:
        table = importing.read_table("a.csv", b"name,sex\nAmal,F\n,\n\nOmar,M\n")
        assert table.row_numbers == [2, 5]

    def test_detects_and_skips_hxl_hashtag_row(self) -> None:
        content = csv_bytes(
            [["Gender", "Gov", "Mobile"], ["#sex", "#adm1 +name", ""], ["F", "Mafraq", "0791110001"]]
        )
        table = importing.read_table("a.csv", content)
        assert table.hxl_tags == {"Gender": "#sex", "Gov": "#adm1+name"}
        assert table.rows == [{"Gender": "F", "Gov": "Mafraq", "Mobile": "0791110001"}]
        assert table.row_numbers == [3]

    def test_a_data_row_starting_with_a_hash_is_not_taken_for_hxl(self) -> None:
        table = importing.read_table("a.csv", csv_bytes([["note", "sex"], ["#1 priority", "F"]]))
        assert table.hxl_tags == {}
        assert len(table.rows) == 1

    def test_reads_first_sheet_of_xlsx_with_dates_and_whole_numbers(self) -> None:
        content = xlsx_bytes(
            [
                ["name", "dob", "phone", "score", "registered"],
                ["Amal", dt.date(1994, 3, 12), 791110001, 2.5, True],
            ]
        )
        table = importing.read_table("a.xlsx", content)
        assert table.rows == [
            {"name": "Amal", "dob": "1994-03-12", "phone": "791110001", "score": "2.5", "registered": "true"}
        ]

    def test_duplicate_and_missing_column_names_are_made_unique(self) -> None:
        table = importing.read_table("a.csv", b"name,name,,sex\nA,B,C,F\n")
        assert table.headers == ["name", "name (2)", "column 3", "sex"]

    def test_refuses_files_larger_than_the_limit(self, settings: Any) -> None:
        settings.MAX_IMPORT_BYTES = 100
        with pytest.raises(DomainError) as caught:
            importing.read_table("a.csv", csv_bytes([HEADER, *GOOD_ROWS]))
        assert "MB" in caught.value.messages[0]

    def test_refuses_oversized_upload_before_reading_it(self, settings: Any) -> None:
        settings.MAX_IMPORT_BYTES = 10
        upload = SimpleUploadedFile("a.csv", b"name,sex\nAmal,F\n")
        with pytest.raises(DomainError):
            importing.read_upload(upload)

    def test_reads_upload_within_the_limit(self) -> None:
        upload = SimpleUploadedFile("a.csv", b"name,sex\nAmal,F\n")
        assert importing.read_upload(upload) == b"name,sex\nAmal,F\n"

    @pytest.mark.parametrize("name", ["people.pdf", "people", "people.xls", "people.json"])
    def test_refuses_unknown_extensions(self, name: str) -> None:
        with pytest.raises(DomainError):
            importing.read_table(name, b"name\nAmal\n")

    def test_refuses_empty_file(self) -> None:
        with pytest.raises(DomainError, match="empty"):
            importing.read_table("a.csv", b"  \n")

    def test_refuses_file_with_only_a_header(self) -> None:
        with pytest.raises(DomainError, match="no data rows"):
            importing.read_table("a.csv", b"name,sex\n")

    def test_refuses_file_with_only_header_and_hxl_row(self) -> None:
        with pytest.raises(DomainError, match="no data rows"):
            importing.read_table("a.csv", b"name,sex\n#meta+name,#sex\n")

    def test_refuses_file_whose_rows_are_all_blank(self) -> None:
        with pytest.raises(DomainError, match="empty"):
            importing.read_table("a.csv", b",,\n , ,\n")

    def test_refuses_more_rows_than_the_cap(self, settings: Any) -> None:
        settings.MAX_IMPORT_ROWS = 1
        with pytest.raises(DomainError, match="more than 1 rows"):
            importing.read_table("a.csv", csv_bytes([HEADER, *GOOD_ROWS]))

    def test_refuses_a_file_that_is_not_a_workbook(self) -> None:
        with pytest.raises(DomainError, match="Excel"):
            importing.read_table("a.xlsx", b"name,sex\nAmal,F\n")

    def test_refuses_binary_data_named_csv(self) -> None:
        with pytest.raises(DomainError):
            importing.read_table("a.csv", b"name\x00\x01\x02\nx\x00y\n")


class SuggestMappingTests:
    def test_maps_field_names_and_english_synonyms(self) -> None:
        headers = ["First Name", "Surname", "Gender", "DOB", "Mobile", "Governorate", "Nationality", "Status"]
        mapping = importing.suggest_mapping(headers)
        assert mapping["given_name_latin"] == "First Name"
        assert mapping["family_name_latin"] == "Surname"
        assert mapping["sex"] == "Gender"
        assert mapping["date_of_birth"] == "DOB"
        assert mapping["phone"] == "Mobile"
        assert mapping["governorate"] == "Governorate"
        assert mapping["nationality"] == "Nationality"
        assert "legal_status" not in mapping

    def test_maps_arabic_headers(self) -> None:
        headers = [
            "الاسم الأول",
            "اسم العائلة",
            "الجنس",
            "تاريخ الميلاد",
            "رقم الهاتف",
            "المحافظة",
            "الجنسية",
        ]
        mapping = importing.suggest_mapping(headers)
        assert mapping == {
            "given_name_ar": "الاسم الأول",
            "family_name_ar": "اسم العائلة",
            "sex": "الجنس",
            "date_of_birth": "تاريخ الميلاد",
            "phone": "رقم الهاتف",
            "governorate": "المحافظة",
            "nationality": "الجنسية",
        }

    def test_maps_last_segment_of_kobo_group_paths_and_ignores_meta_columns(self) -> None:
        headers = [
            "start",
            "end",
            "group_personal/given_name",
            "respondent/name_ar",
            "group_personal/sex",
            "_uuid",
            "_submission_time",
            "_index",
            "_id",
            "_validation_status",
            "meta/instanceID",
        ]
        mapping = importing.suggest_mapping(headers)
        assert mapping["given_name_ar"] == "respondent/name_ar"
        assert mapping["given_name_latin"] == "group_personal/given_name"
        assert mapping["sex"] == "group_personal/sex"
        assert not any(column.startswith("_") or column in ("start", "end") for column in mapping.values())

    def test_name_column_goes_to_the_script_of_its_values(self) -> None:
        rows = [{"first_name": "أمل"}, {"first_name": "عمر"}, {"first_name": "Omar"}]
        assert importing.suggest_mapping(["first_name"], sample_rows=rows) == {"given_name_ar": "first_name"}

    def test_hxl_tags_drive_the_mapping(self) -> None:
        headers = ["A", "B", "C", "D", "E", "F"]
        tags = {
            "A": "#sex",
            "B": "#adm1+code",
            "C": "#contact+phone",
            "D": "#date+birth",
            "E": "#affected+refugees",
        }
        mapping = importing.suggest_mapping(headers, tags)
        assert mapping == {"sex": "A", "date_of_birth": "D", "phone": "C", "governorate": "B"}

    def test_consent_column_is_recognized(self) -> None:
        assert importing.suggest_mapping(["consent_given"]) == {"consent": "consent_given"}

    def test_target_fields_are_the_editable_fields_and_consent(self) -> None:
        names = [name for name, _label in importing.target_fields()]
        assert names[-1] == "consent"
        assert "phone" in names and "governorate" in names and "public_id" not in names


@pytest.mark.django_db
class ValueParsingTests:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("F", "F"),
            ("female", "F"),
            ("Female", "F"),
            ("أنثى", "F"),
            ("انثى", "F"),
            ("M", "M"),
            ("ذكر", "M"),
        ],
    )
    def test_sex(self, raw: str, expected: str) -> None:
        assert importing.parse_sex(raw) == expected

    def test_sex_codes_are_refused_rather_than_guessed(self) -> None:
        with pytest.raises(ValidationError):
            importing.parse_sex("1")

    @pytest.mark.parametrize(
        "raw",
        [
            "1994-03-12",
            "1994/03/12",
            "12/03/1994",
            "12-03-1994",
            "12.3.1994",
            "1994-03-12T00:00:00.000+03:00",
            "34405",
            "١٩٩٤-٠٣-١٢",
        ],
    )
    def test_dates(self, raw: str) -> None:
        assert importing.parse_date(raw) == dt.date(1994, 3, 12)

    @pytest.mark.parametrize("raw", ["31/02/1994", "1994", "March 12 1994", "12/03/94"])
    def test_bad_dates_are_refused(self, raw: str) -> None:
        with pytest.raises(ValidationError):
            importing.parse_date(raw)

    @pytest.mark.parametrize(
        "raw", ["ZA", "JO13", "Zarqa", "zarka", "Al-Zarqa", "الزرقاء", "الزرقا", "زرقاء", "محافظة الزرقاء"]
    )
    def test_governorate_by_code_pcode_or_name(self, raw: str) -> None:
        governorates = importing._governorate_index()
        assert importing._parse_value("governorate", raw, governorates).code == "ZA"

    @pytest.mark.parametrize(
        ("raw", "code"), [("الطفيله", "TA"), ("Tafileh", "TA"), ("Ma'an", "MN"), ("اربد", "IR")]
    )
    def test_governorate_spelling_variants(self, raw: str, code: str) -> None:
        assert importing._parse_value("governorate", raw, importing._governorate_index()).code == code

    def test_unknown_governorate_is_an_error(self) -> None:
        with pytest.raises(ValidationError):
            importing._parse_value("governorate", "Damascus", importing._governorate_index())

    @pytest.mark.parametrize(("raw", "code"), [("SY", "SY"), ("syr", "SY"), ("Syrian", "SY"), ("سورية", "SY"),
                                               ("سوري", "SY"), ("العراق", "IQ"), ("Jordan", "JO"), ("other", "XX")])  # fmt: skip
    def test_nationality(self, raw: str, code: str) -> None:
        assert importing._parse_value("nationality", raw, {}) == code

    @pytest.mark.parametrize(
        ("raw", "value"),
        [
            ("refugee", "refugee"),
            ("Refugee registered with UNHCR", "refugee"),
            ("لاجئة", "refugee"),
            ("asylum_seeker", "asylum_seeker"),
            ("Asylum seeker", "asylum_seeker"),
            ("Migrant worker", "migrant_worker"),
            ("عامل وافد", "migrant_worker"),
        ],
    )
    def test_legal_status(self, raw: str, value: str) -> None:
        assert importing._parse_value("legal_status", raw, {}) == value

    @pytest.mark.parametrize(
        ("raw", "value"),
        [("1", 1), ("4", 4), ("No difficulty", 1), ("a_lot_of_difficulty", 3), ("صعوبة كبيرة", 3),
         ("Cannot do at all", 4), ("refused", None)],
    )  # fmt: skip
    def test_washington_group_answers(self, raw: str, value: int | None) -> None:
        assert importing.parse_wg(raw) == value

    def test_washington_group_answer_out_of_range_is_an_error(self) -> None:
        with pytest.raises(ValidationError):
            importing.parse_wg("5")

    @pytest.mark.parametrize(("raw", "value"), [("yes", True), ("نعم", True), ("1", True), ("TRUE", True),
                                                ("no", False), ("لا", False), ("0", False), ("false", False)])  # fmt: skip
    def test_booleans(self, raw: str, value: bool) -> None:
        assert importing.parse_bool(raw) is value

    @pytest.mark.parametrize(
        ("raw", "codes"),
        [("ar en", ["ar", "en"]), ("ar, en", ["ar", "en"]), ("Arabic; English", ["ar", "en"]),
         ("العربية، الإنجليزية", ["ar", "en"]), ("اللغة العربية", ["ar"]), ("ar ar", ["ar"])],
    )  # fmt: skip
    def test_languages(self, raw: str, codes: list[str]) -> None:
        assert importing.parse_languages(raw) == codes

    @pytest.mark.parametrize(("target", "raw"), [("nationality", "Martian"), ("female_headed_household", "maybe"),
                                                  ("languages", "ar klingon"), ("legal_status", "tourist")])  # fmt: skip
    def test_unknown_answers_are_errors(self, target: str, raw: str) -> None:
        with pytest.raises(ValidationError) as caught:
            importing._parse_value(target, raw, {})
        assert raw.split()[-1] in caught.value.messages[0]

    def test_phone_in_local_form_becomes_e164(self) -> None:
        assert importing._parse_value("phone", "079 111 0001", {}) == "+962791110001"

    def test_choice_fields_accept_labels(self) -> None:
        assert importing._parse_value("education_level", "Secondary (Tawjihi)", {}) == "tawjihi"
        assert importing._parse_value("household_role", "head", {}) == "head"
        assert importing._parse_value("preferred_channel", "WhatsApp", {}) == "whatsapp"
        assert importing._parse_value("preferred_language", "English", {}) == "en"


class ValidateImportTests:
    def test_good_file_has_no_errors_and_writes_nothing(self, personas: Any) -> None:
        table = good_table()
        people, audits = Person.objects.count(), AuditLog.objects.count()
        report = importing.validate_import(
            table=table, mapping=full_mapping(table), organization=personas.partner, actor=personas.officer
        )
        assert report.ok, report.errors
        assert report.rows_total == 3 and report.rows_valid == 3
        assert (Person.objects.count(), AuditLog.objects.count()) == (people, audits)

    def test_malformed_rows_are_reported_with_row_numbers_and_columns(self, personas: Any) -> None:
        rows = [
            HEADER,
            GOOD_ROWS[0],
            ["سارة", "", "", "", "F", "1990-01-01", "SY", "refugee", "12345", "Irbid", ""],
            ["ليلى", "", "", "", "F", "2999-01-01", "SY", "refugee", "", "Irbid", ""],
            ["هدى", "", "", "", "F", "1990-01-01", "SY", "refugee", "", "Damascus", ""],
            ["مها", "", "", "", "", "1990-01-01", "SY", "refugee", "", "Irbid", ""],
            ["", "", "", "", "F", "1990-01-01", "SY", "refugee", "", "Irbid", ""],
        ]
        table = importing.read_table("bad.csv", csv_bytes(rows))
        report = importing.validate_import(
            table=table, mapping=full_mapping(table), organization=personas.partner, actor=personas.officer
        )
        found = {(e.row_number, e.column) for e in report.errors}
        assert found == {
            (3, "phone"),
            (4, "date_of_birth"),
            (5, "governorate"),
            (6, "sex"),
            (7, "given_name_ar"),
        }
        messages = {e.row_number: e.message for e in report.errors}
        assert "12345" in messages[3]
        assert messages[4] == "The date of birth cannot be in the future."
        assert "Damascus" in messages[5]
        assert report.rows_valid == 1
        assert report.as_dict()["error_count"] == 5

    def test_impossible_and_too_young_birth_dates_are_errors(self, personas: Any) -> None:
        too_young = (dt.date.today() - dt.timedelta(days=365 * 10)).isoformat()
        rows = [HEADER, [*GOOD_ROWS[0][:5], "30/02/1990", *GOOD_ROWS[0][6:]]]
        rows.append([*GOOD_ROWS[1][:5], too_young, *GOOD_ROWS[1][6:]])
        table = importing.read_table("bad.csv", csv_bytes(rows))
        report = importing.validate_import(
            table=table, mapping=full_mapping(table), organization=personas.partner
        )
        assert [(e.row_number, e.field) for e in report.errors] == [
            (2, "date_of_birth"),
            (3, "date_of_birth"),
        ]
        assert "at least 14" in report.errors[1].message

    def test_phone_already_registered_is_an_error(self, personas: Any) -> None:
        rows = [HEADER, [*GOOD_ROWS[0][:8], "+962 79 123 4567", *GOOD_ROWS[0][9:]]]
        table = importing.read_table("dup.csv", csv_bytes(rows))
        report = importing.validate_import(
            table=table, mapping=full_mapping(table), organization=personas.partner
        )
        assert len(report.errors) == 1
        error = report.errors[0]
        assert (error.row_number, error.column, error.field) == (2, "phone", "phone")
        assert "already registered" in error.message and str(personas.amal.pk) in error.message

    def test_document_already_registered_is_an_error(self, personas: Any) -> None:
        rows = [[*HEADER, "UNHCR case"], [*GOOD_ROWS[0], "945-12345678"]]
        table = importing.read_table("dup.csv", csv_bytes(rows))
        mapping = {**full_mapping_for(table), "unhcr_case_number": "UNHCR case"}
        report = importing.validate_import(table=table, mapping=mapping, organization=personas.partner)
        assert [(e.row_number, e.field) for e in report.errors] == [(2, "unhcr_case_number")]

    def test_same_phone_twice_in_the_file_is_an_error(self, personas: Any) -> None:
        rows = [HEADER, GOOD_ROWS[0], GOOD_ROWS[1], [*GOOD_ROWS[2][:8], "+962791110001", *GOOD_ROWS[2][9:]]]
        table = importing.read_table("dup.csv", csv_bytes(rows))
        report = importing.validate_import(
            table=table, mapping=full_mapping(table), organization=personas.partner
        )
        assert [(e.row_number, e.field) for e in report.errors] == [(4, "phone")]
        assert "row 2" in report.errors[0].message

    def test_required_field_without_a_column_is_a_file_error(self, personas: Any) -> None:
        table = good_table()
        mapping = {k: v for k, v in full_mapping(table).items() if k != "governorate"}
        report = importing.validate_import(table=table, mapping=mapping, organization=personas.partner)
        assert [(e.row_number, e.field) for e in report.errors] == [(None, "governorate")]
        assert report.rows_valid == 0

    def test_mapping_to_an_unknown_column_or_field_is_an_error(self, personas: Any) -> None:
        table = good_table()
        mapping = {**full_mapping(table), "phone": "Telephone", "shoe_size": "sex"}
        report = importing.validate_import(table=table, mapping=mapping, organization=personas.partner)
        assert {e.field for e in report.errors} == {"phone", "shoe_size"}

    def test_consent_column_must_say_yes(self, personas: Any) -> None:
        rows = [[*HEADER, "consent"], [*GOOD_ROWS[0], "yes"], [*GOOD_ROWS[1], "no"], [*GOOD_ROWS[2], ""]]
        table = importing.read_table("c.csv", csv_bytes(rows))
        mapping = importing.suggest_mapping(table.headers)
        assert mapping["consent"] == "consent"
        report = importing.validate_import(
            table=table, mapping=mapping, organization=personas.partner, consent_confirmed=False
        )
        assert [(e.row_number, e.field) for e in report.errors] == [(3, "consent"), (4, "consent")]

    def test_without_consent_column_staff_must_confirm_consent(self, personas: Any) -> None:
        table = good_table()
        report = importing.validate_import(
            table=table, mapping=full_mapping(table), organization=personas.partner, consent_confirmed=False
        )
        assert [(e.row_number, e.field) for e in report.errors] == [(None, "consent")]

    def test_file_without_a_given_name_column_is_an_error(self, personas: Any) -> None:
        table = good_table()
        mapping = {k: v for k, v in full_mapping(table).items() if not k.startswith("given_name")}
        report = importing.validate_import(table=table, mapping=mapping, organization=personas.partner)
        assert [(e.row_number, e.field) for e in report.errors] == [(None, "given_name_ar")]

    def test_more_rows_than_the_cap_is_a_file_error(self, personas: Any, settings: Any) -> None:
        table = good_table()
        settings.MAX_IMPORT_ROWS = 2
        report = importing.validate_import(
            table=table, mapping=full_mapping(table), organization=personas.partner
        )
        assert [e.row_number for e in report.errors] == [None] and "more than 2" in report.errors[0].message

    def test_actor_outside_the_organization_is_refused(self, personas: Any) -> None:
        table = good_table()
        report = importing.validate_import(
            table=table,
            mapping=full_mapping(table),
            organization=personas.partner,
            actor=personas.other_officer,
        )
        assert [e.row_number for e in report.errors] == [None]

    def test_too_long_name_is_reported_by_model_validation(self, personas: Any) -> None:
        rows = [HEADER, ["ا" * 81, *GOOD_ROWS[0][1:]]]
        table = importing.read_table("long.csv", csv_bytes(rows))
        report = importing.validate_import(
            table=table, mapping=full_mapping(table), organization=personas.partner
        )
        assert [(e.row_number, e.column) for e in report.errors] == [(2, "given_name_ar")]

    def test_messages_are_translated_through_gettext_in_arabic(self, personas: Any) -> None:
        rows = [HEADER, [*GOOD_ROWS[0][:5], "2999-01-01", *GOOD_ROWS[0][6:]]]
        table = importing.read_table("bad.csv", csv_bytes(rows))
        mapping = full_mapping(table)
        with translation.override("ar"):
            report = importing.validate_import(table=table, mapping=mapping, organization=personas.partner)
            expected = gettext("The date of birth cannot be in the future.")
            refused = importing.ImportRefused(report).messages[0]
            expected_refused = gettext("The file has %(count)s error; nothing was imported.") % {"count": 1}
        assert [e.message for e in report.errors] == [expected]
        assert refused == expected_refused


def full_mapping_for(table: importing.Table) -> dict[str, str]:
    """The suggested mapping of a table with extra columns."""
    return importing.suggest_mapping(table.headers, table.hxl_tags, table.rows)


class CommitImportTests:
    def test_good_csv_imports_everyone_with_consent_and_one_audit_entry(self, personas: Any) -> None:
        table = good_table()
        before = Person.objects.count()
        result = importing.commit_import(
            table=table,
            mapping=full_mapping(table),
            organization=personas.partner,
            actor=personas.officer,
            consent_confirmed=True,
        )
        assert result.created == 3
        assert Person.objects.count() == before + 3
        people = Person.objects.filter(pk__in=result.person_ids).order_by("pk")
        fatima, yousef, zainab = people
        assert (fatima.given_name_latin, fatima.sex, fatima.governorate.code, fatima.phone) == (
            "Fatima",
            "F",
            "IR",
            "+962791110001",
        )
        assert yousef.date_of_birth == dt.date(1999, 2, 14) and yousef.languages == ["ar", "en"]
        assert (zainab.nationality, zainab.legal_status, zainab.governorate.code) == (
            "IQ",
            "migrant_worker",
            "ZA",
        )
        assert all(p.registered_by_id == personas.partner.pk for p in people)
        consents = Consent.objects.filter(person__in=people)
        assert consents.count() == 3
        assert {(c.purpose, c.channel) for c in consents} == {
            (ConsentPurpose.REGISTRATION, ConsentChannel.PAPER)
        }
        assert all(list(c.organizations.all()) == [personas.partner] for c in consents)
        imports = AuditLog.objects.filter(action=AuditAction.IMPORT)
        assert imports.count() == 1
        entry = imports.get()
        assert entry.subject_type == "people.importjob" and entry.actor == personas.officer
        assert entry.detail["created"] == 3 and entry.detail["filename"] == "people.csv"
        assert (
            AuditLog.objects.filter(action=AuditAction.CREATE, person_id__in=result.person_ids).count() == 3
        )

    def test_consent_column_records_consent_as_imported(self, personas: Any) -> None:
        rows = [[*HEADER, "consent"], [*GOOD_ROWS[0], "نعم"]]
        table = importing.read_table("c.csv", csv_bytes(rows))
        result = importing.commit_import(
            table=table,
            mapping=full_mapping_for(table),
            organization=personas.partner,
            actor=personas.officer,
            consent_confirmed=False,
        )
        consent = Consent.objects.get(person_id=result.person_ids[0])
        assert consent.channel == ConsentChannel.IMPORT

    def test_refuses_without_consent_column_or_confirmation(self, personas: Any) -> None:
        table = good_table()
        before = Person.objects.count()
        with pytest.raises(DomainError, match="consent"):
            importing.commit_import(
                table=table,
                mapping=full_mapping(table),
                organization=personas.partner,
                actor=personas.officer,
                consent_confirmed=False,
            )
        assert Person.objects.count() == before

    def test_any_bad_row_refuses_the_whole_file(self, personas: Any) -> None:
        rows = [HEADER, GOOD_ROWS[0], GOOD_ROWS[1], [*GOOD_ROWS[2][:4], "", *GOOD_ROWS[2][5:]]]
        table = importing.read_table("bad.csv", csv_bytes(rows))
        counts = (Person.objects.count(), Consent.objects.count(), AuditLog.objects.count())
        with pytest.raises(importing.ImportRefused) as caught:
            importing.commit_import(
                table=table,
                mapping=full_mapping(table),
                organization=personas.partner,
                actor=personas.officer,
                consent_confirmed=True,
            )
        assert [(e.row_number, e.field) for e in caught.value.report.errors] == [(4, "sex")]
        assert (Person.objects.count(), Consent.objects.count(), AuditLog.objects.count()) == counts

    def test_crash_midway_leaves_nothing_written(
        self, personas: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        rows = [HEADER, *GOOD_ROWS, [*GOOD_ROWS[0][:8], "0791110009", *GOOD_ROWS[0][9:]]]
        table = importing.read_table("crash.csv", csv_bytes(rows))
        real = importing.person_register
        calls = []

        def register_then_crash(**kwargs: Any) -> Person:
            calls.append(kwargs)
            if len(calls) == 3:
                raise RuntimeError("disk full")
            return real(**kwargs)

        monkeypatch.setattr(importing, "person_register", register_then_crash)
        counts = (Person.objects.count(), Consent.objects.count(), AuditLog.objects.count())
        with pytest.raises(RuntimeError):
            importing.commit_import(
                table=table,
                mapping=full_mapping(table),
                organization=personas.partner,
                actor=personas.officer,
                consent_confirmed=True,
            )
        assert len(calls) == 3
        assert (Person.objects.count(), Consent.objects.count(), AuditLog.objects.count()) == counts
        assert not Person.objects.filter(phone="+962791110001").exists()

    def test_registration_refused_midway_rolls_back_and_reports_the_row(
        self, personas: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        table = good_table()
        real = importing.person_register

        def refuse_second(**kwargs: Any) -> Person:
            if kwargs["data"].get("given_name_latin") == "Yousef":
                message = "A person with this phone number is already registered (record 1)."
                raise DuplicatePersonError(message, existing_id=1, field="phone")
            return real(**kwargs)

        monkeypatch.setattr(importing, "person_register", refuse_second)
        before = Person.objects.count()
        with pytest.raises(importing.ImportRefused) as caught:
            importing.commit_import(
                table=table,
                mapping=full_mapping(table),
                organization=personas.partner,
                actor=personas.officer,
                consent_confirmed=True,
            )
        assert [(e.row_number, e.column) for e in caught.value.report.errors] == [(3, "phone")]
        assert Person.objects.count() == before

    def test_kobo_csv_with_group_paths_and_space_separated_languages(self, personas: Any) -> None:
        header = [
            "start",
            "end",
            "group_personal/given_name",
            "group_personal/family_name",
            "respondent/name_ar",
            "group_personal/gender",
            "group_personal/dob",
            "group_status/nationality",
            "group_status/legal_status",
            "group_contact/mobile",
            "group_location/governorate",
            "group_personal/languages",
            "group_wg/wg_walking",
            "consent",
            "_id",
            "_uuid",
            "_submission_time",
            "_validation_status",
            "_index",
        ]
        row = [
            "2026-01-10T09:00:00.000+03:00",
            "2026-01-10T09:12:00.000+03:00",
            "Rasha",
            "Haddad",
            "رشا حداد",
            "female",
            "1996-07-01",
            "syrian",
            "refugee",
            "0795550001",
            "mafraq",
            "ar en",
            "a_lot_of_difficulty",
            "yes",
            "101",
            "0b7e-uuid",
            "2026-01-10T09:13:02",
            "",
            "1",
        ]
        content = csv_bytes([header, row], delimiter=";")
        table = importing.read_table("kobo_export.csv", content)
        mapping = importing.suggest_mapping(table.headers, table.hxl_tags, table.rows)
        assert mapping["given_name_latin"] == "group_personal/given_name"
        assert mapping["given_name_ar"] == "respondent/name_ar"
        assert mapping["consent"] == "consent"
        result = importing.commit_import(
            table=table,
            mapping=mapping,
            organization=personas.partner,
            actor=personas.officer,
            consent_confirmed=False,
        )
        person = Person.objects.get(pk=result.person_ids[0])
        assert person.languages == ["ar", "en"]
        assert person.given_name_ar == "رشا حداد" and person.family_name_latin == "Haddad"
        assert person.wg_walking == 3 and person.has_disability
        assert person.governorate.code == "MA" and person.nationality == "SY"

    def test_xlsx_import(self, personas: Any) -> None:
        rows: list[list[Any]] = [
            ["الاسم الأول", "اسم العائلة", "الجنس", "تاريخ الميلاد", "الجنسية", "الوضع القانوني", "رقم الهاتف",
             "المحافظة", "الرقم الوطني"],
            ["خالد", "المومني", "ذكر", dt.datetime(1990, 6, 1), "أردني", "أردني", 781230004, "إربد", 9901234567],
            ["نور", "الزعبي", "أنثى", dt.date(2001, 1, 9), "JO", "jordanian", "", "Ajloun", None],
        ]  # fmt: skip
        table = importing.read_table("people.xlsx", xlsx_bytes(rows))
        mapping = importing.suggest_mapping(table.headers, table.hxl_tags, table.rows)
        assert mapping["legal_status"] == "الوضع القانوني" and mapping["national_id"] == "الرقم الوطني"
        result = importing.commit_import(
            table=table,
            mapping=mapping,
            organization=personas.partner,
            actor=personas.officer,
            consent_confirmed=True,
        )
        khaled, nour = Person.objects.filter(pk__in=result.person_ids).order_by("pk")
        assert (khaled.date_of_birth, khaled.phone, khaled.national_id) == (
            dt.date(1990, 6, 1),
            "+962781230004",
            "9901234567",
        )
        assert khaled.governorate.code == "IR" and khaled.legal_status == "jordanian"
        assert nour.governorate.code == "AJ" and nour.phone is None

    def test_file_with_hxl_row_imports_without_the_hashtags(self, personas: Any) -> None:
        rows = [
            ["Name", "Gender", "Birth", "Nat", "Status", "Gov", "Mobile"],
            ["#meta+name+given+i_en", "#sex", "#date+birth", "#country+code+nationality", "#status+legal",
             "#adm1+code", "#contact+phone"],
            ["Huda", "F", "1993-04-04", "YE", "asylum_seeker", "JO11", "0771110005"],
        ]  # fmt: skip
        table = importing.read_table("hxl.csv", csv_bytes(rows))
        mapping = importing.suggest_mapping(table.headers, table.hxl_tags)
        assert mapping == {
            "given_name_latin": "Name",
            "sex": "Gender",
            "date_of_birth": "Birth",
            "nationality": "Nat",
            "legal_status": "Status",
            "phone": "Mobile",
            "governorate": "Gov",
        }
        result = importing.commit_import(
            table=table,
            mapping=mapping,
            organization=personas.partner,
            actor=personas.officer,
            consent_confirmed=True,
        )
        assert result.created == 1
        assert not Person.objects.filter(given_name_latin__startswith="#").exists()

    def test_similar_name_with_same_birth_date_is_flagged_not_refused(self, personas: Any) -> None:
        rows = [
            HEADER,
            ["أمل", "الحسن", "Amal", "Alhassan", "F", "1994-03-12", "SY", "refugee", "", "Mafraq", ""],
        ]
        table = importing.read_table("similar.csv", csv_bytes(rows))
        result = importing.commit_import(
            table=table,
            mapping=full_mapping(table),
            organization=personas.partner,
            actor=personas.officer,
            consent_confirmed=True,
        )
        assert result.flagged == 1
        assert DuplicateFlag.objects.filter(person_id=result.person_ids[0], other=personas.amal).exists()


class ImportJobTests:
    def test_upload_check_and_import_through_a_job(self, personas: Any) -> None:
        content = csv_bytes([HEADER, *GOOD_ROWS])
        job = importing.import_job_create(
            actor=personas.officer,
            organization=personas.partner,
            filename="C:\\data\\people.csv",
            content=content,
        )
        assert (job.filename, job.status, job.rows_total) == ("people.csv", ImportJob.Status.UPLOADED, 3)
        table = importing.job_table(job)
        mapping = importing.suggest_mapping(table.headers, table.hxl_tags, table.rows)
        report = importing.import_job_validate(job=job, mapping=mapping, consent_confirmed=True)
        job.refresh_from_db()
        assert report.ok and job.status == ImportJob.Status.VALIDATED
        assert job.report["rows_total"] == 3 and job.report["error_count"] == 0
        result = importing.import_job_commit(job=job, actor=personas.officer, consent_confirmed=True)
        job.refresh_from_db()
        assert result.created == 3
        assert (job.status, job.rows_imported) == (ImportJob.Status.COMMITTED, 3)
        entry = AuditLog.objects.get(action=AuditAction.IMPORT)
        assert entry.subject_id == str(job.pk)

    def test_a_committed_job_cannot_be_imported_twice(self, personas: Any) -> None:
        job = importing.import_job_create(
            actor=personas.officer,
            organization=personas.partner,
            filename="p.csv",
            content=csv_bytes([HEADER, *GOOD_ROWS]),
        )
        importing.import_job_commit(job=job, actor=personas.officer, consent_confirmed=True)
        before = Person.objects.count()
        stale = ImportJob.objects.get(pk=job.pk)
        stale.status = ImportJob.Status.VALIDATED  # a second browser tab still shows the job as checked
        with pytest.raises(DomainError, match="already been imported"):
            importing.import_job_commit(job=stale, actor=personas.officer, consent_confirmed=True)
        with pytest.raises(DomainError, match="already been imported"):
            importing.import_job_validate(job=job, mapping={}, consent_confirmed=True)
        assert Person.objects.count() == before

    def test_the_transaction_claims_the_job_so_a_racing_commit_writes_nothing(self, personas: Any) -> None:
        job = importing.import_job_create(
            actor=personas.officer,
            organization=personas.partner,
            filename="p.csv",
            content=csv_bytes([HEADER, *GOOD_ROWS]),
        )
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.COMMITTED)
        before = Person.objects.count()
        table = importing.job_table(job)
        with pytest.raises(DomainError, match="already been imported"):
            importing.commit_import(
                table=table,
                mapping=full_mapping(table),
                organization=personas.partner,
                actor=personas.officer,
                consent_confirmed=True,
                job=job,
            )
        assert Person.objects.count() == before

    def test_failed_commit_keeps_the_report_on_the_job(self, personas: Any) -> None:
        rows = [HEADER, GOOD_ROWS[0], [*GOOD_ROWS[1][:8], "0791110001", *GOOD_ROWS[1][9:]]]
        job = importing.import_job_create(
            actor=personas.officer, organization=personas.partner, filename="p.csv", content=csv_bytes(rows)
        )
        before = Person.objects.count()
        with pytest.raises(importing.ImportRefused):
            importing.import_job_commit(job=job, actor=personas.officer, consent_confirmed=True)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.FAILED
        assert job.report["errors"][0]["row"] == 3 and job.report["errors"][0]["column"] == "phone"
        assert Person.objects.count() == before

    def test_unreadable_upload_creates_no_job(self, personas: Any) -> None:
        with pytest.raises(DomainError):
            importing.import_job_create(
                actor=personas.officer, organization=personas.partner, filename="p.csv", content=b""
            )
        assert not ImportJob.objects.exists()

    def test_officer_of_another_organization_cannot_upload(self, personas: Any) -> None:
        with pytest.raises(DomainError):
            importing.import_job_create(
                actor=personas.other_officer,
                organization=personas.partner,
                filename="p.csv",
                content=csv_bytes([HEADER, *GOOD_ROWS]),
            )


class ImportWizardTests:
    def test_officer_uploads_checks_and_imports_through_the_pages(self, personas: Any) -> None:
        from django.urls import reverse

        client = personas.client_for(personas.officer)
        upload = SimpleUploadedFile("people.csv", csv_bytes([HEADER, *GOOD_ROWS]), content_type="text/csv")
        response = client.post(
            reverse("people:import_upload"), {"file": upload, "organization": personas.partner.pk}
        )
        job = ImportJob.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse(
            "people:import_review", args=[job.pk]
        )
        review = client.get(response["Location"])
        assert review.status_code == 200 and "Fatima" in review.content.decode()
        form = {f"map_{field}": field for field in HEADER}
        client.post(response["Location"], {**form, "action": "validate"})
        job.refresh_from_db()
        # Checking without the consent box ticked says so, and nothing else is wrong.
        assert job.status == ImportJob.Status.FAILED
        assert [e["field"] for e in job.report["errors"]] == ["consent"]
        before = Person.objects.count()
        done = client.post(response["Location"], {**form, "action": "commit", "consent_confirmed": "1"})
        assert done.status_code == 302
        assert Person.objects.count() == before + 3
        job.refresh_from_db()
        assert job.status == ImportJob.Status.COMMITTED


class ImportCommandTests:
    def write(self, tmp_path: Path, rows: list[list[str]], name: str = "people.csv") -> Path:
        path = tmp_path / name
        path.write_bytes(csv_bytes(rows))
        return path

    def test_dry_run_checks_every_row_and_writes_nothing(self, personas: Any, tmp_path: Path) -> None:
        path = self.write(tmp_path, [HEADER, *GOOD_ROWS])
        out = io.StringIO()
        before = (Person.objects.count(), ImportJob.objects.count(), AuditLog.objects.count())
        call_command(
            "import_people", str(path), "--organization", "mafraq-ngo", "--actor", "officer",
            "--consent-confirmed", "--dry-run", stdout=out,
        )  # fmt: skip
        assert "100% 3/3" in out.getvalue() and "Dry run" in out.getvalue()
        assert (Person.objects.count(), ImportJob.objects.count(), AuditLog.objects.count()) == before

    def test_imports_with_progress_and_explicit_mapping(self, personas: Any, tmp_path: Path) -> None:
        path = self.write(tmp_path, [HEADER, *GOOD_ROWS])
        mapping = tmp_path / "mapping.json"
        mapping.write_text(json.dumps({**{h: h for h in HEADER}, "languages": ""}))
        out = io.StringIO()
        call_command(
            "import_people", str(path), "--organization", "mafraq-ngo", "--actor", "officer",
            "--consent-confirmed", "--mapping", str(mapping), stdout=out,
        )  # fmt: skip
        assert "\rImporting [" in out.getvalue() and "3 people imported" in out.getvalue()
        assert Person.objects.filter(phone="+962791110001").exists()
        assert ImportJob.objects.get().status == ImportJob.Status.COMMITTED

    def test_reports_hxl_row_and_possible_duplicates(self, personas: Any, tmp_path: Path) -> None:
        rows = [
            HEADER,
            [
                "#meta+name+given+i_ar",
                "",
                "",
                "",
                "#sex",
                "#date+birth",
                "",
                "",
                "#contact+phone",
                "#adm1",
                "",
            ],
            ["أمل", "الحسن", "Amal", "Alhassan", "F", "1994-03-12", "SY", "refugee", "", "Mafraq", ""],
        ]
        path = self.write(tmp_path, rows)
        out = io.StringIO()
        call_command(
            "import_people", str(path), "--organization", "mafraq-ngo", "--actor", "officer",
            "--consent-confirmed", stdout=out,
        )  # fmt: skip
        assert "HXL hashtag row found" in out.getvalue()
        assert "1 possible duplicates" in out.getvalue()

    def test_errors_are_listed_by_row_and_the_command_fails(self, personas: Any, tmp_path: Path) -> None:
        path = self.write(
            tmp_path, [HEADER, GOOD_ROWS[0], [*GOOD_ROWS[1][:8], "+962791234567", *GOOD_ROWS[1][9:]]]
        )
        err = io.StringIO()
        before = Person.objects.count()
        with pytest.raises(CommandError, match="Nothing was imported"):
            call_command(
                "import_people", str(path), "--organization", "mafraq-ngo", "--actor", "officer",
                "--consent-confirmed", stdout=io.StringIO(), stderr=err,
            )  # fmt: skip
        assert "row 3 [phone]" in err.getvalue()
        assert Person.objects.count() == before

    def test_missing_consent_confirmation_fails(self, personas: Any, tmp_path: Path) -> None:
        path = self.write(tmp_path, [HEADER, *GOOD_ROWS])
        err = io.StringIO()
        with pytest.raises(CommandError):
            call_command(
                "import_people", str(path), "--organization", "mafraq-ngo", "--actor", "officer",
                stdout=io.StringIO(), stderr=err,
            )  # fmt: skip
        assert "consent" in err.getvalue()

    @pytest.mark.parametrize(
        ("organization", "actor", "mapping"),
        [("nowhere", "officer", None), ("mafraq-ngo", "nobody", None), ("mafraq-ngo", "other_officer", None),
         ("mafraq-ngo", "officer", "{not json"), ("mafraq-ngo", "officer", '["sex"]'),
         ("mafraq-ngo", "officer", "/nonexistent/mapping.json")],
    )  # fmt: skip
    def test_refuses_bad_arguments(
        self, personas: Any, tmp_path: Path, organization: str, actor: str, mapping: str | None
    ) -> None:
        path = self.write(tmp_path, [HEADER, *GOOD_ROWS])
        extra = ["--mapping", mapping] if mapping else []
        with pytest.raises(CommandError):
            call_command(
                "import_people", str(path), "--organization", organization, "--actor", actor, *extra,
                stdout=io.StringIO(), stderr=io.StringIO(),
            )  # fmt: skip

    def test_refuses_oversized_or_missing_file(self, personas: Any, tmp_path: Path, settings: Any) -> None:
        path = self.write(tmp_path, [HEADER, *GOOD_ROWS])
        with pytest.raises(CommandError):
            call_command("import_people", str(tmp_path / "absent.csv"), "--organization", "mafraq-ngo",
                         "--actor", "officer", stdout=io.StringIO())  # fmt: skip
        settings.MAX_IMPORT_BYTES = 10
        with pytest.raises(CommandError, match="MB"):
            call_command("import_people", str(path), "--organization", "mafraq-ngo", "--actor", "officer",
                         stdout=io.StringIO())  # fmt: skip
