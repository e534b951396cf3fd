"""Field rules of the registry, shared by forms, imports, the API and services."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MIN_AGE = 14
MAX_AGE = 100


def validate_birth_date(value: dt.date) -> None:
    """Refuse a birth date in the future or an age outside 14–100 years."""
    today = timezone.localdate()
    if value > today:
        raise ValidationError(_("The date of birth cannot be in the future."), code="future")
    age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    if age < MIN_AGE:
        raise ValidationError(
            _("The person must be at least %(min)s years old."), code="too_young", params={"min": MIN_AGE}
        )
    if age > MAX_AGE:
        raise ValidationError(
            _("A date of birth more than %(max)s years ago is not plausible."),
            code="too_old",
            params={"max": MAX_AGE},
        )


def validate_id_number(value: str) -> None:
    """Identity numbers are letters, digits and dashes, 4–20 characters."""
    cleaned = value.replace("-", "")
    if not (4 <= len(value) <= 20 and cleaned.isalnum() and cleaned.isascii()):
        raise ValidationError(
            _("An identity number has 4 to 20 Latin letters, digits or dashes."), code="invalid_id"
        )


def validate_national_id(value: str) -> None:
    """A Jordanian national number has exactly 10 digits."""
    if not (len(value) == 10 and value.isdigit()):
        raise ValidationError(_("A Jordanian national number has exactly 10 digits."), code="invalid_nid")
