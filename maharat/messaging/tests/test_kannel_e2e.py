"""End to end with a real Kannel on loopback: a phone (fakesmsc) texts Maharat and gets the reply; a broadcast
through Kannel is accepted for delivery and its delivery reports mark every message delivered.

Needs Debian's ``kannel`` and ``kannel-extras`` (``.ci/run`` installs them) and PostgreSQL; skipped where they
are absent, a failure in CI (MAHARAT_REQUIRE_SERVICES=1) when Kannel is missing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from conftest import require_service
from maharat.messaging.choices import ChannelKind, Direction, Status
from maharat.messaging.models import Channel, Message
from maharat.messaging.services import message_send_to_phone
from maharat.messaging.tests.kannel import KannelRig, kannel_installed

PHONE = "+962795550101"
SHORT_CODE = "1234"


def wait_until(check: Callable[[], bool], rig: KannelRig, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    states = list(Message.objects.values_list("pk", "direction", "status", "gateway_id", "error"))
    pytest.fail(f"timed out waiting for {what}\n{states}\n{rig.logs()}")


@pytest.fixture
def kannel(
    live_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[KannelRig, Channel]]:
    """A Kannel channel in Maharat and the Kannel it points at, started for the test and stopped after."""
    require_service("Kannel (Debian packages kannel, kannel-extras)", kannel_installed())
    if connection.vendor == "sqlite":
        # Kannel calls back (delivery reports) while the live server still answers the phone's message; the
        # live server's shared in-memory SQLite cannot take concurrent writers. PostgreSQL runs this (CI).
        pytest.skip("needs a database server for the live server's concurrent requests (PostgreSQL)")
    channel = Channel.objects.create(
        name="Kannel", kind=ChannelKind.KANNEL, rate_per_second=0, secret_env="MAHARAT_TEST_KANNEL_PASSWORD"
    )
    receive = f"{live_server.url}/messaging/hooks/{channel.pk}/{channel.inbound_token}/receive/"
    rig = KannelRig(folder=tmp_path, get_url=receive + "?from=%p&to=%P&text=%a&id=%I")
    monkeypatch.setenv("MAHARAT_TEST_KANNEL_PASSWORD", rig.password)
    channel.config = {
        "url": rig.sendsms_url,
        "username": rig.username,
        "from": SHORT_CODE,
        "callback_base": live_server.url,
    }
    channel.save()
    try:
        rig.start()
        yield rig, channel
    finally:
        rig.stop()


class KannelEndToEndTests:
    def test_phone_message_reaches_maharat_and_the_reply_reaches_the_phone(
        self, kannel: tuple[KannelRig, Channel]
    ) -> None:
        rig, channel = kannel
        rig.phone(f"{PHONE} {SHORT_CODE} text HELP")
        wait_until(
            lambda: Message.objects.filter(direction=Direction.IN).exists(), rig, "the incoming message"
        )
        inbound = Message.objects.get(direction=Direction.IN)
        assert (inbound.phone, inbound.text, inbound.channel_id) == (PHONE, "HELP", channel.pk)
        assert len(inbound.gateway_id) == 36  # Kannel's message uuid (%I): a second delivery is recognised
        wait_until(lambda: bool(rig.received()), rig, "the reply on the phone")
        reply = Message.objects.get(direction=Direction.OUT)
        assert reply.reply_to_id == inbound.pk
        got = rig.received()
        assert len(got) == 1
        assert (got[0].sender, got[0].receiver, got[0].text) == (SHORT_CODE, PHONE, reply.text)
        # The fake SMSC reports delivery; the reply ends up delivered, never sent twice.
        wait_until(
            lambda: Message.objects.filter(pk=reply.pk, status=Status.DELIVERED).exists(),
            rig,
            "delivery report",
        )
        time.sleep(0.5)
        assert len(rig.received()) == 1
        assert Message.objects.filter(direction=Direction.IN).count() == 1

    def test_broadcast_is_accepted_and_delivery_reports_mark_it_delivered(
        self, kannel: tuple[KannelRig, Channel]
    ) -> None:
        rig, channel = kannel
        rig.phone()  # the network is up; nobody texts
        texts = {f"+96279555{i:04d}": f"Workshop tomorrow at 10, group {i}" for i in range(12)}
        texts["+962795559999"] = "ورشة العمل غدا الساعة العاشرة"
        sent = [
            message_send_to_phone(phone=phone, text=text, idempotency_key=f"bc:{phone}", channel=channel)
            for phone, text in texts.items()
        ]
        # Every message was accepted by Kannel's sendsms (202) before its delivery report could arrive.
        for message in sent:
            message.refresh_from_db()
            assert message.status in (Status.SENT, Status.DELIVERED), message.error
            assert message.attempts == 1
        ids = [m.pk for m in sent]
        wait_until(
            lambda: Message.objects.filter(pk__in=ids, status=Status.DELIVERED).count() == len(ids),
            rig,
            "delivery reports for every message",
        )
        assert all(m.delivered_at is not None for m in Message.objects.filter(pk__in=ids))
        wait_until(lambda: len(rig.received()) == len(texts), rig, "every message on the phone network")
        got = {(m.receiver, m.text) for m in rig.received()}
        assert got == set(texts.items())
        assert {m.sender for m in rig.received()} == {SHORT_CODE}
