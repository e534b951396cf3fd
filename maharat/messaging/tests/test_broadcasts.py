"""Segments and broadcasts: who a segment reaches, fan-out once per person, opt-outs, scheduling and cost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from maharat.core.testing import Personas
from maharat.messaging import broadcasts as services
from maharat.messaging.choices import Status
from maharat.messaging.models import Message, MessageTemplate
from maharat.messaging.models_api import Broadcast, BroadcastStatus, OrganizationToken
from maharat.messaging.segments import clean_filters, describe_filters, segment_people
from maharat.messaging.services import optout_set
from maharat.messaging.tasks_broadcasts import broadcasts_dispatch
from maharat.messaging.tests.rapidpro_builders import reachable

pytestmark = pytest.mark.django_db


def _names(people: Any) -> set[str]:
    return {p.given_name_latin for p in people}


class SegmentTests:
    def test_reaches_only_people_the_organization_may_message(self, personas: Personas) -> None:
        other = reachable(personas, organization=personas.other_partner, given_name_latin="Other")
        people = segment_people(personas.partner, {})
        assert personas.amal in people  # shared with the partner, consented to messages
        assert personas.hassan not in people  # shared with the partner, no messaging consent
        assert personas.omar not in people and other not in people  # another organization's people
        assert other in segment_people(personas.other_partner, {})

    def test_filters_on_registry_fields(self, personas: Personas) -> None:
        young = reachable(personas, given_name_latin="Young", date_of_birth=dt.date(2006, 1, 1), sex="M")
        english = reachable(personas, given_name_latin="English", language="en", governorate="IR")
        reachable(
            personas, given_name_latin="Walks", wg_walking=3, legal_status="migrant_worker", nationality="IQ"
        )
        org = personas.partner
        assert _names(segment_people(org, {"sex": "M"})) == {"Young"}
        assert _names(segment_people(org, {"age_max": 21})) == {"Young"}
        assert young not in segment_people(org, {"age_min": 22})
        assert _names(segment_people(org, {"language": "en"})) == {"English"}
        assert _names(segment_people(org, {"governorates": ["IR"]})) == {"English"}
        assert _names(segment_people(org, {"disability": "yes"})) == {"Walks"}
        assert english in segment_people(org, {"disability": "no"})
        assert _names(segment_people(org, {"legal_statuses": ["migrant_worker"]})) == {"Walks"}
        assert _names(segment_people(org, {"nationalities": ["IQ"]})) == {"Walks"}

    def test_filters_on_programme_course_and_skill(self, personas: Personas) -> None:
        from maharat.learning.models import CourseEnrolment
        from maharat.learning.tests.factories import make_course, skill
        from maharat.programmes.models import Enrolment
        from maharat.programmes.services import cohort_for
        from maharat.programmes.tests.factories import open_call
        from maharat.skills.models import PersonSkill

        learner = reachable(personas, given_name_latin="Learner")
        reachable(personas, given_name_latin="Bystander")
        call = open_call(personas)
        cohort = cohort_for(call)
        Enrolment.objects.create(cohort=cohort, person=learner)
        kit = make_course(personas)
        CourseEnrolment.objects.create(person=learner, course=kit.course, source="self", status="active")
        PersonSkill.objects.create(person=learner, skill=skill(), proficiency=2)
        org = personas.partner
        assert _names(segment_people(org, clean_filters({"programme": call.programme_id}))) == {"Learner"}
        assert _names(segment_people(org, clean_filters({"cohort": cohort.pk}))) == {"Learner"}
        assert _names(segment_people(org, clean_filters({"course": kit.course.pk}))) == {"Learner"}
        assert _names(segment_people(org, clean_filters({"skill": "digital-email"}))) == {"Learner"}
        lines = describe_filters(
            clean_filters({"course": kit.course.pk, "skill": "digital-email", "cohort": cohort.pk})
        )
        assert len(lines) == 3

    @pytest.mark.parametrize(
        ("filters", "field"),
        [
            ({"colour": "red"}, None),
            ({"governorates": ["XX"]}, "governorates"),
            ({"sex": "X"}, "sex"),
            ({"age_min": 40, "age_max": 20}, "age_max"),
            ({"age_min": "old"}, "age_min"),
            ({"age_min": -1}, "age_min"),
            ({"course": 999999}, "course"),
            ({"skill": "no-such-skill"}, "skill"),
            ({"nationalities": ["ZZ"]}, "nationalities"),
        ],
    )
    def test_refuses_bad_filters(
        self, personas: Personas, filters: dict[str, Any], field: str | None
    ) -> None:
        with pytest.raises(ValidationError) as caught:
            clean_filters(filters)
        if field is not None:
            assert field in caught.value.message_dict

    def test_describes_filters_in_words(self, personas: Personas) -> None:
        filters = clean_filters(
            {
                "governorates": ["MA"],
                "sex": "F",
                "age_min": 18,
                "age_max": 35,
                "legal_statuses": ["refugee"],
                "nationalities": ["SY"],
                "disability": "no",
                "language": "ar",
            }
        )
        text = " | ".join(describe_filters(filters))
        assert "Mafraq" in text and "Female" in text and "18 to 35" in text and "Refugee" in text
        assert "Without a disability" in text and "Syrian" in text
        assert describe_filters({"disability": "yes"}) == ["With a disability"]
        assert describe_filters({}) == ["Everyone your organization may message"]

    def test_saves_a_named_segment_once_per_organization(self, personas: Personas) -> None:
        segment = services.segment_save(
            actor=personas.officer,
            organization=personas.partner,
            name="  Women  of Mafraq ",
            filters={"sex": "F"},
        )
        assert segment.name == "Women of Mafraq" and segment.filters == {"sex": "F"}
        with pytest.raises(ValidationError, match="already has a segment"):
            services.segment_save(
                actor=personas.officer, organization=personas.partner, name="Women of Mafraq", filters={}
            )
        with pytest.raises(ValidationError, match="name"):
            services.segment_save(actor=personas.officer, organization=personas.partner, name=" ", filters={})
        changed = services.segment_save(
            actor=personas.officer,
            organization=personas.partner,
            name="Women of Mafraq",
            filters={"sex": "F", "governorates": ["MA"]},
            segment=segment,
        )
        assert changed.pk == segment.pk and changed.filters["governorates"] == ["MA"]

    def test_staff_cannot_save_segments_for_another_organization(self, personas: Personas) -> None:
        with pytest.raises(ValidationError, match="may not send"):
            services.segment_save(
                actor=personas.officer, organization=personas.other_partner, name="Theirs", filters={}
            )


def _segment(personas: Personas, **filters: Any) -> Any:
    return services.segment_save(
        actor=personas.officer,
        organization=personas.partner,
        name=f"S{len(filters)}-{filters}",
        filters=filters,
    )


class BroadcastTests:
    def test_fans_out_one_message_per_person_in_their_language(self, personas: Personas) -> None:
        english = reachable(personas, language="en")
        broadcast = services.broadcast_create(
            actor=personas.officer,
            organization=personas.partner,
            segment=_segment(personas),
            text_ar="ورشة عمل غداً",
            text_en="Workshop tomorrow",
        )
        result = services.broadcast_send(broadcast.pk)
        assert result["written"] == 2
        texts = dict(Message.objects.values_list("person_id", "text"))
        assert texts == {personas.amal.pk: "ورشة عمل غداً", english.pk: "Workshop tomorrow"}
        broadcast.refresh_from_db()
        assert broadcast.status == BroadcastStatus.SENT and broadcast.finished_at is not None
        assert services.broadcast_stats(broadcast)["total"] == 2

    def test_running_the_fan_out_again_sends_nothing_twice(self, personas: Personas) -> None:
        for _ in range(4):
            reachable(personas)
        broadcast = services.broadcast_create(
            actor=personas.officer, organization=personas.partner, segment=_segment(personas), text_ar="مرحبا"
        )

        def crash_after_two(done: int) -> None:
            if done == 2:
                raise RuntimeError("worker killed")

        with pytest.raises(RuntimeError):
            services.broadcast_send(broadcast.pk, after_each=crash_after_two)
        assert Message.objects.count() == 2
        broadcast.refresh_from_db()
        assert broadcast.status == BroadcastStatus.SENDING
        again = services.broadcast_send(broadcast.pk)
        assert again["written"] == 3
        assert Message.objects.count() == 5
        assert services.broadcast_send(broadcast.pk)["written"] == 0
        keys = list(Message.objects.values_list("idempotency_key", flat=True))
        assert len(keys) == len(set(keys)) == 5

    def test_a_message_written_before_a_crash_is_not_written_again(self, personas: Personas) -> None:
        from maharat.messaging.models_api import BroadcastRecipient

        broadcast = services.broadcast_create(
            actor=personas.officer, organization=personas.partner, people=[personas.amal], text_en="Hello"
        )
        services.broadcast_send(broadcast.pk)
        # As if the worker died between writing the message and recording it on the recipient.
        BroadcastRecipient.objects.filter(broadcast=broadcast).update(message=None)
        Broadcast.objects.filter(pk=broadcast.pk).update(status=BroadcastStatus.SENDING)
        services.broadcast_send(broadcast.pk)
        assert Message.objects.filter(person=personas.amal).count() == 1
        assert BroadcastRecipient.objects.get(broadcast=broadcast).message is not None

    def test_respects_opt_out_and_counts_it(self, personas: Personas) -> None:
        optout_set(
            actor="sms", phone=personas.amal.phone or "", person=personas.amal, opted_out=True, keyword="STOP"
        )
        other = reachable(personas)
        broadcast = services.broadcast_create(
            actor=personas.officer, organization=personas.partner, segment=_segment(personas), text_ar="نص"
        )
        services.broadcast_send(broadcast.pk)
        assert Message.objects.get(person=personas.amal).status == Status.BLOCKED
        assert Message.objects.get(person=other).status == Status.QUEUED
        stats = services.broadcast_stats(broadcast)
        assert stats["blocked"] == 1 and stats["queued"] == 1 and stats["total"] == 2

    def test_statistics_follow_delivery(self, personas: Personas) -> None:
        broadcast = services.broadcast_create(
            actor=personas.officer, organization=personas.partner, people=[personas.amal], text_ar="نص"
        )
        assert services.broadcast_stats(broadcast)["total"] == 0
        services.broadcast_send(broadcast.pk)
        Message.objects.update(status=Status.DELIVERED)
        assert services.broadcast_stats(broadcast)["delivered"] == 1

    def test_template_broadcast_fills_the_name_in_each_language(self, personas: Personas) -> None:
        template = MessageTemplate.objects.create(
            code="hello", text_en="Hello {name}", text_ar="مرحبا {name}"
        )
        english = reachable(personas, language="en", given_name_latin="Sara")
        broadcast = services.broadcast_create(
            actor=personas.officer,
            organization=personas.partner,
            people=[personas.amal, english],
            template=template,
        )
        services.broadcast_send(broadcast.pk)
        assert Message.objects.get(person=english).text == "Hello Sara"
        assert Message.objects.get(person=personas.amal).text == "مرحبا أمل"
        assert str(broadcast) == "hello"

    def test_refuses_what_cannot_be_sent(self, personas: Personas) -> None:
        segment = _segment(personas)
        kwargs: dict[str, Any] = {"actor": personas.officer, "organization": personas.partner}
        with pytest.raises(ValidationError, match="Write the message"):
            services.broadcast_create(**kwargs, segment=segment)
        with pytest.raises(ValidationError, match="either to a segment"):
            services.broadcast_create(**kwargs, text_ar="x")
        with pytest.raises(ValidationError, match="either to a segment"):
            services.broadcast_create(**kwargs, segment=segment, people=[personas.amal], text_ar="x")
        with pytest.raises(ValidationError, match="not agreed"):
            services.broadcast_create(**kwargs, people=[personas.hassan], text_ar="x")
        theirs = services.segment_save(
            actor=personas.other_officer, organization=personas.other_partner, name="Theirs", filters={}
        )
        with pytest.raises(ValidationError, match="another organization"):
            services.broadcast_create(**kwargs, segment=theirs, text_ar="x")
        assert not Broadcast.objects.exists()

    def test_staff_cannot_broadcast_to_another_organizations_people(self, personas: Personas) -> None:
        theirs = reachable(personas, organization=personas.other_partner)
        with pytest.raises(ValidationError, match="may not send"):
            services.broadcast_create(
                actor=personas.officer, organization=personas.other_partner, people=[theirs], text_ar="x"
            )
        with pytest.raises(ValidationError, match="not agreed"):
            services.broadcast_create(
                actor=personas.officer, organization=personas.partner, people=[theirs], text_ar="x"
            )
        for user in (personas.employer, personas.researcher, personas.mentor):
            with pytest.raises(ValidationError):
                services.broadcast_create(
                    actor=user, organization=personas.partner, people=[personas.amal], text_ar="x"
                )


class ScheduleTests:
    def test_scheduled_broadcast_waits_for_its_time(self, personas: Personas) -> None:
        later = timezone.now() + dt.timedelta(hours=2)
        broadcast = services.broadcast_create(
            actor=personas.officer,
            organization=personas.partner,
            people=[personas.amal],
            text_ar="غداً",
            scheduled_at=later,
        )
        assert services.broadcasts_due() == []
        assert services.broadcast_send(broadcast.pk)["written"] == 0
        assert services.broadcasts_due(now=later + dt.timedelta(seconds=1)) == [broadcast.pk]
        assert services.broadcast_send(broadcast.pk, now=later + dt.timedelta(seconds=1))["written"] == 1

    def test_command_and_task_send_what_is_due(self, personas: Personas) -> None:
        first = services.broadcast_create(
            actor=personas.officer, organization=personas.partner, people=[personas.amal], text_ar="أ"
        )
        out = StringIO()
        call_command("broadcasts_due", stdout=out)
        assert "1 broadcasts due, 1 messages" in out.getvalue()
        first.refresh_from_db()
        assert first.status == BroadcastStatus.SENT
        second = services.broadcast_create(
            actor=personas.officer, organization=personas.partner, people=[personas.amal], text_ar="ب"
        )
        assert broadcasts_dispatch() == {"dispatched": 1}
        second.refresh_from_db()
        assert second.status == BroadcastStatus.SENT

    def test_a_stalled_fan_out_is_resumed(self, personas: Personas) -> None:
        broadcast = services.broadcast_create(
            actor=personas.officer, organization=personas.partner, people=[personas.amal], text_ar="أ"
        )
        started = timezone.now() - dt.timedelta(minutes=10)
        Broadcast.objects.filter(pk=broadcast.pk).update(status=BroadcastStatus.SENDING, started_at=started)
        assert services.broadcasts_due() == [broadcast.pk]

    def test_cancel_before_sending_only(self, personas: Personas) -> None:
        broadcast = services.broadcast_create(
            actor=personas.officer,
            organization=personas.partner,
            people=[personas.amal],
            text_ar="أ",
            scheduled_at=timezone.now() + dt.timedelta(days=1),
        )
        services.broadcast_cancel(actor=personas.officer, broadcast=broadcast)
        assert broadcast.status == BroadcastStatus.CANCELLED
        assert services.broadcast_send(broadcast.pk)["status"] == BroadcastStatus.CANCELLED
        with pytest.raises(ValidationError, match="not started"):
            services.broadcast_cancel(actor=personas.officer, broadcast=broadcast)
        with pytest.raises(ValidationError, match="may not send"):
            services.broadcast_cancel(actor=personas.other_officer, broadcast=broadcast)
        assert not Message.objects.exists()
        assert services.broadcast_send(999999)["status"] == "missing"


class EstimateTests:
    def test_counts_parts_and_cost_and_warns_when_long(self, personas: Personas, settings: Any) -> None:
        settings.MESSAGING_COST_PER_PART = "0.05"
        settings.MESSAGING_MAX_PARTS_WARNING = 2
        reachable(personas, language="en")
        audience = segment_people(personas.partner, {})
        estimate = services.broadcast_estimate(audience=audience, text_ar="ا" * 140, text_en="short")
        assert estimate["recipients"] == 2 and estimate["by_language"] == {"ar": 1, "en": 1}
        assert estimate["parts"] == {"ar": 3, "en": 1}
        assert estimate["total_parts"] == 4 and estimate["cost"] == Decimal("0.20")
        assert estimate["long"] is True
        template = MessageTemplate.objects.create(code="t", text_en="Hi", text_ar="أهلاً")
        assert services.broadcast_estimate(audience=audience, template=template)["long"] is False


class TokenTests:
    def test_key_is_shown_once_and_only_its_hash_is_kept(self, personas: Personas) -> None:
        token, key = services.token_create(
            actor=personas.officer, organization=personas.partner, name=" Workspace "
        )
        assert len(key) == 40 and token.key_prefix == key[:8] and key not in token.key_hash
        assert services.token_lookup(key) == token
        assert services.token_lookup("") is None and services.token_lookup("nope") is None
        services.token_revoke(actor=personas.officer, token=token)
        services.token_revoke(actor=personas.officer, token=token)  # twice is fine
        assert services.token_lookup(key) is None
        assert str(token).startswith("Workspace")
        with pytest.raises(ValidationError, match="name"):
            services.token_create(actor=personas.officer, organization=personas.partner, name="")
        with pytest.raises(ValidationError):
            services.token_create(actor=personas.officer, organization=personas.other_partner, name="x")
        assert OrganizationToken.objects.count() == 1


class DemoTests:
    def test_demo_builds_a_segment_and_a_scheduled_broadcast_once(self, personas: Personas) -> None:
        from maharat.messaging.demo_broadcasts import demo_broadcasts

        first = demo_broadcasts(officer=personas.officer, organization=personas.partner)
        again = demo_broadcasts(officer=personas.officer, organization=personas.partner)
        assert first == again and first["recipients"] == 1  # Amal: a woman of 32 who agreed to messages
        broadcast = Broadcast.objects.get()
        assert broadcast.status == BroadcastStatus.SCHEDULED and broadcast.scheduled_at > timezone.now()
