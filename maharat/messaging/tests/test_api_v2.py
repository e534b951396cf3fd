"""The RapidPro-compatible API's shapes and errors, through Django's test client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from maharat.core.testing import Personas
from maharat.messaging import broadcasts as services
from maharat.messaging.api_v2 import message_uuid
from maharat.messaging.choices import Direction, Status
from maharat.messaging.models import Message, MessageTemplate
from maharat.messaging.models_api import Broadcast, FlowResult, FlowRun
from maharat.messaging.services import optout_set
from maharat.messaging.tests.rapidpro_builders import api_token, reachable

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(personas: Personas, settings: Any) -> Any:
    """A client sending the Mafraq partner's token, two results per page."""
    settings.MESSAGING_API_PAGE_SIZE = 2
    settings.MESSAGING_API_RATE = "1000/60"
    _token, key = api_token(personas)

    class Api:
        def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
            return Client().get(f"/api/v2/{path}", params or {}, HTTP_AUTHORIZATION=f"Token {key}")

        def post(self, path: str, body: Any) -> Any:
            raw = body if isinstance(body, str) else json.dumps(body)
            return Client().post(
                f"/api/v2/{path}", raw, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
            )

        def delete(self, path: str) -> Any:
            return Client().delete(f"/api/v2/{path}", HTTP_AUTHORIZATION=f"Token {key}")

    return Api()


class AuthTests:
    def test_needs_the_token_header(self, personas: Personas, api: Any, client: Client) -> None:
        assert client.get("/api/v2/contacts.json").status_code == 403
        _token, key = api_token(personas)
        assert client.get("/api/v2/contacts.json", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 403
        assert client.get("/api/v2/contacts.json", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
        assert client.put("/api/v2/runs.json", HTTP_AUTHORIZATION=f"Token {key}").status_code == 405


class ContactTests:
    def test_pages_forward_and_back(self, personas: Personas, api: Any) -> None:
        for _ in range(3):
            reachable(personas)
        first = api.get("contacts.json").json()
        assert first["previous"] is None and len(first["results"]) == 2
        assert Client().get(first["next"]).status_code == 403  # the next page needs the token too
        path = first["next"].split("/api/v2/")[1]
        second = api.get(path).json()
        assert second["previous"] is not None
        back = api.get(second["previous"].split("/api/v2/")[1]).json()
        assert [c["uuid"] for c in back["results"]] == [c["uuid"] for c in first["results"]]
        assert back["previous"] is None and back["next"] is not None
        assert api.get("contacts.json", {"cursor": "!!!"}).status_code == 404

    def test_filters(self, personas: Personas, api: Any) -> None:
        english = reachable(personas, language="en", given_name_latin="Eng")
        segment = services.segment_save(
            actor=personas.officer, organization=personas.partner, name="English", filters={"language": "en"}
        )
        by_group = api.get("contacts.json", {"group": str(segment.uuid)}).json()["results"]
        assert [c["uuid"] for c in by_group] == [str(english.public_id)]
        assert by_group[0]["groups"] == [{"uuid": str(segment.uuid), "name": "English"}]
        assert len(api.get("contacts.json", {"group": "English"}).json()["results"]) == 1
        assert api.get("contacts.json", {"group": "Nope"}).status_code == 400
        assert api.get("contacts.json", {"deleted": "true"}).json()["results"] == []
        assert api.get("contacts.json", {"uuid": "not-a-uuid"}).json()["results"] == []
        assert api.get("contacts.json", {"urn": "mailto:x@y.z"}).json()["results"] == []
        assert api.get("contacts.json", {"before": "yesterday"}).status_code == 400
        naive = timezone.now().replace(tzinfo=None).isoformat()
        assert api.get("contacts.json", {"before": naive}).status_code == 200

    def test_shows_stopped_and_last_seen(self, personas: Personas, api: Any) -> None:
        optout_set(actor="sms", phone="+962791234567", person=personas.amal, opted_out=True)
        Message.objects.create(
            direction=Direction.IN,
            person=personas.amal,
            phone="+962791234567",
            text="STOP",
            status=Status.HANDLED,
        )
        amal = api.get("contacts.json", {"urn": "tel:+962791234567"}).json()["results"][0]
        assert amal["status"] == "stopped" and amal["stopped"] is True and amal["last_seen_on"] is not None

    def test_refuses_bad_contacts(self, personas: Personas, api: Any) -> None:
        assert api.post("contacts.json", "{oops").status_code == 400
        assert api.post("contacts.json", "[]").status_code == 400
        assert api.post("contacts.json", {"name": "x" * 300_000}).status_code == 413
        errors = api.post(
            "contacts.json", {"groups": ["x"], "language": "fra", "urns": ["mailto:a@b.c"], "fields": []}
        ).json()
        assert set(errors) == {"groups", "language", "urns", "fields", "name"}
        assert set(api.post("contacts.json", {"name": ""}).json()) == {"name", "urns", "fields"}
        fields = {"sex": "F", "date_of_birth": "1990-01-01", "nationality": "JO", "legal_status": "jordanian"}
        missing = api.post("contacts.json", {"name": "A B", "urns": ["tel:+962795550111"], "fields": fields})
        assert "governorate" in missing.json()["fields"][0]
        taken = {"name": "A B", "urns": ["tel:+962781112233"], "fields": {**fields, "governorate": "AM"}}
        assert api.post("contacts.json", taken).json() == {"urns": ["URN belongs to another contact."]}
        assert (
            api.post("contacts.json?uuid=0f0f0f0f-0000-4000-8000-000000000000", {"name": "x"}).status_code
            == 404
        )
        assert api.post("contacts.json?uuid=nope", {"name": "x"}).status_code == 404
        assert api.post("contacts.json?urn=mailto:x@y.z", {"name": "x"}).status_code == 404
        clash = api.post(f"contacts.json?uuid={personas.amal.public_id}", {"urns": ["tel:+962781112233"]})
        assert clash.status_code == 400

    def test_contacts_cannot_be_deleted(self, personas: Personas, api: Any) -> None:
        assert api.delete(f"contacts.json?uuid={personas.amal.public_id}").status_code == 405
        assert api.delete("contacts.json").status_code == 400


class MessageTests:
    def test_lists_and_filters_messages(self, personas: Personas, api: Any) -> None:
        incoming = Message.objects.create(
            direction=Direction.IN,
            person=personas.amal,
            phone="+962791234567",
            text="HELP",
            status=Status.RECEIVED,
        )
        broadcast = services.broadcast_create(
            actor=personas.officer, organization=personas.partner, people=[personas.amal], text_ar="مرحبا"
        )
        services.broadcast_send(broadcast.pk)
        everything = api.get("messages.json").json()["results"]
        assert {m["text"] for m in everything} == {"HELP", "مرحبا"}
        inbox = api.get("messages.json", {"folder": "inbox"}).json()["results"]
        assert inbox[0]["status"] == "pending" and inbox[0]["uuid"] == message_uuid(incoming.pk)
        assert (
            api.get("messages.json", {"uuid": message_uuid(incoming.pk)}).json()["results"][0]["id"]
            == incoming.pk
        )
        assert api.get("messages.json", {"uuid": "junk"}).json()["results"] == []
        assert api.get("messages.json", {"uuid": message_uuid(0)[:-1] + "z"}).json()["results"] == []
        assert len(api.get("messages.json", {"id": str(incoming.pk)}).json()["results"]) == 1
        assert api.get("messages.json", {"id": "x"}).json()["results"] == []
        assert len(api.get("messages.json", {"contact": str(personas.amal.public_id)}).json()["results"]) == 2
        assert api.get("messages.json", {"contact": "junk"}).json()["results"] == []
        assert [
            m["text"] for m in api.get("messages.json", {"broadcast": str(broadcast.uuid)}).json()["results"]
        ] == ["مرحبا"]
        assert api.get("messages.json", {"broadcast": "junk"}).json()["results"] == []
        assert api.get("messages.json", {"folder": "spam"}).status_code == 400
        assert len(api.get("messages.json", {"folder": "outbox"}).json()["results"]) == 1

    def test_refuses_bad_messages(self, personas: Personas, api: Any) -> None:
        errors = api.post(
            "messages.json", {"attachments": ["image/jpeg:http://x/y.jpg"], "contact": "nope"}
        ).json()
        assert set(errors) == {"text", "attachments", "contact"}
        hassan = api.post("messages.json", {"contact": str(personas.hassan.public_id), "text": "hi"})
        assert hassan.status_code == 400  # no consent to text messages: not a contact


class BroadcastTests:
    def test_sends_to_groups_and_lists_with_filters(
        self, personas: Personas, api: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        english = reachable(personas, language="en")
        everyone = services.segment_save(
            actor=personas.officer, organization=personas.partner, name="All", filters={}
        )
        english_only = services.segment_save(
            actor=personas.officer, organization=personas.partner, name="En", filters={"language": "en"}
        )
        with django_capture_on_commit_callbacks(execute=True):
            one = api.post(
                "broadcasts.json", {"text": {"eng": "Hi", "ara": "أهلاً"}, "groups": [str(everyone.uuid)]}
            )
        assert one.status_code == 201 and one.json()["groups"] == [
            {"uuid": str(everyone.uuid), "name": "All"}
        ]
        assert Broadcast.objects.get(uuid=one.json()["uuid"]).segment == everyone
        assert Message.objects.get(person=english).text == "Hi"
        two = api.post(
            "broadcasts.json",
            {"text": "Same for all", "groups": [str(everyone.uuid), str(english_only.uuid)]},
        ).json()
        assert len(two["contacts"]) == 2 and two["text"] == "Same for all"
        listed = api.get("broadcasts.json", {"uuid": two["uuid"]}).json()["results"]
        assert [b["uuid"] for b in listed] == [two["uuid"]]
        assert api.get("broadcasts.json", {"uuid": "junk"}).json()["results"] == []
        template = MessageTemplate.objects.create(code="tpl", text_en="E", text_ar="ع")
        services.broadcast_create(
            actor=personas.officer, organization=personas.partner, people=[personas.amal], template=template
        )
        newest = api.get("broadcasts.json").json()["results"][0]
        assert newest["text"] == {"ara": "ع", "eng": "E"}

    def test_refuses_bad_broadcasts(self, personas: Personas, api: Any) -> None:
        empty = services.segment_save(
            actor=personas.officer, organization=personas.partner, name="Nobody", filters={"language": "en"}
        )
        assert api.post("broadcasts.json", {"urns": ["tel:+962791234567"]}).json() == {
            "text": ["This field is required."]
        }
        assert "text" in api.post("broadcasts.json", {"text": {"fra": "Bonjour"}, "urns": []}).json()
        assert "text" in api.post("broadcasts.json", {"text": {"eng": ""}, "urns": []}).json()
        bad = api.post(
            "broadcasts.json",
            {"text": "x", "urns": ["tel:+962781112233"], "contacts": ["nope"], "groups": ["nope"]},
        ).json()
        assert set(bad) == {"urns", "contacts", "groups"}
        assert "non_field_errors" in api.post("broadcasts.json", {"text": "x"}).json()
        assert (
            "groups"
            in api.post("broadcasts.json", {"text": "x", "groups": [str(empty.uuid), str(empty.uuid)]}).json()
        )
        assert not Broadcast.objects.exists()


class RunTests:
    def test_lists_runs_with_filters(self, personas: Personas, api: Any) -> None:
        run = FlowRun.objects.create(
            uuid="d3fe8f2b-4a6c-4a8b-9bd2-8f6d3d38a0e1",
            organization=personas.partner,
            contact_uuid="5d76d86b-3bb9-4d5a-b822-c9d86f5d8e4f",
            flow_uuid="flow-1",
            flow_name="Survey",
        )
        FlowRun.objects.create(
            uuid="e3fe8f2b-4a6c-4a8b-9bd2-8f6d3d38a0e1",
            organization=personas.other_partner,
            flow_uuid="flow-1",
        )
        FlowResult.objects.create(run=run, key="q1", name="Q1", value="3", answered_at=timezone.now())
        results = api.get("runs.json").json()["results"]
        assert len(results) == 1 and results[0]["contact"] == {"uuid": run.contact_uuid, "name": None}
        assert results[0]["values"]["q1"]["value"] == "3" and results[0]["responded"] is True
        assert len(api.get("runs.json", {"uuid": str(run.uuid)}).json()["results"]) == 1
        assert api.get("runs.json", {"uuid": "junk"}).json()["results"] == []
        assert len(api.get("runs.json", {"contact": run.contact_uuid}).json()["results"]) == 1
        assert api.get("runs.json", {"contact": "junk"}).json()["results"] == []
        assert len(api.get("runs.json", {"responded": "true", "flow": "flow-1"}).json()["results"]) == 1
