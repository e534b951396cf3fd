"""Registry tables: organizations, memberships, people, consent, duplicates and deletion requests."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maharat.core.models import BaseModel, BilingualLabelMixin, Governorate
from maharat.core.roles import Role
from maharat.people.choices import (
    Channel,
    ConsentChannel,
    ConsentPurpose,
    DuplicateStatus,
    EducationLevel,
    EmploymentStatus,
    HouseholdRole,
    LegalStatus,
    Nationality,
    OrganizationKind,
    Sex,
    WGAnswer,
)
from maharat.people.validators import validate_birth_date, validate_id_number, validate_national_id

WG_FIELDS = ("wg_seeing", "wg_hearing", "wg_walking", "wg_cognition", "wg_selfcare", "wg_communication")


class Organization(BilingualLabelMixin, BaseModel):
    """An implementing agency, partner NGO, employer, training provider, donor or research body."""

    kind = models.CharField(_("kind"), max_length=30, choices=OrganizationKind.choices)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    label_en = models.CharField(_("English name"), max_length=200)
    label_ar = models.CharField(_("Arabic name"), max_length=200)
    governorate = models.ForeignKey(
        Governorate, verbose_name=_("governorate"), null=True, blank=True, on_delete=models.PROTECT
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["label_en"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.label


class Membership(BaseModel):
    """A user's role at an organization; staff see and do only what their memberships allow."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=30, choices=[c for c in Role.choices if c[0] != Role.BENEFICIARY]
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"


class PersonQuerySet(models.QuerySet["Person"]):
    """Queries over the registry."""

    def active(self) -> PersonQuerySet:
        """People who are neither merged into another record nor anonymized."""
        return self.filter(merged_into__isnull=True, anonymized_at__isnull=True)


class Person(BaseModel):
    """A refugee, migrant worker or host-community member registered with the programme."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    given_name_ar = models.CharField(_("given name (Arabic)"), max_length=80, blank=True)
    family_name_ar = models.CharField(_("family name (Arabic)"), max_length=80, blank=True)
    given_name_latin = models.CharField(_("given name (Latin)"), max_length=80, blank=True)
    family_name_latin = models.CharField(_("family name (Latin)"), max_length=80, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"), validators=[validate_birth_date])
    nationality = models.CharField(_("nationality"), max_length=2, choices=Nationality.choices)
    legal_status = models.CharField(_("legal status"), max_length=20, choices=LegalStatus.choices)
    national_id = models.CharField(
        _("national ID number"),
        max_length=20,
        null=True,
        blank=True,
        validators=[validate_national_id],
    )
    moi_card_number = models.CharField(
        _("MOI service card number"),
        max_length=20,
        null=True,
        blank=True,
        validators=[validate_id_number],
    )
    unhcr_case_number = models.CharField(
        _("UNHCR case number"),
        max_length=20,
        null=True,
        blank=True,
        validators=[validate_id_number],
    )
    phone = models.CharField(_("phone number"), max_length=20, null=True, blank=True)
    # Indexed by person_gov_sex_idx, whose leading column it is.
    governorate = models.ForeignKey(
        Governorate, verbose_name=_("governorate"), on_delete=models.PROTECT, db_index=False
    )
    locality = models.CharField(_("locality"), max_length=100, blank=True)
    household_role = models.CharField(
        _("household role"), max_length=10, choices=HouseholdRole.choices, blank=True
    )
    female_headed_household = models.BooleanField(_("female-headed household"), default=False)
    wg_seeing = models.PositiveSmallIntegerField(
        _("difficulty seeing"), choices=WGAnswer.choices, null=True, blank=True
    )
    wg_hearing = models.PositiveSmallIntegerField(
        _("difficulty hearing"), choices=WGAnswer.choices, null=True, blank=True
    )
    wg_walking = models.PositiveSmallIntegerField(
        _("difficulty walking"), choices=WGAnswer.choices, null=True, blank=True
    )
    wg_cognition = models.PositiveSmallIntegerField(
        _("difficulty remembering or concentrating"), choices=WGAnswer.choices, null=True, blank=True
    )
    wg_selfcare = models.PositiveSmallIntegerField(
        _("difficulty with self-care"), choices=WGAnswer.choices, null=True, blank=True
    )
    wg_communication = models.PositiveSmallIntegerField(
        _("difficulty communicating"), choices=WGAnswer.choices, null=True, blank=True
    )
    has_disability = models.BooleanField(_("has a disability"), default=False, editable=False)
    education_level = models.CharField(
        _("education level"), max_length=20, choices=EducationLevel.choices, blank=True
    )
    employment_status = models.CharField(
        _("employment status"), max_length=20, choices=EmploymentStatus.choices, blank=True
    )
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="ar"
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=Channel.choices, default=Channel.SMS
    )
    registered_by = models.ForeignKey(
        Organization,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registered_people",
    )
    search_name = models.CharField(max_length=400, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_records",
    )
    anonymized_at = models.DateTimeField(_("anonymized at"), null=True, blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        # Every index slows registration and seeding, so each one serves a query: search_name is matched by
        # the trigram index on PostgreSQL (migration 0002; a b-tree cannot serve LIKE '%…%'), registered_by by
        # its foreign-key index.
        indexes = [
            models.Index(fields=["governorate", "sex"], name="person_gov_sex_idx"),
            models.Index(fields=["legal_status"], name="person_status_idx"),
            models.Index(fields=["date_of_birth"], name="person_dob_idx"),
            models.Index(fields=["has_disability"], name="person_disability_idx"),
        ]
        # Constraints rather than unique=True: the same unique index, without the second, varchar_pattern_ops
        # index PostgreSQL gets for unique=True (lookups are exact, or by trigram for partial phone numbers).
        constraints = [
            models.CheckConstraint(
                condition=Q(sex__in=["F", "M"]),
                name="person_sex_valid",
            ),
            *(
                models.UniqueConstraint(fields=[name], name=f"person_{name}_unique")
                for name in ("national_id", "moi_card_number", "unhcr_case_number", "phone")
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or _("Person %(id)s") % {"id": self.pk}

    @property
    def display_name(self) -> str:
        """Name in Arabic script if known, else in Latin script."""
        arabic = f"{self.given_name_ar} {self.family_name_ar}".strip()
        latin = f"{self.given_name_latin} {self.family_name_latin}".strip()
        return arabic or latin

    @property
    def latin_name(self) -> str:
        """Name in Latin script."""
        return f"{self.given_name_latin} {self.family_name_latin}".strip()

    def age_on(self, day: dt.date) -> int:
        """Age in completed years on a day."""
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int:
        """Age today."""
        return self.age_on(timezone.localdate())

    def wg_answers(self) -> dict[str, int | None]:
        """The six Washington Group answers by domain field."""
        return {field: getattr(self, field) for field in WG_FIELDS}


class Consent(BaseModel):
    """A person's agreement that their data be used for one purpose, by named organizations, until withdrawn."""

    # Indexed by consent_person_cover, whose leading column it is.
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="consents", db_index=False
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    organizations = models.ManyToManyField(
        Organization, verbose_name=_("organizations that may see the record"), blank=True, related_name="+"
    )
    channel = models.CharField(_("how it was given"), max_length=10, choices=ConsentChannel.choices)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notice_version = models.CharField(_("privacy notice version"), max_length=20, default="2026-1")

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        # On PostgreSQL the index also holds what the visibility check reads (access.visible_people), so the
        # check of each candidate person is an index-only scan, without visiting the table.
        indexes = [
            models.Index(
                fields=["person", "purpose"],
                include=["id", "given_at", "withdrawn_at", "expires_at"],
                name="consent_person_cover",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.given_at:%Y-%m-%d})"

    def is_valid_at(self, when: dt.datetime) -> bool:
        """True when given, not withdrawn and not expired at that moment."""
        if self.given_at > when:
            return False
        if self.withdrawn_at is not None and self.withdrawn_at <= when:
            return False
        return self.expires_at is None or self.expires_at > when


def valid_consent_q(purpose: str, prefix: str = "") -> Q:
    """Filter on Consent rows (optionally through a relation prefix) valid now for a purpose."""
    now = timezone.now()
    p = prefix
    return Q(**{f"{p}purpose": purpose, f"{p}given_at__lte": now, f"{p}withdrawn_at__isnull": True}) & (
        Q(**{f"{p}expires_at__isnull": True}) | Q(**{f"{p}expires_at__gt": now})
    )


class DuplicateFlag(BaseModel):
    """A pair of records that may be the same person, waiting for staff to merge or dismiss."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="duplicate_flags")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("name similarity"))
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(fields=["person", "other"], name="duplicate_flag_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"#{self.person_id} ~ #{self.other_id} ({self.score:.0f})"


class DeletionRequest(BaseModel):
    """A person's request that their record be deleted; carrying it out anonymizes the record."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="deletion_requests")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")

    def __str__(self) -> str:
        return f"#{self.person_id} {self.created_at:%Y-%m-%d}"


class ImportJob(BaseModel):
    """An upload of people from CSV/XLSX, its column mapping, and the row-level report of what happened."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        VALIDATED = "validated", _("Checked")
        RUNNING = "running", _("Importing")
        FAILED = "failed", _("Has errors")
        COMMITTED = "committed", _("Imported")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField()
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED)
    report = models.JSONField(_("report"), default=dict, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.filename
