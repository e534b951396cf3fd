"""Opportunity tables: employers' verification, opportunities and their skills, work-rights lists,
minimum wages, applications and their history, reports, placements and retention checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from maharat.core.models import BaseModel, BilingualLabelMixin, Governorate
from maharat.opportunities.choices import (
    ApplicationStatus,
    Importance,
    NotSelectedReason,
    OpportunityKind,
    OpportunityStatus,
    PermitRouteKind,
    ReportReason,
    ReportStatus,
    RetentionMonth,
    VerificationStatus,
    WagePeriod,
    WorkRightsListKind,
)
from maharat.people.choices import EducationLevel
from maharat.people.models import Organization, Person
from maharat.skills.choices import IsicSection
from maharat.skills.models import Occupation, Skill

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class EmployerProfile(BaseModel):
    """What staff know of an employer organization: its registration, size and whether it is verified."""

    organization = models.OneToOneField(
        Organization,
        verbose_name=_("employer"),
        on_delete=models.CASCADE,
        related_name="employer_profile",
    )
    registration_number = models.CharField(_("commercial registration number"), max_length=40, blank=True)
    insured_workers = models.PositiveIntegerField(
        _("insured workers"),
        null=True,
        blank=True,
        help_text=_(
            "Workers insured with the Social Security Corporation; some work-rights exemptions depend on it."
        ),
    )
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    status = models.CharField(
        _("verification"),
        max_length=12,
        choices=VerificationStatus.choices,
        default=VerificationStatus.UNVERIFIED,
    )
    document = models.FileField(_("registration document"), upload_to="private/employers/", blank=True)
    document_name = models.CharField(_("document file name"), max_length=200, blank=True)
    document_content_type = models.CharField(max_length=100, blank=True)
    document_size = models.PositiveIntegerField(null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("staff note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("employer profile")
        verbose_name_plural = _("employer profiles")

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_status_display()})"

    @property
    def is_verified(self) -> bool:
        """Staff checked the employer's registration."""
        return self.status == VerificationStatus.VERIFIED


class OpportunityQuerySet(models.QuerySet["Opportunity"]):
    """Queries over opportunities."""

    def visible(self, on: dt.date | None = None) -> OpportunityQuerySet:
        """Published offers of verified employers that have not passed their closing date."""
        from django.utils import timezone

        day = on or timezone.localdate()
        return self.filter(
            status=OpportunityStatus.PUBLISHED,
            employer__employer_profile__status=VerificationStatus.VERIFIED,
        ).filter(Q(closing_date__isnull=True) | Q(closing_date__gte=day))


class Opportunity(BaseModel):
    """A job, freelance gig, training placement, apprenticeship or internship offered by an employer."""

    employer = models.ForeignKey(
        Organization,
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OpportunityKind.choices)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    title_ar = models.CharField(_("Arabic title"), max_length=200, blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    description_ar = models.TextField(_("Arabic description"), blank=True)
    sector = models.CharField(_("sector (ISIC section)"), max_length=1, choices=IsicSection.choices)
    occupation = models.ForeignKey(
        Occupation,
        verbose_name=_("occupation (ISCO-08)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    governorate = models.ForeignKey(
        Governorate,
        verbose_name=_("governorate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    locality = models.CharField(_("locality"), max_length=100, blank=True)
    remote = models.BooleanField(_("remote work"), default=False)
    foreign_client = models.BooleanField(_("for a client abroad"), default=False)
    wage_amount = models.DecimalField(
        _("wage or stipend (JOD)"),
        null=True,
        blank=True,
        max_digits=10,
        decimal_places=2,
        validators=NON_NEGATIVE,
    )
    wage_period = models.CharField(
        _("wage period"), max_length=6, choices=WagePeriod.choices, default=WagePeriod.MONTH
    )
    hours_per_week = models.PositiveSmallIntegerField(
        _("hours per week"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(84)]
    )
    seats = models.PositiveSmallIntegerField(
        _("seats"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    closing_date = models.DateField(_("closing date"), null=True, blank=True)
    duration_weeks = models.PositiveSmallIntegerField(
        _("duration in weeks"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(260)],
    )
    supervisor_name = models.CharField(_("supervisor"), max_length=120, blank=True)
    languages = models.JSONField(_("languages required"), default=list, blank=True)
    min_education = models.CharField(
        _("minimum education"), max_length=20, choices=EducationLevel.choices, blank=True
    )
    accessible = models.BooleanField(_("accessible to persons with disabilities"), default=False)
    accommodations = models.JSONField(
        _("accommodations offered"),
        default=list,
        blank=True,
        help_text=_("Washington Group domains the workplace accommodates, e.g. wg_walking."),
    )
    open_to_non_jordanians = models.BooleanField(_("open to non-Jordanians"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OpportunityStatus.choices, default=OpportunityStatus.DRAFT
    )
    safeguarding_flags = models.JSONField(_("safeguarding flags"), default=list, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    moderation_note = models.CharField(_("moderation note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    search_text = models.TextField(blank=True, editable=False)
    skills = models.ManyToManyField(
        Skill, verbose_name=_("required skills"), through="OpportunitySkill", blank=True, related_name="+"
    )

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            models.Index(fields=["status", "closing_date"], name="opportunity_status_idx"),
            models.Index(fields=["governorate", "kind"], name="opportunity_gov_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(remote=True) | Q(governorate__isnull=False), name="opportunity_place_or_remote"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The title in the active language, falling back to the other."""
        if (get_language() or "ar").startswith("ar"):
            return self.title_ar or self.title_en
        return self.title_en or self.title_ar

    @property
    def description(self) -> str:
        """The description in the active language, falling back to the other."""
        if (get_language() or "ar").startswith("ar"):
            return self.description_ar or self.description_en
        return self.description_en or self.description_ar

    @property
    def isco_code(self) -> str:
        """The ISCO-08 code of the occupation, or an empty string."""
        return self.occupation.isco_code if self.occupation_id and self.occupation else ""


class OpportunitySkill(models.Model):
    """A skill an opportunity requires, with its importance and the minimum proficiency (1–4)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="required_skills")
    skill = models.ForeignKey(Skill, verbose_name=_("skill"), on_delete=models.PROTECT, related_name="+")
    importance = models.PositiveSmallIntegerField(
        _("importance"), choices=Importance.choices, default=Importance.IMPORTANT
    )
    min_proficiency = models.PositiveSmallIntegerField(
        _("minimum proficiency"), default=1, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )

    class Meta:
        verbose_name = _("required skill")
        verbose_name_plural = _("required skills")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "skill"], name="opportunity_skill_unique"),
            models.CheckConstraint(
                condition=Q(min_proficiency__gte=1, min_proficiency__lte=4),
                name="opportunity_skill_level_1_4",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill_id} ≥{self.min_proficiency} ×{self.importance}"


class WorkRightsList(BilingualLabelMixin, BaseModel):
    """A Ministry of Labour list of occupations or crafts closed to non-Jordanians, valid between two dates."""

    kind = models.CharField(_("kind"), max_length=12, choices=WorkRightsListKind.choices)
    label_en = models.CharField(_("English name"), max_length=200)
    label_ar = models.CharField(_("Arabic name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990)])
    decision = models.CharField(_("decision or source"), max_length=300, blank=True)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)

    class Meta:
        ordering = ["-effective_from", "label_en"]
        verbose_name = _("work-rights list")
        verbose_name_plural = _("work-rights lists")

    def __str__(self) -> str:
        return f"{self.label} ({self.year})"

    def in_force_on(self, day: dt.date) -> bool:
        """Whether the list applies on a day."""
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class WorkRightsEntry(BilingualLabelMixin, BaseModel):
    """One occupation or craft of a list, matched by ISCO-08 code prefix or by keyword in the offer's title."""

    work_rights_list = models.ForeignKey(
        WorkRightsList, verbose_name=_("list"), on_delete=models.CASCADE, related_name="entries"
    )
    label_en = models.CharField(_("English name"), max_length=200)
    label_ar = models.CharField(_("Arabic name"), max_length=200)
    isco_codes = models.JSONField(
        _("ISCO-08 codes"), default=list, blank=True, help_text=_("Code prefixes, e.g. 5141 or 514.")
    )
    keywords_en = models.JSONField(_("English keywords"), default=list, blank=True)
    keywords_ar = models.JSONField(_("Arabic keywords"), default=list, blank=True)
    nationalities = models.JSONField(
        _("nationalities"), default=list, blank=True, help_text=_("Empty: every non-Jordanian nationality.")
    )
    legal_statuses = models.JSONField(
        _("legal statuses"), default=list, blank=True, help_text=_("Empty: every legal status.")
    )
    exempt_above_insured_workers = models.PositiveIntegerField(
        _("exempt above this many insured workers"),
        null=True,
        blank=True,
        help_text=_("Employers with more insured workers than this are exempt."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["work_rights_list", "label_en"]
        verbose_name = _("closed occupation or craft")
        verbose_name_plural = _("closed occupations and crafts")

    def __str__(self) -> str:
        return self.label


class PermitRoute(BilingualLabelMixin, BaseModel):
    """A lawful route for non-Jordanians into some sectors or occupations (e.g. flexible permits), with dates."""

    kind = models.CharField(_("kind"), max_length=20, choices=PermitRouteKind.choices)
    label_en = models.CharField(_("English name"), max_length=200)
    label_ar = models.CharField(_("Arabic name"), max_length=200)
    sectors = models.JSONField(_("ISIC sections"), default=list, blank=True)
    isco_codes = models.JSONField(_("ISCO-08 codes"), default=list, blank=True)
    nationalities = models.JSONField(
        _("nationalities"), default=list, blank=True, help_text=_("Empty: every non-Jordanian nationality.")
    )
    legal_statuses = models.JSONField(
        _("legal statuses"), default=list, blank=True, help_text=_("Empty: every legal status.")
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "label_en"]
        verbose_name = _("permit route")
        verbose_name_plural = _("permit routes")

    def __str__(self) -> str:
        return self.label


class MinimumWage(BaseModel):
    """The national minimum monthly wage for a full working week, from a date on."""

    amount_monthly = models.DecimalField(
        _("monthly amount (JOD)"), max_digits=10, decimal_places=2, validators=NON_NEGATIVE
    )
    hours_per_week = models.PositiveSmallIntegerField(_("full working week (hours)"), default=48)
    effective_from = models.DateField(_("effective from"), unique=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("minimum wage")
        verbose_name_plural = _("minimum wages")

    def __str__(self) -> str:
        return f"{self.amount_monthly} JOD ({self.effective_from})"


class Application(BaseModel):
    """A person's application to an opportunity and where it is in the hiring pipeline."""

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="applications"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="job_applications"
    )
    status = models.CharField(
        _("status"), max_length=15, choices=ApplicationStatus.choices, default=ApplicationStatus.APPLIED
    )
    note = models.TextField(_("message to the employer"), blank=True, max_length=2000)
    cv = models.FileField(_("CV"), upload_to="private/cvs/", blank=True)
    cv_name = models.CharField(_("CV file name"), max_length=200, blank=True)
    cv_content_type = models.CharField(max_length=100, blank=True)
    cv_size = models.PositiveIntegerField(null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    interview_at = models.DateTimeField(_("interview at"), null=True, blank=True)
    interview_place = models.CharField(_("interview place or link"), max_length=300, blank=True)
    not_selected_reason = models.CharField(
        _("reason not selected"), max_length=12, choices=NotSelectedReason.choices, blank=True
    )
    outcome_note = models.CharField(_("outcome note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job application")
        verbose_name_plural = _("job applications")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "person"], name="job_application_unique"),
        ]
        indexes = [models.Index(fields=["opportunity", "status"], name="job_application_status_idx")]

    def __str__(self) -> str:
        return f"#{self.person_id} → {self.opportunity_id} ({self.get_status_display()})"


class ApplicationEvent(models.Model):
    """One step of an application's history: from which status to which, by whom, with what note."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    from_status = models.CharField(_("from"), max_length=15, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=15, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("application step")
        verbose_name_plural = _("application steps")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class OpportunityReport(BaseModel):
    """Someone's report that an offer looks exploitative or false; staff review it."""

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=10, choices=ReportReason.choices)
    text = models.TextField(_("what happened"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution_note = models.CharField(_("resolution"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report of an offer")
        verbose_name_plural = _("reports of offers")

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.get_reason_display()}"


class Placement(BaseModel):
    """A hire or training placement that came from an application, followed up after 1, 3 and 6 months."""

    application = models.OneToOneField(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="placement"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="placements"
    )
    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="placements"
    )
    start_date = models.DateField(_("start date"))
    wage_amount = models.DecimalField(
        _("wage or stipend (JOD)"),
        null=True,
        blank=True,
        max_digits=10,
        decimal_places=2,
        validators=NON_NEGATIVE,
    )
    wage_period = models.CharField(
        _("wage period"), max_length=6, choices=WagePeriod.choices, default=WagePeriod.MONTH
    )
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")

    def __str__(self) -> str:
        return f"#{self.person_id} @ {self.opportunity_id} ({self.start_date})"


class RetentionCheck(BaseModel):
    """A follow-up of a placement after 1, 3 or 6 months: still employed, and what the person earns."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="checks")
    month = models.PositiveSmallIntegerField(_("month"), choices=RetentionMonth.choices)
    due_on = models.DateField(_("due on"))
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    still_employed = models.BooleanField(_("still employed"), null=True, blank=True)
    earnings_amount = models.DecimalField(
        _("earnings reported (JOD per month)"),
        null=True,
        blank=True,
        max_digits=10,
        decimal_places=2,
        validators=NON_NEGATIVE,
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("retention check")
        verbose_name_plural = _("retention checks")
        constraints = [
            models.UniqueConstraint(fields=["placement", "month"], name="retention_check_unique"),
        ]
        indexes = [models.Index(fields=["recorded_at", "due_on"], name="retention_due_idx")]

    def __str__(self) -> str:
        return f"{self.placement_id} +{self.month}m"
