"""The safeguarding screen on crafted offers, in Arabic and English."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from maharat.opportunities import safeguarding as sg
from maharat.opportunities.choices import OpportunityKind, WagePeriod

MINIMUM = Decimal("290")


def codes(text: str, **kwargs: object) -> list[str]:
    offer = sg.Offer(kind=kwargs.pop("kind", OpportunityKind.JOB_FULL_TIME), text=text, **kwargs)  # type: ignore[arg-type]
    return [flag.code for flag in sg.screen(offer, minimum_wage_monthly=MINIMUM)]


class SafeguardingScreenTests:
    def test_clean_offer_has_no_flags(self) -> None:
        assert codes("Sewing machine operator in Zarqa, 48 hours a week.", wage_amount=Decimal("310")) == []
        assert codes("مشغل ماكينة خياطة في الزرقاء براتب شهري") == []

    @pytest.mark.parametrize(
        "text",
        [
            "Candidates pay a recruitment fee of 50 JOD.",
            "A registration fee applies before the interview.",
            "يدفع المتقدم رسوم تسجيل 30 دينارًا",
            "رسوم التوظيف 50 دينار تدفع مقدمًا",
        ],
    )
    def test_recruitment_fees(self, text: str) -> None:
        assert sg.RECRUITMENT_FEE in codes(text)

    @pytest.mark.parametrize(
        "text",
        [
            "The company keeps your passport during the contract.",
            "Workers must surrender their passports on arrival.",
            "سنحتفظ بجواز سفرك طوال مدة العقد",
            "يتم الاحتفاظ بالجوازات لدى الإدارة",
        ],
    )
    def test_document_retention(self, text: str) -> None:
        assert sg.DOCUMENT_RETENTION in codes(text)

    @pytest.mark.parametrize(
        "text",
        [
            "Two weeks unpaid trial before the contract.",
            "A trial period of one month without pay.",
            "فترة تجريبية لمدة أسبوعين بدون أجر",
        ],
    )
    def test_unpaid_trial(self, text: str) -> None:
        assert sg.UNPAID_TRIAL in codes(text)

    @pytest.mark.parametrize(
        "text",
        ["Work abroad in Europe, visa guaranteed!", "فرصة عمل في الخارج مع فيزا مضمونة وراتب مرتفع"],
    )
    def test_vague_work_abroad(self, text: str) -> None:
        assert sg.VAGUE_ABROAD in codes(text)

    def test_remote_work_for_a_client_abroad_is_not_vague(self) -> None:
        assert codes("Data entry for a client abroad", kind=OpportunityKind.GIG, remote=True) == []
        assert sg.VAGUE_ABROAD in codes(
            "Client abroad, visa guaranteed", kind=OpportunityKind.GIG, remote=True
        )

    def test_wage_below_minimum(self) -> None:
        assert codes("Packer", wage_amount=Decimal("200")) == [sg.BELOW_MINIMUM_WAGE]
        assert codes("Packer", wage_amount=Decimal("290")) == []
        assert codes(
            "Packer", wage_amount=Decimal("1.2"), wage_period=WagePeriod.HOUR, hours_per_week=48
        ) == [sg.BELOW_MINIMUM_WAGE]
        assert codes("Packer", wage_amount=Decimal("12"), wage_period=WagePeriod.DAY) == []
        assert codes("Packer", wage_amount=Decimal("60"), wage_period=WagePeriod.WEEK) == [
            sg.BELOW_MINIMUM_WAGE
        ]

    def test_part_time_minimum_is_prorated(self) -> None:
        kind = OpportunityKind.JOB_PART_TIME
        assert codes("Presser", kind=kind, wage_amount=Decimal("150"), hours_per_week=24) == []
        assert codes("Presser", kind=kind, wage_amount=Decimal("140"), hours_per_week=24) == [
            sg.BELOW_MINIMUM_WAGE
        ]

    def test_training_stipends_and_task_pay_are_not_held_to_the_minimum(self) -> None:
        assert codes("Trainee", kind=OpportunityKind.PLACEMENT, wage_amount=Decimal("100")) == []
        assert codes("Logo", wage_amount=Decimal("20"), wage_period=WagePeriod.TASK) == []

    def test_unverified_employer(self) -> None:
        assert codes("Packer", employer_verified=False) == [sg.UNVERIFIED_EMPLOYER]

    def test_reasons_are_localized(self) -> None:
        flag = sg.Flag(sg.BELOW_MINIMUM_WAGE, {"monthly": "200.00", "minimum": "290.00"})
        assert flag.reason == "The wage (about 200.00 JOD a month) is below the minimum wage (290.00 JOD)."
        assert flag.as_json() == {"code": sg.BELOW_MINIMUM_WAGE, "monthly": "200.00", "minimum": "290.00"}
        for code in sg.CODES:
            assert sg.flag_reason(code)
        assert sg.flag_reason("unknown") == "unknown"
        with translation.override("ar"):
            assert sg.flag_reason(sg.RECRUITMENT_FEE)
