"""Template tags of learning for files and seats: the extras of a module page for its learner."""

from __future__ import annotations

from typing import Any

from django import template

from maharat.learning import uploads
from maharat.learning.choices import ModuleKind
from maharat.learning.forms_files import SubmissionForm
from maharat.learning.models import CourseEnrolment, Module
from maharat.learning.models_files import AssignmentSubmission, AttachmentKind, SeatBooking

register = template.Library()


@register.inclusion_tag("learning/_module_extras.html", takes_context=True)
def module_extras(context: dict[str, Any], module: Module, enrolment: CourseEnrolment) -> dict[str, Any]:
    """Pictures, files to download, the uploaded video, the assignment box and the workshop seat of a module."""
    attachments = list(module.attachments.all())
    extras: dict[str, Any] = {
        "module": module,
        "enrolment": enrolment,
        "csrf_token": context.get("csrf_token"),
        "images": [a for a in attachments if a.kind == AttachmentKind.IMAGE],
        "files": [a for a in attachments if a.kind == AttachmentKind.FILE],
        "videos": [a for a in attachments if a.kind == AttachmentKind.VIDEO],
    }
    if module.kind == ModuleKind.ASSIGNMENT:
        extras["submission"] = AssignmentSubmission.objects.filter(enrolment=enrolment, module=module).first()
        extras["form"] = SubmissionForm()
        extras["max_bytes"] = uploads.max_upload_bytes()
    if module.kind == ModuleKind.WORKSHOP and module.capacity is not None:
        bookings = SeatBooking.objects.filter(module=module)
        extras["seat_limited"] = True
        extras["booked"] = bookings.filter(enrolment=enrolment).exists()
        extras["seats_left"] = max(module.capacity - bookings.count(), 0)
    return extras
