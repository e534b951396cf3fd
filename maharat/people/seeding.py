"""Synthetic people for demos, load tests and benchmarks: realistic, deterministic for a seed, and fast.

What a seed decides
    Person number ``i`` (counting every person ever in the table, see *offset* below) is generated from
    ``(seed, i)`` alone: rows are drawn in fixed blocks of ``GEN_BLOCK`` people, each block from its own
    ``numpy`` generator seeded with ``(seed, block number)``. The same seed on an empty database therefore
    gives the same names, phones, documents, answers and consents whatever ``--batch`` is, and a second
    run on top of existing data draws new people instead of repeating the first ones. Birth dates are ages
    counted back from 1 January of the current year, so they are stable within a year.

Offsets and uniqueness
    A run starts at ``offset`` = the number of people already in the table. Phone numbers, national ID
    numbers and UNHCR case numbers are fixed permutations (affine maps modulo the size of each number
    space) of the person's number ``offset + i``, independent of the seed: two runs can never produce the
    same number, with no retry loop. When the table was not empty at the start, each batch also asks the
    database which of its numbers already exist (people registered by hand, or numbers re-used after rows
    were deleted) and leaves those out (the person has no phone/document rather than a duplicate).

Speed
    No per-person service call (``person_register`` checks duplicates person by person). Rows are drawn
    with numpy in blocks, names are keyed with ``search_name_for`` semantics through a cache per distinct
    name, the Washington Group cut-off is ``disability_from_wg`` evaluated once per distinct set of answers,
    and rows are written per batch: PostgreSQL through ``COPY … FROM STDIN`` (psycopg 3), by ``jobs``
    connections in parallel while the next batches are drawn; other databases through ``bulk_create``.
    Memory stays bounded: a few batches are in flight at a time, plus the name-key cache, which is bounded
    by the number of distinct names in the tables below. Each batch is one transaction, so a crash (or an
    interrupted run) leaves whole batches only, and the audit entry counts them; commits do not wait for
    the disk on PostgreSQL (``synchronous_commit = off`` for the batch — a power cut can lose the last
    batches, never corrupt them). On PostgreSQL the filled tables are analyzed at the end, so the planner
    knows their new size at once.

Bulk loads (PostgreSQL)
    A run of at least ``BULK_LOAD_MIN_PEOPLE`` into an empty registry loads the people, consent and consent
    organization tables without their secondary indexes, the unique constraints on the drawn numbers and
    the foreign keys the rows fill in, then restores them on ``jobs`` connections, as ``pg_restore`` does
    (figures in ``benchmarks/README.md``). They are restored even when the run fails or is interrupted,
    and, if the process is killed outright, by the next run: what was dropped is noted on the people table
    in the transaction that drops it. While they are away the registry is slower, and the primary keys,
    check constraints, other unique constraints and foreign keys to accounts and merged records are the
    only ones enforced on these tables; a phone or document that someone else registers meanwhile is left
    out of the seeded person, as above, and a row that breaks a foreign key keeps that key from being
    validated (it is enforced for new rows, and the run fails saying why).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from maharat.core.audit import audit_record
from maharat.core.models import AuditAction, Governorate
from maharat.core.text import name_key
from maharat.people.choices import (
    Channel,
    ConsentChannel,
    ConsentPurpose,
    EducationLevel,
    EmploymentStatus,
    HouseholdRole,
    LegalStatus,
    Nationality,
    OrganizationKind,
)
from maharat.people.models import WG_FIELDS, Consent, Organization, Person
from maharat.people.services import disability_from_wg
from maharat.skills.models import PersonSkill, Skill

GEN_BLOCK = 1000
DEFAULT_BATCH = 5000
SEED_ACTOR = "seed"

# --- Names ---------------------------------------------------------------------------------------------
# "Arabic = Latin / variant / variant"; the first Latin spelling is the most common one.

_MALE_NAMES = """
محمد = Mohammad / Mohammed / Muhammad / Mohamed / Mohamad; أحمد = Ahmad / Ahmed; محمود = Mahmoud / Mahmud
علي = Ali; خالد = Khaled / Khalid; عمر = Omar / Umar; يوسف = Yousef / Yusuf / Youssef; حسن = Hasan / Hassan
حسين = Hussein / Hussain / Husein; إبراهيم = Ibrahim / Ebrahim; عبد الله = Abdullah / Abdallah / Abd Allah
عبد الرحمن = Abdulrahman / Abdelrahman / Abd al-Rahman; مصطفى = Mustafa / Mostafa / Moustafa
إسماعيل = Ismail / Ismael; سعيد = Saeed / Said; سامي = Sami / Samy; سمير = Samir / Sameer
كريم = Karim / Kareem; طارق = Tareq / Tariq / Tarek; ماهر = Maher; مازن = Mazen / Mazin; فادي = Fadi / Fady
رامي = Rami / Ramy; باسل = Basel / Basil; بلال = Bilal / Belal; جمال = Jamal / Gamal; عماد = Imad / Emad
زياد = Ziad / Ziyad; وليد = Walid / Waleed; هاني = Hani / Hany; نبيل = Nabil / Nabeel; ياسر = Yaser / Yasser
ياسين = Yaseen / Yassin / Yasin; أنس = Anas; أيمن = Ayman; أسامة = Osama / Usama; حمزة = Hamza / Hamzah
معاذ = Moath / Muath; مهند = Muhannad / Mohannad; عمار = Ammar; عثمان = Othman / Osman / Uthman
قاسم = Qasim / Kasim / Qassem; جعفر = Jafar / Ja'far; حيدر = Haidar / Hayder; عباس = Abbas
صالح = Saleh / Salih; صلاح = Salah; فيصل = Faisal / Faysal; ناصر = Nasser / Naser; منصور = Mansour / Mansur
راشد = Rashed / Rashid; سليمان = Suleiman / Sulaiman; داود = Dawood / Daoud; موسى = Mousa / Musa
عيسى = Issa / Eisa; هشام = Hisham / Hesham; شادي = Shadi / Chadi; عدنان = Adnan; عمرو = Amr / Amro
مجدي = Majdi / Magdy; سيف = Saif / Seif; لؤي = Louay / Luay; نزار = Nizar; غسان = Ghassan; أمجد = Amjad
فراس = Firas / Feras; بشار = Bashar; رائد = Raed / Ra'ed; وائل = Wael / Wa'il; عادل = Adel / Adil
حازم = Hazem / Hazim; أكرم = Akram; منير = Munir / Mounir; عوض = Awad; الطيب = Eltayeb / Al-Tayeb
مجاهد = Mujahid; عبد العزيز = Abdulaziz / Abdelaziz; ضياء = Diaa / Diyaa
"""

_FEMALE_NAMES = """
فاطمة = Fatima / Fatimah / Fatma; مريم = Maryam / Mariam; نور = Nour / Noor / Nur; آية = Aya / Ayah
زينب = Zainab / Zeinab / Zaynab; سارة = Sara / Sarah; ليلى = Layla / Laila / Leila; هدى = Huda / Hoda
عائشة = Aisha / Aysha / Aicha; رنا = Rana; رانيا = Rania / Ranya; ريم = Reem / Rim; دعاء = Doaa / Duaa
آلاء = Alaa / Ala'a; أسماء = Asmaa / Asma; إيمان = Iman / Eman; أمل = Amal; هبة = Heba / Hiba; رشا = Rasha
سلمى = Salma; سعاد = Souad / Suad; سناء = Sanaa / Sana'a; سهى = Suha / Soha; لينا = Lina / Leena
ديما = Dima; دانة = Dana; رغد = Raghad; روان = Rawan; شيماء = Shaimaa / Shayma; صفاء = Safaa / Safa
وفاء = Wafaa / Wafa; غادة = Ghada; منى = Mona / Muna; نادية = Nadia / Nadya; نسرين = Nisreen / Nesrine
هالة = Hala; هيفاء = Haifa / Haifaa; يسرى = Yusra / Yosra; رحاب = Rehab / Rihab; خديجة = Khadija / Khadeeja
حنان = Hanan; حنين = Haneen / Hanin; لمى = Lama; جنى = Jana; بيان = Bayan; تسنيم = Tasneem / Tasnim
إسراء = Israa / Esraa; رهف = Rahaf; ملك = Malak; رزان = Razan; عبير = Abeer / Abir; ميساء = Maysaa / Maisa
نجلاء = Najlaa / Naglaa; سوسن = Sawsan; ولاء = Walaa / Wala'a; سمر = Samar; ندى = Nada; أروى = Arwa
بشرى = Bushra; زهراء = Zahraa / Zahra; سكينة = Sakina / Sukaina; إخلاص = Ikhlas; انتصار = Intisar / Entesar
نجوى = Najwa; كوثر = Kawthar / Kawsar; فاتن = Faten; منار = Manar; شهد = Shahad
"""

# Family names by where they are most common. A Latin spelling without "Al" for an Arabic name with the
# article gets the article in the usual ways (Al-Zoubi, Al Zoubi, Alzoubi, El-Zoubi, Zoubi).
_FAMILY_NAMES = {
    "jo": """
العبادي = Abbadi; الزعبي = Zoubi / Zu'bi / Zubi; العمري = Omari; الخوالدة = Khawaldeh / Khawaldah
البطاينة = Batayneh / Bataineh; الخصاونة = Khasawneh; الطراونة = Tarawneh; المجالي = Majali
الروابدة = Rawabdeh; الرواشدة = Rawashdeh; العدوان = Adwan; الفايز = Fayez; الحياري = Hiyari
الشوبكي = Shobaki; القضاة = Qudah / Qudat; العزام = Azzam; الشرمان = Sharman; بني هاني = Bani Hani
بني عطا = Bani Atta; الصمادي = Smadi / Samadi; العتوم = Otoum / Atoum; الدباس = Dabbas; النسور = Nsour
المومني = Momani / Mumani; الربابعة = Rababah / Rababa'a; الجراح = Jarrah; عبيدات = Obeidat / Ubeidat
الشديفات = Shdeifat; الزيود = Zyoud; أبو رمان = Abu Rumman; الكساسبة = Kasasbeh; الحوراني = Hourani
""",
    "ps": """
البرغوثي = Barghouti; النابلسي = Nabulsi / Nabulsy; الخليلي = Khalili; عودة = Odeh / Audeh
حمدان = Hamdan; أبو غوش = Abu Ghosh; الحسيني = Husseini / Hussaini; أبو زيد = Abu Zaid / Abu Zeid
""",
    "sy": """
الحلبي = Halabi; الحمصي = Homsi; الشامي = Shami; الدمشقي = Dimashqi; الإدلبي = Idlibi; الحموي = Hamawi
المسالمة = Masalmeh; الحريري = Hariri; الرفاعي = Rifai / Refai; الجاسم = Jasim / Jassem
الحمد = Hamad; الشيخ = Sheikh / Shaikh; الكردي = Kurdi; قاسم = Qasem / Kassem; درويش = Darwish
اليوسف = Yousef / Yusuf; المحاميد = Mahamid; الديري = Deiri; الرقاوي = Raqqawi; الخليل = Khalil
""",
    "iq": """
الجبوري = Jubouri / Jabouri; الدليمي = Dulaimi / Dulaymi; العبيدي = Obaidi / Ubaidi; التميمي = Tamimi
الزبيدي = Zubaidi / Zubaydi; الساعدي = Saadi / Saedi; الموسوي = Mousawi / Musawi; الشمري = Shammari
الربيعي = Rubaie / Rubaiee; الكبيسي = Kubaisi; العزاوي = Azzawi; البغدادي = Baghdadi; الجنابي = Janabi
الخفاجي = Khafaji; العاني = Ani / Aani
""",
    "ye": """
الحضرمي = Hadrami; العولقي = Awlaqi / Aulaqi; الصنعاني = Sanaani / San'ani; اليافعي = Yafei / Yafai
الأهدل = Ahdal; العمودي = Amoudi; الشرعبي = Sharabi; الحبيشي = Hubaishi; المقطري = Maqtari
""",
    "sd": """
الأمين = Amin / Elamin; النور = Nour / Elnour; الطيب = Tayeb / Eltayeb; إدريس = Idris / Idriss
آدم = Adam; الفاضل = Fadil / Elfadil; بشير = Bashir / Basheer; الماحي = Mahi / Elmahi
الحاج = Hajj / Elhaj; إسحاق = Ishaq / Ishag; يعقوب = Yagoub / Yacoub
""",
    "eg": """
السيد = Sayed / El-Sayed / Elsayed; عبد العزيز = Abdelaziz / Abdulaziz; عبد الفتاح = Abdelfattah
الشافعي = Shafei / El-Shafei; سليمان = Soliman / Suleiman; رمضان = Ramadan; فهمي = Fahmy / Fahmi
الجمال = Gamal / Elgamal; حسانين = Hassanein; شحاتة = Shehata; عبد الحميد = Abdelhamid
""",
    "so": """
فارح = Farah; عبدي = Abdi; ورسمي = Warsame; جامع = Jama / Jaamac
""",
    "common": """
الأحمد = Ahmad / Ahmed; المحمد = Mohammad / Mohammed; العلي = Ali; الحسن = Hassan / Hasan
الخطيب = Khatib / Khateeb; الحداد = Haddad; النجار = Najjar; الصالح = Saleh; المصري = Masri
القيسي = Qaisi / Kaisi; عثمان = Othman / Osman; إبراهيم = Ibrahim; منصور = Mansour; عبد الله = Abdullah
""",
}
# How the Latin form of an Arabic family name with the article is written, and how often.
_ARTICLE_STYLES = (("Al-{}", 0.40), ("Al {}", 0.12), ("Al{}", 0.08), ("El-{}", 0.08), ("{}", 0.32))


@dataclass(frozen=True)
class _Name:
    arabic: str
    latin: tuple[str, ...]
    weights: tuple[float, ...]


def _parse_names(text: str, article_styles: bool = False) -> list[_Name]:
    names = []
    for entry in text.replace("\n", ";").split(";"):
        if not entry.strip():
            continue
        arabic, latin_text = (part.strip() for part in entry.split("="))
        spellings = [s.strip() for s in latin_text.split("/")]
        latin: list[str] = []
        weights: list[float] = []
        for rank, spelling in enumerate(spellings):
            share = 0.6**rank
            if article_styles and arabic.startswith("ال") and not spelling.lower().startswith(("al", "el")):
                for style, style_share in _ARTICLE_STYLES:
                    base = spelling.lower() if style == "Al{}" else spelling
                    latin.append(style.format(base))
                    weights.append(share * style_share)
            else:
                latin.append(spelling)
                weights.append(share)
        total = sum(weights)
        names.append(_Name(arabic, tuple(latin), tuple(w / total for w in weights)))
    return names


MALE_NAMES = _parse_names(_MALE_NAMES)
FEMALE_NAMES = _parse_names(_FEMALE_NAMES)
FAMILY_ORIGINS = tuple(_FAMILY_NAMES)
FAMILY_NAMES_BY_ORIGIN = {
    origin: _parse_names(text, article_styles=True) for origin, text in _FAMILY_NAMES.items()
}

# --- Who lives where ------------------------------------------------------------------------------------

GOVERNORATE_CODES = ("AM", "BA", "ZA", "MD", "IR", "MA", "JA", "AJ", "KA", "TA", "MN", "AQ")
# Shares of each population by governorate (order of GOVERNORATE_CODES): the host community follows the
# national population; refugees live mostly in Amman, Mafraq, Irbid and Zarqa (UNHCR); migrant workers in
# Amman, the industrial zones and the Jordan Valley farms.
_PLACES = {
    "host": (0.42, 0.05, 0.14, 0.02, 0.18, 0.06, 0.025, 0.018, 0.033, 0.01, 0.017, 0.02),
    "refugee": (0.36, 0.03, 0.15, 0.015, 0.20, 0.20, 0.01, 0.005, 0.012, 0.003, 0.007, 0.008),
    "migrant": (0.50, 0.10, 0.10, 0.03, 0.08, 0.06, 0.02, 0.01, 0.03, 0.01, 0.02, 0.04),
}
LOCALITIES = {
    "AM": (
        "Amman",
        "Marka",
        "Sahab",
        "Wadi al-Seer",
        "Nuzha",
        "Hashmi al-Shamali",
        "Quwaysimah",
        "Tabarbour",
    ),
    "BA": ("Salt", "Deir Alla", "South Shouneh", "Ain al-Basha"),
    "ZA": ("Zarqa", "Russeifa", "Hashemiyya", "Azraq"),
    "MD": ("Madaba", "Dhiban"),
    "IR": ("Irbid", "Ramtha", "Bani Kinana", "Al-Koura", "Hakama"),
    "MA": ("Mafraq", "Zaatari", "Ruwaished", "Sabha"),
    "JA": ("Jerash", "Souf"),
    "AJ": ("Ajloun", "Kufranjah"),
    "KA": ("Karak", "Mazar al-Janubi", "Ghor al-Safi"),
    "TA": ("Tafilah", "Busaira"),
    "MN": ("Ma'an", "Wadi Musa"),
    "AQ": ("Aqaba", "Quweira"),
}
_EDUCATION_LEVELS = (
    EducationLevel.NONE,
    EducationLevel.PRIMARY,
    EducationLevel.LOWER_SECONDARY,
    EducationLevel.TAWJIHI,
    EducationLevel.VOCATIONAL,
    EducationLevel.DIPLOMA,
    EducationLevel.BACHELOR,
    EducationLevel.POSTGRADUATE,
)
_EDUCATION = {
    "host": (0.02, 0.06, 0.17, 0.33, 0.08, 0.12, 0.19, 0.03),
    "refugee": (0.08, 0.22, 0.30, 0.20, 0.05, 0.05, 0.08, 0.02),
    "migrant": (0.05, 0.25, 0.30, 0.20, 0.10, 0.04, 0.05, 0.01),
}


@dataclass(frozen=True)
class Group:
    """A population group: nationality, legal status, share of the registry, and what follows from them."""

    nationality: str
    legal_status: str
    share: float
    places: str
    families: dict[str, float]
    unhcr_share: float = 0.0
    national_id_share: float = 0.0


# About a third refugees (Syrians by far the most, then Iraqis, Yemenis and Sudanese, as registered with
# UNHCR), a few asylum seekers, migrant workers (mostly Egyptian), and the Jordanian host community.
GROUPS = (
    Group(Nationality.JORDAN, LegalStatus.JORDANIAN, 0.55, "host", {"jo": 0.75, "ps": 0.15, "common": 0.10}, national_id_share=0.95),
    Group(Nationality.SYRIA, LegalStatus.REFUGEE, 0.27, "refugee", {"sy": 0.75, "common": 0.25}, unhcr_share=0.9),
    Group(Nationality.SYRIA, LegalStatus.OTHER, 0.03, "refugee", {"sy": 0.75, "common": 0.25}),
    Group(Nationality.IRAQ, LegalStatus.REFUGEE, 0.025, "refugee", {"iq": 0.85, "common": 0.15}, unhcr_share=0.9),
    Group(Nationality.YEMEN, LegalStatus.REFUGEE, 0.01, "refugee", {"ye": 0.85, "common": 0.15}, unhcr_share=0.9),
    Group(Nationality.SUDAN, LegalStatus.REFUGEE, 0.01, "refugee", {"sd": 0.9, "common": 0.1}, unhcr_share=0.9),
    Group(Nationality.SOMALIA, LegalStatus.REFUGEE, 0.003, "refugee", {"so": 1.0}, unhcr_share=0.9),
    Group(Nationality.IRAQ, LegalStatus.ASYLUM_SEEKER, 0.007, "refugee", {"iq": 0.85, "common": 0.15}, unhcr_share=0.8),
    Group(Nationality.YEMEN, LegalStatus.ASYLUM_SEEKER, 0.006, "refugee", {"ye": 0.85, "common": 0.15}, unhcr_share=0.8),
    Group(Nationality.SUDAN, LegalStatus.ASYLUM_SEEKER, 0.006, "refugee", {"sd": 0.9, "common": 0.1}, unhcr_share=0.8),
    Group(Nationality.EGYPT, LegalStatus.MIGRANT_WORKER, 0.05, "migrant", {"eg": 0.85, "common": 0.15}),
    Group(Nationality.IRAQ, LegalStatus.MIGRANT_WORKER, 0.005, "migrant", {"iq": 0.85, "common": 0.15}),
    Group(Nationality.PALESTINE, LegalStatus.OTHER, 0.01, "host", {"ps": 0.8, "common": 0.2}),
)  # fmt: skip

# Partner organizations created when fewer exist than asked for: (governorate, English, Arabic).
PARTNER_TEMPLATES = (
    ("MA", "Mafraq Community Development Society", "جمعية المفرق للتنمية المجتمعية"),
    ("IR", "Irbid Women's Empowerment Association", "جمعية تمكين المرأة في إربد"),
    ("ZA", "Zarqa Youth Skills Centre", "مركز مهارات الشباب في الزرقاء"),
    ("AM", "East Amman Livelihoods Network", "شبكة سبل العيش في شرق عمان"),
    ("AM", "Sahab Vocational Training Society", "جمعية سحاب للتدريب المهني"),
    ("BA", "Jordan Valley Farmers' Cooperative", "جمعية مزارعي وادي الأردن التعاونية"),
    ("KA", "Karak Charitable Society", "جمعية الكرك الخيرية"),
    ("JA", "Jerash Women's Handicrafts Association", "جمعية جرش للحرف اليدوية النسائية"),
    ("AQ", "Aqaba Tourism Skills Initiative", "مبادرة العقبة لمهارات السياحة"),
    ("MN", "Ma'an Youth Forum", "ملتقى شباب معان"),
    ("AJ", "Ajloun Rural Development Association", "جمعية عجلون للتنمية الريفية"),
    ("MD", "Madaba Social Enterprise Hub", "حاضنة مادبا للمشاريع الاجتماعية"),
    ("TA", "Tafilah Community Centre", "مركز الطفيلة المجتمعي"),
    ("MA", "Zaatari Digital Skills Hub", "مركز الزعتري للمهارات الرقمية"),
    ("IR", "Ramtha Inclusive Livelihoods Society", "جمعية الرمثا لسبل العيش الشاملة"),
    ("ZA", "Russeifa Refugee Support Association", "جمعية الرصيفة لدعم اللاجئين"),
)

# --- Unique numbers by construction ----------------------------------------------------------------------

# Valid Jordanian mobile numbers: 77 and 78 followed by one of these digits, any digit after 79 (libphonenumber).
_MOBILE_THIRD_DIGITS = {"77": "01256789", "78": "01256789", "79": "0123456789"}
_MOBILE_BLOCKS = [(prefix, digit) for prefix, digits in _MOBILE_THIRD_DIGITS.items() for digit in digits]
PHONE_SPACE = len(_MOBILE_BLOCKS) * 1_000_000
_MOBILE_BLOCK_BASE = np.array([int(prefix + digit) * 1_000_000 for prefix, digit in _MOBILE_BLOCKS], np.int64)


@dataclass(frozen=True)
class AffinePermutation:
    """``i → (a·i + b) mod m``: a fixed one-to-one shuffle of ``0 … m-1`` (``a`` coprime with ``m``)."""

    m: int
    a: int
    b: int

    def __post_init__(self) -> None:
        if math.gcd(self.a, self.m) != 1:
            raise ValueError("the multiplier must be coprime with the modulus")

    def __call__(self, index: np.ndarray) -> np.ndarray:
        """The images of an array of indices (int64, no overflow for m < 3·10⁹)."""
        return (np.asarray(index, np.int64) % self.m * self.a + self.b) % self.m


PHONE_PERMUTATION = AffinePermutation(PHONE_SPACE, 7_368_787, 1_234_567)
NATIONAL_ID_PERMUTATION = AffinePermutation(1_000_000_000, 387_420_489, 271_828_182)
UNHCR_PERMUTATION = AffinePermutation(100_000_000, 48_271_513, 31_415_926)


def phone_numbers(index: np.ndarray) -> list[str]:
    """The E.164 Jordanian mobile number of each person number (unique for numbers below PHONE_SPACE)."""
    n = PHONE_PERMUTATION(index)
    national = _MOBILE_BLOCK_BASE[n // 1_000_000] + n % 1_000_000
    return ["+962" + s for s in national.astype(str).tolist()]


def national_ids(index: np.ndarray) -> list[str]:
    """A synthetic 10-digit national number per person number (unique; not the real number's structure)."""
    return (9_000_000_000 + NATIONAL_ID_PERMUTATION(index)).astype(str).tolist()


def unhcr_case_numbers(index: np.ndarray) -> list[str]:
    """A synthetic UNHCR case number per person number (unique)."""
    return ["945-" + s for s in (UNHCR_PERMUTATION(index) + 100_000_000).astype(str).tolist()]


# --- Drawing ---------------------------------------------------------------------------------------------


def _cdf(weights: Sequence[float] | np.ndarray) -> np.ndarray:
    cdf = np.cumsum(np.asarray(weights, dtype=float))
    cdf /= cdf[-1]
    cdf[-1] = 1.0
    return cdf


def _draw(rng: np.random.Generator, cdf: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(cdf) - 1)


def _zipf(n: int, exponent: float) -> np.ndarray:
    return 1.0 / np.arange(1, n + 1, dtype=float) ** exponent


def _obj(values: Iterable[Any]) -> np.ndarray:
    """A 1-d object array of plain strings (choices become their values) for fast fancy indexing."""
    items = [getattr(v, "value", v) for v in values]
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


@dataclass
class SeedPlan:
    """Everything a block of people is drawn from: the seed, lookup tables and the database's ids."""

    seed: int
    reference_date: dt.date
    governorate_ids: list[int]
    organization_ids: list[int]
    organization_governorates: list[int | None]
    skill_ids: list[int] = field(default_factory=list)
    _cache: dict[tuple[str, str, str, str], str] = field(default_factory=dict, repr=False)
    _keys: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.group_cdf = _cdf([g.share for g in GROUPS])
        self.place_cdfs = {key: _cdf(shares) for key, shares in _PLACES.items()}
        self.education_cdfs = {key: _cdf(shares) for key, shares in _EDUCATION.items()}
        # Given names: males then females, Zipf-like popularity in list order.
        self.given_names = MALE_NAMES + FEMALE_NAMES
        self.male_cdf = _cdf(_zipf(len(MALE_NAMES), 0.9))
        self.female_cdf = _cdf(_zipf(len(FEMALE_NAMES), 0.9))
        self.given_arabic = _obj([n.arabic for n in self.given_names])
        self.given_latin, self.given_variant_cdf = self._variants(self.given_names)
        # Family names: one table; each group draws from its origins, Zipf-like within an origin.
        self.family_names = [name for origin in FAMILY_ORIGINS for name in FAMILY_NAMES_BY_ORIGIN[origin]]
        self.family_arabic = _obj([n.arabic for n in self.family_names])
        self.family_latin, self.family_variant_cdf = self._variants(self.family_names)
        self.family_cdfs = []
        for group in GROUPS:
            weights = np.concatenate(
                [
                    group.families.get(origin, 0.0)
                    * _zipf(len(FAMILY_NAMES_BY_ORIGIN[origin]), 0.6)
                    / _zipf(len(FAMILY_NAMES_BY_ORIGIN[origin]), 0.6).sum()
                    for origin in FAMILY_ORIGINS
                ]
            )
            self.family_cdfs.append(_cdf(weights))
        self.localities = [_obj(LOCALITIES[code]) for code in GOVERNORATE_CODES]
        self._organizations()
        self._skills()

    @staticmethod
    def _variants(names: list[_Name]) -> tuple[np.ndarray, np.ndarray]:
        width = max(len(n.latin) for n in names)
        table = np.full((len(names), width), "", dtype=object)
        cdf = np.ones((len(names), width))
        for row, name in enumerate(names):
            table[row, : len(name.latin)] = name.latin
            cdf[row, : len(name.latin)] = _cdf(name.weights)
        return table, cdf

    def _organizations(self) -> None:
        count = len(self.organization_ids)
        self.organization_array = np.array(self.organization_ids, dtype=np.int64)
        self.organization_cdf = _cdf(_zipf(count, 0.5)) if count else np.ones(1)
        # For each governorate, the organizations based there: most people register close to home.
        local = [
            [k for k, gov in enumerate(self.organization_governorates) if gov == gov_id]
            for gov_id in self.governorate_ids
        ]
        width = max([len(ks) for ks in local] + [1])
        self.local_organizations = np.zeros((len(local), width), dtype=np.int64)
        self.local_counts = np.array([len(ks) for ks in local], dtype=np.int64)
        for row, ks in enumerate(local):
            self.local_organizations[row, : len(ks)] = ks

    def _skills(self) -> None:
        # Popularity is Zipf-like over a seeded order of the skills, so the most held skills differ by seed.
        order = np.random.default_rng([self.seed, 0x5C111]).permutation(len(self.skill_ids))
        self.skill_array = np.array(self.skill_ids, dtype=np.int64)[order] if self.skill_ids else np.array([])
        self.skill_cdf = _cdf(_zipf(len(self.skill_ids), 1.0)) if self.skill_ids else np.ones(1)

    def search_name(self, given_ar: str, family_ar: str, given_latin: str, family_latin: str) -> str:
        """``search_name_for`` of a person with these names, cached per distinct combination of names.

        A new combination is built from the keys of its Arabic and Latin full names, each cached too: far
        fewer distinct Arabic names than combinations occur (18,000 against 130,000 in a million people).
        """
        key = (given_ar, family_ar, given_latin, family_latin)
        value = self._cache.get(key)
        if value is None:
            parts = [
                self._name_key(f"{given_ar} {family_ar}"),
                self._name_key(f"{given_latin} {family_latin}"),
            ]
            value = " | ".join(part for part in parts if part)[:400]
            self._cache[key] = value
        return value

    def _name_key(self, full_name: str) -> str:
        value = self._keys.get(full_name)
        if value is None:
            stripped = full_name.strip()
            value = self._keys[full_name] = name_key(stripped) if stripped else ""
        return value


def _joined(lists: Iterable[list[Any]]) -> list[Any]:
    return list(itertools.chain.from_iterable(lists))


@dataclass
class PeopleBlock:
    """Generated rows for a run of consecutive person numbers, as text ready for COPY (None is NULL)."""

    index: np.ndarray
    person: dict[str, list[str | None]]
    registered_by: np.ndarray
    consent_person: np.ndarray
    consent_purpose: list[str]
    consent_channel: list[str]
    consent_given_at: list[str]
    skill_person: np.ndarray
    skill_id: np.ndarray
    skill_proficiency: np.ndarray
    skill_evidence: list[str]
    person_ids: Sequence[int] | None = None
    consent_ids: Sequence[int] | None = None

    def __len__(self) -> int:
        return len(self.index)

    @staticmethod
    def concat(blocks: list[PeopleBlock]) -> PeopleBlock:
        """Blocks joined end to end (person positions in consents and skills shifted accordingly)."""
        if len(blocks) == 1:
            return blocks[0]
        starts = np.cumsum([0] + [len(b) for b in blocks[:-1]])
        return PeopleBlock(
            index=np.concatenate([b.index for b in blocks]),
            person={k: _joined(b.person[k] for b in blocks) for k in blocks[0].person},
            registered_by=np.concatenate([b.registered_by for b in blocks]),
            consent_person=np.concatenate(
                [b.consent_person + s for b, s in zip(blocks, starts, strict=True)]
            ),
            consent_purpose=_joined(b.consent_purpose for b in blocks),
            consent_channel=_joined(b.consent_channel for b in blocks),
            consent_given_at=_joined(b.consent_given_at for b in blocks),
            skill_person=np.concatenate([b.skill_person + s for b, s in zip(blocks, starts, strict=True)]),
            skill_id=np.concatenate([b.skill_id for b in blocks]),
            skill_proficiency=np.concatenate([b.skill_proficiency for b in blocks]),
            skill_evidence=_joined(b.skill_evidence for b in blocks),
        )

    def sliced(self, start: int, stop: int) -> PeopleBlock:
        """The people at positions start…stop-1 with their consents and skills."""
        if start == 0 and stop == len(self):
            return self
        cmask = (self.consent_person >= start) & (self.consent_person < stop)
        smask = (self.skill_person >= start) & (self.skill_person < stop)
        cpos = np.flatnonzero(cmask).tolist()
        spos = np.flatnonzero(smask).tolist()
        return PeopleBlock(
            index=self.index[start:stop],
            person={k: v[start:stop] for k, v in self.person.items()},
            registered_by=self.registered_by[start:stop],
            consent_person=self.consent_person[cmask] - start,
            consent_purpose=[self.consent_purpose[i] for i in cpos],
            consent_channel=[self.consent_channel[i] for i in cpos],
            consent_given_at=[self.consent_given_at[i] for i in cpos],
            skill_person=self.skill_person[smask] - start,
            skill_id=self.skill_id[smask],
            skill_proficiency=self.skill_proficiency[smask],
            skill_evidence=[self.skill_evidence[i] for i in spos],
        )


_WG_TEXT = _obj([None, "1", "2", "3", "4"])
_BOOL_TEXT = _obj(["f", "t"])
_LANGUAGE_BITS = ("ar", "en", "ku", "so", "fr")
_LANGUAGE_JSON = _obj(
    [json.dumps([code for bit, code in enumerate(_LANGUAGE_BITS) if mask & (1 << bit)]) for mask in range(32)]
)
_HOUSEHOLD = _obj([HouseholdRole.HEAD, HouseholdRole.SPOUSE, HouseholdRole.CHILD, HouseholdRole.OTHER])
_EMPLOYMENT = (
    EmploymentStatus.UNEMPLOYED,
    EmploymentStatus.EMPLOYED,
    EmploymentStatus.SELF_EMPLOYED,
    EmploymentStatus.FREELANCER,
    EmploymentStatus.STUDENT,
    EmploymentStatus.INACTIVE,
)
# Unemployed, employed, self-employed, freelancer, student, not looking: most applicants look for work;
# migrant workers came to work.
_EMPLOYMENT_CDF = {
    "M": _cdf((0.50, 0.22, 0.10, 0.05, 0.08, 0.05)),
    "F": _cdf((0.46, 0.08, 0.05, 0.05, 0.10, 0.26)),
    "migrant": _cdf((0.20, 0.65, 0.10, 0.0, 0.0, 0.05)),
}
_CHANNELS = _obj([Channel.SMS, Channel.WHATSAPP, Channel.WEB])
_CHANNEL_CDF = _cdf((0.70, 0.25, 0.05))
_CONSENT_CHANNELS = _obj(
    [
        ConsentChannel.PAPER,
        ConsentChannel.VERBAL,
        ConsentChannel.WEB,
        ConsentChannel.SMS,
        ConsentChannel.IMPORT,
    ]
)
_CONSENT_CHANNEL_CDF = _cdf((0.45, 0.20, 0.15, 0.05, 0.15))
_EVIDENCE = _obj(["self", "assessed", "certified"])
_EVIDENCE_CDF = _cdf((0.80, 0.15, 0.05))
_PROFICIENCY_CDF = _cdf((0.40, 0.30, 0.20, 0.10))
_RESEARCH_SHARE = 0.70
_MESSAGING_SHARE = 0.90
_PHONE_SHARE = 0.98
_LOCALITY_SHARE = 0.6
_CAMPS = _obj(["Azraq camp", "Zaatari camp"])  # in Zarqa and Mafraq governorates
_WG_MISSING_SHARE = 0.03
_DAY = 86_400


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _uuid4_strings(rng: np.random.Generator, n: int) -> list[str]:
    raw = np.frombuffer(rng.bytes(16 * n), dtype=np.uint8).reshape(n, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    # Hex digits, then the dashes of the canonical form, as one ASCII buffer cut every 36 characters.
    digits = np.empty((n, 32), dtype=np.uint8)
    digits[:, 0::2], digits[:, 1::2] = _HEX[raw >> 4], _HEX[raw & 0x0F]
    text = np.full((n, 36), ord("-"), dtype=np.uint8)
    for source, target in ((0, 0), (8, 9), (12, 14), (16, 19), (20, 24)):
        width = {0: 8, 20: 12}.get(source, 4)
        text[:, target : target + width] = digits[:, source : source + width]
    joined = text.tobytes().decode("ascii")
    return [joined[k : k + 36] for k in range(0, 36 * n, 36)]


def _disability(plan: SeedPlan, answers: np.ndarray) -> np.ndarray:
    """``disability_from_wg`` for each row of answers (0 = not asked), called once per distinct row."""
    codes = answers @ (5 ** np.arange(answers.shape[1]))
    distinct, inverse = np.unique(codes, return_inverse=True)
    verdicts = np.zeros(len(distinct), dtype=bool)
    for k, code in enumerate(distinct.tolist()):
        row = [(code // 5**d) % 5 for d in range(answers.shape[1])]
        verdicts[k] = disability_from_wg([a or None for a in row])
    return verdicts[inverse.reshape(-1)]


def generate_block(plan: SeedPlan, block_number: int) -> PeopleBlock:
    """The people numbered ``block_number·GEN_BLOCK`` … ``+GEN_BLOCK-1``, drawn from ``(seed, block_number)``."""
    rng = np.random.default_rng([plan.seed, block_number])
    n = GEN_BLOCK
    index = np.arange(block_number * n, (block_number + 1) * n, dtype=np.int64)

    group = _draw(rng, plan.group_cdf, n)
    female = rng.random(n) < 0.5
    # Ages 15-60, skewed young (median about 28).
    age_years = 15.0 + 45.0 * rng.beta(1.3, 2.6, n)
    age_days = (age_years * 365.25).astype(np.int64)
    born = np.datetime64(plan.reference_date, "D") - age_days.astype("timedelta64[D]")
    x = (age_years - 15.0) / 45.0

    nationality = _obj([g.nationality for g in GROUPS])[group]
    legal_status = _obj([g.legal_status for g in GROUPS])[group]
    places = _obj([g.places for g in GROUPS])[group]

    gov_index = np.zeros(n, dtype=np.int64)
    education = np.zeros(n, dtype=np.int64)
    for key in _PLACES:
        mask = places == key
        count = int(mask.sum())
        gov_index[mask] = _draw(rng, plan.place_cdfs[key], count)
        education[mask] = _draw(rng, plan.education_cdfs[key], count)
    # Nobody under 18 has finished secondary school; nobody under 22 holds a degree.
    education = np.where((age_years < 18) & (education > 2), 2, education)
    education = np.where((age_years < 22) & (education > 5), 3, education)

    given = np.where(
        female,
        len(MALE_NAMES) + _draw(rng, plan.female_cdf, n),
        _draw(rng, plan.male_cdf, n),
    )
    family = np.zeros(n, dtype=np.int64)
    for g in range(len(GROUPS)):
        mask = group == g
        family[mask] = _draw(rng, plan.family_cdfs[g], int(mask.sum()))
    given_variant = (rng.random(n)[:, None] > plan.given_variant_cdf[given]).sum(axis=1)
    family_variant = (rng.random(n)[:, None] > plan.family_variant_cdf[family]).sum(axis=1)
    no_latin = rng.random(n) < 0.03
    given_ar = plan.given_arabic[given].tolist()
    family_ar = plan.family_arabic[family].tolist()
    given_latin = np.where(no_latin, "", plan.given_latin[given, given_variant]).tolist()
    family_latin = np.where(no_latin, "", plan.family_latin[family, family_variant]).tolist()
    search = [
        plan.search_name(a, b, c, d)
        for a, b, c, d in zip(given_ar, family_ar, given_latin, family_latin, strict=True)
    ]

    # Washington Group Short Set: most people have no difficulty; about one in ten has "a lot of difficulty"
    # or "cannot do at all" in some domain (more with age); some report "some difficulty".
    domains = len(WG_FIELDS)
    answers = np.where(rng.random((n, domains)) < (0.04 + 0.10 * x)[:, None], 2, 1)
    disabled = rng.random(n) < 0.06 + 0.20 * x**1.5
    first = rng.integers(0, domains, n)
    second = rng.integers(0, domains, n)
    severity = np.where(rng.random((n, 2)) < 0.75, 3, 4)
    rows = np.arange(n)
    answers[rows[disabled], first[disabled]] = severity[disabled, 0]
    both = disabled & (rng.random(n) < 0.3)
    answers[rows[both], second[both]] = severity[both, 1]
    answers[rng.random(n) < _WG_MISSING_SHARE] = 0
    has_disability = _disability(plan, answers)

    # Household: the young are mostly sons and daughters; women head about one household in five (more
    # among refugees), and everyone in a woman-headed household is counted in it.
    young = age_years < 22
    refugee = places == "refugee"
    u = rng.random(n)
    head_share = np.where(female, np.where(refugee, 0.28, 0.18), 0.70)
    role = np.where(u < head_share, 0, np.where(u < head_share + np.where(female, 0.55, 0.0), 1, 3))
    role = np.where(young & (rng.random(n) < 0.8), 2, role)
    female_headed = (female & (role == 0)) | ((role >= 2) & (rng.random(n) < np.where(refugee, 0.3, 0.15)))

    employment = np.where(female, _draw(rng, _EMPLOYMENT_CDF["F"], n), _draw(rng, _EMPLOYMENT_CDF["M"], n))
    employment = np.where(places == "migrant", _draw(rng, _EMPLOYMENT_CDF["migrant"], n), employment)
    # Students are young: at 20 most still are, from 25 almost nobody is.
    employment = np.where((age_years < 20) & (places != "migrant") & (rng.random(n) < 0.7), 4, employment)
    employment = np.where((employment == 4) & (age_years >= 25), 0, employment)

    english = rng.random(n) < np.array([0.02, 0.03, 0.05, 0.25, 0.15, 0.4, 0.7, 0.85])[education]
    kurdish = np.isin(nationality, [Nationality.SYRIA.value, Nationality.IRAQ.value]) & (rng.random(n) < 0.04)
    somali = nationality == Nationality.SOMALIA.value
    french = rng.random(n) < 0.01
    languages = 1 | english << 1 | kurdish << 2 | somali << 3 | french << 4
    prefers_english = english & (rng.random(n) < 0.25)

    has_phone = rng.random(n) < _PHONE_SHARE
    unhcr_share = np.array([g.unhcr_share for g in GROUPS])[group]
    has_unhcr = rng.random(n) < unhcr_share
    has_nid = rng.random(n) < np.array([g.national_id_share for g in GROUPS])[group]
    phones = phone_numbers(index)
    nids = national_ids(index)
    cases = unhcr_case_numbers(index)

    gov_ids = np.array(plan.governorate_ids, dtype=np.int64)[gov_index]
    locality_pick = rng.random(n)
    camp = (
        refugee
        & np.isin(gov_index, [GOVERNORATE_CODES.index("MA"), GOVERNORATE_CODES.index("ZA")])
        & (rng.random(n) < 0.35)
    )
    locality = np.full(n, "", dtype=object)
    for g, options in enumerate(plan.localities):
        named = (gov_index == g) & (locality_pick < _LOCALITY_SHARE)
        locality[named] = options[(locality_pick[named] / _LOCALITY_SHARE * len(options)).astype(np.int64)]
    locality[camp] = _CAMPS[(gov_index[camp] == GOVERNORATE_CODES.index("MA")).astype(np.int64)]
    localities = locality.tolist()

    # Registering organization: one based in the person's governorate for most, else any partner.
    registered_by = np.zeros(n, dtype=np.int64)
    if len(plan.organization_array):
        local_count = plan.local_counts[gov_index]
        local = (rng.random(n) < 0.7) & (local_count > 0)
        local_pick = plan.local_organizations[
            gov_index, (rng.random(n) * np.maximum(local_count, 1)).astype(int)
        ]
        anywhere = _draw(rng, plan.organization_cdf, n)
        registered_by = plan.organization_array[np.where(local, local_pick, anywhere)]
    else:
        rng.random(n)  # keep the stream aligned with runs that have organizations

    # Registered some time in the last three years, never before the age of 14.
    days_ago = (rng.random(n) * np.minimum(3 * 365, age_days - 14 * 365)).astype(np.int64)
    seconds = (8 + rng.random(n) * 9) * 3600
    given_at = (
        np.datetime64(plan.reference_date, "s")
        - (days_ago * _DAY).astype("timedelta64[s]")
        + seconds.astype(np.int64).astype("timedelta64[s]")
    )
    given_at_text = [s + "+00:00" for s in given_at.astype(str).tolist()]
    consent_channel = _CONSENT_CHANNELS[_draw(rng, _CONSENT_CHANNEL_CDF, n)]
    messaging = rng.random(n) < _MESSAGING_SHARE
    research = rng.random(n) < _RESEARCH_SHARE
    consent_person = np.concatenate([rows, rows[messaging], rows[research]])
    purposes = (
        [ConsentPurpose.REGISTRATION.value] * n
        + [ConsentPurpose.MESSAGING.value] * int(messaging.sum())
        + [ConsentPurpose.RESEARCH.value] * int(research.sum())
    )

    # Skills: 3-10 distinct skills per person, Zipf-like popularity.
    skill_person: list[int] = []
    skill_ids: list[int] = []
    if len(plan.skill_array):
        wanted = rng.integers(3, 11, n).tolist()
        draws = plan.skill_array[
            np.minimum(np.searchsorted(plan.skill_cdf, rng.random((n, 16))), len(plan.skill_array) - 1)
        ].tolist()
        for k in range(n):
            chosen = list(dict.fromkeys(draws[k]))[: wanted[k]]
            skill_person.extend([k] * len(chosen))
            skill_ids.extend(chosen)
    n_skills = len(skill_ids)

    person = {
        "public_id": _uuid4_strings(rng, n),
        "given_name_ar": given_ar,
        "family_name_ar": family_ar,
        "given_name_latin": given_latin,
        "family_name_latin": family_latin,
        "sex": np.where(female, "F", "M").tolist(),
        "date_of_birth": born.astype(str).tolist(),
        "nationality": nationality.tolist(),
        "legal_status": legal_status.tolist(),
        "national_id": [v if ok else None for v, ok in zip(nids, has_nid.tolist(), strict=True)],
        "unhcr_case_number": [v if ok else None for v, ok in zip(cases, has_unhcr.tolist(), strict=True)],
        "phone": [v if ok else None for v, ok in zip(phones, has_phone.tolist(), strict=True)],
        "governorate": gov_ids.astype(str).tolist(),
        "locality": localities,
        "household_role": _HOUSEHOLD[role].tolist(),
        "female_headed_household": _BOOL_TEXT[female_headed.astype(int)].tolist(),
        **{name: _WG_TEXT[answers[:, d]].tolist() for d, name in enumerate(WG_FIELDS)},
        "has_disability": _BOOL_TEXT[has_disability.astype(int)].tolist(),
        "education_level": _obj(_EDUCATION_LEVELS)[education].tolist(),
        "employment_status": _obj(_EMPLOYMENT)[employment].tolist(),
        "languages": _LANGUAGE_JSON[languages].tolist(),
        "preferred_language": np.where(prefers_english, "en", "ar").tolist(),
        "preferred_channel": _CHANNELS[_draw(rng, _CHANNEL_CDF, n)].tolist(),
        "search_name": search,
    }
    return PeopleBlock(
        index=index,
        person=person,
        registered_by=registered_by,
        consent_person=consent_person,
        consent_purpose=purposes,
        consent_channel=[consent_channel[k] for k in consent_person.tolist()],
        consent_given_at=[given_at_text[k] for k in consent_person.tolist()],
        skill_person=np.array(skill_person, dtype=np.int64),
        skill_id=np.array(skill_ids, dtype=np.int64),
        skill_proficiency=_draw(rng, _PROFICIENCY_CDF, n_skills) + 1,
        skill_evidence=_EVIDENCE[_draw(rng, _EVIDENCE_CDF, n_skills)].tolist(),
    )


def generate_people(plan: SeedPlan, start: int, stop: int) -> PeopleBlock:
    """The people numbered ``start`` … ``stop-1`` (the same rows whatever the batch boundaries)."""
    first, last = start // GEN_BLOCK, (stop - 1) // GEN_BLOCK
    joined = PeopleBlock.concat([generate_block(plan, b) for b in range(first, last + 1)])
    offset = first * GEN_BLOCK
    return joined.sliced(start - offset, stop - offset)


# --- Writing ---------------------------------------------------------------------------------------------

PERSON_FIELDS = (
    "public_id",
    "given_name_ar",
    "family_name_ar",
    "given_name_latin",
    "family_name_latin",
    "sex",
    "date_of_birth",
    "nationality",
    "legal_status",
    "national_id",
    "unhcr_case_number",
    "phone",
    "governorate",
    "locality",
    "household_role",
    "female_headed_household",
    *WG_FIELDS,
    "has_disability",
    "education_level",
    "employment_status",
    "languages",
    "preferred_language",
    "preferred_channel",
    "search_name",
)
# Numbers that must stay unique, and what a person gets instead when theirs is already taken.
UNIQUE_FIELDS = ("public_id", "phone", "national_id", "unhcr_case_number")


@dataclass
class Written:
    """Rows written for one batch."""

    people: int = 0
    consents: int = 0
    consent_organizations: int = 0
    skills: int = 0
    numbers_taken: int = 0


def _column(model: type[models.Model], name: str) -> str:
    """The database column of a model field."""
    found = model._meta.get_field(name)
    assert isinstance(found, models.Field) and found.column is not None
    return found.column


def taken_values(name: str, values: list[str]) -> set[str]:
    """Which of these values of a unique field some person already has (any database)."""
    taken: set[str] = set()
    for start in range(0, len(values), 1000):
        chunk = values[start : start + 1000]
        taken.update(
            str(v) for v in Person.objects.filter(**{f"{name}__in": chunk}).values_list(name, flat=True)
        )
    return taken


def taken_values_postgres(name: str, values: list[str]) -> set[str]:
    """``taken_values`` with one array parameter instead of thousands of placeholders: about three times faster."""
    column = connection.ops.quote_name(_column(Person, name))
    cast = "::uuid[]" if name == "public_id" else "::text[]"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column}::text FROM {Person._meta.db_table} WHERE {column} = ANY(%s{cast})",  # noqa: S608
            [values],
        )
        return {row[0] for row in cursor.fetchall()}


def drop_taken_numbers(block: PeopleBlock) -> int:
    """Leave out phones and documents that already belong to someone (a new public id is drawn instead)."""
    dropped = 0
    lookup = taken_values_postgres if connection.vendor == "postgresql" else taken_values
    for name in UNIQUE_FIELDS:
        values = block.person[name]
        taken = lookup(name, [v for v in values if v is not None])
        for k, value in enumerate(values):
            if value is not None and value in taken:
                values[k] = str(uuid.uuid4()) if name == "public_id" else None
                dropped += 1
    return dropped


def _copy_text(columns: Sequence[Sequence[str | None]]) -> str:
    r"""Rows in PostgreSQL's COPY text format (generated values never hold tabs, newlines or backslashes)."""
    cleaned = [[r"\N" if v is None else v for v in col] if None in col else col for col in columns]
    return "\n".join(map("\t".join, zip(*cleaned, strict=True))) + "\n"


class PostgresWriter:
    """Writes batches with COPY FROM STDIN; ids are taken from the tables' own sequences beforehand."""

    def __init__(self) -> None:
        quote = connection.ops.quote_name
        person_columns = ["id", "created_at", "updated_at"] + [
            _column(Person, name) for name in (*PERSON_FIELDS, "registered_by")
        ]
        consent_columns = ["id", "created_at", "updated_at", "person_id", "purpose", "channel", "given_at"]
        skill_columns = [
            "created_at",
            "updated_at",
            "person_id",
            "skill_id",
            "proficiency",
            "evidence",
            "source",
        ]
        link = Consent.organizations.through
        self.statements = {
            name: f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
            for name, model, columns in (
                ("person", Person, person_columns),
                ("consent", Consent, [*consent_columns, "notice_version"]),
                ("link", link, ["consent_id", "organization_id"]),
                ("skill", PersonSkill, skill_columns),
            )
        }
        self.notice_version = str(Consent._meta.get_field("notice_version").default)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, 'id'), pg_get_serial_sequence(%s, 'id')",
                [Person._meta.db_table, Consent._meta.db_table],
            )
            self.person_sequence, self.consent_sequence = cursor.fetchone()

    def reserve(self, block: PeopleBlock) -> None:
        """Take ids for the block's people and consents, in order, on the calling thread's connection."""
        with connection.cursor() as cursor:
            for sequence, count, attribute in (
                (self.person_sequence, len(block), "person_ids"),
                (self.consent_sequence, len(block.consent_person), "consent_ids"),
            ):
                # The ids are consecutive unless someone else takes ids meanwhile: then they come as a list.
                cursor.execute(
                    "SELECT min(id), max(id), CASE WHEN max(id) - min(id) + 1 = count(*) THEN NULL "
                    "ELSE array_agg(id ORDER BY id) END "
                    "FROM (SELECT nextval(%s) AS id FROM generate_series(1, %s)) AS taken",
                    [sequence, count],
                )
                first, last, scattered = cursor.fetchone()
                ids = [] if first is None else scattered if scattered is not None else range(first, last + 1)
                setattr(block, attribute, ids)

    def _copy(self, cursor: Any, name: str, data: Sequence[Sequence[str | None]]) -> None:
        if data and len(data[0]):
            with cursor.copy(self.statements[name]) as copy:
                copy.write(_copy_text(data))

    def write(self, block: PeopleBlock, now: dt.datetime) -> Written:
        """Write one reserved batch (people, consents, consent organizations, skills) in the caller's transaction."""
        if block.person_ids is None or block.consent_ids is None:
            self.reserve(block)
        assert block.person_ids is not None and block.consent_ids is not None
        n, m, s = len(block), len(block.consent_person), len(block.skill_id)
        stamp = now.isoformat()
        id_text = list(map(str, block.person_ids))
        registered = [str(v) if v else None for v in block.registered_by.tolist()]
        links = _registration_links(block, block.consent_ids)
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            people: list[Sequence[str | None]] = [
                id_text,
                [stamp] * n,
                [stamp] * n,
                *(block.person[f] for f in PERSON_FIELDS),
                registered,
            ]
            self._copy(cursor, "person", people)
            consent_person = [id_text[k] for k in block.consent_person.tolist()]
            self._copy(
                cursor,
                "consent",
                [
                    list(map(str, block.consent_ids)),
                    [stamp] * m,
                    [stamp] * m,
                    consent_person,
                    block.consent_purpose,
                    block.consent_channel,
                    block.consent_given_at,
                    [self.notice_version] * m,
                ],
            )
            self._copy(cursor, "link", [[str(c) for c, _ in links], [str(o) for _, o in links]])
            skill_person = [id_text[k] for k in block.skill_person.tolist()]
            self._copy(
                cursor,
                "skill",
                [
                    [stamp] * s,
                    [stamp] * s,
                    skill_person,
                    block.skill_id.astype(str).tolist(),
                    block.skill_proficiency.astype(str).tolist(),
                    block.skill_evidence,
                    [""] * s,
                ],
            )
        return Written(people=n, consents=m, consent_organizations=len(links), skills=s)


def _registration_links(block: PeopleBlock, consent_ids: Sequence[int]) -> list[tuple[int, int]]:
    """(consent id, organization id) for each registration consent of a person with a registering partner."""
    purposes = np.empty(len(block.consent_purpose), dtype=object)
    purposes[:] = block.consent_purpose
    chosen = np.flatnonzero(purposes == ConsentPurpose.REGISTRATION.value)
    organizations = block.registered_by[block.consent_person[chosen]]
    partner = organizations != 0
    ids = np.asarray(consent_ids, dtype=np.int64)[chosen[partner]]
    return list(zip(ids.tolist(), organizations[partner].tolist(), strict=True))


_BOOL_FIELDS = {"female_headed_household", "has_disability"}


def _person_value(name: str, value: str | None) -> Any:
    if value is None:
        return None
    if name in WG_FIELDS:
        return int(value)
    if name in _BOOL_FIELDS:
        return value == "t"
    if name == "date_of_birth":
        return dt.date.fromisoformat(value)
    if name == "public_id":
        return uuid.UUID(value)
    if name == "languages":
        return json.loads(value)
    if name == "governorate_id":
        return int(value)
    return value


class BulkCreateWriter:
    """Writes batches with ``bulk_create`` (SQLite and any other database)."""

    def __init__(self) -> None:
        if not connection.features.can_return_rows_from_bulk_insert:
            raise RuntimeError(
                "seeding needs a database that returns the ids of bulk-created rows (SQLite or PostgreSQL)"
            )

    def reserve(self, block: PeopleBlock) -> None:
        """Nothing to take beforehand: ``bulk_create`` returns the ids."""

    def write(self, block: PeopleBlock, now: dt.datetime) -> Written:
        """Write one batch (people, consents, consent organizations, skills) in the caller's transaction."""
        columns = {("governorate_id" if f == "governorate" else f): block.person[f] for f in PERSON_FIELDS}
        converted = {key: [_person_value(key, v) for v in values] for key, values in columns.items()}
        registered = [int(v) or None for v in block.registered_by.tolist()]
        people = [
            Person(**{key: values[k] for key, values in converted.items()}, registered_by_id=registered[k])
            for k in range(len(block))
        ]
        Person.objects.bulk_create(people)
        notice = Consent._meta.get_field("notice_version").default
        consents = [
            Consent(
                person_id=people[k].pk,
                purpose=purpose,
                channel=channel,
                given_at=dt.datetime.fromisoformat(given_at),
                notice_version=notice,
            )
            for k, purpose, channel, given_at in zip(
                block.consent_person.tolist(),
                block.consent_purpose,
                block.consent_channel,
                block.consent_given_at,
                strict=True,
            )
        ]
        Consent.objects.bulk_create(consents)
        links = _registration_links(block, [c.pk for c in consents])
        link_model = Consent.organizations.through
        link_model.objects.bulk_create([link_model(consent_id=c, organization_id=o) for c, o in links])
        skills = [
            PersonSkill(person_id=people[k].pk, skill_id=skill, proficiency=level, evidence=evidence)
            for k, skill, level, evidence in zip(
                block.skill_person.tolist(),
                block.skill_id.tolist(),
                block.skill_proficiency.tolist(),
                block.skill_evidence,
                strict=True,
            )
        ]
        PersonSkill.objects.bulk_create(skills)
        return Written(
            people=len(people), consents=len(consents), consent_organizations=len(links), skills=len(skills)
        )


# --- Bulk loads into an empty registry (PostgreSQL) ------------------------------------------------------

# From this many people into an empty registry, the secondary indexes and the foreign keys of the people
# tables are dropped before the load and restored afterwards, as pg_restore does: building an index over a
# million rows takes a second or two and checking a foreign key one join, while keeping them row by row
# costs far more (the phone, document and public-id indexes take their keys in random order, so every batch
# touches nearly every page of each; every consent checks and locks its person).
BULK_LOAD_MIN_PEOPLE = 100_000
BULK_TABLES: tuple[type[models.Model], ...] = (Person, Consent, Consent.organizations.through)
# Written on the people table, in the same transaction as the drop, until everything is back: a run that
# was killed outright (no chance to clean up) is repaired by the next one.
_PENDING_MARK = "maharat seed: indexes and constraints to restore "
INDEX, UNIQUE, FOREIGN_KEY = "index", "unique", "foreign key"


@dataclass(frozen=True)
class Deferred:
    """A secondary index, unique constraint or foreign key left out during a bulk load."""

    kind: str  # INDEX, UNIQUE or FOREIGN_KEY
    name: str
    table: str
    definition: str  # CREATE INDEX … for indexes and unique constraints; the constraint's, for foreign keys
    column: str = ""  # the seeded number a unique constraint is on
    gin: bool = False

    def drop(self) -> str:
        """The statement that drops it."""
        if self.kind == INDEX:
            return f"DROP INDEX IF EXISTS {connection.ops.quote_name(self.name)}"
        return f"ALTER TABLE {self.table} DROP CONSTRAINT IF EXISTS {connection.ops.quote_name(self.name)}"


def deferrable() -> list[Deferred]:
    """What a bulk load can leave out of the people, consent and consent organization tables.

    Every secondary index and foreign key, and the unique constraints on the numbers the seed draws itself
    (restored whatever happened meanwhile, see ``_restore_unique``); other unique indexes (accounts, consent
    organizations) take their keys in increasing order, or none, and cost little to keep.
    """
    tables = [t._meta.db_table for t in BULK_TABLES]
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT ic.relname, i.indrelid::regclass::text, pg_get_indexdef(i.indexrelid), i.indisunique,
                   c.contype, c.conname, a.attname, am.amname
            FROM pg_index i
            JOIN pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_am am ON am.oid = ic.relam
            LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
            LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] AND i.indnatts = 1
            WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND i.indisvalid
              AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid)
            ORDER BY 1
            """,
            [tables],
        )
        for index, table, definition, unique, contype, constraint, column, method in cursor.fetchall():
            if not unique and contype is None:
                found.append(Deferred(INDEX, index, table, definition, gin=method == "gin"))
            elif (
                contype == "u"
                and index == constraint
                and table == Person._meta.db_table
                and column in UNIQUE_FIELDS
            ):
                found.append(Deferred(UNIQUE, constraint, table, definition, column=column))
        cursor.execute(
            "SELECT c.conname, c.conrelid::regclass::text, pg_get_constraintdef(c.oid), t.relname, a.attname "
            "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "WHERE c.contype = 'f' AND c.convalidated AND c.conrelid = ANY(%s::regclass[]) ORDER BY 1",
            [tables],
        )
        seeded = _seeded_foreign_keys()
        found += [
            Deferred(FOREIGN_KEY, name, table, definition)
            for name, table, definition, relname, column in cursor.fetchall()
            if (relname, column) in seeded
        ]
    return found


def _seeded_foreign_keys() -> set[tuple[str, str]]:
    """(table, column) of the foreign keys seeded rows fill in; the others (accounts, merged records, who
    recorded a consent) stay empty, which costs nothing to check."""
    link = Consent.organizations.through
    fields = ((Person, "governorate"), (Person, "registered_by"), (Consent, "person"), (link, "consent"))
    return {(model._meta.db_table, _column(model, name)) for model, name in (*fields, (link, "organization"))}


def _pending_mark() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", [Person._meta.db_table])
        return cursor.fetchone()[0]


def _set_pending_mark(cursor: Any, text: str | None) -> None:
    # COMMENT takes a literal, not a parameter.
    literal = "NULL" if text is None else "'" + text.replace("'", "''") + "'"
    cursor.execute(f"COMMENT ON TABLE {connection.ops.quote_name(Person._meta.db_table)} IS {literal}")


def drop_for_bulk_load(now: dt.datetime) -> list[Deferred]:
    """Drop what a bulk load can leave out, in one transaction noted on the people table; [] if not possible."""
    if _pending_mark() is not None:
        return []  # a comment someone else wrote, or a restore still pending (done by the caller first)
    deferred = deferrable()
    if not deferred:
        return []
    pending = {"created_at": now.isoformat(), "deferred": [vars(d) for d in deferred]}
    with transaction.atomic(), connection.cursor() as cursor:
        for item in deferred:
            cursor.execute(item.drop())
        _set_pending_mark(cursor, _PENDING_MARK + json.dumps(pending))
    return deferred


def _create_if_missing(definition: str) -> str:
    for create in ("CREATE INDEX ", "CREATE UNIQUE INDEX "):
        if definition.startswith(create):
            return create + "IF NOT EXISTS " + definition.removeprefix(create)
    raise ValueError(definition)


def _constraint_state(cursor: Any, item: Deferred) -> bool | None:
    """None if the constraint is missing, else whether it is validated."""
    cursor.execute(
        "SELECT convalidated FROM pg_constraint WHERE conrelid = %s::regclass AND conname = %s",
        [item.table, item.name],
    )
    row = cursor.fetchone()
    return None if row is None else bool(row[0])


def _restore_unique(cursor: Any, item: Deferred, created_at: dt.datetime) -> int:
    """Build a unique index; returns the seeded numbers it had to leave out to do so."""
    if _constraint_state(cursor, item) is not None:
        return 0
    try:
        with transaction.atomic():
            cursor.execute(_create_if_missing(item.definition))
        return 0
    except IntegrityError:
        pass
    # Someone else wrote the same number while the constraint was away: as when seeding on top of existing
    # people (drop_taken_numbers), the seeded person goes without it (a new public id is drawn instead).
    column = connection.ops.quote_name(item.column)
    value = "gen_random_uuid()" if item.column == "public_id" else "NULL"
    with transaction.atomic():
        cursor.execute(
            f"UPDATE {item.table} p SET {column} = {value} "  # noqa: S608
            f"FROM (SELECT {column} AS v FROM {item.table} WHERE {column} IS NOT NULL "
            f"GROUP BY {column} HAVING count(*) > 1) AS taken "
            f"WHERE p.{column} = taken.v AND p.created_at = %s",
            [created_at],
        )
        left_out = cursor.rowcount
        cursor.execute(_create_if_missing(item.definition))
    return left_out


def _restore_one(item: Deferred, created_at: dt.datetime) -> int:
    """Build one index or unique index, or validate one foreign key; returns the seeded numbers left out."""
    with connection.cursor() as cursor:
        if item.kind == INDEX:
            cursor.execute(_create_if_missing(item.definition))
        elif item.kind == UNIQUE:
            return _restore_unique(cursor, item, created_at)
        elif not _constraint_state(cursor, item):
            cursor.execute(
                f"ALTER TABLE {item.table} VALIDATE CONSTRAINT {connection.ops.quote_name(item.name)}"
            )
    return 0


def _restore_order(item: Deferred) -> int:
    # The trigram (GIN) indexes take longest, so they start first. Validating a foreign key can run beside
    # index builds on other tables but not on its own, so those of the people table come last.
    if item.gin:
        return 0
    if item.kind == FOREIGN_KEY:
        return 3 if item.table == Person._meta.db_table else 1
    return 2


def restore_after_bulk_load(deferred: Sequence[Deferred], created_at: dt.datetime, jobs: int = 1) -> int:
    """Restore what ``drop_for_bulk_load`` dropped, on ``jobs`` connections in parallel, and remove the note.

    Foreign keys come back at once, checked for new rows, and are then validated for the loaded ones; unique
    constraints are built as indexes first (which, unlike adding the constraint, lets other index builds on
    the table run at the same time). Returns how many seeded numbers were left out because someone else
    registered them during the load.
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for item in deferred:
            if item.kind == FOREIGN_KEY and _constraint_state(cursor, item) is None:
                cursor.execute(
                    f"ALTER TABLE {item.table} ADD CONSTRAINT {quote(item.name)} {item.definition} NOT VALID"
                )
    work: queue.SimpleQueue[Deferred] = queue.SimpleQueue()
    for item in sorted(deferred, key=_restore_order):
        work.put(item)
    left_out: list[int] = []
    errors: list[BaseException] = []

    def restore() -> None:  # everything that can be restored is, whatever fails
        while True:
            try:
                item = work.get_nowait()
            except queue.Empty:
                return
            try:
                left_out.append(_restore_one(item, created_at))
            except BaseException as exc:
                errors.append(exc)

    def on_thread() -> None:
        try:
            restore()
        finally:
            connection.close()

    if jobs > 1 and not connection.in_atomic_block:
        threads = [threading.Thread(target=on_thread, daemon=True) for _ in range(jobs)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        restore()
    with connection.cursor() as cursor:
        for item in deferred:
            if (
                item.kind == UNIQUE
                and _constraint_state(cursor, item) is None
                and _index_exists(cursor, item)
            ):
                cursor.execute(
                    f"ALTER TABLE {item.table} ADD CONSTRAINT {quote(item.name)} UNIQUE USING INDEX {quote(item.name)}"
                )
        if errors:  # the note stays: the next run tries again
            raise errors[0]
        _set_pending_mark(cursor, None)
    return sum(left_out)


def _index_exists(cursor: Any, item: Deferred) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [connection.ops.quote_name(item.name)])
    return bool(cursor.fetchone()[0])


def restore_pending(jobs: int = 1) -> int:
    """Finish the restore of a bulk load that was killed before it could; returns the numbers left out."""
    mark = _pending_mark()
    if mark is None or not mark.startswith(_PENDING_MARK):
        return 0
    pending = json.loads(mark.removeprefix(_PENDING_MARK))
    deferred = [Deferred(**item) for item in pending["deferred"]]
    return restore_after_bulk_load(deferred, dt.datetime.fromisoformat(pending["created_at"]), jobs)


def analyze_seeded_tables() -> None:
    """Refresh the planner's statistics of the tables a run filled.

    ``search_name`` has a large statistics target (migration 0004), which makes ANALYZE sample 300,000
    rows; analyzing it on its own keeps the other columns at the default sample, several times faster.
    """
    quote = connection.ops.quote_name
    person = quote(Person._meta.db_table)
    others = [quote(f.column) for f in Person._meta.concrete_fields if f.column and f.column != "search_name"]
    tables: list[type[models.Model]] = [Consent, Consent.organizations.through, PersonSkill]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {person} ({', '.join(others)})")
        cursor.execute(f"ANALYZE {person} ({quote('search_name')})")
        cursor.execute("ANALYZE " + ", ".join(quote(t._meta.db_table) for t in tables))


# --- The run ---------------------------------------------------------------------------------------------


def partner_template(k: int) -> tuple[str, str, str, str]:
    """The k-th partner organization the seed creates: (slug, governorate code, English, Arabic name)."""
    if k < len(PARTNER_TEMPLATES):
        code, english, arabic = PARTNER_TEMPLATES[k]
    else:
        code = GOVERNORATE_CODES[k % len(GOVERNORATE_CODES)]
        english, arabic = f"Community Partner {k + 1}", f"الشريك المجتمعي {k + 1}"
    return f"seed-partner-{k + 1:03d}", code, english, arabic


def ensure_partner_organizations(count: int) -> list[Organization]:
    """At least ``count`` active partner organizations, creating the missing ones from a fixed list."""
    partners = list(Organization.objects.filter(kind=OrganizationKind.PARTNER, active=True).order_by("id"))
    governorates = dict(Governorate.objects.values_list("code", "id"))
    k = 0
    while len(partners) < count:
        slug, code, english, arabic = partner_template(k)
        k += 1
        organization, created = Organization.objects.get_or_create(
            slug=slug,
            defaults={
                "kind": OrganizationKind.PARTNER,
                "label_en": english,
                "label_ar": arabic,
                "governorate_id": governorates.get(code),
            },
        )
        if created:
            partners.append(organization)
    return partners[:count]


@dataclass
class SeedResult:
    """What a seeding run wrote and how long it took."""

    people: int
    seconds: float
    first_index: int
    seed: int
    organizations: list[int]
    consents: int = 0
    consent_organizations: int = 0
    skills: int = 0
    numbers_taken: int = 0
    skills_skipped: bool = False
    bulk_load: bool = False  # indexes and foreign keys were restored after the load (timed with it)

    @property
    def rate(self) -> float:
        """People written per second."""
        return self.people / self.seconds if self.seconds > 0 else 0.0


Progress = Callable[[int, int, float], None]


def build_plan(*, seed: int, organizations: Sequence[Organization], with_skills: bool) -> SeedPlan:
    """The tables a run draws from, read once from the database."""
    from maharat.core.geography import ensure_governorates

    governorates = dict(Governorate.objects.values_list("code", "id"))
    if any(code not in governorates for code in GOVERNORATE_CODES):
        ensure_governorates()
        governorates = dict(Governorate.objects.values_list("code", "id"))
    skills = list(Skill.objects.order_by("id").values_list("id", flat=True)) if with_skills else []
    return SeedPlan(
        seed=seed,
        reference_date=dt.date(timezone.localdate().year, 1, 1),
        governorate_ids=[governorates[code] for code in GOVERNORATE_CODES],
        organization_ids=[o.pk for o in organizations],
        organization_governorates=[o.governorate_id for o in organizations],
        skill_ids=skills,
    )


class ParallelWriter:
    """Writes batches on ``jobs`` threads, each with its own connection and one transaction per batch.

    PostgreSQL spends most of a batch maintaining indexes and checking foreign keys in one backend process;
    two connections use two cores, and the main thread draws the next batches meanwhile. Ids are reserved on
    the main thread before a batch is handed over, so they follow the person numbers whatever thread writes.
    """

    def __init__(self, writer: PostgresWriter, jobs: int, now: dt.datetime) -> None:
        self.writer = writer
        self.now = now
        self.inbox: queue.Queue[PeopleBlock | None] = queue.Queue(maxsize=jobs)
        self.outbox: queue.Queue[Written | BaseException] = queue.Queue()
        self.threads = [threading.Thread(target=self._work, daemon=True) for _ in range(jobs)]
        for thread in self.threads:
            thread.start()

    def _work(self) -> None:
        failed = False
        try:
            while (block := self.inbox.get()) is not None:
                if failed:
                    continue  # keep emptying the inbox so the main thread never waits forever
                try:
                    with transaction.atomic():
                        written = self.writer.write(block, self.now)
                except BaseException as exc:  # handed to the main thread, which raises it
                    failed = True
                    self.outbox.put(exc)
                else:  # reported once committed: deferred foreign-key checks can still fail the commit
                    self.outbox.put(written)
        finally:
            connection.close()

    def _collect(self) -> list[Written]:
        done: list[Written] = []
        while True:
            try:
                item = self.outbox.get_nowait()
            except queue.Empty:
                return done
            if isinstance(item, BaseException):
                raise item
            done.append(item)

    def submit(self, block: PeopleBlock) -> list[Written]:
        """Queue a batch (waiting while every thread is busy); returns the batches finished meanwhile."""
        self.inbox.put(block)
        return self._collect()

    def close(self) -> list[Written]:
        """Wait for the queued batches and stop the threads; returns the batches finished meanwhile."""
        for thread in self.threads:
            if thread.is_alive():
                self.inbox.put(None)
        for thread in self.threads:
            thread.join()
        self.threads = []
        return self._collect()


def seed_people(
    *,
    people: int,
    seed: int,
    batch: int = DEFAULT_BATCH,
    organizations: int = 10,
    with_skills: bool = True,
    jobs: int = 2,
    progress: Progress | None = None,
) -> SeedResult:
    """Add ``people`` synthetic people (deterministic for the seed), batch by batch; audited as one import.

    On PostgreSQL, outside any transaction, ``jobs`` connections write batches in parallel; otherwise
    (SQLite, or inside a transaction such as a test's) batches are written one after the other. A run of at
    least ``BULK_LOAD_MIN_PEOPLE`` into an empty registry on PostgreSQL (outside a transaction) restores
    indexes and foreign keys after the load instead of maintaining them during it (see *Bulk loads* above).
    """
    if people < 0 or seed < 0 or batch < 1 or organizations < 0 or jobs < 1:
        raise ValueError("people, seed and organizations must be ≥ 0; batch and jobs ≥ 1")
    started = time.perf_counter()
    with transaction.atomic():
        partners = ensure_partner_organizations(organizations)
    postgres = connection.vendor == "postgresql"
    taken_meanwhile = restore_pending(jobs) if postgres else 0
    offset = Person.objects.count()
    if offset + people > PHONE_SPACE:
        raise ValueError(f"at most {PHONE_SPACE:,} people fit the synthetic phone-number space")
    plan = build_plan(seed=seed, organizations=partners, with_skills=with_skills)
    writer: PostgresWriter | BulkCreateWriter = PostgresWriter() if postgres else BulkCreateWriter()
    result = SeedResult(
        people=0,
        seconds=0.0,
        first_index=offset,
        seed=seed,
        organizations=[o.pk for o in partners],
        skills_skipped=with_skills and not plan.skill_ids,
        numbers_taken=taken_meanwhile,
    )
    now = timezone.now()
    bulk = postgres and offset == 0 and people >= BULK_LOAD_MIN_PEOPLE and not connection.in_atomic_block
    deferred: list[Deferred] = []

    def account(done: list[Written], report: bool = True) -> None:
        # Count every committed batch before telling anyone: the progress callback may abandon the run.
        for written in done:
            result.people += written.people
            result.consents += written.consents
            result.consent_organizations += written.consent_organizations
            result.skills += written.skills
        if done and progress is not None and report:
            progress(result.people, people, time.perf_counter() - started)

    parallel = (
        ParallelWriter(writer, jobs, now)
        if isinstance(writer, PostgresWriter) and jobs > 1 and not connection.in_atomic_block
        else None
    )
    try:
        if bulk:
            deferred = drop_for_bulk_load(now)
            result.bulk_load = bool(deferred)
        for start in range(offset, offset + people, batch):
            block = generate_people(plan, start, min(start + batch, offset + people))
            if offset:
                result.numbers_taken += drop_taken_numbers(block)
            if parallel is not None:
                writer.reserve(block)
                account(parallel.submit(block))
            else:
                with transaction.atomic():
                    written = writer.write(block, now)
                account([written])
        if parallel is not None:
            account(parallel.close())
        if deferred:
            restoring, deferred = deferred, []
            result.numbers_taken += restore_after_bulk_load(restoring, now, jobs)
        if postgres and result.people:
            analyze_seeded_tables()
    finally:
        if parallel is not None and parallel.threads:
            account(_quietly(parallel.close), report=False)
        try:
            if deferred:  # the run failed or was interrupted during the load
                result.numbers_taken += restore_after_bulk_load(deferred, now, jobs)
        finally:
            result.seconds = time.perf_counter() - started
            if result.people:
                _audit(result, requested=people, batch=batch)
    return result


def _quietly(close: Callable[[], list[Written]]) -> list[Written]:
    """Batches that still finished while a run is being abandoned (their error is already on its way up)."""
    try:
        return close()
    except Exception:
        return []


def _audit(result: SeedResult, *, requested: int, batch: int) -> None:
    audit_record(
        actor=SEED_ACTOR,
        action=AuditAction.IMPORT,
        subject_type="people.person",
        fields=PERSON_FIELDS,
        reason="synthetic people for demos and benchmarks (seed command)",
        detail={
            "seed": result.seed,
            "requested": requested,
            "people": result.people,
            "first_index": result.first_index,
            "batch": batch,
            "organizations": result.organizations,
            "consents": result.consents,
            "consent_organizations": result.consent_organizations,
            "skills": result.skills,
            "numbers_taken": result.numbers_taken,
            "seconds": round(result.seconds, 3),
            "complete": result.people == requested,
            "bulk_load": result.bulk_load,
        },
    )
