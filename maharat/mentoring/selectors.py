"""Reads of mentoring: the dashboard lists, a mentor's mentees, a mentee's mentor, and pairs gone quiet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from maharat.mentoring import access
from maharat.mentoring.choices import PairingStatus, RequestStatus, SessionStatus
from maharat.mentoring.models import MenteeRequest, MentorProfile, Pairing, Session

DEFAULT_ALERT_WEEKS = 3


def dashboard_mentors(user: Any) -> QuerySet[MentorProfile]:
    """Mentors the user manages, with their organization and governorate."""
    return access.visible_mentors(user).select_related("organization", "governorate").order_by("display_name")


def dashboard_requests(user: Any) -> QuerySet[MenteeRequest]:
    """Requests waiting for a mentor in the user's organizations."""
    return (
        access.visible_requests(user)
        .filter(status=RequestStatus.OPEN)
        .select_related("person", "organization", "governorate")
        .prefetch_related("skills")
        .order_by("pk")
    )


def active_pairings(user: Any) -> QuerySet[Pairing]:
    """Active pairings the user oversees, with the date of the last held session."""
    return (
        access.managed_pairings(user)
        .filter(status=PairingStatus.ACTIVE)
        .select_related("mentor", "mentee")
        .annotate(last_held=Max("sessions__starts_at", filter=Q(sessions__status=SessionStatus.HELD)))
        .order_by("mentor__display_name", "pk")
    )


@dataclass(frozen=True)
class QuietPair:
    """A pairing with no held session for too long."""

    pairing: Pairing
    since: dt.datetime
    weeks: int


def quiet_pairings(
    user: Any, *, weeks: int = DEFAULT_ALERT_WEEKS, now: dt.datetime | None = None
) -> list[QuietPair]:
    """Active pairings of the user's organizations with no session held in the last ``weeks`` weeks."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(weeks=weeks)
    quiet = []
    for pairing in active_pairings(user):
        since = pairing.last_held or pairing.started_at  # type: ignore[attr-defined]
        if since < cutoff:
            quiet.append(QuietPair(pairing=pairing, since=since, weeks=(now - since).days // 7))
    return quiet


def my_mentees(user: Any) -> QuerySet[Pairing]:
    """The mentor's own pairings with their sessions."""
    return (
        access.mentor_pairings(user)
        .select_related("mentee", "request", "mentor")
        .prefetch_related(
            "request__skills", Prefetch("sessions", queryset=Session.objects.order_by("starts_at"))
        )
        .annotate(n_held=Count("sessions", filter=Q(sessions__status=SessionStatus.HELD)))
        .order_by("status", "-started_at")
    )


def my_mentors(user: Any) -> QuerySet[Pairing]:
    """The mentee's own pairings with their sessions."""
    return (
        access.mentee_pairings(user)
        .select_related("mentor", "mentee")
        .prefetch_related(Prefetch("sessions", queryset=Session.objects.order_by("starts_at")))
        .order_by("status", "-started_at")
    )
