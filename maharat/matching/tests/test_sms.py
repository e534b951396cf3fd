"""JOBS / وظائف by text message: the person's three best offers within two SMS parts, in their language."""

from __future__ import annotations

from typing import Any

import pytest

from maharat.core.testing import Personas
from maharat.matching.services import run_execute, run_start
from maharat.matching.sms import jobs_reply
from maharat.matching.tests.factories import holds, offer, skill, verified
from maharat.messaging.channels.base import InboundMessage
from maharat.messaging.choices import ChannelKind, Direction
from maharat.messaging.inbound import inbound_handle, keyword_names
from maharat.messaging.models import Channel, Message
from maharat.messaging.parts import sms_parts

pytestmark = pytest.mark.django_db


@pytest.fixture
def offers(personas: Personas) -> list[Any]:
    sewing = skill("sewing", "Sewing", "الخياطة")
    build = skill("masonry", "Masonry", "البناء")
    holds(personas.amal, (sewing, 3), (build, 3))
    employer = verified(personas.employer_org)
    made = [
        offer(
            employer,
            f"Garment machine operator with a very long title number {i} for the new factory line",
            [(sewing, 3, 2)],
            sector="C",
            title_ar=f"مشغلة آلة خياطة في خط الإنتاج الجديد رقم {i} في مصنع الملابس الكبير",
        )
        for i in range(5)
    ]
    made.append(offer(employer, "Mason", [(build, 4, 2)], sector="F", remote=True, governorate=None))
    run_execute(run_start(actor="test"))
    return made


class JobsReplyTests:
    @pytest.mark.parametrize("language", ["ar", "en"])
    def test_the_reply_lists_the_best_offers_within_two_parts(
        self, personas: Personas, offers: list[Any], language: str
    ) -> None:
        text = jobs_reply(personas.amal, language)
        assert sms_parts(text) <= 2
        assert "1. " in text
        assert text.count("\n") >= 1

    def test_a_person_without_recommendations_is_told_what_to_do(self, personas: Personas) -> None:
        text = jobs_reply(personas.omar, "en")
        assert "no offer matches" in text and sms_parts(text) <= 2

    def test_a_text_saying_jobs_is_answered_by_the_router(
        self, personas: Personas, offers: list[Any]
    ) -> None:
        assert "jobs" in keyword_names()
        channel = Channel.objects.create(name="Test", kind=ChannelKind.CONSOLE)
        inbound_handle(
            channel=channel,
            inbound=InboundMessage(sender=personas.amal.phone or "", text="وظائف", gateway_id="g1"),
        )
        reply = Message.objects.filter(direction=Direction.OUT, person=personas.amal).order_by("-pk").first()
        assert reply is not None and "1. " in reply.text
