"""Broadcast and RapidPro tables: saved segments, broadcasts and their recipients, flow results, API tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from maharat.core.models import BaseModel
from maharat.messaging.models import Message, MessageTemplate
from maharat.people.models import Organization, Person


class Segment(BaseModel):
    """A saved filter on the registry (place, sex, status, age, programme, course, skills…) owned by one organization."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="segment_unique_name_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class BroadcastStatus(models.TextChoices):
    """Where a broadcast is: scheduled, being sent to its recipients, sent, or cancelled before it went."""

    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class Broadcast(BaseModel):
    """One text sent by an organization to a segment or a list of people, each in their own language."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="+"
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="broadcasts",
    )
    people = models.ManyToManyField(Person, verbose_name=_("people"), blank=True, related_name="+")
    text_ar = models.TextField(_("Arabic text"), blank=True)
    text_en = models.TextField(_("English text"), blank=True)
    template = models.ForeignKey(
        MessageTemplate,
        verbose_name=_("message template"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    scheduled_at = models.DateTimeField(_("send at"))
    status = models.CharField(
        _("status"), max_length=10, choices=BroadcastStatus.choices, default=BroadcastStatus.SCHEDULED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    via_api = models.BooleanField(_("created through the API"), default=False)
    urns = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")
        indexes = [models.Index(fields=["status", "scheduled_at"], name="broadcast_due_idx")]

    def __str__(self) -> str:
        return (self.text_en or self.text_ar or (self.template.code if self.template is not None else ""))[
            :60
        ]

    def text_for(self, language: str) -> str:
        """The text in a language, falling back to the other one."""
        if (language or "ar").startswith("ar"):
            return self.text_ar or self.text_en
        return self.text_en or self.text_ar


class BroadcastRecipient(models.Model):
    """One person a broadcast goes to, and the message written for them (one per person, ever)."""

    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("broadcast recipient")
        verbose_name_plural = _("broadcast recipients")
        constraints = [
            models.UniqueConstraint(fields=["broadcast", "person"], name="broadcast_recipient_unique")
        ]

    def __str__(self) -> str:
        return f"{self.broadcast_id}/{self.person_id}"


class FlowRun(BaseModel):
    """A person's pass through a RapidPro flow, as its webhooks reported it."""

    uuid = models.UUIDField(unique=True)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    contact_uuid = models.CharField(_("RapidPro contact"), max_length=40, blank=True)
    urn = models.CharField(_("URN"), max_length=100, blank=True)
    flow_uuid = models.CharField(_("flow"), max_length=40, blank=True)
    flow_name = models.CharField(_("flow name"), max_length=200, blank=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("flow run")
        verbose_name_plural = _("flow runs")

    def __str__(self) -> str:
        return f"{self.flow_name or self.flow_uuid} · {self.urn}"


class FlowResult(BaseModel):
    """One answer a person gave in a RapidPro flow: the result's name, value and category."""

    run = models.ForeignKey(FlowRun, on_delete=models.CASCADE, related_name="results")
    key = models.CharField(_("key"), max_length=64)
    name = models.CharField(_("result"), max_length=64)
    value = models.TextField(_("value"), blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    node_uuid = models.CharField(max_length=40, blank=True)
    input = models.TextField(_("input"), blank=True)
    answered_at = models.DateTimeField(_("answered at"))

    class Meta:
        ordering = ["run", "answered_at", "pk"]
        verbose_name = _("flow result")
        verbose_name_plural = _("flow results")
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="flow_result_unique_key")]

    def __str__(self) -> str:
        return f"{self.name}: {self.category or self.value[:40]}"


def hash_token(raw: str) -> str:
    """The stored form of a token: its SHA-256, so a database leak does not leak the tokens."""
    return hashlib.sha256(raw.encode()).hexdigest()


class OrganizationToken(BaseModel):
    """A secret that lets RapidPro flows and tools call Maharat for one organization; only its hash is kept."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(_("key prefix"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("RapidPro API token")
        verbose_name_plural = _("RapidPro API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @staticmethod
    def new_key() -> str:
        """A fresh random key (40 hex characters, like RapidPro's own tokens)."""
        return secrets.token_hex(20)
