"""Writes of learning: publish, enrol, withdraw, record progress, grade quizzes, mark attendance, certify.

Enrolments, attendance and certificates change a person's record and are audited; progress events and
quiz attempts are themselves an append-only, timestamped log and are not audited row by row.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maharat.core.audit import audit_record
from maharat.core.errors import DomainError
from maharat.core.models import AuditAction
from maharat.learning import progress
from maharat.learning.choices import (
    SEAT_HOLDING,
    SESSION_KINDS,
    EnrolmentSource,
    EnrolmentStatus,
    ModuleKind,
    Verb,
)
from maharat.learning.models import (
    Certificate,
    Choice,
    Course,
    CourseEnrolment,
    Module,
    ProgressEvent,
    QuizAnswer,
    QuizAttempt,
)
from maharat.learning.notify import seat_freed_notify
from maharat.people.models import Person
from maharat.programmes.models import Cohort, Enrolment
from maharat.skills.models import Evidence, PersonSkill
from maharat.skills.services import person_skill_set

CLIENT_VERBS = frozenset({Verb.STARTED, Verb.PROGRESSED, Verb.COMPLETED})
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O or U to misread
CODE_LENGTH = 10  # 50 random bits: unguessable, yet short enough to read out and type


class DuplicateSubmission(DomainError):
    """The same quiz answers were already received (for example replayed after being offline)."""

    def __init__(self, message: Any, *, attempt: QuizAttempt) -> None:
        super().__init__(message, code="duplicate")
        self.attempt = attempt


@transaction.atomic
def course_publish(*, actor: Any, course: Course) -> Course:
    """Open a course to learners: it needs at least one module, and every quiz needs questions."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    modules = list(course.modules.all())
    if not modules:
        raise DomainError(_("Add at least one module before publishing the course."))
    empty = [m.label for m in modules if m.kind == ModuleKind.QUIZ and not m.questions.exists()]
    if empty:
        raise DomainError(_("These quizzes have no questions yet: %(names)s.") % {"names": ", ".join(empty)})
    videos = [
        m.label
        for m in modules
        if m.kind == ModuleKind.VIDEO and not m.video_url and not m.attachments.filter(kind="video").exists()
    ]
    if videos:
        raise DomainError(
            _("These videos have neither a link nor an uploaded file: %(names)s.")
            % {"names": ", ".join(videos)}
        )
    course.published = True
    course.published_at = course.published_at or timezone.now()
    course.save(update_fields=["published", "published_at", "updated_at"])
    return course


@transaction.atomic
def course_unpublish(*, actor: Any, course: Course) -> Course:
    """Take a course back to draft: it leaves the catalogue and takes no new learners; enrolled ones keep access."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if not course.published:
        raise DomainError(_("The course is already a draft."))
    course.published = False
    course.save(update_fields=["published", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=course,
        fields=["published"],
        reason="course taken back to draft",
    )
    return course


def _seats_left(course: Course) -> int | None:
    if course.capacity is None:
        return None
    taken = CourseEnrolment.objects.filter(course=course, status__in=SEAT_HOLDING).count()
    return max(course.capacity - taken, 0)


def _set_status(enrolment: CourseEnrolment, status: str) -> None:
    enrolment.status = status
    enrolment.status_changed_at = timezone.now()
    enrolment.save(update_fields=["status", "status_changed_at", "updated_at"])


def _enrol_one(
    *, actor: Any, course: Course, person: Person, source: str, cohort: Cohort | None, seat: bool
) -> CourseEnrolment:
    status = EnrolmentStatus.ACTIVE if seat else EnrolmentStatus.WAITLISTED
    enrolment = CourseEnrolment.objects.filter(course=course, person=person).first()
    if enrolment is not None and enrolment.status != EnrolmentStatus.WITHDRAWN:
        raise DomainError(_("%(name)s is already enrolled in this course.") % {"name": person.display_name})
    if enrolment is None:
        enrolment = CourseEnrolment.objects.create(
            course=course, person=person, source=source, cohort=cohort, status=status
        )
        action = AuditAction.CREATE
    else:
        enrolment.source, enrolment.cohort = source, cohort
        enrolment.save(update_fields=["source", "cohort", "updated_at"])
        _set_status(enrolment, status)
        action = AuditAction.CHANGE
    audit_record(
        actor=actor,
        action=action,
        subject=enrolment,
        person_id=person.pk,
        fields=["status", "source"],
        reason=f"enrolled in course {course.pk} ({status})",
    )
    return enrolment


def _check_open(course: Course, source: str) -> None:
    if not course.published:
        raise DomainError(_("This course is not open for enrolment."))
    if source == EnrolmentSource.SELF and not course.self_enrolment:
        raise DomainError(_("This course takes learners only through programme cohorts."))


@transaction.atomic
def enrol(
    *,
    actor: Any,
    course: Course,
    person: Person,
    source: str = EnrolmentSource.SELF,
    cohort: Cohort | None = None,
) -> CourseEnrolment:
    """Enrol a person in a published course; when every seat is taken they join the waiting list."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    _check_open(course, source)
    if source == EnrolmentSource.COHORT and cohort is None:
        raise DomainError(_("Say which programme cohort the learner comes from."))
    seats = _seats_left(course)
    return _enrol_one(
        actor=actor,
        course=course,
        person=person,
        source=source,
        cohort=cohort,
        seat=seats is None or seats > 0,
    )


@transaction.atomic
def enrol_cohort(*, actor: Any, course: Course, cohort: Cohort) -> dict[str, int]:
    """Enrol every active member of a programme cohort; those beyond the seats wait, those already in are skipped."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    _check_open(course, EnrolmentSource.COHORT)
    course.cohorts.add(cohort)
    already = set(
        CourseEnrolment.objects.filter(course=course)
        .exclude(status=EnrolmentStatus.WITHDRAWN)
        .values_list("person_id", flat=True)
    )
    members = (
        Person.objects.active()
        .filter(programme_enrolments__cohort=cohort, programme_enrolments__status=Enrolment.Status.ACTIVE)
        .order_by("pk")
    )
    seats = _seats_left(course)
    counts = {"active": 0, "waitlisted": 0, "skipped": 0}
    for person in members:
        if person.pk in already:
            counts["skipped"] += 1
            continue
        seat = seats is None or seats > 0
        _enrol_one(
            actor=actor, course=course, person=person, source=EnrolmentSource.COHORT, cohort=cohort, seat=seat
        )
        if seats is not None and seat:
            seats -= 1
        counts["active" if seat else "waitlisted"] += 1
    return counts


@transaction.atomic
def enrolment_withdraw(*, actor: Any, enrolment: CourseEnrolment, reason: str = "") -> CourseEnrolment | None:
    """Leave a course; a seat it held goes to the first person on the waiting list, who is returned."""
    course = Course.objects.select_for_update().get(pk=enrolment.course_id)
    enrolment = CourseEnrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        raise DomainError(_("This enrolment is already withdrawn."))
    if enrolment.status == EnrolmentStatus.COMPLETED:
        raise DomainError(_("A completed course cannot be withdrawn from."))
    held_seat = enrolment.status == EnrolmentStatus.ACTIVE
    _set_status(enrolment, EnrolmentStatus.WITHDRAWN)
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=enrolment,
        person_id=enrolment.person_id,
        fields=["status"],
        reason=reason or "withdrew from the course",
    )
    if not held_seat:
        return None
    seats = _seats_left(course)
    if seats is not None and seats <= 0:
        return None
    promoted = (
        CourseEnrolment.objects.select_for_update()
        .filter(course=course, status=EnrolmentStatus.WAITLISTED)
        .order_by("status_changed_at", "pk")
        .first()
    )
    if promoted is None:
        return None
    _set_status(promoted, EnrolmentStatus.ACTIVE)
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=promoted,
        person_id=promoted.person_id,
        fields=["status"],
        reason="a seat was freed: moved from the waiting list",
    )
    seat_freed_notify(enrolment=promoted)
    return promoted


def _check_module_open(enrolment: CourseEnrolment, module: Module) -> progress.States:
    if module.course_id != enrolment.course_id:
        raise DomainError(_("This module belongs to another course."))
    if enrolment.status not in SEAT_HOLDING:
        raise DomainError(_("Only active learners of the course can do this."))
    states = progress.module_states(CourseEnrolment.objects.filter(pk=enrolment.pk))
    modules = progress.course_modules(module.course)
    if progress.locked(module, modules, states, enrolment.pk):
        raise DomainError(_("Finish the modules this one builds on first."))
    return states


def progress_record(
    *,
    actor: Any,
    enrolment: CourseEnrolment,
    module: Module,
    verb: str,
    client_event_id: str = "",
    seconds: int = 0,
    progress_percent: int | None = None,
    at: Any = None,
) -> tuple[ProgressEvent, bool]:
    """Record what a learner did with a module, once per client event id; returns the event and whether it is new."""
    client_event_id = (client_event_id or uuid.uuid4().hex)[:64]
    existing = ProgressEvent.objects.filter(enrolment=enrolment, client_event_id=client_event_id).first()
    if existing is not None:
        return existing, False
    if verb not in CLIENT_VERBS:
        raise DomainError(_("Unknown kind of progress."))
    if verb == Verb.COMPLETED and (module.kind == ModuleKind.QUIZ or module.kind in SESSION_KINDS):
        raise DomainError(_("A quiz is completed by passing it, a session by being marked present."))
    if verb == Verb.COMPLETED and module.kind == ModuleKind.ASSIGNMENT:
        raise DomainError(_("An assignment is completed when the trainer grades it as passed."))
    if (
        seconds < 0
        or seconds > 24 * 3600
        or (progress_percent is not None and not 0 <= progress_percent <= 100)
    ):
        raise DomainError(_("The time spent or progress is out of range."))
    with transaction.atomic():
        _check_module_open(enrolment, module)
        try:
            with transaction.atomic():
                event = ProgressEvent.objects.create(
                    enrolment=enrolment,
                    module=module,
                    verb=verb,
                    seconds=seconds,
                    progress=progress_percent,
                    client_event_id=client_event_id,
                    at=at or timezone.now(),
                )
        except IntegrityError:
            # The same event arrived twice at once: the other request stored it.
            return ProgressEvent.objects.get(enrolment=enrolment, client_event_id=client_event_id), False
        if verb == Verb.COMPLETED:
            completion_check(actor=actor, enrolment=enrolment)
    return event, True


def _grade(module: Module, answers: Mapping[int, Iterable[int]]) -> tuple[int, dict[str, list[int]]]:
    questions = list(module.questions.prefetch_related("choices"))
    if not questions:
        raise DomainError(_("This quiz has no questions yet."))
    clean: dict[str, list[int]] = {}
    correct = 0
    for question in questions:
        chosen = {int(c) for c in answers.get(question.pk, ())}
        choices = {c.pk: c for c in question.choices.all()}
        if not chosen:
            raise DomainError(_("Answer every question before you submit."))
        if not chosen <= set(choices) or (question.kind == "single" and len(chosen) > 1):
            raise DomainError(_("An answer does not belong to its question; reload the quiz and try again."))
        clean[str(question.pk)] = sorted(chosen)
        if chosen == {pk for pk, c in choices.items() if c.correct}:
            correct += 1
    return round(100 * correct / len(questions)), clean


def _keep_answers(attempt: QuizAttempt, clean: Mapping[str, list[int]]) -> None:
    """One row per chosen choice, marked with whether its question was answered right (for item statistics)."""
    right: dict[int, set[int]] = {}
    for question_id, choice_id in Choice.objects.filter(
        question__module_id=attempt.module_id, correct=True
    ).values_list("question_id", "pk"):
        right.setdefault(question_id, set()).add(choice_id)
    QuizAnswer.objects.bulk_create(
        QuizAnswer(
            attempt=attempt,
            question_id=int(key),
            choice_id=choice_id,
            question_correct=set(chosen) == right.get(int(key), set()),
        )
        for key, chosen in clean.items()
        for choice_id in chosen
    )


@transaction.atomic
def quiz_submit(
    *,
    actor: Any,
    enrolment: CourseEnrolment,
    module: Module,
    answers: Mapping[int, Iterable[int]],
    submission_id: str,
    now: Any = None,
) -> QuizAttempt:
    """Grade a learner's answers to a quiz and keep the attempt; refused after the deadline, beyond the attempts or twice."""
    now = now or timezone.now()
    enrolment = CourseEnrolment.objects.select_for_update().get(pk=enrolment.pk)
    submission_id = submission_id.strip()[:64]
    if not submission_id:
        raise DomainError(_("The answer sheet has no submission id; reload the quiz and try again."))
    duplicate = QuizAttempt.objects.filter(enrolment=enrolment, submission_id=submission_id).first()
    if duplicate is not None:
        raise DuplicateSubmission(_("These answers were already received."), attempt=duplicate)
    if module.kind != ModuleKind.QUIZ:
        raise DomainError(_("This module is not a quiz."))
    if module.deadline is not None and now > module.deadline:
        raise DomainError(_("The deadline for this quiz has passed."))
    _check_module_open(enrolment, module)
    previous = list(
        QuizAttempt.objects.filter(enrolment=enrolment, module=module).values_list("passed", flat=True)
    )
    if any(previous):
        raise DomainError(_("You have already passed this quiz."))
    if len(previous) >= module.attempts_allowed:
        raise DomainError(
            ngettext(
                "You have used the only attempt allowed at this quiz.",
                "You have used all %(count)d attempts allowed at this quiz.",
                module.attempts_allowed,
            )
            % {"count": module.attempts_allowed}
        )
    score, clean = _grade(module, answers)
    attempt = QuizAttempt.objects.create(
        enrolment=enrolment,
        module=module,
        number=len(previous) + 1,
        submission_id=submission_id,
        answers=clean,
        score=score,
        passed=score >= module.pass_mark,
        submitted_at=now,
    )
    _keep_answers(attempt, clean)
    ProgressEvent.objects.create(
        enrolment=enrolment,
        module=module,
        verb=Verb.PASSED if attempt.passed else Verb.FAILED,
        client_event_id=f"quiz:{submission_id}"[:64],
        at=now,
    )
    if attempt.passed:
        completion_check(actor=actor, enrolment=enrolment)
    return attempt


@transaction.atomic
def attendance_mark(*, actor: Any, module: Module, marks: Mapping[int, bool]) -> int:
    """The trainer marks who was at a workshop or session (enrolment id → present); returns how many changed."""
    from maharat.learning.models import Attendance

    if module.kind not in SESSION_KINDS:
        raise DomainError(_("Attendance is kept only for workshops and sessions."))
    enrolments = {
        e.pk: e
        for e in CourseEnrolment.objects.filter(
            course_id=module.course_id, pk__in=list(marks), status__in=SEAT_HOLDING
        )
    }
    if set(marks) - set(enrolments):
        raise DomainError(_("Some of these learners are not active in this course."))
    if module.kind == ModuleKind.WORKSHOP and module.capacity is not None:
        # A workshop with limited seats counts only the learners who booked one.
        booked = set(module.bookings.values_list("enrolment_id", flat=True))
        if any(present and pk not in booked for pk, present in marks.items()):
            raise DomainError(_("Only learners who booked a seat can be marked present at this workshop."))
    current = dict(
        Attendance.objects.filter(module=module, enrolment_id__in=list(marks)).values_list(
            "enrolment_id", "present"
        )
    )
    changed = 0
    for enrolment_id, present in marks.items():
        if current.get(enrolment_id) is present:
            continue
        Attendance.objects.update_or_create(
            module=module, enrolment_id=enrolment_id, defaults={"present": present, "marked_by": actor}
        )
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            subject_type="learning.attendance",
            subject_id=f"{module.pk}/{enrolment_id}",
            person_id=enrolments[enrolment_id].person_id,
            fields=["present"],
            reason="attendance marked",
            detail={"present": present},
        )
        if present:
            ProgressEvent.objects.get_or_create(
                enrolment_id=enrolment_id,
                client_event_id=f"attended:{module.pk}",
                defaults={"module": module, "verb": Verb.ATTENDED},
            )
            completion_check(actor=actor, enrolment=enrolments[enrolment_id])
        changed += 1
    return changed


def new_certificate_code() -> str:
    """A fresh random verification code of ten characters from an alphabet without look-alikes."""
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """A typed code as stored: capitals, no dashes or spaces, O read as 0 and I or L as 1."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return cleaned.translate(str.maketrans("OIL", "011"))


@transaction.atomic
def completion_check(*, actor: Any, enrolment: CourseEnrolment) -> Certificate | None:
    """When a learner meets the completion rules: mark the course completed, certify, and add its skills."""
    enrolment = (
        CourseEnrolment.objects.select_for_update().select_related("course", "person").get(pk=enrolment.pk)
    )
    if enrolment.status == EnrolmentStatus.COMPLETED:
        return Certificate.objects.filter(enrolment=enrolment).first()
    if enrolment.status != EnrolmentStatus.ACTIVE:
        return None
    course = enrolment.course
    states = progress.module_states(CourseEnrolment.objects.filter(pk=enrolment.pk))
    if not progress.completion(course, progress.course_modules(course), states, enrolment.pk).complete:
        return None
    enrolment.status = EnrolmentStatus.COMPLETED
    enrolment.status_changed_at = enrolment.completed_at = timezone.now()
    enrolment.save(update_fields=["status", "status_changed_at", "completed_at", "updated_at"])
    code = new_certificate_code()
    while Certificate.objects.filter(code=code).exists():
        code = new_certificate_code()
    certificate = Certificate.objects.create(enrolment=enrolment, code=code)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        subject=certificate,
        person_id=enrolment.person_id,
        fields=["status", "certificate"],
        reason=f"completed course {course.pk}",
    )
    held = dict(PersonSkill.objects.filter(person=enrolment.person).values_list("skill_id", "proficiency"))
    source = f"{certificate.display_code} · {course.label_en or course.label_ar}"
    for skill in course.skills_taught.all():
        person_skill_set(
            actor=actor,
            person=enrolment.person,
            skill=skill,
            proficiency=max(course.level, held.get(skill.pk, 0)),
            evidence=Evidence.CERTIFIED,
            source=source,
        )
    return certificate
