"""Offline packages: download a module or a course as one HTML file; receive the answers sent back from it.

The answer endpoint is reached from a file opened on the learner's device, which carries no session cookie and
no CSRF token; it trusts instead the signed token written into the package for that learner's enrolment.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from maharat.core.errors import DomainError
from maharat.learning import access, offline, progress, services
from maharat.learning.choices import SEAT_HOLDING, Verb
from maharat.learning.forms import QuizForm
from maharat.learning.models import Course, CourseEnrolment, Module
from maharat.learning.views import _module_for_learner


def _package(
    request: HttpRequest, enrolment: CourseEnrolment, course: Course, modules: list[Module], filename: str
) -> HttpResponse:
    states = progress.module_states(CourseEnrolment.objects.filter(pk=enrolment.pk))
    passed = {m.pk for m in modules if progress._state(states, enrolment.pk, m.pk).done(m.kind)}
    context: dict[str, Any] = offline.build_package(enrolment, modules, passed)
    context.update(
        {
            "course": course,
            "person": enrolment.person,
            "made_at": timezone.now(),
            "submit_url": request.build_absolute_uri(reverse("learning:offline_answers")),
            "rtl": (get_language() or "ar").startswith("ar"),
            "lang": get_language() or "ar",
        }
    )
    response = HttpResponse(render_to_string("learning/offline_package.html", context, request=request))
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def offline_module(request: HttpRequest, pk: int) -> HttpResponse:
    """One module as a file to read (and answer, for a quiz) offline."""
    module, enrolment = _module_for_learner(request, pk)
    modules = progress.course_modules(module.course)
    states = progress.module_states(CourseEnrolment.objects.filter(pk=enrolment.pk))
    module = next(m for m in modules if m.pk == module.pk)
    if progress.locked(module, modules, states, enrolment.pk):
        raise Http404
    return _package(request, enrolment, module.course, [module], f"maharat-module-{module.pk}.html")


@login_required
def offline_course(request: HttpRequest, pk: int) -> HttpResponse:
    """A whole course as one file to read offline; quizzes are answered offline and sent back later."""
    course = get_object_or_404(Course.objects.select_related("provider"), pk=pk)
    enrolment = access.own_enrolment(request.user, course)
    if enrolment is None or enrolment.status not in SEAT_HOLDING:
        raise Http404
    modules = progress.course_modules(course)
    return _package(request, enrolment, course, modules, f"maharat-course-{course.pk}.html")


def _quiz(
    request: HttpRequest, enrolment: CourseEnrolment, payload: dict[str, Any]
) -> tuple[list[str], bool]:
    module = Module.objects.filter(pk=int(payload.get("m", 0)), course_id=enrolment.course_id).first()
    if module is None:
        return [_("This answer sheet is not valid; download the package again.")], False
    questions = list(module.questions.prefetch_related("choices"))
    data = request.POST.copy()
    statement_id = str(payload.get("s", ""))
    data["submission_id"] = statement_id
    form = QuizForm(data, questions=questions)
    if not form.is_valid():
        return [_("Answer every question before you submit.")], False
    try:
        attempt = services.quiz_submit(
            actor=enrolment.person.user,
            enrolment=enrolment,
            module=module,
            answers=form.answers(),
            submission_id=statement_id,
        )
    except services.DuplicateSubmission as dup:
        return [
            _("These answers were already received.")
            + " "
            + _("Your score was %(score)s.") % {"score": f"{dup.attempt.score}%"}
        ], True
    except DomainError as exc:
        return list(exc.messages), False
    if attempt.passed:
        return [
            _("“%(quiz)s”: you passed with %(score)s.") % {"quiz": module.label, "score": f"{attempt.score}%"}
        ], True
    return [
        _("“%(quiz)s”: your score is %(score)s; %(mark)s is needed to pass.")
        % {"quiz": module.label, "score": f"{attempt.score}%", "mark": f"{module.pass_mark}%"}
    ], True


def _lessons(
    request: HttpRequest, enrolment: CourseEnrolment, payload: dict[str, Any]
) -> tuple[list[str], bool]:
    allowed = {int(pk) for pk in payload.get("lessons", [])}
    chosen = {int(v) for v in request.POST.getlist("read") if v.isdigit()} & allowed
    if not chosen:
        return [_("Tick the lessons you have read.")], False
    notes: list[str] = []
    new = 0
    for module in Module.objects.filter(pk__in=chosen, course_id=enrolment.course_id).order_by(
        "position", "pk"
    ):
        try:
            _event, created = services.progress_record(
                actor=enrolment.person.user,
                enrolment=enrolment,
                module=module,
                verb=Verb.COMPLETED,
                client_event_id=f"offline:{payload.get('s', '')}:{module.pk}",
            )
        except DomainError as exc:
            notes.extend(f"“{module.label}”: {message}" for message in exc.messages)
            continue
        new += int(created)
    if notes:
        return notes, False
    if not new:
        return [_("These answers were already received.")], True
    return [_("Saved: the lessons you read are marked as done.")], True


@csrf_exempt
@require_POST
def offline_answers(request: HttpRequest) -> HttpResponse:
    """Answers and lessons read, sent from an offline package; the same sheet sent twice is recorded once."""
    try:
        payload = offline.unsign(request.POST.get("token", ""))
    except signing.BadSignature:
        payload = {}
    enrolment = (
        CourseEnrolment.objects.select_related("person__user", "course")
        .filter(pk=int(payload.get("e", 0)))
        .first()
        if payload
        else None
    )
    if enrolment is None:
        notes, ok = [_("This answer sheet is not valid; download the package again.")], False
    elif "m" in payload:
        notes, ok = _quiz(request, enrolment, payload)
    else:
        notes, ok = _lessons(request, enrolment, payload)
    context = {"notes": notes, "ok": ok, "course": enrolment.course if enrolment else None}
    return render(request, "learning/offline_received.html", context, status=200 if ok else 400)
