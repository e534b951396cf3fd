"""Learner and staff pages over HTTP: the demo story, light lesson pages, Arabic, the progress grid."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maharat.core.testing import PAGE_BUDGET, Personas, page_weight
from maharat.learning import services
from maharat.learning.choices import EnrolmentStatus, Verb
from maharat.learning.models import Certificate, Course, CourseEnrolment, Module
from maharat.learning.tests.factories import CourseKit
from maharat.programmes.models import Enrolment
from maharat.programmes.services import cohort_for
from maharat.programmes.tests.factories import applicant, open_call


def _quiz_post(kit: CourseKit, answers: dict[int, list[int]], sid: str) -> dict[str, object]:
    data: dict[str, object] = {"submission_id": sid}
    for question_id, choices in answers.items():
        data[f"q{question_id}"] = choices if len(choices) > 1 else choices[0]
    return data


class LearnerJourneyTests:
    def test_enrol_read_pass_attend_and_get_a_verifiable_certificate(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        amal = personas.client_for(personas.amal_user)
        page = amal.get(reverse("learning:course_detail", args=[kit.course.pk]))
        assert b"Enrol" in page.content
        amal.post(reverse("learning:course_enrol", args=[kit.course.pk]))
        enrolment = CourseEnrolment.objects.get(person=personas.amal)
        assert enrolment.status == EnrolmentStatus.ACTIVE
        lesson = amal.get(reverse("learning:module_detail", args=[kit.lesson.pk]))
        assert b"<h2>Sending e-mail</h2>" in lesson.content
        response = amal.post(
            reverse("learning:module_complete", args=[kit.lesson.pk]), {"event_id": "click-1"}
        )
        assert response["Location"] == reverse("learning:module_detail", args=[kit.quiz.pk])
        amal.post(reverse("learning:module_complete", args=[kit.lesson.pk]), {"event_id": "click-1"})
        assert enrolment.events.filter(verb=Verb.COMPLETED).count() == 1
        quiz = amal.get(reverse("learning:module_detail", args=[kit.quiz.pk]))
        sid = re.search(rb'name="submission_id" value="([0-9a-f]+)"', quiz.content).group(1).decode()  # type: ignore[union-attr]
        amal.post(reverse("learning:quiz_submit", args=[kit.quiz.pk]), _quiz_post(kit, kit.right, sid))
        replay = amal.post(
            reverse("learning:quiz_submit", args=[kit.quiz.pk]), _quiz_post(kit, kit.right, sid), follow=True
        )
        assert b"already received" in replay.content
        trainer = personas.client_for(personas.trainer)
        trainer.post(reverse("learning:attendance", args=[kit.workshop.pk]), {"present": [enrolment.pk]})
        enrolment.refresh_from_db()
        assert enrolment.status == EnrolmentStatus.COMPLETED
        cert_page = amal.get(reverse("learning:certificate", args=[kit.course.pk]))
        code = Certificate.objects.get().display_code
        assert code.encode() in cert_page.content
        my = amal.get(reverse("learning:my_courses"))
        assert b"Completed" in my.content

    def test_my_courses_offers_to_resume_where_stopped(self, personas: Personas, kit: CourseKit) -> None:
        enrolment = services.enrol(actor=None, course=kit.course, person=personas.amal)
        services.progress_record(actor=None, enrolment=enrolment, module=kit.lesson, verb=Verb.COMPLETED)
        page = personas.client_for(personas.amal_user).get(reverse("learning:my_courses"))
        assert reverse("learning:module_detail", args=[kit.quiz.pk]).encode() in page.content
        assert b"1 of 3 modules done" in page.content

    def test_full_course_puts_the_learner_on_the_waiting_list(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        Course.objects.filter(pk=kit.course.pk).update(capacity=0)
        response = personas.client_for(personas.amal_user).post(
            reverse("learning:course_enrol", args=[kit.course.pk]), follow=True
        )
        assert b"waiting list" in response.content
        assert CourseEnrolment.objects.get().status == EnrolmentStatus.WAITLISTED

    def test_locked_module_says_what_to_finish_first(self, personas: Personas, kit: CourseKit) -> None:
        services.enrol(actor=None, course=kit.course, person=personas.amal)
        page = personas.client_for(personas.amal_user).get(
            reverse("learning:module_detail", args=[kit.quiz.pk])
        )
        assert b"Finish these modules first" in page.content and b"Submit answers" not in page.content


class LightPageTests:
    def test_lesson_page_is_under_the_budget_and_needs_no_script(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        Module.objects.filter(pk=kit.lesson.pk).update(body_en="Paragraph of a real lesson. " * 400)
        services.enrol(actor=None, course=kit.course, person=personas.amal)
        client = personas.client_for(personas.amal_user)
        url = reverse("learning:module_detail", args=[kit.lesson.pk])
        assert page_weight(client, url) < PAGE_BUDGET
        assert b"<script" not in client.get(url).content

    def test_lesson_page_in_arabic_is_right_to_left(self, personas: Personas, kit: CourseKit) -> None:
        services.enrol(actor=None, course=kit.course, person=personas.amal)
        client = personas.client_for(personas.amal_user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
        page = client.get(reverse("learning:module_detail", args=[kit.lesson.pk])).content.decode()
        assert 'dir="rtl"' in page and "بريدك الإلكتروني الأول" in page and "<h2>إرسال البريد</h2>" in page
        catalogue = client.get(reverse("learning:course_list")).content.decode()
        assert 'dir="rtl"' in catalogue and "أساسيات المهارات الرقمية" in catalogue


class VerificationTests:
    def test_public_page_shows_name_and_course_only(self, personas: Personas, kit: CourseKit) -> None:
        enrolment = services.enrol(actor=None, course=kit.course, person=personas.amal)
        certificate = Certificate.objects.create(enrolment=enrolment, code="ABCDE12345")
        CourseEnrolment.objects.filter(pk=enrolment.pk).update(status=EnrolmentStatus.COMPLETED)
        page = personas.client_for(None).get(reverse("learning:verify_code", args=["abcde-12345"]))
        html = page.content.decode()
        assert page.status_code == 200 and "genuine" in html
        assert "أمل الحسن" in html and "Amal Al-Hassan" in html and "Digital literacy basics" in html
        amal = personas.amal
        for secret in (amal.phone, amal.unhcr_case_number, "Zaatari", "1994", "Mafraq", "Syria"):
            assert secret not in html, secret
        assert certificate.display_code in html
        by_form = personas.client_for(None).get(reverse("learning:verify") + "?code=ABCDE12345")
        assert by_form.status_code == 200

    def test_wrong_code_is_not_found(self, personas: Personas) -> None:
        assert (
            personas.client_for(None).get(reverse("learning:verify_code", args=["ZZZZZ-99999"])).status_code
            == 404
        )
        assert personas.client_for(None).get(reverse("learning:verify")).status_code == 200


class StaffPageTests:
    def test_trainer_builds_and_publishes_a_course(self, personas: Personas) -> None:
        trainer = personas.client_for(personas.trainer)
        response = trainer.post(
            reverse("learning:course_create"),
            {
                "provider": personas.training_org.pk,
                "label_en": "Freelancing 101",
                "label_ar": "العمل الحر 101",
                "track": "freelancing",
                "level": 1,
                "duration_hours": 4,
                "delivery_mode": "self_paced",
                "self_enrolment": "on",
                "attendance_share": 75,
            },
        )
        course = Course.objects.get(label_en="Freelancing 101")
        assert response["Location"] == reverse("learning:staff_course", args=[course.pk])
        empty = trainer.post(reverse("learning:course_publish", args=[course.pk]), follow=True)
        assert b"at least one module" in empty.content
        trainer.post(
            reverse("learning:module_create", args=[course.pk, "lesson"]),
            {
                "label_en": "Platforms",
                "label_ar": "المنصات",
                "body_en": "Upwork and others",
                "required": "on",
            },
        )
        bad = trainer.post(
            reverse("learning:module_create", args=[course.pk, "video"]),
            {"label_en": "Clip", "label_ar": "مقطع", "video_url": "https://v.example/1"},
        )
        assert b"text alternative" in bad.content
        trainer.post(
            reverse("learning:module_create", args=[course.pk, "quiz"]),
            {
                "label_en": "Check",
                "label_ar": "تحقق",
                "pass_mark": 70,
                "attempts_allowed": 2,
                "required": "on",
            },
        )
        quiz = course.modules.get(kind="quiz")
        trainer.post(
            reverse("learning:questions", args=[quiz.pk]),
            {
                "text_en": "Which is a platform?",
                "text_ar": "أيها منصة؟",
                "kind": "single",
                "choices": "*Upwork | أب ورك\nExcel",
            },
        )
        assert quiz.questions.count() == 1
        trainer.post(reverse("learning:course_publish", args=[course.pk]))
        course.refresh_from_db()
        assert course.published and [m.position for m in course.modules.all()] == [1, 2]

    def test_progress_grid_costs_the_same_queries_for_more_learners(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        cohort = cohort_for(open_call(personas))
        people = [applicant(personas) for _ in range(6)]
        for person in people[:2]:
            Enrolment.objects.create(cohort=cohort, person=person)
        services.enrol_cohort(actor=personas.trainer, course=kit.course, cohort=cohort)
        client = personas.client_for(personas.trainer)
        url = reverse("learning:progress_grid", args=[kit.course.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            assert client.get(url).status_code == 200
        for person in people[2:]:
            Enrolment.objects.create(cohort=cohort, person=person)
        services.enrol_cohort(actor=personas.trainer, course=kit.course, cohort=cohort)
        for enrolment in CourseEnrolment.objects.all():
            services.progress_record(actor=None, enrolment=enrolment, module=kit.lesson, verb=Verb.COMPLETED)
        with CaptureQueriesContext(connection) as many:
            page = client.get(url)
        # 14 for the page, 3 for the counts over every learner (and 3 on PostgreSQL to sort them in memory)
        assert len(many) == len(few) <= 20
        assert page.content.decode().count("✓") >= 6
