"""Writing the audit log: every service that changes personal data calls ``audit_record``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from maharat.core.models import AuditAction, AuditLog


def audit_record(
    *,
    actor: Any,
    action: str,
    subject: models.Model | None = None,
    subject_type: str = "",
    subject_id: str | int = "",
    person_id: int | None = None,
    fields: Iterable[str] = (),
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditLog:
    """Write one audit entry: who did what to which record, which fields, and why."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    if subject is not None:
        subject_type = f"{subject._meta.app_label}.{subject._meta.model_name}"
        subject_id = subject.pk
    real_actor = actor if getattr(actor, "is_authenticated", False) else None
    label = ""
    if real_actor is not None:
        label = real_actor.get_username()
    elif isinstance(actor, str):
        label = actor
    return AuditLog.objects.create(
        actor=real_actor,
        actor_label=label[:150],
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        person_id=person_id,
        fields=sorted(set(fields)),
        reason=reason[:500],
        detail=detail or {},
    )
