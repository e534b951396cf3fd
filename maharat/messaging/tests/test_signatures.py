"""Inbound endpoints: HMAC signatures on top of the URL token, size limits, and refusals that store nothing."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from maharat.messaging.choices import ChannelKind, Direction, Status
from maharat.messaging.models import Channel, Message
from maharat.messaging.views import MAX_HOOK_BYTES, signature_for, signed_content

pytestmark = pytest.mark.django_db
PHONE = "+962791110001"
SECRET = "s3cret-signing-key"


@pytest.fixture
def signed(monkeypatch: pytest.MonkeyPatch) -> Channel:
    """An HTTP channel whose gateway signs every request with the secret in MAHARAT_TEST_SIGNING."""
    monkeypatch.setenv("MAHARAT_TEST_SIGNING", SECRET)
    return Channel.objects.create(
        name="Signed",
        kind=ChannelKind.HTTP,
        config={"signature_env": "MAHARAT_TEST_SIGNING"},
        rate_per_second=0,
    )


def url(channel: Channel, action: str = "receive") -> str:
    return f"/messaging/hooks/{channel.pk}/{channel.inbound_token}/{action}/"


def post_signed(channel: Channel, data: dict[str, str], *, secret: str = SECRET, **headers: Any) -> Any:
    body = urlencode(data).encode()
    signature = signature_for(secret, body)
    return Client().post(
        url(channel),
        body,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Maharat-Signature": f"sha256={signature}", **headers},
    )


def inbound_count() -> int:
    return Message.objects.filter(direction=Direction.IN).count()


class SignatureTests:
    def test_signed_body_is_accepted(self, signed: Channel) -> None:
        response = post_signed(signed, {"from": PHONE, "text": "HELP", "id": "g1"})
        assert response.status_code == 200
        assert inbound_count() == 1

    def test_bare_hex_and_upper_case_are_accepted(self, signed: Channel) -> None:
        body = urlencode({"from": PHONE, "text": "hello", "id": "g2"}).encode()
        signature = signature_for(SECRET, body).upper()
        response = Client().post(
            url(signed),
            body,
            content_type="application/x-www-form-urlencoded",
            headers={"X-Maharat-Signature": signature},
        )
        assert response.status_code == 200 and inbound_count() == 1

    def test_unsigned_request_is_refused_and_stores_nothing(self, signed: Channel) -> None:
        response = Client().post(url(signed), {"from": PHONE, "text": "HELP"})
        assert response.status_code == 403 and inbound_count() == 0

    @pytest.mark.parametrize("header", ["sha256=", "sha256=00", "not-hex-at-all", "sha256=" + "a" * 64])
    def test_wrong_signature_is_refused(self, signed: Channel, header: str) -> None:
        response = Client().post(
            url(signed), {"from": PHONE, "text": "HELP"}, headers={"X-Maharat-Signature": header}
        )
        assert response.status_code == 403 and inbound_count() == 0

    def test_signature_under_another_secret_is_refused(self, signed: Channel) -> None:
        response = post_signed(signed, {"from": PHONE, "text": "HELP"}, secret="guess")
        assert response.status_code == 403 and inbound_count() == 0

    def test_tampered_body_is_refused(self, signed: Channel) -> None:
        body = urlencode({"from": PHONE, "text": "HELP"}).encode()
        signature = signature_for(SECRET, body)
        response = Client().post(
            url(signed),
            body.replace(b"HELP", b"STOP"),
            content_type="application/x-www-form-urlencoded",
            headers={"X-Maharat-Signature": signature},
        )
        assert response.status_code == 403 and inbound_count() == 0

    def test_query_string_is_signed_too(self, signed: Channel) -> None:
        query = urlencode({"from": PHONE, "text": "hello", "id": "q1"})
        good = signature_for(SECRET, signed_content(query, b""))
        response = Client().get(f"{url(signed)}?{query}", headers={"X-Maharat-Signature": good})
        assert response.status_code == 200
        # A parameter added to the URL of a signed POST breaks the signature.
        body = urlencode({"from": PHONE, "text": "hi"}).encode()
        body_only = signature_for(SECRET, body)
        response = Client().post(
            f"{url(signed)}?text=STOP",
            body,
            content_type="application/x-www-form-urlencoded",
            headers={"X-Maharat-Signature": body_only},
        )
        assert response.status_code == 403
        both = signature_for(SECRET, signed_content("text=STOP", body))
        assert both != body_only
        assert inbound_count() == 1

    def test_custom_header_name(self, signed: Channel) -> None:
        signed.config = {**signed.config, "signature_header": "X-Hub-Signature-256"}
        signed.save()
        response = post_signed(signed, {"from": PHONE, "text": "hi"})
        assert response.status_code == 403
        body = urlencode({"from": PHONE, "text": "hi"}).encode()
        response = Client().post(
            url(signed),
            body,
            content_type="application/x-www-form-urlencoded",
            headers={"X-Hub-Signature-256": "sha256=" + signature_for(SECRET, body)},
        )
        assert response.status_code == 200

    def test_signed_json_body(self, signed: Channel) -> None:
        body = json.dumps({"from": PHONE, "text": "hello", "id": "j1"}).encode()
        response = Client().post(
            url(signed),
            body,
            content_type="application/json",
            headers={"X-Maharat-Signature": signature_for(SECRET, body)},
        )
        assert response.status_code == 200 and inbound_count() == 1

    def test_missing_secret_in_environment_refuses_everything(
        self, signed: Channel, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("MAHARAT_TEST_SIGNING")
        response = post_signed(signed, {"from": PHONE, "text": "HELP"})
        assert response.status_code == 403 and inbound_count() == 0

    def test_delivery_reports_are_signed_too(self, signed: Channel) -> None:
        message = Message.objects.create(
            direction=Direction.OUT,
            phone=PHONE,
            channel=signed,
            text="hi",
            status=Status.SENT,
            gateway_id="77",
        )
        unsigned = Client().post(url(signed, "delivered"), {"id": "77"})
        assert unsigned.status_code == 403
        message.refresh_from_db()
        assert message.status == Status.SENT
        body = urlencode({"id": "77"}).encode()
        response = Client().post(
            url(signed, "delivered"),
            body,
            content_type="application/x-www-form-urlencoded",
            headers={"X-Maharat-Signature": signature_for(SECRET, body)},
        )
        assert response.status_code == 200
        message.refresh_from_db()
        assert message.status == Status.DELIVERED

    def test_channel_without_signature_setting_needs_only_the_token(self) -> None:
        channel = Channel.objects.create(name="Plain", kind=ChannelKind.HTTP, rate_per_second=0)
        assert Client().post(url(channel), {"from": PHONE, "text": "hi"}).status_code == 200


class RefusalTests:
    """Every refusal answers clearly and leaves no row behind."""

    def test_unauthenticated_calls(self, signed: Channel) -> None:
        plain = Channel.objects.create(name="Plain", kind=ChannelKind.HTTP, rate_per_second=0)
        wrong_token = f"/messaging/hooks/{plain.pk}/not-the-token/receive/"
        other_channel = f"/messaging/hooks/{signed.pk}/{plain.inbound_token}/receive/"
        for address in (wrong_token, other_channel):
            assert Client().post(address, {"from": PHONE, "text": "HELP"}).status_code == 403
            assert Client().get(address, {"from": PHONE, "text": "HELP"}).status_code == 403
        plain.active = False
        plain.save()
        assert Client().post(url(plain), {"from": PHONE, "text": "HELP"}).status_code == 403
        assert Message.objects.count() == 0

    def test_oversized_body_is_413_even_when_signed(self, signed: Channel) -> None:
        response = post_signed(signed, {"from": PHONE, "text": "x", "pad": "p" * MAX_HOOK_BYTES})
        assert response.status_code == 413 and Message.objects.count() == 0

    def test_wrong_token_is_refused_before_size(self) -> None:
        plain = Channel.objects.create(name="Plain", kind=ChannelKind.HTTP, rate_per_second=0)
        address = f"/messaging/hooks/{plain.pk}/nope/receive/"
        assert Client().post(address, {"pad": "p" * 40_000}).status_code == 403

    def test_bad_content_length_is_413(self) -> None:
        plain = Channel.objects.create(name="Plain", kind=ChannelKind.HTTP, rate_per_second=0)
        response = Client().generic("POST", url(plain), b"", CONTENT_LENGTH="many")
        assert response.status_code == 413 and Message.objects.count() == 0

    @pytest.mark.parametrize(
        ("body", "content_type"),
        [
            (b"\xff\xfe not utf-8 json", "application/json"),
            (b'"just a string"', "application/json"),
            (b"from=&text=hi", "application/x-www-form-urlencoded"),
            (b"from=not-a-phone&text=hi", "application/x-www-form-urlencoded"),
        ],
    )
    def test_malformed_signed_bodies_are_400(self, signed: Channel, body: bytes, content_type: str) -> None:
        response = Client().post(
            url(signed),
            body,
            content_type=content_type,
            headers={"X-Maharat-Signature": signature_for(SECRET, body)},
        )
        assert response.status_code == 400 and Message.objects.count() == 0

    def test_arabic_at_the_length_limit_fits(self) -> None:
        plain = Channel.objects.create(name="Plain", kind=ChannelKind.HTTP, rate_per_second=0)
        response = Client().post(url(plain), {"from": PHONE, "text": "ب" * 1600})
        assert response.status_code == 200 and inbound_count() == 1
