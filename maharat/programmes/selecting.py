"""Running, storing, verifying and following up a cohort selection (the Django side of ``selection.py``).

A run reads the call's eligible applications, hands them to the pure engine with the call's quotas,
caps and a seed, stores everything needed to re-run it (the applicant data, its hash, the rules, the
seed and the code version) in an immutable ``SelectionRun``, and then sets each application's status.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from maharat.core.errors import DomainError
from maharat.core.models import AuditAction, AuditLog
from maharat.programmes import selection as engine
from maharat.programmes.choices import ApplicationStatus, NoticeKind
from maharat.programmes.models import Application, Call, Notice, SelectionRun
from maharat.programmes.rules import person_groups
from maharat.programmes.services import notice_owe, notice_text, notices_send_on_commit

LOCKED = (ApplicationStatus.ENROLLED, ApplicationStatus.DECLINED)
IN_RUN = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.SELECTED,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.CONTROL,
)
STATUS_FOR = {
    "selected": ApplicationStatus.SELECTED,
    "waitlisted": ApplicationStatus.WAITLISTED,
    "control": ApplicationStatus.CONTROL,
}
NOTICE_FOR = {
    ApplicationStatus.SELECTED: NoticeKind.SELECTED,
    ApplicationStatus.WAITLISTED: NoticeKind.WAITLISTED,
    ApplicationStatus.CONTROL: NoticeKind.NOT_SELECTED,
}


@cache
def code_version() -> str:
    """The platform version (from pyproject.toml) and a fingerprint of the selection engine's source."""
    import tomllib

    from django.conf import settings

    pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
    platform = tomllib.loads(pyproject.read_text())["project"]["version"] if pyproject.exists() else "unknown"
    digest = hashlib.sha256()
    for name in sorted(Path(engine.__file__).parent.glob("selection*.py")):
        digest.update(name.read_bytes())
    return f"maharat {platform}; selection {digest.hexdigest()[:12]}"


def applicant_rows(call: Call) -> list[list[Any]]:
    """The data the engine sees, one row per eligible application: key, score, groups, governorate, organization."""
    applications = (
        call.applications.filter(eligible=True, status__in=IN_RUN)
        .select_related("person__governorate")
        .order_by("pk")
    )
    rows = []
    for application in applications.iterator(chunk_size=2000):
        person = application.person
        rows.append(
            [
                str(application.pk),
                f"{application.score:f}",
                sorted(person_groups(person, call.closes_on)),
                person.governorate.code,
                str(application.organization_id or ""),
            ]
        )
    return rows


def data_hash(rows: Sequence[Sequence[Any]]) -> str:
    """SHA-256 of the applicant data in a canonical form (sorted keys, no spaces)."""
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def call_rules(call: Call) -> dict[str, Any]:
    """The call's seats, quotas, reserved seats, caps and control share, as stored with a run."""
    return {
        "seats": call.seats,
        "quotas": [
            {"group": q.group, "min_share": f"{q.min_share:f}", "reserved_seats": q.reserved_seats}
            for q in call.quotas.all()
        ],
        "caps": [
            {
                "attribute": c.attribute,
                "value": _cap_value(c.attribute, c.value),
                "max_count": c.max_count,
                "max_share": None if c.max_share is None else f"{c.max_share:f}",
            }
            for c in call.caps.all()
        ],
        "control_share": f"{call.control_share:f}",
    }


def _cap_value(attribute: str, value: str) -> str:
    """Caps name an organization by its short name; applicants carry its id."""
    if attribute == "organization" and value:
        from maharat.people.models import Organization

        found = Organization.objects.filter(slug=value).values_list("pk", flat=True).first()
        return str(found) if found is not None else value
    return value


def engine_rules(rules: Mapping[str, Any]) -> engine.Rules:
    """Stored rules as the engine's dataclass."""
    return engine.Rules(
        seats=int(rules["seats"]),
        quotas=tuple(
            engine.Quota(group=q["group"], min_share=float(q["min_share"]))
            for q in rules["quotas"]
            if Decimal(q["min_share"]) > 0
        ),
        reserved=tuple(
            engine.Reserved(group=q["group"], seats=int(q["reserved_seats"]))
            for q in rules["quotas"]
            if int(q["reserved_seats"]) > 0
        ),
        caps=tuple(
            engine.Cap(
                attribute=c["attribute"],
                value=c["value"] or None,
                max_count=c["max_count"],
                max_share=None if c["max_share"] is None else float(c["max_share"]),
            )
            for c in rules["caps"]
        ),
        control_share=float(rules.get("control_share") or 0),
    )


def rules_in_force(stored: Mapping[str, Any]) -> engine.Rules:
    """The rules a run's cohort satisfies (after a relaxation), from the engine's own stored form."""
    return engine.Rules(
        seats=int(stored["seats"]),
        quotas=tuple(
            engine.Quota(group=q["group"], min_share=float(q["min_share"])) for q in stored["quotas"]
        ),
        reserved=tuple(engine.Reserved(group=r["group"], seats=int(r["seats"])) for r in stored["reserved"]),
        caps=tuple(
            engine.Cap(
                attribute=c["attribute"], value=c["value"], max_count=c["max_count"], max_share=c["max_share"]
            )
            for c in stored["caps"]
        ),
        control_share=float(stored.get("control_share") or 0),
    )


def engine_applicants(rows: Sequence[Sequence[Any]], rules: Mapping[str, Any]) -> list[engine.Applicant]:
    """Stored rows as the engine's applicants; only groups that a quota names are passed on."""
    wanted = {q["group"] for q in rules["quotas"]}
    return [
        engine.Applicant(
            key=str(key),
            score=float(score),
            groups=frozenset(g for g in groups if g in wanted),
            attributes={"governorate": governorate, "organization": organization},
        )
        for key, score, groups, governorate, organization in rows
    ]


def jsonable(value: Any) -> Any:
    """Engine results (dataclasses, tuples, frozensets, numpy numbers) as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    if isinstance(value, float) and value != value:  # NaN has no JSON form
        return None
    return value


def _run_engine(rows: Sequence[Sequence[Any]], rules: Mapping[str, Any], seed: int) -> engine.Selection:
    return engine.select(engine_applicants(rows, rules), engine_rules(rules), seed=seed)


@transaction.atomic
def selection_run(*, actor: Any, call: Call, seed: int | None = None) -> SelectionRun:
    """Select the call's cohort: exact optimum under the quotas and caps, ties by a seeded lottery; record it all."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.applications.filter(status__in=LOCKED).exists():
        raise DomainError(
            _("People have already answered their offers; a new selection would undo their answers.")
        )
    if seed is None:
        seed = secrets.randbelow(2**31)
    if not 0 <= seed < 2**63:
        raise DomainError(_("The lottery seed must be a whole number from 0 upwards."))
    rows = applicant_rows(call)
    if not rows:
        raise DomainError(_("There are no eligible applications to select from."))
    rules = call_rules(call)
    result = _run_engine(rows, rules, seed)
    number = (call.selection_runs.aggregate(n=Max("number"))["n"] or 0) + 1
    run = SelectionRun.objects.create(
        call=call,
        number=number,
        run_by=actor if getattr(actor, "is_authenticated", False) else None,
        seed=seed,
        code_version=code_version(),
        input_hash=data_hash(rows),
        inputs=rows,
        rules=rules,
        result=jsonable(result),
        status=result.status,
        total_score=Decimal(str(round(result.total_score, 2))),
        selected_count=len(result.selected),
    )
    _apply(run, result, actor)
    return run


def _apply(run: SelectionRun, result: engine.Selection, actor: Any) -> None:
    """Set every application's status from the run, owe each person a notice, and audit the change."""
    outcome: dict[str, str] = {}
    for key in result.selected:
        outcome[key] = "selected"
    for key in result.waitlist:
        outcome[key] = "waitlisted"
    for key in result.control:
        outcome[key] = "control"
    reasons = jsonable(result.reasons)
    applications = list(
        Application.objects.filter(call=run.call, status__in=IN_RUN).select_related("person", "call")
    )
    changed = []
    now = timezone.now()
    for application in applications:
        key = str(application.pk)
        if key not in outcome:
            continue  # not eligible: stays submitted, with its eligibility reasons
        application.status = STATUS_FOR[outcome[key]]
        application.status_reason = {"run": run.number, **(reasons.get(key) or {})}
        application.status_changed_at = now
        changed.append(application)
    Application.objects.bulk_update(
        changed, ["status", "status_reason", "status_changed_at"], batch_size=1000
    )
    _owe_notices(changed)
    user = actor if getattr(actor, "is_authenticated", False) else None
    AuditLog.objects.bulk_create(
        [
            AuditLog(
                actor=user,
                actor_label=user.get_username() if user else "",
                action=AuditAction.CHANGE,
                subject_type="programmes.application",
                subject_id=str(a.pk),
                person_id=a.person_id,
                fields=["status"],
                reason=f"selection run {run.number} of call {run.call_id}",
                detail={"status": a.status, "seed": run.seed},
            )
            for a in changed
        ],
        batch_size=1000,
    )


def _owe_notices(applications: Sequence[Application]) -> None:
    texts: dict[tuple[str, str], str] = {}
    notices = []
    for application in applications:
        kind = NOTICE_FOR[ApplicationStatus(application.status)]
        language = application.person.preferred_language or "ar"
        if (kind, language) not in texts:
            with translation.override(language):
                texts[(kind, language)] = notice_text(kind, application)
        notices.append(
            Notice(
                application=application,
                kind=kind,
                language=language,
                channel=application.person.preferred_channel,
                text=texts[(kind, language)],
            )
        )
    created = Notice.objects.bulk_create(notices, batch_size=1000)
    ids = [notice.pk for notice in created if notice.pk is not None]
    if created:
        notices_send_on_commit(ids if len(ids) == len(created) else None)


def latest_run(call: Call) -> SelectionRun | None:
    """The call's most recent selection run, which decides the current offers."""
    return call.selection_runs.order_by("-number").first()


def offer_next(*, actor: Any, call: Call, freed: Application) -> Application | None:
    """Offer a freed seat to the first person on the waiting list who keeps every quota and cap satisfied."""
    run = latest_run(call)
    if run is None:
        return None
    statuses = dict(call.applications.values_list("pk", "status"))
    holding = (ApplicationStatus.SELECTED, ApplicationStatus.ENROLLED)
    current = [k for k, *_rest in run.inputs if statuses.get(int(k)) in holding]
    waitlist = [k for k in run.result["waitlist"] if statuses.get(int(k)) == ApplicationStatus.WAITLISTED]
    rules = engine_rules(run.rules)
    if run.result.get("relaxation"):
        rules = rules_in_force(run.result["rules"])
    standing = engine.Selection(
        selected=(*current, str(freed.pk)),
        waitlist=tuple(waitlist),
        control=tuple(run.result.get("control", [])),
        total_score=0.0,
        optimal=False,
        status=run.status,
        seed=run.seed,
        rules=rules,
    )
    key = engine.replacement(standing, str(freed.pk), engine_applicants(run.inputs, run.rules), rules)
    if key is None:
        return None
    application = Application.objects.select_related("person", "call").get(pk=int(key))
    application.status = ApplicationStatus.SELECTED
    application.status_reason = {"run": run.number, "code": "replacement", "freed": freed.pk}
    application.status_changed_at = timezone.now()
    application.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
    from maharat.core.audit import audit_record

    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=application,
        person_id=application.person_id,
        fields=["status"],
        reason=f"offered the seat freed by application {freed.pk}",
    )
    notice_owe(application=application, kind=NoticeKind.SELECTED)
    return application


@dataclasses.dataclass(frozen=True)
class Verification:
    """What re-running a stored selection showed."""

    hash_matches: bool
    same_result: bool
    data_unchanged: bool

    @property
    def ok(self) -> bool:
        return self.hash_matches and self.same_result


def selection_verify(run: SelectionRun) -> Verification:
    """Re-run a stored selection from its own inputs, rules and seed, and compare with what was recorded."""
    hash_matches = data_hash(run.inputs) == run.input_hash
    again = jsonable(_run_engine(run.inputs, run.rules, run.seed))
    same = all(again[k] == run.result.get(k) for k in ("selected", "waitlist", "control", "status"))
    unchanged = data_hash(applicant_rows(run.call)) == run.input_hash
    return Verification(hash_matches=hash_matches, same_result=same, data_unchanged=unchanged)
