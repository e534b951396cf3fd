"""The work-rights lists and minimum wages Maharat ships with, from DOMAIN.md; administrators edit them later.

Loading is idempotent: rows are matched by their English name, so running it again refreshes codes and
keywords without duplicating anything, and leaves rows that administrators added alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from maharat.opportunities.choices import PermitRouteKind, WorkRightsListKind

OCCUPATIONS_LIST: dict[str, Any] = {
    "kind": WorkRightsListKind.OCCUPATIONS,
    "label_en": "Occupations closed to non-Jordanians",
    "label_ar": "المهن المغلقة أمام غير الأردنيين",
    "year": 2016,
    "decision": "Ministry of Labour list of closed occupations, in force at the 2016 Jordan Compact",
    "effective_from": dt.date(2016, 1, 1),
}

# (English name, Arabic name, ISCO-08 code prefixes, English keywords, Arabic keywords)
OCCUPATIONS: list[tuple[str, str, list[str], list[str], list[str]]] = [
    (
        "engineering professions",
        "المهن الهندسية",
        ["214", "215", "2161"],
        ["engineer"],
        ["مهندس", "مهندسة"],
    ),
    (
        "medical professions",
        "المهن الطبية",
        ["221", "2261", "2262"],
        ["doctor", "physician", "dentist", "pharmacist"],
        ["طبيب", "طبيبة", "صيدلاني", "صيدلي"],
    ),
    (
        "administrative, accounting and clerical work",
        "الأعمال الإدارية والمحاسبية والكتابية",
        ["41", "43", "44", "2411", "3313", "334"],
        ["accountant", "secretary", "clerk", "receptionist", "office administrator"],
        ["محاسب", "محاسبة", "سكرتير", "سكرتيرة", "موظف استقبال", "كاتب"],
    ),
    (
        "switchboard and telephone work",
        "أعمال المقاسم والهاتف",
        ["4223", "422"],
        ["switchboard", "telephone operator", "call centre", "call center"],
        ["مقسم", "مأمور هاتف", "مركز اتصال"],
    ),
    (
        "sales",
        "المبيعات",
        ["52", "332"],
        ["salesperson", "sales assistant", "saleswoman", "salesman", "shop assistant"],
        ["بائع", "بائعة", "مندوب مبيعات", "مبيعات"],
    ),
    (
        "hairdressing",
        "تصفيف الشعر",
        ["5141"],
        ["hairdresser", "hairdressing", "hair salon", "hair stylist"],
        ["كوافير", "مصفف شعر", "مصففة شعر", "تصفيف الشعر"],
    ),
    (
        "decoration",
        "الديكور",
        ["3432"],
        ["decorator", "interior decoration"],
        ["ديكور", "مصمم ديكور"],
    ),
    (
        "vehicle maintenance and repair",
        "صيانة وإصلاح المركبات",
        ["7231"],
        ["mechanic", "car repair", "vehicle repair"],
        ["ميكانيكي", "ميكانيك", "تصليح سيارات", "صيانة سيارات"],
    ),
    (
        "teaching",
        "التعليم",
        ["23"],
        ["teacher"],
        ["معلم", "معلمة", "مدرس", "مدرسة"],
    ),
    (
        "fuel sales",
        "بيع المحروقات",
        ["5245"],
        ["fuel station", "petrol station", "gas station attendant"],
        ["محطة وقود", "محطة محروقات", "محروقات"],
    ),
    (
        "guards",
        "الحراسة",
        ["5414"],
        ["guard", "watchman"],
        ["حارس", "حراسة"],
    ),
]

CRAFTS_LIST: dict[str, Any] = {
    "kind": WorkRightsListKind.CRAFTS,
    "label_en": "Crafts closed to non-Jordanians",
    "label_ar": "الحرف المغلقة أمام غير الأردنيين",
    "year": 2023,
    "decision": "Ministry of Labour decision on crafts closed to non-Jordanians (2023)",
    "effective_from": dt.date(2023, 1, 1),
}

# Firms with more insured workers than this are exempt from the crafts list (DOMAIN.md).
CRAFTS_EXEMPT_ABOVE = 10

CRAFTS: list[tuple[str, str, list[str], list[str], list[str]]] = [
    ("barbers", "الحلاقة", ["5141"], ["barber"], ["حلاق", "حلاقة"]),
    ("upholstery", "التنجيد", ["7534"], ["upholsterer", "upholstery"], ["منجد", "تنجيد"]),
    (
        "pastry and ice cream for direct sale",
        "الحلويات والبوظة للبيع المباشر",
        [],
        ["pastry", "ice cream"],
        ["حلويات", "حلواني", "بوظة"],
    ),
    ("blacksmithing", "الحدادة", ["7221"], ["blacksmith", "blacksmithing"], ["حداد", "حدادة"]),
    ("carpentry", "النجارة", ["7115", "7522"], ["carpenter", "carpentry"], ["نجار", "نجارة"]),
    ("aluminium work", "الألمنيوم", [], ["aluminium", "aluminum"], ["ألمنيوم", "المنيوم"]),
    ("metal turning", "الخراطة", ["7223"], ["lathe", "metal turning", "turner"], ["خراط", "خراطة"]),
    (
        "traditional embroidery and tailoring",
        "التطريز والخياطة التقليدية",
        ["7531"],
        ["tailor", "tailoring", "embroidery"],
        ["خياط", "خياطة تقليدية", "تطريز", "تفصيل ملابس"],
    ),
    (
        "gold and jewellery",
        "الذهب والمجوهرات",
        ["7313"],
        ["jeweller", "jeweler", "goldsmith"],
        ["صائغ", "مجوهرات", "ذهب"],
    ),
    ("water bottling", "تعبئة المياه", [], ["water bottling"], ["تعبئة المياه", "تعبئة مياه"]),
    (
        "nut and coffee roasting",
        "تحميص المكسرات والقهوة",
        [],
        ["roaster", "roasting", "roastery"],
        ["محمص", "محامص", "تحميص"],
    ),
    ("pottery", "الفخار", ["7314"], ["potter", "pottery"], ["فخار", "فخاري"]),
    ("laundry", "الغسيل والكي", ["9121", "8157"], ["laundry"], ["مصبغة", "غسيل وكوي", "دراي كلين"]),
]

# (kind, English name, Arabic name, ISIC sections, nationalities)
ROUTES: list[tuple[str, str, str, list[str], list[str]]] = [
    (
        PermitRouteKind.FLEXIBLE_UNION,
        "construction, flexible permit through the trade-union federation",
        "الإنشاءات، تصريح مرن عبر الاتحاد العام لنقابات العمال",
        ["F"],
        [],
    ),
    (
        PermitRouteKind.FLEXIBLE_COOPERATIVE,
        "agriculture, flexible permit through agricultural cooperatives",
        "الزراعة، تصريح مرن عبر الجمعيات التعاونية الزراعية",
        ["A"],
        [],
    ),
    (
        PermitRouteKind.SYRIAN_SECTOR,
        "manufacturing and services, work permit for Syrians (Jordan Compact)",
        "الصناعة والخدمات، تصريح عمل للسوريين (ميثاق الأردن)",
        ["C", "I", "N", "S"],
        ["SY"],
    ),
]

MINIMUM_WAGES: list[tuple[dt.date, Decimal, str]] = [
    (dt.date(2021, 1, 1), Decimal("260.00"), "Tripartite Labour Committee, minimum wage from 2021"),
    (dt.date(2025, 1, 1), Decimal("290.00"), "Tripartite Labour Committee, minimum wage from 2025"),
]


def load_work_rights(models: dict[str, Any] | None = None) -> dict[str, int]:
    """Create or refresh the shipped lists, entries, permit routes and minimum wages; returns counts."""
    if models is None:
        from maharat.opportunities.models import MinimumWage, PermitRoute, WorkRightsEntry, WorkRightsList

        models = {
            "WorkRightsList": WorkRightsList,
            "WorkRightsEntry": WorkRightsEntry,
            "PermitRoute": PermitRoute,
            "MinimumWage": MinimumWage,
        }
    counts = {"lists": 0, "entries": 0, "routes": 0, "minimum_wages": 0}
    for spec, entries, exempt in (
        (OCCUPATIONS_LIST, OCCUPATIONS, None),
        (CRAFTS_LIST, CRAFTS, CRAFTS_EXEMPT_ABOVE),
    ):
        fields = {k: v for k, v in spec.items() if k != "label_en"}
        work_list, _created = models["WorkRightsList"].objects.update_or_create(
            label_en=spec["label_en"], defaults=fields
        )
        counts["lists"] += 1
        for label_en, label_ar, codes, keywords_en, keywords_ar in entries:
            models["WorkRightsEntry"].objects.update_or_create(
                work_rights_list=work_list,
                label_en=label_en,
                defaults={
                    "label_ar": label_ar,
                    "isco_codes": codes,
                    "keywords_en": keywords_en,
                    "keywords_ar": keywords_ar,
                    "exempt_above_insured_workers": exempt,
                },
            )
            counts["entries"] += 1
    for kind, label_en, label_ar, sectors, nationalities in ROUTES:
        models["PermitRoute"].objects.update_or_create(
            label_en=label_en,
            defaults={
                "kind": kind,
                "label_ar": label_ar,
                "sectors": sectors,
                "nationalities": nationalities,
                "effective_from": dt.date(2016, 2, 4),
                "source": "Jordan Compact (2016) and DOMAIN.md",
            },
        )
        counts["routes"] += 1
    for day, amount, source in MINIMUM_WAGES:
        models["MinimumWage"].objects.update_or_create(
            effective_from=day, defaults={"amount_monthly": amount, "source": source}
        )
        counts["minimum_wages"] += 1
    return counts
