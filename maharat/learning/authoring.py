"""Writes of course authors: save, move and delete modules with their prerequisites; add, edit and delete questions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from maharat.core.audit import audit_record
from maharat.core.errors import DomainError
from maharat.core.models import AuditAction
from maharat.learning.choices import ModuleKind, QuestionKind
from maharat.learning.models import (
    Attendance,
    Choice,
    Course,
    Module,
    ProgressEvent,
    Question,
    QuizAttempt,
)
from maharat.learning.models_files import AssignmentSubmission, SeatBooking
from maharat.learning.services_files import attachment_delete
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


def _check_question(
    module: Module, text_en: str, text_ar: str, choices: Sequence[tuple[str, str, bool]], kind: str
) -> None:
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
    _check_question(module, text_en, text_ar, choices, kind)
    position = (module.questions.aggregate(top=Max("position"))["top"] or 0) + 1
    question = Question.objects.create(
        module=module, position=position, kind=kind, text_en=text_en.strip(), text_ar=text_ar.strip()
    )
    Choice.objects.bulk_create(
        Choice(question=question, position=i, label_en=en.strip(), label_ar=ar.strip(), correct=correct)
        for i, (en, ar, correct) in enumerate(choices, start=1)
    )
    return question


def quiz_answered(module: Module) -> bool:
    """Whether any learner has submitted an attempt at the quiz: from then on its answers keep their meaning."""
    return QuizAttempt.objects.filter(module=module).exists()


@transaction.atomic
def question_edit(
    *,
    actor: Any,
    question: Question,
    text_en: str,
    text_ar: str,
    choices: Sequence[tuple[str, str, bool]],
    kind: str,
) -> Question:
    """Change a question and its choices; once the quiz was answered, only the wording may change.

    Choices are matched by their place in the list, so a wording fix keeps each choice (and the learners'
    recorded answers and item statistics that point to it).
    """
    module = Module.objects.select_for_update().get(pk=question.module_id)
    question = Question.objects.select_for_update().get(pk=question.pk)
    _check_question(module, text_en, text_ar, choices, kind)
    existing = list(question.choices.order_by("position", "pk"))
    if quiz_answered(module):
        same_shape = kind == question.kind and [c.correct for c in existing] == [
            correct for _en, _ar, correct in choices
        ]
        if not same_shape:
            raise DomainError(
                _(
                    "Learners have already answered this quiz: you may fix the wording, but not add, "
                    "remove or re-mark answers, nor change the kind of question."
                )
            )
    question.text_en, question.text_ar, question.kind = text_en.strip(), text_ar.strip(), kind
    question.save(update_fields=["text_en", "text_ar", "kind", "updated_at"])
    for i, (en, ar, correct) in enumerate(choices, start=1):
        if i <= len(existing):
            choice = existing[i - 1]
            choice.position, choice.label_en, choice.label_ar, choice.correct = (
                i,
                en.strip(),
                ar.strip(),
                correct,
            )
            choice.save(update_fields=["position", "label_en", "label_ar", "correct"])
        else:
            Choice.objects.create(
                question=question, position=i, label_en=en.strip(), label_ar=ar.strip(), correct=correct
            )
    Choice.objects.filter(pk__in=[c.pk for c in existing[len(choices) :]]).delete()
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=question,
        fields=["text_en", "text_ar", "kind", "choices"],
        reason=f"quiz question edited in module {module.pk}",
    )
    return question


@transaction.atomic
def question_delete(*, actor: Any, question: Question) -> None:
    """Remove a question from a quiz nobody has answered yet; a published course's quiz keeps at least one."""
    module = Module.objects.select_for_update().select_related("course").get(pk=question.module_id)
    if quiz_answered(module):
        raise DomainError(_("Learners have already answered this quiz, so its questions cannot be deleted."))
    if module.course.published and module.questions.count() <= 1:
        raise DomainError(_("A quiz of a published course keeps at least one question."))
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        subject=question,
        fields=["text_en", "text_ar", "choices"],
        reason=f"quiz question removed from module {module.pk}",
    )
    question.delete()


def module_used(module: Module) -> bool:
    """Whether a learner has left a trace in the module: progress, a quiz attempt, attendance, work or a seat."""
    return any(
        model.objects.filter(module=module).exists()
        for model in (ProgressEvent, QuizAttempt, Attendance, AssignmentSubmission, SeatBooking)
    )


@transaction.atomic
def module_delete(*, actor: Any, module: Module) -> None:
    """Delete a module nobody has worked on and no other module needs first; its files go with it."""
    course = Course.objects.select_for_update().get(pk=module.course_id)
    module = Module.objects.get(pk=module.pk)
    if module_used(module):
        raise DomainError(_("Learners have already worked on this module, so it cannot be deleted."))
    dependants = [m.label for m in module.unlocks.order_by("position", "pk")]
    if dependants:
        raise DomainError(
            _(
                "Other modules need this one first: %(names)s. Remove it from their prerequisites "
                "before deleting it."
            )
            % {"names": ", ".join(dependants)}
        )
    if course.published and course.modules.count() <= 1:
        raise DomainError(_("A published course keeps at least one module."))
    for attachment in module.attachments.all():
        attachment_delete(actor=actor, attachment=attachment)
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        subject=module,
        fields=["label_en", "label_ar", "kind"],
        reason=f"module removed from course {course.pk}",
    )
    module.delete()


@transaction.atomic
def module_move(*, actor: Any, module: Module, up: bool) -> Module:
    """Swap a module with the one before (up) or after it; a prerequisite always stays before what needs it.

    The course's modules are numbered 1, 2, 3… again, so equal or missing positions are put right.
    """
    course = Course.objects.select_for_update().get(pk=module.course_id)
    modules = list(course.modules.order_by("position", "pk").prefetch_related("prerequisites"))
    index = next(i for i, m in enumerate(modules) if m.pk == module.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(modules):
        raise DomainError(_("This module is already first.") if up else _("This module is already last."))
    first, second = (modules[other], modules[index]) if up else (modules[index], modules[other])
    if first in second.prerequisites.all():
        raise DomainError(
            _("“%(second)s” needs “%(first)s” first, so they cannot swap places.")
            % {"first": first.label, "second": second.label}
        )
    modules[index], modules[other] = modules[other], modules[index]
    for position, item in enumerate(modules, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position", "updated_at"])
    moved = modules[other]
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=moved,
        fields=["position"],
        reason=f"module moved {'up' if up else 'down'} in course {course.pk}",
    )
    return moved


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
