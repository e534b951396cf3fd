"""Offline packages: one self-contained HTML file per module or course, and answers replayed from it once."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maharat.core.testing import Personas, assert_forbidden
from maharat.learning import offline, services, services_files
from maharat.learning.choices import Verb
from maharat.learning.models import CourseEnrolment, ProgressEvent, QuizAttempt
from maharat.learning.tests.factories import CourseKit
from maharat.learning.tests.files_factories import PDF, enrol_amal, image_bytes, second_learner, upload


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploaded files go to a fresh folder per test."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _forms(html: str) -> dict[str, str]:
    """The signed token of each offline form, by what it is for (a module id, or "lessons")."""
    found = re.findall(r'data-offline="([^"]+)"><input type="hidden" name="token" value="([^"]+)"', html)
    return dict(found)


def _answers(token: str, answers: dict[int, list[int]]) -> dict[str, Any]:
    data: dict[str, Any] = {"token": token}
    for question_id, choices in answers.items():
        data[f"q{question_id}"] = choices
    return data


def _course_package(personas: Personas, kit: CourseKit) -> str:
    response = personas.client_for(personas.amal_user).get(
        reverse("learning:offline_course", args=[kit.course.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="maharat-course-{kit.course.pk}.html"'
    return response.content.decode()


class OfflinePackageTests:
    def test_the_course_package_is_self_contained(self, personas: Personas, kit: CourseKit) -> None:
        kit.lesson.body_en += (
            "\n\nSee [the guide](https://example.org/guide) and ![a map](https://example.org/m.png)."
        )
        kit.lesson.save(update_fields=["body_en"])
        picture = services_files.attachment_add(
            actor=None,
            module=kit.lesson,
            kind="image",
            upload=upload("s.png", image_bytes()),
            title_en="Inbox",
        )
        kit.lesson.body_en += f"\n\n![The inbox]({reverse('learning:attachment_file', args=[picture.pk])})"
        kit.lesson.save(update_fields=["body_en"])
        services_files.attachment_add(
            actor=None,
            module=kit.lesson,
            kind="file",
            upload=upload("g.pdf", PDF),
            title_en="Printable guide",
        )
        services_files.attachment_add(
            actor=None,
            module=kit.quiz,
            kind="image",
            upload=upload("logo.png", image_bytes("PNG", (900, 300), "RGBA")),
            title_en="Logo",
        )
        enrol_amal(personas, kit)
        html = _course_package(personas, kit)
        submit = "http://testserver" + reverse("learning:offline_answers")
        assert set(re.findall(r"https?://[^\s\"'<>)]+", html)) == {
            submit,
            "https://example.org/guide",  # a link's address shown as text, never loaded
        }
        assert "<link" not in html and "url(" not in html and "@import" not in html
        sources = re.findall(r'src="([^"]*)"', html)
        assert len(sources) == 3 and all(s.startswith("data:image/") for s in sources)
        assert sum(s.startswith("data:image/png;base64,") for s in sources) == 1
        assert "href=" not in html.replace('href="#m', "")
        assert "default-src 'none'; img-src data:" in html and f"form-action {submit}" in html
        assert "a map" in html and "Printable guide" in html and "(g.pdf" in html
        assert "Which field holds the address?" in html and f'action="{submit}"' in html
        assert html.count('name="token"') == 2  # the quiz and the "lessons I have read" list

    def test_a_module_package_and_who_may_download_it(self, personas: Personas, kit: CourseKit) -> None:
        enrolment = enrol_amal(personas, kit)
        amal = personas.client_for(personas.amal_user)
        lesson = amal.get(reverse("learning:offline_module", args=[kit.lesson.pk]))
        assert lesson.status_code == 200 and b"Sending e-mail" in lesson.content
        assert b"Check yourself" not in lesson.content
        assert amal.get(reverse("learning:offline_module", args=[kit.quiz.pk])).status_code == 404  # locked
        services.progress_record(actor=None, enrolment=enrolment, module=kit.lesson, verb=Verb.COMPLETED)
        quiz = amal.get(reverse("learning:offline_module", args=[kit.quiz.pk])).content.decode()
        assert list(_forms(quiz)) == [str(kit.quiz.pk)]
        omar_user, _ = second_learner(personas, kit)
        assert_forbidden(reverse("learning:offline_module", args=[kit.lesson.pk]), [None, personas.employer])
        assert_forbidden(reverse("learning:offline_course", args=[kit.course.pk]), [None, personas.officer])
        assert (
            personas.client_for(omar_user)
            .get(reverse("learning:offline_course", args=[kit.course.pk]))
            .status_code
            == 200
        )
        page = amal.get(reverse("learning:module_detail", args=[kit.lesson.pk]))
        assert reverse("learning:offline_module", args=[kit.lesson.pk]).encode() in page.content

    def test_replayed_quiz_answers_are_recorded_once(self, personas: Personas, kit: CourseKit) -> None:
        enrolment = enrol_amal(personas, kit)
        services.progress_record(actor=None, enrolment=enrolment, module=kit.lesson, verb=Verb.COMPLETED)
        token = _forms(_course_package(personas, kit))[str(kit.quiz.pk)]
        browser = Client(enforce_csrf_checks=True)  # a file opened offline sends no cookie and no CSRF token
        url = reverse("learning:offline_answers")
        first = browser.post(url, _answers(token, kit.right), HTTP_ACCEPT_LANGUAGE="en")
        assert first.status_code == 200 and b"you passed with 100%" in first.content
        events = set(ProgressEvent.objects.values_list("pk", flat=True))
        second = browser.post(url, _answers(token, kit.right), HTTP_ACCEPT_LANGUAGE="en")
        assert second.status_code == 200
        assert b"already received" in second.content and b"Your score was 100%" in second.content
        assert QuizAttempt.objects.count() == 1
        assert set(ProgressEvent.objects.values_list("pk", flat=True)) == events
        assert enrolment.events.filter(verb=Verb.PASSED).count() == 1

    def test_a_failed_offline_attempt_counts_once_and_a_new_package_allows_another(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        enrolment = enrol_amal(personas, kit)
        services.progress_record(actor=None, enrolment=enrolment, module=kit.lesson, verb=Verb.COMPLETED)
        url = reverse("learning:offline_answers")
        token = _forms(_course_package(personas, kit))[str(kit.quiz.pk)]
        failed = Client().post(url, _answers(token, kit.wrong), HTTP_ACCEPT_LANGUAGE="en")
        assert b"60% is needed to pass" in failed.content
        Client().post(url, _answers(token, kit.right))
        assert QuizAttempt.objects.get().passed is False
        fresh = _forms(_course_package(personas, kit))[str(kit.quiz.pk)]
        assert fresh != token
        Client().post(url, _answers(fresh, kit.right))
        assert list(QuizAttempt.objects.values_list("number", "passed")) == [(1, False), (2, True)]
        assert str(kit.quiz.pk) not in _forms(_course_package(personas, kit))  # passed: nothing to answer

    def test_answers_after_the_deadline_or_incomplete_or_forged_change_nothing(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        enrolment = enrol_amal(personas, kit)
        services.progress_record(actor=None, enrolment=enrolment, module=kit.lesson, verb=Verb.COMPLETED)
        kit.quiz.deadline = timezone.now() + dt.timedelta(hours=1)
        kit.quiz.save(update_fields=["deadline"])
        token = _forms(_course_package(personas, kit))[str(kit.quiz.pk)]
        kit.quiz.deadline = timezone.now() - dt.timedelta(minutes=1)
        kit.quiz.save(update_fields=["deadline"])
        url = reverse("learning:offline_answers")
        late = Client().post(url, _answers(token, kit.right), HTTP_ACCEPT_LANGUAGE="en")
        assert late.status_code == 400 and b"deadline for this quiz has passed" in late.content
        partial = Client().post(url, {"token": token}, HTTP_ACCEPT_LANGUAGE="en")
        assert partial.status_code == 400 and b"Answer every question" in partial.content
        forged = offline.sign({"e": enrolment.pk, "m": kit.quiz.pk, "s": "x"})[:-3] + "abc"
        for bad in (forged, "", "nonsense"):
            response = Client().post(url, _answers(bad, kit.right), HTTP_ACCEPT_LANGUAGE="en")
            assert response.status_code == 400 and b"not valid" in response.content
        other_course = offline.sign({"e": enrolment.pk, "m": 0, "s": "y"})
        assert Client().post(url, _answers(other_course, kit.right)).status_code == 400
        assert Client().get(url).status_code == 405
        assert not QuizAttempt.objects.exists()
        assert not enrolment.events.filter(verb__in=[Verb.PASSED, Verb.FAILED]).exists()

    def test_lessons_read_offline_are_recorded_once(self, personas: Personas, kit: CourseKit) -> None:
        enrolment = enrol_amal(personas, kit)
        token = _forms(_course_package(personas, kit))["lessons"]
        url = reverse("learning:offline_answers")
        none = Client().post(url, {"token": token}, HTTP_ACCEPT_LANGUAGE="en")
        assert none.status_code == 400 and b"Tick the lessons" in none.content
        first = Client().post(url, {"token": token, "read": [kit.lesson.pk]}, HTTP_ACCEPT_LANGUAGE="en")
        assert first.status_code == 200 and b"marked as done" in first.content
        again = Client().post(url, {"token": token, "read": [kit.lesson.pk]}, HTTP_ACCEPT_LANGUAGE="en")
        assert b"already received" in again.content
        assert enrolment.events.filter(module=kit.lesson, verb=Verb.COMPLETED).count() == 1
        services.enrolment_withdraw(actor=None, enrolment=enrolment)
        fresh = offline.sign({"e": enrolment.pk, "lessons": [kit.lesson.pk], "s": "z"})
        refused = Client().post(url, {"token": fresh, "read": [kit.lesson.pk]}, HTTP_ACCEPT_LANGUAGE="en")
        assert refused.status_code == 400 and b"Only active learners" in refused.content
        assert CourseEnrolment.objects.get().events.filter(verb=Verb.COMPLETED).count() == 1
