"""Admin for conversations: FAQ entries and canned replies (audited), surveys, dialogues and tickets (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from maharat.core.audit import audit_record
from maharat.core.models import AuditAction
from maharat.messaging.models_conversations import (
    CannedReply,
    Conversation,
    FaqEntry,
    Survey,
    SurveyResponse,
    Ticket,
)


class _AuditedAdmin(admin.ModelAdmin):
    """Writes in the admin are audited like the services' writes."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=AuditAction.CHANGE if change else AuditAction.CREATE,
            subject=obj,
            fields=list(getattr(form, "changed_data", [])),
            reason="changed in the admin",
        )


@admin.register(FaqEntry)
class FaqEntryAdmin(_AuditedAdmin):
    """The FAQ knowledge base; answers must fit in two text messages (checked by the model)."""

    list_display = ("code", "topic", "question_en", "active")
    list_filter = ("topic", "active")
    search_fields = ("code", "question_en", "question_ar", "keywords_en", "keywords_ar")


@admin.register(CannedReply)
class CannedReplyAdmin(_AuditedAdmin):
    """Replies staff insert into tickets, in the person's language."""

    list_display = ("title", "active")
    search_fields = ("title", "text_en", "text_ar")


@admin.register(Survey)
class SurveyAdmin(_AuditedAdmin):
    """Three-question follow-up surveys."""

    list_display = ("title", "organization", "active")
    list_filter = ("active",)


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(_ReadOnlyAdmin):
    """Answers received by text message."""

    list_display = ("survey", "person", "completed_at")
    raw_id_fields = ("person",)


@admin.register(Conversation)
class ConversationAdmin(_ReadOnlyAdmin):
    """Dialogues by text message (registration, surveys) and where each stands."""

    list_display = ("phone", "kind", "state", "step", "expires_at")
    list_filter = ("kind", "state")
    search_fields = ("phone",)
    raw_id_fields = ("person", "last_message", "survey")


@admin.register(Ticket)
class TicketAdmin(_ReadOnlyAdmin):
    """Helpdesk tickets; staff work on them on the helpdesk pages."""

    list_display = ("pk", "phone", "status", "organization", "assignee", "topic", "first_response_seconds")
    list_filter = ("status", "topic")
    search_fields = ("phone",)
    raw_id_fields = ("person", "messages")
