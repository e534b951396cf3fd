"""Edges of conversations: admin pages, labels, fallbacks, numbers that register later, long COURSE answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from maharat.core.models import AuditLog
from maharat.core.testing import Personas, assert_forbidden
from maharat.learning.services import enrol
from maharat.learning.tests.factories import make_course
from maharat.messaging import access
from maharat.messaging.dialogues import survey_send
from maharat.messaging.helpdesk import ticket_close, ticket_reply
from maharat.messaging.models import Channel, Message
from maharat.messaging.models_conversations import (
    CannedReply,
    Conversation,
    DialogueKind,
    FaqEntry,
    Survey,
    SurveyResponse,
    Ticket,
)
from maharat.messaging.tests.builders import console_channel
from maharat.messaging.tests.sms_helpers import AMAL, STRANGER, answer, text_in
from maharat.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(db: Any) -> Channel:
    return console_channel()


class LabelTests:
    def test_labels_and_fallbacks(self, personas: Personas) -> None:
        entry = FaqEntry(code="x", question_en="", question_ar="سؤال", answer_en="", answer_ar="جواب")
        assert str(entry) == "سؤال" and entry.answer_for("en") == "جواب"
        canned = CannedReply(title="T", text_en="Hello", text_ar="")
        assert str(canned) == "T" and canned.text_for("ar") == "Hello" and canned.text_for("en") == "Hello"
        survey = Survey(organization=personas.partner, title="S")
        assert str(survey) == "S"
        response = SurveyResponse(survey=survey, person=personas.amal, answers=["a"])
        assert "S" in str(response) and response.cells() == ["a", "", ""]
        conversation = Conversation(phone=AMAL, kind=DialogueKind.REGISTER, step=2)
        assert str(conversation) == f"{AMAL} · register · 2"
        assert str(Ticket(pk=5, phone=AMAL)) == f"#5 {AMAL}"


class AdminTests:
    def test_admin_pages_and_audited_writes(self, personas: Personas) -> None:
        client = personas.client_for(personas.admin)
        for name in ["faqentry", "cannedreply", "survey", "surveyresponse", "conversation", "ticket"]:
            assert client.get(reverse(f"admin:messaging_{name}_changelist")).status_code == 200
        response = client.post(
            reverse("admin:messaging_cannedreply_add"),
            {"title": "Hello", "text_en": "Hello", "text_ar": "مرحباً", "active": "on"},
        )
        assert response.status_code == 302
        canned = CannedReply.objects.get()
        assert AuditLog.objects.filter(
            subject_type="messaging.cannedreply", subject_id=str(canned.pk)
        ).exists()
        long_answer = {
            "code": "long",
            "topic": "other",
            "question_en": "Q",
            "question_ar": "س",
            "answer_en": "A",
            "answer_ar": "ج" * 200,
        }
        assert client.post(reverse("admin:messaging_faqentry_add"), long_answer).status_code == 200
        assert not FaqEntry.objects.exists()
        assert client.get(reverse("admin:messaging_ticket_add")).status_code == 403


class AccessEdgeTests:
    def test_outsiders_see_no_tickets_or_surveys(self, personas: Personas) -> None:
        assert not access.visible_tickets(personas.employer).exists()
        assert not access.visible_surveys(personas.trainer).exists()
        assert not access.visible_messages(personas.employer).exists()

    def test_administrator_sees_every_survey_and_may_create_for_any_organization(
        self, personas: Personas
    ) -> None:
        Survey.objects.create(organization=personas.other_partner, title="K")
        assert access.visible_surveys(personas.admin).count() == 1
        assert access.survey_organizations(personas.admin).filter(pk=personas.other_partner.pk).exists()
        page = personas.client_for(personas.admin).get(reverse("messaging:survey_list"))
        assert page.status_code == 200 and "K" in page.content.decode()

    def test_training_provider_staff_may_not_edit_the_faq(self, personas: Personas) -> None:
        assert_forbidden(reverse("messaging:faq_list"), [personas.trainer])


class LaterRegistrationTests:
    def test_a_ticket_from_an_unknown_number_gets_the_person_once_registered(
        self, personas: Personas, channel: Channel
    ) -> None:
        text_in(channel, STRANGER, "I need to talk to someone")
        ticket = Ticket.objects.get()
        Person.objects.filter(pk=personas.hassan.pk).update(phone=STRANGER)
        text_in(channel, STRANGER, "It is about my contract")
        ticket.refresh_from_db()
        assert ticket.person == personas.hassan

    def test_register_while_another_dialogue_runs_says_so(self, personas: Personas, channel: Channel) -> None:
        Conversation.objects.create(
            phone=STRANGER, kind=DialogueKind.SURVEY, expires_at=timezone.now() + dt.timedelta(minutes=5)
        )
        from maharat.messaging.dialogues import register_start

        assert register_start(phone=STRANGER, person=None, language="en").startswith(
            "This number is already answering"
        )

    def test_an_empty_survey_answer_repeats_the_question(self, personas: Personas, channel: Channel) -> None:
        survey = Survey.objects.create(
            organization=personas.partner,
            title="S",
            question1_en="One?",
            question1_ar="واحد؟",
            question2_en="Two?",
            question2_ar="اثنان؟",
            question3_en="Three?",
            question3_ar="ثلاثة؟",
        )
        survey_send(actor=personas.officer, survey=survey, person=personas.amal)
        assert answer(channel, AMAL, "...") == "اثنان؟"  # punctuation is an answer
        conversation = Conversation.objects.get()
        from maharat.messaging.dialogues import dialogue_step

        blank = Message.objects.create(direction="in", phone=AMAL, text="   ", status="received")
        assert dialogue_step(conversation, blank) == "اثنان؟"
        assert Conversation.objects.get().step == 1


class ClosedTicketPageTests:
    def test_replying_to_a_closed_ticket_through_the_page_shows_the_error(
        self, personas: Personas, channel: Channel
    ) -> None:
        text_in(channel, AMAL, "question for staff")
        ticket = Ticket.objects.get()
        ticket_reply(actor=personas.officer, ticket=ticket, text="ok", nonce="1")
        ticket_close(actor=personas.officer, ticket=ticket, topic="other")
        client = personas.client_for(personas.officer)
        response = client.post(
            reverse("messaging:ticket_reply", args=[ticket.pk]), {"text": "more", "nonce": "2"}
        )
        assert response.status_code == 400 and "This ticket is closed." in response.content.decode()


class CourseLinesTests:
    def test_long_answers_stop_at_two_text_messages(self, personas: Personas, channel: Channel) -> None:
        for n in range(4):
            kit = make_course(
                personas, label_en=f"Course number {n} with a long title", label_ar=f"دورة رقم {n}"
            )
            enrol(actor=personas.amal_user, course=kit.course, person=personas.amal)
        reply = answer(channel, AMAL, "COURSE")
        from maharat.messaging.parts import sms_parts

        assert sms_parts(reply) <= 2 and "تدريب مباشر" in reply


class TicketRaceTests:
    def test_a_second_ticket_for_the_same_phone_cannot_open(
        self, personas: Personas, channel: Channel
    ) -> None:
        from maharat.messaging.helpdesk import _ticket_open

        text_in(channel, AMAL, "first question for staff")
        first = Ticket.objects.get()
        ticket, created = _ticket_open(Message.objects.filter(direction="in").latest("pk"), timezone.now())
        assert ticket == first and not created and Ticket.objects.count() == 1


class AnonymizeTests:
    def test_anonymizing_a_person_blanks_their_conversations(
        self, personas: Personas, channel: Channel
    ) -> None:
        from maharat.people.services import person_anonymize

        survey = Survey.objects.create(
            organization=personas.partner,
            title="S",
            question1_en="One?",
            question1_ar="واحد؟",
            question2_en="Two?",
            question2_ar="اثنان؟",
            question3_en="Three?",
            question3_ar="ثلاثة؟",
        )
        survey_send(actor=personas.officer, survey=survey, person=personas.amal)
        text_in(channel, AMAL, "my private answer")
        Conversation.objects.update(state="completed")
        text_in(channel, AMAL, "a private question for staff")
        person_anonymize(actor=personas.admin, person=personas.amal, reason="asked")
        assert SurveyResponse.objects.get().answers == []
        assert Conversation.objects.get().phone == "" and Conversation.objects.get().answers == {}
        assert Ticket.objects.get().phone == ""
