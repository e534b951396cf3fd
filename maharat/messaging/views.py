"""Messaging pages: the gateways' inbound endpoints, and the staff Messages page."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
)
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from maharat.messaging import access, selectors
from maharat.messaging.channels import client_for
from maharat.messaging.channels.base import BadPayload
from maharat.messaging.choices import BlockReason, Status
from maharat.messaging.inbound import inbound_handle
from maharat.messaging.models import Channel
from maharat.messaging.services import message_status_update

logger = logging.getLogger("maharat.messaging")

# A gateway request larger than this is not a text message: 1,600 characters of Arabic, percent-encoded, is
# about 9.6 KB. Larger bodies or query strings are refused with 413 before anything is read or stored.
MAX_HOOK_BYTES = 16 * 1024
HOOK_ACTIONS = frozenset({"receive", "status", "sent", "delivered", "failed"})
# The header a gateway signs its requests in, unless the channel names another (``signature_header``).
SIGNATURE_HEADER = "X-Maharat-Signature"


def _too_large(request: HttpRequest) -> bool:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return declared > MAX_HOOK_BYTES or len(request.META.get("QUERY_STRING", "")) > MAX_HOOK_BYTES


def signed_content(query_string: str, body: bytes) -> bytes:
    """What a gateway signs: the raw query string, a newline and the raw body; only one when the other is empty."""
    if query_string and body:
        return query_string.encode() + b"\n" + body
    return query_string.encode() if query_string else body


def signature_for(secret: str, content: bytes) -> str:
    """The hex HMAC-SHA256 of the content under the channel's signing secret."""
    return hmac.new(secret.encode(), content, hashlib.sha256).hexdigest()


def _signature_ok(channel: Channel, request: HttpRequest) -> bool:
    """True when the channel does not sign its requests, or when this request carries a valid signature.

    A channel signs when its settings name the environment variable of the signing secret
    (``signature_env``). Then every request must carry ``sha256=<hex>`` (or just the hex) in the signature
    header; an unset variable refuses everything rather than accepting unsigned requests.
    """
    env_name = channel.setting("signature_env")
    if not env_name:
        return True
    secret = os.environ.get(env_name, "")
    if not secret:
        logger.error("channel %s requires signatures but %s is not set: refusing", channel.pk, env_name)
        return False
    header = channel.setting("signature_header", SIGNATURE_HEADER) or SIGNATURE_HEADER
    given = (request.headers.get(header) or "").strip()
    if given.lower().startswith("sha256="):
        given = given[len("sha256=") :]
    if not given:
        return False
    expected = signature_for(secret, signed_content(request.META.get("QUERY_STRING", ""), request.body))
    return hmac.compare_digest(expected.encode(), given.lower().encode())


@csrf_exempt
@require_http_methods(["GET", "POST"])
def hook(request: HttpRequest, channel_id: int | str, token: str, action: str) -> HttpResponse:
    """A gateway delivers a message (``receive``) or a delivery report; only with the channel's token.

    Refusals store nothing: 403 for a wrong token or a missing or wrong signature, 413 for a request too
    large to be a text message, 400 for a malformed one.
    """
    if action not in HOOK_ACTIONS:
        return HttpResponseNotFound("unknown action", content_type="text/plain")
    channel = Channel.objects.filter(pk=int(channel_id), active=True).first()
    if channel is None or not hmac.compare_digest(channel.inbound_token.encode(), token.encode()):
        return HttpResponseForbidden("forbidden", content_type="text/plain")
    if _too_large(request):
        return HttpResponse("too large", status=413, content_type="text/plain")
    if not _signature_ok(channel, request):
        return HttpResponseForbidden("bad signature", content_type="text/plain")
    client = client_for(channel)
    try:
        if action == "receive":
            inbound_handle(channel=channel, inbound=client.parse_inbound(request))
        else:
            update = client.parse_status(request, action=action)
            message = message_status_update(
                channel=channel, gateway_id=update.gateway_id, status=update.status, error=update.error
            )
            if message is None:
                return HttpResponseNotFound("unknown message", content_type="text/plain")
    except BadPayload as exc:
        logger.info("channel %s refused a %s request: %s", channel.pk, action, exc)
        return HttpResponseBadRequest(str(exc), content_type="text/plain")
    # Empty: Kannel would text a non-empty answer back to the phone (replies go through the outbox instead).
    return HttpResponse("", content_type="text/plain")


@login_required
def message_list_view(request: HttpRequest) -> HttpResponse:
    """Recent messages of the people the user may see, and how the outbox stands on each channel."""
    if not access.can_view_messages(request.user):
        raise PermissionDenied
    raw_after = request.GET.get("after", "")
    after = int(raw_after) if raw_after.isdigit() else None
    page, next_cursor = selectors.message_list(request.user, after_id=after)
    reasons = dict(BlockReason.choices)
    rows = [
        {
            "message": m,
            "reason": reasons.get(m.error, "") if m.status == Status.BLOCKED else m.error,
            "long": m.parts > settings.MESSAGING_MAX_PARTS_WARNING,
        }
        for m in page
    ]
    context = {
        "rows": rows,
        "next_cursor": next_cursor,
        "first_page": after is None,
        "outbox": selectors.outbox_state() if after is None else [],
        "statuses": [Status(s).label for s in selectors.OUTBOX_STATUSES],
        "max_parts": settings.MESSAGING_MAX_PARTS_WARNING,
    }
    return render(request, "messaging/message_list.html", context)
