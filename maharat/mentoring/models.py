"""Mentoring tables: mentor profiles, mentee requests, pairings and their sessions."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from maharat.core.models import BaseModel, Governorate
from maharat.learning.models import Course
from maharat.mentoring.choices import (
    Language,
    MentorSex,
    PairingStatus,
    RequestStatus,
    Sector,
    SessionMode,
    SessionStatus,
)
from maharat.people.models import Organization, Person
from maharat.programmes.models import Cohort
from maharat.skills.models import Skill


class MentorProfile(BaseModel):
    """A person who gives their time to mentor: what they know, where and when, and how many mentees at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="mentor_profile",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization running the mentoring"),
        on_delete=models.PROTECT,
        related_name="mentor_profiles",
    )
    display_name = models.CharField(_("name shown to mentees"), max_length=120)
    sex = models.CharField(_("sex"), max_length=1, choices=MentorSex.choices)
    bio = models.TextField(_("about the mentor"), blank=True, max_length=1000)
    sectors = models.JSONField(_("sectors"), default=list, blank=True)
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), blank=True, related_name="mentors")
    languages = models.JSONField(_("languages"), default=list)
    governorate = models.ForeignKey(
        Governorate,
        verbose_name=_("governorate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    remote = models.BooleanField(_("mentors online or by phone"), default=True)
    availability = models.CharField(_("availability"), max_length=300, blank=True)
    weekdays = models.JSONField(_("usual days"), default=list, blank=True)
    hours_per_month = models.PositiveSmallIntegerField(
        _("hours per month"), default=4, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    capacity = models.PositiveSmallIntegerField(
        _("mentees at once"), default=2, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    # Kept by the pairing services under a row lock; the check constraint below is the database's own guard.
    active_mentees = models.PositiveSmallIntegerField(_("active mentees"), default=0, editable=False)
    preferred_groups = models.JSONField(_("prefers mentees from"), default=list, blank=True)
    active = models.BooleanField(_("taking mentees"), default=True)

    class Meta:
        ordering = ["display_name", "pk"]
        verbose_name = _("mentor profile")
        verbose_name_plural = _("mentor profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(active_mentees__lte=F("capacity")), name="mentor_within_capacity"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="mentor_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def free_places(self) -> int:
        """How many more mentees the mentor can take now."""
        return max(self.capacity - self.active_mentees, 0)

    def sector_labels(self) -> list[str]:
        """The sectors in the active language."""
        return [str(Sector(code).label) for code in self.sectors if code in Sector.values]

    def language_labels(self) -> list[str]:
        """The languages in the active language."""
        return [str(Language(code).label) for code in self.languages if code in Language.values]


class MenteeRequest(BaseModel):
    """A beneficiary's wish for a mentor, with their goals: sector, skills, language, place and preferences."""

    person = models.ForeignKey(
        Person, verbose_name=_("mentee"), on_delete=models.PROTECT, related_name="mentee_requests"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization running the mentoring"),
        on_delete=models.PROTECT,
        related_name="mentee_requests",
    )
    cohort = models.ForeignKey(
        Cohort,
        verbose_name=_("programme cohort"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    course = models.ForeignKey(
        Course, verbose_name=_("course"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    goals = models.TextField(_("goals"), max_length=1000)
    sector = models.CharField(_("sector"), max_length=1, choices=Sector.choices, blank=True)
    skills = models.ManyToManyField(
        Skill, verbose_name=_("skills wanted"), blank=True, related_name="mentee_requests"
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.ARABIC
    )
    governorate = models.ForeignKey(
        Governorate, verbose_name=_("governorate"), on_delete=models.PROTECT, related_name="+"
    )
    remote_ok = models.BooleanField(_("online or phone mentoring is fine"), default=True)
    wants_female_mentor = models.BooleanField(_("asks for a female mentor"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("mentee request")
        verbose_name_plural = _("mentee requests")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organization"],
                condition=Q(status__in=["open", "matched"]),
                name="one_live_mentee_request_per_org",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.organization_id}"


class Pairing(BaseModel):
    """A mentor and a mentee working together, confirmed by staff, with the fit that justified it."""

    mentor = models.ForeignKey(
        MentorProfile, verbose_name=_("mentor"), on_delete=models.PROTECT, related_name="pairings"
    )
    request = models.ForeignKey(
        MenteeRequest, verbose_name=_("mentee request"), on_delete=models.PROTECT, related_name="pairings"
    )
    mentee = models.ForeignKey(
        Person, verbose_name=_("mentee"), on_delete=models.PROTECT, related_name="mentor_pairings"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PairingStatus.choices, default=PairingStatus.ACTIVE
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    fit_score = models.PositiveSmallIntegerField(_("fit score"), default=0)
    fit_terms = models.JSONField(_("fit by term"), default=dict, blank=True)
    suggested = models.BooleanField(_("as suggested"), default=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-started_at", "pk"]
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            models.UniqueConstraint(
                fields=["request"], condition=Q(status="active"), name="one_active_pairing_per_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentor_id}->{self.mentee_id}"


class Session(BaseModel):
    """One mentoring meeting: when and where, whether it was held, the mentor's private notes, the mentee's rating."""

    pairing = models.ForeignKey(
        Pairing, verbose_name=_("pairing"), on_delete=models.CASCADE, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=60, validators=[MinValueValidator(10), MaxValueValidator(480)]
    )
    mode = models.CharField(
        _("where"), max_length=10, choices=SessionMode.choices, default=SessionMode.ONLINE
    )
    meeting_url = models.URLField(_("meeting link"), blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    notes = models.TextField(_("mentor's private notes"), blank=True, max_length=4000)
    feedback_rating = models.PositiveSmallIntegerField(
        _("mentee's rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    feedback_comment = models.TextField(_("mentee's comment"), blank=True, max_length=1000)
    feedback_at = models.DateTimeField(_("feedback given at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("mentoring session")
        verbose_name_plural = _("mentoring sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(feedback_rating__isnull=True)
                | Q(feedback_rating__gte=1, feedback_rating__lte=5, status="held"),
                name="session_feedback_1_5_when_held",
            )
        ]
        indexes = [models.Index(fields=["status", "starts_at"], name="mentoring_session_due_idx")]

    def __str__(self) -> str:
        return f"{self.pairing_id}@{self.starts_at:%Y-%m-%d %H:%M}"
