"""Staff pages that change a course's shape: edit and delete quiz questions, move and delete modules, unpublish.

Every destructive step asks first: a GET shows what will happen, the POST does it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from maharat.learning import authoring, services
from maharat.learning.choices import EnrolmentStatus, ModuleKind
from maharat.learning.forms import QuestionForm
from maharat.learning.models import CourseEnrolment, Module, Question
from maharat.learning.views_staff import _errors_to_form, _managed_course


def _flash(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _confirm(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    return render(request, "learning/confirm.html", context)


def _choices_text(question: Question) -> str:
    return "\n".join(
        f"{'*' if c.correct else ''}{c.label_en} | {c.label_ar}"
        for c in question.choices.order_by("position", "pk")
    )


@login_required
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a quiz question; once learners answered the quiz, only its wording."""
    question = get_object_or_404(Question.objects.select_related("module"), pk=pk)
    module = question.module
    course = _managed_course(request, module.course_id)
    initial = {
        "text_en": question.text_en,
        "text_ar": question.text_ar,
        "kind": question.kind,
        "choices": _choices_text(question),
    }
    form = QuestionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.question_edit(
                actor=request.user,
                question=question,
                text_en=form.cleaned_data["text_en"],
                text_ar=form.cleaned_data["text_ar"],
                kind=form.cleaned_data["kind"],
                choices=authoring.parse_choices(form.cleaned_data["choices"]),
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The question was saved."))
            return redirect("learning:questions", pk=module.pk)
    context = {
        "question": question,
        "module": module,
        "course": course,
        "form": form,
        "answered": authoring.quiz_answered(module),
    }
    return render(request, "learning/question_form.html", context)


@login_required
def question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a quiz question, after asking."""
    question = get_object_or_404(Question.objects.select_related("module"), pk=pk)
    module = question.module
    course = _managed_course(request, module.course_id)
    back = reverse("learning:questions", args=[module.pk])
    if request.method == "POST":
        try:
            authoring.question_delete(actor=request.user, question=question)
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("The question was deleted."))
        return redirect(back)
    return _confirm(
        request,
        {
            "course": course,
            "title": _("Delete this question?"),
            "subject": question.text,
            "explanation": _("The question and its answers are removed from the quiz."),
            "button": _("Delete the question"),
            "danger": True,
            "back": back,
        },
    )


@login_required
def module_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a module nobody has worked on, after asking."""
    module = get_object_or_404(Module, pk=pk)
    course = _managed_course(request, module.course_id)
    back = reverse("learning:staff_course", args=[course.pk])
    if request.method == "POST":
        try:
            authoring.module_delete(actor=request.user, module=module)
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("The module was deleted."))
        return redirect(back)
    explanation = _("The module, its questions and its files are removed from the course.")
    if module.kind != ModuleKind.QUIZ:
        explanation = _("The module and its files are removed from the course.")
    return _confirm(
        request,
        {
            "course": course,
            "title": _("Delete this module?"),
            "subject": module.label,
            "explanation": explanation,
            "button": _("Delete the module"),
            "danger": True,
            "back": back,
        },
    )


@login_required
@require_POST
def module_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a module one place up or down in its course."""
    module = get_object_or_404(Module, pk=pk)
    course = _managed_course(request, module.course_id)
    try:
        authoring.module_move(actor=request.user, module=module, up=request.POST.get("direction") == "up")
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("learning:staff_course", pk=course.pk)


@login_required
def course_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a course back to draft, after asking."""
    course = _managed_course(request, pk)
    back = reverse("learning:staff_course", args=[course.pk])
    if request.method == "POST":
        try:
            services.course_unpublish(actor=request.user, course=course)
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("The course is a draft again."))
        return redirect(back)
    learners = CourseEnrolment.objects.filter(
        course=course, status__in=(EnrolmentStatus.ACTIVE, EnrolmentStatus.WAITLISTED)
    ).count()
    return _confirm(
        request,
        {
            "course": course,
            "title": _("Take this course back to draft?"),
            "subject": course.label,
            "explanation": ngettext(
                "It leaves the course list and takes no new learners. The %(count)s learner enrolled "
                "or waiting keeps their place and access. You can publish it again later.",
                "It leaves the course list and takes no new learners. The %(count)s learners enrolled "
                "or waiting keep their place and access. You can publish it again later.",
                learners,
            )
            % {"count": learners},
            "button": _("Take back to draft"),
            "danger": False,
            "back": back,
        },
    )
