"""Reads of the programmes app: lists for staff and beneficiaries, and the selection report."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from maharat.core.models import Governorate
from maharat.people.access import visible_people
from maharat.people.models import Person
from maharat.programmes.access import visible_applications, visible_calls, visible_programmes
from maharat.programmes.choices import ApplicationStatus, CallStatus, Group
from maharat.programmes.models import Application, Call, Programme, SelectionRun

PAGE_SIZE = 50


def programme_list(user: Any) -> QuerySet[Programme]:
    """Programmes the user manages, with their owner and number of calls."""
    return visible_programmes(user).select_related("owner", "donor").annotate(call_count=Count("calls"))


def call_for_staff(user: Any, pk: int) -> Call | None:
    """One call the user manages, or None."""
    return visible_calls(user).select_related("programme__owner").filter(pk=pk).first()


def call_counts(call: Call) -> dict[str, int]:
    """How many applications the call has, in total, eligible, and by status."""
    rows = call.applications.values("status").annotate(
        n=Count("pk"), eligible=Count("pk", filter=Q(eligible=True))
    )
    counts = dict.fromkeys(ApplicationStatus.values, 0)
    total = eligible = 0
    for row in rows:
        counts[row["status"]] = row["n"]
        total += row["n"]
        eligible += row["eligible"]
    return {"total": total, "eligible": eligible, **counts}


def application_list(
    user: Any, call: Call, *, status: str = "", eligible: str = "", page: int = 1
) -> tuple[list[Application], bool]:
    """A page of a call's applications for staff, highest priority first; and whether another page follows."""
    applications = visible_applications(user).filter(call=call)
    if status:
        applications = applications.filter(status=status)
    if eligible in ("yes", "no"):
        applications = applications.filter(eligible=eligible == "yes")
    start = (max(page, 1) - 1) * PAGE_SIZE
    rows = list(
        applications.select_related("person__governorate", "organization").order_by(
            "-eligible", "-score", "pk"
        )[start : start + PAGE_SIZE + 1]
    )
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def application_for_staff(user: Any, pk: int) -> Application | None:
    """One application the user may see as staff, with its person and call."""
    return (
        visible_applications(user)
        .select_related("person__governorate", "call__programme__owner", "organization", "submitted_by")
        .prefetch_related("notices", "call__questions")
        .filter(pk=pk)
        .first()
    )


def open_calls(today: Any = None) -> QuerySet[Call]:
    """Calls anyone may apply to today."""
    today = today or timezone.localdate()
    return (
        Call.objects.filter(status=CallStatus.PUBLISHED, opens_on__lte=today, closes_on__gte=today)
        .select_related("programme__owner")
        .order_by("closes_on", "pk")
    )


def my_applications(person: Person) -> QuerySet[Application]:
    """A beneficiary's own applications, newest first."""
    return (
        person.applications.select_related("call__programme")
        .prefetch_related("call__questions")
        .order_by("-created_at")
    )


def find_person_for_staff(user: Any, lookup: str) -> Person | None:
    """A person the user may see, found by phone number or identity document number."""
    from maharat.core.phones import try_normalize_phone

    text = lookup.strip()
    if not text:
        return None
    query = Q(national_id=text) | Q(unhcr_case_number=text) | Q(moi_card_number=text)
    phone = try_normalize_phone(text)
    if phone:
        query |= Q(phone=phone)
    return visible_people(user).filter(query).first()


@dataclass(frozen=True)
class Bar:
    """One bar of a histogram, with its share of the tallest bar for drawing."""

    label: str
    selected: int
    others: int
    width_selected: int
    width_others: int


def _histogram(selected: list[float], others: list[float], bins: int = 10) -> list[Bar]:
    values = selected + others
    if not values:
        return []
    low, high = min(values), max(values)
    if high == low:
        high = low + 1
    step = (high - low) / bins
    counts_s = Counter(min(int((v - low) / step), bins - 1) for v in selected)
    counts_o = Counter(min(int((v - low) / step), bins - 1) for v in others)
    tallest = max([*counts_s.values(), *counts_o.values(), 1])
    bars = []
    for i in range(bins):
        start, end = low + i * step, low + (i + 1) * step
        bars.append(
            Bar(
                label=f"{start:g}–{end:g}",
                selected=counts_s[i],
                others=counts_o[i],
                width_selected=math.ceil(100 * counts_s[i] / tallest),
                width_others=math.ceil(100 * counts_o[i] / tallest),
            )
        )
    return bars


def selection_report(run: SelectionRun) -> dict[str, Any]:
    """What staff see of a run: quota attainment, priority distribution, counts per governorate and outcome."""
    result = run.result
    selected = set(result.get("selected", []))
    control = set(result.get("control", []))
    rows = {row[0]: row for row in run.inputs}
    group_labels = dict(Group.choices)
    n = len(selected)
    attainment = []
    for quota in run.rules["quotas"]:
        have = sum(1 for key in selected if quota["group"] in rows[key][2])
        pool = sum(1 for row in run.inputs if quota["group"] in row[2])
        share = Decimal(quota["min_share"])
        attainment.append(
            {
                "group": group_labels.get(quota["group"], quota["group"]),
                "required_share": share,
                "required": math.ceil(float(share) * n - 1e-9) if n else 0,
                "reserved": quota["reserved_seats"],
                "selected": have,
                "share": (have / n) if n else 0,
                "eligible": pool,
                "met": have >= max(math.ceil(float(share) * n - 1e-9), quota["reserved_seats"]),
            }
        )
    names = {g.code: g.label for g in Governorate.objects.all()}
    per_governorate: dict[str, dict[str, int]] = {}
    for key, _score, _groups, governorate, _org in run.inputs:
        entry = per_governorate.setdefault(governorate, {"eligible": 0, "selected": 0, "control": 0})
        entry["eligible"] += 1
        if key in selected:
            entry["selected"] += 1
        elif key in control:
            entry["control"] += 1
    caps = {c["value"] or "*": c for c in run.rules["caps"] if c["attribute"] == "governorate"}
    governorates = [
        {
            "code": code,
            "label": names.get(code, code),
            **counts,
            "cap": _cap_limit(caps.get(code) or caps.get("*"), n),
        }
        for code, counts in sorted(per_governorate.items(), key=lambda item: -item[1]["selected"])
    ]
    scores_selected = [float(rows[k][1]) for k in selected]
    scores_others = [float(r[1]) for k, r in rows.items() if k not in selected]
    return {
        "attainment": attainment,
        "governorates": governorates,
        "histogram": _histogram(scores_selected, scores_others),
        "selected_count": n,
        "control_count": len(control),
        "waitlist_count": len(result.get("waitlist", [])),
        "eligible_count": len(rows),
        "cutoff": min(scores_selected) if scores_selected else None,
    }


def _cap_limit(cap: dict[str, Any] | None, n: int) -> int | None:
    if cap is None:
        return None
    limits = []
    if cap.get("max_count") is not None:
        limits.append(int(cap["max_count"]))
    if cap.get("max_share") is not None:
        limits.append(math.floor(float(cap["max_share"]) * n + 1e-9))
    return min(limits) if limits else None


def run_applications(
    run: SelectionRun, *, outcome: str = "", page: int = 1
) -> tuple[list[Application], bool]:
    """A page of a run's applicants in rank order (selected, then waitlist, then control)."""
    order = [*run.result.get("selected", []), *run.result.get("waitlist", []), *run.result.get("control", [])]
    if outcome in ("selected", "waitlist", "control"):
        order = list(run.result.get(outcome, []))
    start = (max(page, 1) - 1) * PAGE_SIZE
    keys = [int(k) for k in order[start : start + PAGE_SIZE]]
    found = Application.objects.select_related("person__governorate").in_bulk(keys)
    return [found[k] for k in keys if k in found], len(order) > start + PAGE_SIZE
