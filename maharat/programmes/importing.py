"""Importing applications to a call from CSV/XLSX files and KoBoToolbox exports: check every row, import all.

Reading files, column names and cell values come from the registry's import (``maharat.people.importing``), so
a KoBoToolbox export (group paths such as ``group_ab12/phone``, space-separated multiple choices, an HXL
hashtag row under the header) reads the same way here. A row names its person by phone, national ID, UNHCR
case number or MOI card number. Someone not yet registered is registered from the row when it carries what a
registration needs and their consent (a consent column saying yes), checked exactly as the registry's import
checks a row. Answers to the call's questions come from columns named by the question's code or label.

Every row is checked before anything is written; ``commit_applications`` then registers and applies everyone
in one transaction, so a failure anywhere leaves nothing written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from maharat.core.audit import audit_record
from maharat.core.models import AuditAction
from maharat.people import importing as people_importing
from maharat.people.access import can_import_for, visible_people
from maharat.people.choices import ConsentChannel, ConsentPurpose
from maharat.people.duplicates import HARD_FIELDS
from maharat.people.importing import CONSENT_FIELD, ImportRefused, ImportReport, RowError, Table
from maharat.people.models import Consent, Organization, Person, valid_consent_q
from maharat.people.services import DUPLICATE_FIELD_MESSAGES, person_register
from maharat.programmes.access import can_manage_call
from maharat.programmes.choices import ApplyChannel, QuestionKind
from maharat.programmes.models import Call, Question
from maharat.programmes.services import application_submit, clean_answers

QUESTION_PREFIX = "question:"
IDENTITY_FIELDS: tuple[str, ...] = HARD_FIELDS
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

Progress = Callable[[int, int], None]


def question_target(question: Question) -> str:
    """The mapping key of a question's column."""
    return f"{QUESTION_PREFIX}{question.code}"


def mapping_fields(call: Call) -> list[tuple[str, str]]:
    """What a column can hold: the person fields of the registry import, then the call's questions."""
    questions = [
        (question_target(q), _("Answer: %(question)s") % {"question": q.label}) for q in call.questions.all()
    ]
    return [*people_importing.target_fields(), *questions]


def suggest_mapping(call: Call, table: Table) -> dict[str, str]:
    """Propose {field: column}: each question by its code or label, then the person fields as the registry does."""
    names: dict[str, set[str]] = {}
    for header in table.headers:
        if not people_importing.is_meta_column(header):
            last = header.strip().strip("/").rsplit("/", 1)[-1]
            names[header] = {people_importing.column_key(last), people_importing.column_key(header)}
    questions: dict[str, str] = {}
    for question in call.questions.all():
        keys = {
            people_importing.column_key(v) for v in (question.code, question.label_en, question.label_ar) if v
        }
        match = next((h for h, found in names.items() if keys & found and h not in questions.values()), None)
        if match is not None:
            questions[question_target(question)] = match
    rest = [h for h in table.headers if h not in questions.values()]
    tags = {h: tag for h, tag in table.hxl_tags.items() if h in rest}
    return {**people_importing.suggest_mapping(rest, tags, table.rows[:50]), **questions}


# --- Checking ---------------------------------------------------------------------------------------------


@dataclass
class PlannedRow:
    """A checked row: the registered person, or the data to register them, and the cleaned answers."""

    number: int
    person: Person | None
    registration: dict[str, Any] | None
    answers: dict[str, Any]


@dataclass
class CheckedFile:
    """The report of a file and, when it has no error, every row ready to import."""

    report: ImportReport
    rows: list[PlannedRow] = field(default_factory=list)


@dataclass
class _ParsedRow:
    number: int
    row: Mapping[str, str]
    identities: dict[str, str]
    answers: dict[str, Any]
    errors: list[RowError]


def _file_errors(
    call: Call, table: Table, mapping: Mapping[str, str], actor: Any, organization: Organization
) -> list[RowError]:
    errors = []
    if not can_manage_call(actor, call):
        errors.append(RowError(None, "", "", _("You may not import applications to this call.")))
    if not can_import_for(actor, organization):
        errors.append(RowError(None, "", "", _("You may not import for %(org)s.") % {"org": organization}))
    if not call.is_open():
        errors.append(RowError(None, "", "", _("This call is not open for applications.")))
    elif not call.accepts(ApplyChannel.IMPORT):
        errors.append(RowError(None, "", "", _("This call does not accept imported applications.")))
    known = {target for target, _label in mapping_fields(call)}
    for target, column in mapping.items():
        if target not in known:
            errors.append(
                RowError(
                    None,
                    column,
                    target,
                    _("“%(field)s” is not something a column can hold.") % {"field": target},
                )
            )
        elif column not in table.headers:
            errors.append(
                RowError(None, column, target, _("The file has no column “%(column)s”.") % {"column": column})
            )
    if not any(mapping.get(target) for target in IDENTITY_FIELDS):
        errors.append(
            RowError(
                None,
                "",
                "phone",
                _(
                    "Choose the column that identifies each person: phone number, national ID number, "
                    "UNHCR case number or MOI service card number."
                ),
            )
        )
    for question in call.questions.all():
        if question.required and not mapping.get(question_target(question)):
            errors.append(
                RowError(
                    None,
                    "",
                    question.code,
                    _("Choose the column with the answers to “%(question)s”.") % {"question": question.label},
                )
            )
    return errors


def _answer_value(question: Question, value: str) -> str:
    if question.kind == QuestionKind.YES_NO:
        try:
            return "yes" if people_importing.parse_bool(value) else "no"
        except ValidationError:
            return value
    if question.kind == QuestionKind.CHOICE:
        key = people_importing.column_key(value)
        for option in question.options:
            if key in {people_importing.column_key(str(part)) for part in option if part}:
                return str(option[0])
        return value
    if question.kind == QuestionKind.NUMBER:
        return value.translate(_DIGITS)
    return value


def _parse_row(
    number: int,
    row: Mapping[str, str],
    mapping: Mapping[str, str],
    call: Call,
    governorates: Mapping[str, Any],
) -> _ParsedRow:
    errors: list[RowError] = []
    identities: dict[str, str] = {}
    for target in IDENTITY_FIELDS:
        column = mapping.get(target)
        raw = (row.get(column) or "").strip() if column else ""
        if not raw:
            continue
        try:
            value = people_importing.parse_cell(target, raw, governorates)
        except ValidationError as exc:
            errors.extend(RowError(number, column or "", target, str(m)) for m in exc.messages)
            continue
        if value:
            identities[target] = str(value)
    if not identities and not errors:
        column = next((mapping[t] for t in IDENTITY_FIELDS if mapping.get(t)), "")
        errors.append(
            RowError(
                number,
                column,
                "phone",
                _(
                    "Give the person's phone number, national ID number, UNHCR case number or MOI service card number."
                ),
            )
        )
    raw_answers: dict[str, str] = {}
    columns: dict[str, str] = {}
    for question in call.questions.all():
        column = mapping.get(question_target(question), "")
        value = (row.get(column) or "").strip() if column else ""
        if not value:
            if question.required:
                errors.append(
                    RowError(
                        number,
                        column,
                        question.code,
                        _("“%(question)s” needs an answer.") % {"question": question.label},
                    )
                )
            continue
        raw_answers[question.code] = _answer_value(question, value)
        columns[question.code] = column
    answers: dict[str, Any] = {}
    try:
        answers = clean_answers(call, raw_answers)
    except ValidationError as exc:
        for code, messages in exc.message_dict.items():
            errors.extend(RowError(number, columns.get(code, ""), code, str(m)) for m in messages)
    return _ParsedRow(number, row, identities, answers, errors)


def _registered(parsed: list[_ParsedRow]) -> dict[tuple[str, str], Person]:
    """Registered people by (field, value), a few queries for the whole file; merged records lead to the kept one."""
    found: dict[tuple[str, str], Person] = {}
    for target in IDENTITY_FIELDS:
        values = sorted({p.identities[target] for p in parsed if target in p.identities})
        for start in range(0, len(values), 500):
            for person in Person.objects.filter(**{f"{target}__in": values[start : start + 500]}):
                kept = person
                while kept.merged_into_id is not None:
                    kept = Person.objects.get(pk=kept.merged_into_id)
                found[(target, str(getattr(person, target)))] = kept
    return found


def _row_consents(row: Mapping[str, str], mapping: Mapping[str, str]) -> bool:
    column = mapping.get(CONSENT_FIELD)
    try:
        return bool(column and people_importing.parse_bool(row.get(column) or ""))
    except ValidationError:
        return False


class _Resolver:
    """Decides, row by row, which person a row is for and whether they may apply."""

    def __init__(self, call: Call, mapping: Mapping[str, str], actor: Any, parsed: list[_ParsedRow]) -> None:
        self.mapping = mapping
        self.registered = _registered(parsed)
        ids = {person.pk for person in self.registered.values()}
        self.applied = set(call.applications.filter(person__in=ids).values_list("person_id", flat=True))
        self.visible = set(visible_people(actor).filter(pk__in=ids).values_list("pk", flat=True))
        consented = Consent.objects.filter(person=OuterRef("pk")).filter(
            valid_consent_q(ConsentPurpose.REGISTRATION)
        )
        self.consented = set(
            Person.objects.filter(pk__in=ids).filter(Exists(consented)).values_list("pk", flat=True)
        )
        self.can_register = people_importing.can_register_from(mapping)
        self.governorates = people_importing.governorate_index()
        self.seen_values: dict[tuple[str, str], int] = {}
        self.seen_people: dict[int, int] = {}

    def resolve(self, parsed: _ParsedRow) -> tuple[Person | None, dict[str, Any] | None, list[RowError]]:
        number, keys = parsed.number, list(parsed.identities.items())
        column = self.mapping.get(keys[0][0], "") if keys else ""
        earlier = next((self.seen_values[k] for k in keys if k in self.seen_values), None)
        for key in keys:
            self.seen_values.setdefault(key, number)
        if earlier is not None:
            return (
                None,
                None,
                [
                    RowError(
                        number,
                        column,
                        keys[0][0],
                        _("The same person is already in row %(row)s.") % {"row": earlier},
                    )
                ],
            )
        matches = {self.registered[k].pk: self.registered[k] for k in keys if k in self.registered}
        if len(matches) > 1:
            message = _(
                "This row's phone number and identity documents belong to different people (records %(ids)s)."
            )
            return (
                None,
                None,
                [RowError(number, column, "", message % {"ids": ", ".join(map(str, sorted(matches)))})],
            )
        if matches:
            person = next(iter(matches.values()))
            return person, None, self._existing(parsed, person, column)
        registration, errors = self._new(parsed, column)
        return None, registration, errors

    def _existing(self, parsed: _ParsedRow, person: Person, column: str) -> list[RowError]:
        number = parsed.number
        first = self.seen_people.setdefault(person.pk, number)
        if first != number:
            return [
                RowError(number, column, "", _("The same person is already in row %(row)s.") % {"row": first})
            ]
        if person.pk in self.applied:
            return [RowError(number, column, "", _("This person has already applied to this call."))]
        if person.anonymized_at is not None:
            return [RowError(number, column, "", _("This record can no longer apply."))]
        if person.pk not in self.consented:
            return [
                RowError(number, column, "", _("This person has not given valid consent to registration."))
            ]
        if person.pk not in self.visible and not _row_consents(parsed.row, self.mapping):
            message = _(
                "This person is registered but has not agreed to share their record with your organization; "
                "record their consent in a consent column, or ask them to apply themselves."
            )
            return [RowError(number, column, CONSENT_FIELD, message)]
        return []

    def _new(self, parsed: _ParsedRow, column: str) -> tuple[dict[str, Any] | None, list[RowError]]:
        number, row = parsed.number, parsed.row
        has_details = any(
            (row.get(self.mapping.get(t) or "") or "").strip() for t in people_importing.REQUIRED_FIELDS
        )
        if not (self.can_register and has_details):
            fields = ", ".join(str(DUPLICATE_FIELD_MESSAGES[t]) for t, _v in parsed.identities.items())
            message = _(
                "Nobody is registered with this %(fields)s. Add the details a registration needs (name, sex, date "
                "of birth, nationality, legal status, governorate) and the person's consent, or import them into "
                "the registry first."
            )
            return None, [RowError(number, column, "", message % {"fields": fields})]
        data, errors = people_importing.check_person_row(number, row, self.mapping, self.governorates)
        if CONSENT_FIELD not in self.mapping:
            message = _(
                "This person is not registered yet: the row needs a consent column saying they agree to registration."
            )
            errors.append(RowError(number, "", CONSENT_FIELD, message))
        return {k: v for k, v in data.items() if k != CONSENT_FIELD}, errors


def check_applications(
    *,
    call: Call,
    table: Table,
    mapping: Mapping[str, str],
    actor: Any,
    organization: Organization,
    progress: Progress | None = None,
) -> CheckedFile:
    """Check every row of a file against a mapping, writing nothing; the report lists every error."""
    call = Call.objects.select_related("programme__owner").prefetch_related("questions").get(pk=call.pk)
    mapping = {target: column for target, column in mapping.items() if column}
    mapped = set(mapping.values())
    report = ImportReport(
        rows_total=len(table.rows),
        mapping=dict(mapping),
        unmapped_columns=[
            h for h in table.headers if h not in mapped and not people_importing.is_meta_column(h)
        ],
    )
    report.errors.extend(_file_errors(call, table, mapping, actor, organization))
    if report.errors:
        return CheckedFile(report)
    governorates = people_importing.governorate_index()
    parsed = [
        _parse_row(number, row, mapping, call, governorates)
        for number, row in zip(table.row_numbers, table.rows, strict=True)
    ]
    resolver = _Resolver(call, mapping, actor, parsed)
    planned: list[PlannedRow] = []
    for index, row in enumerate(parsed, start=1):
        errors = list(row.errors)
        if row.identities and not any(e.field in IDENTITY_FIELDS for e in row.errors):
            person, registration, found = resolver.resolve(row)
            errors.extend(found)
            if not errors:
                planned.append(PlannedRow(row.number, person, registration, row.answers))
        report.errors.extend(errors)
        if progress is not None:
            progress(index, len(parsed))
    report.errors.sort(key=lambda e: e.row_number or 0)
    return CheckedFile(report, planned if report.ok else [])


def validate_applications(
    *,
    call: Call,
    table: Table,
    mapping: Mapping[str, str],
    actor: Any,
    organization: Organization,
    progress: Progress | None = None,
) -> ImportReport:
    """The report of checking every row of a file; nothing is written."""
    return check_applications(
        call=call, table=table, mapping=mapping, actor=actor, organization=organization, progress=progress
    ).report


# --- Importing --------------------------------------------------------------------------------------------


@dataclass
class ApplicationImportResult:
    """A finished import: the applications recorded and how many people were registered for them."""

    application_ids: list[int]
    registered: int
    report: ImportReport


def commit_applications(
    *,
    call: Call,
    table: Table,
    mapping: Mapping[str, str],
    actor: Any,
    organization: Organization,
    progress: Progress | None = None,
) -> ApplicationImportResult:
    """Check every row again, then register whoever is new and apply everyone, all or nothing, audited once."""
    checked = check_applications(
        call=call, table=table, mapping=mapping, actor=actor, organization=organization
    )
    if not checked.report.ok:
        raise ImportRefused(checked.report)
    call = Call.objects.select_related("programme__owner").prefetch_related("questions").get(pk=call.pk)
    reason = f"import {table.filename}"[:500]
    created: list[int] = []
    registered = 0
    with transaction.atomic():
        for index, planned in enumerate(checked.rows, start=1):
            try:
                person = planned.person
                if person is None:
                    person = person_register(
                        actor=actor,
                        data=planned.registration or {},
                        consent_purposes=[ConsentPurpose.REGISTRATION],
                        consent_channel=ConsentChannel.IMPORT,
                        organization=organization,
                        reason=reason,
                    )
                    registered += 1
                application = application_submit(
                    actor=actor,
                    call=call,
                    person=person,
                    channel=ApplyChannel.IMPORT,
                    answers=planned.answers,
                    organization=organization,
                )
            except ValidationError as exc:
                # Something changed since the check (someone applied or registered meanwhile): refuse it all.
                checked.report.errors.extend(RowError(planned.number, "", "", str(m)) for m in exc.messages)
                raise ImportRefused(checked.report) from exc
            created.append(application.pk)
            if progress is not None:
                progress(index, len(checked.rows))
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            subject=call,
            fields=sorted(checked.report.mapping),
            reason=reason,
            detail={
                "filename": table.filename,
                "organization": organization.pk,
                "rows": len(table.rows),
                "applications": len(created),
                "registered": registered,
            },
        )
    return ApplicationImportResult(application_ids=created, registered=registered, report=checked.report)
