"""Admin for broadcasts and RapidPro: segments, broadcasts, flow runs with their answers, and API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maharat.messaging.broadcasts import token_create, token_revoke
from maharat.messaging.models_api import Broadcast, FlowResult, FlowRun, OrganizationToken, Segment


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    """Saved filters on the registry, per organization."""

    list_display = ("name", "organization", "created_at")
    list_filter = ("organization",)
    search_fields = ("name",)
    readonly_fields = ("uuid",)


@admin.register(Broadcast)
class BroadcastAdmin(admin.ModelAdmin):
    """Broadcasts, read-only: staff write them on the Broadcasts page, partner systems through the API."""

    list_display = ("scheduled_at", "organization", "segment", "status", "via_api")
    list_filter = ("status", "organization", "via_api")
    raw_id_fields = ("people",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FlowResultInline(admin.TabularInline):
    """The answers of one run."""

    model = FlowResult
    extra = 0
    can_delete = False
    fields = ("key", "name", "value", "category", "answered_at")
    readonly_fields = fields


@admin.register(FlowRun)
class FlowRunAdmin(admin.ModelAdmin):
    """Flow runs whose answers RapidPro sent through webhooks."""

    list_display = ("updated_at", "organization", "flow_name", "urn")
    list_filter = ("organization",)
    search_fields = ("flow_name", "flow_uuid", "urn")
    raw_id_fields = ("person",)
    inlines = [FlowResultInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(OrganizationToken)
class OrganizationTokenAdmin(admin.ModelAdmin):
    """Tokens for RapidPro webhooks and the /api/v2/ API; the key is shown once, when the token is made."""

    list_display = ("name", "organization", "key_prefix", "last_used_at", "revoked_at")
    list_filter = ("organization",)
    fields = ("organization", "name")
    actions = ["revoke"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: OrganizationToken, form: Any, change: bool) -> None:
        token, key = token_create(actor=request.user, organization=obj.organization, name=obj.name)
        obj.pk = token.pk
        messages.warning(request, _("Copy this key now: it is shown only once.") + f" {key}")

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        """Stop the selected tokens from working."""
        for token in queryset:
            token_revoke(actor=request.user, token=token)
