"""Matching pages: a seeker's recommendations, an employer's ranked candidates, runs and the fairness audit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maharat.matching import access, fairness, selectors, services
from maharat.matching.models import MatchRun, Recommendation, RunKind, RunStatus, Side
from maharat.matching.tasks import match_run
from maharat.opportunities.choices import ApplicationStatus
from maharat.opportunities.models import Application, Opportunity
from maharat.opportunities.services import application_move


@login_required
def recommended(request: HttpRequest) -> HttpResponse:
    """ "Recommended for you": the person's best opportunities, with reasons in plain words."""
    person = access.seeker(request.user)
    if person is None:
        raise Http404
    items = selectors.person_recommendations(person)
    return render(request, "matching/recommended.html", {"items": items, "person": person})


def _managed_opportunity(request: HttpRequest, pk: int) -> Opportunity:
    opportunity = get_object_or_404(Opportunity.objects.select_related("employer"), pk=pk)
    if not access.can_rank_candidates(request.user, opportunity):
        raise Http404  # another employer's offer: not even its existence is confirmed
    return opportunity


@login_required
def candidates(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Ranked candidates" of one of the employer's offers, as far as each candidate's consent allows."""
    opportunity = _managed_opportunity(request, pk)
    rows = selectors.opportunity_candidates(opportunity)
    return render(
        request,
        "matching/candidates.html",
        {"opportunity": opportunity, "candidates": rows, "IDENTIFIED": access.IDENTIFIED},
    )


@login_required
@require_POST
def candidate_action(request: HttpRequest, pk: int, rec_pk: int) -> HttpResponse:
    """Shortlist a candidate who applied (the hiring pipeline), or invite one who has not to apply."""
    opportunity = _managed_opportunity(request, pk)
    rec = get_object_or_404(
        Recommendation.objects.select_related("person"),
        pk=rec_pk,
        side=Side.OPPORTUNITY,
        opportunity=opportunity,
    )
    if rec.person_id not in access.candidate_visibility(opportunity, [rec.person_id]):
        raise Http404
    application = Application.objects.filter(opportunity=opportunity, person_id=rec.person_id).first()
    try:
        if application is not None:
            application_move(
                actor=request.user, application=application, to_status=ApplicationStatus.SHORTLISTED
            )
            messages.success(request, _("The candidate is on the shortlist."))
        else:
            services.candidate_invite(actor=request.user, recommendation=rec)
            messages.success(request, _("The candidate was invited to apply."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("matching:candidates", pk=opportunity.pk)


def _staff(request: HttpRequest) -> None:
    if not access.can_run_matching(request.user):
        raise PermissionDenied


@login_required
def runs(request: HttpRequest) -> HttpResponse:
    """Matching runs with their progress; start a run for everyone or resume one that stopped."""
    _staff(request)
    recent = selectors.recent_runs()
    running = any(r.status in (RunStatus.PENDING, RunStatus.RUNNING) for r in recent)
    return render(request, "matching/runs.html", {"runs": recent, "refresh": running})


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    """Start a run for everyone in the background."""
    _staff(request)
    try:
        run = services.run_start(actor=request.user, kind=RunKind.ALL)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("matching:runs")
    _launch(request, run)
    return redirect("matching:runs")


@login_required
@require_POST
def run_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Continue a run that stopped, from its first unfinished chunk."""
    _staff(request)
    run = get_object_or_404(MatchRun, pk=pk, kind=RunKind.ALL)
    if run.status == RunStatus.DONE:
        messages.error(request, _("This run has already finished."))
        return redirect("matching:runs")
    _launch(request, run)
    return redirect("matching:runs")


def _launch(request: HttpRequest, run: MatchRun) -> None:
    try:
        match_run.delay(run.pk)
    except Exception:  # eager mode runs it here; the run records its own error for the page
        messages.error(request, _("The run stopped with an error; you can resume it."))
        return
    messages.success(request, _("The run has started; this page shows its progress."))


@login_required
def fairness_audit(request: HttpRequest) -> HttpResponse:
    """Recommendation and shortlist rates by group, overall or for one offer, flagged under 80% of the best."""
    _staff(request)
    opportunity = None
    chosen = request.GET.get("opportunity", "")
    if chosen:
        if not chosen.isdigit():
            raise Http404
        opportunity = get_object_or_404(Opportunity, pk=int(chosen))
    offers = Opportunity.objects.visible().order_by("title_en", "pk")[:200]
    return render(
        request,
        "matching/fairness.html",
        {"audit": fairness.audit(opportunity), "opportunity": opportunity, "offers": offers},
    )
