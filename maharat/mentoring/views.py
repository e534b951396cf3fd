"""Mentoring pages: the staff dashboard, mentor profiles, a mentor's mentees and sessions, a mentee's mentor."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maharat.core.roles import Role, user_roles
from maharat.mentoring import access, selectors, services
from maharat.mentoring.choices import SessionStatus
from maharat.mentoring.forms import (
    AlertWeeksForm,
    ConfirmForm,
    FeedbackForm,
    MenteeRequestForm,
    MentorProfileForm,
    MessageForm,
    SessionRecordForm,
    SessionScheduleForm,
    mentor_candidates,
)
from maharat.mentoring.models import MentorProfile, Pairing, Session
from maharat.mentoring.suggest import Suggestion, explain, pair_fit, suggest
from maharat.people.access import is_admin, visible_people


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _org_scope(user: Any) -> list[int] | None:
    """None for administrators (every organization), else the organizations the user manages."""
    return None if is_admin(user) else access.managed_org_ids(user)


def _require_manager(request: HttpRequest) -> None:
    if not access.can_manage_mentoring(request.user):
        raise PermissionDenied


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The mentoring link of the menu: staff go to the dashboard, mentors to their mentees."""
    if access.can_manage_mentoring(request.user):
        return redirect("mentoring:dashboard")
    if access.may_mentor(request.user):
        return redirect("mentoring:my_mentees")
    if Role.BENEFICIARY in user_roles(request.user):
        return redirect("mentoring:my_mentor")
    raise PermissionDenied


# Staff ----------------------------------------------------------------------------------------------------


def _confirm_rows(suggestion: Suggestion) -> tuple[list[dict[str, Any]], list[MentorProfile]]:
    suggested = {p.request.pk: p for p in suggestion.pairs}
    requests = [p.request for p in suggestion.pairs] + [r for r, _why in suggestion.unmatched]
    requests.sort(key=lambda r: r.pk)
    unmatched = {r.pk: why for r, why in suggestion.unmatched}
    open_mentors = [m for m in suggestion.mentors if m.free_places > 0]
    rows = []
    for request in requests:
        pair = suggested.get(request.pk)
        mentor_ids = {
            m.pk
            for m in open_mentors
            if m.organization_id == request.organization_id and pair_fit(m, request).allowed
        }
        rows.append(
            {
                "request": request,
                "suggested": pair.mentor if pair else None,
                "score": pair.fit.score if pair else None,
                "reasons": pair.reasons if pair else [],
                "why_not": unmatched.get(request.pk, ""),
                "mentor_ids": mentor_ids,
            }
        )
    return rows, open_mentors


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Mentors, requests waiting, the suggested pairs to confirm or change, active pairs and quiet pairs."""
    _require_manager(request)
    weeks_form = AlertWeeksForm(request.GET or None)
    weeks = weeks_form.cleaned_data["weeks"] if weeks_form.is_valid() else selectors.DEFAULT_ALERT_WEEKS
    suggestion = suggest(_org_scope(request.user))
    rows, mentors = _confirm_rows(suggestion)
    form = ConfirmForm(rows=rows, mentors=mentors)
    context = {
        "mentors": selectors.dashboard_mentors(request.user),
        "requests": selectors.dashboard_requests(request.user),
        "rows": [(row, form[f"r{row['request'].pk}"]) for row in rows],
        "form": form,
        "total": suggestion.total,
        "pairings": selectors.active_pairings(request.user),
        "quiet": selectors.quiet_pairings(request.user, weeks=weeks),
        "weeks": weeks,
        "weeks_form": weeks_form if request.GET else AlertWeeksForm(initial={"weeks": weeks}),
        "own_profile": access.own_profile(request.user),
    }
    return render(request, "mentoring/dashboard.html", context)


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    """Confirm the pairs as shown (or as changed), or a single pair; all or nothing."""
    _require_manager(request)
    scope = _org_scope(request.user)
    suggestion = suggest(scope)
    rows, mentors = _confirm_rows(suggestion)
    form = ConfirmForm(request.POST, rows=rows, mentors=mentors)
    if not form.is_valid():
        messages.error(request, _("A chosen mentor is not available for that mentee; nothing was confirmed."))
        return redirect("mentoring:dashboard")
    picked = form.choices()
    only = request.POST.get("only", "")
    if only:
        picked = [c for c in picked if str(c[0]) == only]
    suggested = {(p.request.pk, p.mentor.pk) for p in suggestion.pairs}
    choices = [services.PairChoice(r, m, suggested=(r, m) in suggested) for r, m in picked]
    try:
        created = services.pairings_confirm(actor=request.user, choices=choices, org_ids=scope)
    except ValidationError as exc:
        _flash_errors(request, exc)
        messages.error(request, _("Nothing was confirmed."))
    else:
        messages.success(request, _("Pairs confirmed: %(n)s.") % {"n": len(created)})
    return redirect("mentoring:dashboard")


@login_required
def request_create(request: HttpRequest) -> HttpResponse:
    """Record a mentee request for a person the officer may see."""
    _require_manager(request)
    form = MenteeRequestForm(
        request.POST or None,
        organizations=access.managing_organizations(request.user),
        people=visible_people(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.mentee_request_create(
                actor=request.user, request=form.save(commit=False), skills=form.cleaned_data["skills"]
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The mentee request was recorded."))
            return redirect("mentoring:dashboard")
    return render(request, "mentoring/request_form.html", {"form": form})


@login_required
@require_POST
def request_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a request that waits for a mentor."""
    mentee_request = get_object_or_404(access.visible_requests(request.user), pk=pk)
    try:
        services.mentee_request_close(actor=request.user, request=mentee_request)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("The request was closed."))
    return redirect("mentoring:dashboard")


# Mentor profiles ------------------------------------------------------------------------------------------


def _profile_form_page(
    request: HttpRequest, *, profile: MentorProfile | None, organizations: Any, users: Any = None
) -> HttpResponse:
    form = MentorProfileForm(request.POST or None, instance=profile, organizations=organizations, users=users)
    if request.method == "POST" and form.is_valid():
        instance = form.save(commit=False)
        if profile is None:
            instance.user = form.cleaned_data["user"] if users is not None else request.user
        try:
            services.mentor_profile_save(
                actor=request.user, profile=instance, skills=form.cleaned_data["skills"]
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The mentor profile was saved."))
            if instance.user_id != request.user.pk:
                return redirect("mentoring:dashboard")
            return redirect("mentoring:my_mentees")
    return render(request, "mentoring/profile_form.html", {"form": form, "profile": profile})


@login_required
def my_profile(request: HttpRequest) -> HttpResponse:
    """A mentor creates or changes their own profile."""
    if not access.may_mentor(request.user):
        raise PermissionDenied
    return _profile_form_page(
        request,
        profile=access.own_profile(request.user),
        organizations=access.mentor_organizations(request.user),
    )


@login_required
def profile_create(request: HttpRequest) -> HttpResponse:
    """Staff create a profile for a mentor or staff user of their organizations."""
    _require_manager(request)
    return _profile_form_page(
        request,
        profile=None,
        organizations=access.managing_organizations(request.user),
        users=mentor_candidates(_org_scope(request.user)),
    )


@login_required
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff (or the mentor) change a profile."""
    profile = get_object_or_404(MentorProfile, pk=pk)
    if not access.can_edit_profile(request.user, profile):
        raise PermissionDenied
    if profile.user_id == request.user.pk:
        return redirect("mentoring:my_profile")
    return _profile_form_page(
        request, profile=profile, organizations=access.managing_organizations(request.user)
    )


# Mentors and pairings -------------------------------------------------------------------------------------


@login_required
def my_mentees(request: HttpRequest) -> HttpResponse:
    """A mentor's mentees (name and goals only) and their sessions."""
    if not access.may_mentor(request.user):
        raise PermissionDenied
    pairings = list(selectors.my_mentees(request.user))
    items = [{"pairing": p, "mentee": access.mentee_card(p)} for p in pairings]
    return render(
        request, "mentoring/my_mentees.html", {"items": items, "profile": access.own_profile(request.user)}
    )


def _visible_pairing(request: HttpRequest, pk: int) -> Pairing:
    pairing = get_object_or_404(
        Pairing.objects.select_related("mentor", "mentee", "request", "mentor__organization"), pk=pk
    )
    if not access.can_view_pairing(request.user, pairing):
        raise PermissionDenied
    return pairing


@login_required
def pairing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One pairing for its mentor and the managing staff: mentee goals, sessions with notes, forms."""
    pairing = _visible_pairing(request, pk)
    sessions = list(pairing.sessions.order_by("starts_at"))
    context = {
        "pairing": pairing,
        "mentee": access.mentee_card(pairing),
        "sessions": [
            (s, SessionRecordForm(initial={"status": s.status, "notes": s.notes})) for s in sessions
        ],
        "schedule_form": SessionScheduleForm(),
        "message_form": MessageForm(),
        "can_run": access.can_run_sessions(request.user, pairing),
        "show_notes": access.can_see_notes(request.user, pairing),
        "can_end": access.can_oversee(request.user, pairing) and pairing.status == "active",
        "is_mentor": access.is_pairing_mentor(request.user, pairing),
        "reasons": explain(_stored_fit(pairing)),
    }
    return render(request, "mentoring/pairing.html", context)


def _stored_fit(pairing: Pairing) -> Any:
    from maharat.mentoring.assign import Fit

    return Fit(score=pairing.fit_score, terms=dict(pairing.fit_terms))


@login_required
@require_POST
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Schedule a session; the mentee is told by text message."""
    pairing = _visible_pairing(request, pk)
    if not access.can_run_sessions(request.user, pairing):
        raise PermissionDenied
    form = SessionScheduleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.session_schedule(
                actor=request.user,
                pairing=pairing,
                starts_at=data["starts_at"],
                mode=data["mode"],
                duration_minutes=data["duration_minutes"],
                meeting_url=data["meeting_url"],
                place=data["place"],
            )
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            messages.success(request, _("The session is scheduled and the mentee was told."))
            return redirect("mentoring:pairing", pk=pairing.pk)
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
    return redirect("mentoring:pairing", pk=pairing.pk)


@login_required
@require_POST
def session_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a session held, missed or cancelled, with private notes."""
    session = get_object_or_404(Session.objects.select_related("pairing__mentor"), pk=pk)
    if not access.can_run_sessions(request.user, session.pairing):
        raise PermissionDenied
    form = SessionRecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what happened in the session."))
    else:
        try:
            services.session_record(
                actor=request.user,
                session=session,
                status=form.cleaned_data["status"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            messages.success(request, _("The session was updated."))
    return redirect("mentoring:pairing", pk=session.pairing_id)


@login_required
@require_POST
def pairing_message(request: HttpRequest, pk: int) -> HttpResponse:
    """The mentor writes to the mentee through the platform."""
    pairing = _visible_pairing(request, pk)
    if not access.can_run_sessions(request.user, pairing):
        raise PermissionDenied
    form = MessageForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Write a message of at most 300 characters."))
        services.mentee_message(actor=request.user, pairing=pairing, text=form.cleaned_data["text"])
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("The message was sent."))
    return redirect("mentoring:pairing", pk=pairing.pk)


@login_required
@require_POST
def pairing_end(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff end a pairing, which frees the mentor's place."""
    pairing = _visible_pairing(request, pk)
    if not access.can_oversee(request.user, pairing):
        raise PermissionDenied
    try:
        services.pairing_end(actor=request.user, pairing=pairing)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("The pairing has ended."))
    return redirect("mentoring:dashboard")


# Mentees --------------------------------------------------------------------------------------------------


@login_required
def my_mentor(request: HttpRequest) -> HttpResponse:
    """A mentee's own mentor and sessions, with a feedback form for each held session not yet rated."""
    if Role.BENEFICIARY not in user_roles(request.user):
        raise PermissionDenied
    items = []
    for pairing in selectors.my_mentors(request.user):
        sessions = [
            (s, FeedbackForm(prefix=f"s{s.pk}") if access.can_give_feedback(request.user, s) else None)
            for s in pairing.sessions.all()
        ]
        items.append({"pairing": pairing, "sessions": sessions})
    return render(request, "mentoring/my_mentor.html", {"items": items, "held": SessionStatus.HELD})


@login_required
@require_POST
def session_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """The mentee rates a held session."""
    session = get_object_or_404(Session.objects.select_related("pairing__mentee"), pk=pk)
    if not access.is_pairing_mentee(request.user, session.pairing):
        raise PermissionDenied
    form = FeedbackForm(request.POST, prefix=f"s{session.pk}")
    try:
        if not form.is_valid():
            raise ValidationError(_("Give a rating from 1 to 5."))
        services.session_feedback(
            actor=request.user,
            session=session,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("Thank you for your feedback."))
    return redirect("mentoring:my_mentor")
