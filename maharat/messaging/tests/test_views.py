"""The staff Messages page: who may open it, whose messages each sees, and the outbox per channel."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from maharat.core.testing import Personas, assert_forbidden
from maharat.messaging.choices import Status
from maharat.messaging.models import Message
from maharat.messaging.services import message_send_to_person, message_send_to_phone
from maharat.messaging.tests.builders import console_channel

pytestmark = pytest.mark.django_db
URL = "/staff/messages/"


@pytest.fixture
def messages(personas: Personas) -> dict[str, Message]:
    """A message to Amal (Mafraq partner), to Omar (Karak partner) and to an unknown number."""
    console_channel()
    return {
        "amal": message_send_to_person(person=personas.amal, text="Workshop for Amal", idempotency_key="a"),
        "omar": message_send_to_person(
            person=personas.omar, text="Reply for Omar", essential=True, idempotency_key="o"
        ),
        "stranger": message_send_to_phone(
            phone="+962790000001", text="Welcome stranger", idempotency_key="s"
        ),
        "blocked": message_send_to_person(
            person=personas.hassan, text="News for Hassan", idempotency_key="h"
        ),
    }


class MessagePageAccessTests:
    def test_url(self) -> None:
        assert reverse("messaging:message_list") == URL

    def test_people_outside_the_registry_are_refused(self, personas: Personas) -> None:
        assert_forbidden(
            URL,
            [personas.anonymous, personas.employer, personas.mentor, personas.researcher, personas.amal_user],
        )

    def test_officer_sees_only_messages_of_people_they_may_see(
        self, personas: Personas, messages: dict[str, Message]
    ) -> None:
        page = personas.client_for(personas.officer).get(URL).content.decode()
        assert "Workshop for Amal" in page and "News for Hassan" in page
        assert "Reply for Omar" not in page and "Welcome stranger" not in page
        other = personas.client_for(personas.other_officer).get(URL).content.decode()
        assert "Reply for Omar" in other
        assert "Workshop for Amal" not in other and "Welcome stranger" not in other

    def test_administrator_sees_unknown_numbers_too(
        self, personas: Personas, messages: dict[str, Message]
    ) -> None:
        page = personas.client_for(personas.admin).get(URL).content.decode()
        assert all(text in page for text in ("Workshop for Amal", "Reply for Omar", "Welcome stranger"))

    def test_training_provider_sees_the_page(self, personas: Personas) -> None:
        assert personas.client_for(personas.trainer).get(URL).status_code == 200


class MessagePageContentTests:
    def test_shows_status_reason_and_outbox_counts(
        self, personas: Personas, messages: dict[str, Message]
    ) -> None:
        Message.objects.filter(pk=messages["amal"].pk).update(status=Status.SENT)
        response = personas.client_for(personas.admin).get(URL)
        page = response.content.decode()
        assert "The person has not consented to receive text messages." in page
        outbox = response.context["outbox"]
        assert [row["channel"].name if row["channel"] else None for row in outbox] == ["Console", None]
        # queued, sending, sent, delivered, failed, not sent (a message not sent never gets a channel)
        assert [row["counts"] for row in outbox] == [[2, 0, 1, 0, 0, 0], [0, 0, 0, 0, 0, 1]]
        assert "Not routed to a channel" in page

    def test_long_messages_are_flagged(self, personas: Personas, settings: Any) -> None:
        settings.MESSAGING_MAX_PARTS_WARNING = 1
        console_channel()
        message_send_to_person(person=personas.amal, text="ب" * 100, idempotency_key="long")
        page = personas.client_for(personas.officer).get(URL).content.decode()
        assert "2 parts" in page

    def test_pages_newest_first_with_a_bounded_number_of_queries(
        self, personas: Personas, django_assert_max_num_queries: Any
    ) -> None:
        console_channel()
        for i in range(60):
            message_send_to_person(
                person=personas.amal, text=f"Message number {i}", essential=True, idempotency_key=f"k{i}"
            )
        client = personas.client_for(personas.officer)
        with django_assert_max_num_queries(14):
            response = client.get(URL)
        rows = response.context["rows"]
        assert len(rows) == 50 and rows[0]["message"].text == "Message number 59"
        cursor = response.context["next_cursor"]
        second = client.get(URL, {"after": cursor})
        assert [r["message"].text for r in second.context["rows"]][-1] == "Message number 0"
        assert second.context["next_cursor"] is None

    def test_nav_link_for_staff_only(self, personas: Personas) -> None:
        assert URL in personas.client_for(personas.officer).get("/staff/people/").content.decode()
        assert URL not in personas.client_for(personas.amal_user).get("/me/").content.decode()
