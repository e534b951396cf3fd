"""Test data for learning: a published course of the training-provider persona with a lesson, a quiz and a workshop."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from maharat.core.testing import Personas
from maharat.learning.authoring import question_add
from maharat.learning.choices import DeliveryMode, ModuleKind, QuestionKind, Track
from maharat.learning.models import Course, Module
from maharat.skills.models import Skill, SkillGroup


@dataclass
class CourseKit:
    """A course with its lesson, quiz (two questions) and workshop, and the right answers."""

    course: Course
    lesson: Module
    quiz: Module
    workshop: Module
    right: dict[int, list[int]]
    wrong: dict[int, list[int]]


def skill(
    code: str = "digital-email", label_en: str = "Using e-mail", label_ar: str = "استخدام البريد الإلكتروني"
) -> Skill:
    """A curated skill (created when the taxonomy is not loaded in tests)."""
    item, _ = Skill.objects.get_or_create(
        code=code,
        defaults={"label_en": label_en, "label_ar": label_ar, "group": SkillGroup.DIGITAL, "curated": True},
    )
    return item


def make_course(personas: Personas, *, published: bool = True, **fields: Any) -> CourseKit:
    """A blended digital-literacy course by Code Academy, open to self-enrolment, 75% attendance needed."""
    values: dict[str, Any] = {
        "provider": personas.training_org,
        "label_en": "Digital literacy basics",
        "label_ar": "أساسيات المهارات الرقمية",
        "track": Track.DIGITAL_LITERACY,
        "delivery_mode": DeliveryMode.BLENDED,
        "duration_hours": 6,
        "self_enrolment": True,
        "published": published,
    }
    values.update(fields)
    course = Course.objects.create(**values)
    course.skills_taught.add(skill())
    lesson = Module.objects.create(
        course=course,
        position=1,
        kind=ModuleKind.LESSON,
        label_en="Your first e-mail",
        label_ar="بريدك الإلكتروني الأول",
        body_en="# Sending e-mail\n\nWrite **to**, *subject* and text.",
        body_ar="# إرسال البريد\n\nاكتب **المرسل إليه** و*الموضوع* والنص.",
    )
    quiz = Module.objects.create(
        course=course,
        position=2,
        kind=ModuleKind.QUIZ,
        label_en="Check yourself",
        label_ar="اختبر نفسك",
        pass_mark=60,
    )
    quiz.prerequisites.add(lesson)
    q1 = question_add(
        actor=personas.trainer,
        module=quiz,
        text_en="Which field holds the address?",
        text_ar="أي حقل يحمل العنوان؟",
        choices=[("To", "إلى", True), ("Subject", "الموضوع", False)],
    )
    q2 = question_add(
        actor=personas.trainer,
        module=quiz,
        text_en="Which are e-mail services?",
        text_ar="أيها خدمات بريد؟",
        kind=QuestionKind.MULTIPLE,
        choices=[("Gmail", "جيميل", True), ("Outlook", "أوتلوك", True), ("Excel", "إكسل", False)],
    )
    workshop = Module.objects.create(
        course=course,
        position=3,
        kind=ModuleKind.WORKSHOP,
        label_en="Live practice",
        label_ar="تدريب مباشر",
        starts_at=timezone.now() + dt.timedelta(days=3),
        meeting_url="https://meet.example.org/abc",
    )
    right, wrong = {}, {}
    for question in (q1, q2):
        choices = list(question.choices.all())
        right[question.pk] = [c.pk for c in choices if c.correct]
        wrong[question.pk] = [next(c.pk for c in choices if not c.correct)]
    return CourseKit(course, lesson, quiz, workshop, right, wrong)
