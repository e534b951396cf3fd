"""Channel clients against a local gateway: Kannel's sendsms and DLRs, a generic HTTP gateway, RapidPro's API."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from maharat.core.testing import Personas
from maharat.messaging import delivery
from maharat.messaging.choices import ChannelKind, Status
from maharat.messaging.delivery import outbox_deliver
from maharat.messaging.models import Channel, Message
from maharat.messaging.services import message_send_to_person
from maharat.messaging.tests.builders import http_channel
from maharat.messaging.tests.gateway import Gateway

pytestmark = pytest.mark.django_db


def kannel(gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> Channel:
    monkeypatch.setenv("TEST_KANNEL_PASSWORD", "kannel-pass")
    return Channel.objects.create(
        name="Kannel",
        kind=ChannelKind.KANNEL,
        config={
            "url": gateway.url("/cgi-bin/sendsms"),
            "username": "maharat",
            "from": "Maharat",
            "callback_base": "https://maharat.example.org/",
        },
        secret_env="TEST_KANNEL_PASSWORD",
        rate_per_second=0,
    )


def send(personas: Personas, text: str, key: str = "k") -> Message:
    message = message_send_to_person(person=personas.amal, text=text, idempotency_key=key)
    assert outbox_deliver(message.pk) == delivery.SENT
    message.refresh_from_db()
    return message


class KannelTests:
    def test_arabic_goes_as_ucs2_with_credentials_and_a_delivery_report_url(
        self, personas: Personas, gateway: Gateway, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        channel = kannel(gateway, monkeypatch)
        message = send(personas, "ورشة العمل غدًا الساعة العاشرة")
        (seen,) = gateway.requests
        assert seen.method == "GET" and seen.path == "/cgi-bin/sendsms"
        q = seen.query
        assert q["username"] == "maharat" and q["password"] == "kannel-pass"
        assert q["to"] == "+962791234567" and q["from"] == "Maharat"
        assert q["text"] == "ورشة العمل غدًا الساعة العاشرة"
        assert q["coding"] == "2" and q["charset"] == "UTF-8" and q["dlr-mask"] == "31"
        dlr = urlsplit(q["dlr-url"])
        assert dlr.netloc == "maharat.example.org"
        assert dlr.path == f"/messaging/hooks/{channel.pk}/{channel.inbound_token}/status/"
        assert parse_qs(dlr.query) == {"id": [str(message.pk)], "status": ["%d"]}
        assert message.gateway_id == str(message.pk)

    def test_latin_text_goes_as_gsm7(
        self, personas: Personas, gateway: Gateway, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        kannel(gateway, monkeypatch)
        send(personas, "Workshop tomorrow at 10")
        assert gateway.requests[0].query["coding"] == "0"

    @pytest.mark.parametrize(
        ("code", "status"), [(1, Status.DELIVERED), (2, Status.FAILED), (8, Status.SENT)]
    )
    def test_delivery_reports_update_the_status(
        self, personas: Personas, gateway: Gateway, monkeypatch: pytest.MonkeyPatch, code: int, status: str
    ) -> None:
        kannel(gateway, monkeypatch)
        message = send(personas, "Hello")
        dlr = urlsplit(gateway.requests[0].query["dlr-url"])
        response = Client().get(dlr.path + "?" + dlr.query.replace("%d", str(code)))
        assert response.status_code == 200
        message.refresh_from_db()
        assert message.status == status

    def test_malformed_delivery_report_is_refused(
        self, personas: Personas, gateway: Gateway, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        channel = kannel(gateway, monkeypatch)
        base = f"/messaging/hooks/{channel.pk}/{channel.inbound_token}/status/"
        assert Client().get(base, {"id": "x", "status": "1"}).status_code == 400
        assert Client().get(base, {"id": "1", "status": "abc"}).status_code == 400
        assert Client().get(base, {"id": "1", "status": "64"}).status_code == 400
        assert Client().get(base, {"id": "99999", "status": "1"}).status_code == 404

    def test_inbound_from_the_sms_service_get_url(
        self, personas: Personas, gateway: Gateway, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        channel = kannel(gateway, monkeypatch)
        url = f"/messaging/hooks/{channel.pk}/{channel.inbound_token}/receive/"
        response = Client().get(url, {"from": "+962791234567", "to": "1234", "text": "HELP", "id": "k-1"})
        assert response.status_code == 200 and response.content == b""
        inbound = Message.objects.get(direction="in")
        assert inbound.person == personas.amal and inbound.gateway_id == "k-1"


class HttpGatewayTests:
    def test_post_json_body_with_a_bearer_token_and_the_gateways_id(
        self, personas: Personas, gateway: Gateway, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("TEST_AGGREGATOR_TOKEN", "tok")
        channel = http_channel(
            gateway,
            url=gateway.url("/v1/messages"),
            method="POST",
            content_type="application/json",
            body='{"to": "{to}", "text": "{text}", "ref": "{id}"}',
            auth_header="Authorization: Bearer {secret}",
            success_codes=[201],
            id_field="message_id",
        )
        channel.secret_env = "TEST_AGGREGATOR_TOKEN"
        channel.save()
        gateway.answer((201, '{"message_id": "agg-77"}'))
        message = send(personas, 'He said "hi"\nأمل')
        (seen,) = gateway.requests
        assert seen.method == "POST" and seen.headers["Authorization"] == "Bearer tok"
        assert seen.json() == {"to": "+962791234567", "text": 'He said "hi"\nأمل', "ref": str(message.pk)}
        assert message.gateway_id == "agg-77"
        base = f"/messaging/hooks/{channel.pk}/{channel.inbound_token}"
        assert Client().post(f"{base}/delivered", {"id": "agg-77"}).status_code == 200
        message.refresh_from_db()
        assert message.status == Status.DELIVERED and message.delivered_at is not None

    def test_url_placeholders_are_url_encoded(self, personas: Personas, gateway: Gateway) -> None:
        http_channel(gateway)
        message = send(personas, "A&B=ج ?")
        assert gateway.requests[0].query == {"to": "+962791234567", "text": "A&B=ج ?", "id": str(message.pk)}

    def test_form_body_values_are_url_encoded(self, personas: Personas, gateway: Gateway) -> None:
        http_channel(
            gateway,
            url=gateway.url("/form"),
            method="POST",
            content_type="application/x-www-form-urlencoded",
            body="msisdn={to}&message={text}",
        )
        send(personas, "A&B=ج")
        assert parse_qs(gateway.requests[0].body.decode()) == {
            "msisdn": ["+962791234567"],
            "message": ["A&B=ج"],
        }

    def test_status_outside_success_codes_is_a_failure(self, personas: Personas, gateway: Gateway) -> None:
        http_channel(gateway, success_codes=[201])
        gateway.answer((200, "ok?"))
        message = message_send_to_person(person=personas.amal, text="Hi", idempotency_key="k")
        assert outbox_deliver(message.pk) == delivery.FAILED


class RapidProTests:
    def channel(self, gateway: Gateway, monkeypatch: pytest.MonkeyPatch, **config: Any) -> Channel:
        monkeypatch.setenv("TEST_RAPIDPRO_TOKEN", "abc123")
        return Channel.objects.create(
            name="TextIt",
            kind=ChannelKind.RAPIDPRO,
            config={"host": gateway.url(""), **config},
            secret_env="TEST_RAPIDPRO_TOKEN",
            rate_per_second=0,
        )

    def test_message_goes_as_a_broadcast_to_the_persons_urn(
        self, personas: Personas, gateway: Gateway, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self.channel(gateway, monkeypatch)
        broadcast = {
            "uuid": "0b3a-bc",
            "urns": ["tel:+962791234567"],
            "text": "x",
            "contacts": [],
            "groups": [],
            "status": "queued",
            "created_on": "2026-03-10T10:00:00.000000Z",
        }
        gateway.answer((201, json.dumps(broadcast)))
        message = send(personas, "مرحبا")
        (seen,) = gateway.requests
        assert seen.method == "POST" and seen.path == "/api/v2/broadcasts.json"
        assert seen.headers["Authorization"] == "Token abc123"
        assert seen.json() == {"text": "مرحبا", "urns": ["tel:+962791234567"]}
        assert message.gateway_id == "0b3a-bc"

    def test_whatsapp_urn_has_no_plus(
        self, personas: Personas, gateway: Gateway, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self.channel(gateway, monkeypatch, urn_scheme="whatsapp")
        gateway.answer((201, '{"uuid": "u", "contacts": [], "groups": []}'))
        send(personas, "Hi")
        assert gateway.requests[0].json()["urns"] == ["whatsapp:962791234567"]

    def test_accepted_broadcast_in_an_unexpected_shape_still_counts_as_sent(
        self, personas: Personas, gateway: Gateway, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self.channel(gateway, monkeypatch)
        gateway.answer((201, '{"uuid": "u"}'))
        message = send(personas, "Hi")
        assert message.gateway_id == "" and len(gateway.requests) == 1

    def test_bad_token_fails_without_retrying(
        self, personas: Personas, gateway: Gateway, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self.channel(gateway, monkeypatch)
        gateway.default = (403, '{"detail": "Invalid token"}', 0.0)
        message = message_send_to_person(person=personas.amal, text="Hi", idempotency_key="k")
        assert outbox_deliver(message.pk) == delivery.FAILED
        message.refresh_from_db()
        assert "RapidPro refused" in message.error and len(gateway.requests) == 1

    @pytest.mark.parametrize(
        ("answer", "error"),
        [((502, "bad gateway"), "RapidPro HTTP 502"), ((429, ""), "RapidPro: TembaRateExceededError")],
    )
    def test_server_errors_and_rate_limits_are_retried(
        self,
        personas: Personas,
        gateway: Gateway,
        monkeypatch: pytest.MonkeyPatch,
        answer: tuple[int, str],
        error: str,
    ) -> None:
        self.channel(gateway, monkeypatch)
        gateway.answer(answer)
        message = message_send_to_person(person=personas.amal, text="Hi", idempotency_key="k")
        assert outbox_deliver(message.pk) == delivery.RETRY
        message.refresh_from_db()
        assert message.error == error

    def test_time_out_is_retried(
        self, personas: Personas, gateway: Gateway, monkeypatch: pytest.MonkeyPatch, settings: Any
    ) -> None:
        settings.MESSAGING_HTTP_TIMEOUT = 0.2
        self.channel(gateway, monkeypatch)
        gateway.answer((201, '{"uuid": "u"}', 1.0))
        message = message_send_to_person(person=personas.amal, text="Hi", idempotency_key="k")
        assert outbox_deliver(message.pk) == delivery.RETRY

    def test_external_api_status_callbacks(
        self, personas: Personas, gateway: Gateway, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        channel = self.channel(gateway, monkeypatch)
        gateway.answer((201, '{"uuid": "b-1", "contacts": [], "groups": []}'))
        message = send(personas, "Hi")
        base = f"/messaging/hooks/{channel.pk}/{channel.inbound_token}"
        assert Client().post(f"{base}/sent", {"id": "b-1"}).status_code == 200
        assert Client().post(f"{base}/delivered", {"id": "b-1"}).status_code == 200
        # A late "sent" never undoes "delivered".
        assert Client().post(f"{base}/sent", {"id": "b-1"}).status_code == 200
        message.refresh_from_db()
        assert message.status == Status.DELIVERED
