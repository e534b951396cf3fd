"""The programmes API: open calls, a call's applications for its managers, and partner systems applying."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from maharat.core.models import ApiToken
from maharat.core.testing import Personas
from maharat.programmes.choices import ApplyChannel, CallStatus
from maharat.programmes.models import Application, Call
from maharat.programmes.services import application_submit
from maharat.programmes.tests.factories import applicant, make_call

pytestmark = pytest.mark.django_db


def auth(user: Any) -> dict[str, str]:
    if user is None:
        return {}
    raw = ApiToken.new_key()
    ApiToken.objects.create(
        user=user, name="partner system", key_prefix=raw[:8], key_hash=ApiToken.hash_key(raw)
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client: Client, call: Call, user: Any, payload: dict[str, Any], **headers: str) -> Any:
    return client.post(
        f"/api/v1/programmes/calls/{call.pk}/applications",
        json.dumps(payload),
        content_type="application/json",
        **auth(user),
        **headers,
    )


class OpenCallsApiTests:
    def test_any_token_lists_open_calls_with_public_fields_only(
        self, personas: Personas, client: Client
    ) -> None:
        call = make_call(personas, channels=["web", "sms"])
        make_call(personas, code="DRAFT", status=CallStatus.DRAFT)
        for user in (personas.employer, personas.researcher, personas.amal_user, personas.other_officer):
            response = client.get("/api/v1/programmes/calls", **auth(user))
            assert response.status_code == 200
            (item,) = response.json()
            assert item["id"] == call.pk and item["code"] == "DSEA" and item["organization"] == "mafraq-ngo"
            assert item["label_ar"] == "المهارات الرقمية، المفرق 2026" and item["channels"] == ["web", "sms"]
            assert set(item) == {
                "id", "code", "label_en", "label_ar", "description_en", "description_ar", "programme_en",
                "programme_ar", "organization", "opens_on", "closes_on", "seats", "channels",
            }  # fmt: skip

    def test_anonymous_is_refused(self, personas: Personas, client: Client) -> None:
        assert client.get("/api/v1/programmes/calls").status_code == 401


class ApplicationListApiTests:
    def test_managers_page_through_applications_without_names(
        self, personas: Personas, client: Client, django_assert_max_num_queries: Any
    ) -> None:
        call = make_call(personas, questions=[])
        people = [personas.amal, personas.hassan, *(applicant(personas) for _ in range(3))]
        for person in people:
            application_submit(actor=personas.officer, call=call, person=person, channel=ApplyChannel.STAFF)
        headers = auth(personas.officer)
        url = f"/api/v1/programmes/calls/{call.pk}/applications"
        with django_assert_max_num_queries(8):
            first = client.get(url, {"limit": 2}, **headers).json()
        assert [r["person"] for r in first["results"]] == [str(p.public_id) for p in people[:2]]
        assert set(first["results"][0]) == {
            "id",
            "person",
            "status",
            "eligible",
            "score",
            "channel",
            "submitted_at",
        }
        second = client.get(url, {"limit": 2, "after": first["next"]}, **headers).json()
        third = client.get(url, {"limit": 2, "after": second["next"]}, **headers).json()
        assert len(second["results"]) == 2 and len(third["results"]) == 1 and third["next"] is None
        admin = client.get(url, **auth(personas.admin)).json()
        assert len(admin["results"]) == 5 and admin["next"] is None

    def test_permission_matrix(self, personas: Personas, client: Client) -> None:
        call = make_call(personas, questions=[])
        application_submit(
            actor=personas.officer, call=call, person=personas.amal, channel=ApplyChannel.STAFF
        )
        url = f"/api/v1/programmes/calls/{call.pk}/applications"
        assert client.get(url).status_code == 401
        for user in (
            personas.other_officer,
            personas.employer,
            personas.researcher,
            personas.amal_user,
            personas.trainer,
        ):
            assert client.get(url, **auth(user)).status_code == 403, user
        assert (
            client.get("/api/v1/programmes/calls/999999/applications", **auth(personas.officer)).status_code
            == 404
        )


class ApplyApiTests:
    def test_partner_applies_on_behalf_of_a_person_it_may_see(
        self, personas: Personas, client: Client
    ) -> None:
        call = make_call(personas)
        response = post(
            client,
            call,
            personas.officer,
            {"person": str(personas.amal.public_id), "answers": {"has_laptop": "yes"}},
        )
        assert response.status_code == 201, response.content
        body = response.json()
        application = Application.objects.get(pk=body["id"])
        assert body["person"] == str(personas.amal.public_id) and body["eligible"] is True
        assert application.organization == personas.partner and application.submitted_by == personas.officer
        assert application.channel == ApplyChannel.STAFF and application.answers == {"has_laptop": "yes"}

    def test_a_referring_partner_may_apply_its_own_people_to_another_partners_call(
        self, personas: Personas, client: Client
    ) -> None:
        call = make_call(personas, questions=[])
        response = post(client, call, personas.other_officer, {"person": str(personas.omar.public_id)})
        assert response.status_code == 201, response.content
        assert Application.objects.get().organization == personas.other_partner
        named = post(
            client, call, personas.admin, {"person": str(personas.amal.public_id), "organization": "agency"}
        )
        assert (
            named.status_code == 201
            and Application.objects.get(pk=named.json()["id"]).organization == personas.agency
        )

    def test_refusals_are_400_with_the_localized_message_and_write_nothing(
        self, personas: Personas, client: Client
    ) -> None:
        call = make_call(personas)
        bad = post(
            client,
            call,
            personas.officer,
            {"person": str(personas.amal.public_id), "answers": {"has_laptop": "maybe"}},
        )
        assert bad.status_code == 400 and bad.json()["detail"] == "“Do you have a laptop?” needs yes or no."
        arabic = post(
            Client(),  # no language cookie: the Accept-Language header decides
            call,
            personas.officer,
            {"person": str(personas.amal.public_id), "answers": {"has_laptop": "maybe"}},
            HTTP_ACCEPT_LANGUAGE="ar",
        )
        assert (
            arabic.status_code == 400
            and arabic.json()["detail"] == "«هل لديك حاسوب محمول؟» يحتاج إلى نعم أو لا."
        )
        Call.objects.filter(pk=call.pk).update(status=CallStatus.CLOSED)
        closed = post(client, call, personas.officer, {"person": str(personas.amal.public_id)})
        assert (
            closed.status_code == 400 and closed.json()["detail"] == "This call is not open for applications."
        )
        assert not Application.objects.exists()

    def test_applying_twice_is_refused(self, personas: Personas, client: Client) -> None:
        call = make_call(personas, questions=[])
        payload = {"person": str(personas.amal.public_id)}
        assert post(client, call, personas.officer, payload).status_code == 201
        again = post(client, call, personas.officer, payload)
        assert (
            again.status_code == 400
            and again.json()["detail"] == "This person has already applied to this call."
        )
        assert Application.objects.count() == 1

    def test_permission_matrix(self, personas: Personas, client: Client) -> None:
        call = make_call(personas, questions=[])
        amal = {"person": str(personas.amal.public_id)}
        assert post(client, call, None, amal).status_code == 401
        for user in (personas.employer, personas.researcher, personas.mentor, personas.amal_user):
            assert post(client, call, user, amal).status_code == 403, user
        assert post(client, call, personas.other_officer, amal).status_code == 404  # not shared with Karak
        assert (
            post(
                client, call, personas.officer, {"person": "00000000-0000-0000-0000-000000000000"}
            ).status_code
            == 404
        )
        foreign = {**amal, "organization": "karak-ngo"}
        assert post(client, call, personas.officer, foreign).status_code == 403
        missing = Call(pk=999999)
        assert post(client, missing, personas.officer, amal).status_code == 404
        assert not Application.objects.exists()

    def test_openapi_documents_the_endpoints(self, personas: Personas, client: Client) -> None:
        schema = client.get("/api/v1/openapi.json", **auth(personas.officer)).json()
        assert "/api/v1/programmes/calls" in schema["paths"]
        assert "post" in schema["paths"]["/api/v1/programmes/calls/{call_id}/applications"]
