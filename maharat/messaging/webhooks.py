"""Endpoints RapidPro flows call (``/webhooks/rapidpro/…``): look up, register, application status, answers.

Each organization authenticates with one of its API tokens, in the URL (``/webhooks/rapidpro/<token>/lookup/``)
or in the ``Authorization: Token <key>`` header; anything else gets 403. Bodies are RapidPro's default
webhook body or the legacy one; answers are small flat JSON objects a flow reads as ``@webhook.<field>``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from maharat.core.errors import DuplicatePersonError
from maharat.messaging.api_v2 import parse_rate, throttle_wait
from maharat.messaging.broadcasts import token_lookup
from maharat.messaging.flows import (
    BadFlowCall,
    FlowCall,
    application_status,
    flow_results_record,
    parse_flow_call,
    person_for_urn,
    person_register_from_flow,
)
from maharat.messaging.models_api import OrganizationToken
from maharat.messaging.rapidpro_common import ISO3
from maharat.people.choices import ConsentPurpose
from maharat.people.services import has_valid_consent

logger = logging.getLogger("maharat.messaging")
MAX_WEBHOOK_BYTES = 64 * 1024


def _fail(http_status: int, error: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"ok": False, "error": error, **extra}, status=http_status)


def _actor(token: OrganizationToken) -> str:
    return f"rapidpro-webhook:{token.key_prefix}"


def _lookup(call: FlowCall, token: OrganizationToken) -> JsonResponse:
    person = person_for_urn(token.organization, call.urn)
    if person is None:
        return JsonResponse({"ok": True, "found": False})
    return JsonResponse(
        {
            "ok": True,
            "found": True,
            "uuid": str(person.public_id),
            "name": person.display_name,
            "language": ISO3.get(person.preferred_language, "ara"),
            "messaging_consent": has_valid_consent(person, ConsentPurpose.MESSAGING),
        }
    )


def _register(call: FlowCall, token: OrganizationToken) -> JsonResponse:
    existing = person_for_urn(token.organization, call.urn)
    if existing is not None:
        return JsonResponse({"ok": True, "status": "exists", "uuid": str(existing.public_id)})
    try:
        person = person_register_from_flow(organization=token.organization, call=call, actor=_actor(token))
    except DuplicatePersonError:
        # Registered with another organization, which this one may not see: say so without naming the record.
        return _fail(409, "This phone number is already registered.", status="exists_elsewhere")
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        field = next(iter(errors))
        return _fail(400, " ".join(str(m) for m in errors[field]), field=field)
    return JsonResponse({"ok": True, "status": "registered", "uuid": str(person.public_id)}, status=201)


def _status(call: FlowCall, token: OrganizationToken) -> JsonResponse:
    person = person_for_urn(token.organization, call.urn)
    if person is None:
        return JsonResponse({"ok": True, "found": False})
    return JsonResponse({"ok": True, "found": True, **application_status(person)})


def _result(call: FlowCall, token: OrganizationToken, request: HttpRequest) -> JsonResponse:
    try:
        run, recorded = flow_results_record(
            organization=token.organization,
            call=call,
            actor=_actor(token),
            result_name=request.GET.get("result", "")[:64],
        )
    except BadFlowCall as exc:
        return _fail(400, f"Malformed webhook body: {exc}.")
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        field = next(iter(errors))
        return _fail(400, " ".join(str(m) for m in errors[field]), field=field)
    return JsonResponse({"ok": True, "recorded": recorded, "run": str(run.uuid)})


ACTIONS: dict[str, Callable[..., JsonResponse]] = {
    "lookup": _lookup,
    "register": _register,
    "status": _status,
    "result": _result,
}


def _token_from(request: HttpRequest, token: str) -> OrganizationToken | None:
    if not token:
        scheme, _space, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme != "Token":
            return None
    return token_lookup(token.strip())


@csrf_exempt
@require_http_methods(["GET", "POST"])
def flow_webhook(request: HttpRequest, action: str, token: str = "") -> HttpResponse:
    """One flow webhook: authenticate, read the body (default or legacy), answer with flat JSON."""
    handler = ACTIONS.get(action)
    if handler is None:
        return _fail(404, "Unknown webhook.")
    organization_token = _token_from(request, token)
    if organization_token is None:
        return _fail(403, "Invalid token.")
    allowed, window = parse_rate(str(getattr(settings, "MESSAGING_WEBHOOK_RATE", "")), "600/60")
    wait = throttle_wait(organization_token, scope="webhook", allowed=allowed, window=window)
    if wait is not None:
        response = _fail(429, f"Too many webhook calls; try again in {wait} seconds.")
        response["Retry-After"] = str(wait)
        return response
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = MAX_WEBHOOK_BYTES + 1
    if declared > MAX_WEBHOOK_BYTES or len(request.body) > MAX_WEBHOOK_BYTES:
        return _fail(413, "The request body is too large.")
    body: Any = {}
    if request.method == "POST" and request.body.strip():
        try:
            body = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return _fail(400, "The body is not valid JSON.")
        if not isinstance(body, dict):
            return _fail(400, "The body must be a JSON object.")
    try:
        call = parse_flow_call(body, urn=request.GET.get("urn", ""))
    except BadFlowCall as exc:
        return _fail(400, f"Malformed webhook body: {exc}.")
    if action != "result" and not call.urn:
        return _fail(400, "The body names no contact URN.", field="urn")
    if action == "result":
        return handler(call, organization_token, request)
    return handler(call, organization_token)
