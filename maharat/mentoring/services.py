"""Writes of mentoring: mentor profiles, mentee requests, confirming and ending pairings, sessions, reminders.

Every write is audited. Confirming pairings locks the mentors' rows (``select_for_update``, in a fixed order
so two confirmations cannot deadlock) and re-checks their free places, and the database refuses any row
whose active mentees exceed its capacity, so no mentor is ever given more mentees than they accepted.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from maharat.core.audit import audit_record
from maharat.core.errors import DomainError
from maharat.core.models import AuditAction
from maharat.mentoring import access
from maharat.mentoring.choices import (
    Language,
    MenteeGroup,
    PairingStatus,
    RequestStatus,
    Sector,
    SessionMode,
    SessionStatus,
    Weekday,
)
from maharat.mentoring.models import MenteeRequest, MentorProfile, Pairing, Session
from maharat.mentoring.suggest import explain, pair_fit
from maharat.messaging.services import message_send_to_person
from maharat.people.models import Person
from maharat.skills.models import Skill

PROFILE_FIELDS = [
    "display_name",
    "sex",
    "bio",
    "sectors",
    "languages",
    "governorate",
    "remote",
    "availability",
    "weekdays",
    "hours_per_month",
    "capacity",
    "preferred_groups",
    "active",
]
REQUEST_FIELDS = ["goals", "sector", "language", "governorate", "remote_ok", "wants_female_mentor"]


def _check_codes(values: Iterable[Any], allowed: Iterable[Any], field: str) -> None:
    unknown = [v for v in values if v not in set(allowed)]
    if unknown:
        raise ValidationError(
            {field: _("Unknown choice: %(values)s.") % {"values": ", ".join(map(str, unknown))}}
        )


# Mentor profiles ------------------------------------------------------------------------------------------


@transaction.atomic
def mentor_profile_save(*, actor: Any, profile: MentorProfile, skills: Iterable[Skill] = ()) -> MentorProfile:
    """Create or change a mentor profile; capacity may not fall below the mentees they already have."""
    if not access.may_mentor(profile.user):
        raise DomainError(_("Only mentors and staff users can hold a mentor profile."))
    if not access.mentor_organizations(profile.user).filter(pk=profile.organization_id).exists():
        raise ValidationError({"organization": _("The mentor is not a member of this organization.")})
    _check_codes(profile.sectors, Sector.values, "sectors")
    _check_codes(profile.languages, Language.values, "languages")
    _check_codes(profile.weekdays, Weekday.values, "weekdays")
    _check_codes(profile.preferred_groups, MenteeGroup.values, "preferred_groups")
    if not profile.languages:
        raise ValidationError({"languages": _("Choose at least one language.")})
    if profile.governorate_id is None and not profile.remote:
        raise ValidationError({"governorate": _("Give a governorate, or offer remote mentoring.")})
    created = profile.pk is None
    if created:
        profile.active_mentees = 0
        profile.full_clean()
        profile.save()
    else:
        locked = MentorProfile.objects.select_for_update().get(pk=profile.pk)
        if profile.capacity < locked.active_mentees:
            raise ValidationError(
                {
                    "capacity": _("This mentor already has %(n)s mentees; capacity cannot be lower.")
                    % {"n": locked.active_mentees}
                }
            )
        if profile.organization_id != locked.organization_id and locked.active_mentees:
            raise ValidationError(
                {"organization": _("A mentor with active mentees cannot move to another organization.")}
            )
        profile.active_mentees = locked.active_mentees
        profile.full_clean()
        profile.save(update_fields=[*PROFILE_FIELDS, "organization", "updated_at"])
    profile.skills.set(list(skills))
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.CHANGE,
        subject=profile,
        fields=[*PROFILE_FIELDS, "skills"],
        reason="mentor profile saved",
    )
    return profile


# Mentee requests ------------------------------------------------------------------------------------------


@transaction.atomic
def mentee_request_create(
    *, actor: Any, request: MenteeRequest, skills: Iterable[Skill] = ()
) -> MenteeRequest:
    """Record a person's wish for a mentor; one live request per person and organization."""
    Person.objects.select_for_update().filter(pk=request.person_id).first()
    if request.person.merged_into_id is not None:
        raise DomainError(_("This record was merged into another one."))
    live = MenteeRequest.objects.filter(
        person_id=request.person_id,
        organization_id=request.organization_id,
        status__in=[RequestStatus.OPEN, RequestStatus.MATCHED],
    )
    if live.exists():
        raise DomainError(
            _("%(name)s already has a mentee request here.") % {"name": request.person.display_name}
        )
    request.status = RequestStatus.OPEN
    request.full_clean()
    request.save()
    request.skills.set(list(skills))
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        subject=request,
        person_id=request.person_id,
        fields=[*REQUEST_FIELDS, "skills"],
        reason="mentee request recorded",
    )
    return request


@transaction.atomic
def mentee_request_close(*, actor: Any, request: MenteeRequest, reason: str = "") -> MenteeRequest:
    """Close an open request (the person no longer wants a mentor, or left the programme)."""
    request = MenteeRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.OPEN:
        raise DomainError(_("Only a request waiting for a mentor can be closed; end its pairing first."))
    request.status = RequestStatus.CLOSED
    request.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=request,
        person_id=request.person_id,
        fields=["status"],
        reason=reason or "mentee request closed",
    )
    return request


# Pairings -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairChoice:
    """Staff's choice for one request: this mentor, and whether it is the suggested one."""

    request_id: int
    mentor_id: int
    suggested: bool = True


def _notify(person: Person, key: str, message: Any, params: dict[str, Any]) -> None:
    language = person.preferred_language or "ar"
    with translation.override(language):
        # Dates are written in the mentee's language, as the rest of the text.
        values = {k: _when(v) if isinstance(v, dt.datetime) else v for k, v in params.items()}
        text = str(message) % values
    message_send_to_person(person=person, text=text, idempotency_key=key, language=language)


@transaction.atomic
def pairings_confirm(
    *, actor: Any, choices: Sequence[PairChoice], org_ids: Sequence[int] | None
) -> list[Pairing]:
    """Confirm pairs all at once, or none: each request open, each mentor of its organization and within capacity."""
    if not choices:
        raise DomainError(_("Choose at least one pair to confirm."))
    request_ids = [c.request_id for c in choices]
    if len(set(request_ids)) != len(request_ids):
        raise DomainError(_("A mentee can have only one mentor at a time."))
    # Lock mentors first, then requests, each in primary-key order: concurrent confirmations queue up here.
    wanted = Counter(c.mentor_id for c in choices)
    mentors = {
        m.pk: m for m in MentorProfile.objects.select_for_update().filter(pk__in=wanted).order_by("pk")
    }
    requests = {
        r.pk: r for r in MenteeRequest.objects.select_for_update().filter(pk__in=request_ids).order_by("pk")
    }
    errors: list[str] = []
    for choice in choices:
        request, mentor = requests.get(choice.request_id), mentors.get(choice.mentor_id)
        if (
            request is None
            or mentor is None
            or (org_ids is not None and request.organization_id not in org_ids)
        ):
            raise PermissionDenied
        if request.status != RequestStatus.OPEN:
            errors.append(_("%(name)s already has a mentor.") % {"name": request.person.display_name})
        elif mentor.organization_id != request.organization_id or not mentor.active:
            errors.append(
                _("%(mentor)s does not take mentees for this organization.") % {"mentor": mentor.display_name}
            )
        else:
            fit = pair_fit(mentor, request)
            if not fit.allowed:
                errors.append(
                    _("%(mentor)s cannot mentor %(name)s: %(why)s")
                    % {
                        "mentor": mentor.display_name,
                        "name": request.person.display_name,
                        "why": " ".join(explain(fit)),
                    }
                )
    for mentor_id, n in wanted.items():
        mentor = mentors[mentor_id]
        if mentor.active_mentees + n > mentor.capacity:
            errors.append(
                _("%(mentor)s has %(free)s free places, not %(n)s.")
                % {"mentor": mentor.display_name, "free": mentor.free_places, "n": n}
            )
    if errors:
        raise DomainError(errors)
    now = timezone.now()
    created: list[Pairing] = []
    for choice in choices:
        request, mentor = requests[choice.request_id], mentors[choice.mentor_id]
        fit = pair_fit(mentor, request)
        pairing = Pairing.objects.create(
            mentor=mentor,
            request=request,
            mentee_id=request.person_id,
            started_at=now,
            fit_score=fit.score,
            fit_terms=fit.terms,
            suggested=choice.suggested,
            confirmed_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        request.status = RequestStatus.MATCHED
        request.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            subject=pairing,
            person_id=request.person_id,
            fields=["mentor", "mentee", "status"],
            reason="pairing confirmed" + ("" if choice.suggested else " (changed from the suggestion)"),
            detail={"fit": fit.score, "terms": fit.terms},
        )
        _notify(
            request.person,
            f"mentoring-pairing-{pairing.pk}-confirmed",
            _("Maharat: %(mentor)s will be your mentor. See “My mentor” on the platform."),
            {"mentor": mentor.display_name},
        )
        created.append(pairing)
    for mentor_id, n in wanted.items():
        # The check constraint mentor_within_capacity is the last guard should any path skip the lock.
        MentorProfile.objects.filter(pk=mentor_id).update(active_mentees=F("active_mentees") + n)
    return created


@transaction.atomic
def pairing_end(*, actor: Any, pairing: Pairing, reason: str = "") -> Pairing:
    """End a pairing: the mentor's place frees up and the request is closed."""
    MentorProfile.objects.select_for_update().filter(pk=pairing.mentor_id).first()
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if pairing.status != PairingStatus.ACTIVE:
        raise DomainError(_("This pairing has already ended."))
    pairing.status = PairingStatus.ENDED
    pairing.ended_at = timezone.now()
    pairing.save(update_fields=["status", "ended_at", "updated_at"])
    MenteeRequest.objects.filter(pk=pairing.request_id).update(
        status=RequestStatus.CLOSED, updated_at=timezone.now()
    )
    MentorProfile.objects.filter(pk=pairing.mentor_id).update(active_mentees=F("active_mentees") - 1)
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=pairing,
        person_id=pairing.mentee_id,
        fields=["status", "ended_at"],
        reason=reason or "pairing ended",
    )
    return pairing


# Sessions -------------------------------------------------------------------------------------------------


def _when(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


@transaction.atomic
def session_schedule(
    *,
    actor: Any,
    pairing: Pairing,
    starts_at: dt.datetime,
    mode: str = SessionMode.ONLINE,
    duration_minutes: int = 60,
    meeting_url: str = "",
    place: str = "",
) -> Session:
    """Schedule a session of an active pairing in the future; the mentee is told by text message."""
    pairing = Pairing.objects.select_for_update().select_related("mentor", "mentee").get(pk=pairing.pk)
    if pairing.status != PairingStatus.ACTIVE:
        raise DomainError(_("This pairing has ended."))
    errors: dict[str, Any] = {}
    if starts_at <= timezone.now():
        errors["starts_at"] = _("Choose a time in the future.")
    if mode == SessionMode.ONLINE and not meeting_url.strip():
        errors["meeting_url"] = _("Give the meeting link.")
    if mode == SessionMode.IN_PERSON and not place.strip():
        errors["place"] = _("Say where you will meet.")
    if errors:
        raise ValidationError(errors)
    session = Session(
        pairing=pairing,
        starts_at=starts_at,
        mode=mode,
        duration_minutes=duration_minutes,
        meeting_url=meeting_url.strip(),
        place=place.strip(),
    )
    session.full_clean()
    session.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        subject=session,
        person_id=pairing.mentee_id,
        fields=["starts_at", "mode", "meeting_url", "place"],
        reason="mentoring session scheduled",
    )
    _notify(
        pairing.mentee,
        f"mentoring-session-{session.pk}-scheduled",
        _("Maharat: mentoring session with %(mentor)s on %(when)s. Details under “My mentor”."),
        {"mentor": pairing.mentor.display_name, "when": starts_at},
    )
    return session


@transaction.atomic
def session_record(*, actor: Any, session: Session, status: str, notes: str | None = None) -> Session:
    """Record that a session was held, missed or cancelled, with the mentor's private notes."""
    session = Session.objects.select_for_update().select_related("pairing").get(pk=session.pk)
    if status not in (
        SessionStatus.HELD,
        SessionStatus.MISSED,
        SessionStatus.CANCELLED,
        SessionStatus.SCHEDULED,
    ):
        raise ValidationError({"status": _("Unknown choice: %(values)s.") % {"values": status}})
    if status in (SessionStatus.HELD, SessionStatus.MISSED) and session.starts_at > timezone.now():
        raise ValidationError(
            {"status": _("A session can be marked held or missed only once its time has come.")}
        )
    if session.feedback_rating is not None and status != SessionStatus.HELD:
        raise DomainError(_("The mentee already rated this session; it stays held."))
    fields = ["status"]
    session.status = status
    if notes is not None:
        session.notes = notes.strip()
        fields.append("notes")
    session.full_clean()
    session.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=session,
        person_id=session.pairing.mentee_id,
        fields=fields,
        reason=f"mentoring session {status}",
    )
    return session


@transaction.atomic
def session_feedback(*, actor: Any, session: Session, rating: int, comment: str = "") -> Session:
    """The mentee rates a held session from 1 to 5, once, with an optional comment."""
    session = Session.objects.select_for_update().select_related("pairing__mentee").get(pk=session.pk)
    if not access.is_pairing_mentee(actor, session.pairing):
        raise PermissionDenied
    if session.status != SessionStatus.HELD:
        raise DomainError(_("Feedback can be given only for a session that was held."))
    if session.feedback_rating is not None:
        raise DomainError(_("You already rated this session."))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"feedback_rating": _("Give a rating from 1 to 5.")})
    session.feedback_rating = rating
    session.feedback_comment = comment.strip()
    session.feedback_at = timezone.now()
    session.full_clean()
    session.save(update_fields=["feedback_rating", "feedback_comment", "feedback_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=session,
        person_id=session.pairing.mentee_id,
        fields=["feedback_rating", "feedback_comment"],
        reason="mentee gave feedback",
    )
    return session


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Tell each mentee the day before a scheduled session, once per session; returns how many were told."""
    now = now or timezone.now()
    tomorrow = timezone.localtime(now).date() + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time.min))
    end = start + dt.timedelta(days=1)
    due = (
        Session.objects.filter(
            status=SessionStatus.SCHEDULED,
            reminded_at__isnull=True,
            starts_at__gte=start,
            starts_at__lt=end,
            pairing__status=PairingStatus.ACTIVE,
        )
        .select_related("pairing__mentor", "pairing__mentee")
        .order_by("pk")
    )
    sent = 0
    for session in due:
        with transaction.atomic():
            locked = (
                Session.objects.select_for_update().filter(pk=session.pk, reminded_at__isnull=True).first()
            )
            if locked is None:
                continue
            _notify(
                session.pairing.mentee,
                f"mentoring-session-{session.pk}-reminder",
                _("Maharat: reminder, mentoring session with %(mentor)s tomorrow, %(when)s."),
                {"mentor": session.pairing.mentor.display_name, "when": session.starts_at},
            )
            locked.reminded_at = now
            locked.save(update_fields=["reminded_at", "updated_at"])
            sent += 1
    return sent


def mentee_message(*, actor: Any, pairing: Pairing, text: str) -> None:
    """A mentor writes to their mentee through the platform (the mentor never sees the number)."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write a message.")})
    if len(text) > 300:
        raise ValidationError({"text": _("Keep the message under 300 characters.")})
    pairing = Pairing.objects.select_related("mentor", "mentee").get(pk=pairing.pk)
    if pairing.status != PairingStatus.ACTIVE:
        raise DomainError(_("This pairing has ended."))
    message = message_send_to_person(
        person=pairing.mentee,
        text=f"{pairing.mentor.display_name}: {text}",
        idempotency_key=f"mentoring-note-{pairing.pk}-{timezone.now().timestamp():.6f}",
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        subject=message,
        person_id=pairing.mentee_id,
        fields=["text"],
        reason=f"mentor wrote to mentee (pairing {pairing.pk})",
    )
