"""Admin for the registry: organizations, memberships, people, consents, duplicates, deletions, imports."""

from __future__ import annotations

from django.contrib import admin

from maharat.people.models import (
    Consent,
    DeletionRequest,
    DuplicateFlag,
    ImportJob,
    Membership,
    Organization,
    Person,
)


class MembershipInline(admin.TabularInline):
    """Members of an organization."""

    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Organizations."""

    list_display = ("label_en", "label_ar", "kind", "slug", "governorate", "active")
    list_filter = ("kind", "active")
    search_fields = ("label_en", "label_ar", "slug")
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Who works where, in which role."""

    list_display = ("user", "organization", "role", "active")
    list_filter = ("role", "active")
    raw_id_fields = ("user",)


class ConsentInline(admin.TabularInline):
    """A person's consents."""

    model = Consent
    extra = 0
    filter_horizontal = ("organizations",)
    raw_id_fields = ("recorded_by",)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """People (administrators only; staff use the registry pages, which audit every change)."""

    list_display = (
        "id",
        "given_name_ar",
        "family_name_ar",
        "given_name_latin",
        "sex",
        "governorate",
        "legal_status",
        "has_disability",
    )
    list_filter = ("sex", "legal_status", "governorate", "has_disability")
    search_fields = ("search_name", "phone")
    raw_id_fields = ("user", "merged_into")
    readonly_fields = ("public_id", "has_disability", "search_name", "anonymized_at")
    show_full_result_count = False
    inlines = [ConsentInline]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    """Consents."""

    list_display = ("person", "purpose", "channel", "given_at", "withdrawn_at")
    list_filter = ("purpose", "channel")
    raw_id_fields = ("person", "recorded_by")


@admin.register(DuplicateFlag)
class DuplicateFlagAdmin(admin.ModelAdmin):
    """Possible duplicates."""

    list_display = ("person", "other", "score", "status", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("person", "other", "resolved_by")


@admin.register(DeletionRequest)
class DeletionRequestAdmin(admin.ModelAdmin):
    """Deletion requests."""

    list_display = ("person", "created_at", "completed_at")
    raw_id_fields = ("person",)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Imports."""

    list_display = ("filename", "organization", "status", "rows_total", "rows_imported", "created_at")
    list_filter = ("status",)
    exclude = ("content",)
