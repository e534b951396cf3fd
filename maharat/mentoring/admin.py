"""Administration of mentoring: profiles and requests for support staff; pairings and sessions read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from maharat.mentoring.models import MenteeRequest, MentorProfile, Pairing, Session


class ReadOnlyAdmin(admin.ModelAdmin):
    """Pairings and sessions change only through the services, which keep capacity and the audit log right."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MentorProfile)
class MentorProfileAdmin(ReadOnlyAdmin):
    """Mentor profiles."""

    list_display = [
        "display_name",
        "organization",
        "sex",
        "governorate",
        "remote",
        "active_mentees",
        "capacity",
    ]
    list_filter = ["organization", "sex", "remote", "active"]
    search_fields = ["display_name", "user__username"]


@admin.register(MenteeRequest)
class MenteeRequestAdmin(ReadOnlyAdmin):
    """Mentee requests."""

    list_display = [
        "pk",
        "organization",
        "sector",
        "language",
        "governorate",
        "wants_female_mentor",
        "status",
    ]
    list_filter = ["organization", "status", "wants_female_mentor"]


@admin.register(Pairing)
class PairingAdmin(ReadOnlyAdmin):
    """Pairings."""

    list_display = ["pk", "mentor", "status", "started_at", "fit_score", "suggested"]
    list_filter = ["status", "suggested"]


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    """Sessions (notes and feedback are not listed)."""

    list_display = ["pk", "pairing", "starts_at", "mode", "status", "feedback_rating"]
    list_filter = ["status", "mode"]
    exclude = ["notes"]
