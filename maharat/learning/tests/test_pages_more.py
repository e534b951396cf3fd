"""More page paths: leaving a course, enrolling a cohort from the page, failing a quiz, authoring rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maharat.core.errors import DomainError
from maharat.core.testing import Personas
from maharat.learning import authoring, services
from maharat.learning.choices import EnrolmentStatus, ModuleKind, Verb
from maharat.learning.models import Course, CourseEnrolment, Module
from maharat.learning.tests.factories import CourseKit, make_course
from maharat.programmes.models import Enrolment
from maharat.programmes.services import cohort_for
from maharat.programmes.tests.factories import applicant, open_call


class LearnerPageTests:
    def test_leave_and_enrol_again(self, personas: Personas, kit: CourseKit) -> None:
        amal = personas.client_for(personas.amal_user)
        amal.post(reverse("learning:course_enrol", args=[kit.course.pk]))
        left = amal.post(reverse("learning:course_withdraw", args=[kit.course.pk]), follow=True)
        assert b"You left the course" in left.content and b"Enrol again" in left.content
        again = amal.post(reverse("learning:course_withdraw", args=[kit.course.pk]), follow=True)
        assert b"already withdrawn" in again.content
        twice = amal.post(reverse("learning:course_enrol", args=[kit.course.pk]))
        assert twice.status_code == 302
        assert CourseEnrolment.objects.get().status == EnrolmentStatus.ACTIVE

    def test_failed_quiz_shows_the_score_and_the_pass_mark(self, personas: Personas, kit: CourseKit) -> None:
        enrolment = services.enrol(actor=None, course=kit.course, person=personas.amal)
        services.progress_record(actor=None, enrolment=enrolment, module=kit.lesson, verb=Verb.COMPLETED)
        data: dict[str, object] = {"submission_id": "f1"}
        for question_id, choices in kit.wrong.items():
            data[f"q{question_id}"] = choices
        page = personas.client_for(personas.amal_user).post(
            reverse("learning:quiz_submit", args=[kit.quiz.pk]), data, follow=True
        )
        assert b"Your score is 0%; 60% is needed to pass." in page.content
        empty = personas.client_for(personas.amal_user).post(
            reverse("learning:quiz_submit", args=[kit.quiz.pk]), {"submission_id": "f2"}, follow=True
        )
        assert b"Answer every question" in empty.content

    def test_workshop_and_catalogue_pages(self, personas: Personas, kit: CourseKit) -> None:
        services.enrol(actor=None, course=kit.course, person=personas.amal)
        page = personas.client_for(personas.amal_user).get(
            reverse("learning:module_detail", args=[kit.workshop.pk])
        )
        assert b"https://meet.example.org/abc" in page.content and b"not marked yet" in page.content
        catalogue = personas.client_for(None).get(reverse("learning:course_list"))
        assert b"Digital literacy basics" in catalogue.content
        public = personas.client_for(None).get(reverse("learning:course_detail", args=[kit.course.pk]))
        assert b"Log in to enrol" in public.content


class StaffPageMoreTests:
    def test_enrol_a_cohort_from_the_course_page(self, personas: Personas) -> None:
        course = make_course(personas, provider=personas.partner, self_enrolment=False).course
        cohort = cohort_for(open_call(personas))
        Enrolment.objects.create(cohort=cohort, person=applicant(personas))
        officer = personas.client_for(personas.officer)
        assert officer.get(reverse("learning:staff_course", args=[course.pk])).status_code == 200
        done = officer.post(
            reverse("learning:course_enrol_cohort", args=[course.pk]), {"cohort": cohort.pk}, follow=True
        )
        assert b"Enrolled 1, waiting list 0" in done.content
        wrong = officer.post(
            reverse("learning:course_enrol_cohort", args=[course.pk]), {"cohort": 0}, follow=True
        )
        assert b"Choose a cohort" in wrong.content
        assert b"Digital literacy basics" in officer.get(reverse("learning:staff_courses")).content

    def test_in_person_session_form_and_prerequisite_order(self, personas: Personas, kit: CourseKit) -> None:
        trainer = personas.client_for(personas.trainer)
        url = reverse("learning:module_create", args=[kit.course.pk, ModuleKind.IN_PERSON])
        missing = trainer.post(url, {"label_en": "Lab", "label_ar": "مختبر", "starts_at": "2030-01-05T10:00"})
        assert b"where the session takes place" in missing.content
        trainer.post(
            url,
            {
                "label_en": "Lab",
                "label_ar": "مختبر",
                "starts_at": "2030-01-05T10:00",
                "venue": "Irbid",
                "required": "on",
            },
        )
        lab = Module.objects.get(label_en="Lab")
        assert lab.position == 4
        edit = trainer.get(reverse("learning:module_edit", args=[lab.pk]))
        assert edit.status_code == 200
        assert (
            trainer.get(reverse("learning:module_create", args=[kit.course.pk, "nonsense"])).status_code
            == 404
        )
        with pytest.raises(DomainError, match="come before"):
            authoring.module_save(actor=None, module=kit.lesson, prerequisites=[lab])
        other = make_course(personas)
        with pytest.raises(DomainError, match="same course"):
            authoring.module_save(actor=None, module=lab, prerequisites=[other.lesson])

    def test_publishing_refuses_empty_quizzes_and_foreign_providers(self, personas: Personas) -> None:
        course = Course.objects.create(
            provider=personas.training_org,
            label_en="X",
            label_ar="س",
            track="trades",
            delivery_mode="in_person",
        )
        Module.objects.create(course=course, kind=ModuleKind.QUIZ, label_en="Q", label_ar="ق")
        with pytest.raises(DomainError, match="no questions yet"):
            services.course_publish(actor=None, course=course)
        course.provider = personas.employer_org
        with pytest.raises(DomainError, match="training providers"):
            authoring.course_save(actor=None, course=course)

    def test_module_kinds_need_their_facts(self, kit: CourseKit) -> None:
        for kind, field in (
            (ModuleKind.LESSON, "body_en"),
            (ModuleKind.VIDEO, "body_en"),
            (ModuleKind.WORKSHOP, "meeting_url"),
        ):
            with pytest.raises(ValidationError) as caught:
                Module(course=kit.course, kind=kind, label_en="m", label_ar="و").full_clean()
            assert field in caught.value.message_dict
