"""RapidPro or TextIt as a channel: messages go out as API v2 broadcasts to one URN, with ``rapidpro-python``.

Channel settings: ``host`` (e.g. ``https://textit.com``) and ``urn_scheme`` (``tel`` by default, ``whatsapp``
for a WhatsApp channel); the API token comes from the channel's environment variable. Messages come back
through the "External API" conventions shared by every channel (``/receive`` with ``from`` and ``text``;
``/sent``, ``/delivered`` and ``/failed`` with ``id``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import requests
from temba_client.exceptions import (
    TembaBadRequestError,
    TembaConnectionError,
    TembaException,
    TembaHttpError,
    TembaNoSuchObjectError,
    TembaRateExceededError,
    TembaSerializationException,
    TembaTokenError,
)
from temba_client.v2 import TembaClient

from maharat.messaging.channels.base import ChannelClient, SendResult, http_request

if TYPE_CHECKING:
    from maharat.messaging.models import Message


class TimedTembaClient(TembaClient):  # type: ignore[misc]
    """The official client, with its requests made through Maharat's transport (which has a time-out)."""

    def _request(
        self, method: str, url: str, params: Any = None, body: Any = None, retry_on_rate_exceed: bool = False
    ) -> Any:
        try:
            response = http_request(
                method,
                url,
                headers=self.headers,
                params=params or None,
                data=json.dumps(body) if body else None,
                verify=True if self.verify_ssl is None else self.verify_ssl,
            )
        except requests.RequestException as exc:
            raise TembaConnectionError() from exc
        if response.status_code == 400:
            try:
                errors = response.json()
            except ValueError:
                errors = {"detail": response.text[:200]}
            raise TembaBadRequestError(errors)
        if response.status_code == 403:
            raise TembaTokenError()
        if response.status_code == 404:
            raise TembaNoSuchObjectError()
        if response.status_code == 429:
            retry_after = response.headers.get("retry-after", "")
            raise TembaRateExceededError(int(retry_after) if retry_after.isdigit() else 0)
        try:
            response.raise_for_status()
        except requests.HTTPError as exc:
            raise TembaHttpError(exc) from exc
        return response.json() if response.content else None


def urn_for(phone: str, scheme: str) -> str:
    """A RapidPro URN for an E.164 number: ``tel:+9627…``, or ``whatsapp:9627…`` (no plus)."""
    if scheme == "tel":
        return f"tel:{phone}"
    return f"{scheme}:{phone.lstrip('+')}"


class RapidProClient(ChannelClient):
    """Sends through a RapidPro workspace's API token."""

    def temba(self) -> TembaClient:
        """The API client for this channel's workspace."""
        return TimedTembaClient(self.channel.setting("host"), self.channel.secret(), user_agent="maharat")

    def send(self, message: Message) -> SendResult:
        """Create a broadcast to the person's URN; its uuid is the gateway id."""
        urn = urn_for(message.phone, self.channel.setting("urn_scheme", "tel") or "tel")
        try:
            broadcast = self.temba().create_broadcast(text=message.text, urns=[urn])
        except TembaSerializationException:
            # RapidPro accepted the broadcast (2xx) but answered in a shape this client cannot read: sending it
            # again would text the person twice, so it counts as sent, without an id for delivery reports.
            return SendResult(ok=True)
        except (TembaTokenError, TembaBadRequestError, TembaNoSuchObjectError) as exc:
            return SendResult(ok=False, error=f"RapidPro refused: {exc}"[:500], retryable=False)
        except TembaHttpError as exc:
            response = getattr(exc.caused_by, "response", None)
            status = getattr(response, "status_code", 500)
            return SendResult(ok=False, error=f"RapidPro HTTP {status}", retryable=status >= 500)
        except TembaException as exc:  # time-outs, refused connections, rate limits
            return SendResult(ok=False, error=f"RapidPro: {exc.__class__.__name__}", retryable=True)
        gateway_id = getattr(broadcast, "uuid", None) or getattr(broadcast, "id", None) or ""
        return SendResult(ok=True, gateway_id=str(gateway_id)[:100])
