"""Messages learning owes learners: a seat freed from the waiting list, a workshop tomorrow, a nudge from staff.

Every message goes through ``message_send_to_person`` with an idempotency key, so running a reminder twice
or retrying after a crash never texts anyone twice; the outbox decides about consent, opt-outs and quiet hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from maharat.core.audit import audit_record
from maharat.core.models import AuditAction
from maharat.learning.choices import SESSION_KINDS, EnrolmentStatus, ModuleKind
from maharat.learning.models import Course, CourseEnrolment, Module
from maharat.messaging.choices import Status
from maharat.messaging.models import Message
from maharat.messaging.services import message_send_to_person


def _language(enrolment: CourseEnrolment) -> str:
    return enrolment.person.preferred_language or "ar"


def seat_freed_notify(*, enrolment: CourseEnrolment) -> Message:
    """Tell a learner moved from the waiting list that a seat is theirs (once per promotion)."""
    language = _language(enrolment)
    with translation.override(language):
        text = _(
            "Good news: a seat is free in the course “%(course)s” and it is yours. You can start now."
        ) % {"course": enrolment.course.label}
    stamp = int(enrolment.status_changed_at.timestamp())
    return message_send_to_person(
        person=enrolment.person,
        text=text,
        language=language,
        idempotency_key=f"learning:seat:{enrolment.pk}:{stamp}",
    )


def nudge_text(course: Course, language: str) -> str:
    """The reminder staff send to an inactive or stuck learner, in the learner's language."""
    with translation.override(language):
        return _(
            "We miss you in the course “%(course)s”. Pick up where you stopped, or reply if you need help."
        ) % {"course": course.label}


@transaction.atomic
def learners_nudge(
    *, actor: Any, course: Course, enrolments: Iterable[CourseEnrolment], now: dt.datetime | None = None
) -> dict[str, int]:
    """Send each chosen learner a reminder, at most once a day each; returns how many were queued or not sent."""
    now = now or timezone.now()
    day = timezone.localdate(now).isoformat()
    counts = {"queued": 0, "not_sent": 0, "already": 0}
    for enrolment in enrolments:
        key = f"learning:nudge:{enrolment.pk}:{day}"
        if Message.objects.filter(idempotency_key=key).exists():
            counts["already"] += 1
            continue
        language = _language(enrolment)
        message = message_send_to_person(
            person=enrolment.person,
            text=nudge_text(course, language),
            language=language,
            idempotency_key=key,
            now=now,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            subject=message,
            person_id=enrolment.person_id,
            fields=["message"],
            reason=f"reminder about course {course.pk}",
        )
        counts["not_sent" if message.status == Status.BLOCKED else "queued"] += 1
    return counts


def _tomorrow(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    day = timezone.localdate(now) + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def sessions_tomorrow(now: dt.datetime | None = None) -> list[Module]:
    """Workshops and in-person sessions of published courses that start tomorrow (local time)."""
    start, end = _tomorrow(now or timezone.now())
    return list(
        Module.objects.filter(
            kind__in=list(SESSION_KINDS), course__published=True, starts_at__gte=start, starts_at__lt=end
        )
        .select_related("course")
        .order_by("starts_at", "pk")
    )


def workshop_text(module: Module, language: str) -> str:
    """“Workshop tomorrow” in the learner's language, with the time and the link or venue."""
    with translation.override(language):
        when = date_format(timezone.localtime(module.starts_at), "H:i")  # type: ignore[arg-type]
        where = module.meeting_url if module.kind == ModuleKind.WORKSHOP else module.venue
        return _("Reminder: “%(session)s” of the course “%(course)s” is tomorrow at %(time)s. %(where)s") % {
            "session": module.label,
            "course": module.course.label,
            "time": when,
            "where": where,
        }


def workshop_reminders_send(
    *, now: dt.datetime | None = None, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Remind the active learners of each session starting tomorrow (those with a seat, when seats are limited), once each."""
    now = now or timezone.now()
    counts = {"sessions": 0, "queued": 0, "not_sent": 0, "already": 0}
    modules = sessions_tomorrow(now)
    counts["sessions"] = len(modules)
    for done, module in enumerate(modules, start=1):
        enrolments = CourseEnrolment.objects.filter(course_id=module.course_id, status=EnrolmentStatus.ACTIVE)
        if module.kind == ModuleKind.WORKSHOP and module.capacity is not None:
            # A workshop with limited seats expects only the learners who booked one.
            enrolments = enrolments.filter(bookings__module=module)
        enrolments = enrolments.select_related("person").order_by("pk")
        keys = {e.pk: f"learning:workshop:{module.pk}:{e.pk}" for e in enrolments}
        sent = set(
            Message.objects.filter(idempotency_key__in=keys.values()).values_list(
                "idempotency_key", flat=True
            )
        )
        for enrolment in enrolments:
            if keys[enrolment.pk] in sent:
                counts["already"] += 1
                continue
            language = _language(enrolment)
            with transaction.atomic():
                message = message_send_to_person(
                    person=enrolment.person,
                    text=workshop_text(module, language),
                    language=language,
                    idempotency_key=keys[enrolment.pk],
                    now=now,
                )
            counts["not_sent" if message.status == Status.BLOCKED else "queued"] += 1
        if progress is not None:
            progress(done, len(modules))
    return counts
