"""End to end in Debian's Chromium, every step through the pages: a trainer writes and publishes a course,
a learner takes it, the trainer marks attendance, the learner downloads the certificate, anyone verifies it,
and the trainer follows the progress grid. Run once in English and once in Arabic.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from maharat.core.testing import PASSWORD, Personas
from maharat.learning.choices import EnrolmentStatus
from maharat.learning.models import Certificate, Course, CourseEnrolment
from maharat.skills.models import PersonSkill, Skill, SkillGroup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("MAHARAT_SCREENSHOTS", "/tmp"))
COURSE = {"en": "Sending e-mail with confidence", "ar": "إرسال البريد الإلكتروني بثقة"}
LESSON = {"en": "Your first e-mail", "ar": "بريدك الإلكتروني الأول"}
QUIZ = {"en": "Check yourself", "ar": "اختبر نفسك"}
WORKSHOP = {"en": "Live practice", "ar": "تدريب مباشر"}
HEADING = {"en": "Writing an e-mail", "ar": "كتابة رسالة بريد"}
BOLD = {"en": "subject", "ar": "الموضوع"}
# Both questions typed into the questions page: (English, Arabic, kind, answers one per line).
QUESTIONS = [
    (
        "Which field holds the address?",
        "أي حقل يحمل العنوان؟",
        "single",
        "*To | إلى\nSubject | الموضوع\nBody | النص",
    ),
    (
        "Which are e-mail services?",
        "أيها خدمات بريد؟",
        "multiple",
        "*Gmail | جيميل\n*Outlook | أوتلوك\nExcel | إكسل",
    ),
]
RIGHT = {"en": ["To", "Gmail", "Outlook"], "ar": ["إلى", "جيميل", "أوتلوك"]}


def tr(lang: str, message: str, **values: Any) -> str:
    """A message as the server writes it in the page's language."""
    with translation.override(lang):
        return gettext(message) % values if values else gettext(message)


def choose_language(page: Any, lang: str) -> None:
    """Switch the pages to English with the header's button when needed (the browser asks for Arabic)."""
    if page.locator("html").get_attribute("lang") != lang:
        with page.expect_navigation():
            page.click("button[name=language]")


def log_in(page: Any, base: str, username: str, lang: str) -> None:
    """Log in through the form after dropping whoever was logged in; the browser asks for Arabic first."""
    page.context.clear_cookies()
    page.goto(base + "/login/")
    choose_language(page, lang)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.locator("html").get_attribute("lang") == lang


def submit(page: Any, form: str = "main form[method=post]") -> None:
    """Press the submit button of a form in the page's content and wait for the next page."""
    with page.expect_navigation():
        page.click(f"{form} button[type=submit]")


def follow(page: Any, name: str) -> None:
    """Follow a link by its visible text, as a person would."""
    with page.expect_navigation():
        page.get_by_role("link", name=name, exact=True).first.click()


def shot(page: Any, name: str, lang: str) -> None:
    page.screenshot(path=str(SHOTS / f"maharat-authoring-{name}-{lang}.png"), full_page=True)


def author_course(page: Any, base: str, personas: Personas, skill: Skill, lang: str) -> int:
    """The trainer writes the course, its three modules and two quiz questions, then publishes it."""
    log_in(page, base, "trainer", lang)
    follow(page, tr(lang, "Courses I manage"))
    follow(page, tr(lang, "New course"))
    page.select_option("#id_provider", str(personas.training_org.pk))
    page.fill("#id_label_en", COURSE["en"])
    page.fill("#id_label_ar", COURSE["ar"])
    page.fill("#id_description_en", "Send, answer and file e-mail at work.")
    page.fill("#id_description_ar", "أرسل الرسائل وردّ عليها ونظّمها في العمل.")
    page.select_option("#id_track", "digital_literacy")
    page.select_option("#id_level", "1")
    page.fill("#id_duration_hours", "6")
    page.select_option("#id_delivery_mode", "blended")
    page.select_option("#id_skills_taught", str(skill.pk))
    page.check("#id_self_enrolment")
    page.fill("#id_attendance_share", "100")
    assert page.locator("#id_label_en").get_attribute("dir") == "ltr"  # English stays LTR on Arabic pages
    submit(page)
    assert tr(lang, "The course was saved.") in page.content()
    course_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    follow(page, tr(lang, "Lesson"))
    assert page.locator("main p.help").count() == 1  # how to write Markdown
    page.fill("#id_label_en", LESSON["en"])
    page.fill("#id_label_ar", LESSON["ar"])
    page.fill("#id_body_en", f"# {HEADING['en']}\n\nFill in **to**, the **{BOLD['en']}** and the text.")
    page.fill("#id_body_ar", f"# {HEADING['ar']}\n\nاملأ **إلى** و**{BOLD['ar']}** والنص.")
    submit(page)
    assert tr(lang, "The module was saved.") in page.content()

    follow(page, tr(lang, "Quiz"))
    page.fill("#id_label_en", QUIZ["en"])
    page.fill("#id_label_ar", QUIZ["ar"])
    page.fill("#id_pass_mark", "60")
    page.fill("#id_attempts_allowed", "2")
    page.check("#id_prerequisites_0")  # the lesson, the only earlier module
    submit(page)
    assert page.url.endswith("/questions/")  # a new quiz goes straight to its questions
    for text_en, text_ar, kind, answers in QUESTIONS:
        page.fill("#id_text_en", text_en)
        page.fill("#id_text_ar", text_ar)
        page.select_option("#id_kind", kind)
        page.fill("#id_choices", answers)
        submit(page)
        assert tr(lang, "The question was added.") in page.content()
    assert page.locator("main ol > li").count() == 2
    follow(page, COURSE[lang])

    follow(page, tr(lang, "Virtual workshop"))
    page.fill("#id_label_en", WORKSHOP["en"])
    page.fill("#id_label_ar", WORKSHOP["ar"])
    starts = timezone.localtime() + dt.timedelta(days=3)
    page.fill("#id_starts_at", starts.strftime("%Y-%m-%dT10:00"))
    page.fill("#id_duration_minutes", "90")
    page.fill("#id_meeting_url", "meet.example.org/live-practice")
    page.fill("#id_capacity", "12")
    assert page.locator("main p.help").count() == 0  # no Markdown help where there is no text to write
    submit(page)
    assert tr(lang, "The module was saved.") in page.content()

    submit(page, "form[action$='/publish/']")
    assert tr(lang, "The course is published.") in page.content()
    table = page.locator("main table tbody").inner_text()
    assert LESSON[lang] in table and QUIZ[lang] in table and WORKSHOP[lang] in table
    with translation.override(lang):
        assert ngettext("%(n)s question", "%(n)s questions", 2) % {"n": 2} in table
    assert page.locator("form[action$='/cohort/']").count() == 0  # no programme cohort to offer
    assert tr(lang, "None of the programmes you manage has a cohort to enrol.") in page.content()
    shot(page, "staff-course", lang)
    return course_id


def take_course(page: Any, base: str, username: str, lang: str) -> None:
    """The learner finds the course, enrols, reads the lesson, passes the quiz and books a workshop seat."""
    log_in(page, base, username, lang)
    follow(page, tr(lang, "My courses"))
    follow(page, tr(lang, "Find a course"))
    follow(page, COURSE[lang])
    submit(page, "form[action$='/enrol/']")
    assert tr(lang, "You are enrolled. Start with the first module.") in page.content()
    assert page.get_by_text(tr(lang, "locked")).count() == 1  # the quiz waits for the lesson

    follow(page, LESSON[lang])
    assert page.locator("article.lesson h2").inner_text() == HEADING[lang]  # under the page's own h1
    assert BOLD[lang] in page.locator("article.lesson strong").all_inner_texts()
    shot(page, "lesson", lang)
    submit(page, "form[action$='/done/']")

    assert page.locator("h1").inner_text() == QUIZ[lang]  # "done" leads on to the next module
    for label in RIGHT[lang]:
        page.get_by_label(label, exact=True).check()
    submit(page, "form[action$='/quiz/']")
    assert tr(lang, "You passed with %(score)s%%.", score=100) in page.content()

    assert page.locator("h1").inner_text() == WORKSHOP[lang]
    assert "https://meet.example.org/live-practice" in page.content()
    submit(page, "form[action$='/seat/']")
    assert tr(lang, "Your seat is booked.") in page.content()
    assert tr(lang, "You have a seat.") in page.content()


def mark_present(page: Any, base: str, course: str, lang: str) -> None:
    """The trainer ticks the learner present at the workshop."""
    log_in(page, base, "trainer", lang)
    follow(page, tr(lang, "Courses I manage"))
    follow(page, course)
    follow(page, tr(lang, "Attendance"))
    assert page.locator("input[name=present]").count() == 1
    page.check("input[name=present]")
    submit(page)
    assert tr(lang, "Attendance saved (%(count)s changed).", count=1) in page.content()
    assert page.locator("input[name=present]").is_checked()


@pytest.mark.parametrize("lang", ["en", "ar"])
class CourseAuthoringBrowserTests:
    def test_trainer_authors_learner_completes_anyone_verifies_trainer_follows(
        self, page: Any, live_server: Any, personas: Personas, lang: str
    ) -> None:
        base = live_server.url
        skill, _created = Skill.objects.get_or_create(
            code="digital-email",
            defaults={
                "label_en": "Using e-mail",
                "label_ar": "استخدام البريد الإلكتروني",
                "group": SkillGroup.DIGITAL,
                "curated": True,
            },
        )
        course_id = author_course(page, base, personas, skill, lang)
        course = Course.objects.get(pk=course_id)
        assert course.published and course.provider == personas.training_org
        assert [m.kind for m in course.modules.order_by("position")] == ["lesson", "quiz", "workshop"]

        take_course(page, base, personas.amal_user.username, lang)
        enrolment = CourseEnrolment.objects.get(course=course, person=personas.amal)
        assert enrolment.status == EnrolmentStatus.ACTIVE  # the workshop still needs her presence

        mark_present(page, base, COURSE[lang], lang)
        enrolment.refresh_from_db()
        assert enrolment.status == EnrolmentStatus.COMPLETED
        assert PersonSkill.objects.filter(person=personas.amal, skill=skill).exists()

        log_in(page, base, personas.amal_user.username, lang)
        follow(page, tr(lang, "My courses"))
        follow(page, tr(lang, "Your certificate"))
        code = page.locator("dd strong").inner_text()
        assert code == Certificate.objects.get(enrolment=enrolment).display_code
        shot(page, "certificate", lang)
        link = page.get_by_role("link", name=tr(lang, "Download the certificate (PDF)"))
        pdf = page.request.get(base + link.get_attribute("href"))
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF")
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename == f"certificate-{code}.pdf"
        download.value.save_as(SHOTS / f"maharat-authoring-certificate-{lang}.pdf")

        page.context.clear_cookies()
        page.goto(base + "/verify/")
        choose_language(page, lang)
        page.fill("#code", code.lower().replace("-", " "))  # typed loosely, as read off the paper
        submit(page, "main form[method=get]")
        assert tr(lang, "This certificate is genuine.") in page.content()
        details = page.locator("dl.facts").inner_text()
        assert COURSE[lang] in details and code in details
        assert personas.amal.display_name in details

        log_in(page, base, "trainer", lang)
        follow(page, tr(lang, "Courses I manage"))
        follow(page, COURSE[lang])
        follow(page, tr(lang, "Progress grid"))
        row = page.locator("table.grid tbody tr")
        assert row.count() == 1
        cells = row.inner_text()
        assert personas.amal.display_name in cells and tr(lang, "Completed") in cells
        assert cells.count("✓") == 3 and "3/3" in cells
        shot(page, "progress", lang)
