"""Public pages, log-in with lockout, language and page weight."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from maharat.core.models import AuditLog
from maharat.core.testing import PASSWORD, Personas, english_client
from maharat.core.testing import page_weight as _weight

pytestmark = pytest.mark.django_db
PAGE_BUDGET = 60 * 1024


class LandingTests:
    def test_arabic_by_default_right_to_left(self) -> None:
        html = Client().get("/").content.decode()
        assert '<html lang="ar" dir="rtl">' in html

    def test_english_switch_sets_left_to_right(self, client: Client) -> None:
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        html = client.get("/").content.decode()
        assert '<html lang="en" dir="ltr">' in html
        assert "Skills, training and work" in html

    def test_pages_work_without_javascript_and_stay_light(self, personas: Personas) -> None:
        anonymous = english_client()
        for url in ("/", reverse("core:login"), reverse("people:register")):
            assert _weight(anonymous, url) < PAGE_BUDGET, url
        amal = personas.client_for(personas.amal_user)
        for url in (reverse("people:me"), reverse("skills:my_skills") + "?q=sewing"):
            assert _weight(amal, url) < PAGE_BUDGET, url


class LoginTests:
    def test_beneficiary_logs_in_with_local_phone_format(self, personas: Personas) -> None:
        client = english_client()
        response = client.post(reverse("core:login"), {"username": "079 123 4567", "password": PASSWORD})
        assert response.status_code == 302
        assert client.get(reverse("core:home")).url == reverse("people:me")

    def test_staff_log_in_with_email(self, personas: Personas) -> None:
        response = english_client().post(
            reverse("core:login"), {"username": "officer@example.org", "password": PASSWORD}
        )
        assert response.status_code == 302

    def test_locks_out_after_repeated_failures(self, personas: Personas, settings: Any) -> None:
        settings.LOGIN_FAILURE_LIMIT = 3
        client = english_client()
        for _ in range(3):
            response = client.post(reverse("core:login"), {"username": "officer", "password": "wrong"})
            assert "not right" in response.content.decode()
        response = client.post(reverse("core:login"), {"username": "officer", "password": PASSWORD})
        assert response.status_code == 200
        assert "Too many failed attempts" in response.content.decode()
        assert AuditLog.objects.filter(action="login_locked").exists()

    def test_home_sends_each_role_to_its_page(self, personas: Personas) -> None:
        expected = {
            personas.officer: reverse("people:list"),
            personas.admin: reverse("people:list"),
            personas.researcher: reverse("people:research"),
            personas.amal_user: reverse("people:me"),
            personas.employer: reverse("opportunities:employer_home"),
            personas.mentor: reverse("mentoring:home"),
        }
        for user, url in expected.items():
            assert personas.client_for(user).get(reverse("core:home")).url == url
        assert personas.client_for(personas.trainer).get(reverse("core:home")).url == reverse("people:list")
        from django.contrib.auth import get_user_model

        nobody = get_user_model().objects.create_user(username="nobody", password=PASSWORD)
        assert personas.client_for(nobody).get(reverse("core:home")).status_code == 200

    def test_logout_needs_post(self, personas: Personas) -> None:
        client = personas.client_for(personas.officer)
        assert client.get(reverse("core:logout")).status_code == 302
        client.post(reverse("core:logout"))
        assert client.get(reverse("people:list")).status_code == 302


class ForbiddenPageTests:
    def test_forbidden_page_is_localized(self, personas: Personas) -> None:
        client = personas.client_for(personas.employer)
        client.post(reverse("set_language"), {"language": "ar", "next": "/"})
        response = client.get(reverse("people:list"))
        assert response.status_code == 403
        assert 'dir="rtl"' in response.content.decode()
