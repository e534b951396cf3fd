"""Staff pages: editing, paging, partial updates, and the refusals around them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from maharat.core.models import AuditLog
from maharat.core.testing import Personas
from maharat.people.models import DuplicateFlag, Person
from maharat.people.services import person_register

pytestmark = pytest.mark.django_db


def _edit_data(person: Person, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "given_name_ar": person.given_name_ar,
        "family_name_ar": person.family_name_ar,
        "given_name_latin": person.given_name_latin,
        "family_name_latin": person.family_name_latin,
        "sex": person.sex,
        "date_of_birth": person.date_of_birth.isoformat(),
        "nationality": person.nationality,
        "legal_status": person.legal_status,
        "governorate": person.governorate_id,
        "phone": person.phone or "",
        "preferred_language": person.preferred_language,
        "preferred_channel": person.preferred_channel,
        "unhcr_case_number": person.unhcr_case_number or "",
        "household_role": person.household_role,
        "languages": person.languages,
        "locality": person.locality,
    }
    if person.female_headed_household:
        data["female_headed_household"] = "on"
    for field, answer in person.wg_answers().items():
        if answer is not None:
            data[field] = answer
    data.update(changes)
    return data


class EditTests:
    def test_officer_edits_with_a_reason(self, personas: Personas) -> None:
        client = personas.client_for(personas.officer)
        url = reverse("people:edit", args=[personas.amal.pk])
        assert client.get(url).status_code == 200
        response = client.post(url, _edit_data(personas.amal, locality="Irbid camp", reason="moved"))
        assert response.status_code == 302
        entry = AuditLog.objects.filter(person_id=personas.amal.pk, action="change").latest("id")
        assert entry.reason == "moved" and entry.fields == ["locality"]

    def test_taking_another_phone_shows_an_error_and_saves_nothing(self, personas: Personas) -> None:
        client = personas.client_for(personas.officer)
        response = client.post(
            reverse("people:edit", args=[personas.hassan.pk]), _edit_data(personas.hassan, phone="0791234567")
        )
        assert "already registered" in response.content.decode()
        personas.hassan.refresh_from_db()
        assert personas.hassan.phone == "+962775556677"

    def test_impossible_birth_date_is_refused(self, personas: Personas) -> None:
        client = personas.client_for(personas.officer)
        response = client.post(
            reverse("people:edit", args=[personas.hassan.pk]),
            _edit_data(personas.hassan, date_of_birth="2030-01-01"),
        )
        assert "cannot be in the future" in response.content.decode()

    def test_trainer_may_view_but_not_edit(self, personas: Personas) -> None:
        from maharat.people.services import consent_record

        consent_record(
            actor=personas.officer,
            person=personas.amal,
            purpose="sharing",
            channel="paper",
            organizations=[personas.training_org],
        )
        client = personas.client_for(personas.trainer)
        page = client.get(reverse("people:detail", args=[personas.amal.pk])).content.decode()
        assert "Amal" in page and "945-12345678" not in page
        assert client.get(reverse("people:edit", args=[personas.amal.pk])).status_code == 403

    def test_missing_person_is_not_found(self, personas: Personas) -> None:
        client = personas.client_for(personas.admin)
        for name in ("people:detail", "people:edit", "people:anonymize"):
            assert client.get(reverse(name, args=[999999])).status_code == 404


class CreateTests:
    def test_admin_without_organization_can_register(self, personas: Personas) -> None:
        client = personas.client_for(personas.admin)
        data = {
            "given_name_ar": "رنا",
            "sex": "F",
            "date_of_birth": "1990-04-04",
            "nationality": "JO",
            "legal_status": "jordanian",
            "governorate": personas.amal.governorate_id,
            "preferred_language": "ar",
            "preferred_channel": "web",
            "consent_channel": "verbal",
            "consent_confirmed": "on",
            "consent_messaging": "on",
            "consent_research": "on",
        }
        assert client.post(reverse("people:create"), data).status_code == 302
        rana = Person.objects.get(given_name_ar="رنا")
        assert set(rana.consents.values_list("purpose", flat=True)) == {
            "registration",
            "messaging",
            "research",
        }

    def test_missing_names_and_consent_are_explained(self, personas: Personas) -> None:
        client = personas.client_for(personas.officer)
        html = client.post(
            reverse("people:create"),
            {
                "sex": "F",
                "date_of_birth": "1990-04-04",
                "nationality": "JO",
                "legal_status": "jordanian",
                "governorate": personas.amal.governorate_id,
                "preferred_language": "ar",
                "preferred_channel": "sms",
                "consent_channel": "paper",
            },
        ).content.decode()
        assert "only after they have given consent" in html
        assert Person.objects.count() == 3

    def test_trainer_cannot_register(self, personas: Personas) -> None:
        assert personas.client_for(personas.trainer).get(reverse("people:create")).status_code == 403

    def test_similar_person_is_registered_with_a_warning(self, personas: Personas) -> None:
        client = personas.client_for(personas.officer)
        data = {
            "given_name_latin": "Amaal",
            "family_name_latin": "Al Hasan",
            "sex": "F",
            "date_of_birth": "1994-03-12",
            "nationality": "SY",
            "legal_status": "refugee",
            "governorate": personas.amal.governorate_id,
            "preferred_language": "ar",
            "preferred_channel": "sms",
            "consent_channel": "paper",
            "consent_confirmed": "on",
        }
        response = client.post(reverse("people:create"), data, follow=True)
        assert "looks like someone already registered" in response.content.decode()


class ListTests:
    def test_keyset_pages_and_htmx_fragment(self, personas: Personas) -> None:
        for n in range(55):
            person_register(
                actor=personas.officer,
                data={
                    "given_name_latin": f"Person{n}",
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
        client = personas.client_for(personas.officer)
        first = client.get(reverse("people:list"))
        cursor = first.context["next_cursor"]
        assert len(first.context["people"]) == 50 and cursor
        second = client.get(reverse("people:list"), {"after": cursor})
        assert len(second.context["people"]) == 7 and second.context["next_cursor"] is None
        fragment = client.get(
            reverse("people:list"), {"after": "junk"}, HTTP_HX_REQUEST="true"
        ).content.decode()
        assert "<html" not in fragment and "<table>" in fragment


class DuplicateQueueTests:
    def test_dismiss_and_unknown_action(self, personas: Personas) -> None:
        flag = DuplicateFlag.objects.create(person=personas.hassan, other=personas.amal, score=86, reason="t")
        client = personas.client_for(personas.officer)
        url = reverse("people:duplicate_resolve", args=[flag.pk])
        assert client.post(url, {"action": "explode"}).status_code == 404
        response = client.post(url, {"action": "keep_person"}, follow=True)
        assert "Give a reason" in response.content.decode()
        client.post(url, {"action": "dismiss"})
        flag.refresh_from_db()
        assert flag.status == "dismissed"
        assert client.post(url, {"action": "dismiss"}).status_code == 404

    def test_merge_needs_rights_on_both_records(self, personas: Personas) -> None:
        flag = DuplicateFlag.objects.create(person=personas.hassan, other=personas.amal, score=86, reason="t")
        client = personas.client_for(personas.other_officer)
        assert (
            client.post(
                reverse("people:duplicate_resolve", args=[flag.pk]), {"action": "keep_person", "reason": "x"}
            ).status_code
            == 404
        )


class ResearchPageTests:
    def test_admin_may_open_research_data(self, personas: Personas) -> None:
        response = personas.client_for(personas.admin).get(reverse("people:research"))
        assert response.status_code == 200 and response.context["total"] == 2
        assert AuditLog.objects.filter(action="export").count() == 0


class SelfServiceEdgeTests:
    def test_invalid_profile_post_shows_errors(self, personas: Personas) -> None:
        client = personas.client_for(personas.amal_user)
        response = client.post(reverse("people:me"), {"sex": "X"})
        assert response.status_code == 200 and response.context["form"].errors

    def test_deletion_page_says_when_a_request_is_pending(self, personas: Personas) -> None:
        client = personas.client_for(personas.amal_user)
        assert not client.get(reverse("people:my_deletion")).context["pending"]
        client.post(reverse("people:my_deletion"), {})
        assert client.get(reverse("people:my_deletion")).context["pending"]
        page = personas.client_for(personas.officer).get(reverse("people:detail", args=[personas.amal.pk]))
        assert "asked for their data to be deleted" in page.content.decode()

    def test_logged_in_person_is_sent_home_from_register(self, personas: Personas) -> None:
        response = personas.client_for(personas.amal_user).get(reverse("people:register"))
        assert response.status_code == 302
