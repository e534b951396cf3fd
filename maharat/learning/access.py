"""Who may see or do what in learning: the only place that decides it.

- Administrators see and manage every course.
- Staff of the course's provider (training-provider staff or programme officers of that organization)
  manage its courses and see only the learners of their own courses.
- Programme officers of a programme whose cohort is enrolled in a course see that course's progress
  grid, limited to the learners who came from their cohorts.
- A learner sees only their own enrolments, progress and certificates.
- The public sees published courses (a course taken back to draft stays open to its enrolled learners)
  and may verify a certificate by its code (name and course only).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from maharat.core.roles import Role, user_roles
from maharat.learning.choices import EnrolmentStatus
from maharat.learning.models import Course, CourseEnrolment, Module
from maharat.people.access import is_admin, organization_ids
from maharat.people.models import Organization

COURSE_STAFF_ROLES = frozenset({Role.TRAINING_PROVIDER, Role.PROGRAMME_OFFICER})


def provider_organizations(user: Any) -> QuerySet[Organization]:
    """Organizations in whose name the user may create courses."""
    if is_admin(user):
        return Organization.objects.filter(active=True)
    return Organization.objects.filter(pk__in=organization_ids(user, COURSE_STAFF_ROLES))


def can_author_courses(user: Any) -> bool:
    """Staff pages of learning: administrators, training-provider staff and programme officers."""
    return is_admin(user) or bool(user_roles(user) & COURSE_STAFF_ROLES)


def managed_courses(user: Any) -> QuerySet[Course]:
    """Courses the user manages: those of their organizations (all of them for administrators)."""
    if is_admin(user):
        return Course.objects.all()
    return Course.objects.filter(provider_id__in=organization_ids(user, COURSE_STAFF_ROLES))


def can_manage_course(user: Any, course: Course) -> bool:
    """Edit a course and its modules, enrol cohorts, publish, mark attendance and see every learner."""
    return is_admin(user) or course.provider_id in organization_ids(user, COURSE_STAFF_ROLES)


def _cohort_officer_q(user: Any) -> Q:
    return Q(cohort__programme__owner_id__in=organization_ids(user, frozenset({Role.PROGRAMME_OFFICER})))


def visible_enrolments(user: Any, course: Course) -> QuerySet[CourseEnrolment]:
    """The course's learners the user may see: all for its managers, their cohorts' for programme officers."""
    enrolments = CourseEnrolment.objects.filter(course=course)
    if can_manage_course(user, course):
        return enrolments
    if Role.PROGRAMME_OFFICER in user_roles(user):
        return enrolments.filter(_cohort_officer_q(user))
    return enrolments.none()


def can_view_progress(user: Any, course: Course) -> bool:
    """The progress grid: course managers, and programme officers whose cohort is enrolled in the course."""
    if can_manage_course(user, course):
        return True
    if Role.PROGRAMME_OFFICER not in user_roles(user):
        return False
    return CourseEnrolment.objects.filter(course=course).filter(_cohort_officer_q(user)).exists()


def cohort_courses(user: Any) -> QuerySet[Course]:
    """Courses that learners from the programme officer's cohorts take (their progress grid is open to them)."""
    if Role.PROGRAMME_OFFICER not in user_roles(user):
        return Course.objects.none()
    return Course.objects.filter(
        pk__in=CourseEnrolment.objects.filter(_cohort_officer_q(user)).values("course_id")
    )


def can_view_course(user: Any, course: Course) -> bool:
    """Anyone may read a published course; drafts its managers and the learners already enrolled in it."""
    if course.published or can_manage_course(user, course):
        return True
    enrolment = own_enrolment(user, course)
    return enrolment is not None and enrolment.status != EnrolmentStatus.WITHDRAWN


def own_enrolment(user: Any, course: Course) -> CourseEnrolment | None:
    """The user's own enrolment in the course, if they are a registered learner."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        CourseEnrolment.objects.filter(course=course, person__user=user, person__merged_into__isnull=True)
        .select_related("person", "course")
        .first()
    )


def can_take_module(enrolment: CourseEnrolment | None, module: Module) -> bool:
    """Learners open modules of a course they are active in (or completed, to look back)."""
    return (
        enrolment is not None
        and enrolment.course_id == module.course_id
        and enrolment.status
        in (
            "active",
            "completed",
        )
    )


def can_view_submission(user: Any, submission: Any) -> bool:
    """An assignment file: the learner who handed it in, the course's provider staff, administrators."""
    enrolment = submission.enrolment
    if getattr(user, "is_authenticated", False) and enrolment.person.user_id == user.pk:
        return True
    return can_manage_course(user, enrolment.course)


def can_view_attachment(user: Any, attachment: Any) -> bool:
    """A module's image, file or video: its course's managers, and learners who may open the module."""
    module = attachment.module
    if can_manage_course(user, module.course):
        return True
    return can_take_module(own_enrolment(user, module.course), module)
