"""Shared tables: users, the audit log, log-in failures, governorates and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Every Maharat table records when a row was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class BilingualLabelMixin:
    """Data labels carry Arabic and English; ``label`` picks the one for the active language."""

    label_ar: str
    label_en: str

    @property
    def label(self) -> str:
        """The label in the active language, falling back to the other."""
        if (get_language() or "ar").startswith("ar"):
            return self.label_ar or self.label_en
        return self.label_en or self.label_ar


class User(AbstractUser):
    """A person who logs in: staff by username or e-mail, beneficiaries by phone number."""

    phone = models.CharField(_("phone number"), max_length=20, unique=True, null=True, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="ar"
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")  # type: ignore[assignment]
        verbose_name_plural = _("users")  # type: ignore[assignment]
        swappable = "AUTH_USER_MODEL"


class Governorate(BilingualLabelMixin, models.Model):
    """One of Jordan's twelve governorates (first-level administrative area)."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    label_en = models.CharField(_("English name"), max_length=60)
    label_ar = models.CharField(_("Arabic name"), max_length=60)
    hxl_pcode = models.CharField(_("P-code"), max_length=10, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("governorate")
        verbose_name_plural = _("governorates")

    def __str__(self) -> str:
        return self.label


class AuditAction(models.TextChoices):
    """What was done to personal data."""

    CREATE = "create", _("Created")
    CHANGE = "change", _("Changed")
    MERGE = "merge", _("Merged")
    EXPORT = "export", _("Exported")
    DELETE = "delete", _("Deleted")
    IMPORT = "import", _("Imported")
    CONSENT = "consent", _("Consent recorded")
    WITHDRAW = "withdraw", _("Consent withdrawn")
    LOGIN_LOCKED = "login_locked", _("Log-in locked")


class AuditLog(models.Model):
    """A record that someone created, changed, merged, exported or deleted personal data, and why."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    subject_type = models.CharField(_("subject type"), max_length=60)
    subject_id = models.CharField(_("subject id"), max_length=40, blank=True)
    person_id = models.BigIntegerField(_("person"), null=True, blank=True, db_index=True)
    fields = models.JSONField(_("fields changed"), default=list, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="audit_subject_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.subject_type}#{self.subject_id}"


class LoginFailure(models.Model):
    """One failed log-in attempt, counted for lockout by account and by address."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    identifier = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("failed log-in")
        verbose_name_plural = _("failed log-ins")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.identifier}"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(BaseModel):
    """A secret that lets a partner system call the API as one user; only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(_("key prefix"), max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @staticmethod
    def new_key() -> str:
        """A fresh random token key."""
        return secrets.token_urlsafe(32)

    @staticmethod
    def hash_key(raw: str) -> str:
        """The stored form of a key."""
        return _hash_token(raw)
