"""Eligibility, priority and group membership of an applicant, computed from a call's configuration.

Results are stored as codes with parameters, never as sentences, so that each reader gets them in
their own language: ``describe_reason`` and ``describe_points`` turn them into words when shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from maharat.people.choices import EducationLevel, EmploymentStatus, LegalStatus, Sex
from maharat.people.models import Person
from maharat.programmes.choices import (
    Criterion,
    DisabilityRule,
    Group,
    PreviousParticipation,
    QuestionKind,
)
from maharat.programmes.models import Call, PriorityCriterion, Question

YOUTH_MIN_AGE = 15
REFUGEE_STATUSES = frozenset({LegalStatus.REFUGEE, LegalStatus.ASYLUM_SEEKER})


def age_on(born: dt.date, day: dt.date) -> int:
    """Completed years of age on a day."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def is_youth(age: int) -> bool:
    """Youth as the settings define it (15 to ``YOUTH_MAX_AGE``)."""
    return YOUTH_MIN_AGE <= age <= settings.YOUTH_MAX_AGE


def person_groups(person: Person, day: dt.date) -> frozenset[str]:
    """The quota and report groups a person belongs to on a day."""
    age = age_on(person.date_of_birth, day)
    youth = is_youth(age)
    unemployed = person.employment_status == EmploymentStatus.UNEMPLOYED
    groups = {Group.WOMEN if person.sex == Sex.FEMALE else Group.MEN}
    if person.legal_status in REFUGEE_STATUSES:
        groups.add(Group.REFUGEES)
    elif person.legal_status == LegalStatus.JORDANIAN:
        groups.add(Group.HOST)
    elif person.legal_status == LegalStatus.MIGRANT_WORKER:
        groups.add(Group.MIGRANTS)
    if person.has_disability:
        groups.add(Group.DISABILITY)
    if youth:
        groups.add(Group.YOUTH)
    if person.female_headed_household:
        groups.add(Group.FEMALE_HEADED)
    if unemployed:
        groups.add(Group.UNEMPLOYED)
    if unemployed and youth:
        groups.add(Group.UNEMPLOYED_YOUTH)
    return frozenset(str(g) for g in groups)


@dataclass(frozen=True)
class Reason:
    """One eligibility check: its code, whether it passed, and the values needed to explain it."""

    code: str
    ok: bool
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "ok": self.ok, "params": dict(self.params)}


@dataclass(frozen=True)
class Evaluation:
    """Eligibility with its reasons, and the priority score with its breakdown."""

    eligible: bool
    reasons: list[dict[str, Any]]
    score: Decimal
    breakdown: list[dict[str, Any]]


class CallRules:
    """A call's configuration loaded once, to evaluate many applicants without a query each."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.day = call.closes_on
        self.questions: dict[str, Question] = {q.code: q for q in call.questions.all()}
        self.criteria: list[PriorityCriterion] = list(call.criteria.select_related("question"))
        self.governorates = {g.pk: g.code for g in call.eligible_governorates.all()}
        self.near = set(call.programme.governorates.values_list("pk", flat=True))

    def evaluate(
        self, person: Person, answers: Mapping[str, Any], enrolled_programmes: Collection[int]
    ) -> Evaluation:
        """Whether the person is eligible (and why), and their priority score with its breakdown."""
        reasons = self._eligibility(person, answers, enrolled_programmes)
        eligible = all(r.ok for r in reasons)
        breakdown = self._priority(person, answers)
        score = sum((Decimal(item["points"]) for item in breakdown), Decimal("0"))
        return Evaluation(eligible, [r.as_dict() for r in reasons], score, breakdown)

    def _eligibility(
        self, person: Person, answers: Mapping[str, Any], enrolled_programmes: Collection[int]
    ) -> list[Reason]:
        call = self.call
        checks: list[Reason] = []
        age = age_on(person.date_of_birth, self.day)
        if call.min_age is not None:
            checks.append(Reason("min_age", age >= call.min_age, {"age": age, "limit": call.min_age}))
        if call.max_age is not None:
            checks.append(Reason("max_age", age <= call.max_age, {"age": age, "limit": call.max_age}))
        for code, allowed, value in (
            ("sex", call.sexes, person.sex),
            ("legal_status", call.legal_statuses, person.legal_status),
            ("education", call.education_levels, person.education_level),
            ("employment", call.employment_statuses, person.employment_status),
        ):
            if allowed:
                checks.append(Reason(code, value in allowed, {"value": value, "allowed": list(allowed)}))
        if self.governorates:
            checks.append(
                Reason(
                    "governorate",
                    person.governorate_id in self.governorates,
                    {"allowed": sorted(self.governorates.values())},
                )
            )
        if call.disability == DisabilityRule.ONLY:
            checks.append(Reason("disability", person.has_disability))
        if call.previous_participation == PreviousParticipation.NOT_THIS:
            checks.append(Reason("previous_this", call.programme_id not in enrolled_programmes))
        elif call.previous_participation == PreviousParticipation.NOT_ANY:
            others = set(enrolled_programmes)
            checks.append(Reason("previous_any", not others))
        for question in self.questions.values():
            checks.extend(self._question_checks(question, answers.get(question.code)))
        return checks

    def _question_checks(self, question: Question, answer: Any) -> list[Reason]:
        params = {"question": question.code}
        if answer in (None, ""):
            return [Reason("answer_missing", False, params)] if question.required else []
        if question.kind == QuestionKind.NUMBER:
            number = to_decimal(answer)
            low, high = question.min_value, question.max_value
            if low is None and high is None:
                return []
            ok = number is not None and (low is None or number >= low) and (high is None or number <= high)
            return [
                Reason(
                    "answer_range", ok, {**params, "min": _num(low), "max": _num(high), "answer": str(answer)}
                )
            ]
        if question.eligible_answers:
            return [
                Reason("answer", str(answer) in question.eligible_answers, {**params, "answer": str(answer)})
            ]
        return []

    def _priority(self, person: Person, answers: Mapping[str, Any]) -> list[dict[str, Any]]:
        groups = person_groups(person, self.day)
        earned: list[dict[str, Any]] = []
        for item in self.criteria:
            if self._meets(item, person, groups, answers):
                earned.append(
                    {
                        "id": item.pk,
                        "criterion": item.criterion,
                        "points": str(item.points),
                        "question": item.question.code if item.question else "",
                        "threshold": _num(item.threshold) if item.criterion == Criterion.BELOW else None,
                    }
                )
        return earned

    def _meets(
        self, item: PriorityCriterion, person: Person, groups: frozenset[str], answers: Mapping[str, Any]
    ) -> bool:
        simple = {
            Criterion.FEMALE_HEADED: Group.FEMALE_HEADED,
            Criterion.REFUGEE: Group.REFUGEES,
            Criterion.UNEMPLOYED_YOUTH: Group.UNEMPLOYED_YOUTH,
            Criterion.DISABILITY: Group.DISABILITY,
            Criterion.WOMAN: Group.WOMEN,
            Criterion.UNEMPLOYED: Group.UNEMPLOYED,
        }
        if item.criterion in simple:
            return str(simple[Criterion(item.criterion)]) in groups
        if item.criterion == Criterion.NEAR:
            return person.governorate_id in self.near
        if item.question is None:
            return False
        answer = answers.get(item.question.code)
        if answer in (None, ""):
            return False
        if item.criterion == Criterion.ANSWER:
            return str(answer) in [str(a) for a in item.answers]
        number = to_decimal(answer)
        return number is not None and item.threshold is not None and number <= item.threshold


def to_decimal(value: Any) -> Decimal | None:
    """A number from an answer, or None when it is not one."""
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _num(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def _labels(choices: Any, values: Collection[str]) -> str:
    lookup = dict(choices.choices)
    return (
        "، ".join(str(lookup.get(v, v)) for v in values)
        if _arabic()
        else ", ".join(str(lookup.get(v, v)) for v in values)
    )


def _arabic() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "ar").startswith("ar")


def _question_label(call: Call | None, code: str) -> str:
    if call is None:
        return code
    for question in call.questions.all():
        if question.code == code:
            return question.label
    return code


def describe_reason(reason: Mapping[str, Any], call: Call | None = None) -> str:
    """One eligibility check in plain words, in the active language."""
    from maharat.core.models import Governorate

    code, ok, p = reason["code"], reason["ok"], reason.get("params", {})
    if code == "min_age":
        if ok:
            return _("Age %(age)s: at least %(limit)s, as required.") % p
        return _("You must be at least %(limit)s years old; you are %(age)s.") % p
    if code == "max_age":
        if ok:
            return _("Age %(age)s: at most %(limit)s, as required.") % p
        return _("You must be at most %(limit)s years old; you are %(age)s.") % p
    kinds = {
        "sex": (Sex, _("This call is for: %(allowed)s.")),
        "legal_status": (LegalStatus, _("This call is for these legal statuses: %(allowed)s.")),
        "education": (EducationLevel, _("This call is for these education levels: %(allowed)s.")),
        "employment": (EmploymentStatus, _("This call is for people who are: %(allowed)s.")),
    }
    if code in kinds:
        choices, text = kinds[code]
        allowed = _labels(choices, p.get("allowed", []))
        if ok:
            return _("Meets the requirement: %(allowed)s.") % {"allowed": allowed}
        return text % {"allowed": allowed}
    if code == "governorate":
        names = Governorate.objects.filter(code__in=p.get("allowed", []))
        allowed = ("، " if _arabic() else ", ").join(g.label for g in names)
        if ok:
            return _("Lives in one of the governorates of this call.")
        return _("This call is for people living in: %(allowed)s.") % {"allowed": allowed}
    if code == "disability":
        return (
            _("This call is for persons with disabilities.") if not ok else _("A person with a disability.")
        )
    if code == "previous_this":
        return (
            _("Not enrolled in this programme before.")
            if ok
            else _("You already took part in this programme; this call is for new participants.")
        )
    if code == "previous_any":
        return (
            _("Not enrolled in another programme before.")
            if ok
            else _("You already took part in a programme; this call is for people who have not.")
        )
    question = _question_label(call, str(p.get("question", "")))
    if code == "answer_missing":
        return _("The question “%(question)s” needs an answer.") % {"question": question}
    if code == "answer_range":
        values = {"question": question, "min": p.get("min") or "—", "max": p.get("max") or "—"}
        if ok:
            return _("“%(question)s”: the answer is in the required range.") % values
        return _("“%(question)s”: the answer must be between %(min)s and %(max)s.") % values
    if code == "answer":
        if ok:
            return _("“%(question)s”: the answer meets the requirement.") % {"question": question}
        return _("“%(question)s”: this answer does not meet the requirement of the call.") % {
            "question": question
        }
    return str(code)


def describe_points(item: Mapping[str, Any], call: Call | None = None) -> str:
    """One line of the priority breakdown in plain words: what earned how many points."""
    points = f"{Decimal(str(item['points'])).normalize():f}"
    question = _question_label(call, item["question"]) if item.get("question") else ""
    if item["criterion"] == Criterion.BELOW and question:
        return _("%(question)s at most %(threshold)s: +%(points)s points") % {
            "question": question,
            "threshold": item.get("threshold") or "—",
            "points": points,
        }
    if item["criterion"] == Criterion.ANSWER and question:
        return _("Your answer to “%(question)s”: +%(points)s points") % {
            "question": question,
            "points": points,
        }
    label = str(Criterion(item["criterion"]).label)
    return _("%(criterion)s: +%(points)s points") % {"criterion": label, "points": points}
