"""Reads of the opportunities app: search, employers' lists, the moderation queue and follow-ups due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from maharat.core.text import normalize_text
from maharat.opportunities import work_rights
from maharat.opportunities.choices import OpportunityStatus, ReportStatus, VerificationStatus
from maharat.opportunities.models import (
    Application,
    EmployerProfile,
    Opportunity,
    OpportunityReport,
    Placement,
    RetentionCheck,
)
from maharat.people.models import Person


def opportunity_search(
    *,
    query: str = "",
    kind: str = "",
    governorate: Any = None,
    remote: bool = False,
    sector: str = "",
    open_to: Person | None = None,
    on: dt.date | None = None,
) -> list[Opportunity]:
    """Visible offers matching the filters; with ``open_to``, only those the person may lawfully take."""
    day = on or timezone.localdate()
    offers: QuerySet[Opportunity] = Opportunity.objects.visible(day).select_related(
        "employer__employer_profile", "governorate", "occupation"
    )
    if query.strip():
        for word in normalize_text(query).split():
            offers = offers.filter(search_text__contains=word)
    if kind:
        offers = offers.filter(kind=kind)
    if governorate is not None:
        offers = offers.filter(Q(governorate=governorate) | Q(remote=True))
    if remote:
        offers = offers.filter(remote=True)
    if sector:
        offers = offers.filter(sector=sector)
    found = list(offers[:200])
    if open_to is not None:
        rules = work_rights.Rules.load(day)
        found = [
            offer
            for offer in found
            if rules.verdict(
                nationality=open_to.nationality, legal_status=open_to.legal_status, opportunity=offer
            ).eligible
        ]
    return found


def employer_opportunities(org_ids: list[int] | None) -> QuerySet[Opportunity]:
    """Offers of these organizations (all when None) with their count of applications."""
    offers = Opportunity.objects.select_related("employer", "governorate").annotate(
        applicant_count=Count("applications")
    )
    if org_ids is not None:
        offers = offers.filter(employer_id__in=org_ids)
    return offers.order_by("-created_at")


def applicants(opportunity: Opportunity) -> QuerySet[Application]:
    """People who applied to an offer, in pipeline order."""
    return (
        Application.objects.filter(opportunity=opportunity)
        .select_related("person__governorate", "placement")
        .order_by("created_at")
    )


def moderation_queue() -> dict[str, Any]:
    """What waits for moderators: flagged offers, open reports, employers to verify."""
    return {
        "pending": list(
            Opportunity.objects.filter(status=OpportunityStatus.PENDING)
            .select_related("employer__employer_profile")
            .order_by("submitted_at")
        ),
        "reports": list(
            OpportunityReport.objects.filter(status=ReportStatus.OPEN)
            .select_related("opportunity__employer")
            .order_by("created_at")
        ),
        "employers": list(
            EmployerProfile.objects.filter(status=VerificationStatus.PENDING)
            .select_related("organization")
            .order_by("updated_at")
        ),
    }


def retention_checks_due(
    *, org_ids: list[int] | None = None, today: dt.date | None = None, horizon_days: int = 14
) -> list[tuple[RetentionCheck, bool]]:
    """Unrecorded checks due within the horizon, each with whether it is overdue (oldest first)."""
    day = today or timezone.localdate()
    checks = RetentionCheck.objects.filter(
        recorded_at__isnull=True, due_on__lte=day + dt.timedelta(days=horizon_days)
    ).select_related("placement__person", "placement__opportunity__employer")
    if org_ids is not None:
        checks = checks.filter(placement__opportunity__employer_id__in=org_ids)
    return [(check, check.due_on < day) for check in checks.order_by("due_on", "id")]


def placement_checks(
    placement: Placement, *, today: dt.date | None = None, horizon_days: int = 14
) -> list[tuple[RetentionCheck, bool]]:
    """A placement's checks in order, each with whether it can be recorded now (unrecorded and due soon)."""
    limit = (today or timezone.localdate()) + dt.timedelta(days=horizon_days)
    return [
        (check, check.recorded_at is None and check.due_on <= limit)
        for check in placement.checks.order_by("month")
    ]
