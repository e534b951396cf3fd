"""RapidPro flow webhooks: realistic default and legacy bodies, tokens, and the flat answers flows read."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from maharat.core.testing import Personas
from maharat.messaging.models_api import FlowResult, FlowRun
from maharat.messaging.tests.rapidpro_builders import api_token
from maharat.people.choices import ConsentPurpose
from maharat.people.models import Person
from maharat.people.services import has_valid_consent

pytestmark = pytest.mark.django_db

FLOW = {"uuid": "9de3663f-c5c5-4c92-9f45-ecbc09abcc85", "name": "Registration by SMS"}
RUN_UUID = "d3fe8f2b-4a6c-4a8b-9bd2-8f6d3d38a0e1"


def default_body(urn: str, results: dict[str, Any], name: str = "Amal") -> dict[str, Any]:
    """RapidPro's default webhook body: contact, flow and results."""
    return {
        "contact": {"uuid": "5d76d86b-3bb9-4d5a-b822-c9d86f5d8e4f", "name": name, "urn": urn},
        "flow": FLOW,
        "results": {
            key: {
                "name": key.replace("_", " ").title(),
                "value": value,
                "category": "All Responses",
                "node_uuid": "7a1f6c55-63cf-4d5f-a8e6-c1d3f6a9e8c2",
                "input": value,
                "created_on": "2026-11-23T10:15:30.123456Z",
            }
            for key, value in results.items()
        },
    }


def legacy_body(urn: str, text: str) -> dict[str, Any]:
    """The fuller legacy body: run, path, input, channel and contact (no results)."""
    channel = {"uuid": "f0f9a8a2-3b2b-4b8a-9b5f-8a1f2c3d4e5f", "name": "Zain SMS"}
    return {
        "contact": {"uuid": "5d76d86b-3bb9-4d5a-b822-c9d86f5d8e4f", "name": "Amal", "urn": urn},
        "flow": FLOW,
        "path": [
            {
                "uuid": "a1",
                "node_uuid": "c0a1b2d3-0000-4000-8000-000000000001",
                "arrived_on": "2026-11-23T10:15:00Z",
            },
            {
                "uuid": "a2",
                "node_uuid": "c0a1b2d3-0000-4000-8000-000000000002",
                "arrived_on": "2026-11-23T10:15:29Z",
            },
        ],
        "run": {"uuid": RUN_UUID, "created_on": "2026-11-23T10:15:00Z"},
        "input": {
            "uuid": "e8a1c2d3-1111-4000-8000-000000000001",
            "type": "msg",
            "channel": channel,
            "urn": urn,
            "text": text,
            "attachments": [],
            "created_on": "2026-11-23T10:15:29Z",
        },
        "channel": channel,
    }


def post(client: Client, path: str, body: Any, **headers: Any) -> Any:
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(path, data=raw, content_type="application/json", **headers)


class WebhookAuthTests:
    def test_refuses_missing_wrong_and_revoked_tokens(self, personas: Personas, client: Client) -> None:
        from maharat.messaging.broadcasts import token_revoke

        token, key = api_token(personas)
        body = default_body("tel:+962791234567", {})
        assert post(client, "/webhooks/rapidpro/lookup/", body).status_code == 403
        assert post(client, "/webhooks/rapidpro/not-a-token/lookup/", body).status_code == 403
        assert (
            post(client, "/webhooks/rapidpro/lookup/", body, HTTP_AUTHORIZATION=f"Bearer {key}").status_code
            == 403
        )
        assert (
            post(client, "/webhooks/rapidpro/lookup/", body, HTTP_AUTHORIZATION=f"Token {key}").status_code
            == 200
        )
        token_revoke(actor=personas.admin, token=token)
        assert post(client, f"/webhooks/rapidpro/{key}/lookup/", body).status_code == 403

    def test_refuses_malformed_oversized_and_unknown(self, personas: Personas, client: Client) -> None:
        _token, key = api_token(personas)
        base = f"/webhooks/rapidpro/{key}"
        bad = post(client, f"{base}/lookup/", "{not json")
        assert bad.status_code == 400 and bad.json()["ok"] is False
        assert post(client, f"{base}/lookup/", "[1, 2]").status_code == 400
        assert post(client, f"{base}/lookup/", {"contact": "tel:+962791234567"}).status_code == 400
        assert post(client, f"{base}/result/", {"flow": FLOW, "results": []}).status_code == 400
        assert post(client, f"{base}/result/", {"flow": FLOW, "results": {"a": "b"}}).status_code == 400
        assert post(client, f"{base}/result/", {"flow": FLOW, "path": {}}).status_code == 400
        assert (
            post(client, f"{base}/result/", {"flow": FLOW, "contact": {"name": {"x": 1}}}).status_code == 400
        )
        assert post(client, f"{base}/lookup/", {"flow": FLOW}).json()["field"] == "urn"
        big = {"contact": {"urn": "tel:+962791234567"}, "pad": "x" * (70 * 1024)}
        assert post(client, f"{base}/lookup/", big).status_code == 413
        assert post(client, f"{base}/lookup/", "{}", CONTENT_LENGTH="abc").status_code == 413
        assert post(client, f"{base}/delete/", {}).status_code == 404
        assert client.put(f"{base}/lookup/").status_code == 405


class WebhookRateTests:
    def test_over_the_limit_answers_429_with_retry_after_and_records_nothing(
        self, personas: Personas, client: Client, settings: Any
    ) -> None:
        from django.core.cache import cache

        cache.clear()
        settings.MESSAGING_WEBHOOK_RATE = "2/60"
        _token, key = api_token(personas)
        _other, other_key = api_token(personas, organization=personas.agency)
        body = default_body("tel:+962791234567", {"age": "31"})
        path = f"/webhooks/rapidpro/{key}/result/"
        assert post(client, path, body).status_code == 200
        assert post(client, path, {**body, "results": {"b": {"value": "x"}}}).status_code == 200
        results = FlowResult.objects.count()
        over = post(client, path, {**body, "results": {"c": {"value": "y"}}})
        assert over.status_code == 429
        assert 0 < int(over["Retry-After"]) <= 60
        assert over.json()["ok"] is False
        assert FlowResult.objects.count() == results
        # Another organization's token has its own allowance.
        assert post(client, f"/webhooks/rapidpro/{other_key}/lookup/", body).status_code == 200
        cache.clear()


class LookupTests:
    def test_finds_a_person_the_organization_may_see(self, personas: Personas, client: Client) -> None:
        _token, key = api_token(personas)
        found = post(
            client, f"/webhooks/rapidpro/{key}/lookup/", default_body("tel:+962791234567", {})
        ).json()
        assert found == {
            "ok": True,
            "found": True,
            "uuid": str(personas.amal.public_id),
            "name": "أمل الحسن",
            "language": "ara",
            "messaging_consent": True,
        }
        # Omar is registered with another organization: this one is not told he exists.
        other = post(
            client, f"/webhooks/rapidpro/{key}/lookup/", default_body("tel:+962781112233", {})
        ).json()
        assert other == {"ok": True, "found": False}
        by_query = client.get(f"/webhooks/rapidpro/{key}/lookup/", {"urn": "whatsapp:962791234567"}).json()
        assert by_query["found"] is True
        assert (
            client.get(f"/webhooks/rapidpro/{key}/lookup/", {"urn": "mailto:a@b.c"}).json()["found"] is False
        )


class RegisterTests:
    def _answers(self, **extra: str | None) -> dict[str, str]:
        answers = {
            "name": "Fatima Saleh",
            "sex": "أنثى",
            "birth_year": "1999",
            "nationality": "Syrian",
            "legal_status": "refugee",
            "governorate": "Irbid",
            "consent": "نعم",
            "messaging": "yes",
            "language": "English",
        }
        answers.update({k: v for k, v in extra.items() if v is not None})
        return {k: v for k, v in answers.items() if extra.get(k, "") is not None}

    def test_registers_with_consent_and_answers(self, personas: Personas, client: Client) -> None:
        _token, key = api_token(personas)
        response = post(
            client, f"/webhooks/rapidpro/{key}/register/", default_body("tel:+962795550101", self._answers())
        )
        assert response.status_code == 201
        data = response.json()
        assert data["ok"] is True and data["status"] == "registered"
        person = Person.objects.get(public_id=data["uuid"])
        assert (person.given_name_latin, person.family_name_latin) == ("Fatima", "Saleh")
        assert person.sex == "F" and person.date_of_birth.year == 1999 and person.governorate.code == "IR"
        assert person.preferred_language == "en" and person.registered_by == personas.partner
        assert has_valid_consent(person, ConsentPurpose.REGISTRATION, personas.partner)
        assert has_valid_consent(person, ConsentPurpose.MESSAGING)
        again = post(client, f"/webhooks/rapidpro/{key}/register/", default_body("tel:+962795550101", {}))
        assert again.json() == {"ok": True, "status": "exists", "uuid": data["uuid"]}

    def test_refuses_without_consent_or_with_bad_answers(self, personas: Personas, client: Client) -> None:
        _token, key = api_token(personas)
        url = f"/webhooks/rapidpro/{key}/register/"
        urn = "tel:+962795550102"
        no = post(client, url, default_body(urn, self._answers(consent="لا")))
        assert no.status_code == 400 and no.json()["field"] == "consent"
        bad_sex = post(client, url, default_body(urn, self._answers(sex="maybe")))
        assert bad_sex.json()["field"] == "sex"
        bad_language = post(client, url, default_body(urn, self._answers(language="Klingon")))
        assert bad_language.json()["field"] == "language"
        no_name = post(client, url, default_body(urn, self._answers(name=None), name=""))
        assert no_name.json()["field"] == "name"
        no_phone = post(client, url, default_body("mailto:someone@example.org", self._answers()))
        assert no_phone.json()["field"] == "urn"
        bad_date = post(
            client, url, default_body(urn, {**self._answers(birth_year=None), "date_of_birth": "12/05/1999"})
        )
        assert bad_date.json()["field"] == "date_of_birth"
        no_date = post(client, url, default_body(urn, self._answers(birth_year=None)))
        assert no_date.json()["field"] == "date_of_birth"
        bad_place = post(client, url, default_body(urn, self._answers(governorate="Paris")))
        assert bad_place.json()["field"] == "governorate"
        assert not Person.objects.filter(phone="+962795550102").exists()

    def test_number_registered_elsewhere_is_not_revealed(self, personas: Personas, client: Client) -> None:
        _token, key = api_token(personas)
        response = post(
            client, f"/webhooks/rapidpro/{key}/register/", default_body("tel:+962781112233", self._answers())
        )
        assert response.status_code == 409
        assert response.json()["status"] == "exists_elsewhere" and "uuid" not in response.json()

    def test_arabic_name_goes_to_the_arabic_fields(self, personas: Personas, client: Client) -> None:
        _token, key = api_token(personas)
        body = default_body("tel:+962795550103", self._answers(name=None, language="ara"), name="سلمى خالد")
        uuid = post(client, f"/webhooks/rapidpro/{key}/register/", body).json()["uuid"]
        person = Person.objects.get(public_id=uuid)
        assert (person.given_name_ar, person.family_name_ar, person.preferred_language) == (
            "سلمى",
            "خالد",
            "ar",
        )


class StatusTests:
    def test_answers_with_the_latest_application(self, personas: Personas, client: Client) -> None:
        from maharat.programmes.models import Application
        from maharat.programmes.tests.factories import open_call

        _token, key = api_token(personas)
        url = f"/webhooks/rapidpro/{key}/status/"
        none = post(client, url, default_body("tel:+962791234567", {})).json()
        assert none["found"] is True and none["applications"] == 0
        call = open_call(personas, label_ar="دفعة المهارات")
        Application.objects.create(call=call, person=personas.amal, channel="web", status="selected")
        data = post(client, url, default_body("tel:+962791234567", {})).json()
        assert data["applications"] == 1 and data["status"] == "selected"
        assert data["call"] == "دفعة المهارات" and data["text"].startswith("دفعة المهارات: ")
        assert post(client, url, default_body("tel:+962781112233", {})).json() == {"ok": True, "found": False}


class ResultTests:
    def test_records_default_body_results_once(self, personas: Personas, client: Client) -> None:
        _token, key = api_token(personas)
        body = default_body("tel:+962791234567", {"job_found": "yes", "monthly_income": "250"})
        body["results"]["job_found"]["category"] = "Yes"
        url = f"/webhooks/rapidpro/{key}/result/"
        first = post(client, url, body).json()
        assert first["ok"] is True and first["recorded"] == 2
        body["results"]["monthly_income"]["value"] = "300"
        post(client, url, body)  # RapidPro retries, or the flow calls again: the run is updated, not doubled
        run = FlowRun.objects.get()
        assert run.person == personas.amal and run.flow_name == "Registration by SMS"
        assert FlowResult.objects.filter(run=run).count() == 2
        income = FlowResult.objects.get(key="monthly_income")
        assert income.value == "300" and income.answered_at.year == 2026
        assert FlowResult.objects.get(key="job_found").category == "Yes"

    def test_records_the_input_of_a_legacy_body(self, personas: Personas, client: Client) -> None:
        _token, key = api_token(personas)
        url = f"/webhooks/rapidpro/{key}/result/?result=satisfaction"
        data = post(client, url, legacy_body("tel:+962791234567", "5")).json()
        assert data == {"ok": True, "recorded": 1, "run": RUN_UUID}
        result = FlowResult.objects.get()
        assert (result.key, result.value) == ("satisfaction", "5")
        assert result.node_uuid.endswith("000000000002")

    def test_refuses_bodies_without_flow_or_answer(self, personas: Personas, client: Client) -> None:
        token, key = api_token(personas)
        url = f"/webhooks/rapidpro/{key}/result/"
        assert post(client, url, {"contact": {"urn": "tel:+962791234567"}}).json()["field"] == "flow"
        assert post(client, url, {"flow": FLOW}).json()["field"] == "results"
        bad_run = {**legacy_body("tel:+962791234567", "x"), "run": {"uuid": "not-a-uuid"}}
        assert post(client, url, bad_run).status_code == 400
        # A run recorded for one organization cannot be written by another's token.
        post(client, url, legacy_body("tel:+962791234567", "4"))
        _other, other_key = api_token(personas, personas.other_partner)
        theirs = post(
            client, f"/webhooks/rapidpro/{other_key}/result/", legacy_body("tel:+962791234567", "1")
        )
        assert theirs.status_code == 400
        assert FlowResult.objects.get().value == "4"
        assert token.organization == personas.partner
