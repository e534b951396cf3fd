"""Messaging pages: the gateways' inbound endpoints, and the staff Messages page."""

from __future__ import annotations

import hmac
import logging

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

# A gateway request larger than this is not a text message (ten parts of Arabic, percent-encoded, is ~10 KB).
MAX_HOOK_BYTES = 32 * 1024
HOOK_ACTIONS = frozenset({"receive", "status", "sent", "delivered", "failed"})


def _too_large(request: HttpRequest) -> bool:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return declared > MAX_HOOK_BYTES or len(request.META.get("QUERY_STRING", "")) > MAX_HOOK_BYTES


@csrf_exempt
@require_http_methods(["GET", "POST"])
def hook(request: HttpRequest, channel_id: int | str, token: str, action: str) -> HttpResponse:
    """A gateway delivers a message (``receive``) or a delivery report; only with the channel's token."""
    if action not in HOOK_ACTIONS:
        return HttpResponseNotFound("unknown action", content_type="text/plain")
    channel = Channel.objects.filter(pk=int(channel_id), active=True).first()
    if channel is None or not hmac.compare_digest(channel.inbound_token.encode(), token.encode()):
        return HttpResponseForbidden("forbidden", content_type="text/plain")
    if _too_large(request):
        return HttpResponseBadRequest("too large", content_type="text/plain")
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
