"""Admin for programmes: programmes, calls with their rules, applications, runs, cohorts and notices."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from maharat.programmes.models import (
    Application,
    Call,
    Cap,
    Cohort,
    Enrolment,
    Notice,
    PriorityCriterion,
    Programme,
    Question,
    Quota,
    SelectionRun,
)


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    """Programmes."""

    list_display = ("label_en", "label_ar", "owner", "donor", "starts_on", "ends_on")
    search_fields = ("label_en", "label_ar", "slug")
    filter_horizontal = ("governorates",)


class QuestionInline(admin.TabularInline):
    """A call's custom questions."""

    model = Question
    extra = 0


class CriterionInline(admin.TabularInline):
    """A call's priority criteria."""

    model = PriorityCriterion
    extra = 0


class QuotaInline(admin.TabularInline):
    """A call's quotas."""

    model = Quota
    extra = 0


class CapInline(admin.TabularInline):
    """A call's caps."""

    model = Cap
    extra = 0


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    """Calls for applications with their rules."""

    list_display = ("label_en", "code", "programme", "status", "opens_on", "closes_on", "seats")
    list_filter = ("status",)
    search_fields = ("label_en", "label_ar", "code")
    filter_horizontal = ("eligible_governorates",)
    inlines = [QuestionInline, CriterionInline, QuotaInline, CapInline]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Applications (administrators; staff use the programme pages, which audit every change)."""

    list_display = ("id", "call", "person", "channel", "eligible", "score", "status")
    list_filter = ("status", "eligible", "channel")
    raw_id_fields = ("person", "submitted_by", "organization")
    readonly_fields = ("reasons", "breakdown", "score", "eligible", "status_reason")


@admin.register(SelectionRun)
class SelectionRunAdmin(admin.ModelAdmin):
    """Selection runs are a permanent record: they can be read, never changed or deleted."""

    list_display = ("call", "number", "run_at", "run_by", "seed", "status", "selected_count", "total_score")
    exclude = ("inputs", "result")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    """Cohorts."""

    list_display = ("label_en", "programme", "call")


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    """Enrolments."""

    list_display = ("cohort", "person", "status", "enrolled_at")
    list_filter = ("status",)
    raw_id_fields = ("person", "application")


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """Notices owed to applicants."""

    list_display = ("application", "kind", "language", "channel", "created_at", "sent_at")
    list_filter = ("kind", "language", "sent_at")
    raw_id_fields = ("application",)
