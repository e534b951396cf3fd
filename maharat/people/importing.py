"""Importing people from CSV/XLSX files and KoBoToolbox exports: read, map columns, check every row, import all.

The flow is the same on the web and on the command line:

1. ``read_table`` turns the upload into headers and rows of text (encoding and delimiter detected for CSV,
   first sheet of an XLSX, an HXL hashtag row under the header remembered and skipped).
2. ``suggest_mapping`` proposes which column holds which field, from HXL hashtags and from the column names
   (the last segment of a KoBoToolbox group path, in English or Arabic). Staff review it.
3. ``validate_import`` checks every row without writing: values parsed, required fields, the model's rules,
   phones and identity documents already registered or repeated inside the file.
4. ``commit_import`` re-checks and, only when no row has an error, registers every person with their consent
   in one transaction: a failure anywhere leaves nothing written.

``import_job_create``, ``import_job_validate`` and ``import_job_commit`` keep the upload, the mapping and the
report on an ``ImportJob`` so the web wizard can span several requests.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import TextChoices
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maharat.core.audit import audit_record
from maharat.core.errors import DomainError
from maharat.core.models import AuditAction, Governorate
from maharat.core.phones import normalize_phone
from maharat.core.text import normalize_text
from maharat.people import access
from maharat.people.choices import (
    Channel,
    ConsentChannel,
    ConsentPurpose,
    EducationLevel,
    EmploymentStatus,
    HouseholdRole,
    Language,
    LegalStatus,
    Nationality,
    Sex,
    WGAnswer,
)
from maharat.people.duplicates import HARD_FIELDS
from maharat.people.models import WG_FIELDS, DuplicateFlag, ImportJob, Organization, Person
from maharat.people.services import DUPLICATE_FIELD_MESSAGES, EDITABLE_FIELDS, person_register

MAX_IMPORT_ROWS: int = getattr(settings, "MAX_IMPORT_ROWS", 50_000)
CONSENT_FIELD = "consent"
TARGET_FIELDS: tuple[str, ...] = (*EDITABLE_FIELDS, CONSENT_FIELD)
REQUIRED_FIELDS = ("sex", "date_of_birth", "nationality", "legal_status", "governorate")
CSV_EXTENSIONS = frozenset({".csv", ".tsv", ".txt"})
XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
# The report kept on an ImportJob lists this many errors; the counts stay exact.
REPORT_ERROR_LIMIT = 1000

Progress = Callable[[int, int], None]

_HXL_TAG = re.compile(r"^#[a-z][a-z0-9_]*(\s*\+\s*[a-z][a-z0-9_]*)*$", re.IGNORECASE)
_ARABIC = re.compile("[\u0600-\u06ff]")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# KoBoToolbox and ODK add these columns to every export; none of them describes the person.
_KOBO_META_NAMES = frozenset(
    {"start", "end", "today", "deviceid", "subscriberid", "simserial", "username", "audit", "instanceid"}
)


# --- Reading files ----------------------------------------------------------------------------------------


@dataclass
class Table:
    """The text of an uploaded file: column names, data rows and each row's number as shown in the file."""

    filename: str
    headers: list[str]
    rows: list[dict[str, str]]
    row_numbers: list[int]
    hxl_tags: dict[str, str] = field(default_factory=dict)


def max_import_rows() -> int:
    """The largest number of data rows one import accepts (settings.MAX_IMPORT_ROWS, default 50,000)."""
    return int(getattr(settings, "MAX_IMPORT_ROWS", MAX_IMPORT_ROWS))


def refuse_oversized(size: int) -> None:
    """Refuse a file larger than settings.MAX_IMPORT_BYTES with a localized DomainError."""
    limit = settings.MAX_IMPORT_BYTES
    if size > limit:
        raise DomainError(
            _("The file is %(size).1f MB; the largest file that can be imported is %(max).1f MB.")
            % {"size": size / 1024 / 1024, "max": limit / 1024 / 1024},
            code="too_large",
        )


def read_upload(upload: Any) -> bytes:
    """The bytes of an uploaded file, refused before reading when larger than settings.MAX_IMPORT_BYTES."""
    refuse_oversized(int(getattr(upload, "size", 0) or 0))
    chunks, total = [], 0
    for chunk in upload.chunks():
        total += len(chunk)
        # The declared size can lie; count what actually arrives.
        refuse_oversized(total)
        chunks.append(chunk)
    return b"".join(chunks)


def read_table(filename: str, content: bytes) -> Table:
    """Read a CSV or XLSX file into a Table, or raise a localized DomainError saying what is wrong."""
    refuse_oversized(len(content))
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xls":
        raise DomainError(_("Excel 97–2003 files (.xls) cannot be read; save the file as .xlsx or CSV."))
    if suffix not in CSV_EXTENSIONS | XLSX_EXTENSIONS:
        raise DomainError(
            _("Upload a CSV or Excel (.xlsx) file; “%(name)s” is neither.") % {"name": filename}
        )
    if not content.strip():
        raise DomainError(_("The file is empty."), code="empty")
    records = _xlsx_records(content) if suffix in XLSX_EXTENSIONS else _csv_records(content)
    return _table_from_records(filename, records)


def _decode(content: bytes) -> str:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Arabic Excel on Windows saves "CSV" in the Windows Arabic code page.
        return content.decode("cp1256", errors="replace")


def _delimiter(text: str) -> str:
    sample = text[:65536]
    first_line = sample.split("\n", 1)[0]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        sniffed = ""
    if sniffed and sniffed in first_line:
        return sniffed
    # The Sniffer guesses from every line; the header line alone is a steadier witness when it disagrees.
    counts = {candidate: first_line.count(candidate) for candidate in ",;\t"}
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] else ","


def _csv_records(content: bytes) -> Iterable[tuple[int, list[Any]]]:
    text = _decode(content)
    if "\x00" in text:
        raise DomainError(_("This file is not a CSV text file."))
    offset = 0
    hint = re.match(r"sep=(.)\r?\n", text)
    if hint:
        # Excel writes "sep=;" on the first line to announce the delimiter.
        delimiter, text, offset = hint.group(1), text[hint.end() :], 1
    else:
        delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = [(index + offset, row) for index, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise DomainError(_("This file could not be read as CSV text.")) from exc
    return records


def _xlsx_records(content: bytes) -> Iterable[tuple[int, list[Any]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise DomainError(_("This file could not be read as an Excel workbook.")) from exc
    try:
        sheet = workbook.worksheets[0]
        # Some writers record a wrong sheet size; read what is there instead of trusting it.
        sheet.reset_dimensions()
        limit = max_import_rows() + 2
        records = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if any(value not in (None, "") for value in row):
                records.append((number, list(row)))
                # Stop early: the row cap refuses the file anyway, and a huge sheet should not fill memory.
                if len(records) > limit:
                    break
        return records
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        # Excel has no date-only type: a date cell arrives as midnight.
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    # Exports guard formula-like text with a leading apostrophe (CSV injection); take it off again.
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]
    return text


def _unique_headers(raw: list[Any]) -> list[str]:
    headers: list[str] = []
    seen: dict[str, int] = {}
    for index, value in enumerate(raw, start=1):
        name = _cell_text(value) or _("column %(number)s") % {"number": index}
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        headers.append(name)
    return headers


def _table_from_records(filename: str, records: Iterable[tuple[int, list[Any]]]) -> Table:
    iterator = iter((number, row) for number, row in records if any(_cell_text(v) for v in row))
    first = next(iterator, None)
    if first is None:
        raise DomainError(_("The file is empty."), code="empty")
    header_row = list(first[1])
    width = len(header_row)
    data: list[tuple[int, list[Any]]] = []
    for number, row in iterator:
        data.append((number, row))
        width = max(width, len(row))
        if len(data) > max_import_rows() + 1:
            break
    hxl_tags_row: list[str] = []
    if data and _is_hxl_row(data[0][1]):
        hxl_tags_row = [_cell_text(v) for v in data[0][1]]
        data = data[1:]
    if not data:
        raise DomainError(_("The file has a header row but no data rows."), code="no_rows")
    if len(data) > max_import_rows():
        raise DomainError(
            _("The file has more than %(max)s rows; split it into smaller files.")
            % {"max": max_import_rows()},
            code="too_many_rows",
        )
    header_row += [None] * (width - len(header_row))
    # Columns without a name and without any value are Excel's trailing emptiness, not data.
    keep = [
        i
        for i in range(width)
        if _cell_text(header_row[i]) or any(i < len(row) and _cell_text(row[i]) for _n, row in data)
    ]
    headers = _unique_headers([header_row[i] for i in keep])
    rows = [
        {headers[j]: _cell_text(row[i]) if i < len(row) else "" for j, i in enumerate(keep)}
        for _n, row in data
    ]
    tags = {}
    for j, i in enumerate(keep):
        if i < len(hxl_tags_row) and hxl_tags_row[i]:
            tags[headers[j]] = _normalize_tag(hxl_tags_row[i])
    return Table(
        filename=filename, headers=headers, rows=rows, row_numbers=[n for n, _row in data], hxl_tags=tags
    )


def _is_hxl_row(row: list[Any]) -> bool:
    cells = [_cell_text(v) for v in row if _cell_text(v)]
    return bool(cells) and all(_HXL_TAG.match(cell) for cell in cells)


def _normalize_tag(tag: str) -> str:
    return re.sub(r"\s+", "", tag).lower()


def is_meta_column(header: str) -> bool:
    """KoBoToolbox/ODK bookkeeping columns (_uuid, _submission_time, meta/instanceID, start, …)."""
    path = header.strip().strip("/")
    last = path.rsplit("/", 1)[-1]
    if last.startswith("_") or path.lower().startswith(("meta/", "formhub/")):
        return True
    return _key(last) in _KOBO_META_NAMES


# --- Column mapping ---------------------------------------------------------------------------------------

# A column that names a person without saying the script is resolved by its values (or its own script).
_GIVEN = "given_name"
_FAMILY = "family_name"
_SYNONYMS: dict[str, tuple[str, ...]] = {
    _GIVEN: ("given_name", "first_name", "firstname", "forename", "name", "full_name", "fullname",
             "الاسم الأول", "الاسم", "الاسم الكامل", "الاسم الرباعي", "اسم"),
    _FAMILY: ("family_name", "last_name", "lastname", "surname", "family", "اسم العائلة", "العائلة", "الكنية"),
    "given_name_ar": ("given_name_ar", "first_name_ar", "name_ar", "arabic_name", "full_name_ar",
                      "الاسم الأول بالعربي", "الاسم بالعربي", "الاسم بالعربية"),
    "family_name_ar": ("family_name_ar", "last_name_ar", "surname_ar", "اسم العائلة بالعربي"),
    "given_name_latin": ("given_name_latin", "given_name_en", "first_name_en", "name_en", "name_latin",
                         "english_name", "full_name_en", "الاسم بالإنجليزية", "الاسم بالانجليزي"),
    "family_name_latin": ("family_name_latin", "family_name_en", "last_name_en", "surname_en",
                          "اسم العائلة بالإنجليزية", "اسم العائلة بالانجليزي"),
    "sex": ("sex", "gender", "الجنس", "النوع", "جنس"),
    "date_of_birth": ("date_of_birth", "dob", "birth_date", "birthdate", "birthday", "date_birth",
                      "تاريخ الميلاد", "تاريخ الولادة", "الميلاد"),
    "nationality": ("nationality", "citizenship", "الجنسية"),
    "legal_status": ("legal_status", "residency_status", "displacement_status", "population_group",
                     "الوضع القانوني", "الصفة القانونية", "الحالة القانونية"),
    "national_id": ("national_id", "national_number", "nid", "الرقم الوطني"),
    "moi_card_number": ("moi_card_number", "moi_card", "moi", "service_card", "moi_service_card",
                        "رقم بطاقة الخدمة", "بطاقة الخدمة", "بطاقة وزارة الداخلية"),
    "unhcr_case_number": ("unhcr_case_number", "unhcr_case", "unhcr", "unhcr_id", "case_number",
                          "رقم ملف المفوضية", "رقم الحالة", "رقم ملف اللجوء"),
    "phone": ("phone", "mobile", "phone_number", "mobile_number", "telephone", "tel", "contact_phone",
              "رقم الهاتف", "الهاتف", "هاتف", "الموبايل", "رقم الموبايل", "الجوال", "رقم الجوال"),
    "governorate": ("governorate", "gov", "adm1", "province", "المحافظة", "محافظة"),
    "locality": ("locality", "city", "town", "village", "camp", "community", "area",
                 "المنطقة", "المدينة", "القرية", "البلدة", "المخيم"),
    "household_role": ("household_role", "relationship_to_head", "hh_role", "الصلة برب الأسرة"),
    "female_headed_household": ("female_headed_household", "fhh", "female_headed", "أسرة ترأسها امرأة"),
    "wg_seeing": ("wg_seeing", "seeing", "difficulty_seeing", "الرؤية", "صعوبة الرؤية"),
    "wg_hearing": ("wg_hearing", "hearing", "difficulty_hearing", "السمع", "صعوبة السمع"),
    "wg_walking": ("wg_walking", "walking", "mobility", "difficulty_walking", "المشي", "صعوبة المشي"),
    "wg_cognition": ("wg_cognition", "cognition", "remembering", "difficulty_remembering", "التذكر", "صعوبة التذكر"),
    "wg_selfcare": ("wg_selfcare", "selfcare", "self_care", "difficulty_selfcare", "العناية الذاتية"),
    "wg_communication": ("wg_communication", "communication", "communicating", "difficulty_communicating",
                         "التواصل", "صعوبة التواصل"),
    "education_level": ("education_level", "education", "highest_education", "المستوى التعليمي", "التعليم"),
    "employment_status": ("employment_status", "employment", "work_status", "الحالة الوظيفية", "العمل"),
    "languages": ("languages", "languages_spoken", "language", "اللغات"),
    "preferred_language": ("preferred_language", "اللغة المفضلة"),
    "preferred_channel": ("preferred_channel", "contact_channel", "channel", "وسيلة التواصل المفضلة"),
    CONSENT_FIELD: ("consent", "consent_given", "consent_registration", "agree", "الموافقة", "موافقة"),
}  # fmt: skip

# HXL hashtag patterns (a tag matches when it has the hashtag and at least these attributes), most specific
# first. The tags written by ``exporting`` are included so an export imports back.
_HXL_FIELDS: tuple[tuple[str, frozenset[str], str], ...] = (
    ("meta", frozenset({"name", "given", "i_ar"}), "given_name_ar"),
    ("meta", frozenset({"name", "family", "i_ar"}), "family_name_ar"),
    ("meta", frozenset({"name", "given", "i_en"}), "given_name_latin"),
    ("meta", frozenset({"name", "family", "i_en"}), "family_name_latin"),
    ("meta", frozenset({"id", "national"}), "national_id"),
    ("meta", frozenset({"id", "moi"}), "moi_card_number"),
    ("meta", frozenset({"id", "unhcr"}), "unhcr_case_number"),
    ("meta", frozenset({"household", "role"}), "household_role"),
    ("meta", frozenset({"household", "female_headed"}), "female_headed_household"),
    *(("meta", frozenset({"wg", name.removeprefix("wg_")}), name) for name in WG_FIELDS),
    ("meta", frozenset({"education"}), "education_level"),
    ("meta", frozenset({"employment"}), "employment_status"),
    ("meta", frozenset({"languages"}), "languages"),
    ("meta", frozenset({"lang", "preferred"}), "preferred_language"),
    ("meta", frozenset({"channel", "preferred"}), "preferred_channel"),
    ("meta", frozenset({"consent"}), CONSENT_FIELD),
    ("date", frozenset({"birth"}), "date_of_birth"),
    ("date", frozenset({"dob"}), "date_of_birth"),
    ("country", frozenset({"nationality"}), "nationality"),
    ("status", frozenset({"legal"}), "legal_status"),
    ("contact", frozenset({"phone"}), "phone"),
    ("sex", frozenset(), "sex"),
    ("adm1", frozenset(), "governorate"),
    ("loc", frozenset(), "locality"),
    ("adm2", frozenset(), "locality"),
)


def _key(text: str) -> str:
    """Case-, underscore-, space- and Arabic-spelling-insensitive form of a name or value."""
    return normalize_text(text).replace(" ", "")


def _field_label(name: str) -> str:
    if name == CONSENT_FIELD:
        return _("Consent to registration (yes/no)")
    return str(getattr(Person._meta.get_field(name), "verbose_name", name))


def target_fields() -> list[tuple[str, str]]:
    """Fields a column can be mapped to, with their labels in the active language."""
    return [(name, _field_label(name)) for name in TARGET_FIELDS]


@lru_cache(maxsize=1)
def _synonym_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for target, words in _SYNONYMS.items():
        for word in words:
            index.setdefault(_key(word), target)
    # Field names and their labels in both languages are names people use too.
    for target in EDITABLE_FIELDS:
        index.setdefault(_key(target), target)
        for code in ("en", "ar"):
            with translation.override(code):
                index.setdefault(_key(_field_label(target)), target)
    return index


def _field_for_tag(tag: str) -> str | None:
    parts = _normalize_tag(tag).lstrip("#").split("+")
    hashtag, attributes = parts[0], set(parts[1:])
    for pattern, required, target in _HXL_FIELDS:
        if hashtag == pattern and required <= attributes:
            return target
    return None


def _resolve_script(generic: str, header: str, sample_rows: list[dict[str, str]] | None) -> tuple[str, str]:
    values = [row[header] for row in (sample_rows or [])[:50] if row.get(header)]
    if values:
        arabic = sum(bool(_ARABIC.search(v)) for v in values) * 2 > len(values)
    else:
        arabic = bool(_ARABIC.search(header))
    first, second = ("_ar", "_latin") if arabic else ("_latin", "_ar")
    return generic + first, generic + second


def suggest_mapping(
    headers: list[str],
    hxl_tags: Mapping[str, str] | None = None,
    sample_rows: list[dict[str, str]] | None = None,
) -> dict[str, str]:
    """Propose {field: column} from HXL hashtags first, then column names (last KoBo path segment).

    A name column that does not say its script ("first_name", "الاسم") goes to the Arabic or Latin field by
    the script of its values when sample rows are given, else by the script of the column name.
    """
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for header in headers:
        target = _field_for_tag(hxl_tags[header]) if hxl_tags and header in hxl_tags else None
        if target and target not in mapping and not is_meta_column(header):
            mapping[target] = header
            used.add(header)
    index = _synonym_index()
    for header in headers:
        if header in used or is_meta_column(header):
            continue
        target = index.get(_key(header.strip().strip("/").rsplit("/", 1)[-1]))
        if target is None:
            continue
        candidates = (
            _resolve_script(target, header, sample_rows) if target in (_GIVEN, _FAMILY) else (target,)
        )
        for candidate in candidates:
            if candidate not in mapping:
                mapping[candidate] = header
                used.add(header)
                break
    return {target: mapping[target] for target in TARGET_FIELDS if target in mapping}


# --- Values -----------------------------------------------------------------------------------------------

_EXTRA_CHOICE_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "sex": {
        "F": ("f", "female", "woman", "girl", "أنثى", "انثى", "امرأة"),
        "M": ("m", "male", "man", "boy", "ذكر", "رجل"),
    },
    "nationality": {
        "JO": ("jor", "jordan", "jordanian", "أردني", "أردنية", "الأردن", "اردني", "الاردنية"),
        "SY": ("syr", "syria", "syrian", "syrian arab republic", "سوري", "سورية", "سوريا", "السورية"),
        "IQ": ("irq", "iraq", "iraqi", "عراقي", "عراقية", "العراق", "العراقية"),
        "YE": ("yem", "yemen", "yemeni", "يمني", "يمنية", "اليمن", "اليمنية"),
        "SD": ("sdn", "sudan", "sudanese", "سوداني", "سودانية", "السودان", "السودانية"),
        "PS": ("pse", "palestine", "palestinian", "فلسطيني", "فلسطينية", "فلسطين", "الفلسطينية"),
        "EG": ("egy", "egypt", "egyptian", "مصري", "مصرية", "مصر", "المصرية"),
        "SO": ("som", "somalia", "somali", "صومالي", "صومالية", "الصومال", "الصومالية"),
        "XX": ("other", "أخرى", "اخرى", "غير ذلك"),
    },
    "legal_status": {
        "jordanian": ("citizen", "jordanian citizen", "مواطن", "أردني", "أردنية"),
        "refugee": ("refugee", "unhcr refugee", "لاجئ", "لاجئة"),
        "asylum_seeker": ("asylum seeker", "asylum", "طالب لجوء", "طالبة لجوء"),
        "migrant_worker": ("migrant", "migrant worker", "عامل مهاجر", "عاملة مهاجرة", "عامل وافد", "وافد"),
        "other": ("أخرى", "اخرى", "غير ذلك"),
    },
    "wg": {
        "1": ("no", "none", "no difficulty", "no_difficulty", "لا", "لا يوجد صعوبة", "لا توجد صعوبة"),
        "2": ("some", "some difficulty", "some_difficulty", "بعض الصعوبة", "صعوبة بسيطة"),
        "3": ("a lot", "a lot of difficulty", "a_lot_of_difficulty", "lot", "صعوبة كبيرة", "الكثير من الصعوبة"),
        "4": ("cannot", "cannot do", "cannot do at all", "cannot_do_at_all", "لا يستطيع", "لا أستطيع", "لا يستطيع أبدا"),
    },
    "languages": {
        "ar": ("ara", "arabic", "عربي", "عربية", "العربية", "اللغة العربية"),
        "en": ("eng", "english", "انجليزي", "إنجليزي", "الإنجليزية", "الانجليزية", "اللغة الإنجليزية"),
        "fr": ("fra", "french", "فرنسي", "الفرنسية"),
        "ku": ("kur", "kurdish", "كردي", "الكردية"),
        "tr": ("tur", "turkish", "تركي", "التركية"),
        "so": ("som", "somali", "صومالي", "الصومالية"),
        "other": ("أخرى", "اخرى"),
    },
    "preferred_channel": {"sms": ("text", "رسائل", "رسالة نصية"), "whatsapp": ("واتساب", "واتس اب"), "web": ("ويب",)},
    "preferred_language": {"ar": ("arabic", "عربي", "العربية"), "en": ("english", "انجليزي", "الإنجليزية")},
}  # fmt: skip
_TRUE_WORDS = ("yes", "y", "true", "1", "نعم", "اي", "ايوه", "صح", "موافق", "موافقة", "oui")
_FALSE_WORDS = ("no", "n", "false", "0", "لا", "خطا", "غير موافق", "non")
# Washington Group "don't know" and "refused" are missing answers, not difficulties.
_WG_MISSING = ("dont know", "don't know", "refused", "prefer not to say", "لا أعرف", "لا اعرف", "رفض")
_GOVERNORATE_ALIASES = {
    "AM": ("amman", "عمان", "العاصمة", "capital"),
    "BA": ("balqa", "balka", "salt", "البلقاء", "السلط"),
    "ZA": ("zarqa", "zarka", "الزرقاء"),
    "MD": ("madaba", "ماديا", "مأدبا"),
    "IR": ("irbid", "اربد"),
    "MA": ("mafraq", "المفرق"),
    "JA": ("jerash", "jarash", "جرش"),
    "AJ": ("ajloun", "ajlun", "ajlune", "عجلون"),
    "KA": ("karak", "kerak", "الكرك"),
    "TA": ("tafilah", "tafila", "tafileh", "الطفيلة"),
    "MN": ("maan", "ma'an", "معان"),
    "AQ": ("aqaba", "akaba", "العقبة"),
}
_CHOICES: dict[str, type[TextChoices]] = {
    "sex": Sex,
    "nationality": Nationality,
    "legal_status": LegalStatus,
    "household_role": HouseholdRole,
    "education_level": EducationLevel,
    "employment_status": EmploymentStatus,
    "preferred_channel": Channel,
    "languages": Language,
}


def _place_key(text: str) -> str:
    words = [w for w in normalize_text(text).split() if w not in ("governorate", "محافظه", "gov")]
    joined = "".join(words)
    for article in ("al", "el", "ال"):
        if joined.startswith(article) and len(joined) > len(article) + 2:
            joined = joined[len(article) :]
    return joined


@lru_cache(maxsize=16)
def _choice_index(kind: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for value, words in _EXTRA_CHOICE_WORDS.get(kind, {}).items():
        for word in words:
            index.setdefault(_key(word), value)
    pairs: list[tuple[str, Any]]
    if kind == "wg":
        pairs = [(str(c.value), c.label) for c in WGAnswer]
    elif kind == "preferred_language":
        pairs = list(settings.LANGUAGES)
    else:
        pairs = [(c.value, c.label) for c in _CHOICES[kind]]
    for value, label in pairs:
        index.setdefault(_key(value), value)
        for code in ("en", "ar"):
            with translation.override(code):
                index.setdefault(_key(str(label)), value)
    return index


def _choice(kind: str, raw: str) -> str:
    value = _choice_index(kind).get(_key(raw))
    if value is None:
        raise ValidationError(_("“%(value)s” is not one of the accepted answers.") % {"value": raw})
    return value


def parse_sex(raw: str) -> str:
    """F or M from F/M, female/male, أنثى/ذكر and the labels in both languages."""
    value = _choice_index("sex").get(_key(raw))
    if value is None:
        raise ValidationError(_("“%(value)s” is not a sex; write F or M (أنثى or ذكر).") % {"value": raw})
    return value


def parse_date(raw: str) -> dt.date:
    """A date from YYYY-MM-DD (KoBo ISO timestamps too), DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY or an Excel serial."""
    text = raw.strip().translate(_DIGITS)
    try:
        if match := re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ][\d:.+\-Z]*)?", text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: 0?0:00(?::00)?)?", text):
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        if match := re.fullmatch(r"(\d{5})(?:\.0+)?", text):
            # A date cell that lost its format arrives as Excel's day count since 1899-12-30.
            return _EXCEL_EPOCH + dt.timedelta(days=int(match[1]))
    except ValueError:
        pass
    raise ValidationError(
        _("“%(value)s” is not a date; write it as YYYY-MM-DD or DD/MM/YYYY.") % {"value": raw}
    )


def parse_bool(raw: str) -> bool:
    """True or False from yes/no, نعم/لا, true/false, 1/0."""
    key = _key(raw)
    if key in {_key(w) for w in _TRUE_WORDS}:
        return True
    if key in {_key(w) for w in _FALSE_WORDS}:
        return False
    raise ValidationError(_("“%(value)s” is not yes or no.") % {"value": raw})


def parse_wg(raw: str) -> int | None:
    """A Washington Group answer 1–4 from the number or the answer in either language; don't know is blank."""
    if _key(raw) in {_key(w) for w in _WG_MISSING}:
        return None
    value = _choice_index("wg").get(_key(raw))
    if value is None:
        raise ValidationError(
            _(
                "“%(value)s” is not a Washington Group answer; write 1 (no difficulty) to 4 (cannot do at all)."
            )
            % {"value": raw}
        )
    return int(value)


def parse_languages(raw: str) -> list[str]:
    """Language codes from a KoBo select-multiple answer ("ar en") or a comma-separated list."""
    whole = _choice_index("languages").get(_key(raw))
    if whole is not None:
        return [whole]
    parts = re.split(r"[,;،؛/|]", raw) if re.search(r"[,;،؛/|]", raw) else raw.split()
    codes: list[str] = []
    for part in (p.strip() for p in parts):
        if part:
            code = _choice("languages", part)
            if code not in codes:
                codes.append(code)
    return codes


def _governorate_index() -> dict[str, Governorate]:
    index: dict[str, Governorate] = {}
    for governorate in Governorate.objects.all():
        for word in (governorate.code, governorate.hxl_pcode, governorate.label_en, governorate.label_ar):
            if word:
                index.setdefault(_place_key(word), governorate)
        for alias in _GOVERNORATE_ALIASES.get(governorate.code, ()):
            index.setdefault(_place_key(alias), governorate)
    return index


def _text(raw: str) -> str:
    return " ".join(raw.split())


def _identifier(raw: str) -> str | None:
    text = "".join(raw.split()).translate(_DIGITS)
    return text or None


def _parse_value(target: str, raw: str, governorates: Mapping[str, Governorate]) -> Any:
    """The Python value of one cell for one field, or a ValidationError with a localized message."""
    if target == "sex":
        return parse_sex(raw)
    if target == "date_of_birth":
        return parse_date(raw)
    if target == "governorate":
        governorate = governorates.get(_place_key(raw))
        if governorate is None:
            raise ValidationError(
                _(
                    "“%(value)s” is not a governorate of Jordan (write its name in Arabic or English, or its P-code)."
                )
                % {"value": raw}
            )
        return governorate
    if target == "phone":
        return normalize_phone(raw)
    if target in WG_FIELDS:
        return parse_wg(raw)
    if target in ("female_headed_household", CONSENT_FIELD):
        return parse_bool(raw)
    if target == "languages":
        return parse_languages(raw)
    if target in ("national_id", "moi_card_number"):
        return _identifier(raw)
    if target == "unhcr_case_number":
        identifier = _identifier(raw)
        return identifier.upper() if identifier else None
    if target in _CHOICES or target == "preferred_language":
        return _choice(target, raw)
    return _text(raw)


# --- Checking ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem in the file: the row (None for the whole file), the column, the field and what is wrong."""

    row_number: int | None
    column: str
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        """The form stored in an ImportJob report."""
        return {"row": self.row_number, "column": self.column, "field": self.field, "message": self.message}


@dataclass
class ImportReport:
    """What checking a file found: counts, and every error with its row and column."""

    rows_total: int
    errors: list[RowError] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    unmapped_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no row has an error."""
        return not self.errors

    @property
    def rows_with_errors(self) -> int:
        """Number of distinct rows with at least one error."""
        return len({e.row_number for e in self.errors if e.row_number is not None})

    @property
    def rows_valid(self) -> int:
        """Rows that would be imported if the others were fixed."""
        if any(e.row_number is None for e in self.errors):
            return 0
        return self.rows_total - self.rows_with_errors

    def as_dict(self) -> dict[str, Any]:
        """The JSON kept on an ImportJob (at most REPORT_ERROR_LIMIT errors listed)."""
        return {
            "rows_total": self.rows_total,
            "rows_valid": self.rows_valid,
            "rows_with_errors": self.rows_with_errors,
            "error_count": len(self.errors),
            "errors": [e.as_dict() for e in self.errors[:REPORT_ERROR_LIMIT]],
            "errors_truncated": len(self.errors) > REPORT_ERROR_LIMIT,
            "mapping": self.mapping,
            "unmapped_columns": self.unmapped_columns,
        }


@dataclass
class _Checked:
    report: ImportReport
    rows: list[tuple[int, dict[str, Any]]]


@dataclass
class ImportResult:
    """A finished import: how many people were registered and how many were flagged as possible duplicates."""

    created: int
    person_ids: list[int]
    flagged: int
    report: ImportReport


class ImportRefused(DomainError):
    """The file has errors, so nothing was imported; the report says which rows."""

    def __init__(self, report: ImportReport) -> None:
        count = len(report.errors)
        super().__init__(
            ngettext(
                "The file has %(count)s error; nothing was imported.",
                "The file has %(count)s errors; nothing was imported.",
                count,
            )
            % {"count": count},
            code="import_refused",
        )
        self.report = report


def _mapping_errors(
    table: Table,
    mapping: Mapping[str, str],
    consent_confirmed: bool | None,
    actor: Any,
    organization: Organization,
) -> list[RowError]:
    errors = []
    if actor is not None and not access.can_import_for(actor, organization):
        errors.append(
            RowError(None, "", "", _("You may not import people for %(org)s.") % {"org": organization})
        )
    for target, column in mapping.items():
        if target not in TARGET_FIELDS:
            errors.append(
                RowError(
                    None, column, target, _("“%(field)s” is not a field of a person.") % {"field": target}
                )
            )
        elif column not in table.headers:
            errors.append(
                RowError(None, column, target, _("The file has no column “%(column)s”.") % {"column": column})
            )
    labels = dict(target_fields())
    for target in REQUIRED_FIELDS:
        if target not in mapping:
            errors.append(
                RowError(
                    None,
                    "",
                    target,
                    _("Choose the column that holds: %(field)s.") % {"field": labels[target]},
                )
            )
    if not any(name in mapping for name in ("given_name_ar", "given_name_latin")):
        errors.append(
            RowError(None, "", "given_name_ar", _("Choose a column with the given name (Arabic or Latin)."))
        )
    if CONSENT_FIELD not in mapping and consent_confirmed is False:
        errors.append(RowError(None, "", CONSENT_FIELD, consent_missing_message()))
    return errors


def consent_missing_message() -> str:
    """Why an import without a consent column needs staff to confirm consent."""
    return _(
        "The file has no consent column: confirm that every person in it gave consent (for example on a signed "
        "paper form) to be registered, or add a consent column."
    )


def _check(
    *,
    table: Table,
    mapping: Mapping[str, str],
    organization: Organization,
    actor: Any = None,
    consent_confirmed: bool | None = None,
    progress: Progress | None = None,
) -> _Checked:
    mapping = {target: column for target, column in mapping.items() if column}
    mapped_columns = set(mapping.values())
    report = ImportReport(
        rows_total=len(table.rows),
        mapping=dict(mapping),
        unmapped_columns=[h for h in table.headers if h not in mapped_columns and not is_meta_column(h)],
    )
    report.errors.extend(_mapping_errors(table, mapping, consent_confirmed, actor, organization))
    if report.errors:
        return _Checked(report, [])
    if len(table.rows) > max_import_rows():
        report.errors.append(
            RowError(
                None,
                "",
                "",
                _("The file has more than %(max)s rows; split it into smaller files.")
                % {"max": max_import_rows()},
            )
        )
        return _Checked(report, [])
    governorates = _governorate_index()
    labels = dict(target_fields())
    prepared: list[tuple[int, dict[str, Any]]] = []
    seen: dict[tuple[str, str], int] = {}
    total = len(table.rows)
    for index, (number, row) in enumerate(zip(table.row_numbers, table.rows, strict=True), start=1):
        data, row_errors = _check_row(number, row, mapping, governorates, seen, labels)
        report.errors.extend(row_errors)
        if not row_errors:
            prepared.append((number, data))
        if progress is not None:
            progress(index, total)
    report.errors.extend(_registered_duplicates(prepared, mapping))
    report.errors.sort(key=lambda e: e.row_number or 0)
    bad_rows = {e.row_number for e in report.errors}
    return _Checked(report, [(n, d) for n, d in prepared if n not in bad_rows])


def _check_row(
    number: int,
    row: Mapping[str, str],
    mapping: Mapping[str, str],
    governorates: Mapping[str, Governorate],
    seen: dict[tuple[str, str], int],
    labels: Mapping[str, str],
) -> tuple[dict[str, Any], list[RowError]]:
    errors: list[RowError] = []
    data: dict[str, Any] = {}
    for target, column in mapping.items():
        raw = (row.get(column) or "").strip()
        if not raw:
            continue
        try:
            value = _parse_value(target, raw, governorates)
        except ValidationError as exc:
            errors.extend(RowError(number, column, target, str(m)) for m in exc.messages)
            continue
        if value is not None:
            data[target] = value
    failed = {e.field for e in errors}
    for target in REQUIRED_FIELDS:
        if target not in data and target not in failed:
            errors.append(
                RowError(
                    number,
                    mapping[target],
                    target,
                    _("%(field)s is missing.") % {"field": capfirst(labels[target])},
                )
            )
    if not (data.get("given_name_ar") or data.get("given_name_latin")) and not failed & {
        "given_name_ar",
        "given_name_latin",
    }:
        column = mapping.get("given_name_ar") or mapping.get("given_name_latin", "")
        errors.append(
            RowError(number, column, "given_name_ar", _("Enter a given name in Arabic or Latin script."))
        )
    if CONSENT_FIELD in mapping and CONSENT_FIELD not in failed and data.get(CONSENT_FIELD) is not True:
        errors.append(
            RowError(
                number,
                mapping[CONSENT_FIELD],
                CONSENT_FIELD,
                _("This person has not consented to registration; remove the row or record their consent."),
            )
        )
    errors.extend(_model_errors(number, data, mapping, failed | {e.field for e in errors}))
    for target in HARD_FIELDS:
        value = data.get(target)
        if not value:
            continue
        first = seen.setdefault((target, value), number)
        if first != number:
            errors.append(
                RowError(
                    number,
                    mapping[target],
                    target,
                    _("Same %(field)s as row %(row)s.")
                    % {"field": DUPLICATE_FIELD_MESSAGES[target], "row": first},
                )
            )
    return data, errors


def _model_errors(
    number: int, data: Mapping[str, Any], mapping: Mapping[str, str], skip: set[str]
) -> list[RowError]:
    values = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    person = Person(**values)
    exclude = [
        f.name
        for f in Person._meta.fields
        if f.name in skip or (f.name in REQUIRED_FIELDS and f.name not in values)
    ]
    try:
        # Uniqueness is checked for the whole file at once; constraints only restate the parsed choices.
        person.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return [
            RowError(number, mapping.get(target, ""), target if target != "__all__" else "", str(message))
            for target, messages in exc.message_dict.items()
            for message in messages
        ]
    return []


def _registered_duplicates(
    prepared: list[tuple[int, dict[str, Any]]], mapping: Mapping[str, str]
) -> list[RowError]:
    """Rows whose phone or identity document is already registered.

    The same rule as ``duplicates.find_hard_duplicate`` (any record, merged or not, holding the value), asked
    once per field for 500 values at a time instead of once per row, so 50,000 rows stay a few queries.
    """
    errors = []
    for target in HARD_FIELDS:
        wanted = {data[target]: number for number, data in prepared if data.get(target)}
        values = list(wanted)
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            for value, person_id in Person.objects.filter(**{f"{target}__in": chunk}).values_list(
                target, "pk"
            ):
                errors.append(
                    RowError(
                        wanted[value],
                        mapping[target],
                        target,
                        _("A person with this %(field)s is already registered (record %(id)s).")
                        % {"field": DUPLICATE_FIELD_MESSAGES[target], "id": person_id},
                    )
                )
    return sorted(errors, key=lambda e: (e.row_number or 0, e.column))


def validate_import(
    *,
    table: Table,
    mapping: Mapping[str, str],
    organization: Organization,
    actor: Any = None,
    consent_confirmed: bool | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Check every row of a file against a column mapping, writing nothing; the report lists every error.

    ``consent_confirmed`` None skips the consent confirmation check (rows are checked either way).
    """
    checked = _check(
        table=table,
        mapping=mapping,
        organization=organization,
        actor=actor,
        consent_confirmed=consent_confirmed,
        progress=progress,
    )
    return checked.report


# --- For other importers (applications to programmes read people from the same kinds of files) -----------


def column_key(text: str) -> str:
    """The case-, spacing- and Arabic-spelling-insensitive form of a column name or answer, for matching."""
    return _key(text)


def governorate_index() -> dict[str, Governorate]:
    """Governorates under every spelling a file may use (code, P-code, names, aliases), for ``parse_cell``."""
    return _governorate_index()


def parse_cell(target: str, raw: str, governorates: Mapping[str, Governorate]) -> Any:
    """The value of one non-empty cell for one person field, or a localized ValidationError."""
    return _parse_value(target, raw, governorates)


def can_register_from(mapping: Mapping[str, str]) -> bool:
    """Whether a mapping names every column a registration needs (required fields and a given name)."""
    return all(mapping.get(target) for target in REQUIRED_FIELDS) and any(
        mapping.get(target) for target in ("given_name_ar", "given_name_latin")
    )


def check_person_row(
    number: int,
    row: Mapping[str, str],
    mapping: Mapping[str, str],
    governorates: Mapping[str, Governorate],
    seen: dict[tuple[str, str], int] | None = None,
) -> tuple[dict[str, Any], list[RowError]]:
    """One row checked as a registration, as ``validate_import`` checks it; needs ``can_register_from(mapping)``.

    ``seen`` carries phones and documents met in earlier rows, to report repeats; None skips that check.
    """
    person_mapping = {
        target: column for target, column in mapping.items() if target in TARGET_FIELDS and column
    }
    return _check_row(
        number, row, person_mapping, governorates, {} if seen is None else seen, dict(target_fields())
    )


# --- Importing --------------------------------------------------------------------------------------------


def commit_import(
    *,
    table: Table,
    mapping: Mapping[str, str],
    organization: Organization,
    actor: Any,
    consent_confirmed: bool,
    progress: Progress | None = None,
    job: ImportJob | None = None,
) -> ImportResult:
    """Register every person in the file with their consent, all or nothing, and audit the import once."""
    mapping = {target: column for target, column in mapping.items() if column}
    if CONSENT_FIELD not in mapping and not consent_confirmed:
        raise DomainError(consent_missing_message(), code="consent_required")
    checked = _check(
        table=table,
        mapping=mapping,
        organization=organization,
        actor=actor,
        consent_confirmed=consent_confirmed,
    )
    if not checked.report.ok:
        raise ImportRefused(checked.report)
    # A consent column means each row carries its own answer; otherwise staff vouch for signed paper forms.
    channel = ConsentChannel.IMPORT if CONSENT_FIELD in mapping else ConsentChannel.PAPER
    total = len(checked.rows)
    created: list[int] = []
    with transaction.atomic():
        if job is not None:
            _claim(job)
        last_flag = DuplicateFlag.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for index, (number, data) in enumerate(checked.rows, start=1):
            values = {k: v for k, v in data.items() if k != CONSENT_FIELD}
            try:
                person = person_register(
                    actor=actor,
                    data=values,
                    consent_purposes=[ConsentPurpose.REGISTRATION],
                    consent_channel=channel,
                    organization=organization,
                    reason=f"import {table.filename}"[:500],
                    check_similar=True,
                )
            except ValidationError as exc:
                # Someone registered the same phone or document since the check: refuse the whole file.
                report = checked.report
                target = getattr(exc, "field", "")
                report.errors.extend(
                    RowError(number, mapping.get(target, ""), target, str(m)) for m in exc.messages
                )
                raise ImportRefused(report) from exc
            created.append(person.pk)
            if progress is not None:
                progress(index, total)
        flagged = DuplicateFlag.objects.filter(pk__gt=last_flag, person__registered_by=organization).count()
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            subject_type="people.importjob",
            subject_id=job.pk if job is not None else "",
            fields=[target for target in mapping if target != CONSENT_FIELD],
            reason=f"import {table.filename}"[:500],
            detail={
                "filename": table.filename,
                "organization": organization.pk,
                "rows": len(table.rows),
                "created": len(created),
                "flagged_similar": flagged,
                "consent": "column" if CONSENT_FIELD in mapping else "confirmed_by_staff",
            },
        )
        result = ImportResult(
            created=len(created), person_ids=created, flagged=flagged, report=checked.report
        )
        if job is not None:
            job.mapping = dict(mapping)
            job.report = {**checked.report.as_dict(), "created": len(created), "flagged_similar": flagged}
            job.status = ImportJob.Status.COMMITTED
            job.rows_total = len(table.rows)
            job.rows_imported = len(created)
            job.save(
                update_fields=["mapping", "report", "status", "rows_total", "rows_imported", "updated_at"]
            )
    return result


def _claim(job: ImportJob) -> None:
    # The conditional update is the lock: a second commit of the same job (a double click) finds it taken.
    claimed = (
        ImportJob.objects.filter(pk=job.pk)
        .exclude(status=ImportJob.Status.COMMITTED)
        .update(status=ImportJob.Status.COMMITTED)
    )
    if not claimed:
        raise DomainError(_("This file has already been imported."), code="already_imported")


def import_job_create(*, actor: Any, organization: Organization, filename: str, content: bytes) -> ImportJob:
    """Keep an uploaded file for import after checking that it can be read."""
    if not access.can_import_for(actor, organization):
        raise DomainError(_("You may not import people for %(org)s.") % {"org": organization})
    name = PurePath(filename.replace("\\", "/")).name[:255] or "upload.csv"
    table = read_table(name, content)
    return ImportJob.objects.create(
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        organization=organization,
        filename=name,
        content=content,
        rows_total=len(table.rows),
    )


def job_table(job: ImportJob) -> Table:
    """The table of a stored upload."""
    return read_table(job.filename, bytes(job.content))


def import_job_validate(
    *, job: ImportJob, mapping: Mapping[str, str], consent_confirmed: bool
) -> ImportReport:
    """Check every row of a stored upload with a mapping and keep the report on the job."""
    _refuse_committed(job)
    table = job_table(job)
    report = validate_import(
        table=table,
        mapping=mapping,
        organization=job.organization,
        actor=job.created_by,
        consent_confirmed=consent_confirmed,
    )
    job.mapping = dict(report.mapping)
    job.report = report.as_dict()
    job.rows_total = report.rows_total
    job.status = ImportJob.Status.VALIDATED if report.ok else ImportJob.Status.FAILED
    job.save(update_fields=["mapping", "report", "rows_total", "status", "updated_at"])
    return report


def import_job_commit(
    *,
    job: ImportJob,
    actor: Any,
    consent_confirmed: bool,
    mapping: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a stored upload all or nothing; on errors the job keeps the report and nobody is registered."""
    _refuse_committed(job)
    table = job_table(job)
    if mapping is None:
        mapping = job.mapping or suggest_mapping(table.headers, table.hxl_tags, table.rows)
    try:
        return commit_import(
            table=table,
            mapping=mapping,
            organization=job.organization,
            actor=actor,
            consent_confirmed=consent_confirmed,
            progress=progress,
            job=job,
        )
    except ImportRefused as exc:
        job.mapping = dict(exc.report.mapping)
        job.report = exc.report.as_dict()
        job.status = ImportJob.Status.FAILED
        # Conditional, so a stale request never marks an import that went through as failed.
        ImportJob.objects.filter(pk=job.pk).exclude(status=ImportJob.Status.COMMITTED).update(
            mapping=job.mapping, report=job.report, status=job.status, updated_at=timezone.now()
        )
        raise


def _refuse_committed(job: ImportJob) -> None:
    # Read the status afresh: the job object may come from a page opened before the import went through.
    if ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.COMMITTED).exists():
        raise DomainError(_("This file has already been imported."), code="already_imported")
