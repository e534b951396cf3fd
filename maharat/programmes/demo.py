"""The demo programme "Digital skills for East Amman": an open call with rules, quotas and applicants.

A new user logs in as the programme officer of the Livelihoods Agency, opens the call and runs the
selection from the staff pages; Amal (the beneficiary persona) can apply herself.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from maharat.core.models import Governorate
from maharat.people.choices import ConsentPurpose, OrganizationKind
from maharat.people.models import Organization, Person, valid_consent_q
from maharat.programmes.choices import (
    ApplyChannel,
    CallStatus,
    CapAttribute,
    Component,
    Criterion,
    Group,
    QuestionKind,
)
from maharat.programmes.models import Call, Cap, PriorityCriterion, Programme, Question, Quota
from maharat.programmes.services import application_submit

PROGRAMME_SLUG = "digital-east-amman"
CALL_CODE = "DSEA"


def _donor() -> Organization:
    donor, _ = Organization.objects.get_or_create(
        slug="livelihoods-fund",
        defaults={
            "kind": OrganizationKind.DONOR,
            "label_en": "Inclusive Livelihoods Fund",
            "label_ar": "صندوق سبل العيش الشاملة",
        },
    )
    return donor


def _call(programme: Programme, today: dt.date) -> Call:
    governorates = Governorate.objects.filter(code__in=["AM", "ZA", "MA", "BA"])
    call = Call.objects.create(
        programme=programme,
        code=CALL_CODE,
        label_en="Digital skills for East Amman — 2027 intake",
        label_ar="المهارات الرقمية لشرق عمّان — دفعة 2027",
        description_en=(
            "Twelve weeks of digital literacy, office software and freelancing, mostly online with weekly "
            "workshops in Marka. Laptops are lent to those without one."
        ),
        description_ar=(
            "اثنا عشر أسبوعًا من المهارات الرقمية والبرامج المكتبية والعمل الحر، معظمها عن بُعد مع ورشة "
            "أسبوعية في ماركا. تُعار أجهزة محمولة لمن لا يملكها."
        ),
        status=CallStatus.PUBLISHED,
        opens_on=today - dt.timedelta(days=14),
        closes_on=today + dt.timedelta(days=30),
        seats=60,
        channels=[ApplyChannel.WEB, ApplyChannel.STAFF, ApplyChannel.IMPORT, ApplyChannel.SMS],
        min_age=18,
        max_age=40,
    )
    call.eligible_governorates.set(governorates)
    income = Question.objects.create(
        call=call,
        code="income",
        label_en="Monthly household income (JOD)",
        label_ar="دخل الأسرة الشهري (بالدينار)",
        kind=QuestionKind.NUMBER,
        required=True,
        position=1,
    )
    Question.objects.create(
        call=call,
        code="device",
        label_en="Do you have a smartphone or a computer?",
        label_ar="هل لديك هاتف ذكي أو حاسوب؟",
        kind=QuestionKind.YES_NO,
        required=True,
        position=2,
    )
    Question.objects.create(
        call=call,
        code="weekly_hours",
        label_en="How many hours a week can you study?",
        label_ar="كم ساعة في الأسبوع يمكنك أن تدرس؟",
        kind=QuestionKind.CHOICE,
        options=[
            ["lt5", "Less than 5", "أقل من 5"],
            ["5to10", "5 to 10", "من 5 إلى 10"],
            ["gt10", "More than 10", "أكثر من 10"],
        ],
        eligible_answers=["5to10", "gt10"],
        required=True,
        position=3,
    )
    criteria = [
        (Criterion.FEMALE_HEADED, "3", None, None),
        (Criterion.REFUGEE, "2", None, None),
        (Criterion.UNEMPLOYED_YOUTH, "2", None, None),
        (Criterion.DISABILITY, "2", None, None),
        (Criterion.NEAR, "1", None, None),
        (Criterion.BELOW, "1", income, Decimal("250")),
    ]
    for criterion, points, question, threshold in criteria:
        PriorityCriterion.objects.create(
            call=call, criterion=criterion, points=Decimal(points), question=question, threshold=threshold
        )
    for group, share in ((Group.WOMEN, "0.500"), (Group.REFUGEES, "0.250"), (Group.DISABILITY, "0.070")):
        Quota.objects.create(call=call, group=group, min_share=Decimal(share))
    Cap.objects.create(call=call, attribute=CapAttribute.GOVERNORATE, max_share=Decimal("0.500"))
    return call


def _answers(rng: random.Random) -> dict[str, Any]:
    return {
        "income": str(rng.choice([120, 180, 220, 260, 300, 350, 420, 500])),
        "device": rng.choice(["yes", "yes", "no"]),
        "weekly_hours": rng.choice(["lt5", "5to10", "5to10", "gt10", "gt10"]),
    }


@transaction.atomic
def demo_programme(*, officer: Any, owner: Organization, applicants: int = 240, seed: int = 2026) -> Call:
    """Create the demo programme, its open call and applications from seeded people (idempotent)."""
    existing = Call.objects.filter(code=CALL_CODE).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    programme = Programme.objects.create(
        owner=owner,
        donor=_donor(),
        slug=PROGRAMME_SLUG,
        label_en="Digital skills for East Amman",
        label_ar="المهارات الرقمية لشرق عمّان",
        description_en="Digital skills, freelancing and job placement for refugees and host-community youth.",
        description_ar="مهارات رقمية وعمل حر وتشغيل للاجئين وشباب المجتمع المضيف.",
        starts_on=today + dt.timedelta(days=45),
        ends_on=today + dt.timedelta(days=45 + 365),
        target_groups=[Group.WOMEN, Group.REFUGEES, Group.DISABILITY, Group.UNEMPLOYED_YOUTH],
        components=[Component.TRAINING, Component.MENTORSHIP, Component.PLACEMENTS],
    )
    programme.governorates.set(Governorate.objects.filter(code__in=["AM", "ZA"]))
    call = _call(programme, today)
    rng = random.Random(seed)
    people = list(
        Person.objects.active()
        .filter(user__isnull=True, consents__in=_registration_consents())
        .distinct()
        .order_by("pk")[: applicants * 2]
    )
    rng.shuffle(people)
    for person in people[:applicants]:
        application_submit(
            actor=officer,
            call=call,
            person=person,
            channel=ApplyChannel.IMPORT,
            answers=_answers(rng),
            organization=owner,
        )
    return call


def _registration_consents() -> Any:
    from maharat.people.models import Consent

    return Consent.objects.filter(valid_consent_q(ConsentPurpose.REGISTRATION))
