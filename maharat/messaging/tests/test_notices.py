"""Programmes' notices go out through the outbox once, when owed, and by the send_notices command."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from maharat.core.testing import Personas
from maharat.messaging.choices import BlockReason, Status
from maharat.messaging.models import Message
from maharat.messaging.notices import notices_send, unsent_notices
from maharat.programmes.choices import ApplyChannel, NoticeKind
from maharat.programmes.models import Notice
from maharat.programmes.services import application_submit
from maharat.programmes.tests.factories import make_call

pytestmark = pytest.mark.django_db


def apply(personas: Personas, person: Any, code: str = "DSEA") -> Notice:
    call = make_call(personas, questions=[], code=code)
    application = application_submit(
        actor=personas.officer, call=call, person=person, channel=ApplyChannel.STAFF
    )
    return Notice.objects.get(application=application, kind=NoticeKind.RECEIVED)


class NoticeSendingTests:
    def test_owed_notice_is_sent_when_the_application_commits(
        self, personas: Personas, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            notice = apply(personas, personas.amal)
        notice.refresh_from_db()
        message = Message.objects.get(idempotency_key=f"notice:{notice.pk}")
        assert message.person == personas.amal and message.text == notice.text and message.language == "ar"
        assert message.status == Status.SENT and notice.sent_at is not None

    def test_person_without_messaging_consent_is_not_texted_nor_retried(self, personas: Personas) -> None:
        notice = apply(personas, personas.omar)
        assert notices_send() == {"queued": 0, "not_sent": 1, "total": 1}
        notice.refresh_from_db()
        assert notice.sent_at is None
        assert Message.objects.get(idempotency_key=f"notice:{notice.pk}").error == BlockReason.NO_CONSENT
        assert not unsent_notices().exists()
        assert notices_send() == {"queued": 0, "not_sent": 0, "total": 0}

    def test_sending_twice_sends_each_notice_once(self, personas: Personas) -> None:
        apply(personas, personas.amal)
        assert notices_send()["queued"] == 1
        assert notices_send()["total"] == 0
        assert Message.objects.count() == 1

    def test_only_the_named_notices_are_sent(self, personas: Personas) -> None:
        first = apply(personas, personas.amal, code="C1")
        apply(personas, personas.amal, code="C2")
        assert notices_send(notice_ids=[first.pk])["total"] == 1
        assert unsent_notices().count() == 1

    def test_selection_run_notices_are_sent_on_commit(
        self, personas: Personas, django_capture_on_commit_callbacks: Any
    ) -> None:
        from maharat.programmes.selecting import selection_run

        call = make_call(personas, questions=[], seats=1)
        application_submit(
            actor=personas.officer, call=call, person=personas.amal, channel=ApplyChannel.STAFF
        )
        with django_capture_on_commit_callbacks(execute=True):
            selection_run(actor=personas.officer, call=call)
        selected = Notice.objects.get(kind=NoticeKind.SELECTED)
        assert Message.objects.filter(idempotency_key=f"notice:{selected.pk}").exists()

    def test_command_prints_progress_and_totals(self, personas: Personas) -> None:
        apply(personas, personas.amal, code="C1")
        apply(personas, personas.omar, code="C2")
        out = StringIO()
        call_command("send_notices", stdout=out)
        assert "1 notices handed to the outbox, 1 not sent" in out.getvalue()
        assert "100%" in out.getvalue()
