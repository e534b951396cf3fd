"""The import wizard: upload a CSV/XLSX (or KoBo export), map columns, check every row, then import all or nothing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy

from maharat.core.roles import Role
from maharat.people import access, importing
from maharat.people.models import ImportJob, Organization
from maharat.people.tasks import import_commit, import_progress


class UploadForm(forms.Form):
    """The file to import and the organization it is for."""

    file = forms.FileField(label=gettext_lazy("CSV or Excel file (a KoBoToolbox export works too)"))
    organization = forms.ModelChoiceField(
        label=gettext_lazy("Organization"), queryset=Organization.objects.none()
    )


def _organizations(user: Any) -> Any:
    if access.is_admin(user):
        return Organization.objects.filter(active=True)
    return Organization.objects.filter(
        pk__in=access.organization_ids(user, frozenset({Role.PROGRAMME_OFFICER}))
    )


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Step 1: upload a file."""
    if not access.can_manage_registry(request.user):
        raise PermissionDenied
    form = UploadForm(request.POST if request.method == "POST" else None, request.FILES or None)
    form.fields["organization"].queryset = _organizations(request.user)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        organization = form.cleaned_data["organization"]
        if not access.can_import_for(request.user, organization):
            raise PermissionDenied
        upload = form.cleaned_data["file"]
        try:
            job = importing.import_job_create(
                actor=request.user,
                organization=organization,
                filename=upload.name,
                content=importing.read_upload(upload),
            )
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            return redirect("people:import_review", pk=job.pk)
    recent = ImportJob.objects.filter(organization__in=_organizations(request.user)).defer("content")[:10]
    return render(request, "people/import_upload.html", {"form": form, "recent": recent})


@login_required
def import_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2 and 3: map the columns, check every row, then import."""
    job = ImportJob.objects.filter(pk=pk).select_related("organization").first()
    if job is None or not access.can_import_for(request.user, job.organization):
        raise Http404
    table = importing.read_table(job.filename, bytes(job.content))
    targets = importing.target_fields()
    mapping = job.mapping or importing.suggest_mapping(table.headers, table.hxl_tags, table.rows[:20])
    consent_confirmed = bool(request.POST.get("consent_confirmed"))
    busy = job.status in (ImportJob.Status.COMMITTED, ImportJob.Status.RUNNING)
    if request.method == "POST" and not busy:
        mapping = {field: request.POST.get(f"map_{field}", "") for field, _label in targets}
        mapping = {field: column for field, column in mapping.items() if column}
        if request.POST.get("action") == "commit":
            ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, mapping=mapping)
            import_commit.delay(job.pk, request.user.pk, consent_confirmed, mapping)
            return redirect("people:import_review", pk=job.pk)
        try:
            importing.import_job_validate(job=job, mapping=mapping, consent_confirmed=consent_confirmed)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        job.refresh_from_db()
    context = {
        "job": job,
        "headers": table.headers,
        "targets": [(field, label, mapping.get(field, "")) for field, label in targets],
        "preview": table.rows[:5],
        "report": job.report,
        "consent_confirmed": consent_confirmed,
        "progress": import_progress(job.pk) if job.status == ImportJob.Status.RUNNING else None,
    }
    return render(request, "people/import_review.html", context)
