"""Admin for matching: runs and their chunks (read-only records of what was computed)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from maharat.matching.models import MatchChunk, MatchRun


class ChunkInline(admin.TabularInline):
    """The chunks of a run."""

    model = MatchChunk
    extra = 0
    can_delete = False
    readonly_fields = ("phase", "number", "first_id", "last_id", "finished_at", "stored")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin):
    """Runs of the matching engine."""

    list_display = ("pk", "kind", "opportunity", "status", "done", "total", "started_at", "finished_at")
    list_filter = ("kind", "status")
    readonly_fields = (
        "kind", "opportunity", "status", "done", "total", "started_at", "finished_at", "parameters",
        "weights", "code_version", "error", "started_by",
    )  # fmt: skip
    inlines = [ChunkInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
