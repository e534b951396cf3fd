"""Selection pages for staff: run a selection, read its report, export it, verify it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maharat.core.audit import audit_record
from maharat.core.downloads import table_response
from maharat.core.errors import DomainError
from maharat.core.models import AuditAction
from maharat.programmes import access, selectors
from maharat.programmes.explain import describe_outcome, describe_run_notes
from maharat.programmes.forms import SelectionForm
from maharat.programmes.models import SelectionRun
from maharat.programmes.selecting import selection_run, selection_verify


def _staff_run(request: HttpRequest, pk: int) -> SelectionRun:
    if not access.can_use_programmes(request.user):
        raise PermissionDenied
    run = SelectionRun.objects.select_related("call__programme__owner", "run_by").filter(pk=pk).first()
    if run is None or not access.can_manage_call(request.user, run.call):
        raise Http404
    return run


@login_required
def selection_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Run the selection of a call (POST), after a page that says what will happen."""
    if not access.can_use_programmes(request.user):
        raise PermissionDenied
    call = selectors.call_for_staff(request.user, pk)
    if call is None:
        raise Http404
    form = SelectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            run = selection_run(actor=request.user, call=call, seed=form.cleaned_data["seed"])
        except DomainError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Selection done. Lottery seed: %(seed)s.") % {"seed": run.seed})
            return redirect("programmes:selection_report", pk=run.pk)
    context = {"call": call, "form": form, "counts": selectors.call_counts(call)}
    return render(request, "programmes/selection_start.html", context)


@login_required
def selection_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Quota attainment, priority distribution, governorates, and why each applicant was selected or not."""
    run = _staff_run(request, pk)
    outcome = request.GET.get("outcome", "")
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    applications, more = selectors.run_applications(run, outcome=outcome, page=page)
    outcomes = _outcomes(run)
    rows = [
        {
            "application": a,
            "outcome": outcomes.get(str(a.pk), ""),
            "why": describe_outcome(run.result.get("reasons", {}).get(str(a.pk), {})),
        }
        for a in applications
    ]
    context = {
        "run": run,
        "call": run.call,
        "report": selectors.selection_report(run),
        "notes": describe_run_notes(run.result),
        "rows": rows,
        "outcome": outcome,
        "page": page,
        "more": more,
        "latest": run.call.selection_runs.order_by("-number").first() == run,
    }
    return render(request, "programmes/selection_report.html", context)


def _outcomes(run: SelectionRun) -> dict[str, str]:
    labels = {"selected": _("Selected"), "waitlist": _("Waiting list"), "control": _("Control group")}
    found: dict[str, str] = {}
    for outcome in ("selected", "waitlist", "control"):
        for key in run.result.get(outcome, []):
            found[key] = str(labels[outcome])
    return found


def export_rows(run: SelectionRun) -> list[list[Any]]:
    """The run as a table: rank, application, person, governorate, score, outcome and the reason."""
    outcomes = _outcomes(run)
    order = [*run.result.get("selected", []), *run.result.get("waitlist", []), *run.result.get("control", [])]
    applications = selectors.Application.objects.select_related("person__governorate").in_bulk(
        [int(k) for k in order]
    )
    reasons = run.result.get("reasons", {})
    header = [
        _("Rank"),
        _("Application"),
        _("Name"),
        _("Governorate"),
        _("Priority score"),
        _("Outcome"),
        _("Why"),
    ]
    rows: list[list[Any]] = [[str(h) for h in header]]
    for rank, key in enumerate(order, start=1):
        application = applications.get(int(key))
        if application is None:
            continue
        rows.append(
            [
                rank,
                application.pk,
                application.person.display_name,
                application.person.governorate.label,
                float(application.score),
                outcomes.get(key, ""),
                describe_outcome(reasons.get(key, {})),
            ]
        )
    return rows


@login_required
def selection_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Download the run as CSV or XLSX (audited: it holds names)."""
    run = _staff_run(request, pk)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    rows = export_rows(run)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        subject=run,
        fields=["selection"],
        reason=f"selection run {run.number} exported as {fmt}",
        detail={"rows": len(rows) - 1},
    )
    name = f"selection-{run.call.code}-{run.number}"
    return table_response(rows, name=name, fmt=fmt, sheet=str(_("Selection")))


@login_required
@require_POST
def selection_verify_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Re-run a stored selection from its own inputs and seed, and say whether it gives the same cohort."""
    run = _staff_run(request, pk)
    check = selection_verify(run)
    if check.ok:
        messages.success(
            request, _("Verified: the stored data, rules and seed give exactly the recorded cohort.")
        )
    else:
        messages.error(request, _("Verification failed: the stored data or result does not match."))
    if not check.data_unchanged:
        messages.warning(
            request, _("The applications changed since this run; a new run would start from different data.")
        )
    return redirect("programmes:selection_report", pk=run.pk)
