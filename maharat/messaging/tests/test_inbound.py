"""Incoming messages: authenticated endpoints, each gateway id handled once, opt-out words, routing, replies."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maharat.core.testing import Personas
from maharat.messaging.choices import Direction, Route, Status
from maharat.messaging.models import Channel, Message, OptOut
from maharat.messaging.services import is_opted_out, message_send_to_person
from maharat.messaging.tests.builders import console_channel
from maharat.programmes.choices import ApplicationStatus, ApplyChannel
from maharat.programmes.models import Application
from maharat.programmes.services import application_submit
from maharat.programmes.tests.factories import make_call

pytestmark = pytest.mark.django_db
AMAL = "+962791234567"
STRANGER = "+962790000001"


@pytest.fixture
def channel(db: Any) -> Channel:
    """The console channel, which takes messages by the RapidPro "External API" conventions."""
    return console_channel()


def receive_url(channel: Channel, token: str | None = None) -> str:
    return f"/messaging/hooks/{channel.pk}/{token or channel.inbound_token}/receive/"


def text_in(
    channel: Channel, sender: str, text: str, gateway_id: str = "", client: Client | None = None
) -> Any:
    data = {"from": sender, "text": text}
    if gateway_id:
        data["id"] = gateway_id
    return (client or Client()).post(receive_url(channel), data)


def reply_to(sender: str) -> Message:
    inbound = Message.objects.filter(direction=Direction.IN, phone=sender).latest("pk")
    return Message.objects.get(reply_to=inbound)


class AuthenticationTests:
    def test_wrong_token_is_refused(self, channel: Channel) -> None:
        response = Client().post(receive_url(channel, "not-the-token"), {"from": AMAL, "text": "HELP"})
        assert response.status_code == 403 and not Message.objects.exists()

    def test_token_of_another_channel_is_refused(self, channel: Channel) -> None:
        other = console_channel()
        response = Client().post(receive_url(channel, other.inbound_token), {"from": AMAL, "text": "HELP"})
        assert response.status_code == 403

    def test_inactive_or_unknown_channel_is_refused(self, channel: Channel) -> None:
        url = receive_url(channel)
        Channel.objects.filter(pk=channel.pk).update(active=False)
        assert Client().post(url, {"from": AMAL, "text": "HELP"}).status_code == 403
        missing = f"/messaging/hooks/999999/{channel.inbound_token}/receive/"
        assert Client().post(missing, {"from": AMAL, "text": "HELP"}).status_code == 403

    def test_other_methods_and_actions_are_refused(self, channel: Channel) -> None:
        assert Client().put(receive_url(channel), {}).status_code == 405
        assert (
            Client().get(f"/messaging/hooks/{channel.pk}/{channel.inbound_token}/delete/").status_code == 404
        )

    def test_no_csrf_token_is_needed_and_the_slash_is_optional(self, channel: Channel) -> None:
        client = Client(enforce_csrf_checks=True)
        url = receive_url(channel).rstrip("/")
        assert client.post(url, {"from": AMAL, "text": "hello", "id": "1"}).status_code == 200


class MalformedPayloadTests:
    @pytest.mark.parametrize(
        "data",
        [
            {"text": "HELP"},
            {"from": AMAL},
            {"from": "not a number", "text": "HELP"},
            {"from": AMAL, "text": "x" * 1601},
            {"from": AMAL, "text": "HELP", "id": "i" * 101},
        ],
    )
    def test_malformed_messages_are_refused_and_change_nothing(
        self, channel: Channel, data: dict[str, str]
    ) -> None:
        assert Client().post(receive_url(channel), data).status_code == 400
        assert not Message.objects.exists()

    def test_oversized_request_is_refused(self, channel: Channel) -> None:
        response = Client().post(receive_url(channel), {"from": AMAL, "text": "x", "padding": "p" * 40_000})
        assert response.status_code == 413 and not Message.objects.exists()

    def test_oversized_query_string_is_refused(self, channel: Channel) -> None:
        response = Client().get(receive_url(channel), {"from": AMAL, "text": "x" * 40_000})
        assert response.status_code == 413

    def test_json_body_is_read_and_broken_json_refused(self, channel: Channel) -> None:
        url = receive_url(channel)
        ok = Client().post(
            url, f'{{"from": "{AMAL}", "text": "hello", "id": "j1"}}', content_type="application/json"
        )
        assert ok.status_code == 200
        assert Client().post(url, "{broken", content_type="application/json").status_code == 400
        assert Client().post(url, "[1, 2]", content_type="application/json").status_code == 400

    def test_status_callback_needs_an_id_and_a_known_status(self, channel: Channel) -> None:
        base = f"/messaging/hooks/{channel.pk}/{channel.inbound_token}"
        assert Client().post(f"{base}/delivered/", {}).status_code == 400
        assert Client().post(f"{base}/status/", {"id": "1", "status": "melted"}).status_code == 400
        assert Client().post(f"{base}/failed/", {"id": "nope"}).status_code == 404


class DuplicateDeliveryTests:
    def test_same_gateway_id_twice_is_stored_and_answered_once(
        self, personas: Personas, channel: Channel
    ) -> None:
        for _ in range(3):
            assert text_in(channel, AMAL, "HELP", gateway_id="gw-1").status_code == 200
        assert Message.objects.filter(direction=Direction.IN).count() == 1
        assert Message.objects.filter(direction=Direction.OUT).count() == 1

    def test_same_id_on_another_channel_is_another_message(
        self, personas: Personas, channel: Channel
    ) -> None:
        other = console_channel()
        text_in(channel, AMAL, "HELP", gateway_id="gw-1")
        text_in(other, AMAL, "HELP", gateway_id="gw-1")
        assert Message.objects.filter(direction=Direction.IN).count() == 2

    def test_duplicate_apply_applies_once(self, personas: Personas, channel: Channel) -> None:
        make_call(personas, questions=[])
        text_in(channel, AMAL, "APPLY DSEA", gateway_id="gw-9")
        text_in(channel, AMAL, "APPLY DSEA", gateway_id="gw-9")
        assert Application.objects.count() == 1
        assert Message.objects.filter(direction=Direction.OUT).count() == 1


class OptOutWordTests:
    @pytest.mark.parametrize(
        "word",
        ["STOP", " stop. ", "Unsubscribe", "إلغاء", "الغاء", "توقّف", "توقف!", "إلغاء الاشتراك", "ايقاف"],
    )
    def test_opt_out_words_in_both_languages(self, personas: Personas, channel: Channel, word: str) -> None:
        text_in(channel, AMAL, word, gateway_id="1")
        assert is_opted_out(AMAL, personas.amal)
        inbound = Message.objects.get(direction=Direction.IN)
        assert inbound.status == Status.HANDLED and inbound.route == Route.OPT_OUT
        confirmation = reply_to(AMAL)
        assert confirmation.essential and confirmation.status == Status.QUEUED
        news = message_send_to_person(person=personas.amal, text="News", idempotency_key="news")
        assert news.status == Status.BLOCKED

    @pytest.mark.parametrize("word", ["START", "ابدأ", "ابدا"])
    def test_opt_in_words(self, personas: Personas, channel: Channel, word: str) -> None:
        text_in(channel, AMAL, "توقف", gateway_id="1")
        text_in(channel, AMAL, word, gateway_id="2")
        assert not is_opted_out(AMAL, personas.amal)
        assert Message.objects.get(gateway_id="2").route == Route.OPT_IN

    @pytest.mark.parametrize(
        "text", ["cancel my application", "don't stop", "stop sending the course please now"]
    )
    def test_sentences_with_those_words_do_not_opt_out(
        self, personas: Personas, channel: Channel, text: str
    ) -> None:
        text_in(channel, AMAL, text, gateway_id="1")
        assert not OptOut.objects.exists()

    def test_unknown_number_can_opt_out(self, channel: Channel) -> None:
        text_in(channel, STRANGER, "STOP", gateway_id="1")
        assert OptOut.objects.get(phone=STRANGER).person is None


class RoutingTests:
    def test_apply_code_on_an_open_call_makes_an_application(
        self, personas: Personas, channel: Channel
    ) -> None:
        call = make_call(personas, questions=[])
        text_in(channel, AMAL, "تقديم DSEA", gateway_id="1")
        application = Application.objects.get(call=call, person=personas.amal)
        assert application.channel == ApplyChannel.SMS
        inbound = Message.objects.get(direction=Direction.IN)
        assert inbound.route == Route.PROGRAMMES and inbound.person == personas.amal
        reply = reply_to(AMAL)
        assert "المهارات الرقمية، المفرق 2026" in reply.text and reply.language == "ar"
        assert reply.essential and reply.channel == channel

    def test_yes_accepts_an_offered_seat(self, personas: Personas, channel: Channel) -> None:
        call = make_call(personas, questions=[])
        application = application_submit(
            actor=personas.officer, call=call, person=personas.amal, channel=ApplyChannel.STAFF
        )
        Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.SELECTED)
        text_in(channel, AMAL, "نعم DSEA", gateway_id="1")
        application.refresh_from_db()
        assert application.status == ApplicationStatus.ENROLLED

    def test_help_is_answered_in_the_persons_language(self, personas: Personas, channel: Channel) -> None:
        personas.amal.preferred_language = "en"
        personas.amal.save(update_fields=["preferred_language"])
        text_in(channel, AMAL, "help", gateway_id="1")
        reply = reply_to(AMAL)
        assert reply.text.startswith("Maharat: send APPLY") and reply.language == "en"
        assert Message.objects.get(direction=Direction.IN).route == Route.HELP

    def test_status_lists_the_persons_applications(self, personas: Personas, channel: Channel) -> None:
        call = make_call(personas, questions=[])
        application_submit(
            actor=personas.officer, call=call, person=personas.amal, channel=ApplyChannel.STAFF
        )
        text_in(channel, AMAL, "STATUS", gateway_id="1")
        assert reply_to(AMAL).text.startswith("DSEA")

    def test_status_without_applications_says_so(self, personas: Personas, channel: Channel) -> None:
        personas.amal.preferred_language = "en"
        personas.amal.save(update_fields=["preferred_language"])
        text_in(channel, AMAL, "status", gateway_id="1")
        assert reply_to(AMAL).text.startswith("You have no applications yet")

    def test_message_nobody_understands_waits_for_staff(self, personas: Personas, channel: Channel) -> None:
        text_in(channel, AMAL, "When does the course start?", gateway_id="1")
        inbound = Message.objects.get(direction=Direction.IN)
        assert inbound.status == Status.RECEIVED and inbound.route == "" and inbound.person == personas.amal
        # It opens a helpdesk ticket, acknowledged once; staff answer it from the inbox.
        assert inbound.tickets.get().person == personas.amal
        acknowledgement = reply_to(AMAL)
        assert acknowledgement.essential and acknowledgement.person == personas.amal

    def test_routing_error_leaves_the_message_for_staff(
        self, personas: Personas, channel: Channel, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import maharat.programmes.sms as sms

        def broken(**kwargs: Any) -> None:
            raise RuntimeError("bug")

        monkeypatch.setattr(sms, "sms_handle", broken)
        assert text_in(channel, AMAL, "APPLY DSEA", gateway_id="1").status_code == 200
        assert Message.objects.get(direction=Direction.IN).status == Status.RECEIVED


class UnknownNumberTests:
    @pytest.mark.parametrize("text", ["hello", "STATUS", "Amal Al-Hassan 0791234567", "حالة"])
    def test_unknown_number_gets_a_bilingual_invitation_and_nothing_personal(
        self, personas: Personas, channel: Channel, text: str
    ) -> None:
        call = make_call(personas, questions=[])
        application_submit(
            actor=personas.officer, call=call, person=personas.amal, channel=ApplyChannel.STAFF
        )
        text_in(channel, STRANGER, text, gateway_id="1")
        reply = reply_to(STRANGER)
        assert reply.person is None and reply.phone == STRANGER and reply.essential
        assert reply.text.startswith("Welcome to Maharat. This number is not registered with us.")
        assert len(reply.text.split("\n")) == 2  # English, then Arabic
        for personal in ("Amal", "أمل", "0791234567", "+962791234567", "DSEA", "Mafraq", "المفرق"):
            assert personal not in reply.text
        assert Message.objects.get(direction=Direction.IN).route == Route.UNKNOWN_NUMBER

    def test_unknown_number_is_invited_once_a_day(self, channel: Channel) -> None:
        for n in range(3):
            text_in(channel, STRANGER, f"hello {n}", gateway_id=str(n))
        inbound = Message.objects.filter(direction=Direction.IN)
        assert [m.route for m in inbound] == [Route.UNKNOWN_NUMBER] * 3
        assert Message.objects.filter(direction=Direction.OUT, phone=STRANGER).count() == 1

    def test_unknown_number_asking_for_help_gets_help_in_both_languages(self, channel: Channel) -> None:
        text_in(channel, STRANGER, "HELP", gateway_id="1")
        reply = reply_to(STRANGER)
        assert reply.text.startswith("Maharat: send APPLY") and len(reply.text.split("\n")) == 2
