"""Staff reports: learners who need help and reminders, quiz item statistics, attendance, exports, permissions."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from maharat.core.models import AuditAction, AuditLog
from maharat.core.testing import Personas, assert_forbidden
from maharat.learning import progress, reports, services
from maharat.learning.choices import ModuleKind, Verb
from maharat.learning.models import CourseEnrolment, Module, QuizAnswer, QuizAttempt
from maharat.learning.notify import learners_nudge
from maharat.learning.tests.factories import CourseKit, make_course
from maharat.messaging.models import Message
from maharat.programmes.models import Enrolment
from maharat.programmes.services import cohort_for
from maharat.programmes.tests.factories import applicant, open_call

LONG_AGO = timezone.now() - dt.timedelta(days=30)


def _enrol(personas: Personas, kit: CourseKit, person: object = None) -> CourseEnrolment:
    return services.enrol(actor=personas.trainer, course=kit.course, person=person or applicant(personas))  # type: ignore[arg-type]


def _fail_quiz(
    kit: CourseKit, enrolment: CourseEnrolment, times: int, *, at: dt.datetime | None = None
) -> None:
    services.progress_record(
        actor=None, enrolment=enrolment, module=kit.lesson, verb=Verb.COMPLETED, at=at or timezone.now()
    )
    for n in range(times):
        services.quiz_submit(
            actor=None,
            enrolment=enrolment,
            module=kit.quiz,
            answers=kit.wrong,
            submission_id=f"s{enrolment.pk}-{n}",
            now=at,
        )


def _after_quiz(kit: CourseKit) -> Module:
    module = Module.objects.create(
        course=kit.course,
        position=4,
        kind=ModuleKind.LESSON,
        label_en="Attachments",
        label_ar="المرفقات",
        body_en="Attach a file.",
    )
    module.prerequisites.add(kit.quiz)
    return module


class NeedHelpTests:
    def test_lists_inactive_out_of_attempts_blocked_and_stalled_learners_only(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        after = _after_quiz(kit)
        busy, silent, failing, stalled, new = (_enrol(personas, kit) for _ in range(5))
        CourseEnrolment.objects.filter(pk__in=[silent.pk, stalled.pk]).update(status_changed_at=LONG_AGO)
        services.progress_record(actor=None, enrolment=busy, module=kit.lesson, verb=Verb.COMPLETED)
        services.progress_record(
            actor=None, enrolment=silent, module=kit.lesson, verb=Verb.COMPLETED, at=LONG_AGO
        )
        _fail_quiz(kit, failing, kit.quiz.attempts_allowed)
        services.progress_record(
            actor=None, enrolment=stalled, module=kit.lesson, verb=Verb.STARTED, at=LONG_AGO
        )
        services.progress_record(actor=None, enrolment=stalled, module=kit.lesson, verb=Verb.PROGRESSED)
        rows = reports.learners_needing_help(kit.course, CourseEnrolment.objects.all(), days=14)
        found = {row.enrolment.pk: row for row in rows}
        assert set(found) == {silent.pk, failing.pk, stalled.pk}
        assert found[silent.pk].codes == {"inactive"}
        assert found[failing.pk].codes == {"quiz", "blocked"}
        assert any(after.label_en in reason for reason in found[failing.pk].reasons)
        assert found[stalled.pk].codes == {"stalled"}
        assert new.pk not in found and busy.pk not in found
        assert rows[0].enrolment.pk == silent.pk  # the longest silent first

    def test_absent_from_a_prerequisite_session_blocks_and_counts_once(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        follow_up = _after_quiz(kit)
        follow_up.prerequisites.set([kit.workshop])
        learner = _enrol(personas, kit)
        services.attendance_mark(actor=personas.trainer, module=kit.workshop, marks={learner.pk: False})
        [row] = reports.learners_needing_help(kit.course, CourseEnrolment.objects.all(), days=14)
        assert row.codes == {"blocked"}

    def test_days_are_kept_in_range(self) -> None:
        assert reports.parse_days("3") == 3
        assert reports.parse_days("0") == 1
        assert reports.parse_days("9999") == reports.MAX_DAYS
        assert reports.parse_days("x") == reports.DEFAULT_DAYS
        assert reports.parse_days(None) == reports.DEFAULT_DAYS


class ReminderTests:
    def test_staff_remind_chosen_learners_once_a_day_through_the_outbox(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        amal = _enrol(personas, kit, personas.amal)
        other = _enrol(personas, kit)
        client = personas.client_for(personas.trainer)
        url = reverse("learning:learners_remind", args=[kit.course.pk])
        response = client.post(url, {"enrolment": [amal.pk, other.pk], "days": "7"})
        assert response.status_code == 302 and "days=7" in response["Location"]
        sent = Message.objects.get(person=personas.amal)
        assert sent.status != "blocked" and kit.course.label_ar in sent.text  # amal reads Arabic
        assert Message.objects.get(person=other.person).status == "blocked"  # no messaging consent
        assert AuditLog.objects.filter(subject_type="messaging.message", person_id=personas.amal.pk).exists()
        client.post(url, {"enrolment": [amal.pk]})
        assert Message.objects.filter(person=personas.amal).count() == 1
        counts = learners_nudge(actor=personas.trainer, course=kit.course, enrolments=[amal])
        assert counts == {"queued": 0, "not_sent": 0, "already": 1}

    def test_nothing_chosen_is_an_error_and_sends_nothing(self, personas: Personas, kit: CourseKit) -> None:
        client = personas.client_for(personas.trainer)
        response = client.post(reverse("learning:learners_remind", args=[kit.course.pk]), {"enrolment": "x"})
        assert response.status_code == 302
        assert not Message.objects.exists()

    def test_learners_of_another_provider_cannot_be_reminded(self, personas: Personas) -> None:
        course = make_course(personas, provider=personas.other_partner).course
        learner = services.enrol(actor=personas.amal_user, course=course, person=personas.amal)
        url = reverse("learning:learners_remind", args=[course.pk])
        assert_forbidden(
            url, [None, personas.trainer, personas.employer], method="post", data={"enrolment": learner.pk}
        )
        assert not Message.objects.exists()


class QuizItemTests:
    def test_hardest_question_first_with_the_wrong_answer_chosen_most(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        [q1, q2] = list(kit.quiz.questions.order_by("position", "pk"))
        first, second, third = (_enrol(personas, kit) for _ in range(3))
        _fail_quiz(kit, first, 1)  # both wrong
        services.progress_record(actor=None, enrolment=second, module=kit.lesson, verb=Verb.COMPLETED)
        services.quiz_submit(
            actor=None,
            enrolment=second,
            module=kit.quiz,
            answers={q1.pk: kit.wrong[q1.pk], q2.pk: kit.right[q2.pk]},
            submission_id="b1",
        )
        services.progress_record(actor=None, enrolment=third, module=kit.lesson, verb=Verb.COMPLETED)
        services.quiz_submit(
            actor=None, enrolment=third, module=kit.quiz, answers=kit.right, submission_id="c1"
        )
        stats = reports.quiz_item_stats(kit.course, CourseEnrolment.objects.all())
        assert [s.question.pk for s in stats] == [q1.pk, q2.pk]
        assert (stats[0].attempts, stats[0].correct, stats[0].share_correct) == (3, 1, 33)
        assert stats[0].wrong_choice is not None and stats[0].wrong_choice.label_en == "Subject"
        assert stats[0].wrong_count == 2
        assert (stats[1].attempts, stats[1].share_correct) == (3, 67)
        only_first = reports.quiz_item_stats(kit.course, CourseEnrolment.objects.filter(pk=first.pk))
        assert [s.attempts for s in only_first] == [1, 1]

    def test_questions_never_answered_come_last_without_a_share(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        stats = reports.quiz_item_stats(kit.course, CourseEnrolment.objects.all())
        assert [s.share_correct for s in stats] == [None, None]
        assert stats[0].wrong_choice is None

    def test_answers_of_attempts_made_before_the_table_are_backfilled(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        from importlib import import_module

        learner = _enrol(personas, kit)
        _fail_quiz(kit, learner, 1)
        expected = set(QuizAnswer.objects.values_list("question_id", "choice_id", "question_correct"))
        QuizAnswer.objects.all().delete()
        import_module("maharat.learning.migrations.0002_quiz_answers").backfill(apps, None)
        assert set(QuizAnswer.objects.values_list("question_id", "choice_id", "question_correct")) == expected
        assert QuizAttempt.objects.count() == 1


class AttendanceReportTests:
    def test_counts_per_session_and_share_per_learner(self, personas: Personas, kit: CourseKit) -> None:
        Module.objects.filter(pk=kit.workshop.pk).update(starts_at=timezone.now() - dt.timedelta(days=1))
        came, missed, unmarked = (_enrol(personas, kit) for _ in range(3))
        services.attendance_mark(
            actor=personas.trainer, module=kit.workshop, marks={came.pk: True, missed.pk: False}
        )
        sessions, learners = reports.attendance_summary(kit.course, CourseEnrolment.objects.all())
        [session] = sessions
        assert (session.booked, session.present, session.absent, session.unmarked) == (3, 1, 1, 1)
        shares = {row.enrolment.pk: row.share for row in learners}
        assert shares == {came.pk: 100, missed.pk: 0, unmarked.pk: 0}
        assert learners[-1].enrolment.pk == came.pk

    def test_share_is_empty_before_any_session_is_held(self, personas: Personas, kit: CourseKit) -> None:
        _enrol(personas, kit)
        _sessions, learners = reports.attendance_summary(kit.course, CourseEnrolment.objects.all())
        assert learners[0].share is None and learners[0].held == 0


class ReportPageTests:
    @pytest.mark.parametrize("name", ["learners_help", "quiz_stats", "attendance_report", "progress_grid"])
    def test_pages_render_in_arabic_and_english(self, personas: Personas, kit: CourseKit, name: str) -> None:
        learner = _enrol(personas, kit)
        _fail_quiz(kit, learner, kit.quiz.attempts_allowed, at=LONG_AGO)
        client = personas.client_for(personas.trainer)
        url = reverse(f"learning:{name}", args=[kit.course.pk])
        page = client.get(url, {"days": "10", "cohort": "x"})
        assert page.status_code == 200
        assert "/export/" in page.content.decode()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
        assert 'dir="rtl"' in client.get(url).content.decode()

    def test_help_page_lists_the_stuck_learner_with_a_reminder_box(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        learner = _enrol(personas, kit)
        _fail_quiz(kit, learner, kit.quiz.attempts_allowed)
        html = (
            personas.client_for(personas.trainer)
            .get(reverse("learning:learners_help", args=[kit.course.pk]))
            .content.decode()
        )
        assert learner.person.display_name in html and f'value="{learner.pk}"' in html

    def test_reports_are_forbidden_to_outsiders(self, personas: Personas, kit: CourseKit) -> None:
        _enrol(personas, kit, personas.amal)
        outsiders = [None, personas.amal_user, personas.employer, personas.other_officer, personas.researcher]
        for name in ("learners_help", "quiz_stats", "attendance_report"):
            assert_forbidden(reverse(f"learning:{name}", args=[kit.course.pk]), outsiders)
        for report in reports_names():
            assert_forbidden(
                reverse("learning:report_export", args=[kit.course.pk, report, "csv"]), outsiders
            )
        assert not AuditLog.objects.filter(action=AuditAction.EXPORT).exists()

    def test_programme_officer_sees_only_learners_from_their_cohorts(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        cohort = cohort_for(open_call(personas))
        mine = applicant(personas)
        Enrolment.objects.create(cohort=cohort, person=mine)
        services.enrol_cohort(actor=personas.trainer, course=kit.course, cohort=cohort)
        stranger = _enrol(personas, kit)
        _fail_quiz(kit, stranger, kit.quiz.attempts_allowed)
        CourseEnrolment.objects.update(status_changed_at=LONG_AGO)
        client = personas.client_for(personas.officer)
        html = client.get(reverse("learning:learners_help", args=[kit.course.pk])).content.decode()
        assert mine.display_name in html and stranger.person.display_name not in html
        export = client.get(reverse("learning:report_export", args=[kit.course.pk, "grid", "csv"]))
        assert (
            mine.display_name in export.content.decode()
            and stranger.person.display_name not in export.content.decode()
        )
        trainer = personas.client_for(personas.trainer)
        one_cohort = trainer.get(
            reverse("learning:report_export", args=[kit.course.pk, "help", "csv"]), {"cohort": cohort.pk}
        ).content.decode()
        assert mine.display_name in one_cohort and stranger.person.display_name not in one_cohort
        grid = trainer.get(reverse("learning:progress_grid", args=[kit.course.pk]), {"cohort": cohort.pk})
        assert "1 learner in all" in grid.content.decode()
        client.post(reverse("learning:learners_remind", args=[kit.course.pk]), {"enrolment": stranger.pk})
        assert not Message.objects.filter(person=stranger.person).exists()


def reports_names() -> tuple[str, ...]:
    from maharat.learning.views_reports import EXPORTS

    return EXPORTS


class ExportTests:
    @pytest.mark.parametrize("report", ["grid", "help", "quiz", "attendance"])
    def test_csv_has_a_bom_and_names_and_is_audited(
        self, personas: Personas, kit: CourseKit, report: str
    ) -> None:
        learner = _enrol(personas, kit, personas.amal)
        _fail_quiz(kit, learner, kit.quiz.attempts_allowed, at=LONG_AGO)
        client = personas.client_for(personas.trainer)
        response = client.get(
            reverse("learning:report_export", args=[kit.course.pk, report, "csv"]), {"days": "5"}
        )
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        body = response.content.decode("utf-8")
        assert body.startswith("\ufeff")
        if report != "quiz":
            assert "أمل" in body
        else:
            assert "Subject" in body or "الموضوع" in body
        log = AuditLog.objects.get(action=AuditAction.EXPORT)
        assert log.subject_id == str(kit.course.pk) and log.fields == [report]

    def test_xlsx_opens_with_the_same_rows(self, personas: Personas, kit: CourseKit) -> None:
        from openpyxl import load_workbook

        _enrol(personas, kit, personas.amal)
        client = personas.client_for(personas.trainer)
        response = client.get(reverse("learning:report_export", args=[kit.course.pk, "grid", "xlsx"]))
        assert response["Content-Disposition"].endswith('.xlsx"')
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert len(rows) == 2 and "أمل" in str(rows[1][1])
        assert len(rows[0]) == 4 + 3 + 2

    def test_unknown_report_or_format_is_not_found(self, personas: Personas, kit: CourseKit) -> None:
        client = personas.client_for(personas.trainer)
        assert (
            client.get(reverse("learning:report_export", args=[kit.course.pk, "people", "csv"])).status_code
            == 404
        )
        assert (
            client.get(reverse("learning:report_export", args=[kit.course.pk, "grid", "pdf"])).status_code
            == 404
        )


class GridPageTests:
    def test_summary_counts_every_learner_like_the_full_grid(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        learners = [_enrol(personas, kit) for _ in range(4)]
        _fail_quiz(kit, learners[0], 1)
        services.progress_record(actor=None, enrolment=learners[1], module=kit.lesson, verb=Verb.COMPLETED)
        services.quiz_submit(
            actor=None, enrolment=learners[1], module=kit.quiz, answers=kit.right, submission_id="ok"
        )
        services.attendance_mark(
            actor=personas.trainer, module=kit.workshop, marks={learners[1].pk: True, learners[2].pk: False}
        )
        services.enrolment_withdraw(actor=None, enrolment=learners[3])
        everyone = CourseEnrolment.objects.all()
        modules, rows = progress.progress_grid(kit.course, everyone)
        summary = progress.grid_summary(modules, everyone)
        expected = {m.pk: sum(1 for r in rows if r.marks[i] == "done") for i, m in enumerate(modules)}
        assert summary.done_per_module == expected == {kit.lesson.pk: 2, kit.quiz.pk: 1, kit.workshop.pk: 1}
        assert summary.learners == 3 and summary.by_status == {"active": 2, "completed": 1}
        _modules, page = progress.progress_grid(kit.course, everyone, offset=1, limit=1)
        assert [r.enrolment.pk for r in page] == [learners[1].pk] and page[0].done == 3

    def test_grid_page_shows_one_page_of_learners_and_counts_for_all(
        self, personas: Personas, kit: CourseKit, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from maharat.learning import views_staff

        monkeypatch.setattr(views_staff, "GRID_PAGE_SIZE", 2)
        learners = [_enrol(personas, kit) for _ in range(3)]
        client = personas.client_for(personas.trainer)
        url = reverse("learning:progress_grid", args=[kit.course.pk])
        first = client.get(url).content.decode()
        assert "3 learners in all" in first and "Page 1 of 2" in first and 'rel="next"' in first
        assert learners[2].person.display_name not in first
        second = client.get(url, {"page": "2"}).content.decode()
        assert learners[2].person.display_name in second and 'rel="prev"' in second
        assert learners[0].person.display_name not in second
        assert client.get(url, {"page": "0"}).status_code == 200
