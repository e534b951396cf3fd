"""End to end in Debian's Chromium: a person registers in Arabic; an officer filters the people list."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from conftest import CHROMIUM, require_service
from maharat.core.geography import ensure_governorates
from maharat.core.testing import PASSWORD, Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class BrowserJourneyTests:
    def test_person_registers_in_arabic_and_adds_a_skill(self, page: Any, live_server: Any, db: Any) -> None:
        from maharat.core.models import Governorate
        from maharat.skills.models import Skill

        ensure_governorates()
        Skill.objects.create(
            code="trades-sewing", label_en="Sewing", label_ar="خياطة", group="trades", synonyms_ar=["تفصيل"]
        )
        page.goto(live_server.url + "/register/")
        assert page.locator("html").get_attribute("dir") == "rtl"
        page.fill("#id_given_name_ar", "هدى")
        page.fill("#id_family_name_ar", "المصري")
        page.select_option("#id_sex", "F")
        page.fill("#id_date_of_birth", "1997-06-15")
        page.select_option("#id_nationality", "SY")
        page.select_option("#id_legal_status", "refugee")
        page.fill("#id_phone", "0799876543")
        page.select_option("#id_governorate", str(Governorate.objects.get(code="MA").pk))
        page.fill("#id_password1", "Jasmine-garden-26")
        page.fill("#id_password2", "Jasmine-garden-26")
        page.check("#id_consent_registration")
        page.click("button[type=submit]:not([name=language])")
        page.wait_for_url("**/me/skills/")
        page.fill("#q", "خياطه")
        page.click("form[role=search] button")
        page.locator("form.result button").first.click()
        assert "خياطة" in page.content()
        page.screenshot(
            path=str(Path(os.environ.get("MAHARAT_SCREENSHOTS", "/tmp")) / "maharat-my-skills.png")
        )

    def test_officer_filters_people_in_english(self, page: Any, live_server: Any, personas: Personas) -> None:
        page.goto(live_server.url + "/login/")
        page.click("button[name=language]")
        page.fill("#id_username", "officer")
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url("**/staff/people/")
        assert page.locator("html").get_attribute("dir") == "ltr"
        assert "Amal" in page.content() and "Hassan" in page.content()
        page.select_option("#id_disability", "yes")
        page.wait_for_function("() => !document.querySelector('#rows').innerText.includes('Amal')")
        assert "Hassan" in page.locator("#rows").inner_text()

    def test_pages_work_with_javascript_off(
        self, live_server: Any, personas: Personas, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        require_service("Debian's chromium", Path(CHROMIUM).exists())
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_context(java_script_enabled=False).new_page()
            page.goto(live_server.url + "/login/")
            page.fill("#id_username", "0791234567")
            page.fill("#id_password", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_url("**/me/")
            assert "أمل" in page.content()
            browser.close()
