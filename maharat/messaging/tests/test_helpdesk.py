"""The helpdesk: tickets from messages nobody understood, replies, assignment, closing, time to first response,
the staff pages in Arabic and English, and who may see what."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maharat.core.models import AuditLog
from maharat.core.testing import PAGE_BUDGET, Personas, assert_forbidden, page_weight
from maharat.messaging.choices import Direction, Route, Status
from maharat.messaging.helpdesk import (
    helpdesk_organization,
    operating_organization,
    response_times,
    survey_create,
    ticket_assign,
    ticket_close,
    ticket_receive,
    ticket_reply,
)
from maharat.messaging.models import Channel, Message
from maharat.messaging.models_conversations import (
    CannedReply,
    FaqEntry,
    Survey,
    SurveyResponse,
    Ticket,
    TicketStatus,
)
from maharat.messaging.tests.builders import console_channel
from maharat.messaging.tests.sms_helpers import AMAL, OMAR, STRANGER, answer, last_in, text_in
from maharat.people.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(db: Any) -> Channel:
    return console_channel()


def incoming(ticket: Ticket) -> int:
    return ticket.messages.filter(direction=Direction.IN).count()


@pytest.fixture
def amal_ticket(personas: Personas, channel: Channel) -> Ticket:
    text_in(channel, AMAL, "My employer keeps my passport, what can I do?")
    return Ticket.objects.get(phone=AMAL)


@pytest.fixture
def omar_ticket(personas: Personas, channel: Channel) -> Ticket:
    text_in(channel, OMAR, "I lost my certificate")
    return Ticket.objects.get(phone=OMAR)


@pytest.fixture
def stranger_ticket(personas: Personas, channel: Channel) -> Ticket:
    text_in(channel, STRANGER, "Amal Al-Hassan is my sister, what is her status")
    return Ticket.objects.get(phone=STRANGER)


class TicketCreationTests:
    def test_message_not_understood_opens_a_ticket_for_the_registering_organization(
        self, personas: Personas, amal_ticket: Ticket
    ) -> None:
        assert amal_ticket.person == personas.amal and amal_ticket.organization == personas.partner
        assert amal_ticket.status == TicketStatus.OPEN and amal_ticket.language == "ar"
        inbound = last_in(AMAL)
        ack = Message.objects.get(direction=Direction.OUT, phone=AMAL)
        assert (
            list(amal_ticket.messages.order_by("pk")) == [inbound, ack] and inbound.status == Status.RECEIVED
        )
        assert ack.essential and ack.reply_to == inbound
        assert AuditLog.objects.filter(subject_type="messaging.ticket", actor_label=f"sms:{AMAL}").exists()

    def test_follow_ups_join_the_open_ticket_without_a_new_acknowledgement(
        self, personas: Personas, channel: Channel, amal_ticket: Ticket
    ) -> None:
        text_in(channel, AMAL, "He also did not pay me for two months")
        text_in(channel, AMAL, "Please call me")
        assert Ticket.objects.count() == 1 and incoming(amal_ticket) == 3
        assert Message.objects.filter(direction=Direction.OUT, phone=AMAL).count() == 1

    def test_keywords_still_answer_while_a_ticket_is_open(
        self, personas: Personas, channel: Channel, amal_ticket: Ticket
    ) -> None:
        text_in(channel, AMAL, "STATUS")
        assert last_in(AMAL).route == Route.STATUS and incoming(amal_ticket) == 1

    def test_after_closing_a_new_message_opens_a_new_ticket(
        self, personas: Personas, channel: Channel, amal_ticket: Ticket
    ) -> None:
        ticket_close(actor=personas.officer, ticket=amal_ticket, topic="complaint")
        text_in(channel, AMAL, "Another problem with my employer")
        assert Ticket.objects.count() == 2

    def test_pending_ticket_reopens_when_the_person_answers(
        self, personas: Personas, channel: Channel, amal_ticket: Ticket
    ) -> None:
        ticket_reply(actor=personas.officer, ticket=amal_ticket, text="Which employer?", nonce="n1")
        amal_ticket.refresh_from_db()
        assert amal_ticket.status == TicketStatus.PENDING
        text_in(channel, AMAL, "A farm near Mafraq")
        amal_ticket.refresh_from_db()
        assert amal_ticket.status == TicketStatus.OPEN and incoming(amal_ticket) == 2

    def test_duplicate_delivery_adds_the_message_once(self, personas: Personas, channel: Channel) -> None:
        for _ in range(2):
            text_in(channel, AMAL, "my wage is late", gateway_id="dup")
        ticket = Ticket.objects.get()
        assert incoming(ticket) == 1
        ticket_receive(message=last_in(AMAL))  # routed again (a retry): still once
        assert incoming(ticket) == 1

    def test_unknown_number_ticket_goes_to_the_operating_organization_and_reveals_nothing(
        self, personas: Personas, stranger_ticket: Ticket
    ) -> None:
        assert stranger_ticket.person is None and stranger_ticket.organization == personas.agency
        replies = Message.objects.filter(direction=Direction.OUT, phone=STRANGER)
        assert replies.count() == 1
        reply = replies.get().text
        assert (
            reply.startswith("Welcome to Maharat. This number is not registered with us.")
            and "REGISTER" in reply
        )
        for personal in ("Amal", "أمل", "DSEA", "Mafraq", "المفرق", "0791234567"):
            assert personal not in reply
        assert last_in(STRANGER).route == Route.UNKNOWN_NUMBER

    def test_unknown_number_asking_status_gets_only_the_invitation(
        self, personas: Personas, channel: Channel
    ) -> None:
        reply = answer(channel, STRANGER, "STATUS")
        assert reply.startswith("Welcome to Maharat") and not Ticket.objects.exists()


class OrganizationTests:
    def test_organization_falls_back_to_consent_then_operator(self, personas: Personas) -> None:
        assert helpdesk_organization(personas.omar) == personas.other_partner
        type(personas.omar).objects.filter(pk=personas.omar.pk).update(registered_by=None)
        personas.omar.refresh_from_db()
        assert helpdesk_organization(personas.omar) == personas.other_partner  # named in the consent
        assert helpdesk_organization(None) == personas.agency

    def test_operating_organization_from_the_setting(self, personas: Personas, settings: Any) -> None:
        settings.MESSAGING_HELPDESK_ORGANIZATION = "karak-ngo"
        assert operating_organization() == personas.other_partner
        settings.MESSAGING_HELPDESK_ORGANIZATION = "missing"
        assert operating_organization() == personas.agency
        Organization.objects.update(active=False)
        assert operating_organization() is None


class ReplyAssignCloseTests:
    def test_reply_goes_out_as_essential_and_measures_first_response(
        self, personas: Personas, amal_ticket: Ticket
    ) -> None:
        Ticket.objects.filter(pk=amal_ticket.pk).update(created_at=timezone.now() - dt.timedelta(minutes=30))
        amal_ticket.refresh_from_db()
        reply = ticket_reply(
            actor=personas.officer, ticket=amal_ticket, text="  Please visit us on Sunday. ", nonce="a"
        )
        assert (
            reply.essential and reply.person == personas.amal and reply.text == "Please visit us on Sunday."
        )
        assert reply.language == "ar" and reply.status == Status.QUEUED
        amal_ticket.refresh_from_db()
        assert 1790 <= (amal_ticket.first_response_seconds or 0) <= 1830
        assert amal_ticket.assignee == personas.officer and reply in amal_ticket.messages.all()
        first = amal_ticket.first_response_at
        ticket_reply(actor=personas.officer, ticket=amal_ticket, text="Any news?", nonce="b")
        amal_ticket.refresh_from_db()
        assert amal_ticket.first_response_at == first

    def test_the_same_form_sent_twice_sends_one_reply(self, personas: Personas, amal_ticket: Ticket) -> None:
        one = ticket_reply(actor=personas.officer, ticket=amal_ticket, text="Hello", nonce="same")
        two = ticket_reply(actor=personas.officer, ticket=amal_ticket, text="Hello", nonce="same")
        assert one == two and amal_ticket.messages.filter(direction=Direction.OUT).count() == 2  # ack + reply

    def test_reply_to_an_unknown_number(self, personas: Personas, stranger_ticket: Ticket) -> None:
        reply = ticket_reply(actor=personas.admin, ticket=stranger_ticket, text="Send REGISTER", nonce="x")
        assert reply.person is None and reply.phone == STRANGER and reply.essential

    @pytest.mark.parametrize("text", ["", "   ", "x" * 641])
    def test_bad_replies_are_refused(self, personas: Personas, amal_ticket: Ticket, text: str) -> None:
        with pytest.raises(ValidationError):
            ticket_reply(actor=personas.officer, ticket=amal_ticket, text=text, nonce="n")
        assert amal_ticket.messages.count() == 2  # the message and its acknowledgement

    def test_other_organizations_staff_cannot_work_on_it(
        self, personas: Personas, amal_ticket: Ticket
    ) -> None:
        with pytest.raises(ValidationError):
            ticket_reply(actor=personas.other_officer, ticket=amal_ticket, text="Hi", nonce="n")
        with pytest.raises(ValidationError):
            ticket_assign(actor=personas.officer, ticket=amal_ticket, assignee=personas.other_officer)
        with pytest.raises(ValidationError):
            ticket_close(actor=personas.employer, ticket=amal_ticket, topic="other")

    def test_assign_and_close_are_audited(self, personas: Personas, amal_ticket: Ticket) -> None:
        ticket_assign(actor=personas.officer, ticket=amal_ticket, assignee=personas.admin)
        ticket_assign(actor=personas.officer, ticket=amal_ticket, assignee=None)
        with pytest.raises(ValidationError):
            ticket_close(actor=personas.officer, ticket=amal_ticket, topic="weather")
        ticket_close(actor=personas.officer, ticket=amal_ticket, topic="complaint")
        amal_ticket.refresh_from_db()
        assert amal_ticket.status == TicketStatus.CLOSED and amal_ticket.topic == "complaint"
        assert amal_ticket.closed_at is not None
        with pytest.raises(ValidationError):
            ticket_close(actor=personas.officer, ticket=amal_ticket, topic="other")
        with pytest.raises(ValidationError):
            ticket_reply(actor=personas.officer, ticket=amal_ticket, text="late", nonce="z")
        reasons = set(
            AuditLog.objects.filter(subject_type="messaging.ticket", actor=personas.officer).values_list(
                "reason", flat=True
            )
        )
        assert reasons == {"helpdesk ticket assigned", "helpdesk ticket closed"}

    def test_response_times_median_and_p90(self, personas: Personas) -> None:
        now = timezone.now()
        for n, seconds in enumerate([60, 120, 180, 240, 300, 360, 420, 480, 540, 6000]):
            Ticket.objects.create(
                phone=f"+96279000{n:04d}", last_message_at=now, first_response_seconds=seconds
            )
        Ticket.objects.create(phone="+962790009999", last_message_at=now)
        stats = response_times(Ticket.objects.all())
        assert stats == {"answered": 10, "median": 5.5, "p90": 9.0}
        assert response_times(Ticket.objects.none())["median"] is None


class PermissionTests:
    def test_pages_are_refused_outside_the_helpdesk(self, personas: Personas, amal_ticket: Ticket) -> None:
        outsiders = [
            personas.anonymous,
            personas.employer,
            personas.mentor,
            personas.researcher,
            personas.amal_user,
        ]
        for url in [
            reverse("messaging:helpdesk_inbox"),
            reverse("messaging:ticket_detail", args=[amal_ticket.pk]),
            reverse("messaging:person_conversation", args=[personas.amal.pk]),
            reverse("messaging:faq_list"),
            reverse("messaging:faq_new"),
            reverse("messaging:survey_list"),
        ]:
            assert_forbidden(url, outsiders)

    def test_staff_of_another_organization_cannot_read_the_ticket_or_conversation(
        self, personas: Personas, amal_ticket: Ticket, omar_ticket: Ticket, stranger_ticket: Ticket
    ) -> None:
        assert_forbidden(reverse("messaging:ticket_detail", args=[amal_ticket.pk]), [personas.other_officer])
        assert_forbidden(
            reverse("messaging:person_conversation", args=[personas.amal.pk]), [personas.other_officer]
        )
        assert_forbidden(
            reverse("messaging:ticket_detail", args=[omar_ticket.pk]), [personas.officer, personas.trainer]
        )
        assert_forbidden(
            reverse("messaging:ticket_detail", args=[stranger_ticket.pk]),
            [personas.officer, personas.other_officer],
        )
        for action in ("reply", "assign", "close"):
            url = reverse(f"messaging:ticket_{action}", args=[amal_ticket.pk])
            assert_forbidden(
                url,
                [personas.other_officer],
                method="post",
                data={"text": "x", "nonce": "n", "topic": "other"},
            )
        assert amal_ticket.messages.count() == 2

    def test_inbox_shows_each_organization_its_own_tickets(
        self, personas: Personas, amal_ticket: Ticket, omar_ticket: Ticket, stranger_ticket: Ticket
    ) -> None:
        url = reverse("messaging:helpdesk_inbox")
        officer = personas.client_for(personas.officer).get(url).content.decode()
        assert AMAL in officer and OMAR not in officer and STRANGER not in officer
        other = personas.client_for(personas.other_officer).get(url).content.decode()
        assert OMAR in other and AMAL not in other
        admin = personas.client_for(personas.admin).get(url).content.decode()
        assert AMAL in admin and OMAR in admin and STRANGER in admin

    def test_surveys_of_another_organization_are_hidden(self, personas: Personas) -> None:
        survey = survey_create(actor=personas.officer, data=survey_data(personas.partner))
        assert_forbidden(
            reverse("messaging:survey_detail", args=[survey.pk]), [personas.other_officer, personas.trainer]
        )
        with pytest.raises(ValidationError):
            survey_create(actor=personas.other_officer, data=survey_data(personas.partner))


def survey_data(organization: Organization) -> dict[str, Any]:
    return {
        "organization": organization,
        "title": "Follow-up",
        "question1_en": "Do you work now?",
        "question1_ar": "هل تعمل الآن؟",
        "question2_en": "Where?",
        "question2_ar": "أين؟",
        "question3_en": "Any advice?",
        "question3_ar": "نصيحة؟",
    }


class PageTests:
    @pytest.mark.parametrize("language", ["ar", "en"])
    def test_inbox_ticket_and_conversation_in_both_languages(
        self, personas: Personas, amal_ticket: Ticket, language: str
    ) -> None:
        client = personas.client_for(personas.officer)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for url in [
            reverse("messaging:helpdesk_inbox") + "?status=all&assignee=none",
            reverse("messaging:ticket_detail", args=[amal_ticket.pk]),
            reverse("messaging:person_conversation", args=[personas.amal.pk]),
            reverse("messaging:faq_list"),
            reverse("messaging:survey_list"),
        ]:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            assert f'lang="{language}"' in html and (('dir="rtl"' in html) == (language == "ar"))
            assert page_weight(client, url) < PAGE_BUDGET

    def test_reply_assign_and_close_through_the_pages(self, personas: Personas, amal_ticket: Ticket) -> None:
        client = personas.client_for(personas.officer)
        canned = CannedReply.objects.create(
            title="Visit", text_en="Please visit our office.", text_ar="يرجى زيارة مكتبنا."
        )
        page = client.get(reverse("messaging:ticket_detail", args=[amal_ticket.pk]) + f"?canned={canned.pk}")
        assert "يرجى زيارة مكتبنا." in page.content.decode()  # Amal reads Arabic
        response = client.post(
            reverse("messaging:ticket_reply", args=[amal_ticket.pk]),
            {"text": "يرجى زيارة مكتبنا.", "nonce": "f1"},
        )
        assert response.status_code == 302
        assert amal_ticket.messages.filter(direction=Direction.OUT, text="يرجى زيارة مكتبنا.").exists()
        bad = client.post(
            reverse("messaging:ticket_reply", args=[amal_ticket.pk]), {"text": "", "nonce": "f2"}
        )
        assert bad.status_code == 400
        response = client.post(
            reverse("messaging:ticket_assign", args=[amal_ticket.pk]), {"assignee": personas.officer.pk}
        )
        assert response.status_code == 302
        refused = client.post(
            reverse("messaging:ticket_assign", args=[amal_ticket.pk]), {"assignee": personas.other_officer.pk}
        )
        assert refused.status_code == 400
        mine = client.get(reverse("messaging:helpdesk_inbox") + "?assignee=me").content.decode()
        assert f'href="/staff/helpdesk/{amal_ticket.pk}/"' in mine
        assert (
            client.post(reverse("messaging:ticket_close", args=[amal_ticket.pk]), {"topic": "?"}).status_code
            == 400
        )
        response = client.post(
            reverse("messaging:ticket_close", args=[amal_ticket.pk]), {"topic": "complaint"}
        )
        assert response.status_code == 302
        amal_ticket.refresh_from_db()
        assert amal_ticket.status == TicketStatus.CLOSED and amal_ticket.assignee == personas.officer
        closed = client.get(reverse("messaging:helpdesk_inbox") + "?status=closed").content.decode()
        assert f'href="/staff/helpdesk/{amal_ticket.pk}/"' in closed
        page = client.get(reverse("messaging:ticket_detail", args=[amal_ticket.pk])).content.decode()
        assert "Close the ticket" not in page

    def test_closing_a_closed_ticket_through_the_page_is_refused(
        self, personas: Personas, amal_ticket: Ticket
    ) -> None:
        client = personas.client_for(personas.officer)
        ticket_close(actor=personas.officer, ticket=amal_ticket, topic="other")
        assert (
            client.post(
                reverse("messaging:ticket_close", args=[amal_ticket.pk]), {"topic": "other"}
            ).status_code
            == 400
        )

    def test_person_page_links_to_the_conversation(self, personas: Personas, amal_ticket: Ticket) -> None:
        client = personas.client_for(personas.officer)
        page = client.get(reverse("people:detail", args=[personas.amal.pk])).content.decode()
        url = reverse("messaging:person_conversation", args=[personas.amal.pk])
        assert url in page
        conversation = client.get(url).content.decode()
        assert (
            "My employer keeps my passport" in conversation
            and f"/staff/helpdesk/{amal_ticket.pk}/" in conversation
        )

    def test_faq_pages_create_and_refuse_long_answers(self, personas: Personas) -> None:
        client = personas.client_for(personas.officer)
        data = {
            "code": "office-hours",
            "topic": "other",
            "question_en": "When are you open?",
            "question_ar": "متى تفتحون؟",
            "answer_en": "Sunday to Thursday, 9 to 3.",
            "answer_ar": "من الأحد إلى الخميس، من 9 إلى 3.",
            "keywords_en": "open, hours",
            "keywords_ar": "دوام, ساعات",
            "active": "on",
        }
        assert client.post(reverse("messaging:faq_new"), {**data, "answer_ar": "ا" * 300}).status_code == 400
        assert not FaqEntry.objects.exists()
        assert client.post(reverse("messaging:faq_new"), data).status_code == 302
        entry = FaqEntry.objects.get()
        assert client.get(reverse("messaging:faq_edit", args=[entry.pk])).status_code == 200
        response = client.post(
            reverse("messaging:faq_edit", args=[entry.pk]), {**data, "answer_en": "Every day."}
        )
        assert response.status_code == 302
        entry.refresh_from_db()
        assert entry.answer_en == "Every day."
        assert AuditLog.objects.filter(subject_type="messaging.faqentry").count() == 2

    def test_survey_pages_create_send_and_list_answers(self, personas: Personas, channel: Channel) -> None:
        client = personas.client_for(personas.officer)
        form = {
            k: (v.pk if isinstance(v, Organization) else v) for k, v in survey_data(personas.partner).items()
        }
        response = client.post(reverse("messaging:survey_list"), form)
        assert response.status_code == 302
        survey = Survey.objects.get()
        url = reverse("messaging:survey_detail", args=[survey.pk])
        assert (
            client.post(url, {"person": personas.omar.pk}).status_code == 400
        )  # not a person the officer sees
        assert client.post(url, {"person": personas.amal.pk}).status_code == 302
        assert client.post(url, {"person": personas.amal.pk}).status_code == 400  # sent already
        text_in(channel, AMAL, "نعم")
        page = client.get(url).content.decode()
        assert "نعم" in page and SurveyResponse.objects.get().answers[0] == "نعم"
        listing = client.get(reverse("messaging:survey_list")).content.decode()
        assert "Follow-up" in listing
        assert client.post(reverse("messaging:survey_list"), {"title": ""}).status_code == 400


class InboundEndpointTests:
    def test_endpoint_still_answers_empty(self, personas: Personas, channel: Channel) -> None:
        response = Client().post(
            f"/messaging/hooks/{channel.pk}/{channel.inbound_token}/receive/",
            {"from": AMAL, "text": "???", "id": "q"},
        )
        assert response.status_code == 200 and response.content == b""


class DemoTests:
    def test_demo_loads_the_faq_canned_replies_and_one_ticket_once(self, personas: Personas) -> None:
        from maharat.messaging.demo_helpdesk import demo_helpdesk

        first = demo_helpdesk()
        again = demo_helpdesk()
        assert first == again == {"faq": 9, "tickets": 1}
        assert CannedReply.objects.count() == 2
        assert Ticket.objects.get().organization == personas.agency
