"""Progress events, prerequisites, completion rules, certificates and the skills they add."""

from __future__ import annotations

import pytest

from maharat.core.errors import DomainError
from maharat.core.testing import Personas
from maharat.learning import progress, services
from maharat.learning.choices import EnrolmentStatus, ModuleKind, Verb
from maharat.learning.models import Certificate, CourseEnrolment, Module, ProgressEvent
from maharat.learning.tests.factories import CourseKit
from maharat.skills.models import Evidence, PersonSkill


@pytest.fixture
def enrolment(personas: Personas, kit: CourseKit) -> CourseEnrolment:
    """Amal, enrolled in the course."""
    return services.enrol(actor=personas.amal_user, course=kit.course, person=personas.amal)


def finish_lesson_and_quiz(personas: Personas, kit: CourseKit, enrolment: CourseEnrolment) -> None:
    """Amal reads the lesson and passes the quiz."""
    services.progress_record(
        actor=personas.amal_user,
        enrolment=enrolment,
        module=kit.lesson,
        verb=Verb.COMPLETED,
        client_event_id="l1",
    )
    services.quiz_submit(
        actor=personas.amal_user, enrolment=enrolment, module=kit.quiz, answers=kit.right, submission_id="s1"
    )


class ProgressRecordTests:
    def test_same_client_event_is_kept_once(
        self, personas: Personas, kit: CourseKit, enrolment: CourseEnrolment
    ) -> None:
        first, created = services.progress_record(
            actor=None,
            enrolment=enrolment,
            module=kit.lesson,
            verb=Verb.PROGRESSED,
            client_event_id="e-1",
            seconds=30,
        )
        again, created_again = services.progress_record(
            actor=None,
            enrolment=enrolment,
            module=kit.lesson,
            verb=Verb.PROGRESSED,
            client_event_id="e-1",
            seconds=30,
        )
        assert created and not created_again and first.pk == again.pk
        assert ProgressEvent.objects.count() == 1

    def test_event_maps_to_an_xapi_statement(self, kit: CourseKit, enrolment: CourseEnrolment) -> None:
        event, _ = services.progress_record(
            actor=None,
            enrolment=enrolment,
            module=kit.lesson,
            verb=Verb.COMPLETED,
            client_event_id="x",
            seconds=90,
        )
        statement = event.as_xapi()
        assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
        assert statement["result"]["duration"] == "PT90S"
        assert "amal" not in str(statement).lower()

    def test_server_verbs_cannot_be_sent_by_clients(self, kit: CourseKit, enrolment: CourseEnrolment) -> None:
        with pytest.raises(DomainError, match="Unknown kind of progress"):
            services.progress_record(actor=None, enrolment=enrolment, module=kit.quiz, verb=Verb.PASSED)
        with pytest.raises(DomainError, match="completed by passing"):
            services.progress_record(
                actor=None, enrolment=enrolment, module=kit.workshop, verb=Verb.COMPLETED
            )
        assert not ProgressEvent.objects.exists()

    def test_waitlisted_learner_records_nothing(self, personas: Personas, kit: CourseKit) -> None:
        kit.course.capacity = 0
        kit.course.save()
        waiting = services.enrol(actor=None, course=kit.course, person=personas.omar)
        with pytest.raises(DomainError, match="Only active learners"):
            services.progress_record(actor=None, enrolment=waiting, module=kit.lesson, verb=Verb.STARTED)


class PrerequisiteTests:
    def test_quiz_is_locked_until_the_lesson_is_done(
        self, personas: Personas, kit: CourseKit, enrolment: CourseEnrolment
    ) -> None:
        with pytest.raises(DomainError, match="Finish the modules"):
            services.quiz_submit(
                actor=None, enrolment=enrolment, module=kit.quiz, answers=kit.right, submission_id="a"
            )
        services.progress_record(actor=None, enrolment=enrolment, module=kit.lesson, verb=Verb.COMPLETED)
        attempt = services.quiz_submit(
            actor=None, enrolment=enrolment, module=kit.quiz, answers=kit.right, submission_id="a"
        )
        assert attempt.passed

    def test_resume_points_at_the_first_open_module_not_done(
        self, kit: CourseKit, enrolment: CourseEnrolment
    ) -> None:
        modules = progress.course_modules(kit.course)
        states = progress.module_states(CourseEnrolment.objects.filter(pk=enrolment.pk))
        assert progress.resume_module(modules, states, enrolment.pk) == kit.lesson
        services.progress_record(actor=None, enrolment=enrolment, module=kit.lesson, verb=Verb.COMPLETED)
        states = progress.module_states(CourseEnrolment.objects.filter(pk=enrolment.pk))
        assert progress.resume_module(modules, states, enrolment.pk) == kit.quiz


class CompletionTests:
    def test_not_complete_without_workshop_attendance(
        self, personas: Personas, kit: CourseKit, enrolment: CourseEnrolment
    ) -> None:
        finish_lesson_and_quiz(personas, kit, enrolment)
        enrolment.refresh_from_db()
        assert enrolment.status == EnrolmentStatus.ACTIVE
        assert not Certificate.objects.exists()

    def test_attendance_completes_issues_certificate_and_certifies_skills(
        self, personas: Personas, kit: CourseKit, enrolment: CourseEnrolment
    ) -> None:
        finish_lesson_and_quiz(personas, kit, enrolment)
        changed = services.attendance_mark(
            actor=personas.trainer, module=kit.workshop, marks={enrolment.pk: True}
        )
        assert changed == 1
        enrolment.refresh_from_db()
        assert enrolment.status == EnrolmentStatus.COMPLETED
        certificate = Certificate.objects.get(enrolment=enrolment)
        assert len(certificate.code) == 10 and set(certificate.code) <= set(services.CODE_ALPHABET)
        held = PersonSkill.objects.get(person=personas.amal, skill__code="digital-email")
        assert held.evidence == Evidence.CERTIFIED and certificate.display_code in held.source
        assert services.completion_check(actor=None, enrolment=enrolment) == certificate

    def test_attendance_share_rule(
        self, personas: Personas, kit: CourseKit, enrolment: CourseEnrolment
    ) -> None:
        second = Module.objects.create(
            course=kit.course,
            position=4,
            kind=ModuleKind.IN_PERSON,
            label_en="Lab",
            label_ar="مختبر",
            starts_at=kit.workshop.starts_at,
            venue="Irbid centre",
        )
        finish_lesson_and_quiz(personas, kit, enrolment)
        services.attendance_mark(actor=personas.trainer, module=kit.workshop, marks={enrolment.pk: True})
        services.attendance_mark(actor=personas.trainer, module=second, marks={enrolment.pk: False})
        enrolment.refresh_from_db()
        assert enrolment.status == EnrolmentStatus.ACTIVE  # 1 of 2 sessions = 50% < 75%
        kit.course.attendance_share = 50
        kit.course.save()
        assert services.completion_check(actor=None, enrolment=enrolment) is not None

    def test_optional_modules_are_not_needed(
        self, personas: Personas, kit: CourseKit, enrolment: CourseEnrolment
    ) -> None:
        kit.quiz.required = False
        kit.quiz.save()
        services.progress_record(actor=None, enrolment=enrolment, module=kit.lesson, verb=Verb.COMPLETED)
        services.attendance_mark(actor=personas.trainer, module=kit.workshop, marks={enrolment.pk: True})
        enrolment.refresh_from_db()
        assert enrolment.status == EnrolmentStatus.COMPLETED

    def test_certifying_keeps_a_higher_proficiency(
        self, personas: Personas, kit: CourseKit, enrolment: CourseEnrolment
    ) -> None:
        from maharat.skills.services import person_skill_set

        email = kit.course.skills_taught.get()
        person_skill_set(actor=None, person=personas.amal, skill=email, proficiency=3)
        finish_lesson_and_quiz(personas, kit, enrolment)
        services.attendance_mark(actor=personas.trainer, module=kit.workshop, marks={enrolment.pk: True})
        held = PersonSkill.objects.get(person=personas.amal, skill=email)
        assert (held.proficiency, held.evidence) == (3, Evidence.CERTIFIED)

    def test_attendance_refuses_learners_of_other_courses(self, personas: Personas, kit: CourseKit) -> None:
        with pytest.raises(DomainError, match="not active in this course"):
            services.attendance_mark(actor=personas.trainer, module=kit.workshop, marks={999999: True})
        with pytest.raises(DomainError, match="only for workshops"):
            services.attendance_mark(actor=personas.trainer, module=kit.lesson, marks={})


class CodeTests:
    def test_typed_codes_are_normalized(self) -> None:
        assert services.normalize_code(" abcde-fgh0o ") == "ABCDEFGH00"
        assert services.normalize_code("il") == "11"
