"""Permission matrices: providers see only their learners, learners only themselves, officers their cohorts."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from maharat.core.roles import Role
from maharat.core.testing import Personas, assert_forbidden
from maharat.learning import access, services
from maharat.learning.models import Certificate, CourseEnrolment
from maharat.learning.tests.factories import CourseKit, make_course
from maharat.people.choices import OrganizationKind
from maharat.people.models import Membership, Organization
from maharat.programmes.models import Enrolment
from maharat.programmes.services import cohort_for
from maharat.programmes.tests.factories import open_call


@pytest.fixture
def rival_trainer(personas: Personas) -> object:
    """Staff of another training provider."""
    org = Organization.objects.create(
        kind=OrganizationKind.TRAINING_PROVIDER,
        slug="other-academy",
        label_en="Other Academy",
        label_ar="أكاديمية أخرى",
    )
    user = get_user_model().objects.create_user(username="rival", password="x")
    Membership.objects.create(user=user, organization=org, role=Role.TRAINING_PROVIDER)
    return user


@pytest.fixture
def cohort_course(personas: Personas, kit: CourseKit) -> CourseEnrolment:
    """Amal enrolled in the course through a cohort of the Mafraq partner's programme."""
    cohort = cohort_for(open_call(personas))
    Enrolment.objects.create(cohort=cohort, person=personas.amal)
    services.enrol_cohort(actor=personas.trainer, course=kit.course, cohort=cohort)
    return CourseEnrolment.objects.get(person=personas.amal)


class StaffMatrixTests:
    def test_course_management_pages_are_for_the_provider_only(
        self, personas: Personas, kit: CourseKit, rival_trainer: object
    ) -> None:
        denied = [
            None,
            personas.employer,
            personas.other_officer,
            personas.officer,
            personas.amal_user,
            rival_trainer,
        ]
        for url in (
            reverse("learning:staff_course", args=[kit.course.pk]),
            reverse("learning:course_edit", args=[kit.course.pk]),
            reverse("learning:module_edit", args=[kit.lesson.pk]),
            reverse("learning:questions", args=[kit.quiz.pk]),
            reverse("learning:attendance", args=[kit.workshop.pk]),
        ):
            assert_forbidden(url, denied)
            assert personas.client_for(personas.trainer).get(url).status_code == 200
            assert personas.client_for(personas.admin).get(url).status_code == 200
        assert_forbidden(reverse("learning:course_publish", args=[kit.course.pk]), denied, method="post")
        assert_forbidden(
            reverse("learning:staff_courses"),
            [None, personas.employer, personas.amal_user, personas.researcher],
        )

    def test_progress_grid_matrix(
        self, personas: Personas, kit: CourseKit, cohort_course: CourseEnrolment, rival_trainer: object
    ) -> None:
        url = reverse("learning:progress_grid", args=[kit.course.pk])
        assert_forbidden(
            url,
            [
                None,
                personas.employer,
                personas.other_officer,
                personas.amal_user,
                personas.researcher,
                rival_trainer,
            ],
        )
        for user in (personas.trainer, personas.officer, personas.admin):
            page = personas.client_for(user).get(url)
            assert page.status_code == 200 and "أمل الحسن" in page.content.decode(), user

    def test_programme_officer_sees_only_learners_from_their_cohorts(
        self, personas: Personas, kit: CourseKit, cohort_course: CourseEnrolment
    ) -> None:
        services.enrol(actor=None, course=kit.course, person=personas.omar)
        assert set(
            access.visible_enrolments(personas.officer, kit.course).values_list("person_id", flat=True)
        ) == {personas.amal.pk}
        assert access.visible_enrolments(personas.trainer, kit.course).count() == 2
        page = personas.client_for(personas.officer).get(
            reverse("learning:progress_grid", args=[kit.course.pk])
        )
        assert "عمر" not in page.content.decode()

    def test_rival_provider_sees_none_of_our_learners(
        self, kit: CourseKit, cohort_course: CourseEnrolment, rival_trainer: object
    ) -> None:
        assert not access.visible_enrolments(rival_trainer, kit.course).exists()
        assert not access.managed_courses(rival_trainer).exists()


class LearnerMatrixTests:
    def test_modules_are_for_active_learners_of_the_course(
        self, personas: Personas, kit: CourseKit, rival_trainer: object
    ) -> None:
        services.enrol(actor=None, course=kit.course, person=personas.amal)
        url = reverse("learning:module_detail", args=[kit.lesson.pk])
        assert_forbidden(url, [None, personas.employer, personas.officer, rival_trainer])
        other = make_course(personas)
        services.enrol(actor=None, course=other.course, person=personas.amal)
        assert personas.client_for(personas.amal_user).get(url).status_code == 200
        assert_forbidden(
            reverse("learning:module_complete", args=[kit.lesson.pk]),
            [None, personas.employer, personas.officer],
            method="post",
        )

    def test_certificate_page_is_for_its_holder_only(self, personas: Personas, kit: CourseKit) -> None:
        enrolment = services.enrol(actor=None, course=kit.course, person=personas.amal)
        Certificate.objects.create(enrolment=enrolment, code="ABCDE12345")
        url = reverse("learning:certificate", args=[kit.course.pk])
        assert_forbidden(url, [None, personas.employer, personas.officer, personas.trainer])
        assert personas.client_for(personas.amal_user).get(url).status_code == 200

    def test_my_courses_needs_a_learner(self, personas: Personas) -> None:
        assert_forbidden(reverse("learning:my_courses"), [None, personas.employer, personas.trainer])

    def test_draft_course_is_hidden_from_the_public(self, personas: Personas) -> None:
        draft = make_course(personas, published=False).course
        url = reverse("learning:course_detail", args=[draft.pk])
        assert_forbidden(url, [None, personas.amal_user, personas.employer])
        assert personas.client_for(personas.trainer).get(url).status_code == 200
        assert_forbidden(
            reverse("learning:course_enrol", args=[draft.pk]), [personas.amal_user], method="post"
        )
