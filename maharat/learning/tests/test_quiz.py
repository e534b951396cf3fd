"""Quizzes: automatic grading, attempts, the deadline and duplicate submissions (offline replays)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from maharat.core.errors import DomainError
from maharat.core.testing import Personas
from maharat.learning import services
from maharat.learning.authoring import parse_choices, question_add
from maharat.learning.choices import Verb
from maharat.learning.models import CourseEnrolment, ProgressEvent, QuizAttempt
from maharat.learning.tests.factories import CourseKit


@pytest.fixture
def enrolment(personas: Personas, kit: CourseKit) -> CourseEnrolment:
    """Amal, enrolled, with the lesson done so the quiz is open."""
    enrolment = services.enrol(actor=None, course=kit.course, person=personas.amal)
    services.progress_record(actor=None, enrolment=enrolment, module=kit.lesson, verb=Verb.COMPLETED)
    return enrolment


def submit(
    kit: CourseKit, enrolment: CourseEnrolment, answers: dict[int, list[int]], sid: str, **kw: object
) -> QuizAttempt:
    return services.quiz_submit(
        actor=None, enrolment=enrolment, module=kit.quiz, answers=answers, submission_id=sid, **kw
    )


class GradingTests:
    def test_all_right_scores_100_and_passes(self, kit: CourseKit, enrolment: CourseEnrolment) -> None:
        attempt = submit(kit, enrolment, kit.right, "s1")
        assert (attempt.score, attempt.passed, attempt.number) == (100, True, 1)
        assert ProgressEvent.objects.filter(verb=Verb.PASSED, module=kit.quiz).count() == 1

    def test_multiple_choice_needs_exactly_the_right_set(
        self, kit: CourseKit, enrolment: CourseEnrolment
    ) -> None:
        single, multiple = list(kit.right)
        partial = {single: kit.right[single], multiple: kit.right[multiple][:1]}
        attempt = submit(kit, enrolment, partial, "s1")
        assert (attempt.score, attempt.passed) == (50, False)  # pass mark is 60
        assert ProgressEvent.objects.filter(verb=Verb.FAILED).count() == 1

    def test_unanswered_question_is_refused_and_nothing_changes(
        self, kit: CourseKit, enrolment: CourseEnrolment
    ) -> None:
        single = next(iter(kit.right))
        with pytest.raises(DomainError, match="Answer every question"):
            submit(kit, enrolment, {single: kit.right[single]}, "s1")
        assert not QuizAttempt.objects.exists()

    def test_foreign_or_extra_choices_are_refused(self, kit: CourseKit, enrolment: CourseEnrolment) -> None:
        single, multiple = list(kit.right)
        with pytest.raises(DomainError, match="does not belong"):
            submit(kit, enrolment, {single: kit.right[multiple], multiple: kit.right[multiple]}, "s1")
        with pytest.raises(DomainError, match="does not belong"):
            submit(
                kit,
                enrolment,
                {single: kit.right[single] + kit.wrong[single], multiple: kit.right[multiple]},
                "s2",
            )
        assert not QuizAttempt.objects.exists()


class AttemptTests:
    def test_attempts_are_limited(self, kit: CourseKit, enrolment: CourseEnrolment) -> None:
        kit.quiz.attempts_allowed = 2
        kit.quiz.save()
        submit(kit, enrolment, kit.wrong, "a")
        submit(kit, enrolment, kit.wrong, "b")
        with pytest.raises(DomainError, match="all 2 attempts"):
            submit(kit, enrolment, kit.right, "c")
        assert list(QuizAttempt.objects.values_list("number", flat=True)) == [1, 2]

    def test_a_passed_quiz_is_not_taken_again(self, kit: CourseKit, enrolment: CourseEnrolment) -> None:
        submit(kit, enrolment, kit.right, "a")
        with pytest.raises(DomainError, match="already passed"):
            submit(kit, enrolment, kit.right, "b")

    def test_after_the_deadline_nothing_is_recorded(self, kit: CourseKit, enrolment: CourseEnrolment) -> None:
        kit.quiz.deadline = timezone.now() - dt.timedelta(minutes=1)
        kit.quiz.save()
        with pytest.raises(DomainError, match="deadline for this quiz has passed"):
            submit(kit, enrolment, kit.right, "late")
        assert not QuizAttempt.objects.exists()

    def test_a_duplicate_submission_is_refused_and_points_to_the_first(
        self, kit: CourseKit, enrolment: CourseEnrolment
    ) -> None:
        first = submit(kit, enrolment, kit.wrong, "offline-1")
        with pytest.raises(services.DuplicateSubmission, match="already received") as caught:
            submit(kit, enrolment, kit.right, "offline-1")
        assert caught.value.attempt.pk == first.pk
        assert QuizAttempt.objects.count() == 1
        assert ProgressEvent.objects.filter(module=kit.quiz).count() == 1


class AuthoringTests:
    def test_parse_choices_marks_correct_answers(self) -> None:
        assert parse_choices("*Gmail | جيميل\nExcel\n\n") == [
            ("Gmail", "جيميل", True),
            ("Excel", "Excel", False),
        ]

    def test_question_needs_a_correct_answer(self, personas: Personas, kit: CourseKit) -> None:
        with pytest.raises(DomainError, match="at least one answer as correct"):
            question_add(
                actor=None,
                module=kit.quiz,
                text_en="Q",
                text_ar="س",
                choices=[("a", "a", False), ("b", "b", False)],
            )
        with pytest.raises(DomainError, match="exactly one correct"):
            question_add(
                actor=None,
                module=kit.quiz,
                text_en="Q",
                text_ar="س",
                choices=[("a", "a", True), ("b", "b", True)],
            )
        with pytest.raises(DomainError, match="belong to quizzes"):
            question_add(
                actor=None,
                module=kit.lesson,
                text_en="Q",
                text_ar="س",
                choices=[("a", "a", True), ("b", "b", False)],
            )
