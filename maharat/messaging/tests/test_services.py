"""The outbox: one row per idempotency key, consent and opt-out respected, daily cap, quiet hours, templates."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from maharat.core.models import AuditLog
from maharat.core.testing import Personas
from maharat.messaging.choices import BlockReason, ChannelKind, Status
from maharat.messaging.models import Channel, Message, MessageTemplate
from maharat.messaging.services import (
    channels_for,
    is_opted_out,
    message_send_to_person,
    message_send_to_phone,
    optout_set,
)
from maharat.messaging.tests.builders import console_channel, http_channel
from maharat.messaging.tests.gateway import Gateway
from maharat.people.choices import Channel as PersonChannel
from maharat.people.choices import ConsentPurpose
from maharat.people.services import consent_withdraw

pytestmark = pytest.mark.django_db
AMMAN = ZoneInfo("Asia/Amman")


class IdempotencyTests:
    def test_same_key_twice_writes_one_row_and_sends_once(
        self, personas: Personas, gateway: Gateway, django_capture_on_commit_callbacks: Any
    ) -> None:
        http_channel(gateway)
        with django_capture_on_commit_callbacks(execute=True):
            first = message_send_to_person(
                person=personas.amal, text="Workshop tomorrow", idempotency_key="k1"
            )
        with django_capture_on_commit_callbacks(execute=True):
            second = message_send_to_person(
                person=personas.amal, text="Workshop tomorrow", idempotency_key="k1"
            )
        assert first.pk == second.pk
        assert Message.objects.filter(idempotency_key="k1").count() == 1
        assert len(gateway.requests) == 1
        first.refresh_from_db()
        assert first.status == Status.SENT and first.attempts == 1

    def test_a_key_is_required(self, personas: Personas) -> None:
        with pytest.raises(ValidationError):
            message_send_to_person(person=personas.amal, text="Hello", idempotency_key="")

    def test_empty_text_is_refused(self, personas: Personas) -> None:
        with pytest.raises(ValidationError):
            message_send_to_person(person=personas.amal, text="  ", idempotency_key="k")
        assert not Message.objects.exists()


class ConsentAndOptOutTests:
    def test_person_without_messaging_consent_gets_nothing(self, personas: Personas) -> None:
        message = message_send_to_person(person=personas.omar, text="Hello", idempotency_key="k")
        assert message.status == Status.BLOCKED and message.error == BlockReason.NO_CONSENT

    def test_withdrawn_consent_stops_messages(self, personas: Personas) -> None:
        consent = personas.amal.consents.get(purpose=ConsentPurpose.MESSAGING)
        consent_withdraw(actor=personas.officer, consent=consent)
        message = message_send_to_person(person=personas.amal, text="Hello", idempotency_key="k")
        assert message.error == BlockReason.NO_CONSENT

    def test_essential_message_needs_no_messaging_consent(self, personas: Personas) -> None:
        message = message_send_to_person(
            person=personas.omar, text="Reply", essential=True, idempotency_key="k"
        )
        assert message.status == Status.QUEUED

    def test_opt_out_stops_non_essential_but_not_essential(self, personas: Personas) -> None:
        optout_set(actor="sms:+962791234567", phone=personas.amal.phone, person=personas.amal, opted_out=True)
        blocked = message_send_to_person(person=personas.amal, text="News", idempotency_key="a")
        essential = message_send_to_person(
            person=personas.amal, text="Reply", essential=True, idempotency_key="b"
        )
        assert blocked.status == Status.BLOCKED and blocked.error == BlockReason.OPTED_OUT
        assert essential.status == Status.QUEUED

    def test_opt_in_again_lifts_the_opt_out_and_both_are_audited(self, personas: Personas) -> None:
        amal = personas.amal
        optout_set(actor="sms:x", phone=amal.phone, person=amal, opted_out=True, keyword="stop")
        optout_set(actor="sms:x", phone=amal.phone, person=amal, opted_out=False, keyword="start")
        assert not is_opted_out(amal.phone, amal)
        assert message_send_to_person(person=amal, text="News", idempotency_key="k").status == Status.QUEUED
        entries = AuditLog.objects.filter(subject_type="messaging.optout", person_id=amal.pk).order_by("pk")
        assert [e.reason for e in entries] == ["opted out of text messages", "opted in to text messages"]
        assert entries[0].actor is None and entries[0].actor_label == "sms:x"

    def test_repeating_the_same_choice_changes_nothing(self, personas: Personas) -> None:
        amal = personas.amal
        optout_set(actor="sms:x", phone=amal.phone, person=amal, opted_out=True)
        optout_set(actor="sms:x", phone=amal.phone, person=amal, opted_out=True)
        assert AuditLog.objects.filter(subject_type="messaging.optout").count() == 1

    def test_opt_out_follows_the_person_to_a_new_number(self, personas: Personas) -> None:
        amal = personas.amal
        optout_set(actor="sms:x", phone="+962790000009", person=amal, opted_out=True)
        assert is_opted_out(amal.phone, amal)

    def test_person_without_phone_gets_nothing(self, personas: Personas) -> None:
        personas.amal.phone = None
        message = message_send_to_person(person=personas.amal, text="Hello", idempotency_key="k")
        assert message.error == BlockReason.NO_PHONE


class DailyCapTests:
    def test_messages_beyond_the_cap_are_not_sent(self, personas: Personas, settings: Any) -> None:
        settings.MESSAGING_DAILY_CAP = 2
        statuses = [
            message_send_to_person(person=personas.amal, text=f"Message {i}", idempotency_key=f"k{i}").status
            for i in range(3)
        ]
        assert statuses == [Status.QUEUED, Status.QUEUED, Status.BLOCKED]
        assert Message.objects.get(idempotency_key="k2").error == BlockReason.DAILY_CAP

    def test_the_cap_counts_essential_messages_and_ignores_blocked_ones(
        self, personas: Personas, settings: Any
    ) -> None:
        settings.MESSAGING_DAILY_CAP = 2
        message_send_to_person(person=personas.omar, text="News", idempotency_key="blocked")  # no consent
        message_send_to_person(person=personas.omar, text="Reply 1", essential=True, idempotency_key="r1")
        message_send_to_person(person=personas.omar, text="Reply 2", essential=True, idempotency_key="r2")
        third = message_send_to_person(
            person=personas.omar, text="Reply 3", essential=True, idempotency_key="r3"
        )
        assert third.error == BlockReason.DAILY_CAP

    def test_the_cap_starts_again_the_next_local_day(self, personas: Personas, settings: Any) -> None:
        settings.MESSAGING_DAILY_CAP = 1
        message_send_to_person(person=personas.amal, text="Today", idempotency_key="a")
        Message.objects.update(created_at=dt.datetime.now(AMMAN) - dt.timedelta(days=1))
        assert (
            message_send_to_person(person=personas.amal, text="Next", idempotency_key="b").status == "queued"
        )


class QuietHoursTests:
    def test_non_essential_message_waits_until_quiet_hours_end(
        self, personas: Personas, settings: Any
    ) -> None:
        settings.MESSAGING_QUIET_HOURS = "21-8"
        late = dt.datetime(2026, 3, 10, 22, 30, tzinfo=AMMAN)
        message = message_send_to_person(person=personas.amal, text="News", idempotency_key="k", now=late)
        assert message.status == Status.QUEUED
        assert message.next_attempt_at == dt.datetime(2026, 3, 11, 8, 0, tzinfo=AMMAN)

    def test_early_morning_waits_the_same_day(self, personas: Personas, settings: Any) -> None:
        settings.MESSAGING_QUIET_HOURS = "21:30-07:45"
        early = dt.datetime(2026, 3, 10, 6, 0, tzinfo=AMMAN)
        message = message_send_to_person(person=personas.amal, text="News", idempotency_key="k", now=early)
        assert message.next_attempt_at == dt.datetime(2026, 3, 10, 7, 45, tzinfo=AMMAN)

    def test_essential_message_goes_at_night(self, personas: Personas, settings: Any) -> None:
        settings.MESSAGING_QUIET_HOURS = "21-8"
        late = dt.datetime(2026, 3, 10, 23, 0, tzinfo=AMMAN)
        message = message_send_to_person(
            person=personas.amal, text="Your code", essential=True, idempotency_key="k", now=late
        )
        assert message.next_attempt_at is None

    def test_daytime_message_goes_at_once(self, personas: Personas, settings: Any) -> None:
        settings.MESSAGING_QUIET_HOURS = "21-8"
        noon = dt.datetime(2026, 3, 10, 12, 0, tzinfo=AMMAN)
        message = message_send_to_person(person=personas.amal, text="News", idempotency_key="k", now=noon)
        assert message.next_attempt_at is None

    @pytest.mark.parametrize("value", ["21", "25-8", "evening"])
    def test_malformed_quiet_hours_are_a_configuration_error(self, value: str) -> None:
        from django.core.exceptions import ImproperlyConfigured

        from maharat.messaging.schedule import parse_quiet_hours

        with pytest.raises(ImproperlyConfigured):
            parse_quiet_hours(value)


class TemplateTests:
    def test_template_is_rendered_in_the_persons_language(self, personas: Personas) -> None:
        MessageTemplate.objects.create(
            code="workshop", text_en="Workshop on {day} at {place}.", text_ar="ورشة يوم {day} في {place}."
        )
        message = message_send_to_person(
            person=personas.amal,
            template="workshop",
            params={"day": "الأحد", "place": "المفرق", "unused": "x"},
            idempotency_key="k",
        )
        assert message.text == "ورشة يوم الأحد في المفرق." and message.language == "ar"
        assert message.template == "workshop" and message.parts == 1

    def test_unknown_placeholders_stay_visible_and_attributes_are_not_reachable(
        self, personas: Personas
    ) -> None:
        personas.amal.preferred_language = "en"
        MessageTemplate.objects.create(code="t", text_en="Hi {name} {name.__class__} {missing}", text_ar="")
        message = message_send_to_person(
            person=personas.amal, template="t", params={"name": "Amal"}, idempotency_key="k"
        )
        assert message.text == "Hi Amal {name.__class__} {missing}"

    def test_unknown_template_is_refused(self, personas: Personas) -> None:
        with pytest.raises(ValidationError):
            message_send_to_person(person=personas.amal, template="nope", idempotency_key="k")

    def test_long_text_is_counted_in_parts(self, personas: Personas) -> None:
        message = message_send_to_person(person=personas.amal, text="ب" * 135, idempotency_key="k")
        assert message.parts == 3


class ChannelChoiceTests:
    def test_console_channel_is_created_when_nothing_is_configured(self, personas: Personas) -> None:
        message = message_send_to_person(person=personas.amal, text="Hello", idempotency_key="k")
        assert message.channel is not None and message.channel.kind == ChannelKind.CONSOLE

    def test_all_channels_inactive_means_not_sent(self, personas: Personas, gateway: Gateway) -> None:
        http_channel(gateway)
        Channel.objects.update(active=False)
        message = message_send_to_person(person=personas.amal, text="Hello", idempotency_key="k")
        assert message.status == Status.BLOCKED and message.error == BlockReason.NO_CHANNEL

    def test_channels_serving_the_preferred_way_come_first(self, gateway: Gateway, db: Any) -> None:
        sms = http_channel(gateway, name="SMS", priority=1)
        whatsapp = http_channel(gateway, name="WhatsApp", priority=5)
        whatsapp.serves = PersonChannel.WHATSAPP
        whatsapp.save()
        backup = http_channel(gateway, name="Backup SMS", priority=9)
        assert channels_for(PersonChannel.WHATSAPP) == [whatsapp, sms, backup]
        assert channels_for(PersonChannel.SMS) == [sms, backup, whatsapp]
        assert channels_for(PersonChannel.WEB) == [sms, backup, whatsapp]

    def test_console_is_used_only_while_no_real_channel_is_active(self, gateway: Gateway, db: Any) -> None:
        console = console_channel(priority=0)
        assert channels_for() == [console]
        sms = http_channel(gateway, priority=5)
        assert channels_for() == [sms]
        Channel.objects.filter(pk=sms.pk).update(active=False)
        assert channels_for() == [console]

    def test_unknown_number_message_respects_opt_out(self, db: Any) -> None:
        optout_set(actor="sms:x", phone="+962790000001", person=None, opted_out=True)
        message = message_send_to_phone(phone="+962790000001", text="Hello", idempotency_key="k")
        assert message.error == BlockReason.OPTED_OUT


class ChannelModelTests:
    def test_secrets_are_refused_in_settings(self, db: Any) -> None:
        channel = Channel(name="K", kind=ChannelKind.KANNEL, config={"url": "http://x", "password": "p"})
        with pytest.raises(ValidationError) as error:
            channel.full_clean()
        assert "password" in str(error.value)

    def test_secret_comes_from_the_named_environment_variable(
        self, db: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("TEST_GATEWAY_TOKEN", "s3cret")
        channel = Channel(name="K", kind=ChannelKind.KANNEL, secret_env="TEST_GATEWAY_TOKEN")
        channel.full_clean()
        assert channel.secret() == "s3cret"
        assert Channel(name="K", kind=ChannelKind.KANNEL).secret() == ""

    def test_environment_variable_name_is_checked(self, db: Any) -> None:
        with pytest.raises(ValidationError):
            Channel(name="K", kind=ChannelKind.KANNEL, secret_env="export X=1").full_clean()

    def test_each_channel_gets_its_own_inbound_token(self, db: Any) -> None:
        a = console_channel()
        b = console_channel()
        assert a.inbound_token != b.inbound_token and len(a.inbound_token) >= 32


class AnonymizationTests:
    def test_anonymizing_a_person_blanks_their_messages(self, personas: Personas) -> None:
        from maharat.people.services import person_anonymize

        console_channel()
        message = message_send_to_person(person=personas.amal, text="Your code is 1234", idempotency_key="a1")
        person_anonymize(actor=personas.admin, person=personas.amal, reason="asked for deletion")
        message.refresh_from_db()
        assert message.text == "" and message.phone == ""
        assert Message.objects.filter(person=personas.amal).count() == 1  # still counted in reports
