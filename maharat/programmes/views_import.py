"""Importing applications in the browser: upload a CSV/XLSX (or KoBoToolbox export), review the check, import.

Between the two pages the upload waits in a file under ``var/imports/applications/`` named by a random token
and tied to the staff member and the call; it is deleted once imported and swept after a day.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy, ngettext

from maharat.people.importing import ImportRefused, ImportReport, read_table, read_upload
from maharat.programmes import importing
from maharat.programmes.access import can_manage_call, visible_calls
from maharat.programmes.models import Call

STAGING_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class UploadForm(forms.Form):
    """The file of applications to import."""

    file = forms.FileField(label=gettext_lazy("CSV or Excel file (a KoBoToolbox export works too)"))


# --- The upload waiting between the pages ----------------------------------------------------------------


@dataclass
class StagedUpload:
    """An uploaded file waiting for review: whose it is, for which call, and the mapping chosen so far."""

    token: str
    user_id: int
    call_id: int
    filename: str
    mapping: dict[str, str] | None
    content: bytes


def staging_dir() -> Path:
    """Where uploads wait between the upload and the import (under the instance's ``var/``)."""
    return Path(settings.VAR_DIR) / "imports" / "applications"


def _paths(token: str) -> tuple[Path, Path]:
    folder = staging_dir()
    return folder / f"{token}.data", folder / f"{token}.json"


def stage_upload(*, user: Any, call: Call, filename: str, content: bytes) -> str:
    """Keep an upload for its review page and return the token that names it."""
    _sweep()
    token = secrets.token_urlsafe(24)
    data, meta = _paths(token)
    data.parent.mkdir(parents=True, exist_ok=True)
    data.write_bytes(content)
    meta.write_text(
        json.dumps({"user": user.pk, "call": call.pk, "filename": filename, "mapping": None}),
        encoding="utf-8",
    )
    return token


def load_staged(token: str, *, user: Any, call: Call) -> StagedUpload | None:
    """The upload named by the token, when it belongs to this user and call and is still there."""
    if not _TOKEN.match(token):
        return None
    data, meta = _paths(token)
    try:
        info = json.loads(meta.read_text(encoding="utf-8"))
        content = data.read_bytes()
    except (OSError, ValueError):
        return None
    if info.get("user") != user.pk or info.get("call") != call.pk:
        return None
    return StagedUpload(
        token, info["user"], info["call"], str(info["filename"]), info.get("mapping"), content
    )


def _save_mapping(staged: StagedUpload, mapping: dict[str, str]) -> None:
    _data, meta = _paths(staged.token)
    info = {"user": staged.user_id, "call": staged.call_id, "filename": staged.filename, "mapping": mapping}
    meta.write_text(json.dumps(info), encoding="utf-8")


def discard_staged(token: str) -> None:
    """Delete a waiting upload (after it is imported)."""
    for path in _paths(token):
        path.unlink(missing_ok=True)


def _sweep() -> None:
    folder = staging_dir()
    if not folder.is_dir():
        return
    cutoff = time.time() - STAGING_SECONDS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:  # pragma: no cover - removed by a concurrent sweep
            continue


# --- Pages ------------------------------------------------------------------------------------------------


def _managed_call(user: Any, pk: int) -> Call:
    call = visible_calls(user).select_related("programme__owner").filter(pk=pk).first()
    if call is None or not can_manage_call(user, call):
        raise Http404
    return call


@login_required
def import_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 1: upload the file of applications to a call."""
    call = _managed_call(request.user, pk)
    form = UploadForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = PurePath(str(upload.name).replace("\\", "/")).name[:255] or "applications.csv"
        try:
            content = read_upload(upload)
            read_table(name, content)
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            token = stage_upload(user=request.user, call=call, filename=name, content=content)
            return redirect("programmes:import_review", pk=call.pk, token=token)
    context = {"call": call, "form": form, "questions": list(call.questions.all())}
    return render(request, "programmes/import_upload.html", context)


@login_required
def import_review(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """Step 2: see which column holds what and every row's problems, change the mapping, then import."""
    call = _managed_call(request.user, pk)
    staged = load_staged(token, user=request.user, call=call)
    if staged is None:
        raise Http404
    table = read_table(staged.filename, staged.content)
    fields = importing.mapping_fields(call)
    mapping = staged.mapping if staged.mapping is not None else importing.suggest_mapping(call, table)
    organization = call.programme.owner
    report: ImportReport | None = None
    if request.method == "POST":
        chosen = {name: request.POST.get(f"map_{name}", "") for name, _label in fields}
        mapping = {name: column for name, column in chosen.items() if column}
        _save_mapping(staged, mapping)
        if request.POST.get("action") == "commit":
            try:
                result = importing.commit_applications(
                    call=call, table=table, mapping=mapping, actor=request.user, organization=organization
                )
            except ImportRefused as exc:
                report = exc.report
                messages.error(request, exc.messages[0])
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                discard_staged(staged.token)
                count = len(result.application_ids)
                messages.success(
                    request,
                    ngettext(
                        "%(count)s application imported (%(registered)s people newly registered).",
                        "%(count)s applications imported (%(registered)s people newly registered).",
                        count,
                    )
                    % {"count": count, "registered": result.registered},
                )
                return redirect("programmes:application_list", pk=call.pk)
    if report is None:
        report = importing.validate_applications(
            call=call, table=table, mapping=mapping, actor=request.user, organization=organization
        )
    context = {
        "call": call,
        "filename": staged.filename,
        "headers": table.headers,
        "hxl": bool(table.hxl_tags),
        "targets": [(name, label, mapping.get(name, "")) for name, label in fields],
        "report": report.as_dict(),
        "ok": report.ok,
        "preview": [[row.get(h, "") for h in table.headers] for row in table.rows[:5]],
    }
    return render(request, "programmes/import_review.html", context)
