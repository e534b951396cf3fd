"""Selection results in words: the engine's reason codes and numbers as Arabic or English sentences.

The engine (``selection.py``) returns structured explanations; runs store them as JSON. These functions
read that JSON, so a report shows each reader the reasons in their own language, whenever they read it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from maharat.programmes.choices import CapAttribute, Group


def _number(value: Any) -> str:
    if value is None:
        return "—"
    number = float(value)
    return f"{number:g}"


def describe_rule(rule: Mapping[str, Any]) -> str:
    """One rule (a quota, reserved seats, a cap or the seat count) in words."""
    groups = dict(Group.choices)
    kind = rule.get("kind")
    if kind == "quota":
        return _("the quota for %(group)s") % {
            "group": groups.get(rule.get("group") or "", rule.get("group"))
        }
    if kind == "reserved":
        return _("the seats reserved for %(group)s") % {
            "group": groups.get(rule.get("group") or "", rule.get("group"))
        }
    if kind == "cap":
        attribute = dict(CapAttribute.choices).get(rule.get("attribute") or "", rule.get("attribute"))
        return _("the cap for %(attribute)s %(value)s") % {
            "attribute": attribute,
            "value": _value_label(rule.get("attribute"), rule.get("value")),
        }
    return _("the number of seats")


def _value_label(attribute: Any, value: Any) -> str:
    if attribute == "governorate" and value:
        from maharat.core.models import Governorate

        found = Governorate.objects.filter(code=value).first()
        return found.label if found else str(value)
    if attribute == "organization" and value:
        from maharat.people.models import Organization

        found_org = Organization.objects.filter(pk=int(value)).first() if str(value).isdigit() else None
        return found_org.label if found_org else str(value)
    return str(value or "")


def _rules(rules: Sequence[Mapping[str, Any]]) -> str:
    return _(" and ").join(describe_rule(r) for r in rules) if rules else _("other rules")


def describe_outcome(reason: Mapping[str, Any]) -> str:
    """Why one applicant was selected, waitlisted or put in the control group, in plain words."""
    if not reason or "code" not in reason:
        return ""
    code = reason["code"]
    values = {
        "score": _number(reason.get("score")),
        "cutoff": _number(reason.get("cutoff")),
        "class_cutoff": _number(
            reason.get("class_cutoff") if reason.get("class_cutoff") is not None else reason.get("cutoff")
        ),
        "rank": reason.get("lottery_rank", ""),
        "rules": _rules(reason.get("rules") or []),
    }
    texts = {
        "selected_score": lambda: (
            _("Selected: priority %(score)s, at or above the cut-off %(cutoff)s.") % values
        ),
        "selected_tie_lottery": lambda: (
            _(
                "Selected: priority %(score)s, equal to others at the cut-off; the lottery decided (rank %(rank)s)."
            )
            % values
        ),
        "selected_quota": lambda: (
            _("Selected to meet %(rules)s, with priority %(score)s below the cut-off %(cutoff)s.") % values
        ),
        "selected_room_left_by_caps": lambda: (
            _(
                "Selected: priority %(score)s is below the cut-off %(cutoff)s, but higher scores were held back by %(rules)s."
            )
            % values
        ),
        "waitlisted_score": lambda: (
            _("Waiting list: priority %(score)s, below the cut-off %(class_cutoff)s.") % values
        ),
        "waitlisted_tie_lottery": lambda: (
            _(
                "Waiting list: priority %(score)s, equal to others at the cut-off; the lottery decided (rank %(rank)s)."
            )
            % values
        ),
        "waitlisted_cap_full": lambda: _("Waiting list: %(rules)s was full.") % values,
        "waitlisted_seats_for_quotas": lambda: (
            _(
                "Waiting list: priority %(score)s reaches the cut-off %(cutoff)s, but the seats were needed for %(rules)s."
            )
            % values
        ),
        "waitlisted_rules_infeasible": lambda: _(
            "Waiting list: the quotas and caps cannot all be met, so nobody was selected."
        ),
        "control_lottery": lambda: _(
            "Held back by lottery for the evaluation's comparison group, within the same quota group."
        ),
        "replacement": lambda: _("Offered a seat that another applicant left, keeping every quota."),
    }
    text = texts[code]() if code in texts else str(code)
    position = reason.get("waitlist_position")
    if position:
        text = f"{text} " + _("Place on the waiting list: %(n)s.") % {"n": position}
    return text


STATUS_LABELS = {
    "optimal": lambda: _(
        "Optimal: every quota and cap holds, and no other cohort has a higher total priority."
    ),
    "relaxed": lambda: _(
        "Relaxed: the quotas could not all be met; the nearest rules that can be met were used (see below)."
    ),
    "infeasible": lambda: _("Not possible: the quotas and caps cannot all be met; nobody was selected."),
    "empty": lambda: _("Nobody to select."),
}


def describe_shortfall(item: Mapping[str, Any]) -> str:
    """Why a quota (or the seat count) cannot be met, with the numbers."""
    groups = dict(Group.choices)
    values = {
        "group": groups.get(item.get("group") or "", item.get("group") or ""),
        "required": item.get("required"),
        "available": item.get("available"),
        "achievable": item.get("achievable"),
        "seats": item.get("seats"),
        "share": f"{100 * float(item.get('share') or 0):g}%",
        "limits": _rules(item.get("limiting") or []),
    }
    if item.get("kind") == "seats":
        return (
            _("Only %(achievable)s of %(required)s seats can be filled while the caps hold (%(limits)s).")
            % values
        )
    if item.get("cause") == "too_few_applicants":
        if item.get("share") is not None:
            return (
                _(
                    "Only %(available)s eligible applicants are %(group)s; %(share)s of %(seats)s needs %(required)s."
                )
                % values
            )
        return (
            _("Only %(available)s eligible applicants are %(group)s; the reserved seats need %(required)s.")
            % values
        )
    return (
        _("%(group)s: %(required)s needed, but at most %(achievable)s can be selected while %(limits)s hold.")
        % values
    )


def describe_relaxation(item: Mapping[str, Any]) -> str:
    """A rule that was lowered, from what to what."""
    groups = dict(Group.choices)
    values = {
        "group": groups.get(item.get("group") or "", item.get("group") or ""),
        "from": item.get("from_count"),
        "to": item.get("to_count"),
    }
    if item.get("from_share") is not None and item.get("to_share") is not None:
        values["from_share"] = f"{100 * float(item['from_share']):.1f}%"
        values["to_share"] = f"{100 * float(item['to_share']):.1f}%"
        return (
            _(
                "Proposed relaxation: %(group)s from %(from_share)s (%(from)s people) to %(to_share)s (%(to)s people)."
            )
            % values
        )
    if item.get("kind") == "seats":
        return _("Proposed relaxation: %(to)s seats filled instead of %(from)s.") % values
    return _("Proposed relaxation: %(group)s from %(from)s to %(to)s people.") % values


def describe_run_notes(result: Mapping[str, Any]) -> dict[str, Any]:
    """The run's outcome and, when the rules could not all hold, why and what was relaxed."""
    status = str(result.get("status", ""))
    lines = [describe_shortfall(s) for s in result.get("shortfalls") or []]
    lines += [describe_relaxation(r) for r in result.get("relaxation") or []]
    label = STATUS_LABELS[status]() if status in STATUS_LABELS else status
    return {"status": label, "lines": lines}
