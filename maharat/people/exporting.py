"""Exporting people to CSV or XLSX, optionally with an HXL hashtag row, and pseudonymized for researchers.

Columns come in a fixed order with English headers (codes, not labels, so files stay stable across
languages and import back with ``importing``). With ``hxl=True`` a row of HXL hashtags follows the header.
Tags come from the HXL core schema where one fits; the rest use ``#meta`` with descriptive attributes, and
``+i_ar``/``+i_en`` mark the language of a name as HXL does:

=========================  ==================================  ================================================
column                     HXL tag                             content
=========================  ==================================  ================================================
public_id                  #meta+id                            stable public identifier of the record
given_name_ar              #meta+name+given+i_ar               given name in Arabic script
family_name_ar             #meta+name+family+i_ar              family name in Arabic script
given_name_latin           #meta+name+given+i_en               given name in Latin script
family_name_latin          #meta+name+family+i_en              family name in Latin script
sex                        #sex                                F or M
date_of_birth              #date+birth                         YYYY-MM-DD
nationality                #country+code+nationality           ISO 3166-1 alpha-2 (XX: other)
legal_status               #status+legal                       jordanian, refugee, asylum_seeker, …
national_id                #meta+id+national                   Jordanian national number
moi_card_number            #meta+id+moi                        Ministry of Interior service card
unhcr_case_number          #meta+id+unhcr                      UNHCR case number
phone                      #contact+phone                      E.164
governorate                #adm1+name                          English name
governorate_pcode          #adm1+code                          OCHA P-code (JO11 …)
locality                   #loc+name                           town, village or camp
household_role             #meta+household+role                head, spouse, child, other
female_headed_household    #meta+household+female_headed       yes/no
wg_seeing … wg_communic.   #meta+wg+seeing …                   Washington Group answers 1–4
has_disability             #meta+disabled                      yes/no (Washington Group cut-off)
education_level            #meta+education                     code
employment_status          #meta+employment                    code
languages                  #meta+languages                     ISO 639-1 codes, space-separated (as KoBo)
preferred_language         #meta+lang+preferred                ar or en
preferred_channel          #meta+channel+preferred             sms, whatsapp, web
registered_by              #org+name                           organization that registered the person
registered_at              #date+registered                    YYYY-MM-DD
=========================  ==================================  ================================================

The researcher export (``researcher=True``) holds only ``access.research_record``: pseudonym (#meta+id),
sex, birth_year (#date+birth+year), nationality, legal status, governorate code (#adm1+code+maharat),
female-headed household, disability and the Washington Group answers, education and employment. No names,
phones, localities, exact dates of birth or identity numbers.

Every export writes one EXPORT entry in the audit log with the number of people and whether the file is
pseudonymized.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from typing import Any, Literal

from django.db.models import QuerySet
from django.utils import timezone

from maharat.core.audit import audit_record
from maharat.core.errors import AccessDenied
from maharat.core.models import AuditAction
from maharat.people import access
from maharat.people.models import WG_FIELDS, Person

Format = Literal["csv", "xlsx"]
Progress = Callable[[int, int], None]

FULL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("public_id", "#meta+id"),
    ("given_name_ar", "#meta+name+given+i_ar"),
    ("family_name_ar", "#meta+name+family+i_ar"),
    ("given_name_latin", "#meta+name+given+i_en"),
    ("family_name_latin", "#meta+name+family+i_en"),
    ("sex", "#sex"),
    ("date_of_birth", "#date+birth"),
    ("nationality", "#country+code+nationality"),
    ("legal_status", "#status+legal"),
    ("national_id", "#meta+id+national"),
    ("moi_card_number", "#meta+id+moi"),
    ("unhcr_case_number", "#meta+id+unhcr"),
    ("phone", "#contact+phone"),
    ("governorate", "#adm1+name"),
    ("governorate_pcode", "#adm1+code"),
    ("locality", "#loc+name"),
    ("household_role", "#meta+household+role"),
    ("female_headed_household", "#meta+household+female_headed"),
    *((name, f"#meta+wg+{name.removeprefix('wg_')}") for name in WG_FIELDS),
    ("has_disability", "#meta+disabled"),
    ("education_level", "#meta+education"),
    ("employment_status", "#meta+employment"),
    ("languages", "#meta+languages"),
    ("preferred_language", "#meta+lang+preferred"),
    ("preferred_channel", "#meta+channel+preferred"),
    ("registered_by", "#org+name"),
    ("registered_at", "#date+registered"),
)
RESEARCH_COLUMNS: tuple[tuple[str, str], ...] = (
    ("pseudonym", "#meta+id"),
    ("sex", "#sex"),
    ("birth_year", "#date+birth+year"),
    ("nationality", "#country+code+nationality"),
    ("legal_status", "#status+legal"),
    ("governorate", "#adm1+code+maharat"),
    ("female_headed_household", "#meta+household+female_headed"),
    ("has_disability", "#meta+disabled"),
    *((name, f"#meta+wg+{name.removeprefix('wg_')}") for name in WG_FIELDS),
    ("education_level", "#meta+education"),
    ("employment_status", "#meta+employment"),
)
# Free text that a spreadsheet would run as a formula if it began with one of these (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FREE_TEXT = frozenset(
    {"given_name_ar", "family_name_ar", "given_name_latin", "family_name_latin", "locality"}
)


def columns(*, researcher: bool) -> tuple[tuple[str, str], ...]:
    """The (header, HXL tag) pairs of an export, in order."""
    return RESEARCH_COLUMNS if researcher else FULL_COLUMNS


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _guard(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def full_record(person: Person) -> dict[str, Any]:
    """One person's row of the full export (governorate and organization must be loaded with it)."""
    governorate, organization = person.governorate, person.registered_by
    record: dict[str, Any] = {
        "public_id": str(person.public_id),
        "sex": person.sex,
        "date_of_birth": person.date_of_birth,
        "nationality": person.nationality,
        "legal_status": person.legal_status,
        "national_id": person.national_id or "",
        "moi_card_number": person.moi_card_number or "",
        "unhcr_case_number": person.unhcr_case_number or "",
        "phone": person.phone or "",
        "governorate": governorate.label_en,
        "governorate_pcode": governorate.hxl_pcode,
        "household_role": person.household_role,
        "female_headed_household": _yes_no(person.female_headed_household),
        "has_disability": _yes_no(person.has_disability),
        "education_level": person.education_level,
        "employment_status": person.employment_status,
        "languages": " ".join(person.languages or []),
        "preferred_language": person.preferred_language,
        "preferred_channel": person.preferred_channel,
        "registered_by": organization.label_en if organization is not None else "",
        "registered_at": timezone.localdate(person.created_at),
    }
    for name in _FREE_TEXT:
        record[name] = _guard(getattr(person, name))
    for name in WG_FIELDS:
        value = getattr(person, name)
        record[name] = "" if value is None else value
    return record


def research_row(person: Person) -> dict[str, Any]:
    """One person's row of the pseudonymized export: ``access.research_record`` flattened."""
    record = access.research_record(person)
    wg = record.pop("wg")
    record["female_headed_household"] = _yes_no(record["female_headed_household"])
    record["has_disability"] = _yes_no(record["has_disability"])
    record["governorate"] = record["governorate"] or ""
    for name in WG_FIELDS:
        record[name] = "" if wg[name] is None else wg[name]
    return record


def iter_rows(
    queryset: QuerySet[Person], *, hxl: bool, researcher: bool, progress: Progress | None = None
) -> Iterator[list[Any]]:
    """Header, optional HXL row, then one list of cell values per person; reads 2,000 people at a time."""
    spec = columns(researcher=researcher)
    yield [name for name, _tag in spec]
    if hxl:
        yield [tag for _name, tag in spec]
    people = queryset.select_related("governorate", "registered_by")
    if researcher:
        # Registration order would let a reader link pseudonyms to other lists; public ids are random.
        people = people.order_by("public_id")
    total = queryset.count() if progress is not None else 0
    make = research_row if researcher else full_record
    for index, person in enumerate(people.iterator(chunk_size=2000), start=1):
        record = make(person)
        yield [record[name] for name, _tag in spec]
        if progress is not None:
            progress(index, total)


def _csv_bytes(rows: Iterator[list[Any]]) -> tuple[bytes, int]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    written = 0
    for row in rows:
        writer.writerow(["" if v is None else (v.isoformat() if isinstance(v, dt.date) else v) for v in row])
        written += 1
    # The byte-order mark lets Excel open Arabic text as UTF-8.
    return buffer.getvalue().encode("utf-8-sig"), written


def _xlsx_bytes(rows: Iterator[list[Any]]) -> tuple[bytes, int]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("people")
    written = 0
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
        written += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), written


def export_people(
    *,
    queryset: QuerySet[Person],
    actor: Any,
    fmt: Format,
    hxl: bool = False,
    researcher: bool = False,
    progress: Progress | None = None,
) -> bytes:
    """A CSV or XLSX file of the people in the queryset (pseudonymized for researchers), audited as one export.

    The caller chooses the queryset through ``access`` (``visible_people`` or ``research_people``); a user
    whose only role is researcher gets the pseudonymized file or nothing.
    """
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"unknown export format {fmt!r}")
    if not researcher and access.is_researcher_only(actor):
        raise AccessDenied("researchers get pseudonymized exports only")
    rows = iter_rows(queryset, hxl=hxl, researcher=researcher, progress=progress)
    content, written = _csv_bytes(rows) if fmt == "csv" else _xlsx_bytes(rows)
    count = written - 1 - int(hxl)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        subject_type="people.person",
        reason="export (pseudonymized)" if researcher else "export",
        detail={"count": count, "pseudonymized": researcher, "format": fmt, "hxl": hxl},
    )
    return content
