"""Staff report pages of a course: learners who need help (and a reminder to them), quiz items, attendance, exports."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maharat.core.audit import audit_record
from maharat.core.downloads import table_response
from maharat.core.models import AuditAction
from maharat.learning import access, reports
from maharat.learning.choices import EnrolmentStatus
from maharat.learning.models import Course, CourseEnrolment
from maharat.learning.notify import learners_nudge

EXPORTS = ("grid", "help", "quiz", "attendance")


def _scope(request: HttpRequest, pk: int) -> tuple[Course, QuerySet[CourseEnrolment], str]:
    """The course, the learners the user may see (optionally one cohort's), and the cohort chosen."""
    course = get_object_or_404(Course, pk=pk)
    if not access.can_view_progress(request.user, course):
        raise PermissionDenied
    enrolments = access.visible_enrolments(request.user, course)
    cohort_id = request.GET.get("cohort", "")
    if cohort_id.isdigit():
        enrolments = enrolments.filter(cohort_id=int(cohort_id))
    else:
        cohort_id = ""
    return course, enrolments, cohort_id


def _context(course: Course, cohort_id: str, **extra: object) -> dict[str, object]:
    return {"course": course, "cohorts": course.cohorts.all(), "cohort_id": cohort_id, **extra}


@login_required
def learners_help(request: HttpRequest, pk: int) -> HttpResponse:
    """Active learners inactive for N days or stuck, with a form to send them a reminder."""
    course, enrolments, cohort_id = _scope(request, pk)
    days = reports.parse_days(request.GET.get("days"))
    rows = reports.learners_needing_help(course, enrolments, days=days)
    query = urlencode({"days": days, "cohort": cohort_id})
    context = _context(course, cohort_id, rows=rows, days=days, query=query)
    return render(request, "learning/report_help.html", context)


@login_required
@require_POST
def learners_remind(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a reminder to the chosen learners (each at most once a day) through the messaging outbox."""
    course = get_object_or_404(Course, pk=pk)
    if not access.can_view_progress(request.user, course):
        raise PermissionDenied
    ids = [int(v) for v in request.POST.getlist("enrolment") if v.isdigit()]
    chosen = list(
        access.visible_enrolments(request.user, course)
        .filter(pk__in=ids, status=EnrolmentStatus.ACTIVE)
        .select_related("person")
        .order_by("pk")
    )
    back = reverse("learning:learners_help", args=[course.pk])
    query = urlencode(
        {"days": reports.parse_days(request.POST.get("days")), "cohort": request.POST.get("cohort", "")}
    )
    if not chosen:
        messages.error(request, _("Choose at least one learner to remind."))
        return redirect(f"{back}?{query}")
    counts = learners_nudge(actor=request.user, course=course, enrolments=chosen)
    messages.success(
        request,
        _(
            "Reminders: %(queued)s sent, %(not_sent)s not sent (no consent, opted out or no phone), %(already)s already sent today."
        )
        % counts,
    )
    return redirect(f"{back}?{query}")


@login_required
def quiz_stats(request: HttpRequest, pk: int) -> HttpResponse:
    """Per quiz question: answers, share right and the wrong answer chosen most, hardest first."""
    course, enrolments, cohort_id = _scope(request, pk)
    stats = reports.quiz_item_stats(course, enrolments)
    return render(request, "learning/report_quiz.html", _context(course, cohort_id, stats=stats))


@login_required
def attendance_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Per workshop: booked, present, absent; per learner: the share of held sessions attended."""
    course, enrolments, cohort_id = _scope(request, pk)
    sessions, learners = reports.attendance_summary(course, enrolments)
    context = _context(
        course,
        cohort_id,
        sessions=sessions,
        learners=learners,
        can_mark=access.can_manage_course(request.user, course),
    )
    return render(request, "learning/report_attendance.html", context)


@login_required
def report_export(request: HttpRequest, pk: int, report: str, fmt: str) -> HttpResponse:
    """Download a report of the course as CSV or XLSX; audited, since it holds learners' names."""
    if report not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise Http404
    course, enrolments, cohort_id = _scope(request, pk)
    if report == "grid":
        table, sheet = reports.grid_table(course, enrolments), _("Progress")
    elif report == "help":
        days = reports.parse_days(request.GET.get("days"))
        table = reports.help_table(reports.learners_needing_help(course, enrolments, days=days))
        sheet = _("Need help")
    elif report == "quiz":
        table, sheet = reports.quiz_table(reports.quiz_item_stats(course, enrolments)), _("Quiz items")
    else:
        table, sheet = (
            reports.attendance_table(*reports.attendance_summary(course, enrolments)),
            _("Attendance"),
        )
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        subject=course,
        fields=[report],
        reason=f"course {course.pk} {report} report exported as {fmt}",
        detail={"rows": len(table) - 1, "cohort": cohort_id},
    )
    return table_response(table, name=f"course-{course.pk}-{report}", fmt=fmt, sheet=str(sheet))
