"""API endpoints of programmes: open calls, a call's applications for its managers, applying from partner systems."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from maharat.people.access import can_use_registry, is_admin, organization_ids, visible_people
from maharat.people.models import Organization
from maharat.programmes.access import can_manage_call, visible_applications
from maharat.programmes.choices import ApplyChannel
from maharat.programmes.models import Application, Call
from maharat.programmes.selectors import open_calls
from maharat.programmes.services import application_submit

router = Router(tags=["programmes"])


class CallOut(Schema):
    """A call open for applications, as anyone may read it."""

    id: int
    code: str
    label_en: str
    label_ar: str
    description_en: str
    description_ar: str
    programme_en: str
    programme_ar: str
    organization: str = Field(..., description="Slug of the organization that runs the programme")
    opens_on: dt.date
    closes_on: dt.date
    seats: int
    channels: list[str] = Field(..., description="Ways to apply; empty means every way")


class ApplicationOut(Schema):
    """An application as a call's managers see it over the API: no names."""

    id: int
    person: uuid.UUID = Field(..., description="The person's public id")
    status: str
    eligible: bool
    score: Decimal
    channel: str
    submitted_at: dt.datetime


class ApplicationPage(Schema):
    """One page of applications and the cursor of the next."""

    results: list[ApplicationOut]
    next: int | None


class ApplicationIn(Schema):
    """An application a partner system makes on behalf of a person it may see."""

    person: uuid.UUID = Field(..., description="The person's public id")
    answers: dict[str, Any] = Field(default_factory=dict, description="Answers by question code")
    organization: str | None = Field(None, description="Slug of your referring organization (default: yours)")


def _call_out(call: Call) -> dict[str, Any]:
    return {
        **{name: getattr(call, name) for name in CallOut.model_fields if hasattr(call, name)},
        "programme_en": call.programme.label_en,
        "programme_ar": call.programme.label_ar,
        "organization": call.programme.owner.slug,
        "channels": list(call.channels or []),
    }


def _application_out(application: Application) -> dict[str, Any]:
    return {
        "id": application.pk,
        "person": application.person.public_id,
        "status": application.status,
        "eligible": application.eligible,
        "score": application.score,
        "channel": application.channel,
        "submitted_at": application.created_at,
    }


def _call_or_404(call_id: int) -> Call:
    call = Call.objects.select_related("programme__owner").filter(pk=call_id).first()
    if call is None:
        raise HttpError(404, _("Not found."))
    return call


@router.get("/calls", response=list[CallOut], summary="Calls open for applications today")
def list_open_calls(request: HttpRequest) -> list[dict[str, Any]]:
    """Public fields of every call open today, closing soonest first."""
    return [_call_out(call) for call in open_calls().select_related("programme__owner")]


@router.get(
    "/calls/{call_id}/applications", response=ApplicationPage, summary="Applications to a call you manage"
)
def list_applications(
    request: HttpRequest,
    call_id: int,
    after: int | None = None,
    limit: int = Query(100, ge=1, le=500),  # type: ignore[type-arg]
) -> dict[str, Any]:
    """Oldest first, paged by the last id seen (``after``); only for the programme officers of the call's owner."""
    call = _call_or_404(call_id)
    if not can_manage_call(request.user, call):
        raise HttpError(403, _("You may not see the applications to this call."))
    applications = (
        visible_applications(request.user).filter(call=call).select_related("person").order_by("pk")
    )
    if after is not None:
        applications = applications.filter(pk__gt=after)
    rows = list(applications[: limit + 1])
    page = rows[:limit]
    return {
        "results": [_application_out(a) for a in page],
        "next": page[-1].pk if len(rows) > limit else None,
    }


def _referring_organization(user: Any, slug: str | None) -> Organization | None:
    own = organization_ids(user)
    if slug:
        organization = Organization.objects.filter(slug=slug, active=True).first()
        if organization is None or not (is_admin(user) or organization.pk in own):
            raise HttpError(403, _("You may not apply on behalf of this organization."))
        return organization
    return Organization.objects.filter(pk__in=own).order_by("pk").first()


@router.post(
    "/calls/{call_id}/applications",
    response={201: ApplicationOut},
    summary="Apply to a call on behalf of a person you may see",
)
def submit_application(request: HttpRequest, call_id: int, payload: ApplicationIn) -> Status:
    """A refusal (closed call, already applied, bad answers, no consent) is a 400 with its message; nothing is written."""
    user = request.user
    if not can_use_registry(user):
        raise HttpError(403, _("You may not apply on behalf of other people."))
    call = _call_or_404(call_id)
    person = visible_people(user).filter(public_id=payload.person).first()
    if person is None:
        raise HttpError(404, _("Not found."))
    organization = _referring_organization(user, payload.organization)
    try:
        application = application_submit(
            actor=user,
            call=call,
            person=person,
            channel=ApplyChannel.STAFF,
            answers=payload.answers,
            organization=organization,
        )
    except ValidationError as exc:
        raise HttpError(400, " ".join(str(m) for m in exc.messages)) from exc
    return Status(201, _application_out(application))
