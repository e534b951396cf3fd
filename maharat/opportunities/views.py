"""Opportunity pages: seekers search and apply; employers post offers and run the pipeline; staff moderate."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maharat.opportunities import access, selectors, services, work_rights
from maharat.opportunities.choices import OPEN_APPLICATION_STATUSES, OpportunityStatus
from maharat.opportunities.forms import (
    ApplyForm,
    DecisionForm,
    DocumentForm,
    MessageForm,
    MoveForm,
    OpportunityForm,
    ReportForm,
    ResolveForm,
    RetentionForm,
    SearchForm,
    skill_options,
)
from maharat.opportunities.models import (
    Application,
    EmployerProfile,
    Opportunity,
    OpportunityReport,
    Placement,
    RetentionCheck,
)
from maharat.opportunities.safeguarding import flag_reason
from maharat.people.models import Organization


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _flags(opportunity: Opportunity) -> list[str]:
    return [flag_reason(flag["code"], flag) for flag in opportunity.safeguarding_flags]


# Seekers --------------------------------------------------------------------------------------------------


def opportunity_list(request: HttpRequest) -> HttpResponse:
    """Search and filter published offers; a logged-in person may keep only those open to them."""
    form = SearchForm(request.GET or None)
    person = access.own_person(request.user)
    offers: list[Opportunity] = []
    if form.is_valid() or not request.GET:
        data = form.cleaned_data if form.is_bound else {}
        offers = selectors.opportunity_search(
            query=data.get("q", ""),
            kind=data.get("kind", ""),
            governorate=data.get("governorate"),
            remote=bool(data.get("remote")),
            sector=data.get("sector", ""),
            open_to=person if data.get("open_to_me") else None,
        )
    return render(request, "opportunities/list.html", {"form": form, "offers": offers, "person": person})


def opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One offer, the work-rights verdict for the logged-in person, and the application form."""
    opportunity = get_object_or_404(
        Opportunity.objects.select_related("employer__employer_profile", "governorate", "occupation"), pk=pk
    )
    if not access.can_view_opportunity(request.user, opportunity):
        raise Http404
    person = access.own_person(request.user)
    verdict = work_rights.verdict(person, opportunity) if person is not None else None
    existing = Application.objects.filter(opportunity=opportunity, person=person).first() if person else None
    return render(
        request,
        "opportunities/detail.html",
        {
            "opportunity": opportunity,
            "person": person,
            "verdict": verdict,
            "existing": existing,
            "apply_form": ApplyForm() if person and not existing and verdict and verdict.eligible else None,
            "skills": opportunity.required_skills.select_related("skill"),
            "can_manage": access.can_manage_opportunity(request.user, opportunity),
            "flags": _flags(opportunity) if access.can_manage_opportunity(request.user, opportunity) else [],
        },
    )


@login_required
@require_POST
def opportunity_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply in one click with the profile (and an optional CV)."""
    opportunity = get_object_or_404(Opportunity, pk=pk)
    person = access.own_person(request.user)
    if person is None:
        raise PermissionDenied
    form = ApplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.application_submit(
                actor=request.user,
                opportunity=opportunity,
                person=person,
                note=form.cleaned_data["note"],
                cv=form.cleaned_data.get("cv"),
            )
        except ValidationError as exc:
            for error in _errors(exc):
                messages.error(request, error)
            return redirect("opportunities:detail", pk=pk)
        messages.success(request, _("Your application was sent."))
        return redirect("opportunities:my_applications")
    for problems in form.errors.values():
        for problem in problems:
            messages.error(request, str(problem))
    return redirect("opportunities:detail", pk=pk)


@login_required
def my_applications(request: HttpRequest) -> HttpResponse:
    """The person's applications and where each stands."""
    person = access.own_person(request.user)
    if person is None:
        raise PermissionDenied
    applications = (
        Application.objects.filter(person=person)
        .select_related("opportunity__employer")
        .prefetch_related("events")
    )
    return render(
        request,
        "opportunities/my_applications.html",
        {"applications": applications, "open_statuses": OPEN_APPLICATION_STATUSES},
    )


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant withdraws."""
    application = get_object_or_404(Application.objects.select_related("person"), pk=pk)
    if not access.is_own_application(request.user, application):
        raise PermissionDenied
    try:
        services.application_withdraw(actor=request.user, application=application)
        messages.success(request, _("Your application was withdrawn."))
    except ValidationError as exc:
        for error in _errors(exc):
            messages.error(request, error)
    return redirect("opportunities:my_applications")


@login_required
def opportunity_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Report an offer that looks exploitative or false."""
    opportunity = get_object_or_404(Opportunity, pk=pk)
    if not access.can_view_opportunity(request.user, opportunity):
        raise Http404
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.opportunity_report(
            actor=request.user,
            opportunity=opportunity,
            reason=form.cleaned_data["reason"],
            text=form.cleaned_data["text"],
        )
        messages.success(request, _("Thank you. Staff will review this offer."))
        return redirect("opportunities:detail", pk=pk)
    return render(request, "opportunities/report.html", {"form": form, "opportunity": opportunity})


@login_required
def application_cv(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The CV of an application, for the applicant and the offer's employer only."""
    application = get_object_or_404(Application.objects.select_related("person", "opportunity"), pk=pk)
    if not access.can_view_application(request.user, application) or not application.cv:
        raise Http404
    return FileResponse(
        application.cv.open("rb"),
        as_attachment=True,
        filename=application.cv_name,
        content_type=application.cv_content_type,
    )


# Employers ------------------------------------------------------------------------------------------------


def _require_employer(request: HttpRequest) -> list[int]:
    if not request.user.is_authenticated:
        raise PermissionDenied
    org_ids = access.employer_organization_ids(request.user)
    if not org_ids and not access.is_admin(request.user):
        raise PermissionDenied
    return org_ids


@login_required
def employer_home(request: HttpRequest) -> HttpResponse:
    """The employer's offers, verification status and follow-ups due."""
    org_ids = _require_employer(request)
    organizations = Organization.objects.filter(pk__in=org_ids).select_related("employer_profile")
    return render(
        request,
        "opportunities/employer_home.html",
        {
            "organizations": organizations,
            "offers": selectors.employer_opportunities(org_ids),
            "checks": selectors.retention_checks_due(org_ids=org_ids),
        },
    )


@login_required
def opportunity_edit(request: HttpRequest, org_pk: int, pk: int | None = None) -> HttpResponse:
    """Create or edit a draft offer."""
    organization = get_object_or_404(Organization, pk=org_pk)
    if not access.can_manage_employer(request.user, organization.pk):
        raise PermissionDenied
    opportunity = None
    if pk is not None:
        opportunity = get_object_or_404(Opportunity, pk=pk, employer=organization)
    form = OpportunityForm(request.POST or None, instance=opportunity)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.opportunity_save(
                actor=request.user,
                employer=organization,
                data=form.opportunity_data(),
                skills=form.skill_rows(),
                opportunity=opportunity,
            )
        except ValidationError as exc:
            for error in _errors(exc):
                form.add_error(None, error)
        else:
            messages.success(request, _("The offer was saved as a draft. Submit it when it is ready."))
            return redirect("opportunities:detail", pk=saved.pk)
    return render(
        request,
        "opportunities/edit.html",
        {
            "form": form,
            "organization": organization,
            "opportunity": opportunity,
            "skill_options": skill_options(),
        },
    )


def _managed(request: HttpRequest, pk: int) -> Opportunity:
    opportunity = get_object_or_404(Opportunity.objects.select_related("employer"), pk=pk)
    if not access.can_manage_opportunity(request.user, opportunity):
        raise PermissionDenied
    return opportunity


@login_required
@require_POST
def opportunity_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit a draft: screened, then published or sent to moderation."""
    opportunity = _managed(request, pk)
    try:
        services.opportunity_submit(actor=request.user, opportunity=opportunity)
    except ValidationError as exc:
        for error in _errors(exc):
            messages.error(request, error)
    else:
        if opportunity.status == OpportunityStatus.PUBLISHED:
            messages.success(request, _("The offer is published."))
        else:
            messages.warning(request, _("The offer needs a moderator's review before it is published."))
    return redirect("opportunities:detail", pk=pk)


@login_required
@require_POST
def opportunity_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close an offer."""
    opportunity = _managed(request, pk)
    try:
        services.opportunity_close(actor=request.user, opportunity=opportunity)
        messages.success(request, _("The offer is closed."))
    except ValidationError as exc:
        for error in _errors(exc):
            messages.error(request, error)
    return redirect("opportunities:detail", pk=pk)


@login_required
def opportunity_applicants(request: HttpRequest, pk: int) -> HttpResponse:
    """The people who applied to an offer, for its employer only."""
    opportunity = _managed(request, pk)
    return render(
        request,
        "opportunities/applicants.html",
        {"opportunity": opportunity, "applications": selectors.applicants(opportunity)},
    )


@login_required
def application_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """One applicant: profile summary, history, next step, and a message."""
    application = get_object_or_404(
        Application.objects.select_related("person__governorate", "opportunity__employer"), pk=pk
    )
    if not access.can_manage_application(request.user, application):
        raise PermissionDenied
    move_form = MoveForm(request.POST if request.POST.get("action") == "move" else None)
    message_form = MessageForm(request.POST if request.POST.get("action") == "message" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "move" and move_form.is_valid():
                data = move_form.cleaned_data
                services.application_move(
                    actor=request.user,
                    application=application,
                    to_status=data["to_status"],
                    note=data["note"],
                    interview_at=data["interview_at"],
                    interview_place=data["interview_place"],
                    not_selected_reason=data["not_selected_reason"],
                    start_date=data["start_date"],
                    wage_amount=data["wage_amount"],
                )
                messages.success(request, _("The application was updated."))
                return redirect("opportunities:application_manage", pk=pk)
            if request.POST.get("action") == "message" and message_form.is_valid():
                services.application_message(
                    actor=request.user, application=application, text=message_form.cleaned_data["text"]
                )
                messages.success(request, _("The message is on its way."))
                return redirect("opportunities:application_manage", pk=pk)
        except ValidationError as exc:
            for error in _errors(exc):
                messages.error(request, error)
    placement = Placement.objects.filter(application=application).first()
    return render(
        request,
        "opportunities/application_manage.html",
        {
            "application": application,
            "person": application.person,
            "events": application.events.all(),
            "skills": application.person.skills.select_related("skill"),
            "move_form": move_form,
            "message_form": message_form,
            "next_steps": services.TRANSITIONS[application.status],
            "placement": placement,
            "checks": selectors.placement_checks(placement) if placement is not None else [],
        },
    )


@login_required
def employer_document(request: HttpRequest, org_pk: int) -> HttpResponseBase:
    """Upload the registration document (employer) or read it (employer and moderators)."""
    organization = get_object_or_404(Organization, pk=org_pk)
    if request.method == "POST":
        if not access.can_manage_employer(request.user, organization.pk):
            raise PermissionDenied
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.employer_document_upload(
                    actor=request.user,
                    organization=organization,
                    upload=form.cleaned_data["document"],
                    registration_number=form.cleaned_data["registration_number"],
                    insured_workers=form.cleaned_data["insured_workers"],
                )
            except ValidationError as exc:
                for error in _errors(exc):
                    form.add_error("document", error)
            else:
                messages.success(request, _("Thank you. Staff will check the document."))
                return redirect("opportunities:employer_home")
        return render(request, "opportunities/document.html", {"form": form, "organization": organization})
    profile = EmployerProfile.objects.filter(organization=organization).first()
    if profile is None or not access.can_view_employer_document(request.user, profile):
        if access.can_manage_employer(request.user, organization.pk):
            return render(
                request, "opportunities/document.html", {"form": DocumentForm(), "organization": organization}
            )
        raise PermissionDenied
    if request.GET.get("file") and profile.document:
        return FileResponse(
            profile.document.open("rb"),
            as_attachment=True,
            filename=profile.document_name,
            content_type=profile.document_content_type,
        )
    upload_form = DocumentForm() if access.can_manage_employer(request.user, organization.pk) else None
    return render(
        request,
        "opportunities/document.html",
        {"form": upload_form, "organization": organization, "profile": profile},
    )


# Staff ----------------------------------------------------------------------------------------------------


def _require_moderator(request: HttpRequest) -> None:
    if not access.can_moderate(request.user):
        raise PermissionDenied


@login_required
def moderation(request: HttpRequest) -> HttpResponse:
    """Flagged offers with their reasons, reports, and employers waiting for verification."""
    _require_moderator(request)
    queue = selectors.moderation_queue()
    pending = [(offer, _flags(offer)) for offer in queue["pending"]]
    return render(
        request,
        "opportunities/moderation.html",
        {
            "pending": pending,
            "reports": queue["reports"],
            "employers": queue["employers"],
            "decision_form": DecisionForm(),
            "resolve_form": ResolveForm(),
        },
    )


def _decide(request: HttpRequest, action: Any, **kwargs: Any) -> HttpResponse:
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("opportunities:moderation")
    try:
        action(
            actor=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
            **kwargs,
        )
        messages.success(request, _("Decision recorded."))
    except ValidationError as exc:
        for error in _errors(exc):
            messages.error(request, error)
    return redirect("opportunities:moderation")


@login_required
@require_POST
def moderate_opportunity(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject a flagged offer."""
    _require_moderator(request)
    return _decide(request, services.opportunity_moderate, opportunity=get_object_or_404(Opportunity, pk=pk))


@login_required
@require_POST
def verify_employer(request: HttpRequest, org_pk: int) -> HttpResponse:
    """Verify an employer or refuse it."""
    _require_moderator(request)
    return _decide(request, services.employer_verify, organization=get_object_or_404(Organization, pk=org_pk))


@login_required
@require_POST
def resolve_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Resolve a report of an offer."""
    _require_moderator(request)
    report = get_object_or_404(OpportunityReport.objects.select_related("opportunity"), pk=pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.report_resolve(
                actor=request.user,
                report=report,
                note=form.cleaned_data["note"],
                close_offer=form.cleaned_data["close_offer"],
            )
            messages.success(request, _("Decision recorded."))
        except ValidationError as exc:
            for error in _errors(exc):
                messages.error(request, error)
    else:
        messages.error(request, _("Say what was done about the report."))
    return redirect("opportunities:moderation")


@login_required
def followups(request: HttpRequest) -> HttpResponse:
    """Retention checks due or overdue, for staff."""
    _require_moderator(request)
    return render(request, "opportunities/followups.html", {"checks": selectors.retention_checks_due()})


@login_required
def retention_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record one retention check (staff or the employer)."""
    check = get_object_or_404(
        RetentionCheck.objects.select_related("placement__person", "placement__opportunity"), pk=pk
    )
    if not access.can_follow_up(request.user, check.placement):
        raise PermissionDenied
    form = RetentionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.retention_check_record(
                actor=request.user,
                check=check,
                still_employed=form.cleaned_data["still_employed"],
                earnings_amount=form.cleaned_data["earnings_amount"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for error in _errors(exc):
                form.add_error(None, error)
        else:
            messages.success(request, _("The follow-up was recorded."))
            return redirect(
                "opportunities:followups"
                if access.can_moderate(request.user)
                else "opportunities:employer_home"
            )
    return render(request, "opportunities/retention.html", {"form": form, "check": check})
