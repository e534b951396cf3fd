"""The demo offers of Zarqa Garments: jobs, a gig, a placement, an apprenticeship, one flagged offer.

Every offer goes through the services a real employer uses (saved, screened, published or flagged), the
employer is verified by staff from an uploaded registration document, and Amal applies to one offer.
Running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from maharat.core.models import Governorate
from maharat.opportunities import services
from maharat.opportunities.choices import OpportunityKind, VerificationStatus, WagePeriod
from maharat.opportunities.models import Application, Opportunity
from maharat.opportunities.work_rights_data import load_work_rights
from maharat.people.models import Organization, Person
from maharat.skills.models import Occupation, Skill

ORG_SLUG = "zarqa-garments"
AMAL_PHONE = "+962791234567"
DEMO_PDF = b"%PDF-1.4\n% Zarqa Garments commercial registration (demo)\n%%EOF\n"

# title_en, title_ar, kind, sector, isco, governorate, wage, period, hours, extra, skills (code, importance, level)
OFFERS: list[
    tuple[
        str, str, str, str, str, str, str | None, str, int | None, dict[str, Any], list[tuple[str, int, int]]
    ]
] = [
    (
        "Sewing machine operator",
        "مشغّل/ة ماكينة خياطة",
        OpportunityKind.JOB_FULL_TIME,
        "C",
        "8153",
        "ZA",
        "310",
        WagePeriod.MONTH,
        48,
        {"seats": 6, "accessible": True, "accommodations": ["wg_walking"]},
        [("manufacturing-industrial-sewing", 4, 2), ("manufacturing-garment-production", 3, 1)],
    ),
    (
        "Garment quality inspector",
        "مراقب/ة جودة الملابس",
        OpportunityKind.JOB_FULL_TIME,
        "C",
        "",
        "ZA",
        "340",
        WagePeriod.MONTH,
        48,
        {"seats": 2},
        [("manufacturing-garment-quality", 4, 2), ("digital-spreadsheets", 2, 1)],
    ),
    (
        "Garment presser, part-time",
        "كوي الملابس، دوام جزئي",
        OpportunityKind.JOB_PART_TIME,
        "C",
        "",
        "ZA",
        "160",
        WagePeriod.MONTH,
        24,
        {"seats": 3},
        [("manufacturing-garment-pressing", 4, 1)],
    ),
    (
        "Barber and hairdresser for the staff salon",
        "حلاق ومصفف شعر لصالون العاملين",
        OpportunityKind.JOB_FULL_TIME,
        "S",
        "5141",
        "ZA",
        "320",
        WagePeriod.MONTH,
        48,
        {},
        [("trades-barbering", 4, 3), ("trades-haircutting", 3, 2)],
    ),
    (
        "Construction labourer for the new warehouse",
        "عامل بناء للمستودع الجديد",
        OpportunityKind.JOB_FULL_TIME,
        "F",
        "9313",
        "ZA",
        "15",
        WagePeriod.DAY,
        48,
        {"seats": 8},
        [("construction-masonry", 3, 1)],
    ),
    (
        "Vegetable harvest worker",
        "عامل/ة قطاف خضروات",
        OpportunityKind.JOB_FULL_TIME,
        "A",
        "9211",
        "MA",
        "14",
        WagePeriod.DAY,
        48,
        {"seats": 10, "locality": "Mafraq farms"},
        [("agriculture-organic-farming", 2, 1)],
    ),
    (
        "Remote data entry for a client abroad",
        "إدخال بيانات عن بعد لعميل في الخارج",
        OpportunityKind.GIG,
        "J",
        "",
        "",
        "4",
        WagePeriod.HOUR,
        20,
        {"remote": True, "foreign_client": True, "languages": ["ar", "en"]},
        [("freelancing-data-entry", 4, 2), ("digital-spreadsheets", 3, 2)],
    ),
    (
        "Industrial sewing trainee (on-the-job placement)",
        "متدرب/ة خياطة صناعية (تدريب أثناء العمل)",
        OpportunityKind.PLACEMENT,
        "C",
        "8153",
        "ZA",
        "150",
        WagePeriod.MONTH,
        40,
        {"seats": 12, "duration_weeks": 12, "supervisor_name": "Huda Khalil"},
        [("manufacturing-industrial-sewing", 4, 1)],
    ),
    (
        "Tailoring apprenticeship",
        "تلمذة مهنية في الخياطة",
        OpportunityKind.APPRENTICESHIP,
        "C",
        "7531",
        "ZA",
        "120",
        WagePeriod.MONTH,
        40,
        {"seats": 4, "duration_weeks": 26, "supervisor_name": "Samir Odeh"},
        [("trades-tailoring", 4, 1), ("trades-sewing", 3, 1)],
    ),
    (
        "Office assistant internship",
        "تدريب مساعد/ة مكتبي",
        OpportunityKind.INTERNSHIP,
        "N",
        "4110",
        "AM",
        "100",
        WagePeriod.MONTH,
        30,
        {"duration_weeks": 8, "supervisor_name": "Rana Haddad"},
        [("digital-ms-office", 4, 2), ("digital-professional-email", 3, 1)],
    ),
    (
        "Staff canteen cook",
        "طاهٍ/طاهية لمطعم العاملين",
        OpportunityKind.JOB_FULL_TIME,
        "I",
        "5120",
        "ZA",
        "300",
        WagePeriod.MONTH,
        48,
        {},
        [("services-cooking", 4, 2)],
    ),
    (
        "Graphic designer for catalogues (freelance)",
        "مصمم/ة جرافيك للكتالوجات (عمل حر)",
        OpportunityKind.GIG,
        "J",
        "2166",
        "",
        "250",
        WagePeriod.TASK,
        None,
        {"remote": True, "languages": ["ar", "en"]},
        [("freelancing-graphic-design", 4, 2), ("freelancing-canva", 2, 1)],
    ),
    (
        "Carpenter for the workshop",
        "نجار للمشغل",
        OpportunityKind.JOB_FULL_TIME,
        "C",
        "7115",
        "ZA",
        "330",
        WagePeriod.MONTH,
        48,
        {},
        [("trades-carpentry", 4, 2)],
    ),
    (
        "Customer service agent, Irbid showroom",
        "موظف/ة خدمة عملاء، معرض إربد",
        OpportunityKind.JOB_PART_TIME,
        "G",
        "",
        "IR",
        "210",
        WagePeriod.MONTH,
        30,
        {"languages": ["ar"]},
        [("soft-customer-service", 4, 2)],
    ),
]
FLAGGED: tuple[Any, ...] = (
    "Seasonal packers",
    "عمال تعبئة موسميون",
    OpportunityKind.JOB_FULL_TIME,
    "C",
    "",
    "ZA",
    "300",
    WagePeriod.MONTH,
    48,
    {
        "description_en": "Start next week. Candidates pay a registration fee of 30 JOD before the first day.",
        "description_ar": "البدء الأسبوع القادم. يدفع المتقدم رسوم تسجيل 30 دينارًا قبل أول يوم عمل.",
    },
    [],
)


def _verify(organization: Organization, employer_user: Any, moderator: Any) -> None:
    profile = services.employer_profile_for(organization)
    if profile.status == VerificationStatus.VERIFIED:
        return
    if not profile.document:
        services.employer_document_upload(
            actor=employer_user,
            organization=organization,
            upload=ContentFile(DEMO_PDF, name="zarqa-garments-registration.pdf"),
            registration_number="ZRQ-2019-04417",
            insured_workers=120,
        )
    services.employer_verify(
        actor=moderator, organization=organization, approve=True, note="demo: registration checked"
    )


def _post(
    organization: Organization, employer_user: Any, spec: tuple[Any, ...], today: dt.date
) -> Opportunity:
    title_en, title_ar, kind, sector, isco, gov, wage, period, hours, extra, skill_specs = spec
    existing = Opportunity.objects.filter(employer=organization, title_en=title_en).first()
    if existing is not None:
        return existing
    data: dict[str, Any] = {
        "kind": kind,
        "title_en": title_en,
        "title_ar": title_ar,
        "sector": sector,
        "occupation": Occupation.objects.filter(code=isco).first() if isco else None,
        "governorate": Governorate.objects.filter(code=gov).first() if gov else None,
        "wage_amount": Decimal(wage) if wage else None,
        "wage_period": period,
        "hours_per_week": hours,
        "start_date": today + dt.timedelta(days=21),
        "closing_date": today + dt.timedelta(days=45),
        "description_en": extra.pop("description_en", f"{title_en} at Zarqa Garments."),
        "description_ar": extra.pop("description_ar", f"{title_ar} في مصنع ملابس الزرقاء."),
        **extra,
    }
    skills = [
        (skill, importance, level)
        for code, importance, level in skill_specs
        if (skill := Skill.objects.filter(code=code).first()) is not None
    ]
    opportunity = services.opportunity_save(
        actor=employer_user, employer=organization, data=data, skills=skills
    )
    return services.opportunity_submit(actor=employer_user, opportunity=opportunity, on=today)


def demo_opportunities(*, employer_user: Any, moderator: Any) -> dict[str, int]:
    """Verify Zarqa Garments, post its offers (one flagged for a fee), and have Amal apply to one."""
    load_work_rights()
    today = timezone.localdate()
    organization = Organization.objects.get(slug=ORG_SLUG)
    _verify(organization, employer_user, moderator)
    offers = [
        _post(organization, employer_user, (*spec[:9], dict(spec[9]), spec[10]), today) for spec in OFFERS
    ]
    _post(organization, employer_user, (*FLAGGED[:9], dict(FLAGGED[9]), FLAGGED[10]), today)
    amal = Person.objects.filter(phone=AMAL_PHONE).first()
    if amal is not None and not Application.objects.filter(person=amal, opportunity=offers[0]).exists():
        services.application_submit(
            actor=amal.user or "demo",
            opportunity=offers[0],
            person=amal,
            note="I have sewn for five years.",
            on=today,
        )
    mine = Opportunity.objects.filter(employer=organization)
    return {
        "offers": mine.count(),
        "published": mine.filter(status="published").count(),
        "flagged": mine.filter(status="pending").count(),
        "applications": Application.objects.filter(opportunity__employer=organization).count(),
    }
