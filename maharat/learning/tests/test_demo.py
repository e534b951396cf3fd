"""The demo: the command builds the course, and the issue's story runs through it end to end."""

from __future__ import annotations

import io

from django.core.management import call_command

from maharat.core.testing import Personas
from maharat.learning import services, services_files
from maharat.learning.choices import EnrolmentStatus, ModuleKind, Verb
from maharat.learning.demo import demo_course
from maharat.learning.models import Certificate, Course
from maharat.learning.tests.factories import skill


class DemoTests:
    def test_demo_course_story(self, personas: Personas) -> None:
        skill("digital-computer-basics", "Basic computer skills", "المهارات الأساسية في استخدام الحاسوب")
        course = demo_course(trainer=personas.trainer, provider=personas.training_org)
        assert demo_course(trainer=personas.trainer, provider=personas.training_org) == course
        assert course.published and course.self_enrolment
        assert [m.kind for m in course.modules.all()] == [
            ModuleKind.LESSON,
            ModuleKind.QUIZ,
            ModuleKind.WORKSHOP,
        ]
        lesson, quiz, workshop = course.modules.all()
        enrolment = services.enrol(actor=personas.amal_user, course=course, person=personas.amal)
        services.progress_record(
            actor=personas.amal_user, enrolment=enrolment, module=lesson, verb=Verb.COMPLETED
        )
        answers = {q.pk: [c.pk for c in q.choices.all() if c.correct] for q in quiz.questions.all()}
        services.quiz_submit(
            actor=personas.amal_user, enrolment=enrolment, module=quiz, answers=answers, submission_id="d1"
        )
        # The workshop has 30 seats: only learners who booked one are marked present.
        services_files.workshop_book(actor=personas.amal_user, enrolment=enrolment, module=workshop)
        services.attendance_mark(actor=personas.trainer, module=workshop, marks={enrolment.pk: True})
        enrolment.refresh_from_db()
        assert enrolment.status == EnrolmentStatus.COMPLETED
        assert Certificate.objects.filter(enrolment=enrolment).exists()
        assert personas.amal.skills.filter(
            skill__code="digital-computer-basics", evidence="certified"
        ).exists()

    def test_demo_command_creates_the_course_once(self, db: object) -> None:
        out = io.StringIO()
        call_command("demo", people=0, stdout=out)
        call_command("demo", people=0, stdout=out)
        assert "Demo course: Digital literacy basics" in out.getvalue()
        assert Course.objects.filter(label_en="Digital literacy basics").count() == 1
