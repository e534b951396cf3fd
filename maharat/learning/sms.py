"""Learning by text message: COURSE / دورة answers with the person's next workshop and next module.

The messaging router calls ``course_reply`` for a registered number only. The reply, in the person's
language and within two text messages, names the soonest workshop or in-person session still to come in
their active enrolments (date and time in the platform's time zone), then, per course, the module where
they pick up (the first open module not yet done, as on their course page).
"""

from __future__ import annotations

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from maharat.learning import progress
from maharat.learning.choices import SESSION_KINDS, EnrolmentStatus
from maharat.learning.models import CourseEnrolment, Module
from maharat.messaging.parts import sms_parts
from maharat.people.models import Person

MAX_PARTS = 2


def _when(module: Module) -> str:
    assert module.starts_at is not None  # noqa: S101 - only sessions with a start are listed
    return formats.date_format(timezone.localtime(module.starts_at), "Y-m-d H:i")


def course_lines(person: Person) -> list[str]:
    """Short lines: the next session to attend, then each active course's next module."""
    enrolments = CourseEnrolment.objects.filter(person=person, status=EnrolmentStatus.ACTIVE).select_related(
        "course"
    )
    rows = list(enrolments.order_by("pk"))
    if not rows:
        return []
    lines = []
    upcoming = (
        Module.objects.filter(
            course_id__in=[e.course_id for e in rows], kind__in=SESSION_KINDS, starts_at__gte=timezone.now()
        )
        .select_related("course")
        .order_by("starts_at", "pk")
        .first()
    )
    if upcoming is not None:
        lines.append(
            _("Next session: %(module)s, %(when)s (%(course)s).")
            % {"module": upcoming.label, "when": _when(upcoming), "course": upcoming.course.label}
        )
    states = progress.module_states(enrolments)
    for enrolment in rows:
        modules = progress.course_modules(enrolment.course)
        module = progress.resume_module(modules, states, enrolment.pk)
        if module is None or module == upcoming:
            continue
        lines.append(
            _("%(course)s: next, %(module)s.") % {"course": enrolment.course.label, "module": module.label}
        )
    return lines


def course_reply(person: Person) -> str:
    """The COURSE answer for a person, in their language, in at most two text messages."""
    with translation.override(person.preferred_language or "ar"):
        lines = course_lines(person)
        if not lines:
            return _("You are not enrolled in a course now. See the courses on the Maharat website.")
        text = lines[0]
        for line in lines[1:]:
            if sms_parts(f"{text}\n{line}") > MAX_PARTS:
                break
            text = f"{text}\n{line}"
        return text
