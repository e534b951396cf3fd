"""Who sees whom: the permission matrix of the registry, in pages and the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from maharat.core.testing import Personas, assert_forbidden
from maharat.people import access
from maharat.people.models import Consent
from maharat.people.services import consent_withdraw

pytestmark = pytest.mark.django_db


class VisibilityTests:
    def test_partner_sees_only_people_who_consented_to_it(self, personas: Personas) -> None:
        visible = set(access.visible_people(personas.officer))
        assert visible == {personas.amal, personas.hassan}
        assert set(access.visible_people(personas.other_officer)) == {personas.omar}

    def test_admin_sees_everyone(self, personas: Personas) -> None:
        assert set(access.visible_people(personas.admin)) == {personas.amal, personas.omar, personas.hassan}

    def test_beneficiary_sees_only_themself(self, personas: Personas) -> None:
        assert list(access.visible_people(personas.amal_user)) == [personas.amal]

    def test_employer_mentor_and_researcher_see_nobody_in_the_registry(self, personas: Personas) -> None:
        for user in (personas.employer, personas.mentor, personas.researcher):
            assert not access.visible_people(user).exists()

    def test_withdrawn_consent_hides_the_person_from_the_partner(self, personas: Personas) -> None:
        for consent in Consent.objects.filter(person=personas.amal):
            consent_withdraw(actor=personas.amal_user, consent=consent, reason="moved away")
        assert personas.amal not in access.visible_people(personas.officer)

    def test_researcher_gets_only_consented_people_without_identifiers(self, personas: Personas) -> None:
        people = set(access.research_people(personas.researcher))
        assert people == {personas.amal, personas.hassan}
        record = access.research_record(personas.amal)
        text = repr(record)
        for secret in ("Amal", "أمل", "+962791234567", "945-12345678", "1994-03-12"):
            assert secret not in text
        assert record["birth_year"] == 1994
        assert record["pseudonym"] == access.research_record(personas.amal)["pseudonym"]

    def test_only_officers_in_scope_see_identity_documents(self, personas: Personas) -> None:
        assert access.can_see_identifiers(personas.officer, personas.amal)
        assert access.can_see_identifiers(personas.amal_user, personas.amal)
        assert not access.can_see_identifiers(personas.trainer, personas.amal)
        assert not access.can_see_identifiers(personas.other_officer, personas.amal)


class PagePermissionTests:
    def test_person_detail_is_refused_to_everyone_out_of_scope(self, personas: Personas) -> None:
        url = reverse("people:detail", args=[personas.amal.pk])
        assert_forbidden(
            url,
            [
                None,
                personas.employer,
                personas.other_officer,
                personas.researcher,
                personas.mentor,
                personas.amal_user,
            ],
        )
        assert personas.client_for(personas.officer).get(url).status_code == 200

    def test_people_list_is_refused_to_non_registry_roles(self, personas: Personas) -> None:
        url = reverse("people:list")
        assert_forbidden(
            url, [None, personas.employer, personas.researcher, personas.mentor, personas.amal_user]
        )

    def test_other_partner_list_does_not_show_our_people(self, personas: Personas) -> None:
        page = personas.client_for(personas.other_officer).get(reverse("people:list")).content.decode()
        assert "Omar" in page or "عمر" in page
        assert "أمل" not in page and "Amal" not in page

    def test_edit_and_anonymize_are_refused_out_of_scope(self, personas: Personas) -> None:
        for name in ("people:edit", "people:anonymize"):
            url = reverse(name, args=[personas.amal.pk])
            assert_forbidden(
                url, [None, personas.employer, personas.other_officer, personas.researcher, personas.trainer]
            )

    def test_registry_management_pages_are_refused(self, personas: Personas) -> None:
        for name in ("people:duplicates", "people:import_upload", "people:create"):
            assert_forbidden(
                reverse(name),
                [None, personas.employer, personas.researcher, personas.amal_user, personas.mentor],
            )

    def test_research_page_is_refused_to_partners_and_employers(self, personas: Personas) -> None:
        assert_forbidden(
            reverse("people:research"), [None, personas.employer, personas.officer, personas.amal_user]
        )

    def test_research_page_shows_no_identifiers(self, personas: Personas) -> None:
        client = personas.client_for(personas.researcher)
        page = client.get(reverse("people:research")).content.decode()
        csv_text = b"".join(client.get(reverse("people:research") + "?format=csv").streaming_content).decode()
        for text in (page, csv_text):
            for secret in ("Amal", "أمل", "791234567", "945-12345678", "Hassan"):
                assert secret not in text
        assert csv_text.count("\n") == 3

    def test_self_service_pages_need_a_person(self, personas: Personas) -> None:
        for name in ("people:me", "people:my_data", "people:my_deletion", "skills:my_skills"):
            assert_forbidden(reverse(name), [None, personas.employer, personas.officer])


class ApiPermissionTests:
    def _token(self, user: object) -> str:
        from maharat.core.models import ApiToken

        raw = ApiToken.new_key()
        ApiToken.objects.create(user=user, name="test", key_prefix=raw[:8], key_hash=ApiToken.hash_key(raw))
        return raw

    def test_api_requires_authentication(self, personas: Personas, client: object) -> None:
        assert client.get("/api/v1/people").status_code == 401

    def test_partner_token_lists_only_its_people(self, personas: Personas, client: object) -> None:
        token = self._token(personas.officer)
        response = client.get("/api/v1/people", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200
        ids = {row["id"] for row in response.json()["results"]}
        assert ids == {personas.amal.pk, personas.hassan.pk}

    def test_rapidpro_style_token_header_works(self, personas: Personas, client: object) -> None:
        token = self._token(personas.officer)
        response = client.get("/api/v1/people", HTTP_AUTHORIZATION=f"Token {token}")
        assert response.status_code == 200

    def test_revoked_or_wrong_token_is_refused(self, personas: Personas, client: object) -> None:
        from django.utils import timezone

        from maharat.core.models import ApiToken

        token = self._token(personas.officer)
        ApiToken.objects.update(revoked_at=timezone.now())
        assert client.get("/api/v1/people", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
        assert client.get("/api/v1/people", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401

    def test_person_out_of_scope_is_not_found(self, personas: Personas, client: object) -> None:
        url = f"/api/v1/people/{personas.amal.public_id}"
        for user in (personas.other_officer, personas.employer, personas.researcher):
            token = self._token(user)
            assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404
        token = self._token(personas.officer)
        body = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").json()
        assert body["unhcr_case_number"] == "945-12345678"

    def test_trainer_gets_people_without_identity_numbers(self, personas: Personas, client: object) -> None:
        from maharat.people.services import consent_record

        consent_record(
            actor=personas.officer,
            person=personas.amal,
            purpose="sharing",
            channel="paper",
            organizations=[personas.training_org],
        )
        token = self._token(personas.trainer)
        body = client.get(
            f"/api/v1/people/{personas.amal.public_id}", HTTP_AUTHORIZATION=f"Bearer {token}"
        ).json()
        assert body["given_name_latin"] == "Amal"
        assert body["unhcr_case_number"] is None

    def test_employer_and_researcher_cannot_list_people(self, personas: Personas, client: object) -> None:
        for user in (personas.employer, personas.researcher):
            token = self._token(user)
            assert client.get("/api/v1/people", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 403

    def test_researcher_api_returns_pseudonymized_records(self, personas: Personas, client: object) -> None:
        token = self._token(personas.researcher)
        response = client.get("/api/v1/research/people", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200
        rows = response.json()
        assert len(rows) == 2
        assert all("given_name_latin" not in row and "phone" not in row for row in rows)
        officer = self._token(personas.officer)
        assert (
            client.get("/api/v1/research/people", HTTP_AUTHORIZATION=f"Bearer {officer}").status_code == 403
        )
