"""Enrolment: self and cohort, capacity and the waiting list, withdrawal that promotes the next in line."""

from __future__ import annotations

import pytest

from maharat.core.errors import DomainError
from maharat.core.models import AuditLog
from maharat.core.testing import Personas
from maharat.learning import services
from maharat.learning.choices import EnrolmentSource, EnrolmentStatus
from maharat.learning.models import CourseEnrolment
from maharat.learning.tests.factories import CourseKit, make_course
from maharat.programmes.models import Enrolment
from maharat.programmes.services import cohort_for
from maharat.programmes.tests.factories import applicant, open_call


class EnrolTests:
    def test_self_enrolment_makes_an_active_learner_and_is_audited(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        enrolment = services.enrol(actor=personas.amal_user, course=kit.course, person=personas.amal)
        assert enrolment.status == EnrolmentStatus.ACTIVE
        assert enrolment.source == EnrolmentSource.SELF
        assert AuditLog.objects.filter(
            subject_type="learning.courseenrolment", person_id=personas.amal.pk
        ).exists()

    def test_refuses_unpublished_course(self, personas: Personas) -> None:
        course = make_course(personas, published=False).course
        with pytest.raises(DomainError, match="not open for enrolment"):
            services.enrol(actor=personas.amal_user, course=course, person=personas.amal)
        assert not CourseEnrolment.objects.exists()

    def test_refuses_self_enrolment_when_course_takes_cohorts_only(self, personas: Personas) -> None:
        course = make_course(personas, self_enrolment=False).course
        with pytest.raises(DomainError, match="only through programme cohorts"):
            services.enrol(actor=personas.amal_user, course=course, person=personas.amal)
        assert not CourseEnrolment.objects.exists()

    def test_refuses_enrolling_twice(self, personas: Personas, kit: CourseKit) -> None:
        services.enrol(actor=personas.amal_user, course=kit.course, person=personas.amal)
        with pytest.raises(DomainError, match="already enrolled"):
            services.enrol(actor=personas.amal_user, course=kit.course, person=personas.amal)
        assert CourseEnrolment.objects.count() == 1

    def test_over_capacity_joins_the_waiting_list(self, personas: Personas) -> None:
        course = make_course(personas, capacity=1).course
        first = services.enrol(actor=None, course=course, person=personas.amal)
        second = services.enrol(actor=None, course=course, person=personas.omar)
        assert (first.status, second.status) == (EnrolmentStatus.ACTIVE, EnrolmentStatus.WAITLISTED)


class WithdrawTests:
    def test_withdrawal_frees_the_seat_for_the_first_waiting(self, personas: Personas) -> None:
        course = make_course(personas, capacity=1).course
        amal = services.enrol(actor=None, course=course, person=personas.amal)
        omar = services.enrol(actor=None, course=course, person=personas.omar)
        hassan = services.enrol(actor=None, course=course, person=personas.hassan)
        promoted = services.enrolment_withdraw(actor=personas.amal_user, enrolment=amal)
        assert promoted is not None and promoted.pk == omar.pk
        statuses = dict(CourseEnrolment.objects.values_list("pk", "status"))
        assert statuses == {
            amal.pk: EnrolmentStatus.WITHDRAWN,
            omar.pk: EnrolmentStatus.ACTIVE,
            hassan.pk: EnrolmentStatus.WAITLISTED,
        }

    def test_withdrawing_from_the_waiting_list_promotes_no_one(self, personas: Personas) -> None:
        course = make_course(personas, capacity=1).course
        services.enrol(actor=None, course=course, person=personas.amal)
        omar = services.enrol(actor=None, course=course, person=personas.omar)
        hassan = services.enrol(actor=None, course=course, person=personas.hassan)
        assert services.enrolment_withdraw(actor=None, enrolment=omar) is None
        hassan.refresh_from_db()
        assert hassan.status == EnrolmentStatus.WAITLISTED

    def test_withdrawing_twice_is_refused(self, personas: Personas, kit: CourseKit) -> None:
        enrolment = services.enrol(actor=None, course=kit.course, person=personas.amal)
        services.enrolment_withdraw(actor=None, enrolment=enrolment)
        with pytest.raises(DomainError, match="already withdrawn"):
            services.enrolment_withdraw(actor=None, enrolment=enrolment)

    def test_a_withdrawn_learner_may_enrol_again(self, personas: Personas, kit: CourseKit) -> None:
        enrolment = services.enrol(actor=None, course=kit.course, person=personas.amal)
        services.enrolment_withdraw(actor=None, enrolment=enrolment)
        again = services.enrol(actor=None, course=kit.course, person=personas.amal)
        assert again.pk == enrolment.pk and again.status == EnrolmentStatus.ACTIVE


class CohortTests:
    def test_enrols_active_cohort_members_under_capacity(self, personas: Personas) -> None:
        course = make_course(personas, capacity=2, self_enrolment=False).course
        cohort = cohort_for(open_call(personas))
        people = [applicant(personas) for _ in range(3)]
        for person in people:
            Enrolment.objects.create(cohort=cohort, person=person)
        Enrolment.objects.create(cohort=cohort, person=personas.hassan, status=Enrolment.Status.WITHDRAWN)
        counts = services.enrol_cohort(actor=personas.trainer, course=course, cohort=cohort)
        assert counts == {"active": 2, "waitlisted": 1, "skipped": 0}
        assert set(course.enrolments.values_list("cohort_id", flat=True)) == {cohort.pk}
        assert list(course.cohorts.all()) == [cohort]
        again = services.enrol_cohort(actor=personas.trainer, course=course, cohort=cohort)
        assert again == {"active": 0, "waitlisted": 0, "skipped": 3}

    def test_cohort_enrolment_needs_a_cohort(self, personas: Personas, kit: CourseKit) -> None:
        with pytest.raises(DomainError, match="which programme cohort"):
            services.enrol(actor=None, course=kit.course, person=personas.amal, source=EnrolmentSource.COHORT)
