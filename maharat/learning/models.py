"""Learning tables: courses and their modules, quizzes, enrolments, progress events, attendance, certificates."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from maharat.core.models import BaseModel, BilingualLabelMixin
from maharat.learning.choices import (
    XAPI_VERBS,
    DeliveryMode,
    EnrolmentSource,
    EnrolmentStatus,
    Level,
    ModuleKind,
    QuestionKind,
    Track,
    Verb,
)
from maharat.people.models import Organization, Person
from maharat.programmes.models import Cohort
from maharat.skills.models import Skill

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


def _bilingual(arabic: str, english: str) -> str:
    if (get_language() or "ar").startswith("ar"):
        return arabic or english
    return english or arabic


class Course(BilingualLabelMixin, BaseModel):
    """A course a training provider or programme offers: its track, level, delivery, skills and seats."""

    provider = models.ForeignKey(
        Organization, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="courses"
    )
    label_en = models.CharField(_("English title"), max_length=200)
    label_ar = models.CharField(_("Arabic title"), max_length=200)
    description_en = models.TextField(_("English description"), blank=True)
    description_ar = models.TextField(_("Arabic description"), blank=True)
    track = models.CharField(_("track"), max_length=20, choices=Track.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.BEGINNER)
    duration_hours = models.PositiveSmallIntegerField(_("duration (hours)"), default=1)
    delivery_mode = models.CharField(_("delivery mode"), max_length=12, choices=DeliveryMode.choices)
    skills_taught = models.ManyToManyField(
        Skill, verbose_name=_("skills taught"), blank=True, related_name="courses_teaching"
    )
    skills_required = models.ManyToManyField(
        Skill, verbose_name=_("skills required"), blank=True, related_name="courses_requiring"
    )
    capacity = models.PositiveIntegerField(
        _("seats"),
        null=True,
        blank=True,
        help_text=_("Empty: no limit. When full, new learners wait in line."),
    )
    self_enrolment = models.BooleanField(_("people may enrol themselves"), default=False)
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    attendance_share = models.PositiveSmallIntegerField(
        _("attendance needed (%)"),
        default=75,
        validators=PERCENT,
        help_text=_("Share of the workshops and sessions a learner must attend to complete the course."),
    )
    cohorts = models.ManyToManyField(
        Cohort, verbose_name=_("programme cohorts"), blank=True, related_name="courses"
    )

    class Meta:
        ordering = ["label_en", "pk"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=Q(attendance_share__gte=0, attendance_share__lte=100),
                name="course_attendance_0_100",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def description(self) -> str:
        """The description in the active language, falling back to the other."""
        return _bilingual(self.description_ar, self.description_en)


class Module(BilingualLabelMixin, BaseModel):
    """One step of a course: a lesson, video, quiz, assignment, virtual workshop or in-person session."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="modules"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=ModuleKind.choices)
    label_en = models.CharField(_("English title"), max_length=200)
    label_ar = models.CharField(_("Arabic title"), max_length=200)
    body_en = models.TextField(
        _("English text"),
        blank=True,
        help_text=_("Lesson text, video text alternative or assignment instructions."),
    )
    body_ar = models.TextField(_("Arabic text"), blank=True)
    required = models.BooleanField(_("required to complete the course"), default=True)
    prerequisites = models.ManyToManyField(
        "self", verbose_name=_("prerequisites"), symmetrical=False, blank=True, related_name="unlocks"
    )
    video_url = models.URLField(
        _("video link"),
        blank=True,
        help_text=_("Or leave it empty and upload the video file on the files page."),
    )
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), default=70, validators=PERCENT)
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=3, validators=[MinValueValidator(1)]
    )
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), null=True, blank=True)
    meeting_url = models.URLField(_("meeting link"), blank=True)
    capacity = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    venue_accessible = models.BooleanField(_("step-free access for wheelchair users"), default=False)
    accessibility_notes = models.TextField(_("accessibility notes"), blank=True)

    class Meta:
        ordering = ["course", "position", "pk"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        indexes = [models.Index(fields=["course", "position"], name="module_course_position_idx")]

    def __str__(self) -> str:
        return self.label

    @property
    def body(self) -> str:
        """The text in the active language, falling back to the other."""
        return _bilingual(self.body_ar, self.body_en)

    def clean(self) -> None:
        """Each kind needs its own facts: a lesson its text, a video its link and text alternative, and so on."""
        errors: dict[str, Any] = {}
        has_body = bool(self.body_en.strip() or self.body_ar.strip())
        if self.kind in (ModuleKind.LESSON, ModuleKind.ASSIGNMENT) and not has_body:
            errors["body_en"] = _("Write the text in at least one language.")
        # A video's link may stay empty while the provider uploads the file; publishing checks one is there.
        if self.kind == ModuleKind.VIDEO and not has_body:
            errors["body_en"] = _("A video needs a text alternative for people who cannot watch it.")
        if self.kind in (ModuleKind.WORKSHOP, ModuleKind.IN_PERSON) and self.starts_at is None:
            errors["starts_at"] = _("Say when the session starts.")
        if self.kind == ModuleKind.WORKSHOP and not self.meeting_url:
            errors["meeting_url"] = _("Give the meeting link.")
        if self.kind == ModuleKind.IN_PERSON and not self.venue.strip():
            errors["venue"] = _("Say where the session takes place.")
        if errors:
            raise ValidationError(errors)


class Question(BaseModel):
    """A quiz question with one or several right choices."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(
        _("kind"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE
    )
    text_en = models.CharField(_("English question"), max_length=500)
    text_ar = models.CharField(_("Arabic question"), max_length=500)

    class Meta:
        ordering = ["module", "position", "pk"]
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The question in the active language."""
        return _bilingual(self.text_ar, self.text_en)


class Choice(BilingualLabelMixin, models.Model):
    """One answer a learner may pick for a quiz question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label_en = models.CharField(_("English answer"), max_length=300)
    label_ar = models.CharField(_("Arabic answer"), max_length=300)
    correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        ordering = ["question", "position", "pk"]
        verbose_name = _("answer choice")
        verbose_name_plural = _("answer choices")

    def __str__(self) -> str:
        return self.label


class CourseEnrolment(BaseModel):
    """A person's place in a course, from a programme cohort or by enrolling themself, and where it stands."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="course_enrolments"
    )
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="enrolments"
    )
    source = models.CharField(_("source"), max_length=10, choices=EnrolmentSource.choices)
    cohort = models.ForeignKey(
        Cohort,
        verbose_name=_("programme cohort"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=12, choices=EnrolmentStatus.choices)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["course", "pk"]
        verbose_name = _("course enrolment")
        verbose_name_plural = _("course enrolments")
        constraints = [
            models.UniqueConstraint(fields=["person", "course"], name="one_enrolment_per_person_per_course")
        ]
        indexes = [
            models.Index(fields=["course", "status", "status_changed_at"], name="enrolment_course_status_idx")
        ]

    def __str__(self) -> str:
        return f"{self.course_id}/{self.person_id}"


class ProgressEvent(models.Model):
    """Something a learner did with a module (started, completed, passed…), kept once per client event id."""

    enrolment = models.ForeignKey(CourseEnrolment, on_delete=models.CASCADE, related_name="events")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="events")
    verb = models.CharField(_("verb"), max_length=12, choices=Verb.choices)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), null=True, blank=True, validators=PERCENT)
    seconds = models.PositiveIntegerField(_("time spent (seconds)"), default=0)
    client_event_id = models.CharField(_("client event id"), max_length=64)
    at = models.DateTimeField(_("at"), default=timezone.now)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["enrolment", "at", "pk"]
        verbose_name = _("progress event")
        verbose_name_plural = _("progress events")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "client_event_id"], name="progress_event_once_per_client_id"
            )
        ]
        indexes = [
            models.Index(fields=["enrolment", "module", "verb"], name="progress_enrol_module_verb_idx"),
            # Counting, per module, the learners who completed or passed it reads this index alone.
            models.Index(fields=["module", "verb", "enrolment"], name="progress_module_verb_enrol_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.verb} {self.module_id}"

    def as_xapi(self) -> dict[str, Any]:
        """The event as an xAPI statement, with the learner pseudonymized by the enrolment."""
        result: dict[str, Any] = {}
        if self.seconds:
            result["duration"] = f"PT{self.seconds}S"
        if self.progress is not None:
            result["extensions"] = {"https://w3id.org/xapi/cmi5/result/extensions/progress": self.progress}
        return {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"maharat:{self.enrolment_id}:{self.client_event_id}")),
            "actor": {
                "account": {"homePage": "https://maharat.example", "name": f"enrolment-{self.enrolment_id}"}
            },
            "verb": {"id": XAPI_VERBS[Verb(self.verb)], "display": {"en-US": self.verb}},
            "object": {"id": f"https://maharat.example/modules/{self.module_id}"},
            "result": result,
            "timestamp": self.at.isoformat(),
        }


class QuizAttempt(BaseModel):
    """One graded submission of a quiz, numbered per learner, with its answers and score."""

    enrolment = models.ForeignKey(CourseEnrolment, on_delete=models.CASCADE, related_name="attempts")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField(_("attempt"))
    submission_id = models.CharField(_("submission id"), max_length=64)
    answers = models.JSONField(_("answers"), default=dict)
    score = models.PositiveSmallIntegerField(_("score (%)"), validators=PERCENT)
    passed = models.BooleanField(_("passed"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        ordering = ["enrolment", "module", "number"]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "module", "number"], name="quiz_attempt_number_unique"
            ),
            models.UniqueConstraint(fields=["enrolment", "submission_id"], name="quiz_submission_once"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}/{self.module_id} #{self.number}"


class Attendance(BaseModel):
    """Whether a learner was at a workshop or session, as marked by the trainer."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="attendance")
    enrolment = models.ForeignKey(CourseEnrolment, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(_("present"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("marked by"),
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["module", "enrolment"], name="attendance_once_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.module_id}/{self.enrolment_id}: {self.present}"


class Certificate(models.Model):
    """Proof that a person completed a course, checkable by anyone with its verification code."""

    enrolment = models.OneToOneField(CourseEnrolment, on_delete=models.PROTECT, related_name="certificate")
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.display_code

    @property
    def display_code(self) -> str:
        """The code as printed: two groups of five characters."""
        return f"{self.code[:5]}-{self.code[5:]}"


class QuizAnswer(models.Model):
    """One choice a learner picked for one question in one quiz attempt, so item statistics are plain counts."""

    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="chosen")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="answers")
    question_correct = models.BooleanField(_("question answered correctly"))

    class Meta:
        verbose_name = _("quiz answer")
        verbose_name_plural = _("quiz answers")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question", "choice"], name="quiz_answer_once")
        ]
        indexes = [models.Index(fields=["question", "choice"], name="quiz_answer_question_idx")]

    def __str__(self) -> str:
        return f"{self.attempt_id}: {self.question_id}→{self.choice_id}"


# Files and seats live in their own module; importing it here registers them with the app.
from maharat.learning.models_files import AssignmentSubmission, ModuleAttachment, SeatBooking  # noqa: E402, F401
