"""Learner pages: the course catalogue, enrolment, modules (lesson, quiz, workshop), certificates, verification."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maharat.core.errors import DomainError
from maharat.learning import access, progress, services
from maharat.learning.choices import EnrolmentStatus, ModuleKind, Verb
from maharat.learning.forms import QuizForm
from maharat.learning.models import Certificate, Course, CourseEnrolment, Module, QuizAttempt
from maharat.people.models import Person


def _own_person(request: HttpRequest) -> Person | None:
    if not request.user.is_authenticated:
        return None
    return Person.objects.active().filter(user=request.user).first()


def _flash_errors(request: HttpRequest, exc: DomainError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def course_list(request: HttpRequest) -> HttpResponse:
    """Published courses, for anyone to read."""
    courses = Course.objects.filter(published=True).select_related("provider").order_by("track", "label_en")
    return render(request, "learning/course_list.html", {"courses": courses})


@login_required
def my_courses(request: HttpRequest) -> HttpResponse:
    """A learner's courses with how far they are and a link to pick up where they stopped."""
    person = _own_person(request)
    if person is None:
        raise PermissionDenied
    enrolments = list(
        CourseEnrolment.objects.filter(person=person)
        .exclude(status=EnrolmentStatus.WITHDRAWN)
        .select_related("course__provider", "certificate")
        .order_by("-status_changed_at")
    )
    states = progress.module_states(CourseEnrolment.objects.filter(pk__in=[e.pk for e in enrolments]))
    items = []
    for enrolment in enrolments:
        modules = progress.course_modules(enrolment.course)
        done = sum(
            1 for m in modules if states.get((enrolment.pk, m.pk), progress.ModuleState()).done(m.kind)
        )
        resume = (
            progress.resume_module(modules, states, enrolment.pk) if enrolment.status == "active" else None
        )
        items.append({"enrolment": enrolment, "done": done, "total": len(modules), "resume": resume})
    return render(request, "learning/my_courses.html", {"items": items})


def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A course: what it teaches, its modules and, for a registered person, enrolment or progress."""
    course = get_object_or_404(Course.objects.select_related("provider"), pk=pk)
    if not access.can_view_course(request.user, course):
        raise Http404
    enrolment = access.own_enrolment(request.user, course)
    modules = progress.course_modules(course)
    states = progress.module_states(CourseEnrolment.objects.filter(pk=enrolment.pk)) if enrolment else {}
    rows = []
    for module in modules:
        state = states.get((enrolment.pk, module.pk)) if enrolment else None
        is_locked = bool(enrolment) and progress.locked(module, modules, states, enrolment.pk)  # type: ignore[union-attr]
        rows.append({"module": module, "done": bool(state and state.done(module.kind)), "locked": is_locked})
    context = {
        "course": course,
        "enrolment": enrolment,
        "rows": rows,
        "person": _own_person(request),
        "skills": course.skills_taught.all(),
        "required_skills": course.skills_required.all(),
        "can_manage": access.can_manage_course(request.user, course),
    }
    return render(request, "learning/course_detail.html", context)


@login_required
@require_POST
def course_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    """A registered person enrols themself (or joins the waiting list)."""
    course = get_object_or_404(Course, pk=pk, published=True)
    person = _own_person(request)
    if person is None:
        raise PermissionDenied
    try:
        enrolment = services.enrol(actor=request.user, course=course, person=person)
    except DomainError as exc:
        _flash_errors(request, exc)
    else:
        if enrolment.status == EnrolmentStatus.WAITLISTED:
            messages.warning(request, _("The course is full: you are on the waiting list."))
        else:
            messages.success(request, _("You are enrolled. Start with the first module."))
    return redirect("learning:course_detail", pk=course.pk)


@login_required
@require_POST
def course_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """A learner leaves a course."""
    course = get_object_or_404(Course, pk=pk)
    enrolment = access.own_enrolment(request.user, course)
    if enrolment is None:
        raise Http404
    try:
        services.enrolment_withdraw(actor=request.user, enrolment=enrolment, reason="learner left the course")
    except DomainError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("You left the course."))
    return redirect("learning:course_detail", pk=course.pk)


def _module_for_learner(request: HttpRequest, pk: int) -> tuple[Module, CourseEnrolment]:
    module = get_object_or_404(Module.objects.select_related("course__provider"), pk=pk)
    enrolment = access.own_enrolment(request.user, module.course)
    if not access.can_take_module(enrolment, module):
        raise Http404
    assert enrolment is not None  # can_take_module checked it
    return module, enrolment


@login_required
def module_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One module for its learner: the lesson text, the video and its text alternative, the quiz, the session."""
    module, enrolment = _module_for_learner(request, pk)
    modules = progress.course_modules(module.course)
    module.prerequisite_ids = next((m.prerequisite_ids for m in modules if m.pk == module.pk), [])  # type: ignore[attr-defined]
    states = progress.module_states(CourseEnrolment.objects.filter(pk=enrolment.pk))
    is_locked = progress.locked(module, modules, states, enrolment.pk)
    if not is_locked and enrolment.status == EnrolmentStatus.ACTIVE:
        # Opening a module is recorded once, so "resume" and "inactive for N days" have a trace.
        services.progress_record(
            actor=request.user,
            enrolment=enrolment,
            module=module,
            verb=Verb.STARTED,
            client_event_id=f"open:{module.pk}",
        )
    state = states.get((enrolment.pk, module.pk)) or progress.ModuleState()
    context: dict[str, Any] = {
        "module": module,
        "course": module.course,
        "enrolment": enrolment,
        "locked": is_locked,
        "done": state.done(module.kind),
        "state": state,
        "next": _next_module(modules, module),
        "prerequisites": [m for m in modules if m.pk in module.prerequisite_ids],  # type: ignore[attr-defined]
    }
    if module.kind == ModuleKind.QUIZ:
        questions = list(module.questions.prefetch_related("choices"))
        context["form"] = QuizForm(questions=questions)
        context["attempts"] = QuizAttempt.objects.filter(enrolment=enrolment, module=module)
    if module.kind in (ModuleKind.WORKSHOP, ModuleKind.IN_PERSON):
        context["attendance"] = module.attendance.filter(enrolment=enrolment).first()
    return render(request, "learning/module_detail.html", context)


def _next_module(modules: list[Module], module: Module) -> Module | None:
    ids = [m.pk for m in modules]
    if module.pk in ids and ids.index(module.pk) + 1 < len(ids):
        return modules[ids.index(module.pk) + 1]
    return None


@login_required
@require_POST
def module_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """The learner says they finished a lesson, video or assignment; a repeated click is recorded once."""
    module, enrolment = _module_for_learner(request, pk)
    try:
        services.progress_record(
            actor=request.user,
            enrolment=enrolment,
            module=module,
            verb=Verb.COMPLETED,
            client_event_id=request.POST.get("event_id", "")[:64] or f"done:{module.pk}",
        )
    except DomainError as exc:
        _flash_errors(request, exc)
        return redirect("learning:module_detail", pk=module.pk)
    return _after_progress(request, enrolment, module)


def _after_progress(request: HttpRequest, enrolment: CourseEnrolment, module: Module) -> HttpResponse:
    enrolment.refresh_from_db()
    if enrolment.status == EnrolmentStatus.COMPLETED:
        messages.success(request, _("Congratulations, you completed the course!"))
        return redirect("learning:certificate", pk=enrolment.course_id)
    nxt = _next_module(progress.course_modules(module.course), module)
    return (
        redirect("learning:module_detail", pk=nxt.pk)
        if nxt
        else redirect("learning:course_detail", pk=module.course_id)
    )


@login_required
@require_POST
def quiz_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Grade the learner's answers and show the score; bad or repeated submissions change nothing."""
    module, enrolment = _module_for_learner(request, pk)
    questions = list(module.questions.prefetch_related("choices"))
    form = QuizForm(request.POST, questions=questions)
    if not form.is_valid():
        messages.error(request, _("Answer every question before you submit."))
        return redirect("learning:module_detail", pk=module.pk)
    try:
        attempt = services.quiz_submit(
            actor=request.user,
            enrolment=enrolment,
            module=module,
            answers=form.answers(),
            submission_id=form.cleaned_data["submission_id"],
        )
    except DomainError as exc:
        _flash_errors(request, exc)
        return redirect("learning:module_detail", pk=module.pk)
    if attempt.passed:
        messages.success(request, _("You passed with %(score)s%%.") % {"score": attempt.score})
        return _after_progress(request, enrolment, module)
    messages.warning(
        request,
        _("Your score is %(score)s%%; %(mark)s%% is needed to pass.")
        % {"score": attempt.score, "mark": module.pass_mark},
    )
    return redirect("learning:module_detail", pk=module.pk)


@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The learner's own certificate for a course, with its verification code and link."""
    course = get_object_or_404(Course, pk=pk)
    enrolment = access.own_enrolment(request.user, course)
    cert = (
        Certificate.objects.filter(enrolment=enrolment).select_related("enrolment__person").first()
        if enrolment
        else None
    )
    if cert is None:
        raise Http404
    verify_url = request.build_absolute_uri(reverse("learning:verify_code", args=[cert.display_code]))
    return render(
        request,
        "learning/certificate.html",
        {"certificate": cert, "course": course, "verify_url": verify_url},
    )


def verify(request: HttpRequest, code: str = "") -> HttpResponse:
    """Public check of a certificate by its code: shows only the holder's name and the course."""
    code = code or request.GET.get("code", "")
    if not code:
        return render(request, "learning/verify.html", {"certificate": None})
    cert = (
        Certificate.objects.filter(code=services.normalize_code(code))
        .select_related("enrolment__person", "enrolment__course__provider")
        .first()
    )
    if cert is None:
        raise Http404
    person = cert.enrolment.person
    context = {
        "certificate": cert,
        "holder": person.display_name,
        "holder_latin": person.latin_name if person.latin_name != person.display_name else "",
        "course": cert.enrolment.course,
    }
    return render(request, "learning/verify.html", context)
