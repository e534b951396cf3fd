"""Admin of messaging: channels show their inbound addresses, templates warn when they are long."""

from __future__ import annotations

from typing import Any

import pytest

from maharat.core.testing import Personas
from maharat.messaging.choices import ChannelKind
from maharat.messaging.models import Channel, Message, MessageTemplate, OptOut
from maharat.messaging.services import message_send_to_person, optout_set

pytestmark = pytest.mark.django_db


class ChannelAdminTests:
    def test_channel_page_shows_its_inbound_addresses(self, personas: Personas) -> None:
        channel = Channel.objects.create(
            name="Kannel", kind=ChannelKind.KANNEL, config={"callback_base": "https://maharat.example.org"}
        )
        page = personas.client_for(personas.admin).get(f"/admin/messaging/channel/{channel.pk}/change/")
        text = page.content.decode()
        assert (
            f"https://maharat.example.org/messaging/hooks/{channel.pk}/{channel.inbound_token}/receive/"
            in text
        )
        assert str(channel) == "Kannel (Kannel SMS gateway)"

    def test_new_channel_page_says_addresses_come_after_saving(self, personas: Personas) -> None:
        page = personas.client_for(personas.admin).get("/admin/messaging/channel/add/")
        assert "Saved channels show their addresses here." in page.content.decode()

    def test_secret_in_settings_is_refused_by_the_form(self, personas: Personas) -> None:
        response = personas.client_for(personas.admin).post(
            "/admin/messaging/channel/add/",
            {
                "name": "Leaky",
                "kind": ChannelKind.HTTP,
                "serves": "sms",
                "active": "on",
                "priority": 1,
                "config": '{"url": "http://x", "api_key": "123"}',
                "secret_env": "",
                "rate_per_second": 10,
            },
        )
        assert response.status_code == 200 and not Channel.objects.exists()
        assert "Keep passwords and tokens out of the settings (api_key)" in response.content.decode()


class OtherAdminTests:
    def test_template_longer_than_the_warning_is_flagged(self, personas: Personas, settings: Any) -> None:
        settings.MESSAGING_MAX_PARTS_WARNING = 1
        response = personas.client_for(personas.admin).post(
            "/admin/messaging/messagetemplate/add/",
            {"code": "long", "text_en": "Short", "text_ar": "ب" * 100, "description": ""},
            follow=True,
        )
        assert "The ar text takes 2 SMS parts (more than 1)" in response.content.decode()
        template = MessageTemplate.objects.get(code="long")
        assert template.parts() == {"ar": 2, "en": 1} and str(template) == "long"
        listing = personas.client_for(personas.admin).get("/admin/messaging/messagetemplate/")
        assert listing.status_code == 200

    def test_messages_and_opt_outs_are_read_only(self, personas: Personas) -> None:
        message = message_send_to_person(person=personas.amal, text="Hello", idempotency_key="k")
        optout = optout_set(actor="sms:x", phone="+962790000001", person=None, opted_out=True)
        client = personas.client_for(personas.admin)
        assert client.get("/admin/messaging/message/").status_code == 200
        assert client.get(f"/admin/messaging/message/{message.pk}/change/").status_code == 200
        assert client.get("/admin/messaging/message/add/").status_code == 403
        assert client.get("/admin/messaging/optout/").status_code == 200
        assert str(message) == "→ +962791234567: Hello" and str(optout) == "+962790000001: out"
        assert Message.objects.count() == 1 and OptOut.objects.count() == 1
