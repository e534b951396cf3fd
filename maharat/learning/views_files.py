"""Pages for files and seats: hand in and grade assignments, module files, workshop seats, the certificate PDF.

Uploaded files are never public static files: every download passes through a view that asks access.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maharat.core.errors import DomainError
from maharat.learning import access, services_files, uploads
from maharat.learning.choices import ModuleKind
from maharat.learning.forms_files import AttachmentForm, GradeForm, SubmissionForm
from maharat.learning.models import Certificate, Course, Module
from maharat.learning.models_files import AssignmentSubmission, AttachmentKind, ModuleAttachment
from maharat.learning.views import _flash_errors, _module_for_learner


@login_required
@require_POST
def assignment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """The learner hands in (or replaces) the file of an assignment."""
    module, enrolment = _module_for_learner(request, pk)
    form = SubmissionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return redirect("learning:module_detail", pk=module.pk)
    try:
        services_files.assignment_submit(
            actor=request.user, enrolment=enrolment, module=module, upload=form.cleaned_data["file"]
        )
    except DomainError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("Your assignment was received. Your trainer will grade it."))
    return redirect("learning:module_detail", pk=module.pk)


def _download(field_file: object, name: str, content_type: str, *, inline: bool) -> FileResponse:
    handle = field_file.open("rb")  # type: ignore[attr-defined]
    response = FileResponse(handle, as_attachment=not inline, filename=name, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def submission_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Download a handed-in assignment: only its learner, the course's provider staff and administrators."""
    submission = get_object_or_404(
        AssignmentSubmission.objects.select_related("enrolment__person", "enrolment__course"), pk=pk
    )
    if not access.can_view_submission(request.user, submission):
        raise PermissionDenied
    return _download(submission.file, submission.original_name, submission.content_type, inline=False)


@login_required
def attachment_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An image, file or video of a module, for the learners of the course and its managers only."""
    attachment = get_object_or_404(ModuleAttachment.objects.select_related("module__course"), pk=pk)
    if not access.can_view_attachment(request.user, attachment):
        raise PermissionDenied
    inline = attachment.kind != AttachmentKind.FILE
    return _download(attachment.file, attachment.original_name, attachment.content_type, inline=inline)


def _managed_module(request: HttpRequest, pk: int) -> Module:
    module = get_object_or_404(Module.objects.select_related("course__provider"), pk=pk)
    if not access.can_manage_course(request.user, module.course):
        raise PermissionDenied
    return module


@login_required
def submissions(request: HttpRequest, pk: int) -> HttpResponse:
    """The trainer's list of handed-in files of an assignment, each with a grading form."""
    module = _managed_module(request, pk)
    if module.kind != ModuleKind.ASSIGNMENT:
        raise Http404
    rows = (
        AssignmentSubmission.objects.filter(
            module=module, enrolment__in=access.visible_enrolments(request.user, module.course)
        )
        .select_related("enrolment__person", "graded_by")
        .order_by("passed", "submitted_at")
    )
    context = {"module": module, "course": module.course, "rows": rows, "form": GradeForm()}
    return render(request, "learning/submissions.html", context)


@login_required
@require_POST
def submission_grade(request: HttpRequest, pk: int) -> HttpResponse:
    """The trainer grades one handed-in assignment."""
    submission = get_object_or_404(AssignmentSubmission.objects.select_related("module__course"), pk=pk)
    if not access.can_manage_course(request.user, submission.module.course):
        raise PermissionDenied
    form = GradeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a score from 0 to 100, a result and feedback."))
        return redirect("learning:submissions", pk=submission.module_id)
    try:
        services_files.assignment_grade(
            actor=request.user,
            submission=submission,
            score=form.cleaned_data["score"],
            passed=form.cleaned_data["passed"],
            feedback=form.cleaned_data["feedback"],
        )
    except DomainError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("The grade was saved; the learner sees it with your feedback."))
    return redirect("learning:submissions", pk=submission.module_id)


@login_required
def module_files(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider's files of a module: images in the lesson, files to download, the video file."""
    module = _managed_module(request, pk)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_files.attachment_add(
                actor=request.user,
                module=module,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                title_en=form.cleaned_data["title_en"],
                title_ar=form.cleaned_data["title_ar"],
            )
        except DomainError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The file was added to the module."))
            return redirect("learning:module_files", pk=module.pk)
    context = {
        "module": module,
        "course": module.course,
        "attachments": module.attachments.all(),
        "form": form,
        "max_bytes": uploads.max_upload_bytes(),
    }
    return render(request, "learning/module_files.html", context)


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider removes a file from a module."""
    attachment = get_object_or_404(ModuleAttachment.objects.select_related("module__course"), pk=pk)
    if not access.can_manage_course(request.user, attachment.module.course):
        raise PermissionDenied
    module_id = attachment.module_id
    services_files.attachment_delete(actor=request.user, attachment=attachment)
    messages.success(request, _("The file was removed."))
    return redirect("learning:module_files", pk=module_id)


@login_required
@require_POST
def workshop_seat(request: HttpRequest, pk: int) -> HttpResponse:
    """The learner books a seat at a workshop, or gives it back."""
    module, enrolment = _module_for_learner(request, pk)
    try:
        if request.POST.get("action") == "cancel":
            services_files.workshop_cancel(actor=request.user, enrolment=enrolment, module=module)
            messages.success(request, _("You gave back your seat."))
        else:
            services_files.workshop_book(actor=request.user, enrolment=enrolment, module=module)
            messages.success(request, _("Your seat is booked."))
    except DomainError as exc:
        _flash_errors(request, exc)
    return redirect("learning:module_detail", pk=module.pk)


@login_required
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The learner's certificate as a PDF, in Arabic and English, with its verification code and link."""
    from maharat.learning.certificate_pdf import certificate_pdf as render_pdf

    course = get_object_or_404(Course.objects.select_related("provider"), pk=pk)
    enrolment = access.own_enrolment(request.user, course)
    cert = Certificate.objects.filter(enrolment=enrolment).select_related("enrolment__person").first()
    if enrolment is None or cert is None:
        raise Http404
    verify_url = request.build_absolute_uri(reverse("learning:verify_code", args=[cert.display_code]))
    response = HttpResponse(render_pdf(cert, course, verify_url), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{cert.display_code}.pdf"'
    return response
