"""Coded values of messaging: channel kinds, directions, statuses, routes and why a message was held back."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    """The gateway a channel talks to."""

    CONSOLE = "console", _("Console (development log)")
    KANNEL = "kannel", _("Kannel SMS gateway")
    RAPIDPRO = "rapidpro", _("RapidPro / TextIt")
    HTTP = "http", _("Generic HTTP gateway")


class Direction(models.TextChoices):
    """Whether a message went to a person or came from one."""

    OUT = "out", _("Outgoing")
    IN = "in", _("Incoming")


class Status(models.TextChoices):
    """Where a message is: outgoing queued → sending → sent → delivered or failed; incoming pending (stored, to
    be routed by a worker) → handled, or received (not understood: waiting for staff)."""

    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    BLOCKED = "blocked", _("Not sent")
    RECEIVED = "received", _("Received, not handled")
    PENDING = "pending", _("Received, being routed")
    HANDLED = "handled", _("Handled")


class Route(models.TextChoices):
    """Which handler answered an incoming message."""

    OPT_OUT = "opt_out", _("Opt-out")
    OPT_IN = "opt_in", _("Opt-in")
    PROGRAMMES = "programmes", _("Programmes")
    HELP = "help", _("Help")
    STATUS = "status", _("Application status")
    UNKNOWN_NUMBER = "unknown_number", _("Unknown number")
    KEYWORD = "keyword", _("Keyword")
    FAQ = "faq", _("Frequently asked question")
    DIALOGUE = "dialogue", _("Dialogue")


class BlockReason(models.TextChoices):
    """Why an outgoing message was not sent at all."""

    NO_PHONE = "no_phone", _("The person has no phone number.")
    NO_CONSENT = "no_consent", _("The person has not consented to receive text messages.")
    OPTED_OUT = "opted_out", _("The person has opted out of text messages.")
    DAILY_CAP = "daily_cap", _("The daily limit of messages to this person was reached.")
    NO_CHANNEL = "no_channel", _("No messaging channel is active.")
