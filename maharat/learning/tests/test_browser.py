"""End to end in Debian's Chromium: a provider publishes, a learner passes, the trainer marks, anyone verifies."""

from __future__ import annotations

from typing import Any

import pytest

from maharat.core.testing import PASSWORD, Personas
from maharat.learning.models import Certificate
from maharat.learning.tests.factories import make_course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, base: str, username: str) -> None:
    """Log in through the form, in English, after dropping whoever was logged in."""
    page.context.clear_cookies()
    page.goto(base + "/login/")
    page.click("button[name=language]")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


class CourseJourneyBrowserTests:
    def test_publish_learn_pass_attend_certify_verify_and_follow_progress(
        self, page: Any, live_server: Any, personas: Personas
    ) -> None:
        kit = make_course(personas, published=False)
        base = live_server.url
        course = kit.course

        log_in(page, base, "trainer")
        page.goto(f"{base}/staff/courses/{course.pk}/")
        with page.expect_navigation():
            page.click("form[action$='/publish/'] button")
        assert "The course is published." in page.content()

        log_in(page, base, personas.amal_user.username)
        page.goto(f"{base}/courses/{course.pk}/")
        with page.expect_navigation():
            page.click(f"form[action='/courses/{course.pk}/enrol/'] button")
        page.goto(f"{base}/learn/{kit.lesson.pk}/")
        assert "Sending e-mail" in page.content()
        with page.expect_navigation():
            page.click("form[action$='/done/'] button")
        page.goto(f"{base}/learn/{kit.quiz.pk}/")
        for question_id, choice_ids in kit.right.items():
            for choice_id in choice_ids:
                page.check(f"input[name=q{question_id}][value='{choice_id}']")
        with page.expect_navigation():
            page.click("form[action$='/quiz/'] button[type=submit]")
        assert "You passed" in page.content()

        log_in(page, base, "trainer")
        page.goto(f"{base}/staff/modules/{kit.workshop.pk}/attendance/")
        page.check("input[name=present]")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert "Attendance saved" in page.content()

        log_in(page, base, personas.amal_user.username)
        page.goto(f"{base}/courses/{course.pk}/certificate/")
        code = Certificate.objects.get(enrolment__person=personas.amal).display_code
        assert code in page.content()
        with page.expect_download() as download:
            page.click("a[download]")
        assert download.value.suggested_filename.endswith(".pdf")

        page.context.clear_cookies()
        page.goto(f"{base}/verify/{code}/")
        assert "Digital literacy basics" in page.content() or "أساسيات المهارات الرقمية" in page.content()

        log_in(page, base, "trainer")
        page.goto(f"{base}/staff/courses/{course.pk}/progress/")
        grid = page.locator("table.grid tbody").inner_text()
        assert "أمل" in grid and grid.count("✓") == 3
        assert "1 learner in all" in page.content()
