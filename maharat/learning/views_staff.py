"""Provider and staff pages: courses and modules, quiz questions, cohorts, the progress grid, attendance."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maharat.core.errors import DomainError
from maharat.learning import access, authoring, progress, services
from maharat.learning.choices import SEAT_HOLDING, SESSION_KINDS, EnrolmentStatus, ModuleKind
from maharat.learning.forms import CohortForm, CourseForm, QuestionForm, module_form_class
from maharat.learning.models import Attendance, Course, CourseEnrolment, Module
from maharat.programmes.access import visible_programmes
from maharat.programmes.models import Cohort


def _managed_course(request: HttpRequest, pk: int) -> Course:
    course = get_object_or_404(Course.objects.select_related("provider"), pk=pk)
    if not access.can_manage_course(request.user, course):
        raise PermissionDenied
    return course


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in exc.messages:
            form.add_error(None, message)


@login_required
def staff_courses(request: HttpRequest) -> HttpResponse:
    """The courses the user manages, with their learners counted in one query."""
    if not access.can_author_courses(request.user):
        raise PermissionDenied
    courses = (
        access.managed_courses(request.user)
        .select_related("provider")
        .annotate(
            n_active=Count("enrolments", filter=Q(enrolments__status="active")),
            n_waiting=Count("enrolments", filter=Q(enrolments__status="waitlisted")),
            n_completed=Count("enrolments", filter=Q(enrolments__status="completed")),
        )
        .order_by("label_en")
    )
    followed = (
        access.cohort_courses(request.user).exclude(pk__in=courses.values("pk")).select_related("provider")
    )
    return render(request, "learning/staff_courses.html", {"courses": courses, "followed": followed})


@login_required
def course_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or change a course."""
    if not access.can_author_courses(request.user):
        raise PermissionDenied
    course = _managed_course(request, pk) if pk else None
    form = CourseForm(
        request.POST if request.method == "POST" else None,
        instance=course,
        providers=access.provider_organizations(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = authoring.course_save(
                actor=request.user,
                course=form.save(commit=False),
                skills_taught=form.cleaned_data["skills_taught"],
                skills_required=form.cleaned_data["skills_required"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The course was saved."))
            return redirect("learning:staff_course", pk=saved.pk)
    return render(request, "learning/course_form.html", {"form": form, "course": course})


@login_required
def staff_course(request: HttpRequest, pk: int) -> HttpResponse:
    """A course for its managers: modules, publishing, cohorts to enrol, links to progress and attendance."""
    course = _managed_course(request, pk)
    cohorts = Cohort.objects.filter(programme__in=visible_programmes(request.user))
    context = {
        "course": course,
        "modules": course.modules.annotate(n_questions=Count("questions")),
        "kinds": ModuleKind.choices,
        "cohort_form": CohortForm(cohorts=cohorts),
        "has_cohorts": cohorts.exists(),
        "session_kinds": SESSION_KINDS,
    }
    return render(request, "learning/staff_course.html", context)


@login_required
@require_POST
def course_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a course."""
    course = _managed_course(request, pk)
    try:
        services.course_publish(actor=request.user, course=course)
    except DomainError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The course is published."))
    return redirect("learning:staff_course", pk=course.pk)


@login_required
@require_POST
def course_enrol_cohort(request: HttpRequest, pk: int) -> HttpResponse:
    """Enrol a programme cohort the user manages."""
    course = _managed_course(request, pk)
    form = CohortForm(
        request.POST, cohorts=Cohort.objects.filter(programme__in=visible_programmes(request.user))
    )
    if not form.is_valid():
        messages.error(request, _("Choose a cohort of a programme you manage."))
        return redirect("learning:staff_course", pk=course.pk)
    try:
        counts = services.enrol_cohort(actor=request.user, course=course, cohort=form.cleaned_data["cohort"])
    except DomainError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Enrolled %(active)s, waiting list %(waitlisted)s, already enrolled %(skipped)s.") % counts,
        )
    return redirect("learning:staff_course", pk=course.pk)


@login_required
def module_edit(
    request: HttpRequest, pk: int | None = None, course_pk: int | None = None, kind: str = ""
) -> HttpResponse:
    """Create or change a module with the form of its kind."""
    module = get_object_or_404(Module, pk=pk) if pk else None
    course = _managed_course(request, module.course_id if module else course_pk)  # type: ignore[arg-type]
    kind = module.kind if module else kind
    if kind not in ModuleKind.values:
        raise Http404
    form_class = module_form_class(kind)
    instance = module or Module(course=course, kind=kind)
    form = form_class(request.POST if request.method == "POST" else None, instance=instance, course=course)
    if request.method == "POST" and form.is_valid():
        try:
            saved = authoring.module_save(
                actor=request.user,
                module=form.save(commit=False),
                prerequisites=list(form.cleaned_data["prerequisites"]),
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The module was saved."))
            if saved.kind == ModuleKind.QUIZ:
                return redirect("learning:questions", pk=saved.pk)
            return redirect("learning:staff_course", pk=course.pk)
    context = {"form": form, "course": course, "module": module, "kind_label": ModuleKind(kind).label}
    return render(request, "learning/module_form.html", context)


@login_required
def questions(request: HttpRequest, pk: int) -> HttpResponse:
    """A quiz's questions, and a form to add one."""
    module = get_object_or_404(Module, pk=pk, kind=ModuleKind.QUIZ)
    course = _managed_course(request, module.course_id)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.question_add(
                actor=request.user,
                module=module,
                text_en=form.cleaned_data["text_en"],
                text_ar=form.cleaned_data["text_ar"],
                kind=form.cleaned_data["kind"],
                choices=authoring.parse_choices(form.cleaned_data["choices"]),
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The question was added."))
            return redirect("learning:questions", pk=module.pk)
    context = {
        "module": module,
        "course": course,
        "form": form,
        "questions": module.questions.prefetch_related("choices"),
        "answered": authoring.quiz_answered(module),
    }
    return render(request, "learning/questions.html", context)


GRID_PAGE_SIZE = 50  # learners per page of the progress grid; the summary counts every learner


@login_required
def progress_grid(request: HttpRequest, pk: int) -> HttpResponse:
    """The modules × learners grid of a course, optionally for one cohort, in a fixed number of queries."""
    course = get_object_or_404(Course, pk=pk)
    can_manage = access.can_manage_course(request.user, course)
    if not (can_manage or access.can_view_progress(request.user, course)):
        raise PermissionDenied
    enrolments = access.visible_enrolments(request.user, course)
    cohort_id = request.GET.get("cohort", "")
    if cohort_id.isdigit():
        enrolments = enrolments.filter(cohort_id=int(cohort_id))
    else:
        cohort_id = ""
    page_number = request.GET.get("page", "1")
    page = int(page_number) if page_number.isdigit() and int(page_number) > 0 else 1
    modules, rows = progress.progress_grid(
        course, enrolments, offset=(page - 1) * GRID_PAGE_SIZE, limit=GRID_PAGE_SIZE
    )
    summary = progress.grid_summary(modules, enrolments)
    pages = max((summary.learners + GRID_PAGE_SIZE - 1) // GRID_PAGE_SIZE, 1)
    context = {
        "course": course,
        "modules": modules,
        "rows": rows,
        "cohorts": course.cohorts.all(),
        "cohort_id": cohort_id,
        "summary": summary,
        "status_counts": [(EnrolmentStatus(s).label, n) for s, n in sorted(summary.by_status.items())],
        "done_counts": [summary.done_per_module.get(m.pk, 0) for m in modules],
        "page": page,
        "pages": pages,
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if page < pages else None,
        "can_manage": can_manage,
    }
    return render(request, "learning/progress_grid.html", context)


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The trainer ticks who was present at a workshop or session."""
    module = get_object_or_404(Module.objects.select_related("course"), pk=pk)
    if module.kind not in SESSION_KINDS:
        raise Http404
    course = _managed_course(request, module.course_id)
    enrolments = list(
        CourseEnrolment.objects.filter(course=course, status__in=SEAT_HOLDING)
        .select_related("person")
        .order_by("pk")
    )
    if request.method == "POST":
        present = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
        marks = {e.pk: e.pk in present for e in enrolments}
        try:
            changed = services.attendance_mark(actor=request.user, module=module, marks=marks)
        except DomainError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Attendance saved (%(count)s changed).") % {"count": changed})
            return redirect("learning:attendance", pk=module.pk)
    marked = dict(Attendance.objects.filter(module=module).values_list("enrolment_id", "present"))
    rows = [{"enrolment": e, "present": marked.get(e.pk)} for e in enrolments]
    return render(request, "learning/attendance.html", {"module": module, "course": course, "rows": rows})
