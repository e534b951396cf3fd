"""Admin for users, governorates, the audit log (read-only) and API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from maharat.core.models import ApiToken, AuditLog, Governorate, LoginFailure, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Users, with their phone number and language."""

    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Maharat"), {"fields": ("phone", "preferred_language")}),
    )
    list_display = ("username", "email", "phone", "is_staff", "is_superuser", "is_active")
    search_fields = ("username", "email", "phone")


@admin.register(Governorate)
class GovernorateAdmin(admin.ModelAdmin):
    """Governorates."""

    list_display = ("code", "label_en", "label_ar", "hxl_pcode")


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """The audit log can be read, never changed."""

    list_display = ("at", "actor_label", "action", "subject_type", "subject_id", "person_id", "reason")
    list_filter = ("action", "subject_type")
    search_fields = ("actor_label", "subject_id", "reason")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    """Recent failed log-ins; deleting them unlocks an account."""

    list_display = ("at", "identifier", "ip_address")
    search_fields = ("identifier",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens: the key is shown once, when created."""

    list_display = ("name", "user", "key_prefix", "created_at", "last_used_at", "revoked_at")
    fields = ("user", "name", "revoked_at")
    raw_id_fields = ("user",)

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if not change:
            raw = ApiToken.new_key()
            obj.key_prefix = raw[:8]
            obj.key_hash = ApiToken.hash_key(raw)
            messages.warning(
                request, _("Copy this token now; it will not be shown again: %(key)s") % {"key": raw}
            )
        super().save_model(request, obj, form, change)
