"""Changing a course's shape: edit and delete quiz questions, move and delete modules, take a course to draft."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import reverse

from maharat.core.errors import DomainError
from maharat.core.models import AuditLog
from maharat.core.roles import Role
from maharat.core.testing import Personas, assert_forbidden
from maharat.learning import authoring, services
from maharat.learning.choices import EnrolmentStatus, ModuleKind, QuestionKind, Verb
from maharat.learning.models import Choice, Course, CourseEnrolment, Module, Question, QuizAnswer
from maharat.learning.models_files import ModuleAttachment
from maharat.learning.tests.factories import CourseKit, make_course
from maharat.people.choices import OrganizationKind
from maharat.people.models import Membership, Organization


@pytest.fixture
def rival_trainer(personas: Personas) -> Any:
    """Staff of another training provider."""
    org = Organization.objects.create(
        kind=OrganizationKind.TRAINING_PROVIDER,
        slug="rival-academy",
        label_en="Rival Academy",
        label_ar="أكاديمية منافسة",
    )
    user = get_user_model().objects.create_user(username="rival", password="x")
    Membership.objects.create(user=user, organization=org, role=Role.TRAINING_PROVIDER)
    return user


def _answered(personas: Personas, kit: CourseKit) -> CourseEnrolment:
    """Amal enrolled, lesson done, one passing attempt at the quiz."""
    enrolment = services.enrol(actor=None, course=kit.course, person=personas.amal)
    services.progress_record(actor=None, enrolment=enrolment, module=kit.lesson, verb=Verb.COMPLETED)
    services.quiz_submit(
        actor=None, enrolment=enrolment, module=kit.quiz, answers=kit.right, submission_id="s1"
    )
    return enrolment


def _snapshot(module: Module) -> list[tuple[Any, ...]]:
    return [
        (
            q.pk,
            q.kind,
            q.text_en,
            q.text_ar,
            [(c.pk, c.label_en, c.label_ar, c.correct) for c in q.choices.all()],
        )
        for q in module.questions.prefetch_related("choices")
    ]


def _first_question(kit: CourseKit) -> Question:
    return kit.quiz.questions.order_by("position").first()  # type: ignore[return-value]


class QuestionEditTests:
    def test_before_any_attempt_everything_may_change_and_choices_keep_their_ids(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        question = _first_question(kit)
        old_ids = list(question.choices.values_list("pk", flat=True))
        authoring.question_edit(
            actor=personas.trainer,
            question=question,
            text_en="Where goes the address?",
            text_ar="أين يكتب العنوان؟",
            kind=QuestionKind.MULTIPLE,
            choices=[("Cc", "نسخة", True), ("To", "إلى", True), ("Body", "النص", False)],
        )
        question.refresh_from_db()
        choices = list(question.choices.all())
        assert (question.text_en, question.kind) == ("Where goes the address?", QuestionKind.MULTIPLE)
        assert [(c.label_en, c.correct) for c in choices] == [("Cc", True), ("To", True), ("Body", False)]
        assert [c.pk for c in choices][:2] == old_ids
        log = AuditLog.objects.get(subject_type="learning.question", subject_id=str(question.pk))
        assert log.actor == personas.trainer and log.action == "change"

    def test_fewer_choices_remove_the_extra_ones(self, personas: Personas, kit: CourseKit) -> None:
        question = kit.quiz.questions.order_by("position").last()
        assert question is not None
        authoring.question_edit(
            actor=personas.trainer,
            question=question,
            text_en=question.text_en,
            text_ar=question.text_ar,
            kind=QuestionKind.SINGLE,
            choices=[("Gmail", "جيميل", True), ("Excel", "إكسل", False)],
        )
        assert list(question.choices.values_list("label_en", flat=True)) == ["Gmail", "Excel"]

    def test_bad_input_is_refused_and_nothing_changes(self, personas: Personas, kit: CourseKit) -> None:
        question = _first_question(kit)
        before = _snapshot(kit.quiz)
        for choices, kind, message in (
            ([("Only", "فقط", True)], QuestionKind.SINGLE, "at least two"),
            ([("A", "أ", False), ("B", "ب", False)], QuestionKind.SINGLE, "at least one answer"),
            ([("A", "أ", True), ("B", "ب", True)], QuestionKind.SINGLE, "exactly one"),
        ):
            with pytest.raises(DomainError, match=message):
                authoring.question_edit(
                    actor=personas.trainer,
                    question=question,
                    text_en="X",
                    text_ar="س",
                    kind=kind,
                    choices=choices,
                )
        with pytest.raises(DomainError, match="at least one language"):
            authoring.question_edit(
                actor=personas.trainer,
                question=question,
                text_en=" ",
                text_ar="",
                kind=QuestionKind.SINGLE,
                choices=[("A", "أ", True), ("B", "ب", False)],
            )
        assert _snapshot(kit.quiz) == before

    def test_after_an_attempt_only_the_wording_may_change(self, personas: Personas, kit: CourseKit) -> None:
        _answered(personas, kit)
        question = _first_question(kit)
        before = _snapshot(kit.quiz)
        refused = (
            (
                [("To", "إلى", True), ("Subject", "الموضوع", False), ("Cc", "نسخة", False)],
                QuestionKind.SINGLE,
            ),
            ([("To", "إلى", False), ("Subject", "الموضوع", True)], QuestionKind.SINGLE),
            ([("To", "إلى", True), ("Subject", "الموضوع", False)], QuestionKind.MULTIPLE),
        )
        for choices, kind in refused:
            with pytest.raises(DomainError, match="may fix the wording"):
                authoring.question_edit(
                    actor=personas.trainer,
                    question=question,
                    text_en="Changed",
                    text_ar="تغير",
                    kind=kind,
                    choices=choices,
                )
        assert _snapshot(kit.quiz) == before
        answers = QuizAnswer.objects.filter(question=question).count()
        authoring.question_edit(
            actor=personas.trainer,
            question=question,
            text_en="Which field holds the recipient's address?",
            text_ar="أي حقل يحمل عنوان المستلم؟",
            kind=QuestionKind.SINGLE,
            choices=[("To:", "إلى:", True), ("Subject:", "الموضوع:", False)],
        )
        question.refresh_from_db()
        assert question.text_en == "Which field holds the recipient's address?"
        assert list(question.choices.values_list("label_en", flat=True)) == ["To:", "Subject:"]
        assert (
            QuizAnswer.objects.filter(question=question).count() == answers
        )  # answers still point to choices

    def test_edit_page_prefills_and_saves(self, personas: Personas, kit: CourseKit) -> None:
        question = _first_question(kit)
        client = personas.client_for(personas.trainer)
        url = reverse("learning:question_edit", args=[question.pk])
        page = client.get(url)
        assert page.status_code == 200 and "*To | إلى" in page.content.decode()
        response = client.post(
            url,
            {
                "text_en": "Address field?",
                "text_ar": "حقل العنوان؟",
                "kind": "single",
                "choices": "*To | إلى\nCc | نسخة",
            },
        )
        assert response["Location"] == reverse("learning:questions", args=[kit.quiz.pk])
        assert Choice.objects.filter(question=question, label_en="Cc").exists()

    def test_edit_page_shows_the_refusal_and_the_wording_note(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        _answered(personas, kit)
        question = _first_question(kit)
        client = personas.client_for(personas.trainer)
        url = reverse("learning:question_edit", args=[question.pk])
        assert b"keep the same answers in the same order" in client.get(url).content
        page = client.post(
            url, {"text_en": "Q", "text_ar": "س", "kind": "single", "choices": "To | إلى\n*Subject | الموضوع"}
        )
        assert page.status_code == 200 and b"re-mark answers" in page.content
        assert Choice.objects.get(question=question, label_en="To").correct


class QuestionDeleteTests:
    def test_confirm_then_delete(self, personas: Personas, kit: CourseKit) -> None:
        question = _first_question(kit)
        client = personas.client_for(personas.trainer)
        url = reverse("learning:question_delete", args=[question.pk])
        page = client.get(url)
        assert b"Delete this question?" in page.content and Question.objects.filter(pk=question.pk).exists()
        client.post(url)
        assert not Question.objects.filter(pk=question.pk).exists()
        assert AuditLog.objects.filter(action="delete", subject_type="learning.question").exists()

    def test_refused_once_the_quiz_was_answered(self, personas: Personas, kit: CourseKit) -> None:
        _answered(personas, kit)
        question = _first_question(kit)
        response = personas.client_for(personas.trainer).post(
            reverse("learning:question_delete", args=[question.pk]), follow=True
        )
        assert b"cannot be deleted" in response.content
        assert Question.objects.filter(pk=question.pk).exists()
        page = personas.client_for(personas.trainer).get(reverse("learning:questions", args=[kit.quiz.pk]))
        assert reverse("learning:question_delete", args=[question.pk]).encode() not in page.content

    def test_published_quiz_keeps_its_last_question(self, personas: Personas, kit: CourseKit) -> None:
        first, last = list(kit.quiz.questions.all())
        authoring.question_delete(actor=personas.trainer, question=first)
        with pytest.raises(DomainError, match="at least one question"):
            authoring.question_delete(actor=personas.trainer, question=last)
        assert Question.objects.filter(pk=last.pk).exists()


class ModuleDeleteTests:
    def test_unused_module_is_deleted_with_its_files(self, personas: Personas, kit: CourseKit) -> None:
        attachment = ModuleAttachment(
            module=kit.workshop,
            kind="file",
            title_en="Slides",
            original_name="slides.pdf",
            content_type="application/pdf",
            size=15,
        )
        attachment.file.save("slides.pdf", ContentFile(b"%PDF-1.4 slides"), save=False)
        attachment.save()
        client = personas.client_for(personas.trainer)
        url = reverse("learning:module_delete", args=[kit.workshop.pk])
        assert b"Delete this module?" in client.get(url).content
        response = client.post(url, follow=True)
        assert b"The module was deleted." in response.content
        assert not Module.objects.filter(pk=kit.workshop.pk).exists()
        assert not ModuleAttachment.objects.exists()
        assert AuditLog.objects.filter(action="delete", subject_type="learning.module").exists()

    def test_refused_while_another_module_needs_it(self, personas: Personas, kit: CourseKit) -> None:
        response = personas.client_for(personas.trainer).post(
            reverse("learning:module_delete", args=[kit.lesson.pk]), follow=True
        )
        assert "Check yourself" in response.content.decode() and b"prerequisites" in response.content
        assert Module.objects.filter(pk=kit.lesson.pk).exists()

    def test_refused_once_a_learner_worked_on_it(self, personas: Personas, kit: CourseKit) -> None:
        enrolment = services.enrol(actor=None, course=kit.course, person=personas.amal)
        services.progress_record(actor=None, enrolment=enrolment, module=kit.workshop, verb=Verb.STARTED)
        with pytest.raises(DomainError, match="already worked on"):
            authoring.module_delete(actor=personas.trainer, module=kit.workshop)
        assert Module.objects.filter(pk=kit.workshop.pk).exists()

    def test_published_course_keeps_one_module_but_a_draft_may_be_emptied(self, personas: Personas) -> None:
        kit = make_course(personas)
        for module in (kit.workshop, kit.quiz):
            authoring.module_delete(actor=personas.trainer, module=module)
        with pytest.raises(DomainError, match="at least one module"):
            authoring.module_delete(actor=personas.trainer, module=kit.lesson)
        draft = make_course(personas, published=False)
        for module in (draft.workshop, draft.quiz, draft.lesson):
            authoring.module_delete(actor=personas.trainer, module=module)
        assert not draft.course.modules.exists()

    def test_quiz_confirm_page_mentions_its_questions(self, personas: Personas, kit: CourseKit) -> None:
        page = personas.client_for(personas.trainer).get(
            reverse("learning:module_delete", args=[kit.quiz.pk])
        )
        assert b"its questions" in page.content


class ModuleMoveTests:
    def _order(self, course: Course) -> list[int]:
        return list(course.modules.order_by("position", "pk").values_list("pk", flat=True))

    def test_move_up_and_down_renumbers(self, personas: Personas, kit: CourseKit) -> None:
        client = personas.client_for(personas.trainer)
        client.post(reverse("learning:module_move", args=[kit.workshop.pk]), {"direction": "up"})
        assert self._order(kit.course) == [kit.lesson.pk, kit.workshop.pk, kit.quiz.pk]
        client.post(reverse("learning:module_move", args=[kit.workshop.pk]), {"direction": "down"})
        assert self._order(kit.course) == [kit.lesson.pk, kit.quiz.pk, kit.workshop.pk]
        assert list(kit.course.modules.order_by("position").values_list("position", flat=True)) == [1, 2, 3]
        assert AuditLog.objects.filter(subject_type="learning.module", fields=["position"]).count() == 2

    def test_prerequisite_stays_before(self, personas: Personas, kit: CourseKit) -> None:
        response = personas.client_for(personas.trainer).post(
            reverse("learning:module_move", args=[kit.quiz.pk]), {"direction": "up"}, follow=True
        )
        assert "needs" in response.content.decode()
        with pytest.raises(DomainError, match="swap places"):
            authoring.module_move(actor=personas.trainer, module=kit.lesson, up=False)
        assert self._order(kit.course) == [kit.lesson.pk, kit.quiz.pk, kit.workshop.pk]

    def test_ends_are_refused(self, personas: Personas, kit: CourseKit) -> None:
        with pytest.raises(DomainError, match="already first"):
            authoring.module_move(actor=personas.trainer, module=kit.lesson, up=True)
        with pytest.raises(DomainError, match="already last"):
            authoring.module_move(actor=personas.trainer, module=kit.workshop, up=False)

    def test_equal_positions_are_put_right(self, personas: Personas, kit: CourseKit) -> None:
        Module.objects.filter(course=kit.course).update(position=0)
        authoring.module_move(actor=personas.trainer, module=kit.workshop, up=True)
        assert self._order(kit.course) == [kit.lesson.pk, kit.workshop.pk, kit.quiz.pk]

    def test_staff_page_offers_move_buttons_and_delete_links(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        page = personas.client_for(personas.trainer).get(
            reverse("learning:staff_course", args=[kit.course.pk])
        )
        html = page.content.decode()
        assert html.count('value="up"') == 2 and html.count('value="down"') == 2
        assert reverse("learning:module_delete", args=[kit.quiz.pk]) in html
        assert reverse("learning:course_unpublish", args=[kit.course.pk]) in html


class UnpublishTests:
    def test_confirm_then_draft_and_enrolled_learners_keep_access(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        enrolment = services.enrol(actor=None, course=kit.course, person=personas.amal)
        client = personas.client_for(personas.trainer)
        url = reverse("learning:course_unpublish", args=[kit.course.pk])
        page = client.get(url)
        assert b"The 1 learner enrolled" in page.content
        client.post(url)
        kit.course.refresh_from_db()
        assert not kit.course.published
        assert AuditLog.objects.filter(subject_type="learning.course", fields=["published"]).exists()
        amal = personas.client_for(personas.amal_user)
        assert amal.get(reverse("learning:course_detail", args=[kit.course.pk])).status_code == 200
        assert amal.get(reverse("learning:module_detail", args=[kit.lesson.pk])).status_code == 200
        catalogue = personas.client_for(None).get(reverse("learning:course_list"))
        assert kit.course.label_en.encode() not in catalogue.content
        assert_forbidden(reverse("learning:course_detail", args=[kit.course.pk]), [None, personas.employer])
        with pytest.raises(DomainError, match="not open"):
            services.enrol(actor=None, course=kit.course, person=personas.omar)
        enrolment.refresh_from_db()
        assert enrolment.status == EnrolmentStatus.ACTIVE

    def test_withdrawn_learner_loses_the_draft(self, personas: Personas, kit: CourseKit) -> None:
        enrolment = services.enrol(actor=None, course=kit.course, person=personas.amal)
        services.enrolment_withdraw(actor=None, enrolment=enrolment)
        services.course_unpublish(actor=personas.trainer, course=kit.course)
        assert_forbidden(reverse("learning:course_detail", args=[kit.course.pk]), [personas.amal_user])

    def test_a_draft_cannot_be_unpublished_again(self, personas: Personas) -> None:
        draft = make_course(personas, published=False).course
        response = personas.client_for(personas.trainer).post(
            reverse("learning:course_unpublish", args=[draft.pk]), follow=True
        )
        assert b"already a draft" in response.content
        assert not AuditLog.objects.filter(subject_type="learning.course").exists()

    def test_publish_again(self, personas: Personas, kit: CourseKit) -> None:
        services.course_unpublish(actor=personas.trainer, course=kit.course)
        services.course_publish(actor=personas.trainer, course=kit.course)
        kit.course.refresh_from_db()
        assert kit.course.published


class LinkTests:
    def test_progress_grid_links_back_to_the_course(self, personas: Personas, kit: CourseKit) -> None:
        page = personas.client_for(personas.trainer).get(
            reverse("learning:progress_grid", args=[kit.course.pk])
        )
        assert reverse("learning:staff_course", args=[kit.course.pk]).encode() in page.content

    def test_course_list_links_to_certificate_verification(self, personas: Personas) -> None:
        page = personas.client_for(None).get(reverse("learning:course_list"))
        assert reverse("learning:verify").encode() in page.content


class PermissionTests:
    def test_another_providers_staff_can_do_none_of_it(
        self, personas: Personas, kit: CourseKit, rival_trainer: Any
    ) -> None:
        question = _first_question(kit)
        before = _snapshot(kit.quiz)
        denied = [None, rival_trainer, personas.employer, personas.amal_user, personas.other_officer]
        data = {"text_en": "X", "text_ar": "س", "kind": "single", "choices": "*A | أ\nB | ب"}
        for url in (
            reverse("learning:question_edit", args=[question.pk]),
            reverse("learning:question_delete", args=[question.pk]),
            reverse("learning:module_delete", args=[kit.workshop.pk]),
            reverse("learning:course_unpublish", args=[kit.course.pk]),
        ):
            assert_forbidden(url, denied)
            assert_forbidden(url, denied, method="post", data=data)
        assert_forbidden(
            reverse("learning:module_move", args=[kit.workshop.pk]),
            denied,
            method="post",
            data={"direction": "up"},
        )
        kit.course.refresh_from_db()
        assert kit.course.published
        assert _snapshot(kit.quiz) == before
        assert list(kit.course.modules.values_list("pk", "position")) == [
            (kit.lesson.pk, 1),
            (kit.quiz.pk, 2),
            (kit.workshop.pk, 3),
        ]
        assert not AuditLog.objects.filter(subject_type__in=["learning.question", "learning.module"]).exists()

    def test_administrator_may(self, personas: Personas, kit: CourseKit) -> None:
        client = personas.client_for(personas.admin)
        assert (
            client.get(reverse("learning:question_edit", args=[_first_question(kit).pk])).status_code == 200
        )
        client.post(reverse("learning:module_delete", args=[kit.workshop.pk]))
        assert not Module.objects.filter(pk=kit.workshop.pk).exists()
        assert ModuleKind.WORKSHOP not in kit.course.modules.values_list("kind", flat=True)
