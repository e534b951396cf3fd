"""Writes of the opportunities app: employers, offers and moderation, reports, the hiring pipeline, placements."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from maharat.core.audit import audit_record
from maharat.core.errors import DomainError
from maharat.core.models import AuditAction
from maharat.core.text import normalize_text
from maharat.opportunities import safeguarding, work_rights
from maharat.opportunities.choices import (
    ApplicationStatus,
    OpportunityStatus,
    ReportStatus,
    RetentionMonth,
    VerificationStatus,
)
from maharat.opportunities.hooks import published_hooks
from maharat.opportunities.models import (
    Application,
    ApplicationEvent,
    EmployerProfile,
    MinimumWage,
    Opportunity,
    OpportunityReport,
    OpportunitySkill,
    Placement,
    RetentionCheck,
)
from maharat.opportunities.uploads import CV_KINDS, DOCUMENT_KINDS, check_upload
from maharat.people.choices import OrganizationKind
from maharat.people.models import Organization, Person

# The pipeline: each status and the statuses it may move to. Not selected and withdrawn end it from any
# open step; hired ends it after an offer.
TRANSITIONS: dict[str, frozenset[str]] = {
    ApplicationStatus.APPLIED: frozenset(
        {ApplicationStatus.SHORTLISTED, ApplicationStatus.NOT_SELECTED, ApplicationStatus.WITHDRAWN}
    ),
    ApplicationStatus.SHORTLISTED: frozenset(
        {ApplicationStatus.INTERVIEW, ApplicationStatus.NOT_SELECTED, ApplicationStatus.WITHDRAWN}
    ),
    ApplicationStatus.INTERVIEW: frozenset(
        {ApplicationStatus.OFFERED, ApplicationStatus.NOT_SELECTED, ApplicationStatus.WITHDRAWN}
    ),
    ApplicationStatus.OFFERED: frozenset(
        {ApplicationStatus.HIRED, ApplicationStatus.NOT_SELECTED, ApplicationStatus.WITHDRAWN}
    ),
    ApplicationStatus.HIRED: frozenset(),
    ApplicationStatus.NOT_SELECTED: frozenset(),
    ApplicationStatus.WITHDRAWN: frozenset(),
}


# Employers ------------------------------------------------------------------------------------------------


def employer_profile_for(organization: Organization) -> EmployerProfile:
    """The organization's employer profile, created unverified on first use."""
    if organization.kind != OrganizationKind.EMPLOYER:
        raise DomainError(_("Only employer organizations can post opportunities."))
    profile, _created = EmployerProfile.objects.get_or_create(organization=organization)
    return profile


@transaction.atomic
def employer_document_upload(
    *,
    actor: Any,
    organization: Organization,
    upload: Any,
    registration_number: str = "",
    insured_workers: int | None = None,
) -> EmployerProfile:
    """Store an employer's registration document privately and ask staff to verify the employer."""
    checked = check_upload(upload, DOCUMENT_KINDS)
    profile = employer_profile_for(organization)
    profile.document.save(checked.name, checked.content, save=False)
    profile.document_name = checked.name
    profile.document_content_type = checked.content_type
    profile.document_size = checked.size
    if registration_number:
        profile.registration_number = registration_number[:40]
    if insured_workers is not None:
        profile.insured_workers = insured_workers
    if profile.status != VerificationStatus.VERIFIED:
        profile.status = VerificationStatus.PENDING
    profile.save()
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=profile,
        fields=["document", "registration_number", "insured_workers", "status"],
        reason="registration document uploaded",
    )
    return profile


@transaction.atomic
def employer_verify(
    *, actor: Any, organization: Organization, approve: bool, note: str = ""
) -> EmployerProfile:
    """Staff verify an employer (its waiting offers without other flags are then published) or refuse it."""
    profile = employer_profile_for(organization)
    if approve and not profile.document:
        raise DomainError(_("The employer has not sent a registration document yet."))
    if not approve and not note.strip():
        raise DomainError(_("Say why the verification is refused."))
    profile.status = VerificationStatus.VERIFIED if approve else VerificationStatus.REJECTED
    profile.verified_at = timezone.now() if approve else None
    profile.verified_by = actor if approve else None
    profile.note = note.strip()[:500]
    profile.save(update_fields=["status", "verified_at", "verified_by", "note", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=profile,
        fields=["status", "note"],
        reason=profile.note,
    )
    if approve:
        waiting = Opportunity.objects.filter(employer=organization, status=OpportunityStatus.PENDING)
        for opportunity in waiting:
            codes = [flag["code"] for flag in opportunity.safeguarding_flags]
            if codes == [safeguarding.UNVERIFIED_EMPLOYER]:
                opportunity.safeguarding_flags = []
                _publish(opportunity, actor=actor, reason="employer verified")
    return profile


# Opportunities --------------------------------------------------------------------------------------------

OPPORTUNITY_FIELDS = (
    "kind",
    "title_en",
    "title_ar",
    "description_en",
    "description_ar",
    "sector",
    "occupation",
    "governorate",
    "locality",
    "remote",
    "foreign_client",
    "wage_amount",
    "wage_period",
    "hours_per_week",
    "seats",
    "start_date",
    "closing_date",
    "duration_weeks",
    "supervisor_name",
    "languages",
    "min_education",
    "accessible",
    "accommodations",
    "open_to_non_jordanians",
)


def _search_text(opportunity: Opportunity) -> str:
    parts = [
        opportunity.title_en,
        opportunity.title_ar,
        opportunity.description_en,
        opportunity.description_ar,
    ]
    return normalize_text(" ".join(parts))[:4000]


@transaction.atomic
def opportunity_save(
    *,
    actor: Any,
    employer: Organization,
    data: Mapping[str, Any],
    skills: Iterable[tuple[Any, int, int]] = (),
    opportunity: Opportunity | None = None,
) -> Opportunity:
    """Create or edit a draft offer with its required skills (skill, importance, minimum proficiency)."""
    employer_profile_for(employer)
    if opportunity is not None and opportunity.status not in (
        OpportunityStatus.DRAFT,
        OpportunityStatus.REJECTED,
    ):
        raise DomainError(_("Only a draft can be edited; close this offer and post a new one."))
    creating = opportunity is None
    target = opportunity or Opportunity(
        employer=employer, created_by=actor if actor and actor.is_authenticated else None
    )
    changed = [name for name in OPPORTUNITY_FIELDS if name in data]
    for name in changed:
        setattr(target, name, data[name])
    if not (target.title_en.strip() or target.title_ar.strip()):
        raise DomainError(_("Give the offer a title in Arabic or English."))
    if not target.remote and target.governorate_id is None:
        raise DomainError(_("Choose a governorate, or mark the offer as remote work."))
    if (
        target.closing_date
        and target.start_date
        and target.closing_date > target.start_date + dt.timedelta(days=365)
    ):
        raise DomainError(_("The closing date is too far after the start date."))
    if target.status == OpportunityStatus.REJECTED:
        target.status = OpportunityStatus.DRAFT
    target.search_text = _search_text(target)
    try:
        target.full_clean()
    except ValidationError as exc:
        raise DomainError(exc.messages) from exc
    target.save()
    skill_rows = list(skills)
    seen: set[int] = set()
    for skill, _importance, level in skill_rows:
        if skill.pk in seen:
            raise DomainError(_("A skill is listed twice."))
        seen.add(skill.pk)
        if not 1 <= int(level) <= 4:
            raise DomainError(_("The minimum proficiency must be between 1 and 4."))
    if skill_rows or not creating:
        OpportunitySkill.objects.filter(opportunity=target).delete()
        OpportunitySkill.objects.bulk_create(
            OpportunitySkill(
                opportunity=target, skill=skill, importance=int(importance), min_proficiency=int(level)
            )
            for skill, importance, level in skill_rows
        )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if creating else AuditAction.CHANGE,
        subject=target,
        fields=changed + (["skills"] if skill_rows else []),
    )
    return target


def _employer_verified(organization_id: int) -> bool:
    return EmployerProfile.objects.filter(
        organization_id=organization_id, status=VerificationStatus.VERIFIED
    ).exists()


def minimum_wage_on(day: dt.date) -> Decimal | None:
    """The minimum monthly wage on a day: setting OPPORTUNITIES_MINIMUM_WAGE_MONTHLY, else the table."""
    configured = getattr(settings, "OPPORTUNITIES_MINIMUM_WAGE_MONTHLY", None)
    if configured is not None:
        return Decimal(str(configured))
    row = MinimumWage.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    return row.amount_monthly if row is not None else None


def opportunity_screen(opportunity: Opportunity, *, on: dt.date | None = None) -> list[safeguarding.Flag]:
    """Run the safeguarding screen on a saved offer."""
    day = on or timezone.localdate()
    offer = safeguarding.Offer(
        kind=opportunity.kind,
        text=" ".join(
            [
                opportunity.title_en,
                opportunity.title_ar,
                opportunity.description_en,
                opportunity.description_ar,
            ]
        ),
        wage_amount=opportunity.wage_amount,
        wage_period=opportunity.wage_period,
        hours_per_week=opportunity.hours_per_week,
        remote=opportunity.remote,
        employer_verified=_employer_verified(opportunity.employer_id),
    )
    return safeguarding.screen(offer, minimum_wage_monthly=minimum_wage_on(day))


def _notify_published(opportunity: Opportunity) -> None:
    for hook in published_hooks():
        hook(opportunity)


def _publish(opportunity: Opportunity, *, actor: Any, reason: str) -> None:
    opportunity.status = OpportunityStatus.PUBLISHED
    opportunity.published_at = timezone.now()
    opportunity.save(update_fields=["status", "published_at", "safeguarding_flags", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.CHANGE, subject=opportunity, fields=["status"], reason=reason
    )
    transaction.on_commit(lambda: _notify_published(opportunity))


@transaction.atomic
def opportunity_submit(*, actor: Any, opportunity: Opportunity, on: dt.date | None = None) -> Opportunity:
    """Screen a draft for warning signs: publish it if clean, else send it to the moderation queue."""
    if opportunity.status != OpportunityStatus.DRAFT:
        raise DomainError(_("Only a draft can be submitted."))
    day = on or timezone.localdate()
    if opportunity.closing_date is not None and opportunity.closing_date < day:
        raise DomainError(_("The closing date has passed."))
    flags = opportunity_screen(opportunity, on=day)
    opportunity.submitted_at = timezone.now()
    opportunity.safeguarding_flags = [flag.as_json() for flag in flags]
    if flags:
        opportunity.status = OpportunityStatus.PENDING
        opportunity.save(update_fields=["status", "submitted_at", "safeguarding_flags", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            subject=opportunity,
            fields=["status", "safeguarding_flags"],
            reason="flagged: " + ", ".join(flag.code for flag in flags),
        )
    else:
        opportunity.save(update_fields=["submitted_at", "safeguarding_flags", "updated_at"])
        _publish(opportunity, actor=actor, reason="passed the safeguarding screen")
    return opportunity


@transaction.atomic
def opportunity_moderate(
    *, actor: Any, opportunity: Opportunity, approve: bool, note: str = ""
) -> Opportunity:
    """A moderator publishes a flagged offer or rejects it with a note the employer sees."""
    if opportunity.status != OpportunityStatus.PENDING:
        raise DomainError(_("This offer is not waiting for moderation."))
    note = note.strip()[:500]
    if not approve and not note:
        raise DomainError(_("Say why the offer is rejected."))
    if approve and not _employer_verified(opportunity.employer_id):
        raise DomainError(_("Verify the employer before publishing its offers."))
    opportunity.moderated_by = actor
    opportunity.moderated_at = timezone.now()
    opportunity.moderation_note = note
    opportunity.save(update_fields=["moderated_by", "moderated_at", "moderation_note", "updated_at"])
    if approve:
        _publish(opportunity, actor=actor, reason=note or "approved by a moderator")
    else:
        opportunity.status = OpportunityStatus.REJECTED
        opportunity.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor, action=AuditAction.CHANGE, subject=opportunity, fields=["status"], reason=note
        )
    return opportunity


@transaction.atomic
def opportunity_close(*, actor: Any, opportunity: Opportunity) -> Opportunity:
    """Stop taking applications for an offer."""
    if opportunity.status == OpportunityStatus.CLOSED:
        raise DomainError(_("This offer is already closed."))
    opportunity.status = OpportunityStatus.CLOSED
    opportunity.closed_at = timezone.now()
    opportunity.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.CHANGE, subject=opportunity, fields=["status"], reason="closed"
    )
    return opportunity


@transaction.atomic
def opportunity_report(
    *, actor: Any, opportunity: Opportunity, reason: str, text: str = ""
) -> OpportunityReport:
    """Someone reports an offer; it reaches the moderators' queue."""
    report = OpportunityReport(
        opportunity=opportunity,
        reporter=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason,
        text=text.strip()[:2000],
    )
    try:
        report.full_clean()
    except ValidationError as exc:
        raise DomainError(exc.messages) from exc
    report.save()
    audit_record(actor=actor, action=AuditAction.CREATE, subject=report, fields=["reason", "text"])
    return report


@transaction.atomic
def report_resolve(
    *, actor: Any, report: OpportunityReport, note: str, close_offer: bool = False
) -> OpportunityReport:
    """A moderator closes a report with a note, and may close the offer too."""
    if report.status == ReportStatus.RESOLVED:
        raise DomainError(_("This report is already resolved."))
    if not note.strip():
        raise DomainError(_("Say what was done about the report."))
    report.status = ReportStatus.RESOLVED
    report.resolved_by = actor
    report.resolved_at = timezone.now()
    report.resolution_note = note.strip()[:500]
    report.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=report,
        fields=["status"],
        reason=report.resolution_note,
    )
    if close_offer and report.opportunity.status != OpportunityStatus.CLOSED:
        opportunity_close(actor=actor, opportunity=report.opportunity)
    return report


# Applications ---------------------------------------------------------------------------------------------


def _event(application: Application, *, actor: Any, from_status: str, note: str = "") -> None:
    ApplicationEvent.objects.create(
        application=application,
        from_status=from_status,
        to_status=application.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note[:500],
    )


@transaction.atomic
def application_submit(
    *,
    actor: Any,
    opportunity: Opportunity,
    person: Person,
    note: str = "",
    cv: Any = None,
    on: dt.date | None = None,
) -> Application:
    """A person applies to a visible offer with their profile (and an optional CV), if the law lets them take it."""
    day = on or timezone.localdate()
    fresh = (
        Opportunity.objects.visible(day)
        .select_related("employer__employer_profile", "occupation")
        .filter(pk=opportunity.pk)
        .first()
    )
    if fresh is None:
        raise DomainError(_("This offer is not open for applications."))
    opportunity = fresh
    if person.anonymized_at is not None or person.merged_into_id is not None:
        raise DomainError(_("This record can no longer apply."))
    if Application.objects.filter(opportunity=opportunity, person=person).exists():
        raise DomainError(_("You have already applied to this offer."))
    verdict = work_rights.verdict(person, opportunity, on=day)
    if not verdict.eligible:
        raise DomainError(verdict.reason)
    checked = check_upload(cv, CV_KINDS) if cv else None
    application = Application(
        opportunity=opportunity, person=person, note=note.strip()[:2000], status_changed_at=timezone.now()
    )
    if checked is not None:
        application.cv.save(checked.name, checked.content, save=False)
        application.cv_name, application.cv_content_type = checked.name, checked.content_type
        application.cv_size = checked.size
    application.save()
    _event(application, actor=actor, from_status="")
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        subject=application,
        person_id=person.pk,
        fields=["status", "note"] + (["cv"] if checked else []),
    )
    return application


def _check_transition(application: Application, to_status: str) -> None:
    allowed = TRANSITIONS.get(application.status, frozenset())
    if to_status not in allowed:
        raise DomainError(
            _("An application that is “%(current)s” cannot become “%(target)s”.")
            % {
                "current": ApplicationStatus(application.status).label,
                "target": ApplicationStatus(to_status).label
                if to_status in ApplicationStatus.values
                else to_status,
            }
        )


@transaction.atomic
def application_move(
    *,
    actor: Any,
    application: Application,
    to_status: str,
    note: str = "",
    interview_at: dt.datetime | None = None,
    interview_place: str = "",
    not_selected_reason: str = "",
    start_date: dt.date | None = None,
    wage_amount: Decimal | None = None,
) -> Application:
    """Move an application one step along the pipeline (applied → shortlisted → interview → offered → hired)."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    _check_transition(application, to_status)
    fields = ["status", "status_changed_at"]
    if to_status == ApplicationStatus.INTERVIEW:
        if interview_at is None or not interview_place.strip():
            raise DomainError(_("Give the interview's date and time, and its place or link."))
        application.interview_at = interview_at
        application.interview_place = interview_place.strip()[:300]
        fields += ["interview_at", "interview_place"]
    if to_status == ApplicationStatus.NOT_SELECTED:
        if not not_selected_reason:
            raise DomainError(_("Choose why the candidate was not selected."))
        application.not_selected_reason = not_selected_reason
        fields.append("not_selected_reason")
    if to_status == ApplicationStatus.WITHDRAWN and not note:
        note = "withdrawn"
    if note:
        application.outcome_note = note.strip()[:500]
        fields.append("outcome_note")
    previous = application.status
    application.status = to_status
    application.status_changed_at = timezone.now()
    try:
        application.full_clean(exclude=["cv"])
    except ValidationError as exc:
        raise DomainError(exc.messages) from exc
    application.save(update_fields=[*fields, "updated_at"])
    _event(application, actor=actor, from_status=previous, note=note)
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=application,
        person_id=application.person_id,
        fields=fields,
        reason=f"{previous} → {to_status}",
    )
    if to_status == ApplicationStatus.INTERVIEW:
        _invite(application)
    if to_status == ApplicationStatus.HIRED:
        placement_create(
            actor=actor,
            application=application,
            start_date=start_date or application.opportunity.start_date or timezone.localdate(),
            wage_amount=wage_amount if wage_amount is not None else application.opportunity.wage_amount,
        )
    return application


def _invite(application: Application) -> None:
    """Tell the candidate the interview's date and place, in their language, through the messaging service."""
    from maharat.messaging.services import message_send_to_person

    person = application.person
    when = timezone.localtime(application.interview_at) if application.interview_at else None
    with translation.override(person.preferred_language or "ar"):
        text = _("%(employer)s invites you to an interview for “%(title)s” on %(when)s at %(place)s.") % {
            "employer": application.opportunity.employer.label,
            "title": application.opportunity.title,
            "when": when.strftime("%Y-%m-%d %H:%M") if when else "",
            "place": application.interview_place,
        }
    message_send_to_person(
        person=person,
        text=text,
        idempotency_key=f"opportunity-interview:{application.pk}:{when.isoformat() if when else ''}",
    )


def application_withdraw(*, actor: Any, application: Application) -> Application:
    """The applicant withdraws from any open step."""
    return application_move(
        actor=actor,
        application=application,
        to_status=ApplicationStatus.WITHDRAWN,
        note="withdrawn by the applicant",
    )


def application_message(*, actor: Any, application: Application, text: str) -> Any:
    """The employer sends the candidate a message through the messaging service."""
    from maharat.messaging.services import message_send_to_person

    text = text.strip()
    if not text:
        raise DomainError(_("Write a message."))
    if len(text) > 1000:
        raise DomainError(_("The message is too long (1000 characters at most)."))
    key = f"opportunity-msg:{application.pk}:{timezone.now().isoformat()}"
    message = message_send_to_person(person=application.person, text=text, idempotency_key=key)
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=application,
        person_id=application.person_id,
        fields=["message"],
        reason="message to the candidate",
    )
    return message


# Placements -----------------------------------------------------------------------------------------------


def retention_due_on(start: dt.date, month: int) -> dt.date:
    """When the check ``month`` months after the start falls due."""
    index = start.month - 1 + month
    year, month_of_year = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month_of_year)[1])
    return dt.date(year, month_of_year, day)


@transaction.atomic
def placement_create(
    *, actor: Any, application: Application, start_date: dt.date, wage_amount: Decimal | None
) -> Placement:
    """Record the hire or placement and schedule its checks at 1, 3 and 6 months."""
    placement = Placement.objects.create(
        application=application,
        person=application.person,
        opportunity=application.opportunity,
        start_date=start_date,
        wage_amount=wage_amount,
        wage_period=application.opportunity.wage_period,
    )
    RetentionCheck.objects.bulk_create(
        RetentionCheck(placement=placement, month=month, due_on=retention_due_on(start_date, month))
        for month in RetentionMonth.values
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        subject=placement,
        person_id=application.person_id,
        fields=["start_date", "wage_amount"],
    )
    return placement


@transaction.atomic
def retention_check_record(
    *,
    actor: Any,
    check: RetentionCheck,
    still_employed: bool,
    earnings_amount: Decimal | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> RetentionCheck:
    """Record a follow-up: whether the person still works there and what they earn a month."""
    day = today or timezone.localdate()
    if check.due_on > day + dt.timedelta(days=14):
        raise DomainError(_("This check is not due yet."))
    if earnings_amount is not None and earnings_amount < 0:
        raise DomainError(_("Earnings cannot be negative."))
    check.still_employed = still_employed
    check.earnings_amount = earnings_amount
    check.note = note.strip()[:500]
    check.recorded_at = timezone.now()
    check.recorded_by = actor
    check.save(
        update_fields=[
            "still_employed",
            "earnings_amount",
            "note",
            "recorded_at",
            "recorded_by",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=check,
        person_id=check.placement.person_id,
        fields=["still_employed", "earnings_amount", "note"],
    )
    return check
