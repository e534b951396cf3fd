"""The registry API: registering people from partner systems, bad input, and the OpenAPI docs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from maharat.core.models import ApiToken
from maharat.core.testing import Personas
from maharat.people.models import Person

pytestmark = pytest.mark.django_db


def _auth(user: Any) -> dict[str, str]:
    raw = ApiToken.new_key()
    ApiToken.objects.create(
        user=user, name="partner system", key_prefix=raw[:8], key_hash=ApiToken.hash_key(raw)
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _payload(**overrides: Any) -> dict[str, Any]:
    data = {
        "given_name_ar": "ليلى",
        "given_name_latin": "Layla",
        "sex": "F",
        "date_of_birth": "2000-01-15",
        "nationality": "SY",
        "legal_status": "refugee",
        "phone": "0790001111",
        "governorate": "MA",
        "consent_purposes": ["registration"],
        "organization": "mafraq-ngo",
    }
    data.update(overrides)
    return data


def _post(client: Client, headers: dict[str, str], payload: dict[str, Any]) -> Any:
    return client.post("/api/v1/people", json.dumps(payload), content_type="application/json", **headers)


class PeopleApiTests:
    def test_officer_registers_a_person(self, personas: Personas, client: Client) -> None:
        response = _post(client, _auth(personas.officer), _payload())
        assert response.status_code == 201, response.content
        assert response.json()["phone"] == "+962790001111"
        assert Person.objects.get(phone="+962790001111").registered_by == personas.partner

    def test_duplicate_phone_is_a_conflict(self, personas: Personas, client: Client) -> None:
        response = _post(client, _auth(personas.officer), _payload(phone="0791234567"))
        assert response.status_code == 409
        assert "already registered" in response.json()["detail"]

    def test_invalid_data_is_refused_and_nothing_is_written(self, personas: Personas, client: Client) -> None:
        headers = _auth(personas.officer)
        assert _post(client, headers, _payload(date_of_birth="2099-01-01")).status_code == 422
        assert _post(client, headers, _payload(phone="12")).status_code == 422
        assert _post(client, headers, _payload(governorate="XX")).status_code == 422
        assert _post(client, headers, _payload(consent_purposes=["research"])).status_code == 422
        assert _post(client, headers, _payload(sex="Q")).status_code == 422
        assert Person.objects.count() == 3

    def test_cannot_register_for_another_organization(self, personas: Personas, client: Client) -> None:
        response = _post(client, _auth(personas.officer), _payload(organization="karak-ngo"))
        assert response.status_code == 403
        response = _post(client, _auth(personas.employer), _payload(organization="zarqa-garments"))
        assert response.status_code == 403

    def test_filters_and_keyset_paging(self, personas: Personas, client: Client) -> None:
        headers = _auth(personas.admin)
        first = client.get("/api/v1/people", {"limit": 2}, **headers).json()
        assert len(first["results"]) == 2 and first["next"]
        rest = client.get("/api/v1/people", {"limit": 2, "after": first["next"]}, **headers).json()
        assert len(rest["results"]) == 1 and rest["next"] is None
        women = client.get("/api/v1/people", {"sex": "F"}, **headers).json()["results"]
        assert [p["given_name_latin"] for p in women] == ["Amal"]

    def test_organizations_and_openapi_docs(self, personas: Personas, client: Client) -> None:
        headers = _auth(personas.employer)
        slugs = {o["slug"] for o in client.get("/api/v1/organizations", **headers).json()}
        assert "mafraq-ngo" in slugs
        schema = client.get("/api/v1/openapi.json").json()
        assert "/api/v1/people" in schema["paths"]
        assert client.get("/api/v1/docs").status_code == 200


class AdminTests:
    def test_every_model_has_an_admin_page(self, personas: Personas) -> None:
        from django.contrib import admin
        from django.urls import reverse

        client = personas.client_for(personas.admin)
        for model in admin.site._registry:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            assert client.get(url).status_code == 200, url

    def test_api_token_is_shown_once_and_stored_hashed(self, personas: Personas) -> None:
        client = personas.client_for(personas.admin)
        response = client.post(
            "/admin/core/apitoken/add/", {"user": personas.officer.pk, "name": "kobo"}, follow=True
        )
        token = ApiToken.objects.get(name="kobo")
        shown = [str(m) for m in response.context["messages"]]
        raw = shown[0].rsplit(" ", 1)[-1]
        assert ApiToken.hash_key(raw) == token.key_hash and raw not in token.key_hash
