"""The one interface every channel client implements, and the HTTP and form helpers they share.

A client sends one message (``send``), reads a message a gateway delivers to Maharat (``parse_inbound``) and
reads a delivery report (``parse_status``). Parsing refuses malformed or oversized input with ``BadPayload``,
which the inbound views turn into 400. Gateways are reached with ``requests`` and a time-out, through
``http_request`` alone, so the transport is the one place tests and benchmarks meet the network.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from maharat.core.phones import try_normalize_phone

if TYPE_CHECKING:
    from maharat.messaging.models import Channel, Message

logger = logging.getLogger("maharat.messaging")

_session = requests.Session()
# Status values a gateway may report, mapped to Maharat's; anything else is ignored as "still on its way".
STATUS_WORDS = {
    "sent": "sent",
    "delivered": "delivered",
    "failed": "failed",
    "undelivered": "failed",
    "errored": "failed",
    "error": "failed",
}


class BadPayload(ValueError):
    """An inbound request a gateway should not have sent: malformed, incomplete or too large."""


@dataclass(frozen=True)
class SendResult:
    """What a gateway answered to one message: accepted (with its id), or refused and whether to try again."""

    ok: bool
    gateway_id: str = ""
    error: str = ""
    retryable: bool = True


@dataclass(frozen=True)
class InboundMessage:
    """A message from a phone as a gateway delivered it: sender in E.164, text, and the gateway's id."""

    sender: str
    text: str
    gateway_id: str = ""
    to: str = ""


@dataclass(frozen=True)
class StatusUpdate:
    """A delivery report: which message (by the gateway's id) and its new status (sent, delivered, failed)."""

    gateway_id: str
    status: str
    error: str = ""


class ChannelClient(ABC):
    """Base of the channel clients: one per gateway kind, built around one Channel row."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    @abstractmethod
    def send(self, message: Message) -> SendResult:
        """Hand one message to the gateway."""

    def parse_inbound(self, request: HttpRequest) -> InboundMessage:
        """Read a message the gateway delivered (``from``, ``text`` and ``id`` parameters by default)."""
        return form_inbound(request)

    def parse_status(self, request: HttpRequest, *, action: str = "status") -> StatusUpdate:
        """Read a delivery report: ``/sent``, ``/delivered`` and ``/failed`` with ``id``, or ``/status``."""
        return form_status(request, action=action)

    def callback_url(self, action: str, **query: str) -> str:
        """The absolute URL of one of this channel's inbound endpoints, for the gateway to call."""
        from urllib.parse import urlencode

        base = self.channel.setting("callback_base").rstrip("/")
        path = reverse(
            "messaging:hook",
            kwargs={"channel_id": self.channel.pk, "token": self.channel.inbound_token, "action": action},
        )
        url = f"{base}{path}"
        return f"{url}?{urlencode(query)}" if query else url


def http_timeout() -> float:
    """Seconds a gateway may take to answer before the attempt counts as failed."""
    return float(getattr(settings, "MESSAGING_HTTP_TIMEOUT", 10))


def http_request(method: str, url: str, **kwargs: Any) -> requests.Response:
    """One HTTP request to a gateway, with the messaging time-out."""
    kwargs.setdefault("timeout", http_timeout())
    return _session.request(method, url, **kwargs)


def http_failure(exc: Exception) -> SendResult:
    """A transport error (time-out, refused connection) as a result worth retrying."""
    kind = "time-out" if isinstance(exc, requests.Timeout) else "connection error"
    return SendResult(ok=False, error=f"{kind}: {exc.__class__.__name__}", retryable=True)


def http_status_result(response: requests.Response, ok_codes: set[int], gateway_id: str = "") -> SendResult:
    """A gateway's HTTP answer as a result: 5xx and 429 are worth retrying, other refusals are final."""
    if response.status_code in ok_codes:
        return SendResult(ok=True, gateway_id=gateway_id)
    body = response.text[:200].strip()
    retryable = response.status_code >= 500 or response.status_code == 429
    return SendResult(ok=False, error=f"HTTP {response.status_code}: {body}", retryable=retryable)


def max_inbound_chars() -> int:
    """Longest incoming text accepted (ten SMS parts by default)."""
    return int(getattr(settings, "MESSAGING_INBOUND_MAX_CHARS", 1600))


def request_params(request: HttpRequest) -> dict[str, str]:
    """Query and form parameters of a request (form values win), refusing bodies that are not forms."""
    params = {key: request.GET.get(key, "") for key in request.GET}
    if request.method == "POST":
        content_type = request.content_type or ""
        if content_type == "application/json":
            import json

            try:
                data = json.loads(request.body or b"{}")
            except (ValueError, UnicodeDecodeError) as exc:
                raise BadPayload("the body is not JSON") from exc
            if not isinstance(data, dict):
                raise BadPayload("the JSON body is not an object")
            params.update({str(k): "" if v is None else str(v) for k, v in data.items()})
        else:
            params.update({key: request.POST.get(key, "") for key in request.POST})
    return params


def inbound_from(params: dict[str, str], *, sender_key: str, text_key: str, id_key: str) -> InboundMessage:
    """An inbound message from parameters, validated: a phone number, a text of sane length, a short id."""
    raw_sender = params.get(sender_key, "").strip()
    if not raw_sender:
        raise BadPayload(f"missing {sender_key!r}")
    if text_key not in params:
        raise BadPayload(f"missing {text_key!r}")
    text = params[text_key]
    if len(text) > max_inbound_chars():
        raise BadPayload("text too long")
    sender = try_normalize_phone(raw_sender)
    if sender is None:
        raise BadPayload("the sender is not a phone number")
    gateway_id = params.get(id_key, "").strip()
    if len(gateway_id) > 100:
        raise BadPayload("id too long")
    return InboundMessage(sender=sender, text=text, gateway_id=gateway_id, to=params.get("to", "")[:20])


def form_inbound(request: HttpRequest, *, sender_key: str = "from", text_key: str = "text") -> InboundMessage:
    """The RapidPro "External API" convention: ``from`` and ``text``, with an optional ``id``."""
    return inbound_from(request_params(request), sender_key=sender_key, text_key=text_key, id_key="id")


def form_status(request: HttpRequest, *, action: str) -> StatusUpdate:
    """A status callback: the action names the status (``/delivered``), or a ``status`` parameter does."""
    params = request_params(request)
    gateway_id = params.get("id", "").strip()
    if not gateway_id or len(gateway_id) > 100:
        raise BadPayload("missing or malformed 'id'")
    word = action if action in ("sent", "delivered", "failed") else params.get("status", "").strip().lower()
    status = STATUS_WORDS.get(word)
    if status is None:
        raise BadPayload("unknown status")
    return StatusUpdate(gateway_id=gateway_id, status=status, error=params.get("error", "")[:200])
