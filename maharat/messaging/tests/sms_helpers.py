"""Helpers of the conversation tests: a phone texting Maharat through the console channel's inbound endpoint."""

from __future__ import annotations

import itertools
from typing import Any

from django.test import Client

from maharat.messaging.choices import Direction
from maharat.messaging.models import Channel, Message

AMAL = "+962791234567"
OMAR = "+962781112233"
STRANGER = "+962790000001"
_ids = itertools.count(1)


def text_in(channel: Channel, sender: str, text: str, gateway_id: str = "") -> Any:
    """A phone sends a text (with a fresh gateway id unless one is given); returns the HTTP response."""
    data = {"from": sender, "text": text, "id": gateway_id or f"t{next(_ids)}"}
    return Client().post(f"/messaging/hooks/{channel.pk}/{channel.inbound_token}/receive/", data)


def last_in(sender: str) -> Message:
    """The newest message from a phone."""
    return Message.objects.filter(direction=Direction.IN, phone=sender).latest("pk")


def answer(channel: Channel, sender: str, text: str, gateway_id: str = "") -> str:
    """Text Maharat and return the text of its reply ('' when it did not answer)."""
    text_in(channel, sender, text, gateway_id)
    reply = Message.objects.filter(reply_to=last_in(sender), direction=Direction.OUT).order_by("pk").first()
    return reply.text if reply is not None else ""
