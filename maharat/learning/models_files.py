"""Learning tables for files and seats: assignment submissions, module attachments, workshop seat bookings.

Imported at the end of ``models.py`` so Django registers them with the learning app.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from maharat.core.models import BaseModel
from maharat.learning.models import CourseEnrolment, Module

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


def _private_name(folder: str, filename: str) -> str:
    # A random stored name: the learner's own file name is kept in a column, never in the path.
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"learning/{folder}/{uuid.uuid4().hex}{suffix}"


def submission_path(instance: Any, filename: str) -> str:
    """Where an assignment file is stored under MEDIA_ROOT (served only through an access-checked view)."""
    return _private_name("submissions", filename)


def attachment_path(instance: Any, filename: str) -> str:
    """Where a module's image, file or video is stored under MEDIA_ROOT."""
    return _private_name("attachments", filename)


class AssignmentSubmission(BaseModel):
    """A learner's file handed in for an assignment, and the trainer's grade and feedback on it."""

    enrolment = models.ForeignKey(CourseEnrolment, on_delete=models.CASCADE, related_name="submissions")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="submissions")
    round = models.PositiveSmallIntegerField(_("attempt"), default=1)
    file = models.FileField(_("file"), upload_to=submission_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True, validators=PERCENT)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("graded by"),
    )
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)

    class Meta:
        ordering = ["module", "enrolment"]
        verbose_name = _("assignment submission")
        verbose_name_plural = _("assignment submissions")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "module"], name="one_submission_per_assignment")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}/{self.module_id} #{self.round}"

    @property
    def graded(self) -> bool:
        """The trainer has graded this round."""
        return self.passed is not None


class AttachmentKind(models.TextChoices):
    """What a file attached to a module is for."""

    IMAGE = "image", _("Image in the lesson")
    FILE = "file", _("File to download")
    VIDEO = "video", _("Video file")


class ModuleAttachment(BaseModel):
    """An image shown in a lesson, a file learners download, or an uploaded video, added by the provider."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=8, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    title_en = models.CharField(
        _("English description"), max_length=300, help_text=_("For an image: what it shows, read aloud.")
    )
    title_ar = models.CharField(_("Arabic description"), max_length=300, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["module", "kind", "pk"]
        verbose_name = _("module attachment")
        verbose_name_plural = _("module attachments")

    def __str__(self) -> str:
        return self.original_name

    @property
    def title(self) -> str:
        """The description in the active language, falling back to the other."""
        if (get_language() or "ar").startswith("ar"):
            return self.title_ar or self.title_en
        return self.title_en or self.title_ar


class SeatBooking(BaseModel):
    """A learner's seat at a virtual workshop that has a limited number of seats."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="bookings")
    enrolment = models.ForeignKey(CourseEnrolment, on_delete=models.CASCADE, related_name="bookings")

    class Meta:
        ordering = ["module", "created_at", "pk"]
        verbose_name = _("workshop seat")
        verbose_name_plural = _("workshop seats")
        constraints = [models.UniqueConstraint(fields=["module", "enrolment"], name="one_seat_per_workshop")]

    def __str__(self) -> str:
        return f"{self.module_id}/{self.enrolment_id}"
