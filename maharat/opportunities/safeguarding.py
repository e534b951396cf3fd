"""Warning signs of exploitation in a job offer, screened before publication (a pure function and its reasons).

The signs are those of DOMAIN.md: a wage below the minimum wage, recruitment fees, passports or documents
kept by the employer, unpaid "trial" work, vague offers of work abroad, and an employer nobody has verified.
Text is matched in Arabic and English after the normalization of ``maharat.core.text`` (English words are
stemmed; an Arabic word matches when it contains the stem, so clitics such as بـ and سـ do not hide it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from maharat.core.text import tokens
from maharat.opportunities.choices import JOB_KINDS, WagePeriod

BELOW_MINIMUM_WAGE = "below_minimum_wage"
RECRUITMENT_FEE = "recruitment_fee"
DOCUMENT_RETENTION = "document_retention"
UNPAID_TRIAL = "unpaid_trial"
VAGUE_ABROAD = "vague_abroad"
UNVERIFIED_EMPLOYER = "unverified_employer"

CODES = (
    BELOW_MINIMUM_WAGE,
    RECRUITMENT_FEE,
    DOCUMENT_RETENTION,
    UNPAID_TRIAL,
    VAGUE_ABROAD,
    UNVERIFIED_EMPLOYER,
)

WEEKS_PER_MONTH = Decimal(52) / Decimal(12)
WINDOW = 6  # words between the two halves of a sign ("we will keep ... your passport")

FEE_PHRASES = (
    "recruitment fee",
    "registration fee",
    "placement fee",
    "processing fee",
    "application fee",
    "agency fee",
    "visa fee",
    "pay a fee",
    "pay the fee",
    "pay fee",
    "pay to apply",
    "pay a deposit",
    "refundable deposit",
    "رسوم توظيف",
    "رسوم تسجيل",
    "رسوم طلب",
    "رسوم معامله",
    "رسوم تاشيره",
    "رسوم فيزا",
    "دفع رسوم",
    "ادفع رسوم",
    "عموله توظيف",
    "مبلغ تامين",
    "تامين نقدي",
    "عربون",
)
DOCUMENT_WORDS = (
    "passport",
    "document",
    "id card",
    "residence permit",
    "جواز",
    "وثائق",
    "اوراق",
    "هويه",
    "اقامه",
)
RETAIN_WORDS = (
    "keep",
    "kept",
    "hold",
    "held",
    "retain",
    "retention",
    "surrender",
    "hand over",
    "confiscat",
    "حتفظ",
    "احتفاظ",
    "احتجاز",
    "حجز",
    "تسليم",
    "يسلم",
    "تسلم",
)
TRIAL_WORDS = ("trial", "probation", "try out", "تجرب", "تجريب")
UNPAID_WORDS = (
    "unpaid",
    "without pay",
    "no pay",
    "no salary",
    "for free",
    "free of charge",
    "volunteer",
    "بدون اجر",
    "بلا اجر",
    "دون اجر",
    "بدون راتب",
    "بلا راتب",
    "دون راتب",
    "مجانا",
    "مجاني",
    "غير مدفوع",
    "تطوع",
)
ABROAD_WORDS = (
    "abroad",
    "overseas",
    "outside jordan",
    "gulf",
    "europe",
    "خارج",
    "خليج",
    "اوروبا",
    "بلد اجنبي",
    "دوله اجنبيه",
)
LURE_WORDS = (
    "visa",
    "guaranteed",
    "guarantee",
    "travel",
    "high salary",
    "ticket",
    "فيزا",
    "تاشيره",
    "سفر",
    "مضمون",
    "مضمونه",
    "راتب مرتفع",
    "راتب عالي",
    "تذكره",
)

_ARABIC = re.compile(r"[\u0600-\u06FF]")


@dataclass(frozen=True)
class Offer:
    """What the screen reads of an opportunity."""

    kind: str
    text: str
    wage_amount: Decimal | None = None
    wage_period: str = WagePeriod.MONTH
    hours_per_week: int | None = None
    remote: bool = False
    employer_verified: bool = True


@dataclass(frozen=True)
class Flag:
    """One warning sign: a code, and figures that explain it."""

    code: str
    detail: Mapping[str, str] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        """The warning in the active language."""
        return flag_reason(self.code, self.detail)

    def as_json(self) -> dict[str, Any]:
        """How the flag is stored on the opportunity."""
        return {"code": self.code, **self.detail}


def flag_reason(code: str, detail: Mapping[str, Any] | None = None) -> str:
    """The localized sentence for a stored flag code."""
    detail = detail or {}
    if code == BELOW_MINIMUM_WAGE:
        return _("The wage (about %(monthly)s JOD a month) is below the minimum wage (%(minimum)s JOD).") % {
            "monthly": detail.get("monthly", "?"),
            "minimum": detail.get("minimum", "?"),
        }
    reasons = {
        RECRUITMENT_FEE: _("Asks candidates to pay a recruitment fee or deposit."),
        DOCUMENT_RETENTION: _("Says the employer will keep passports or identity documents."),
        UNPAID_TRIAL: _("Asks for unpaid trial work."),
        VAGUE_ABROAD: _("A vague offer of work abroad."),
        UNVERIFIED_EMPLOYER: _("The employer's identity has not been verified by staff."),
    }
    return reasons.get(code, code)


def _term_matches(word: str, term: str) -> bool:
    if _ARABIC.search(term):
        return term in word
    return word == term or (len(term) >= 6 and word.startswith(term))


def _positions(words: list[str], phrases: Iterable[str]) -> list[int]:
    found = []
    for phrase in phrases:
        needle = tokens(phrase)
        n = len(needle)
        for i in range(len(words) - n + 1):
            if all(_term_matches(words[i + j], needle[j]) for j in range(n)):
                found.append(i)
    return found


def _near(words: list[str], first: Iterable[str], second: Iterable[str], window: int = WINDOW) -> bool:
    a = _positions(words, first)
    b = _positions(words, second)
    return any(abs(i - j) <= window for i in a for j in b)


def monthly_equivalent(amount: Decimal, period: str, hours_per_week: int | None) -> Decimal | None:
    """A wage as an amount per month (None for pay per task, or per hour with unknown hours)."""
    if period == WagePeriod.MONTH:
        return amount
    if period == WagePeriod.WEEK:
        return amount * WEEKS_PER_MONTH
    if period == WagePeriod.DAY:
        days = min(Decimal(6), Decimal(hours_per_week) / 8) if hours_per_week else Decimal(6)
        return amount * days * WEEKS_PER_MONTH
    if period == WagePeriod.HOUR and hours_per_week:
        return amount * hours_per_week * WEEKS_PER_MONTH
    return None


def screen(offer: Offer, *, minimum_wage_monthly: Decimal | None, full_week_hours: int = 48) -> list[Flag]:
    """The warning signs of an offer, in a fixed order; an empty list means nothing was found."""
    flags: list[Flag] = []
    if offer.kind in JOB_KINDS and offer.wage_amount is not None and minimum_wage_monthly is not None:
        monthly = monthly_equivalent(offer.wage_amount, offer.wage_period, offer.hours_per_week)
        hours = offer.hours_per_week or full_week_hours
        minimum = minimum_wage_monthly * Decimal(min(hours, full_week_hours)) / Decimal(full_week_hours)
        if monthly is not None and monthly < minimum:
            cents = Decimal("0.01")
            flags.append(
                Flag(
                    BELOW_MINIMUM_WAGE,
                    {
                        "monthly": str(monthly.quantize(cents, ROUND_HALF_UP)),
                        "minimum": str(minimum.quantize(cents, ROUND_HALF_UP)),
                    },
                )
            )
    words = tokens(offer.text)
    if _positions(words, FEE_PHRASES):
        flags.append(Flag(RECRUITMENT_FEE))
    if _near(words, RETAIN_WORDS, DOCUMENT_WORDS):
        flags.append(Flag(DOCUMENT_RETENTION))
    if _near(words, TRIAL_WORDS, UNPAID_WORDS, window=WINDOW * 2):
        flags.append(Flag(UNPAID_TRIAL))
    if _positions(words, ABROAD_WORDS) and (not offer.remote or _positions(words, LURE_WORDS)):
        flags.append(Flag(VAGUE_ABROAD))
    if not offer.employer_verified:
        flags.append(Flag(UNVERIFIED_EMPLOYER))
    return flags
