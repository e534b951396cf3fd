"""Messaging tables: channels to gateways, every message in and out, opt-outs and message templates."""

from __future__ import annotations

import os
import re
import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from maharat.core.models import BaseModel
from maharat.messaging.choices import ChannelKind, Direction, Route, Status
from maharat.messaging.parts import sms_parts
from maharat.people.choices import Channel as PersonChannel
from maharat.people.models import Person

# Config keys that would hold a credential: secrets live in the environment, never in the database.
_SECRET_KEY = re.compile(r"(pass|secret|token|api_?key|auth|credential)", re.IGNORECASE)
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


def new_inbound_token() -> str:
    """A random secret for a channel's inbound URLs."""
    return secrets.token_urlsafe(24)


class Channel(BaseModel):
    """A way to reach people's phones: an SMS gateway, a RapidPro workspace, or the development console."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=ChannelKind.choices)
    serves = models.CharField(
        _("serves"),
        max_length=10,
        choices=[c for c in PersonChannel.choices if c[0] != PersonChannel.WEB],
        default=PersonChannel.SMS,
        help_text=_("People who prefer this way of being reached are sent messages on this channel first."),
    )
    active = models.BooleanField(_("active"), default=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=10, help_text=_("Lower numbers are tried first; the next one is the fallback.")
    )
    config = models.JSONField(
        _("settings"),
        default=dict,
        blank=True,
        help_text=_("Addresses, user names and sender: never a password or token."),
    )
    secret_env = models.CharField(
        _("environment variable of the secret"),
        max_length=100,
        blank=True,
        help_text=_(
            "Name of the environment variable that holds the password or token, e.g. KANNEL_PASSWORD."
        ),
    )
    inbound_token = models.CharField(
        _("inbound token"), max_length=64, unique=True, default=new_inbound_token, editable=False
    )
    rate_per_second = models.PositiveIntegerField(
        _("messages per second"), default=10, help_text=_("0 means no limit.")
    )

    class Meta:
        ordering = ["priority", "pk"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def clean(self) -> None:
        """Refuse credentials in the settings and malformed environment variable names."""
        if not isinstance(self.config, dict):
            raise ValidationError({"config": _("The settings must be a JSON object.")})
        leaked = sorted(key for key in self.config if _SECRET_KEY.search(str(key)))
        if leaked:
            raise ValidationError(
                {
                    "config": _(
                        "Keep passwords and tokens out of the settings (%(keys)s): put them in an environment "
                        "variable and name it below."
                    )
                    % {"keys": ", ".join(leaked)}
                }
            )
        if self.secret_env and not _ENV_NAME.match(self.secret_env):
            raise ValidationError(
                {"secret_env": _("Use capital letters, digits and underscores, e.g. KANNEL_PASSWORD.")}
            )

    def secret(self) -> str:
        """The password or token, read from the environment at the moment it is needed."""
        return os.environ.get(self.secret_env, "") if self.secret_env else ""

    def setting(self, name: str, default: str = "") -> str:
        """One non-secret setting as text."""
        value = self.config.get(name, default) if isinstance(self.config, dict) else default
        return "" if value is None else str(value)


class Message(BaseModel):
    """One text message to or from a person's phone, with where it is on its way and why."""

    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    phone = models.CharField(_("phone number"), max_length=20)
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=5, blank=True)
    template = models.CharField(_("template"), max_length=60, blank=True)
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=200, unique=True, null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    essential = models.BooleanField(
        _("essential"),
        default=False,
        help_text=_("Replies, codes and confirmations: sent despite opt-out and quiet hours."),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    tried_channels = models.JSONField(default=list, blank=True)
    gateway_id = models.CharField(_("gateway id"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    parts = models.PositiveSmallIntegerField(_("parts"), default=1)
    route = models.CharField(_("handled by"), max_length=20, choices=Route.choices, blank=True)
    reply_to = models.ForeignKey(
        "self", verbose_name=_("reply to"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            # The dispatcher's scan for messages due (queued) or stuck (sending past their lease).
            models.Index(
                fields=["status", "next_attempt_at"],
                name="message_due_idx",
                condition=Q(status__in=[Status.QUEUED, Status.SENDING]),
            ),
            # Incoming messages stored by the endpoint and waiting for a routing batch to claim them.
            models.Index(fields=["id"], name="message_pending_idx", condition=Q(status=Status.PENDING)),
            models.Index(fields=["channel", "gateway_id"], name="message_gateway_idx"),
            models.Index(fields=["phone", "created_at"], name="message_phone_day_idx"),
        ]

    def __str__(self) -> str:
        arrow = "→" if self.direction == Direction.OUT else "←"
        return f"{arrow} {self.phone}: {self.text[:40]}"


class OptOut(BaseModel):
    """A phone number's choice to receive no messages but essential ones, until it opts in again."""

    phone = models.CharField(_("phone number"), max_length=20, unique=True)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(_("opted out"), default=True)
    keyword = models.CharField(_("keyword"), max_length=40, blank=True)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")

    def __str__(self) -> str:
        return f"{self.phone}: {'out' if self.active else 'in'}"


class MessageTemplate(BaseModel):
    """A message staff write once in Arabic and English, with {placeholders} filled for each person."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    text_en = models.TextField(_("English text"))
    text_ar = models.TextField(_("Arabic text"))
    description = models.CharField(_("what it is for"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")

    def __str__(self) -> str:
        return self.code

    def text_for(self, language: str) -> str:
        """The text in a language, falling back to the other one."""
        if (language or "ar").startswith("ar"):
            return self.text_ar or self.text_en
        return self.text_en or self.text_ar

    def parts(self) -> dict[str, int]:
        """SMS parts of each language's text before placeholders are filled."""
        return {"ar": sms_parts(self.text_ar), "en": sms_parts(self.text_en)}


from maharat.messaging.models_api import *  # noqa: E402, F403 - broadcast and RapidPro tables
from maharat.messaging.models_conversations import *  # noqa: E402, F403
