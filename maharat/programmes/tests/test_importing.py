"""Importing applications: people found or registered from the row, answers by code or label, all or nothing."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.utils import translation

from maharat.core.errors import DomainError
from maharat.core.models import AuditAction, AuditLog
from maharat.core.testing import Personas
from maharat.people.choices import ConsentChannel, ConsentPurpose
from maharat.people.importing import ImportRefused, Table, read_table
from maharat.people.models import Consent, Person
from maharat.people.services import consent_withdraw, person_anonymize, person_merge
from maharat.programmes import importing
from maharat.programmes.choices import ApplyChannel, CallStatus
from maharat.programmes.models import Application, Call
from maharat.programmes.services import application_submit
from maharat.programmes.tests.factories import applicant, make_call

pytestmark = pytest.mark.django_db

NEW_HEADER = [
    "phone", "given_name_ar", "given_name_latin", "sex", "date_of_birth", "nationality", "legal_status",
    "governorate", "consent", "has_laptop", "track",
]  # fmt: skip
SALMA = ["0791110001", "سلمى", "Salma", "F", "1996-02-01", "SY", "refugee", "Mafraq", "yes", "yes", "web"]
YOUSEF = [
    "0791110002",
    "يوسف",
    "Yousef",
    "M",
    "2001-11-30",
    "JO",
    "jordanian",
    "Irbid",
    "نعم",
    "no",
    "design",
]
RANA = ["0791110003", "رنا", "Rana", "F", "1999-07-07", "IQ", "asylum seeker", "Zarqa", "yes", "yes", ""]


def csv_bytes(header: list[str], rows: list[list[str]], hxl: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    if hxl:
        writer.writerow(hxl)
    writer.writerows(rows)
    return out.getvalue().encode()


def table_of(header: list[str], rows: list[list[str]], name: str = "applications.csv") -> Table:
    return read_table(name, csv_bytes(header, rows))


def check(personas: Personas, call: Call, table: Table, user: Any = None, **kwargs: Any) -> Any:
    mapping = kwargs.pop("mapping", None) or importing.suggest_mapping(call, table)
    return importing.validate_applications(
        call=call,
        table=table,
        mapping=mapping,
        actor=user or personas.officer,
        organization=kwargs.pop("organization", personas.partner),
    )


def commit(personas: Personas, call: Call, table: Table, **kwargs: Any) -> importing.ApplicationImportResult:
    return importing.commit_applications(
        call=call,
        table=table,
        mapping=importing.suggest_mapping(call, table),
        actor=personas.officer,
        organization=personas.partner,
        **kwargs,
    )


def messages_of(report: Any) -> list[tuple[int | None, str, str]]:
    return [(e.row_number, e.column, e.message) for e in report.errors]


class SuggestMappingTests:
    def test_questions_are_matched_by_code_or_english_or_arabic_label(self, personas: Personas) -> None:
        call = make_call(personas)
        table = table_of(["Phone", "Do you have a LAPTOP?", "أيّ مسار يهمّك؟"], [["0791234567", "yes", "web"]])
        mapping = importing.suggest_mapping(call, table)
        assert mapping == {
            "phone": "Phone",
            "question:has_laptop": "Do you have a LAPTOP?",
            "question:track": "أيّ مسار يهمّك؟",
        }

    def test_question_columns_win_over_person_fields_and_kobo_meta_columns_are_ignored(
        self, personas: Personas
    ) -> None:
        call = make_call(
            personas,
            questions=[{"code": "employment", "label_en": "Work", "label_ar": "العمل", "kind": "text"}],
        )
        table = table_of(
            ["group_x/mobile", "group_x/employment", "_uuid", "start"], [["0791234567", "a", "u", "s"]]
        )
        assert importing.suggest_mapping(call, table) == {
            "phone": "group_x/mobile",
            "question:employment": "group_x/employment",
        }


class CheckTests:
    def test_registered_people_are_found_by_phone_or_document(self, personas: Personas) -> None:
        call = make_call(personas)
        table = table_of(
            ["phone", "unhcr_case_number", "has_laptop"],
            [["+962 77 555 6677", "", "no"], ["", "945-12345678", "yes"]],
        )
        checked = importing.check_applications(
            call=call,
            table=table,
            mapping=importing.suggest_mapping(call, table),
            actor=personas.officer,
            organization=personas.partner,
        )
        assert checked.report.ok, messages_of(checked.report)
        assert [(p.number, p.person, p.answers) for p in checked.rows] == [
            (2, personas.hassan, {"has_laptop": "no"}),
            (3, personas.amal, {"has_laptop": "yes"}),
        ]

    def test_same_person_twice_in_the_file_is_a_row_error(self, personas: Personas) -> None:
        call = make_call(personas)
        table = table_of(
            ["phone", "unhcr_case_number", "has_laptop"],
            [
                ["0791234567", "", "yes"],
                ["", "945-12345678", "no"],
                ["0791110001", "", "yes"],
                ["0791110001", "", "no"],
            ],
        )
        report = check(personas, call, table)
        rows = {(e.row_number, e.message) for e in report.errors}
        assert (3, "The same person is already in row 2.") in rows
        assert (5, "The same person is already in row 4.") in rows

    def test_person_who_already_applied_is_a_row_error(self, personas: Personas) -> None:
        call = make_call(personas)
        application_submit(
            actor=personas.officer,
            call=call,
            person=personas.amal,
            channel=ApplyChannel.STAFF,
            answers={"has_laptop": "yes"},
        )
        report = check(personas, call, table_of(["phone", "has_laptop"], [["0791234567", "yes"]]))
        assert messages_of(report) == [(2, "phone", "This person has already applied to this call.")]

    def test_phone_and_document_of_two_different_people_is_a_row_error(self, personas: Personas) -> None:
        call = make_call(personas)
        report = check(
            personas,
            call,
            table_of(["phone", "unhcr_case_number", "has_laptop"], [["0775556677", "945-12345678", "no"]]),
        )
        assert len(report.errors) == 1 and "belong to different people" in report.errors[0].message

    def test_person_not_shared_with_us_needs_consent_in_the_row(self, personas: Personas) -> None:
        call = make_call(personas)
        refused = check(personas, call, table_of(["national_id", "has_laptop"], [["2003123456", "yes"]]))
        assert "has not agreed to share their record" in refused.errors[0].message
        unclear = check(
            personas,
            call,
            table_of(["national_id", "has_laptop", "consent"], [["2003123456", "yes", "maybe"]]),
        )
        assert "has not agreed to share their record" in unclear.errors[0].message
        accepted = check(
            personas, call, table_of(["national_id", "has_laptop", "consent"], [["2003123456", "yes", "yes"]])
        )
        assert accepted.ok, messages_of(accepted)

    def test_unregistered_person_without_details_must_be_imported_into_the_registry_first(
        self, personas: Personas
    ) -> None:
        call = make_call(personas)
        report = check(personas, call, table_of(["phone", "has_laptop"], [["0791110009", "yes"]]))
        (error,) = report.errors
        assert error.row_number == 2 and error.column == "phone"
        assert "Nobody is registered with this phone number" in error.message
        assert "import them into the registry first" in error.message

    def test_unregistered_person_needs_consent_and_valid_details(self, personas: Personas) -> None:
        call = make_call(personas)
        header = [h for h in NEW_HEADER if h != "consent"]
        no_consent = check(
            personas,
            call,
            table_of(header, [[v for h, v in zip(NEW_HEADER, SALMA, strict=True) if h != "consent"]]),
        )
        assert "needs a consent column" in no_consent.errors[0].message
        refused = check(personas, call, table_of(NEW_HEADER, [[*SALMA[:8], "no", *SALMA[9:]]]))
        assert "has not consented to registration" in refused.errors[0].message
        bad = check(
            personas,
            call,
            table_of(NEW_HEADER, [[*SALMA[:4], "2090-01-01", "SY", "refugee", "Atlantis", *SALMA[8:]]]),
        )
        columns = {e.column for e in bad.errors}
        assert {"date_of_birth", "governorate"} <= columns

    def test_bad_or_missing_answers_are_row_errors(self, personas: Personas) -> None:
        call = make_call(personas)
        report = check(
            personas,
            call,
            table_of(
                ["phone", "has_laptop", "track"], [["0791234567", "maybe", "cooking"], ["0775556677", "", ""]]
            ),
        )
        assert messages_of(report) == [
            (2, "has_laptop", "“Do you have a laptop?” needs yes or no."),
            (2, "track", "“Which track interests you?”: choose one of the options."),
            (3, "has_laptop", "“Do you have a laptop?” needs an answer."),
        ]

    def test_file_level_problems_are_reported_without_rows(self, personas: Personas) -> None:
        call = make_call(personas, status=CallStatus.CLOSED)
        report = check(personas, call, table_of(["name", "track"], [["Amal", "web"]]))
        messages = [e.message for e in report.errors]
        assert all(e.row_number is None for e in report.errors)
        assert "This call is not open for applications." in messages
        assert any("identifies each person" in m for m in messages)
        assert "Choose the column with the answers to “Do you have a laptop?”." in messages

    def test_other_partners_may_not_import_into_our_call(self, personas: Personas) -> None:
        call = make_call(personas)
        report = check(
            personas,
            call,
            table_of(["phone", "has_laptop"], [["0791234567", "yes"]]),
            user=personas.other_officer,
            organization=personas.other_partner,
        )
        assert "You may not import applications to this call." in [e.message for e in report.errors]

    def test_errors_are_reported_in_arabic(self, personas: Personas) -> None:
        call = make_call(personas)
        with translation.override("ar"):
            report = check(personas, call, table_of(["phone", "has_laptop"], [["12", "yes"]]))
        assert "رقم" in report.errors[0].message

    def test_a_merged_record_leads_to_the_record_kept(self, personas: Personas) -> None:
        call = make_call(personas)
        twin = applicant(personas, phone="0791119999")
        person_merge(actor=personas.officer, keep=personas.amal, drop=twin, reason="same woman")
        checked = importing.check_applications(
            call=call,
            table=table_of(["phone", "has_laptop"], [["0791119999", "yes"]]),
            mapping={"phone": "phone", "question:has_laptop": "has_laptop"},
            actor=personas.officer,
            organization=personas.partner,
        )
        assert checked.report.ok and checked.rows[0].person == personas.amal
        person_anonymize(actor=personas.officer, person=personas.amal, reason="asked to be forgotten")
        report = check(personas, call, table_of(["phone", "has_laptop"], [["0791119999", "yes"]]))
        assert messages_of(report) == [(2, "phone", "This record can no longer apply.")]

    def test_person_who_withdrew_consent_cannot_be_imported(self, personas: Personas) -> None:
        call = make_call(personas)
        for consent in personas.hassan.consents.filter(purpose=ConsentPurpose.REGISTRATION):
            consent_withdraw(actor=personas.officer, consent=consent)
        report = check(
            personas, call, table_of(["phone", "has_laptop", "consent"], [["0775556677", "yes", "maybe"]])
        )
        assert messages_of(report) == [
            (2, "phone", "This person has not given valid consent to registration.")
        ]

    def test_row_without_any_identifier_and_numbers_in_arabic_digits(self, personas: Personas) -> None:
        call = make_call(
            personas,
            questions=[
                {
                    "code": "income",
                    "label_en": "Income",
                    "label_ar": "الدخل",
                    "kind": "number",
                    "required": False,
                },
                {"code": "why", "label_en": "Why?", "label_ar": "لماذا؟", "kind": "text", "required": False},
            ],
        )
        table = table_of(["phone", "national_id", "income"], [["", "", "100"], ["0791234567", "", "٢٥٠"]])
        checked = importing.check_applications(
            call=call,
            table=table,
            mapping=importing.suggest_mapping(call, table),
            actor=personas.officer,
            organization=personas.partner,
        )
        assert [(e.row_number, e.column) for e in checked.report.errors] == [(2, "phone")]
        assert "Give the person's phone number" in checked.report.errors[0].message
        table = table_of(["phone", "income", "لماذا"], [["0791234567", "٢٥٠", "أريد عملًا عن بعد"]])
        rows = importing.check_applications(
            call=call,
            table=table,
            mapping=importing.suggest_mapping(call, table),
            actor=personas.officer,
            organization=personas.partner,
        ).rows
        assert rows[0].answers == {"income": "250", "why": "أريد عملًا عن بعد"}

    def test_mapping_to_unknown_fields_or_columns_and_closed_channels_are_file_errors(
        self, personas: Personas
    ) -> None:
        call = make_call(personas, channels=["web", "sms"])
        table = table_of(["phone", "has_laptop"], [["0791234567", "yes"]])
        report = check(
            personas,
            call,
            table,
            mapping={"phone": "phone", "question:has_laptop": "laptop", "shoe_size": "has_laptop"},
            organization=personas.other_partner,
        )
        assert {e.message for e in report.errors} == {
            "You may not import for Karak Youth Centre.",
            "This call does not accept imported applications.",
            "The file has no column “laptop”.",
            "“shoe_size” is not something a column can hold.",
        }


class KoboExportTests:
    HEADER = [
        "start", "end", "group_ab12/phone", "group_ab12/first_name", "group_ab12/family_name", "group_ab12/gender",
        "group_ab12/dob", "group_ab12/nationality", "group_ab12/legal_status", "group_ab12/governorate",
        "group_ab12/languages", "group_cd34/has_laptop", "group_cd34/track", "consent", "_uuid", "_submission_time",
    ]  # fmt: skip
    HXL = [
        "",
        "",
        "#contact+phone",
        "",
        "",
        "#sex",
        "#date+birth",
        "",
        "",
        "#adm1+name",
        "",
        "",
        "",
        "#meta+consent",
        "",
        "",
    ]
    ROWS = [
        ["2026-01-05T10:00", "2026-01-05T10:09", "0791110001", "سلمى", "الزعبي", "female", "1996-02-01T00:00:00.000+03:00",
         "syrian", "refugee", "mafraq", "ar en", "1", "web", "yes", "a1", "2026-01-05"],
        ["2026-01-05T11:00", "2026-01-05T11:05", "0791234567", "", "", "", "", "", "", "", "", "0", "design", "yes", "a2",
         "2026-01-05"],
    ]  # fmt: skip

    def test_kobo_csv_with_group_paths_hxl_row_and_multiple_choices_imports(self, personas: Personas) -> None:
        call = make_call(personas)
        table = read_table("kobo.csv", csv_bytes(self.HEADER, self.ROWS, hxl=self.HXL))
        assert table.hxl_tags and table.row_numbers == [3, 4]
        result = commit(personas, call, table)
        assert result.registered == 1 and len(result.application_ids) == 2
        salma = Person.objects.get(phone="+962791110001")
        assert (
            salma.languages == ["ar", "en"]
            and salma.governorate.code == "MA"
            and salma.family_name_ar == "الزعبي"
        )
        answers = dict(Application.objects.filter(call=call).values_list("person_id", "answers"))
        assert answers == {
            salma.pk: {"has_laptop": "yes", "track": "web"},
            personas.amal.pk: {"has_laptop": "no", "track": "design"},
        }

    def test_kobo_xlsx_export_imports(self, personas: Personas) -> None:
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        for row in [self.HEADER, self.HXL, *self.ROWS]:
            sheet.append(row)
        out = io.BytesIO()
        workbook.save(out)
        call = make_call(personas)
        result = commit(personas, call, read_table("kobo.xlsx", out.getvalue()))
        assert len(result.application_ids) == 2


class CommitTests:
    def test_registers_new_people_and_records_every_application(self, personas: Personas) -> None:
        call = make_call(personas)
        table = table_of(NEW_HEADER, [SALMA, YOUSEF])
        result = commit(personas, call, table)
        applications = Application.objects.filter(call=call).select_related("person")
        assert result.registered == 2 and applications.count() == 2
        for application in applications:
            assert application.channel == ApplyChannel.IMPORT and application.organization == personas.partner
            assert application.submitted_by == personas.officer
            consent = Consent.objects.get(person=application.person, purpose=ConsentPurpose.REGISTRATION)
            assert consent.channel == ConsentChannel.IMPORT and list(consent.organizations.all()) == [
                personas.partner
            ]
        entry = AuditLog.objects.get(action=AuditAction.IMPORT, subject_type="programmes.call")
        assert entry.detail["applications"] == 2 and entry.detail["registered"] == 2

    def test_choice_answers_may_be_labels_in_either_language(self, personas: Personas) -> None:
        call = make_call(personas)
        table = table_of(
            ["phone", "has_laptop", "track"],
            [["0791234567", "نعم", "التصميم الجرافيكي"], ["0775556677", "No", "Web development"]],
        )
        commit(personas, call, table)
        answers = Application.objects.values_list("answers", flat=True)
        assert sorted(answers, key=lambda a: a["has_laptop"]) == [
            {"has_laptop": "no", "track": "web"},
            {"has_laptop": "yes", "track": "design"},
        ]

    def test_a_file_with_errors_is_refused_and_writes_nothing(self, personas: Personas) -> None:
        call = make_call(personas)
        people = Person.objects.count()
        with pytest.raises(ImportRefused) as refused:
            commit(personas, call, table_of(NEW_HEADER, [SALMA, [*YOUSEF[:3], "X", *YOUSEF[4:]]]))
        assert refused.value.report.errors[0].row_number == 3
        assert Person.objects.count() == people and not Application.objects.exists()

    def test_a_crash_on_the_third_row_writes_nothing(self, personas: Personas, monkeypatch: Any) -> None:
        call = make_call(personas)
        people, consents, audits = Person.objects.count(), Consent.objects.count(), AuditLog.objects.count()
        calls: list[int] = []

        def crash_on_third(**kwargs: Any) -> Application:
            calls.append(1)
            if len(calls) == 3:
                raise RuntimeError("database went away")
            return application_submit(**kwargs)

        monkeypatch.setattr(importing, "application_submit", crash_on_third)
        with pytest.raises(RuntimeError):
            commit(personas, call, table_of(NEW_HEADER, [SALMA, YOUSEF, RANA]))
        assert len(calls) == 3
        assert not Application.objects.exists()
        assert (Person.objects.count(), Consent.objects.count(), AuditLog.objects.count()) == (
            people,
            consents,
            audits,
        )

    def test_a_refusal_during_the_import_refuses_the_whole_file(
        self, personas: Personas, monkeypatch: Any
    ) -> None:
        call = make_call(personas)
        calls: list[int] = []

        def refuse_second(**kwargs: Any) -> Application:
            calls.append(1)
            if len(calls) == 2:
                raise DomainError("This person has already applied to this call.")
            return application_submit(**kwargs)

        monkeypatch.setattr(importing, "application_submit", refuse_second)
        with pytest.raises(ImportRefused) as refused:
            commit(personas, call, table_of(NEW_HEADER, [SALMA, YOUSEF, RANA]))
        assert (refused.value.report.errors[-1].row_number, refused.value.report.errors[-1].message) == (
            3,
            "This person has already applied to this call.",
        )
        assert not Application.objects.exists() and not Person.objects.filter(phone="+962791110001").exists()
