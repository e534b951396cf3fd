"""Writes of course authors: save a course, a module with its prerequisites, and quiz questions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from maharat.core.errors import DomainError
from maharat.learning.choices import ModuleKind, QuestionKind
from maharat.learning.models import Choice, Course, Module, Question
from maharat.people.choices import OrganizationKind
from maharat.programmes.models import Programme
from maharat.skills.models import Skill


@transaction.atomic
def course_save(
    *,
    actor: Any,
    course: Course,
    skills_taught: Iterable[Skill] = (),
    skills_required: Iterable[Skill] = (),
) -> Course:
    """Create or change a course offered by a training provider or by an organization that runs a programme."""
    provider = course.provider
    if (
        provider.kind != OrganizationKind.TRAINING_PROVIDER
        and not Programme.objects.filter(owner=provider).exists()
    ):
        raise DomainError(
            _("Courses are offered by training providers or by organizations that run a programme.")
        )
    course.full_clean()
    course.save()
    course.skills_taught.set(list(skills_taught))
    course.skills_required.set(list(skills_required))
    return course


@transaction.atomic
def module_save(*, actor: Any, module: Module, prerequisites: Sequence[Module] = ()) -> Module:
    """Create or change a module; a new one goes last, and prerequisites must come earlier in the same course."""
    if module.pk is None and not module.position:
        last = Module.objects.filter(course=module.course).aggregate(top=Max("position"))["top"]
        module.position = (last or 0) + 1
    module.full_clean()
    for prerequisite in prerequisites:
        if prerequisite.course_id != module.course_id or prerequisite.pk == module.pk:
            raise DomainError(_("A prerequisite must be another module of the same course."))
        if prerequisite.position >= module.position:
            raise DomainError(_("A prerequisite must come before the module that needs it."))
    module.save()
    module.prerequisites.set(list(prerequisites))
    return module


@transaction.atomic
def question_add(
    *,
    actor: Any,
    module: Module,
    text_en: str,
    text_ar: str,
    choices: Sequence[tuple[str, str, bool]],
    kind: str = QuestionKind.SINGLE,
) -> Question:
    """Add a question to a quiz with its choices (English, Arabic, correct); at least two, and a right one."""
    if module.kind != ModuleKind.QUIZ:
        raise DomainError(_("Questions belong to quizzes."))
    if not (text_en.strip() or text_ar.strip()):
        raise DomainError(_("Write the question in at least one language."))
    if len(choices) < 2:
        raise DomainError(_("Give at least two answers to choose from."))
    right = sum(1 for _en, _ar, correct in choices if correct)
    if right == 0:
        raise DomainError(_("Mark at least one answer as correct."))
    if kind == QuestionKind.SINGLE and right > 1:
        raise DomainError(_("A single-choice question has exactly one correct answer."))
    position = (module.questions.aggregate(top=Max("position"))["top"] or 0) + 1
    question = Question.objects.create(
        module=module, position=position, kind=kind, text_en=text_en.strip(), text_ar=text_ar.strip()
    )
    Choice.objects.bulk_create(
        Choice(question=question, position=i, label_en=en.strip(), label_ar=ar.strip(), correct=correct)
        for i, (en, ar, correct) in enumerate(choices, start=1)
    )
    return question


def parse_choices(text: str) -> list[tuple[str, str, bool]]:
    """Choices typed one per line as ``English | Arabic``, the right ones starting with ``*``."""
    parsed = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        correct = line.startswith("*")
        english, _sep, arabic = line.lstrip("*").partition("|")
        parsed.append((english.strip(), arabic.strip() or english.strip(), correct))
    return parsed
