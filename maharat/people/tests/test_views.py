"""The registry pages as people use them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maharat.core.models import AuditLog
from maharat.core.testing import Personas, english_client
from maharat.people.models import DuplicateFlag, Person

pytestmark = pytest.mark.django_db


def _signup(**overrides: Any) -> dict[str, Any]:
    data = {
        "given_name_ar": "سارة",
        "family_name_ar": "الخطيب",
        "given_name_latin": "Sara",
        "family_name_latin": "",
        "sex": "F",
        "date_of_birth": "2001-02-03",
        "nationality": "JO",
        "legal_status": "jordanian",
        "phone": "0771239876",
        "governorate": "",
        "preferred_channel": "sms",
        "password1": "Olive-tree-2026",
        "password2": "Olive-tree-2026",
        "consent_registration": "on",
    }
    data.update(overrides)
    return data


class RegisterPageTests:
    def test_person_registers_and_lands_on_skills(self, db: Any) -> None:
        from maharat.core.models import Governorate

        client = english_client()
        response = client.post(
            reverse("people:register"), _signup(governorate=Governorate.objects.get(code="AM").pk)
        )
        assert response.status_code == 302 and response.url == reverse("skills:my_skills")
        person = Person.objects.get(phone="+962771239876")
        assert person.user is not None
        assert client.get(reverse("people:me")).status_code == 200

    def test_missing_consent_and_bad_phone_give_errors_and_write_nothing(self, db: Any) -> None:
        data = _signup(phone="12", governorate="1")
        data.pop("consent_registration")
        response = english_client().post(reverse("people:register"), data)
        html = response.content.decode()
        assert response.status_code == 200
        assert "You must agree to registration" in html
        assert "not a valid phone number" in html or "is not a phone number" in html
        assert not Person.objects.filter(given_name_latin="Sara").exists()

    def test_duplicate_phone_points_to_recovery(self, personas: Personas) -> None:
        from maharat.core.models import Governorate

        response = english_client().post(
            reverse("people:register"),
            _signup(phone="0791234567", governorate=Governorate.objects.get(code="AM").pk),
        )
        assert "already registered" in response.content.decode()
        assert Person.objects.count() == 3

    def test_arabic_error_messages(self, db: Any) -> None:
        client = english_client()
        client.post(reverse("set_language"), {"language": "ar", "next": "/"})
        data = _signup(phone="12", governorate="1")
        data.pop("consent_registration")
        html = client.post(reverse("people:register"), data).content.decode()
        assert 'dir="rtl"' in html
        assert "You must agree" not in html


class SelfServiceTests:
    def test_download_my_data_as_json(self, personas: Personas) -> None:
        response = personas.client_for(personas.amal_user).get(reverse("people:my_data"))
        record = json.loads(response.content)
        assert record["given_name_ar"] == "أمل"
        assert response["Content-Disposition"].startswith("attachment")

    def test_ask_for_deletion(self, personas: Personas) -> None:
        client = personas.client_for(personas.amal_user)
        client.post(reverse("people:my_deletion"), {"reason": "leaving Jordan"})
        assert personas.amal.deletion_requests.count() == 1

    def test_edit_my_profile_is_audited(self, personas: Personas) -> None:
        client = personas.client_for(personas.amal_user)
        form = client.get(reverse("people:me")).context["form"]
        data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
        data.update(
            {
                "locality": "Mafraq",
                "governorate": personas.amal.governorate_id,
                "date_of_birth": "1994-03-12",
                "languages": ["ar", "en"],
            }
        )
        response = client.post(reverse("people:me"), data)
        assert response.status_code == 302
        personas.amal.refresh_from_db()
        assert personas.amal.locality == "Mafraq"
        assert AuditLog.objects.filter(
            person_id=personas.amal.pk, action="change", actor=personas.amal_user
        ).exists()


class StaffPagesTests:
    def test_list_filters_and_search_in_both_scripts(self, personas: Personas) -> None:
        client = personas.client_for(personas.admin)
        url = reverse("people:list")
        assert "Hassan" in client.get(url, {"disability": "yes"}).content.decode()
        assert "Omar" not in client.get(url, {"disability": "yes"}).content.decode()
        assert "Omar" in client.get(url, {"q": "عمر"}).content.decode()
        assert "Omar" in client.get(url, {"q": "omar abbadi"}).content.decode()
        assert "Amal" in client.get(url, {"q": "0791234567"}).content.decode()
        assert (
            "Amal"
            in client.get(url, {"governorate": "MA", "sex": "F", "age_group": "30-39"}).content.decode()
        )
        assert "Amal" not in client.get(url, {"age_group": "18-24"}).content.decode()

    def test_list_query_count_does_not_grow_with_rows(self, personas: Personas) -> None:
        client = personas.client_for(personas.officer)
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("people:list"))
        for n in range(5):
            from maharat.people.services import person_register

            person_register(
                actor=personas.officer,
                data={
                    "given_name_latin": f"Test{n}",
                    "sex": "M",
                    "date_of_birth": "1990-01-01",
                    "nationality": "JO",
                    "legal_status": "jordanian",
                    "governorate": personas.amal.governorate,
                },
                consent_purposes=["registration"],
                consent_channel="paper",
                organization=personas.partner,
                check_similar=False,
            )
        with CaptureQueriesContext(connection) as many:
            client.get(reverse("people:list"))
        assert len(many) == len(few)

    def test_detail_shows_history_and_identifiers_to_officer(self, personas: Personas) -> None:
        html = (
            personas.client_for(personas.officer)
            .get(reverse("people:detail", args=[personas.amal.pk]))
            .content.decode()
        )
        assert "945-12345678" in html and "Created" in html

    def test_staff_registers_a_person_and_duplicate_is_refused(self, personas: Personas) -> None:
        client = personas.client_for(personas.officer)
        data = {
            "given_name_latin": "Noor",
            "sex": "F",
            "date_of_birth": "1998-07-07",
            "nationality": "IQ",
            "legal_status": "refugee",
            "governorate": personas.amal.governorate_id,
            "preferred_language": "ar",
            "preferred_channel": "sms",
            "consent_channel": "paper",
            "consent_confirmed": "on",
            "phone": "0779990000",
        }
        response = client.post(reverse("people:create"), data)
        assert response.status_code == 302
        noor = Person.objects.get(given_name_latin="Noor")
        assert noor.registered_by == personas.partner
        again = client.post(reverse("people:create"), data)
        assert "already registered" in again.content.decode()

    def test_merge_and_dismiss_from_the_queue(self, personas: Personas) -> None:
        from maharat.people.services import person_register

        twin = person_register(
            actor=personas.officer,
            data={
                "given_name_latin": "Amaal",
                "family_name_latin": "Alhassan",
                "given_name_ar": "آمال",
                "family_name_ar": "الحسن",
                "sex": "F",
                "date_of_birth": "1994-03-12",
                "nationality": "SY",
                "legal_status": "refugee",
                "governorate": personas.amal.governorate,
            },
            consent_purposes=["registration"],
            consent_channel="paper",
            organization=personas.partner,
        )
        flag = DuplicateFlag.objects.get(person=twin)
        client = personas.client_for(personas.officer)
        assert "Amaal" in client.get(reverse("people:duplicates")).content.decode()
        client.post(
            reverse("people:duplicate_resolve", args=[flag.pk]), {"action": "keep_other", "reason": "same"}
        )
        twin.refresh_from_db()
        assert twin.merged_into == personas.amal

    def test_anonymize_page(self, personas: Personas) -> None:
        client = personas.client_for(personas.officer)
        client.post(reverse("people:anonymize", args=[personas.hassan.pk]), {"reason": "asked"})
        personas.hassan.refresh_from_db()
        assert personas.hassan.anonymized_at is not None
