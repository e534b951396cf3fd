"""A generic HTTP gateway configured by URL template, as most local SMS aggregators and WhatsApp providers work.

Channel settings: ``url`` with ``{to}``, ``{text}``, ``{id}`` and ``{secret}`` placeholders (filled URL-encoded),
``method`` (GET or POST), an optional ``body`` template (values JSON-escaped when ``content_type`` is JSON,
URL-encoded when it is a form, as they are otherwise), ``content_type``, ``auth_header`` (e.g. ``Authorization: Bearer {secret}``), ``success_codes`` (default
200, 201, 202) and ``id_field`` (a top-level field of a JSON answer holding the gateway's message id).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import quote

import requests

from maharat.messaging.channels.base import (
    ChannelClient,
    SendResult,
    http_failure,
    http_request,
    http_status_result,
)

if TYPE_CHECKING:
    from maharat.messaging.models import Message

DEFAULT_SUCCESS = {200, 201, 202}


def fill(template: str, values: dict[str, str], escape: str = "") -> str:
    """Replace {name} placeholders; only the named ones, so braces elsewhere in a body are left alone."""
    for name, value in values.items():
        if escape == "url":
            value = quote(value, safe="")
        elif escape == "json":
            value = json.dumps(value)[1:-1]
        template = template.replace("{" + name + "}", value)
    return template


class HttpClient(ChannelClient):
    """Any gateway reachable by one HTTP request per message."""

    def success_codes(self) -> set[int]:
        """HTTP statuses that mean the gateway accepted the message."""
        codes = self.channel.config.get("success_codes") if isinstance(self.channel.config, dict) else None
        if isinstance(codes, list) and codes:
            return {int(code) for code in codes}
        return set(DEFAULT_SUCCESS)

    def send(self, message: Message) -> SendResult:
        """Fill the templates and make the request."""
        values = {
            "to": message.phone,
            "text": message.text,
            "id": str(message.pk),
            "secret": self.channel.secret(),
        }
        method = (self.channel.setting("method", "GET") or "GET").upper()
        url = fill(self.channel.setting("url"), values, escape="url")
        headers = {}
        content_type = self.channel.setting("content_type")
        if content_type:
            headers["Content-Type"] = content_type
        auth = self.channel.setting("auth_header")
        if auth and ":" in auth:
            name, value = auth.split(":", 1)
            headers[name.strip()] = fill(value.strip(), values)
        body_template = self.channel.setting("body")
        body = None
        if body_template:
            escape = "json" if "json" in content_type else "url" if "urlencoded" in content_type else ""
            body = fill(body_template, values, escape=escape).encode("utf-8")
        try:
            response = http_request(method, url, data=body, headers=headers)
        except requests.RequestException as exc:
            return http_failure(exc)
        result = http_status_result(response, self.success_codes(), gateway_id=str(message.pk))
        id_field = self.channel.setting("id_field")
        if result.ok and id_field:
            try:
                answer = response.json()
            except ValueError:
                answer = None
            if isinstance(answer, dict) and answer.get(id_field) not in (None, ""):
                return SendResult(ok=True, gateway_id=str(answer[id_field])[:100])
        return result
