"""Messages to learners: a freed seat, workshops tomorrow (command and task), each sent once."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command
from django.utils import timezone

from maharat.core.testing import Personas
from maharat.learning import services
from maharat.learning.choices import EnrolmentStatus, ModuleKind
from maharat.learning.models import Module
from maharat.learning.notify import sessions_tomorrow, workshop_reminders_send
from maharat.learning.tasks import workshop_reminders
from maharat.learning.tests.factories import CourseKit, make_course
from maharat.messaging.models import Message
from maharat.programmes.tests.factories import applicant


def _tomorrow_at(hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 30)))


class WaitlistNoticeTests:
    def test_learner_moved_from_the_waiting_list_is_told_once(self, personas: Personas) -> None:
        course = make_course(personas, capacity=1).course
        first = services.enrol(actor=None, course=course, person=applicant(personas))
        waiting = services.enrol(actor=None, course=course, person=personas.amal)
        assert waiting.status == EnrolmentStatus.WAITLISTED and not Message.objects.exists()
        promoted = services.enrolment_withdraw(actor=None, enrolment=first)
        assert promoted is not None and promoted.pk == waiting.pk
        message = Message.objects.get(person=personas.amal)
        assert message.idempotency_key.startswith(f"learning:seat:{waiting.pk}:")
        assert course.label_ar in message.text and message.status != "blocked"

    def test_withdrawal_from_the_waiting_list_tells_nobody(self, personas: Personas) -> None:
        course = make_course(personas, capacity=1).course
        services.enrol(actor=None, course=course, person=applicant(personas))
        waiting = services.enrol(actor=None, course=course, person=personas.amal)
        assert services.enrolment_withdraw(actor=None, enrolment=waiting) is None
        assert not Message.objects.exists()


class WorkshopReminderTests:
    def test_active_learners_of_tomorrows_workshop_are_reminded_once_each(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        Module.objects.filter(pk=kit.workshop.pk).update(starts_at=_tomorrow_at(10))
        amal = services.enrol(actor=None, course=kit.course, person=personas.amal)
        quiet = services.enrol(actor=None, course=kit.course, person=applicant(personas))
        gone = services.enrol(actor=None, course=kit.course, person=applicant(personas))
        services.enrolment_withdraw(actor=None, enrolment=gone)
        out = io.StringIO()
        call_command("learning_reminders", stdout=out)
        assert "Sessions tomorrow: 1." in out.getvalue()
        keys = set(Message.objects.values_list("idempotency_key", flat=True))
        assert keys == {
            f"learning:workshop:{kit.workshop.pk}:{amal.pk}",
            f"learning:workshop:{kit.workshop.pk}:{quiet.pk}",
        }
        text = Message.objects.get(person=personas.amal).text
        assert "10:30" in text and kit.workshop.meeting_url in text
        assert workshop_reminders() == {"sessions": 1, "queued": 0, "not_sent": 0, "already": 2}
        assert Message.objects.count() == 2

    def test_in_person_session_gives_its_venue_and_other_days_are_left_alone(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        session = Module.objects.create(
            course=kit.course,
            position=5,
            kind=ModuleKind.IN_PERSON,
            label_en="Lab day",
            label_ar="يوم المختبر",
            starts_at=_tomorrow_at(9),
            venue="Zaatari community centre",
        )
        draft = make_course(personas, published=False).workshop
        Module.objects.filter(pk=draft.pk).update(starts_at=_tomorrow_at(11))
        services.enrol(actor=None, course=kit.course, person=personas.amal)
        assert [m.pk for m in sessions_tomorrow()] == [session.pk]
        counts = workshop_reminders_send()
        assert counts["sessions"] == 1 and counts["queued"] == 1
        assert "Zaatari community centre" in Message.objects.get().text
        later = timezone.now() + dt.timedelta(days=1)
        assert sessions_tomorrow(later) == []


class BookedWorkshopTests:
    def test_only_learners_with_a_seat_are_reminded_and_counted_as_booked(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        from maharat.learning import reports
        from maharat.learning.models import CourseEnrolment
        from maharat.learning.services_files import workshop_book

        Module.objects.filter(pk=kit.workshop.pk).update(starts_at=_tomorrow_at(10), capacity=5)
        workshop = Module.objects.get(pk=kit.workshop.pk)
        booked = services.enrol(actor=None, course=kit.course, person=personas.amal)
        services.enrol(actor=None, course=kit.course, person=applicant(personas))
        workshop_book(actor=None, enrolment=booked, module=workshop)
        assert workshop_reminders_send()["queued"] == 1
        assert Message.objects.get().person_id == personas.amal.pk
        [session], _learners = reports.attendance_summary(kit.course, CourseEnrolment.objects.all())
        assert session.booked == 1 and session.unmarked == 1
