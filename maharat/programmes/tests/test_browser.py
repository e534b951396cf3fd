"""End to end in Debian's Chromium: Amal applies in Arabic; the officer runs the selection and reads the report."""

from __future__ import annotations

from typing import Any

import pytest

from maharat.core.testing import PASSWORD, Personas
from maharat.programmes.models import Application, SelectionRun
from maharat.programmes.tests.factories import add_question, open_call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class ProgrammeJourneyTests:
    def test_amal_applies_and_the_officer_selects(
        self, page: Any, live_server: Any, personas: Personas
    ) -> None:
        call = open_call(personas, seats=1)
        add_question(call, "income")
        page.goto(live_server.url + "/login/")
        page.fill("#id_username", "0791234567")
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.goto(live_server.url + f"/calls/{call.pk}/")
        assert page.locator("html").get_attribute("dir") == "rtl"
        page.fill("#id_q_income", "180")
        page.check("#id_consent")
        page.click("main button[type=submit]")
        page.wait_for_url("**/me/applications/")
        assert "طلباتي" in page.content() and "دفعة المهارات الرقمية" in page.content()
        assert Application.objects.get(person=personas.amal).answers == {"income": "180"}

        page.context.clear_cookies()
        page.goto(live_server.url + "/login/")
        page.fill("#id_username", "officer")
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.goto(live_server.url + f"/staff/calls/{call.pk}/select/")
        page.fill("#id_seed", "42")
        page.click("main form button[type=submit]")
        page.wait_for_url("**/staff/runs/*/")
        run = SelectionRun.objects.get(call=call)
        assert run.seed == 42 and run.selected_count == 1
        assert "تقرير الاختيار" in page.content() and "42" in page.content()
