"""Kannel, the open-source SMS gateway: ``sendsms`` out, an ``sms-service`` get-url in, delivery reports back.

Channel settings: ``url`` (the sendsms address, e.g. ``http://127.0.0.1:13013/cgi-bin/sendsms``),
``username``, ``from`` (sender), optional ``smsc``, and ``callback_base`` (Maharat's public address, for the
``dlr-url``); the password comes from the channel's environment variable. Kannel's sms-service should call
``…/receive/?from=%p&to=%P&text=%a&id=%I`` with ``omit-empty = true`` (replies go out through sendsms, so
they are tracked like every other message).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests
from django.http import HttpRequest

from maharat.messaging.channels.base import (
    BadPayload,
    ChannelClient,
    SendResult,
    StatusUpdate,
    http_failure,
    http_request,
    http_status_result,
    request_params,
)
from maharat.messaging.parts import is_gsm7

if TYPE_CHECKING:
    from maharat.messaging.models import Message

# dlr-mask 31: delivered, undelivered, queued on SMSC, accepted by SMSC, rejected by SMSC.
DLR_MASK = "31"
# Kannel's %d values: 1 delivered to phone, 2 not delivered, 4 queued on SMSC, 8 accepted by SMSC, 16 rejected.
DLR_STATUS = {1: "delivered", 2: "failed", 4: "sent", 8: "sent", 16: "failed"}


class KannelClient(ChannelClient):
    """Kannel's HTTP interface; Arabic goes as UCS-2 (coding=2), converted by Kannel from UTF-8."""

    def send(self, message: Message) -> SendResult:
        """GET sendsms with the credentials, the text in UTF-8, and a delivery-report URL naming the message."""
        params = {
            "username": self.channel.setting("username"),
            "password": self.channel.secret(),
            "to": message.phone,
            "text": message.text,
            "charset": "UTF-8",
            "coding": "0" if is_gsm7(message.text) else "2",
            "dlr-mask": DLR_MASK,
            "dlr-url": self.callback_url("status", id=str(message.pk)) + "&status=%d",
        }
        for setting, param in (("from", "from"), ("smsc", "smsc")):
            if self.channel.setting(setting):
                params[param] = self.channel.setting(setting)
        try:
            response = http_request("GET", self.channel.setting("url"), params=params)
        except requests.RequestException as exc:
            return http_failure(exc)
        # 202 "0: Accepted for delivery" or "3: Queued for later delivery"; Kannel gives no id of its own, so
        # the delivery report names Maharat's.
        return http_status_result(response, {200, 202}, gateway_id=str(message.pk))

    def parse_status(self, request: HttpRequest, *, action: str = "status") -> StatusUpdate:
        """The dlr-url call: our ``id`` and Kannel's numeric ``status`` (%d)."""
        params = request_params(request)
        gateway_id = params.get("id", "").strip()
        if not gateway_id.isdigit():
            raise BadPayload("missing or malformed 'id'")
        try:
            code = int(params.get("status", ""))
        except ValueError as exc:
            raise BadPayload("malformed 'status'") from exc
        status = DLR_STATUS.get(code)
        if status is None:
            raise BadPayload("unknown status")
        error = f"DLR {code}" if status == "failed" else ""
        return StatusUpdate(gateway_id=gateway_id, status=status, error=error)
