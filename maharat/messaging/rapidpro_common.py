"""What RapidPro's API and its flow webhooks share: URNs, languages, names and contact fields to registry values.

RapidPro names a phone by URN (``tel:+962791234567``, ``whatsapp:962791234567``) and a language by ISO 639-3
(``ara``, ``eng``); flows send answers as free text or category names in either language. These helpers turn
them into the registry's values, raising ``ValidationError`` keyed by the field at fault.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from maharat.core.models import Governorate
from maharat.core.phones import try_normalize_phone
from maharat.core.text import normalize_arabic
from maharat.people.choices import LegalStatus, Nationality, Sex

ISO3 = {"ar": "ara", "en": "eng"}
ISO1 = {"ara": "ar", "eng": "en", "ar": "ar", "en": "en"}
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_URN = re.compile(r"^(tel|whatsapp):(\+?\d{6,15})$")


def phone_from_urn(urn: str) -> str | None:
    """The E.164 number of a ``tel:`` or ``whatsapp:`` URN, or None for anything else."""
    match = _URN.match((urn or "").strip())
    if not match:
        return None
    digits = match.group(2)
    return try_normalize_phone(digits if digits.startswith("+") else "+" + digits)


def urn_for_phone(phone: str | None) -> list[str]:
    """A person's URNs: their phone as ``tel:``."""
    return [f"tel:{phone}"] if phone else []


def language_from_iso3(code: str) -> str:
    """Maharat's language code for a RapidPro one (``ara``/``eng``; ``ar``/``en`` are accepted too)."""
    language = ISO1.get((code or "").strip().lower())
    if language is None:
        raise ValidationError({"language": _("Use ara (Arabic) or eng (English).")})
    return language


def name_parts(name: str) -> dict[str, str]:
    """A full name split into given and family name, in the Arabic or Latin name fields by its script."""
    words = (name or "").split()
    given, family = (words[0], " ".join(words[1:])) if words else ("", "")
    if _ARABIC.search(name or ""):
        return {"given_name_ar": given, "family_name_ar": family}
    return {"given_name_latin": given, "family_name_latin": family}


def parse_uuid(value: str) -> uuid.UUID | None:
    """A UUID, or None when the text is not one."""
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def _key(text: Any) -> str:
    return normalize_arabic(str(text or "")).strip().casefold()


_SEX_WORDS: dict[str, set[str]] = {
    Sex.FEMALE: {"f", "female", "woman", "girl", "انثي", "امراه", "بنت"},
    Sex.MALE: {"m", "male", "man", "boy", "ذكر", "رجل", "ولد"},
}


def _choice(field: str, value: Any, choices: Any, extra: Mapping[str, set[str]] | None = None) -> str:
    wanted = _key(value)
    for code, label in choices.choices:
        if wanted in (_key(code), _key(label)):
            return str(code)
    for code, words in (extra or {}).items():
        if wanted in {_key(w) for w in words}:
            return str(code)
    raise ValidationError({field: _("“%(value)s” is not a known value.") % {"value": value}})


def _date_of_birth(fields: Mapping[str, Any]) -> dt.date:
    raw = str(fields.get("date_of_birth") or "").strip()
    if raw:
        try:
            return dt.date.fromisoformat(raw[:10])
        except ValueError:
            raise ValidationError({"date_of_birth": _("Write the date as year-month-day.")}) from None
    year = str(fields.get("birth_year") or "").strip()
    if year.isdigit() and len(year) == 4:
        # Only the year is known: the middle of the year keeps ages right to within six months.
        return dt.date(int(year), 7, 1)
    raise ValidationError({"date_of_birth": _("Give the date of birth or the year of birth.")})


def _governorate(value: Any) -> Governorate:
    wanted = _key(value)
    for governorate in Governorate.objects.all():
        if wanted in (_key(governorate.code), _key(governorate.label_en), _key(governorate.label_ar)):
            return governorate
    raise ValidationError(
        {"governorate": _("“%(value)s” is not a governorate of Jordan.") % {"value": value}}
    )


REQUIRED_FIELDS = ("sex", "nationality", "legal_status", "governorate")


def registry_values(fields: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Registry values from contact fields or flow answers; with ``partial``, only those given are checked."""
    values: dict[str, Any] = {}
    missing = [f for f in REQUIRED_FIELDS if not str(fields.get(f) or "").strip()]
    if not partial and missing:
        raise ValidationError({field: _("This field is required.") for field in missing})
    if str(fields.get("sex") or "").strip():
        values["sex"] = _choice("sex", fields["sex"], Sex, _SEX_WORDS)
    if str(fields.get("nationality") or "").strip():
        values["nationality"] = _choice("nationality", fields["nationality"], Nationality)
    if str(fields.get("legal_status") or "").strip():
        values["legal_status"] = _choice("legal_status", fields["legal_status"], LegalStatus)
    if str(fields.get("governorate") or "").strip():
        values["governorate"] = _governorate(fields["governorate"])
    if not partial or fields.get("date_of_birth") or fields.get("birth_year"):
        values["date_of_birth"] = _date_of_birth(fields)
    if "locality" in fields:
        values["locality"] = str(fields.get("locality") or "")[:100]
    return values


def contact_fields(person: Any) -> dict[str, Any]:
    """A person's contact fields as RapidPro shows them (strings or null)."""
    return {
        "sex": person.sex,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "nationality": person.nationality,
        "legal_status": person.legal_status,
        "governorate": person.governorate.code if person.governorate_id else None,
        "locality": person.locality or None,
    }
