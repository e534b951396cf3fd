"""Writes of learning about files and seats: hand in and grade assignments, attach files, book workshop seats.

Every write that touches a person's record is audited. A refused upload stores nothing: the file is checked
before the transaction, and a stored file whose row could not be saved is removed again.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maharat.core.audit import audit_record
from maharat.core.errors import DomainError
from maharat.core.models import AuditAction
from maharat.learning import services, uploads
from maharat.learning.choices import SEAT_HOLDING, EnrolmentStatus, ModuleKind, Verb
from maharat.learning.models import CourseEnrolment, Module, ProgressEvent
from maharat.learning.models_files import AssignmentSubmission, AttachmentKind, ModuleAttachment, SeatBooking


def _delete_after_commit(name: str, storage: Any) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def assignment_submit(
    *, actor: Any, enrolment: CourseEnrolment, module: Module, upload: Any, now: Any = None
) -> AssignmentSubmission:
    """Hand in a file for an assignment; it replaces an ungraded one, or starts a new attempt after a fail."""
    checked = uploads.check_upload(upload, uploads.SUBMISSION_TYPES, max_bytes=uploads.max_upload_bytes())
    stored: list[str] = []
    try:
        with transaction.atomic():
            return _submit(actor, enrolment, module, checked, now or timezone.now(), stored)
    except Exception:
        # A refusal after the file was written leaves nothing behind.
        for name in stored:
            AssignmentSubmission._meta.get_field("file").storage.delete(name)  # type: ignore[attr-defined]
        raise


def _submit(
    actor: Any,
    enrolment: CourseEnrolment,
    module: Module,
    checked: uploads.CheckedFile,
    now: Any,
    stored: list[str],
) -> AssignmentSubmission:
    enrolment = CourseEnrolment.objects.select_for_update().get(pk=enrolment.pk)
    if module.kind != ModuleKind.ASSIGNMENT:
        raise DomainError(_("This module is not an assignment."))
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise DomainError(_("Only active learners of the course can do this."))
    if module.deadline is not None and now > module.deadline:
        raise DomainError(_("The deadline for this assignment has passed."))
    services._check_module_open(enrolment, module)
    submission = AssignmentSubmission.objects.filter(enrolment=enrolment, module=module).first()
    old_name = ""
    if submission is None:
        submission = AssignmentSubmission(enrolment=enrolment, module=module)
        action = AuditAction.CREATE
    else:
        if submission.passed:
            raise DomainError(_("Your assignment was already graded as passed."))
        if submission.passed is False:
            if submission.round >= module.attempts_allowed:
                raise DomainError(_("You have used all the attempts allowed at this assignment."))
            submission.round += 1
        old_name = submission.file.name or ""
        action = AuditAction.CHANGE
    submission.original_name = checked.name
    submission.content_type = checked.content_type
    submission.size = checked.size
    submission.submitted_at = now
    submission.score = submission.passed = submission.graded_by = submission.graded_at = None
    submission.feedback = ""
    submission.file.save(checked.name, checked.content, save=False)
    stored.append(submission.file.name or "")
    submission.save()
    _delete_after_commit(old_name, submission.file.storage)
    audit_record(
        actor=actor,
        action=action,
        subject=submission,
        person_id=enrolment.person_id,
        fields=["file"],
        reason=f"assignment handed in for module {module.pk} (attempt {submission.round})",
    )
    return submission


@transaction.atomic
def assignment_grade(
    *, actor: Any, submission: AssignmentSubmission, score: int, passed: bool, feedback: str
) -> AssignmentSubmission:
    """The trainer grades a handed-in assignment; passing it completes the module, and may complete the course."""
    submission = (
        AssignmentSubmission.objects.select_for_update()
        .select_related("module", "enrolment")
        .get(pk=submission.pk)
    )
    if submission.graded:
        raise DomainError(_("This assignment is already graded; the learner may hand in a new attempt."))
    if not 0 <= score <= 100:
        raise DomainError(_("The score must be between 0 and 100."))
    if submission.enrolment.status not in SEAT_HOLDING:
        raise DomainError(_("This learner is no longer active in the course."))
    submission.score, submission.passed, submission.feedback = score, passed, feedback.strip()
    submission.graded_by, submission.graded_at = actor if getattr(actor, "pk", None) else None, timezone.now()
    submission.save(update_fields=["score", "passed", "feedback", "graded_by", "graded_at", "updated_at"])
    ProgressEvent.objects.get_or_create(
        enrolment=submission.enrolment,
        client_event_id=f"assignment:{submission.pk}:{submission.round}",
        defaults={"module": submission.module, "verb": Verb.PASSED if passed else Verb.FAILED},
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=submission,
        person_id=submission.enrolment.person_id,
        fields=["score", "passed", "feedback"],
        reason=f"assignment graded: {'passed' if passed else 'failed'}",
    )
    if passed:
        services.completion_check(actor=actor, enrolment=submission.enrolment)
    return submission


ATTACHMENT_TYPES = {
    AttachmentKind.IMAGE: uploads.IMAGE_TYPES,
    AttachmentKind.FILE: uploads.DOCUMENT_TYPES,
    AttachmentKind.VIDEO: uploads.VIDEO_TYPES,
}


def attachment_add(
    *, actor: Any, module: Module, kind: str, upload: Any, title_en: str, title_ar: str = ""
) -> ModuleAttachment:
    """Attach an image (compressed), a downloadable file or a video file to a module."""
    if kind not in ATTACHMENT_TYPES:
        raise DomainError(_("Unknown kind of attachment."))
    if kind == AttachmentKind.VIDEO and module.kind != ModuleKind.VIDEO:
        raise DomainError(_("Only a video module takes a video file."))
    if not (title_en.strip() or title_ar.strip()):
        raise DomainError(_("Describe the file in at least one language."))
    limit = uploads.max_video_bytes() if kind == AttachmentKind.VIDEO else uploads.max_upload_bytes()
    checked = uploads.check_upload(upload, ATTACHMENT_TYPES[AttachmentKind(kind)], max_bytes=limit)
    if kind == AttachmentKind.IMAGE:
        checked = uploads.compress_image(checked)
    attachment = ModuleAttachment(
        module=module,
        kind=kind,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        title_en=title_en.strip()[:300],
        title_ar=title_ar.strip()[:300],
        width=checked.width,
        height=checked.height,
    )
    attachment.file.save(checked.name, checked.content, save=False)
    try:
        with transaction.atomic():
            attachment.save()
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                subject=attachment,
                fields=["file"],
                reason=f"file attached to module {module.pk}",
            )
    except Exception:
        attachment.file.storage.delete(attachment.file.name or "")
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, actor: Any, attachment: ModuleAttachment) -> None:
    """Remove a file from a module, and from the disk once the removal is saved."""
    name, storage = attachment.file.name or "", attachment.file.storage
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        subject=attachment,
        fields=["file"],
        reason=f"file removed from module {attachment.module_id}",
    )
    attachment.delete()
    _delete_after_commit(name, storage)


def seats_taken(module: Module) -> int:
    """How many seats of a workshop are booked."""
    return SeatBooking.objects.filter(module=module).count()


@transaction.atomic
def workshop_book(*, actor: Any, enrolment: CourseEnrolment, module: Module) -> SeatBooking:
    """Book a seat at a virtual workshop; refused when every seat is taken or the workshop has begun."""
    module = Module.objects.select_for_update().get(pk=module.pk)
    if module.kind != ModuleKind.WORKSHOP:
        raise DomainError(_("Seats are booked only for virtual workshops."))
    if enrolment.course_id != module.course_id or enrolment.status != EnrolmentStatus.ACTIVE:
        raise DomainError(_("Only active learners of the course can do this."))
    if SeatBooking.objects.filter(module=module, enrolment=enrolment).exists():
        raise DomainError(_("You already have a seat at this workshop."))
    if module.starts_at is not None and module.starts_at <= timezone.now():
        raise DomainError(_("This workshop has already started."))
    if module.capacity is not None and seats_taken(module) >= module.capacity:
        raise DomainError(_("Every seat at this workshop is taken."))
    booking = SeatBooking.objects.create(module=module, enrolment=enrolment)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        subject=booking,
        person_id=enrolment.person_id,
        reason=f"booked a seat at workshop {module.pk}",
    )
    return booking


@transaction.atomic
def workshop_cancel(*, actor: Any, enrolment: CourseEnrolment, module: Module) -> None:
    """Give back a workshop seat so someone else can take it."""
    Module.objects.select_for_update().get(pk=module.pk)
    booking = SeatBooking.objects.filter(module=module, enrolment=enrolment).first()
    if booking is None:
        raise DomainError(_("You have no seat at this workshop."))
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        subject=booking,
        person_id=enrolment.person_id,
        reason=f"gave back a seat at workshop {module.pk}",
    )
    booking.delete()
