"""Admin for opportunities: administrators edit the work-rights lists, permit routes and minimum wages here."""

from __future__ import annotations

from django.contrib import admin

from maharat.opportunities.models import (
    Application,
    EmployerProfile,
    MinimumWage,
    Opportunity,
    OpportunityReport,
    OpportunitySkill,
    PermitRoute,
    Placement,
    RetentionCheck,
    WorkRightsEntry,
    WorkRightsList,
)


class WorkRightsEntryInline(admin.TabularInline):
    """Entries of a list."""

    model = WorkRightsEntry
    extra = 0
    fields = (
        "label_en",
        "label_ar",
        "isco_codes",
        "keywords_en",
        "keywords_ar",
        "nationalities",
        "legal_statuses",
        "exempt_above_insured_workers",
    )


@admin.register(WorkRightsList)
class WorkRightsListAdmin(admin.ModelAdmin):
    """Closed-occupation and closed-craft lists with their dates."""

    list_display = ("label_en", "kind", "year", "effective_from", "effective_to")
    inlines = [WorkRightsEntryInline]


@admin.register(WorkRightsEntry)
class WorkRightsEntryAdmin(admin.ModelAdmin):
    """Closed occupations and crafts."""

    list_display = ("label_en", "label_ar", "work_rights_list", "exempt_above_insured_workers")
    list_filter = ("work_rights_list",)
    search_fields = ("label_en", "label_ar")


@admin.register(PermitRoute)
class PermitRouteAdmin(admin.ModelAdmin):
    """Flexible permits and sectors open to Syrians."""

    list_display = ("label_en", "kind", "effective_from", "effective_to")


@admin.register(MinimumWage)
class MinimumWageAdmin(admin.ModelAdmin):
    """The minimum wage over time."""

    list_display = ("amount_monthly", "hours_per_week", "effective_from", "source")


@admin.register(EmployerProfile)
class EmployerProfileAdmin(admin.ModelAdmin):
    """Employers and their verification."""

    list_display = ("organization", "status", "insured_workers", "verified_at")
    list_filter = ("status",)
    readonly_fields = ("document", "document_name", "document_content_type", "document_size", "verified_by")


class OpportunitySkillInline(admin.TabularInline):
    """Required skills."""

    model = OpportunitySkill
    extra = 0
    autocomplete_fields = ("skill",)


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    """Offers."""

    list_display = ("title_en", "title_ar", "employer", "kind", "status", "closing_date")
    list_filter = ("status", "kind", "sector")
    search_fields = ("title_en", "title_ar")
    inlines = [OpportunitySkillInline]
    readonly_fields = ("safeguarding_flags", "search_text")


@admin.register(OpportunityReport)
class OpportunityReportAdmin(admin.ModelAdmin):
    """Reports of offers."""

    list_display = ("opportunity", "reason", "status", "created_at")
    list_filter = ("status", "reason")


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Job applications (no CV files here: they are served by the access-checked page)."""

    list_display = ("opportunity", "person", "status", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("person", "opportunity")
    exclude = ("cv",)


class RetentionCheckInline(admin.TabularInline):
    """Follow-ups."""

    model = RetentionCheck
    extra = 0


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    """Placements and their follow-ups."""

    list_display = ("person", "opportunity", "start_date", "wage_amount")
    raw_id_fields = ("person", "opportunity", "application")
    inlines = [RetentionCheckInline]
