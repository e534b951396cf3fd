"""Demo data of broadcasts: a segment of the agency and a broadcast scheduled for tomorrow morning (idempotent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from maharat.messaging.broadcasts import broadcast_create, segment_save
from maharat.messaging.models_api import Broadcast, Segment
from maharat.messaging.segments import segment_people
from maharat.people.models import Organization

SEGMENT = "Women aged 18-35 (demo)"


def demo_broadcasts(*, officer: Any, organization: Organization) -> dict[str, Any]:
    """A segment of young women the organization may message, and one scheduled broadcast to it."""
    segment = Segment.objects.filter(organization=organization, name=SEGMENT).first()
    if segment is None:
        segment = segment_save(
            actor=officer,
            organization=organization,
            name=SEGMENT,
            filters={"sex": "F", "age_min": 18, "age_max": 35},
        )
    if not Broadcast.objects.filter(segment=segment).exists():
        tomorrow = timezone.localtime() + dt.timedelta(days=1)
        broadcast_create(
            actor=officer,
            organization=organization,
            segment=segment,
            text_ar="ورشة كتابة السيرة الذاتية غداً الساعة العاشرة في مركز المجتمع.",
            text_en="CV-writing workshop tomorrow at 10:00 at the community centre.",
            scheduled_at=tomorrow.replace(hour=10, minute=0, second=0, microsecond=0),
        )
    return {"segment": segment.name, "recipients": segment_people(organization, segment.filters).count()}
