"""Admin for messaging: channels with their inbound addresses, messages, opt-outs and templates."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maharat.messaging.models import Channel, Message, MessageTemplate, OptOut


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    """Channels: settings without secrets, and the addresses the gateway must call."""

    list_display = ("name", "kind", "serves", "active", "priority", "rate_per_second")
    list_filter = ("kind", "active")
    readonly_fields = ("inbound_urls",)

    @admin.display(description=gettext_lazy("inbound addresses"))
    def inbound_urls(self, channel: Channel) -> str:
        """The receive and status URLs, with the channel's secret token, for the gateway's configuration."""
        if channel.pk is None:
            return _("Saved channels show their addresses here.")
        rows = []
        for action in ("receive", "status", "sent", "delivered", "failed"):
            path = reverse(
                "messaging:hook",
                kwargs={"channel_id": channel.pk, "token": channel.inbound_token, "action": action},
            )
            rows.append((action, channel.setting("callback_base").rstrip("/") + path))
        return format_html_join("", "<div><b>{}</b> <code>{}</code></div>", rows)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Messages in and out, read-only: the outbox and the router write them."""

    list_display = ("created_at", "direction", "phone", "status", "route", "channel", "parts", "attempts")
    list_filter = ("direction", "status", "route", "channel", "essential")
    search_fields = ("phone", "idempotency_key", "gateway_id")
    raw_id_fields = ("person", "reply_to")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    """Numbers that opted out of non-essential messages (changed by text message: STOP / START)."""

    list_display = ("phone", "active", "keyword", "changed_at")
    list_filter = ("active",)
    search_fields = ("phone",)
    raw_id_fields = ("person",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """Message templates, with a warning when a text takes more SMS parts than the set limit."""

    list_display = ("code", "description", "parts_ar", "parts_en")
    search_fields = ("code", "text_en", "text_ar")

    @admin.display(description=gettext_lazy("Arabic SMS parts"))
    def parts_ar(self, template: MessageTemplate) -> int:
        """Parts of the Arabic text."""
        return template.parts()["ar"]

    @admin.display(description=gettext_lazy("English SMS parts"))
    def parts_en(self, template: MessageTemplate) -> int:
        """Parts of the English text."""
        return template.parts()["en"]

    def save_model(self, request: HttpRequest, obj: MessageTemplate, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        limit = settings.MESSAGING_MAX_PARTS_WARNING
        for language, parts in obj.parts().items():
            if parts > limit:
                messages.warning(
                    request,
                    _(
                        "The %(language)s text takes %(parts)d SMS parts (more than %(limit)d): each costs one SMS."
                    )
                    % {"language": language, "parts": parts, "limit": limit},
                )


from maharat.messaging import admin_conversations  # noqa: E402, F401 - FAQ, canned replies, surveys, tickets
from maharat.messaging.admin_api import *  # noqa: E402, F403 - broadcast and RapidPro admin
