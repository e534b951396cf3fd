"""A RapidPro API v2-compatible subset at ``/api/v2/``: contacts, messages, broadcasts and flow runs.

Same authentication (``Authorization: Token <key>``, a token of one organization), same JSON shapes, cursor
paging with ``next``/``previous`` URLs, and the same errors (403 bad token, 404, 400 with field errors, 429
with ``Retry-After``), so RapidPro tools and the official ``rapidpro-python`` client work against Maharat.
Contacts are the people the token's organization may see who consented to receive text messages.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from maharat.core.errors import DomainError, DuplicatePersonError
from maharat.messaging import broadcasts as broadcast_services
from maharat.messaging.access_broadcasts import messageable_people, organization_people
from maharat.messaging.choices import Direction, Status
from maharat.messaging.models import Message, OptOut
from maharat.messaging.models_api import Broadcast, BroadcastStatus, FlowRun, OrganizationToken, Segment
from maharat.messaging.rapidpro_common import (
    ISO3,
    contact_fields,
    language_from_iso3,
    name_parts,
    parse_uuid,
    phone_from_urn,
    registry_values,
    urn_for_phone,
)
from maharat.messaging.segments import apply_segment_filters
from maharat.messaging.services import message_send_to_person
from maharat.people.choices import ConsentChannel, ConsentPurpose
from maharat.people.models import Person
from maharat.people.services import person_register, person_update

MAX_BODY_BYTES = 256 * 1024
GROUPS_SHOWN = 50
# Messages and channels have integer ids in Maharat; their UUIDs in this API encode the id, so they are stable.
_MESSAGE_UUID = "00000000-0000-4000-8000-"
_CHANNEL_UUID = "00000000-0000-4000-9000-"


class ApiError(Exception):
    """An error answered as RapidPro answers it: a status and a JSON body."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def _field_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# Authentication and rate limit ----------------------------------------------------------------------------


def _token(request: HttpRequest) -> OrganizationToken:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _space, key = header.partition(" ")
    token = broadcast_services.token_lookup(key.strip()) if scheme == "Token" else None
    if token is None:
        raise ApiError(403, {"detail": "Invalid token."})
    return token


def parse_rate(raw: str, default: str) -> tuple[int, int]:
    """A rate written ``"count/seconds"`` (e.g. ``"2500/3600"``) as (count, seconds)."""
    count, _slash, seconds = (raw or default).partition("/")
    return int(count), max(int(seconds or 3600), 1)


def rate_limit() -> tuple[int, int]:
    """Requests allowed per token and the window in seconds (``MESSAGING_API_RATE``, e.g. ``"2500/3600"``)."""
    return parse_rate(str(getattr(settings, "MESSAGING_API_RATE", "2500/3600")), "2500/3600")


def throttle_wait(token: OrganizationToken, *, scope: str, allowed: int, window: int) -> int | None:
    """Count one request of the token in this window; the seconds to wait when it is over the limit, else None."""
    now = int(time.time())
    slot = now // window
    key = f"maharat:{scope}-rate:{token.pk}:{slot}"
    cache.add(key, 0, timeout=window + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        used = 1
    if used > allowed:
        return (slot + 1) * window - now
    return None


def _throttle(token: OrganizationToken) -> None:
    allowed, window = rate_limit()
    wait = throttle_wait(token, scope="apiv2", allowed=allowed, window=window)
    if wait is not None:
        raise ApiError(
            429,
            {"detail": f"Request was throttled. Expected available in {wait} seconds."},
            {"Retry-After": str(wait)},
        )


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_BODY_BYTES:
        raise ApiError(413, {"detail": "Request body too large."})
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, {"detail": "JSON parse error."}) from None
    if not isinstance(body, dict):
        raise ApiError(400, {"non_field_errors": ["Expected a JSON object."]})
    return body


def endpoint(
    handlers: dict[str, Callable[[HttpRequest, OrganizationToken], HttpResponse]],
) -> Callable[..., Any]:
    """A view answering the methods given, after authenticating and counting the request."""

    @csrf_exempt
    def view(request: HttpRequest) -> HttpResponse:
        try:
            token = _token(request)
            _throttle(token)
            handler = handlers.get(request.method or "")
            if handler is None:
                raise ApiError(405, {"detail": f'Method "{request.method}" not allowed.'})
            return handler(request, token)
        except ApiError as exc:
            response = JsonResponse(exc.body, status=exc.status)
            for name, value in exc.headers.items():
                response[name] = value
            return response

    return view


# Paging ---------------------------------------------------------------------------------------------------


def page_size() -> int:
    """Results per page (``MESSAGING_API_PAGE_SIZE``; RapidPro uses 250)."""
    return max(int(getattr(settings, "MESSAGING_API_PAGE_SIZE", 250)), 1)


def _encode_cursor(when: dt.datetime, pk: int, direction: str) -> str:
    raw = json.dumps([when.isoformat(), pk, direction]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[dt.datetime, int, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, pk, direction = json.loads(raw)
        when = dt.datetime.fromisoformat(stamp)
        if direction not in ("n", "p") or not isinstance(pk, int):
            raise ValueError(direction)
    except (ValueError, TypeError):
        raise ApiError(404, {"detail": "Invalid cursor"}) from None
    return when, pk, direction


def _page_url(request: HttpRequest, cursor: str) -> str:
    params = [(k, v) for k, values in request.GET.lists() for v in values if k != "cursor"]
    params.append(("cursor", cursor))
    return request.build_absolute_uri(request.path) + "?" + urlencode(params)


def paginate(
    request: HttpRequest, rows: QuerySet[Any], field: str
) -> tuple[list[Any], str | None, str | None]:
    """One page of rows newest first by ``field`` (oldest first with ``reverse``), with next and previous URLs."""
    ascending = request.GET.get("reverse", "").lower() in ("1", "true")
    size = page_size()
    cursor = request.GET.get("cursor", "")
    forward = ("", "-")[not ascending]
    backward = ("-", "")[not ascending]
    direction = "n"
    if cursor:
        when, pk, direction = _decode_cursor(cursor)
        later = (direction == "n") != (not ascending)  # whether the page lies at higher values of the field
        op = "gt" if later else "lt"
        rows = rows.filter(Q(**{f"{field}__{op}": when}) | Q(**{field: when, f"pk__{op}": pk}))
    order = (
        (f"{forward}{field}", f"{forward}pk") if direction == "n" else (f"{backward}{field}", f"{backward}pk")
    )
    fetched = list(rows.order_by(*order)[: size + 1])
    more = len(fetched) > size
    page = fetched[:size]
    if direction == "p":
        page.reverse()
    if not page:
        return [], None, None
    first, last = page[0], page[-1]
    has_next = more if direction == "n" else True
    has_previous = bool(cursor) if direction == "n" else more
    next_url = _page_url(request, _encode_cursor(getattr(last, field), last.pk, "n")) if has_next else None
    previous_url = (
        _page_url(request, _encode_cursor(getattr(first, field), first.pk, "p")) if has_previous else None
    )
    return page, next_url, previous_url


def _listing(
    request: HttpRequest, rows: QuerySet[Any], field: str, render: Callable[[list[Any]], list[Any]]
) -> JsonResponse:
    page, next_url, previous_url = paginate(request, rows, field)
    return JsonResponse({"next": next_url, "previous": previous_url, "results": render(page)})


def _time_filters(request: HttpRequest, rows: QuerySet[Any], field: str) -> QuerySet[Any]:
    for param, op in (("before", "lte"), ("after", "gte")):
        raw = request.GET.get(param)
        if raw:
            when = parse_datetime(raw)
            if when is None:
                raise ApiError(400, {param: ["Invalid datetime."]})
            if timezone.is_naive(when):
                when = timezone.make_aware(when, dt.UTC)
            rows = rows.filter(**{f"{field}__{op}": when})
    return rows


# Contacts -------------------------------------------------------------------------------------------------


def _contacts(token: OrganizationToken) -> QuerySet[Person]:
    return messageable_people(token.organization).select_related("governorate")


def _segments(token: OrganizationToken) -> list[Segment]:
    return list(Segment.objects.filter(organization=token.organization).order_by("name", "pk")[:GROUPS_SHOWN])


def _render_contacts(token: OrganizationToken, people: list[Person]) -> list[dict[str, Any]]:
    ids = [p.pk for p in people]
    groups: dict[int, list[dict[str, str]]] = {pk: [] for pk in ids}
    if ids:
        today = timezone.localdate()
        for segment in _segments(token):
            members = apply_segment_filters(Person.objects.filter(pk__in=ids), segment.filters, today)
            for pk in members.values_list("pk", flat=True):
                groups[pk].append({"uuid": str(segment.uuid), "name": segment.name})
    phones = [p.phone for p in people if p.phone]
    stopped = set(
        OptOut.objects.filter(Q(phone__in=phones) | Q(person_id__in=ids), active=True).values_list(
            "phone", "person_id"
        )
    )
    stopped_people = {pk for _phone, pk in stopped} | {
        p.pk for p in people if p.phone in {ph for ph, _pk in stopped}
    }
    seen = dict(
        Message.objects.filter(person_id__in=ids, direction=Direction.IN)
        .values("person_id")
        .order_by()
        .annotate(last=Max("created_at"))
        .values_list("person_id", "last")
    )
    results = []
    for person in people:
        is_stopped = person.pk in stopped_people
        results.append(
            {
                "uuid": str(person.public_id),
                "name": person.display_name or None,
                "status": "stopped" if is_stopped else "active",
                "language": ISO3.get(person.preferred_language),
                "urns": urn_for_phone(person.phone),
                "groups": groups.get(person.pk, []),
                "fields": contact_fields(person),
                "flow": None,
                "blocked": False,
                "stopped": is_stopped,
                "created_on": _iso(person.created_at),
                "modified_on": _iso(person.updated_at),
                "last_seen_on": _iso(seen.get(person.pk)),
            }
        )
    return results


def _find_contact(request: HttpRequest, token: OrganizationToken) -> Person:
    uuid_param, urn_param = request.GET.get("uuid"), request.GET.get("urn")
    people = _contacts(token)
    if uuid_param:
        parsed = parse_uuid(uuid_param)
        person = people.filter(public_id=parsed).first() if parsed else None
    elif urn_param:
        phone = phone_from_urn(urn_param)
        person = people.filter(phone=phone).first() if phone else None
    else:
        raise ApiError(
            400, {"non_field_errors": ["URL must contain one of the following parameters: urn, uuid"]}
        )
    if person is None:
        raise ApiError(404, {"detail": "Not found."})
    return person


def _contact_values(body: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if body.get("groups"):
        errors["groups"] = [
            "Groups are segments of the registry, computed from contact fields; they cannot be set."
        ]
    if "name" in body:
        name = str(body.get("name") or "").strip()
        if name:
            values.update(name_parts(name))
        elif creating:
            errors["name"] = ["This field is required."]
    elif creating:
        errors["name"] = ["This field is required."]
    if body.get("language"):
        try:
            values["preferred_language"] = language_from_iso3(str(body["language"]))
        except ValidationError as exc:
            errors.update(_field_errors(exc))
    if "urns" in body:
        urns = body.get("urns")
        phones = [phone_from_urn(str(u)) for u in urns] if isinstance(urns, list) else [None]
        if not phones or any(p is None for p in phones) or len(set(phones)) > 1:
            errors["urns"] = ["Give one phone number as a URN, e.g. tel:+962791234567."]
        else:
            values["phone"] = phones[0]
    elif creating:
        errors["urns"] = ["This field is required."]
    fields = body.get("fields") or {}
    if not isinstance(fields, dict):
        errors["fields"] = ["Expected a dictionary of field values."]
    else:
        try:
            values.update(registry_values(fields, partial=not creating))
        except ValidationError as exc:
            errors["fields"] = [f"{k}: {m}" for k, ms in _field_errors(exc).items() for m in ms]
    if errors:
        raise ApiError(400, errors)
    return values


def _actor(token: OrganizationToken) -> str:
    return f"api-token:{token.key_prefix}"


def contacts_get(request: HttpRequest, token: OrganizationToken) -> HttpResponse:
    """Contacts, newest change first; filters uuid, urn, group (segment uuid or name), deleted, before, after."""
    people = _contacts(token)
    if request.GET.get("deleted", "").lower() in ("1", "true"):
        people = people.none()  # Maharat keeps no deleted contacts to list
    if request.GET.get("uuid"):
        parsed = parse_uuid(request.GET["uuid"])
        people = people.filter(public_id=parsed) if parsed else people.none()
    if request.GET.get("urn"):
        phone = phone_from_urn(request.GET["urn"])
        people = people.filter(phone=phone) if phone else people.none()
    if request.GET.get("group"):
        wanted = request.GET["group"]
        segments = Segment.objects.filter(organization=token.organization)
        parsed = parse_uuid(wanted)
        segment = (segments.filter(uuid=parsed) if parsed else segments.filter(name=wanted)).first()
        if segment is None:
            raise ApiError(400, {"group": [f"No such object: {wanted}"]})
        people = apply_segment_filters(people, segment.filters, timezone.localdate())
    people = _time_filters(request, people, "updated_at")
    return _listing(request, people, "updated_at", lambda page: _render_contacts(token, page))


def contacts_post(request: HttpRequest, token: OrganizationToken) -> HttpResponse:
    """Create a contact (registering the person with consent) or, with ?uuid= or ?urn=, update one."""
    body = _json_body(request)
    updating = bool(request.GET.get("uuid") or request.GET.get("urn"))
    person = _find_contact(request, token) if updating else None
    values = _contact_values(body, creating=person is None)
    try:
        with transaction.atomic():
            if person is None:
                person = person_register(
                    actor=_actor(token),
                    data=values,
                    consent_purposes=[ConsentPurpose.REGISTRATION, ConsentPurpose.MESSAGING],
                    consent_channel=ConsentChannel.IMPORT,
                    organization=token.organization,
                    reason="registered through the RapidPro-compatible API",
                )
                status = 201
            else:
                person_update(
                    actor=_actor(token), person=person, data=values, reason="changed through the API"
                )
                status = 200
    except DuplicatePersonError:
        raise ApiError(400, {"urns": ["URN belongs to another contact."]}) from None
    except ValidationError as exc:
        raise ApiError(400, _field_errors(exc)) from None
    person = _contacts(token).get(pk=person.pk)
    return JsonResponse(_render_contacts(token, [person])[0], status=status)


def contacts_delete(request: HttpRequest, token: OrganizationToken) -> HttpResponse:
    """Partner systems may not erase registry records: deletion is the person's right, asked through staff."""
    _find_contact(request, token)
    raise ApiError(405, {"detail": "Contacts are registry records and cannot be deleted through the API."})


# Messages -------------------------------------------------------------------------------------------------

_API_STATUS = {
    Status.QUEUED: "queued",
    Status.SENDING: "wired",
    Status.SENT: "sent",
    Status.DELIVERED: "delivered",
    Status.FAILED: "failed",
    Status.BLOCKED: "failed",
    Status.RECEIVED: "pending",
    Status.PENDING: "pending",
    Status.HANDLED: "handled",
}


def message_uuid(pk: int) -> str:
    """The API UUID of a message."""
    return f"{_MESSAGE_UUID}{pk:012x}"


def _message_pk(value: str) -> int | None:
    if not value.startswith(_MESSAGE_UUID):
        return None
    try:
        return int(value[len(_MESSAGE_UUID) :], 16)
    except ValueError:
        return None


def _messages(token: OrganizationToken) -> QuerySet[Message]:
    return Message.objects.filter(
        person__in=messageable_people(token.organization).values("pk")
    ).select_related("person", "channel")


def _render_messages(messages: list[Message]) -> list[dict[str, Any]]:
    return [
        {
            "id": m.pk,
            "uuid": message_uuid(m.pk),
            "broadcast": None,
            "contact": {"uuid": str(m.person.public_id), "name": m.person.display_name} if m.person else None,
            "urn": f"tel:{m.phone}" if m.phone else None,
            "channel": {"uuid": f"{_CHANNEL_UUID}{m.channel_id:012x}", "name": m.channel.name}
            if m.channel is not None
            else None,
            "direction": "out" if m.direction == Direction.OUT else "in",
            "type": "text",
            "status": _API_STATUS.get(Status(m.status), "queued"),
            "visibility": "visible",
            "text": m.text,
            "labels": [],
            "attachments": [],
            "quick_replies": [],
            "flow": None,
            "archived": False,
            "created_on": _iso(m.created_at),
            "sent_on": _iso(m.sent_at),
            "modified_on": _iso(m.updated_at),
        }
        for m in messages
    ]


_FOLDERS: dict[str, Q] = {
    "inbox": Q(direction=Direction.IN),
    "incoming": Q(direction=Direction.IN),
    "outbox": Q(direction=Direction.OUT, status__in=[Status.QUEUED, Status.SENDING]),
    "sent": Q(direction=Direction.OUT, status__in=[Status.SENT, Status.DELIVERED]),
    "failed": Q(direction=Direction.OUT, status__in=[Status.FAILED, Status.BLOCKED]),
}


def messages_get(request: HttpRequest, token: OrganizationToken) -> HttpResponse:
    """Messages to and from the organization's contacts; filters id, uuid, contact, folder, broadcast, before, after."""
    messages = _messages(token)
    if request.GET.get("uuid"):
        pk = _message_pk(request.GET["uuid"])
        messages = messages.filter(pk=pk) if pk is not None else messages.none()
    if request.GET.get("id"):
        raw = request.GET["id"]
        messages = messages.filter(pk=int(raw)) if raw.isdigit() else messages.none()
    if request.GET.get("contact"):
        parsed = parse_uuid(request.GET["contact"])
        messages = messages.filter(person__public_id=parsed) if parsed else messages.none()
    if request.GET.get("folder"):
        folder = _FOLDERS.get(request.GET["folder"].lower())
        if folder is None:
            raise ApiError(400, {"folder": [f"Invalid folder name: {request.GET['folder']}"]})
        messages = messages.filter(folder)
    if request.GET.get("broadcast"):
        parsed = parse_uuid(request.GET["broadcast"])
        broadcast = (
            Broadcast.objects.filter(organization=token.organization, uuid=parsed).first() if parsed else None
        )
        messages = (
            messages.filter(pk__in=broadcast.recipients.values("message_id"))
            if broadcast
            else messages.none()
        )
    messages = _time_filters(request, messages, "created_at")
    return _listing(request, messages, "created_at", _render_messages)


def messages_post(request: HttpRequest, token: OrganizationToken) -> HttpResponse:
    """Send one message to a contact: ``{"contact": uuid, "text": "…"}`` (not essential: opt-outs apply)."""
    body = _json_body(request)
    errors: dict[str, list[str]] = {}
    text = str(body.get("text") or "").strip()
    if not text:
        errors["text"] = ["This field is required."]
    if body.get("attachments"):
        errors["attachments"] = ["Attachments are not supported: text messages only."]
    parsed = parse_uuid(str(body.get("contact") or ""))
    person = _contacts(token).filter(public_id=parsed).first() if parsed else None
    if person is None:
        errors["contact"] = ["No such contact."]
    if errors or person is None:
        raise ApiError(400, errors)
    key = f"api:{token.pk}:{request.META.get('HTTP_X_IDEMPOTENCY_KEY') or timezone.now().timestamp()}:{person.pk}"
    with transaction.atomic():
        message = message_send_to_person(person=person, text=text, idempotency_key=key)
    message = _messages(token).get(pk=message.pk)
    return JsonResponse(_render_messages([message])[0], status=201)


# Broadcasts -----------------------------------------------------------------------------------------------

_BROADCAST_STATUS = {
    BroadcastStatus.SCHEDULED: "queued",
    BroadcastStatus.SENDING: "started",
    BroadcastStatus.SENT: "completed",
    BroadcastStatus.CANCELLED: "interrupted",
}


def _broadcast_text(broadcast: Broadcast) -> Any:
    if broadcast.template is not None:
        return {"ara": broadcast.template.text_ar, "eng": broadcast.template.text_en}
    if broadcast.text_ar == broadcast.text_en or not (broadcast.text_ar and broadcast.text_en):
        return broadcast.text_ar or broadcast.text_en
    return {"ara": broadcast.text_ar, "eng": broadcast.text_en}


def _render_broadcasts(broadcasts: list[Broadcast]) -> list[dict[str, Any]]:
    return [
        {
            "id": b.pk,
            "uuid": str(b.uuid),
            "urns": list(b.urns or []),
            "contacts": [{"uuid": str(p.public_id), "name": p.display_name} for p in b.people.all()],
            "groups": [{"uuid": str(b.segment.uuid), "name": b.segment.name}]
            if b.segment is not None
            else [],
            "text": _broadcast_text(b),
            "status": _BROADCAST_STATUS[BroadcastStatus(b.status)],
            "created_on": _iso(b.created_at),
        }
        for b in broadcasts
    ]


def broadcasts_get(request: HttpRequest, token: OrganizationToken) -> HttpResponse:
    """The organization's broadcasts, newest first; filters uuid, before, after."""
    rows = Broadcast.objects.filter(organization=token.organization).select_related("segment", "template")
    rows = rows.prefetch_related("people")
    if request.GET.get("uuid"):
        parsed = parse_uuid(request.GET["uuid"])
        rows = rows.filter(uuid=parsed) if parsed else rows.none()
    rows = _time_filters(request, rows, "created_at")
    return _listing(request, rows, "created_at", _render_broadcasts)


def _broadcast_texts(raw: Any) -> dict[str, str]:
    if isinstance(raw, str) and raw.strip():
        return {"text_ar": raw.strip(), "text_en": raw.strip()}
    if isinstance(raw, dict) and raw:
        texts: dict[str, str] = {}
        for code, value in raw.items():
            language = {"ara": "ar", "eng": "en", "ar": "ar", "en": "en"}.get(str(code))
            if language is None or not isinstance(value, str):
                raise ApiError(400, {"text": [f"Unsupported language: {code}. Use ara or eng."]})
            texts[f"text_{language}"] = value.strip()
        if any(texts.values()):
            return texts
    raise ApiError(400, {"text": ["This field is required."]})


def _recipients(
    token: OrganizationToken, body: dict[str, Any]
) -> tuple[Segment | None, list[Person], list[str]]:
    people = _contacts(token)
    errors: dict[str, list[str]] = {}
    listed: dict[int, Person] = {}
    urns = [str(u) for u in body.get("urns") or []]
    for urn in urns:
        phone = phone_from_urn(urn)
        person = people.filter(phone=phone).first() if phone else None
        if person is None:
            errors.setdefault("urns", []).append(f"No contact may be messaged at {urn}.")
        else:
            listed[person.pk] = person
    for value in body.get("contacts") or []:
        parsed = parse_uuid(str(value))
        person = people.filter(public_id=parsed).first() if parsed else None
        if person is None:
            errors.setdefault("contacts", []).append(f"No such object: {value}")
        else:
            listed[person.pk] = person
    segments = []
    for value in body.get("groups") or []:
        parsed = parse_uuid(str(value))
        segment = (
            Segment.objects.filter(organization=token.organization, uuid=parsed).first() if parsed else None
        )
        if segment is None:
            errors.setdefault("groups", []).append(f"No such object: {value}")
        else:
            segments.append(segment)
    if errors:
        raise ApiError(400, errors)
    if len(segments) == 1 and not listed:
        return segments[0], [], urns
    for segment in segments:  # several groups, or groups with contacts: one list of people
        today = timezone.localdate()
        for person in apply_segment_filters(people, segment.filters, today):
            listed[person.pk] = person
    if not listed and not segments:
        raise ApiError(400, {"non_field_errors": ["Must provide either urns, contacts or groups."]})
    if not listed:
        raise ApiError(400, {"groups": ["These groups have no contacts."]})
    return None, list(listed.values()), urns


def broadcasts_post(request: HttpRequest, token: OrganizationToken) -> HttpResponse:
    """Send a text (or a text per language: ``{"ara": …, "eng": …}``) to URNs, contacts or groups, now."""
    from maharat.messaging.tasks_broadcasts import broadcast_start

    body = _json_body(request)
    texts = _broadcast_texts(body.get("text"))
    segment, people, urns = _recipients(token, body)
    try:
        with transaction.atomic():
            broadcast = broadcast_services.broadcast_create(
                actor=_actor(token),
                organization=token.organization,
                segment=segment,
                people=people,
                via_api=True,
                urns=urns,
                text_ar=texts.get("text_ar", ""),
                text_en=texts.get("text_en", ""),
            )
            transaction.on_commit(lambda: broadcast_start(broadcast.pk))
    except DomainError as exc:
        raise ApiError(400, _field_errors(exc)) from None
    broadcast = Broadcast.objects.select_related("segment", "template").get(pk=broadcast.pk)
    return JsonResponse(_render_broadcasts([broadcast])[0], status=201)


# Runs -----------------------------------------------------------------------------------------------------


def _render_runs(runs: list[FlowRun]) -> list[dict[str, Any]]:
    results = []
    for run in runs:
        if run.person is not None:
            contact: dict[str, str | None] = {
                "uuid": str(run.person.public_id),
                "name": run.person.display_name,
            }
        else:
            contact = {"uuid": run.contact_uuid, "name": None}
        values = {
            r.key: {
                "name": r.name,
                "value": r.value,
                "category": r.category or None,
                "node": r.node_uuid or None,
                "time": _iso(r.answered_at),
                "input": r.input or None,
            }
            for r in run.results.all()
        }
        results.append(
            {
                "id": run.pk,
                "uuid": str(run.uuid),
                "flow": {"uuid": run.flow_uuid, "name": run.flow_name},
                "contact": contact,
                "start": None,
                "responded": bool(values),
                "path": [],
                "values": values,
                "created_on": _iso(run.created_at),
                "modified_on": _iso(run.updated_at),
                "exited_on": None,
                "exit_type": None,
            }
        )
    return results


def runs_get(request: HttpRequest, token: OrganizationToken) -> HttpResponse:
    """Flow runs whose answers Maharat recorded through webhooks; filters uuid, flow, contact, responded, before, after."""
    visible = organization_people(token.organization).values("pk")
    runs = (
        FlowRun.objects.filter(organization=token.organization)
        .filter(Q(person__isnull=True) | Q(person__in=visible))
        .select_related("person")
        .prefetch_related("results")
    )
    if request.GET.get("uuid"):
        parsed = parse_uuid(request.GET["uuid"])
        runs = runs.filter(uuid=parsed) if parsed else runs.none()
    if request.GET.get("flow"):
        runs = runs.filter(flow_uuid=request.GET["flow"])
    if request.GET.get("contact"):
        parsed = parse_uuid(request.GET["contact"])
        runs = (
            runs.filter(Q(person__public_id=parsed) | Q(contact_uuid=str(parsed))) if parsed else runs.none()
        )
    if request.GET.get("responded", "").lower() in ("1", "true"):
        runs = runs.filter(results__isnull=False).distinct()
    runs = _time_filters(request, runs, "updated_at")
    return _listing(request, runs, "updated_at", _render_runs)


contacts = endpoint({"GET": contacts_get, "POST": contacts_post, "DELETE": contacts_delete})
messages = endpoint({"GET": messages_get, "POST": messages_post})
broadcasts = endpoint({"GET": broadcasts_get, "POST": broadcasts_post})
runs = endpoint({"GET": runs_get})
