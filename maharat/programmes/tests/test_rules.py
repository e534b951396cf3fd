"""Eligibility and priority of applicants, configured per call, explained in the reader's language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import translation

from maharat.core.models import Governorate
from maharat.core.testing import Personas
from maharat.people.choices import EmploymentStatus, LegalStatus, Sex
from maharat.programmes.choices import Criterion, DisabilityRule, Group, PreviousParticipation, QuestionKind
from maharat.programmes.models import Call, Cohort, Enrolment, PriorityCriterion
from maharat.programmes.rules import CallRules, age_on, describe_points, describe_reason, person_groups
from maharat.programmes.tests.factories import add_question, applicant


def failed_codes(evaluation: object) -> list[str]:
    return [r["code"] for r in evaluation.reasons if not r["ok"]]  # type: ignore[attr-defined]


class GroupTests:
    def test_amal_is_a_refugee_woman_heading_her_household(self, personas: Personas) -> None:
        groups = person_groups(personas.amal, dt.date(2026, 11, 23))
        assert {Group.WOMEN, Group.REFUGEES, Group.FEMALE_HEADED} <= groups
        assert Group.YOUTH not in groups  # 32 years old

    def test_hassan_is_a_migrant_with_a_disability(self, personas: Personas) -> None:
        groups = person_groups(personas.hassan, dt.date(2026, 11, 23))
        assert {Group.MEN, Group.MIGRANTS, Group.DISABILITY} <= groups
        assert Group.REFUGEES not in groups

    def test_unemployed_youth_needs_both(self, personas: Personas) -> None:
        young = applicant(personas, employment_status=EmploymentStatus.UNEMPLOYED)
        groups = person_groups(young, dt.date.today())
        assert {Group.YOUTH, Group.UNEMPLOYED, Group.UNEMPLOYED_YOUTH, Group.HOST} <= groups

    def test_age_counts_completed_years(self) -> None:
        assert age_on(dt.date(2000, 6, 15), dt.date(2026, 6, 14)) == 25
        assert age_on(dt.date(2000, 6, 15), dt.date(2026, 6, 15)) == 26


class EligibilityTests:
    def test_everyone_is_eligible_without_rules(self, personas: Personas, call: Call) -> None:
        result = CallRules(call).evaluate(personas.amal, {}, set())
        assert result.eligible and result.reasons == []

    def test_age_sex_status_and_governorate_rules_say_which_failed(
        self, personas: Personas, call: Call
    ) -> None:
        call.min_age, call.max_age = 18, 30
        call.sexes = [Sex.FEMALE]
        call.legal_statuses = [LegalStatus.REFUGEE, LegalStatus.JORDANIAN]
        call.save()
        call.eligible_governorates.set(Governorate.objects.filter(code__in=["MA", "IR"]))
        rules = CallRules(call)
        hassan = rules.evaluate(personas.hassan, {}, set())
        assert not hassan.eligible
        assert set(failed_codes(hassan)) == {"max_age", "sex", "legal_status", "governorate"}
        amal = rules.evaluate(personas.amal, {}, set())
        assert failed_codes(amal) == ["max_age"]

    def test_disability_only_call(self, personas: Personas, call: Call) -> None:
        call.disability = DisabilityRule.ONLY
        call.save()
        rules = CallRules(call)
        assert rules.evaluate(personas.hassan, {}, set()).eligible
        assert failed_codes(rules.evaluate(personas.amal, {}, set())) == ["disability"]

    def test_previous_participation_in_this_or_any_programme(self, personas: Personas, call: Call) -> None:
        call.previous_participation = PreviousParticipation.NOT_THIS
        call.save()
        cohort = Cohort.objects.create(programme=call.programme, call=call, label_en="c", label_ar="c")
        Enrolment.objects.create(cohort=cohort, person=personas.amal)
        rules = CallRules(call)
        assert failed_codes(rules.evaluate(personas.amal, {}, {call.programme_id})) == ["previous_this"]
        assert rules.evaluate(personas.amal, {}, {call.programme_id + 1}).eligible
        call.previous_participation = PreviousParticipation.NOT_ANY
        assert failed_codes(CallRules(call).evaluate(personas.amal, {}, {call.programme_id + 1})) == [
            "previous_any"
        ]

    def test_questions_decide_by_answer_and_by_range(self, personas: Personas, call: Call) -> None:
        add_question(call, "income", QuestionKind.NUMBER, max_value=Decimal("400"))
        add_question(call, "device", QuestionKind.YES_NO, eligible_answers=["yes"])
        add_question(call, "note", QuestionKind.TEXT, required=False)
        rules = CallRules(call)
        assert rules.evaluate(personas.amal, {"income": "300", "device": "yes"}, set()).eligible
        poor = rules.evaluate(personas.amal, {"income": "500", "device": "no"}, set())
        assert set(failed_codes(poor)) == {"answer_range", "answer"}
        assert failed_codes(rules.evaluate(personas.amal, {"device": "yes"}, set())) == ["answer_missing"]


class PriorityTests:
    def test_points_add_up_with_a_breakdown(self, personas: Personas, call: Call) -> None:
        income = add_question(call, "income")
        for criterion, value in (
            (Criterion.FEMALE_HEADED, "3"),
            (Criterion.REFUGEE, "2"),
            (Criterion.DISABILITY, "2"),
        ):
            PriorityCriterion.objects.create(call=call, criterion=criterion, points=Decimal(value))
        PriorityCriterion.objects.create(
            call=call,
            criterion=Criterion.BELOW,
            points=Decimal("1.5"),
            question=income,
            threshold=Decimal("250"),
        )
        rules = CallRules(call)
        amal = rules.evaluate(personas.amal, {"income": "200"}, set())
        assert amal.score == Decimal("6.5")
        assert [item["criterion"] for item in amal.breakdown] == ["female_headed", "refugee", "below"]
        hassan = rules.evaluate(personas.hassan, {"income": "900"}, set())
        assert hassan.score == Decimal("2")

    def test_answer_and_nearness_criteria(self, personas: Personas, call: Call) -> None:
        device = add_question(call, "device", QuestionKind.YES_NO)
        PriorityCriterion.objects.create(
            call=call, criterion=Criterion.ANSWER, points=Decimal("1"), question=device, answers=["no"]
        )
        PriorityCriterion.objects.create(call=call, criterion=Criterion.NEAR, points=Decimal("2"))
        call.programme.governorates.set(Governorate.objects.filter(code="MA"))
        rules = CallRules(call)
        assert rules.evaluate(personas.amal, {"device": "no"}, set()).score == Decimal("3")
        assert rules.evaluate(personas.omar, {"device": "yes"}, set()).score == Decimal("0")


class ExplanationTests:
    def test_reasons_read_in_english_and_arabic(self, personas: Personas, call: Call) -> None:
        call.min_age = 40
        call.save()
        reason = CallRules(call).evaluate(personas.amal, {}, set()).reasons[0]
        assert describe_reason(reason, call) == "You must be at least 40 years old; you are 32."
        with translation.override("ar"):
            arabic = describe_reason(reason, call)
        assert "40" in arabic and "32" in arabic and "You must" not in arabic

    def test_points_read_in_plain_words(self, personas: Personas, call: Call) -> None:
        item = {"criterion": "female_headed", "points": "3.00", "question": ""}
        assert describe_points(item, call) == "Female-headed household: +3 points"
        with translation.override("ar"):
            assert "+3" in describe_points(item, call)

    def test_question_reasons_name_the_question(self, personas: Personas, call: Call) -> None:
        add_question(call, "device", QuestionKind.YES_NO, eligible_answers=["yes"])
        reason = CallRules(call).evaluate(personas.amal, {"device": "no"}, set()).reasons[0]
        assert "Question device" in describe_reason(reason, call)
        with translation.override("ar"):
            assert "سؤال device" in describe_reason(reason, call)


class PointsWordingTests:
    def test_thresholds_and_answers_are_named_with_their_question(
        self, personas: Personas, call: Call
    ) -> None:
        income = add_question(call, "income")
        device = add_question(call, "device", QuestionKind.YES_NO)
        PriorityCriterion.objects.create(
            call=call,
            criterion=Criterion.BELOW,
            points=Decimal("1"),
            question=income,
            threshold=Decimal("250"),
        )
        PriorityCriterion.objects.create(
            call=call, criterion=Criterion.ANSWER, points=Decimal("2"), question=device, answers=["no"]
        )
        result = CallRules(call).evaluate(personas.amal, {"income": "100", "device": "no"}, set())
        lines = [describe_points(item, call) for item in result.breakdown]
        assert lines == [
            "Question income at most 250: +1 points",
            "Your answer to “Question device”: +2 points",
        ]
