"""The official RapidPro client (``rapidpro-python``'s TembaClient) against Maharat's live test server."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from temba_client.exceptions import (
    TembaBadRequestError,
    TembaNoSuchObjectError,
    TembaRateExceededError,
    TembaTokenError,
)
from temba_client.v2 import TembaClient

from maharat.core.testing import build_personas
from maharat.messaging.models import Message
from maharat.messaging.models_api import FlowResult, FlowRun
from maharat.messaging.tests.rapidpro_builders import api_token, reachable
from maharat.people.models import Person


@pytest.fixture
def world(transactional_db: Any, live_server: Any, settings: Any) -> dict[str, Any]:
    """Personas, five more people the Mafraq partner may message, a token, and a client paging two at a time."""
    settings.MESSAGING_API_PAGE_SIZE = 2
    settings.MESSAGING_API_RATE = "1000/60"
    settings.MESSAGING_QUIET_HOURS = ""
    cache.clear()
    personas = build_personas()
    extra = [reachable(personas, given_name_latin=f"Extra{i}") for i in range(5)]
    _token, key = api_token(personas)
    return {
        "personas": personas,
        "extra": extra,
        "client": TembaClient(live_server.url, key),
        "url": live_server.url,
    }


class TembaClientTests:
    def test_lists_filters_and_pages_contacts(self, world: dict[str, Any]) -> None:
        client, personas = world["client"], world["personas"]
        pages = list(client.get_contacts().iterfetches())
        assert [len(page) for page in pages] == [2, 2, 2]
        contacts = [c for page in pages for c in page]
        assert (
            len({c.uuid for c in contacts}) == 6
        )  # Amal and five others; never Hassan (no SMS consent) or Omar
        amal = client.get_contacts(urn="tel:+962791234567").first()
        assert amal.uuid == str(personas.amal.public_id) and amal.name == "أمل الحسن"
        assert amal.language == "ara" and amal.urns == ["tel:+962791234567"] and amal.status == "active"
        assert amal.fields["governorate"] == "MA" and isinstance(amal.created_on, dt.datetime)
        assert client.get_contacts(uuid=amal.uuid).all()[0].urns == amal.urns
        assert client.get_contacts(urn="tel:+962781112233").all() == []
        oldest_first = client.get_contacts(reverse=True).all()
        assert [c.uuid for c in oldest_first] == [c.uuid for c in reversed(contacts)]
        after = client.get_contacts(after=contacts[2].modified_on).all()
        assert {c.uuid for c in after} >= {c.uuid for c in contacts[:3]}

    def test_creates_and_updates_a_contact(self, world: dict[str, Any]) -> None:
        client, personas = world["client"], world["personas"]
        created = client.create_contact(
            name="Layla Haddad",
            language="eng",
            urns=["tel:+962795550199"],
            fields={
                "sex": "F",
                "date_of_birth": "1998-02-14",
                "nationality": "JO",
                "legal_status": "jordanian",
                "governorate": "AM",
            },
        )
        assert created.name == "Layla Haddad" and created.language == "eng"
        person = Person.objects.get(public_id=created.uuid)
        assert person.registered_by == personas.partner and person.phone == "+962795550199"
        updated = client.update_contact(created, name="Layla Al-Haddad", fields={"governorate": "Irbid"})
        assert updated.name == "Layla Al-Haddad" and updated.fields["governorate"] == "IR"
        by_urn = client.update_contact("tel:+962795550199", language="ara")
        assert by_urn.language == "ara"
        with pytest.raises(TembaBadRequestError) as caught:
            client.create_contact(name="No Fields", urns=["tel:+962795550198"])
        assert "fields" in caught.value.errors
        with pytest.raises(TembaNoSuchObjectError):
            client.update_contact("2e2e2e2e-0000-4000-8000-000000000000", name="Nobody")
        with pytest.raises(TembaNoSuchObjectError):
            client.update_contact(str(personas.omar.public_id), name="Not yours")

    def test_sends_a_broadcast_and_a_message_and_reads_messages(self, world: dict[str, Any]) -> None:
        client, personas = world["client"], world["personas"]
        broadcast = client.create_broadcast(
            {"ara": "ورشة العمل غداً", "eng": "Workshop tomorrow"},
            urns=["tel:+962791234567"],
            contacts=[str(world["extra"][0].public_id)],
        )
        assert broadcast.text == {"ara": "ورشة العمل غداً", "eng": "Workshop tomorrow"}
        assert len(broadcast.contacts) == 2 and broadcast.urns == ["tel:+962791234567"]
        assert Message.objects.filter(person=personas.amal, text="ورشة العمل غداً").count() == 1
        listed = client.get_broadcasts().all()
        assert [b.uuid for b in listed] == [broadcast.uuid] and listed[0].status == "completed"
        message = client.create_message(str(personas.amal.public_id), "Your certificate is ready", [])
        assert message.text == "Your certificate is ready" and message.direction == "out"
        sent = client.get_messages(folder="sent").all()
        assert {m.text for m in sent} == {"ورشة العمل غداً", "Your certificate is ready"}
        assert all(m.status == "sent" and m.contact is not None for m in sent)
        assert client.get_messages(uuid=message.uuid).first().text == "Your certificate is ready"
        with pytest.raises(TembaBadRequestError):
            client.create_broadcast(
                "Hello", urns=["tel:+962781112233"]
            )  # Omar: another organization's person

    def test_reads_flow_runs_recorded_by_webhooks(self, world: dict[str, Any]) -> None:
        personas = world["personas"]
        run = FlowRun.objects.create(
            uuid="d3fe8f2b-4a6c-4a8b-9bd2-8f6d3d38a0e1",
            organization=personas.partner,
            person=personas.amal,
            urn="tel:+962791234567",
            flow_uuid="9de3663f-c5c5-4c92-9f45-ecbc09abcc85",
            flow_name="Follow-up survey",
        )
        FlowResult.objects.create(
            run=run, key="job", name="Job", value="yes", category="Yes", answered_at=run.created_at
        )
        runs = world["client"].get_runs(flow="9de3663f-c5c5-4c92-9f45-ecbc09abcc85").all()
        assert len(runs) == 1 and runs[0].values["job"].category == "Yes"
        assert runs[0].contact.uuid == str(personas.amal.public_id)

    def test_bad_token_and_rate_limit_raise_the_clients_errors(
        self, world: dict[str, Any], settings: Any
    ) -> None:
        with pytest.raises(TembaTokenError):
            TembaClient(world["url"], "0" * 40).get_contacts().all()
        settings.MESSAGING_API_RATE = "2/60"
        cache.clear()
        client = world["client"]
        client.get_broadcasts().all()
        client.get_broadcasts().all()
        with pytest.raises(TembaRateExceededError) as caught:
            client.get_broadcasts().all()
        assert 0 < caught.value.retry_after <= 60
