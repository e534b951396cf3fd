"""Staff pages of broadcasts: list, create with a preview of recipients and cost, detail with statistics,
cancel; segments; and the RapidPro API tokens of the organization."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maharat.messaging import access_broadcasts as access
from maharat.messaging import broadcasts as services
from maharat.messaging.forms_broadcasts import BroadcastForm, SegmentForm, TokenForm
from maharat.messaging.models_api import Broadcast, OrganizationToken
from maharat.messaging.segments import clean_filters, describe_filters, segment_people
from maharat.people.access import visible_people

RECIPIENTS_SHOWN = 200


def _require_broadcaster(request: HttpRequest) -> None:
    if not access.can_broadcast(request.user):
        raise PermissionDenied


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def broadcast_list_view(request: HttpRequest) -> HttpResponse:
    """The broadcasts of the user's organizations, newest first, with their recipients' counts."""
    _require_broadcaster(request)
    broadcasts = list(
        access.visible_broadcasts(request.user).select_related("organization", "segment", "template")[:100]
    )
    stats = services.broadcast_stats_many(b.pk for b in broadcasts)
    rows = [{"broadcast": b, "stats": stats[b.pk]} for b in broadcasts]
    return render(request, "messaging/broadcast_list.html", {"rows": rows})


@login_required
def broadcast_create_view(request: HttpRequest) -> HttpResponse:
    """Write a broadcast; the first submit previews recipients, SMS parts and cost, the second sends or schedules."""
    _require_broadcaster(request)
    organizations = access.broadcast_organizations(request.user)
    segments = access.visible_segments(request.user).select_related("organization")
    form = BroadcastForm(request.POST or None, organizations=organizations, segments=segments)
    estimate = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        estimate = services.broadcast_estimate(
            audience=segment_people(data["organization"], data["segment"].filters),
            text_ar=data["text_ar"],
            text_en=data["text_en"],
            template=data["template"],
        )
        if "confirm" in request.POST:
            try:
                with transaction.atomic():
                    broadcast = services.broadcast_create(
                        actor=request.user,
                        organization=data["organization"],
                        segment=data["segment"],
                        text_ar=data["text_ar"],
                        text_en=data["text_en"],
                        template=data["template"],
                        scheduled_at=data["scheduled_at"],
                    )
                    if broadcast.scheduled_at <= timezone.now():
                        from maharat.messaging.tasks_broadcasts import broadcast_start

                        transaction.on_commit(lambda: broadcast_start(broadcast.pk))
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The broadcast is on its way."))
                return redirect("messaging:broadcast_detail", broadcast.uuid)
    return render(request, "messaging/broadcast_form.html", {"form": form, "estimate": estimate})


def _visible_broadcast(request: HttpRequest, broadcast_uuid: uuid.UUID) -> Broadcast:
    _require_broadcaster(request)
    broadcast = (
        access.visible_broadcasts(request.user)
        .select_related("organization", "segment", "template", "created_by")
        .filter(uuid=broadcast_uuid)
        .first()
    )
    if broadcast is None:
        raise Http404
    return broadcast


@login_required
def broadcast_detail_view(request: HttpRequest, broadcast_uuid: uuid.UUID) -> HttpResponse:
    """One broadcast: its text, audience, statistics, and the status of each recipient."""
    broadcast = _visible_broadcast(request, broadcast_uuid)
    recipients = (
        broadcast.recipients.filter(person__in=visible_people(request.user).values("pk"))
        .select_related("person", "message")
        .order_by("pk")[:RECIPIENTS_SHOWN]
    )
    context = {
        "broadcast": broadcast,
        "stats": services.broadcast_stats(broadcast),
        "recipients": recipients,
        "shown": RECIPIENTS_SHOWN,
        "filters": describe_filters(broadcast.segment.filters) if broadcast.segment else [],
        "can_cancel": broadcast.status == "scheduled",
    }
    return render(request, "messaging/broadcast_detail.html", context)


@login_required
@require_POST
def broadcast_cancel_view(request: HttpRequest, broadcast_uuid: uuid.UUID) -> HttpResponse:
    """Cancel a broadcast that has not started."""
    broadcast = _visible_broadcast(request, broadcast_uuid)
    try:
        services.broadcast_cancel(actor=request.user, broadcast=broadcast)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The broadcast was cancelled."))
    return redirect("messaging:broadcast_detail", broadcast.uuid)


@login_required
def segment_list_view(request: HttpRequest) -> HttpResponse:
    """The saved segments of the user's organizations, each with its conditions in words."""
    _require_broadcaster(request)
    segments = access.visible_segments(request.user).select_related("organization")
    rows = [{"segment": s, "filters": describe_filters(s.filters)} for s in segments]
    return render(request, "messaging/segment_list.html", {"rows": rows})


@login_required
def segment_create_view(request: HttpRequest) -> HttpResponse:
    """Define a segment; the first submit previews how many people it reaches, the second saves it."""
    _require_broadcaster(request)
    form = SegmentForm(request.POST or None, organizations=access.broadcast_organizations(request.user))
    count = None
    if request.method == "POST" and form.is_valid():
        try:
            filters = clean_filters(form.filters())
            count = segment_people(form.cleaned_data["organization"], filters).count()
            if "confirm" in request.POST:
                services.segment_save(
                    actor=request.user,
                    organization=form.cleaned_data["organization"],
                    name=form.cleaned_data["name"],
                    filters=filters,
                )
                messages.success(request, _("The segment was saved."))
                return redirect("messaging:segment_list")
        except ValidationError as exc:
            _form_errors(form, exc)
    return render(request, "messaging/segment_form.html", {"form": form, "count": count})


@login_required
def token_list_view(request: HttpRequest) -> HttpResponse:
    """The organization's RapidPro API tokens; a new token's key is shown once, right after it is made."""
    _require_broadcaster(request)
    organizations = access.broadcast_organizations(request.user)
    form = TokenForm(request.POST or None, organizations=organizations)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.token_create(
                actor=request.user,
                organization=form.cleaned_data["organization"],
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
    tokens = OrganizationToken.objects.filter(organization__in=organizations).select_related("organization")
    return render(request, "messaging/token_list.html", {"form": form, "tokens": tokens, "new_key": new_key})


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke a token of one of the user's organizations."""
    _require_broadcaster(request)
    token = OrganizationToken.objects.filter(
        pk=token_id, organization__in=access.broadcast_organizations(request.user)
    ).first()
    if token is None:
        raise Http404
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token no longer works."))
    return redirect("messaging:token_list")
