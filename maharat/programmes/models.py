"""Programme tables: programmes, calls and their rules, applications, selection runs, cohorts, notices."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maharat.core.models import BaseModel, BilingualLabelMixin, Governorate
from maharat.people.models import Organization, Person
from maharat.programmes.choices import (
    ApplicationStatus,
    ApplyChannel,
    CallStatus,
    CapAttribute,
    Criterion,
    DisabilityRule,
    Group,
    NoticeKind,
    PreviousParticipation,
    QuestionKind,
)

SHARE = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]


class Programme(BilingualLabelMixin, BaseModel):
    """A livelihoods programme run by an organization for a donor, with its components and target groups."""

    owner = models.ForeignKey(
        Organization,
        verbose_name=_("owner organization"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    donor = models.ForeignKey(
        Organization,
        verbose_name=_("donor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funded_programmes",
    )
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    label_en = models.CharField(_("English title"), max_length=200)
    label_ar = models.CharField(_("Arabic title"), max_length=200)
    description_en = models.TextField(_("English description"), blank=True)
    description_ar = models.TextField(_("Arabic description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    target_groups = models.JSONField(_("target groups"), default=list, blank=True)
    components = models.JSONField(_("components"), default=list, blank=True)
    governorates = models.ManyToManyField(
        Governorate, verbose_name=_("governorates served"), blank=True, related_name="programmes"
    )

    class Meta:
        ordering = ["-starts_on", "label_en"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.label


class Call(BilingualLabelMixin, BaseModel):
    """A call for applications to a programme: dates, seats, channels, eligibility rules and priority."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="calls"
    )
    code = models.SlugField(
        _("short code"), max_length=20, unique=True, help_text=_("People type it to apply by text message.")
    )
    label_en = models.CharField(_("English title"), max_length=200)
    label_ar = models.CharField(_("Arabic title"), max_length=200)
    description_en = models.TextField(_("English description"), blank=True)
    description_ar = models.TextField(_("Arabic description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CallStatus.choices, default=CallStatus.DRAFT
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    seats = models.PositiveIntegerField(_("seats"), validators=[MinValueValidator(1)])
    channels = models.JSONField(_("ways to apply"), default=list, blank=True)
    control_share = models.DecimalField(
        _("control group share"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.5"))],
        help_text=_(
            "For an evaluation: the share of the selected pool held back at random within each quota cell."
        ),
    )
    # Eligibility, configured by staff: an empty list means "anyone".
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    sexes = models.JSONField(_("sexes"), default=list, blank=True)
    eligible_governorates = models.ManyToManyField(
        Governorate, verbose_name=_("governorates"), blank=True, related_name="+"
    )
    legal_statuses = models.JSONField(_("legal statuses"), default=list, blank=True)
    education_levels = models.JSONField(_("education levels"), default=list, blank=True)
    employment_statuses = models.JSONField(_("employment statuses"), default=list, blank=True)
    disability = models.CharField(
        _("disability"), max_length=10, choices=DisabilityRule.choices, default=DisabilityRule.ANY
    )
    previous_participation = models.CharField(
        _("previous participation"),
        max_length=10,
        choices=PreviousParticipation.choices,
        default=PreviousParticipation.ALLOWED,
    )

    class Meta:
        ordering = ["-opens_on", "pk"]
        verbose_name = _("call for applications")
        verbose_name_plural = _("calls for applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="call_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def is_open(self, today: dt.date | None = None) -> bool:
        """Published and between its opening and closing dates."""
        today = today or timezone.localdate()
        return self.status == CallStatus.PUBLISHED and self.opens_on <= today <= self.closes_on

    def accepts(self, channel: str) -> bool:
        """Whether applications through this channel are accepted (staff may always apply on behalf)."""
        return channel == ApplyChannel.STAFF or not self.channels or channel in self.channels


class Question(BilingualLabelMixin, BaseModel):
    """A custom question of a call; its answer may decide eligibility or earn priority points."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("code"), max_length=40)
    label_en = models.CharField(_("English question"), max_length=300)
    label_ar = models.CharField(_("Arabic question"), max_length=300)
    kind = models.CharField(_("kind of answer"), max_length=10, choices=QuestionKind.choices)
    options = models.JSONField(
        _("options"),
        default=list,
        blank=True,
        help_text=_("For a choice: [code, English, Arabic] per option."),
    )
    required = models.BooleanField(_("an answer is required"), default=True)
    eligible_answers = models.JSONField(
        _("answers that make a person eligible"), default=list, blank=True, help_text=_("Empty: any answer.")
    )
    min_value = models.DecimalField(
        _("lowest eligible number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("highest eligible number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["call", "position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [models.UniqueConstraint(fields=["call", "code"], name="question_code_unique_per_call")]

    def __str__(self) -> str:
        return self.label

    def option_label(self, value: str) -> str:
        """The label of a choice in the active language."""
        from django.utils.translation import get_language

        for option in self.options:
            if option and option[0] == value:
                english = (get_language() or "ar").startswith("en")
                return str(option[1] if english else option[2] or option[1])
        return value


class PriorityCriterion(BaseModel):
    """Points an applicant earns for meeting one criterion; the sum is their priority score."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    criterion = models.CharField(_("criterion"), max_length=20, choices=Criterion.choices)
    points = models.DecimalField(
        _("points"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    answers = models.JSONField(_("answers that earn the points"), default=list, blank=True)
    threshold = models.DecimalField(_("threshold"), max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["call", "pk"]
        verbose_name = _("priority criterion")
        verbose_name_plural = _("priority criteria")

    def __str__(self) -> str:
        return f"{self.get_criterion_display()}: {self.points}"


class Quota(BaseModel):
    """A minimum share of the cohort (and optionally reserved seats) for a group."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="quotas")
    group = models.CharField(_("group"), max_length=20, choices=Group.choices)
    min_share = models.DecimalField(
        _("minimum share"), max_digits=4, decimal_places=3, default=Decimal("0"), validators=SHARE
    )
    reserved_seats = models.PositiveIntegerField(_("reserved seats"), default=0)

    class Meta:
        ordering = ["call", "pk"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [models.UniqueConstraint(fields=["call", "group"], name="quota_group_unique_per_call")]

    def __str__(self) -> str:
        return f"{self.get_group_display()} ≥ {self.min_share:.0%}"


class Cap(BaseModel):
    """A maximum number or share of the cohort from one governorate or organization (or from each)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="caps")
    attribute = models.CharField(_("limit by"), max_length=20, choices=CapAttribute.choices)
    value = models.CharField(
        _("value"), max_length=40, blank=True, help_text=_("Empty: the limit applies to each value.")
    )
    max_count = models.PositiveIntegerField(_("at most (people)"), null=True, blank=True)
    max_share = models.DecimalField(
        _("at most (share)"), max_digits=4, decimal_places=3, null=True, blank=True, validators=SHARE
    )

    class Meta:
        ordering = ["call", "pk"]
        verbose_name = _("cap")
        verbose_name_plural = _("caps")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_count__isnull=False) | Q(max_share__isnull=False), name="cap_has_a_limit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_attribute_display()} {self.value or '*'}"


class Application(BaseModel):
    """A person's application to a call, with its eligibility, priority and status."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="applications"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="applications"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ApplyChannel.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("referring organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    eligible = models.BooleanField(_("eligible"), default=False)
    reasons = models.JSONField(_("eligibility reasons"), default=list, blank=True)
    score = models.DecimalField(_("priority score"), max_digits=8, decimal_places=2, default=Decimal("0"))
    breakdown = models.JSONField(_("priority breakdown"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    status_reason = models.JSONField(_("why"), default=dict, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(fields=["call", "person"], name="one_application_per_person_per_call")
        ]
        indexes = [models.Index(fields=["call", "status"], name="application_call_status_idx")]

    def __str__(self) -> str:
        return f"{self.call_id}/{self.person_id}"


class SelectionRun(models.Model):
    """An immutable record of one cohort selection: inputs, rules, seed, code version, result, who and when."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="selection_runs")
    number = models.PositiveIntegerField(_("run"))
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    run_at = models.DateTimeField(_("run at"), default=timezone.now)
    seed = models.BigIntegerField(_("lottery seed"))
    code_version = models.CharField(_("code version"), max_length=80)
    input_hash = models.CharField(_("hash of the applicant data"), max_length=64)
    inputs = models.JSONField(_("applicant data"))
    rules = models.JSONField(_("rules"))
    result = models.JSONField(_("result"))
    status = models.CharField(_("outcome"), max_length=12)
    total_score = models.DecimalField(_("total priority"), max_digits=14, decimal_places=2)
    selected_count = models.PositiveIntegerField(_("selected"))

    class Meta:
        ordering = ["call", "-number"]
        verbose_name = _("selection run")
        verbose_name_plural = _("selection runs")
        constraints = [models.UniqueConstraint(fields=["call", "number"], name="selection_run_number_unique")]

    def __str__(self) -> str:
        return f"{self.call_id} #{self.number}"


class Cohort(BilingualLabelMixin, BaseModel):
    """The group of people enrolled in a programme through a call; learning and placements start from it."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cohorts")
    call = models.OneToOneField(Call, on_delete=models.PROTECT, related_name="cohort")
    label_en = models.CharField(_("English name"), max_length=200)
    label_ar = models.CharField(_("Arabic name"), max_length=200)

    class Meta:
        ordering = ["programme", "pk"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")

    def __str__(self) -> str:
        return self.label


class Enrolment(BaseModel):
    """A person's place in a cohort, from confirming the offered seat until they finish or leave."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="programme_enrolments")
    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="enrolment"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["cohort", "pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "person"], name="one_enrolment_per_person_per_cohort")
        ]

    def __str__(self) -> str:
        return f"{self.cohort_id}/{self.person_id}"


class Notice(BaseModel):
    """A message owed to an applicant (received, offered, waitlisted, enrolled), kept until messaging sends it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("kind"), max_length=15, choices=NoticeKind.choices)
    language = models.CharField(_("language"), max_length=5)
    channel = models.CharField(_("channel"), max_length=10)
    text = models.TextField(_("text"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.kind}"
