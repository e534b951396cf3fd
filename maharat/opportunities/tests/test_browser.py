"""End to end in Debian's Chromium: from an employer's first offer to a placement, done through the pages.

An employer sends its registration document and a programme officer verifies it; the employer posts an offer
with required skills (published at once) and a second one asking for a recruitment fee (flagged, and rejected
by the officer from the moderation queue with its reason in view); Amal finds the first offer under
"Recommended for you" with reasons in plain words and applies; the employer shortlists her from the ranked
candidates and moves her application through interview and offer to hired, which opens a placement whose
first retention check shows up as due and is recorded.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from maharat.core.testing import PASSWORD, Personas
from maharat.opportunities.tests.factories import PDF_BYTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("MAHARAT_SCREENSHOTS", "/tmp"))


def _log_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/login/" not in page.url, page.locator("main").inner_text()


def _log_out(page: Any) -> None:
    page.click("header form[action$='/logout/'] button")
    page.wait_for_load_state()


def _nav(page: Any, label: str) -> None:
    page.click(f"nav.main a:text-is('{label}')")
    page.wait_for_load_state()


def _messages(page: Any) -> str:
    box = page.locator("ul.messages")
    return box.inner_text() if box.count() else ""


def _fill_offer(page: Any, *, title: str, description: str, skills: list[tuple[str, str, str]]) -> None:
    today = timezone.localdate()
    page.select_option("#id_kind", "job_full_time")
    page.fill("#id_title_en", title)
    page.fill("#id_description_en", description)
    page.select_option("#id_sector", "C")
    page.select_option("#id_governorate", label="Mafraq")
    page.fill("#id_wage_amount", "330")
    page.select_option("#id_wage_period", "month")
    page.fill("#id_hours_per_week", "48")
    page.fill("#id_seats", "2")
    page.fill("#id_start_date", (today + dt.timedelta(days=20)).isoformat())
    page.fill("#id_closing_date", (today + dt.timedelta(days=10)).isoformat())
    page.check("#id_open_to_non_jordanians")
    for i, (label, importance, level) in enumerate(skills):
        page.fill(f"#id_skill_{i}", label)
        page.select_option(f"#id_importance_{i}", importance)
        page.select_option(f"#id_level_{i}", level)
    page.click("main form.card button[type=submit]")
    page.wait_for_load_state()


class OpportunityJourneyBrowserTests:
    def test_offer_to_placement_through_the_pages(
        self, page: Any, live_server: Any, personas: Personas
    ) -> None:
        from maharat.matching.models import Recommendation, Side
        from maharat.opportunities.choices import ApplicationStatus, OpportunityStatus, VerificationStatus
        from maharat.opportunities.models import Application, EmployerProfile, Opportunity, Placement
        from maharat.opportunities.work_rights_data import load_work_rights
        from maharat.people.choices import ConsentChannel, ConsentPurpose
        from maharat.people.services import consent_record
        from maharat.skills.models import Skill
        from maharat.skills.services import person_skill_set

        load_work_rights()
        sewing = Skill.objects.create(
            code="sewing-industrial",
            label_en="Industrial sewing",
            label_ar="خياطة صناعية",
            group="trades",
            curated=True,
        )
        Skill.objects.create(
            code="quality-inspection",
            label_en="Quality inspection",
            label_ar="فحص الجودة",
            group="trades",
            curated=True,
        )
        # Amal agreed to be shown to employers and has sewing at a good level (her officer recorded both).
        amal = personas.amal
        consent_record(
            actor=personas.officer, person=amal, purpose=ConsentPurpose.MATCHING, channel=ConsentChannel.PAPER
        )
        person_skill_set(actor=personas.officer, person=amal, skill=sewing, proficiency=3)
        base = live_server.url
        page.set_default_timeout(10_000)

        # Pages in English for the rest of the journey (the language choice is kept in a cookie).
        page.goto(base + "/login/")
        page.click("button[name=language]")
        page.wait_for_load_state()

        # 1. The employer sends its registration document.
        _log_in(page, base, "employer")
        assert page.url.endswith("/jobs/employer/")  # an employer lands on their offers
        assert "Zarqa Garments" in page.locator("main").inner_text()
        page.click("main a:text-is('Registration document')")
        page.set_input_files(
            "#id_document", {"name": "registration.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
        )
        page.fill("#id_registration_number", "200145")
        page.fill("#id_insured_workers", "12")
        page.click("main form.card button[type=submit]")
        page.wait_for_url("**/jobs/employer/")
        assert "Staff will check the document" in _messages(page)
        assert "Documents sent, waiting for staff" in page.locator("main").inner_text()
        _log_out(page)

        # 2. The programme officer verifies it from the queue.
        _log_in(page, base, "officer")
        _nav(page, "Offers and employers")
        card = page.locator("main .card", has_text="Zarqa Garments")
        assert "200145" in card.inner_text()
        card.locator("input[value=approve]").check()
        card.locator("input[name=note]").fill("Registration checked with the ministry.")
        card.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert "Decision recorded" in _messages(page)
        assert "No employer is waiting" in page.locator("main").inner_text()
        org = personas.employer_org
        assert EmployerProfile.objects.get(organization=org).status == VerificationStatus.VERIFIED
        _log_out(page)

        # 3. The verified employer posts an offer with required skills: it is published at once.
        _log_in(page, base, "employer")
        _nav(page, "Offers and employers")
        assert "Verified" in page.locator("main").inner_text()
        page.click("main a:text-is('Post a new offer')")
        _fill_offer(
            page,
            title="Sewing machine operator",
            description="Day shifts in our Mafraq workshop; transport provided.",
            skills=[("Industrial sewing", "4", "2"), ("Quality inspection", "2", "1")],
        )
        assert "saved as a draft" in _messages(page)
        page.click("main button:text-is('Submit for publication')")
        page.wait_for_load_state()
        assert "The offer is published." in _messages(page)
        good = Opportunity.objects.get(title_en="Sewing machine operator")
        assert good.status == OpportunityStatus.PUBLISHED
        assert list(good.required_skills.values_list("skill__code", flat=True).order_by("-importance")) == [
            "sewing-industrial",
            "quality-inspection",
        ]

        # 4. A second offer asking candidates for a fee is held for moderation, with the reason shown.
        _nav(page, "Offers and employers")
        page.click("main a:text-is('Post a new offer')")
        _fill_offer(
            page,
            title="Garment packer",
            description="Candidates pay a recruitment fee of 50 JOD before starting.",
            skills=[("Industrial sewing", "3", "1")],
        )
        page.click("main button:text-is('Submit for publication')")
        page.wait_for_load_state()
        assert "needs a moderator's review" in _messages(page)
        assert "Asks candidates to pay a recruitment fee or deposit." in page.locator("main").inner_text()
        flagged = Opportunity.objects.get(title_en="Garment packer")
        assert flagged.status == OpportunityStatus.PENDING
        _log_out(page)

        # 5. The officer sees it in the queue with its reason, and rejects it with a note.
        _log_in(page, base, "officer")
        _nav(page, "Offers and employers")
        card = page.locator("main .card", has_text="Garment packer")
        assert "Asks candidates to pay a recruitment fee or deposit." in card.inner_text()
        assert page.locator("main .card", has_text="Sewing machine operator").count() == 0
        page.screenshot(path=str(SHOTS / "maharat-moderation-queue.png"), full_page=True)
        card.locator("input[value=reject]").check()
        card.locator("input[name=note]").fill("Charging workers a recruitment fee is not allowed.")
        card.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert "Decision recorded" in _messages(page)
        assert "No offer is waiting" in page.locator("main").inner_text()
        flagged.refresh_from_db()
        assert flagged.status == OpportunityStatus.REJECTED
        _log_out(page)

        # 6. Amal finds the first offer among her recommendations, with reasons in plain words, and applies.
        assert Recommendation.objects.filter(side=Side.PERSON, person=amal, opportunity=good).exists()
        _log_in(page, base, "0791234567")
        _nav(page, "Recommended for you")
        card = page.locator("main .card", has_text="Sewing machine operator")
        text = card.inner_text()
        assert "Zarqa Garments" in text
        assert "You have 1 of the 2 skills asked." in text
        assert "Missing:" in text and "Quality inspection" in text
        assert "Garment packer" not in page.locator("main").inner_text()
        page.screenshot(path=str(SHOTS / "maharat-recommended.png"), full_page=True)
        card.locator("h2 a").click()
        page.wait_for_load_state()
        assert "You may take this work." in page.locator("main").inner_text()
        page.fill("#id_note", "I have five years of experience on industrial machines.")
        page.click("main button:text-is('Apply with my profile')")
        page.wait_for_url("**/jobs/me/applications/")
        assert "Your application was sent." in _messages(page)
        assert "Sewing machine operator" in page.locator("main").inner_text()
        application = Application.objects.get(opportunity=good, person=amal)
        _log_out(page)

        # 7. The employer shortlists her from the ranked candidates, then takes her through to hired.
        _log_in(page, base, "employer")
        _nav(page, "Offers and employers")
        page.click("main table a:text-is('Sewing machine operator')")
        page.click("main a:text-is('Applicants')")
        page.click("main a:text-is('Ranked candidates')")
        page.screenshot(path=str(SHOTS / "maharat-ranked-candidates.png"), full_page=True)
        row = page.locator("main tr", has_text=amal.display_name)
        assert "Industrial sewing" in row.inner_text()
        row.locator("button:text-is('Shortlist')").click()
        page.wait_for_load_state()
        assert "The candidate is on the shortlist." in _messages(page)
        page.click("main a:text-is('Applicants')")
        page.click(f"main table a:text-is('{amal.display_name}')")
        page.wait_for_load_state()
        assert "Shortlisted" in page.locator("main .card").first.inner_text()

        def move(status: str, **fields: str) -> None:
            page.select_option("#id_to_status", status)
            for name, value in fields.items():
                page.fill(f"#id_{name}", value)
            page.click("main form.card button:text-is('Save')")
            page.wait_for_load_state()
            assert "The application was updated." in _messages(page), _messages(page)

        move("interview", interview_at="2027-01-10T10:00", interview_place="Workshop office, Mafraq")
        assert "Workshop office, Mafraq" in page.locator("main").inner_text()
        move("offered")
        start = timezone.localdate() - dt.timedelta(days=20)
        move("hired", start_date=start.isoformat(), wage_amount="340", note="Starts on the day shift.")
        assert "Hired or placed" in page.locator("main .card").first.inner_text()
        assert page.locator("#id_to_status").count() == 0  # the pipeline has ended
        application.refresh_from_db()
        assert application.status == ApplicationStatus.HIRED
        assert [e.to_status for e in application.events.order_by("at", "pk")] == [
            "applied",
            "shortlisted",
            "interview",
            "offered",
            "hired",
        ]

        # 8. A placement exists, with its retention checks at 1, 3 and 6 months; the first is due soon.
        placement = Placement.objects.get(application=application)
        assert placement.start_date == start and placement.wage_amount == 340
        assert sorted(placement.checks.values_list("month", flat=True)) == [1, 3, 6]
        section = page.locator("main .card", has_text="Started on").inner_text()
        assert "340 JOD" in section
        assert "After 3 months" in section and "After 6 months" in section and "not due yet" in section
        _nav(page, "Offers and employers")
        due = page.locator("main ul", has_text="After 1 month")
        assert amal.display_name in due.inner_text()
        due.locator("a").click()
        page.wait_for_load_state()
        page.check("input[name=still_employed][value=yes]")
        page.fill("#id_earnings_amount", "340")
        page.click("main form.card button[type=submit]")
        page.wait_for_url("**/jobs/employer/")
        assert "The follow-up was recorded." in _messages(page)
        assert "Follow-ups due" not in page.locator("main").inner_text()
        first = placement.checks.get(month=1)
        assert first.still_employed is True and first.earnings_amount == 340
        page.goto(base + f"/jobs/applications/{application.pk}/")
        section = page.locator("main .card", has_text="Started on").inner_text()
        assert "still employed, 340 JOD" in section
        page.screenshot(path=str(SHOTS / "maharat-placement.png"), full_page=True)
        _log_out(page)

        # Amal sees where her application stands.
        _log_in(page, base, "0791234567")
        page.goto(base + "/jobs/me/applications/")
        assert "Hired or placed" in page.locator("main").inner_text()
        # ... and her recommendations read right to left in Arabic, the reasons included.
        page.click("button[name=language]")
        page.wait_for_load_state()
        _nav(page, "موصى بها لك")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert "لديك 1 من أصل 2" in page.locator("main .card").first.inner_text()
        page.screenshot(path=str(SHOTS / "maharat-recommended-ar.png"), full_page=True)
