"""Pages of the registry: self-registration and self-service, staff list, detail, duplicates, research."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maharat.core.audit import audit_record
from maharat.core.errors import DomainError, DuplicatePersonError
from maharat.core.models import AuditAction
from maharat.core.roles import Role, user_roles
from maharat.people import access, services
from maharat.people.forms import (
    PersonFilterForm,
    ProfileForm,
    ReasonForm,
    SignupForm,
    StaffRegisterForm,
)
from maharat.people.models import Organization, Person
from maharat.people.selectors import (
    PersonFilters,
    duplicate_queue,
    person_count,
    person_detail,
    person_history,
    person_list,
)


def _form_errors_from(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def register(request: HttpRequest) -> HttpResponse:
    """A person registers themself with a phone number and a password."""
    if request.user.is_authenticated:
        return redirect("core:home")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in ProfileForm.Meta.fields or k == "phone"}
        data["consent_purposes"] = form.consent_purposes()
        try:
            person = services.beneficiary_signup(
                phone=form.cleaned_data["phone"],
                password=form.cleaned_data["password1"],
                data=data,
                language=(get_language() or "ar")[:2],
            )
        except DuplicatePersonError:
            form.add_error(
                "phone" if "phone" in form.fields else None,
                _(
                    "This phone number or document is already registered. Log in, or ask the programme to help "
                    "you recover your account."
                ),
            )
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            login(request, person.user, backend="maharat.core.auth.LockoutModelBackend")
            messages.success(request, _("Welcome! Your registration is complete."))
            return redirect("skills:my_skills")
    return render(request, "people/register.html", {"form": form})


def _own_person(request: HttpRequest) -> Person:
    person = (
        Person.objects.active().select_related("governorate").filter(user_id=request.user.pk or 0).first()
    )
    if person is None:
        raise PermissionDenied
    return person


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """A beneficiary's own profile, editable."""
    person = _own_person(request)
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.person_update(
                actor=request.user, person=person, data=form.cleaned_data, reason="self-service"
            )
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("Saved.") if changed else _("Nothing changed."))
            return redirect("people:me")
    return render(request, "people/me.html", {"person": person, "form": form})


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """Download everything the platform holds about me, as JSON."""
    person = _own_person(request)
    record = services.person_export_data(actor=request.user, person=person)
    response = HttpResponse(
        json.dumps(record, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="maharat-my-data.json"'
    return response


@login_required
def my_deletion(request: HttpRequest) -> HttpResponse:
    """Ask for my record to be deleted."""
    person = _own_person(request)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    form.fields["reason"].required = False
    if request.method == "POST" and form.is_valid():
        services.deletion_request_create(
            actor=request.user, person=person, reason=form.cleaned_data["reason"]
        )
        messages.success(
            request, _("Your request was received. The programme will delete your data and tell you.")
        )
        return redirect("people:me")
    pending = person.deletion_requests.filter(completed_at__isnull=True).exists()
    return render(request, "people/my_deletion.html", {"form": form, "pending": pending})


def _require_registry(request: HttpRequest) -> None:
    if not request.user.is_authenticated:
        raise PermissionDenied
    if not access.can_use_registry(request.user):
        raise PermissionDenied


def _visible_organizations(user: Any) -> list[tuple[int, str]]:
    if access.is_admin(user):
        orgs = Organization.objects.all()
    else:
        orgs = Organization.objects.filter(pk__in=access.organization_ids(user))
    return [(o.pk, o.label) for o in orgs]


@login_required
def person_list_view(request: HttpRequest) -> HttpResponse:
    """Staff list of people with filters, search and keyset pages."""
    _require_registry(request)
    form = PersonFilterForm(request.GET or None, organizations=_visible_organizations(request.user))
    filters = PersonFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = PersonFilters(
            governorate=data["governorate"],
            sex=data["sex"],
            age_group=data["age_group"],
            legal_status=data["legal_status"],
            disability=data["disability"],
            organization=data["organization"],
            q=data["q"],
        )
    try:
        after = int(request.GET.get("after", "")) if request.GET.get("after") else None
    except ValueError:
        after = None
    page, next_cursor = person_list(request.user, filters, after_id=after)
    total, more = person_count(request.user, filters)
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "form": form,
        "people": page,
        "next_cursor": next_cursor,
        "query": query.urlencode(),
        "first_page": after is None,
        "total": total,
        "more": more,
    }
    template = "people/_person_rows.html" if request.headers.get("HX-Request") else "people/person_list.html"
    return render(request, template, context)


@login_required
def person_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff view of one person: record, consents, skills and history."""
    _require_registry(request)
    person = person_detail(request.user, pk)
    if person is None:
        raise Http404
    context = {
        "person": person,
        "history": person_history(person)[:100],
        "show_identifiers": access.can_see_identifiers(request.user, person),
        "can_edit": access.can_edit_person(request.user, person),
        "deletion_pending": person.deletion_requests.filter(completed_at__isnull=True).exists(),
    }
    return render(request, "people/person_detail.html", context)


def _registering_organization(request: HttpRequest) -> Organization | None:
    org_ids = access.organization_ids(request.user, frozenset({Role.PROGRAMME_OFFICER}))
    if org_ids:
        return Organization.objects.get(pk=org_ids[0])
    return None


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    """Staff register a person for their organization."""
    _require_registry(request)
    organization = _registering_organization(request)
    if organization is None and not access.is_admin(request.user):
        raise PermissionDenied
    form = StaffRegisterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_register(
                actor=request.user,
                data=form.cleaned_data,
                consent_purposes=form.consent_purposes(),
                consent_channel=form.cleaned_data["consent_channel"],
                organization=organization,
                reason="registered by staff",
            )
        except DuplicatePersonError as exc:
            messages.error(request, exc.messages[0])
            return render(
                request,
                "people/person_form.html",
                {"form": form, "existing_id": exc.existing_id, "creating": True},
            )
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            flags = person.duplicate_flags.count()
            if flags:
                messages.warning(
                    request,
                    _(
                        "Registered. This person looks like someone already registered; "
                        "see the duplicate review queue."
                    ),
                )
            else:
                messages.success(request, _("Registered."))
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "creating": True})


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff change a person's record, giving a reason."""
    _require_registry(request)
    person = person_detail(request.user, pk)
    if person is None:
        raise Http404
    if not access.can_edit_person(request.user, person):
        raise PermissionDenied
    form = StaffRegisterForm(request.POST if request.method == "POST" else None, instance=person)
    for name in ("consent_channel", "consent_confirmed", "consent_messaging", "consent_research"):
        form.fields.pop(name)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                actor=request.user,
                person=person,
                data=form.cleaned_data,
                reason=request.POST.get("reason", "")[:500],
            )
        except DuplicatePersonError as exc:
            messages.error(request, exc.messages[0])
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person, "creating": False})


@login_required
def person_anonymize_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Carry out a deletion: anonymize the record (administrators and programme officers in scope)."""
    _require_registry(request)
    person = person_detail(request.user, pk)
    if person is None:
        raise Http404
    if not (access.can_manage_registry(request.user) and access.can_edit_person(request.user, person)):
        raise PermissionDenied
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.person_anonymize(actor=request.user, person=person, reason=form.cleaned_data["reason"])
        messages.success(
            request, _("The record was anonymized. Counts keep it; nobody can identify the person.")
        )
        return redirect("people:list")
    return render(request, "people/person_anonymize.html", {"form": form, "person": person})


@login_required
def duplicates_view(request: HttpRequest) -> HttpResponse:
    """Queue of possible duplicates for staff review."""
    _require_registry(request)
    if not access.can_manage_registry(request.user):
        raise PermissionDenied
    flags = list(duplicate_queue(request.user)[:100])
    return render(request, "people/duplicates.html", {"flags": flags, "form": ReasonForm()})


@login_required
@require_POST
def duplicate_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge a flagged pair (keeping one record) or dismiss the flag."""
    _require_registry(request)
    flag = get_object_or_404(duplicate_queue(request.user), pk=pk)
    action = request.POST.get("action")
    form = ReasonForm(request.POST)
    if action == "dismiss":
        services.duplicate_dismiss(actor=request.user, flag=flag, reason=request.POST.get("reason", ""))
        messages.success(request, _("Marked as different people."))
        return redirect("people:duplicates")
    if action not in ("keep_person", "keep_other"):
        raise Http404
    if not form.is_valid():
        messages.error(request, _("Give a reason for the merge."))
        return redirect("people:duplicates")
    keep, drop = (flag.person, flag.other) if action == "keep_person" else (flag.other, flag.person)
    if not access.can_merge(request.user, keep, drop):
        raise PermissionDenied
    try:
        services.person_merge(actor=request.user, keep=keep, drop=drop, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.messages[0])
        return redirect("people:duplicates")
    messages.success(request, _("Merged. The other record is kept in the history."))
    return redirect("people:detail", pk=keep.pk)


@login_required
def research_view(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Pseudonymized records for researchers: no names, phones, exact birth dates or identity numbers."""
    roles = user_roles(request.user)
    if not (Role.RESEARCHER in roles or Role.ADMIN in roles):
        raise PermissionDenied
    people = access.research_people(request.user).select_related("governorate")
    if request.GET.get("format") == "csv":
        return _research_csv(request, people)
    sample = [access.research_record(p) for p in people.order_by("public_id")[:50]]
    return render(request, "people/research.html", {"records": sample, "total": people.count()})


class _Echo:
    def write(self, value: str) -> str:
        return value


def _research_csv(request: HttpRequest, people: Any) -> StreamingHttpResponse:
    columns = [
        "pseudonym",
        "sex",
        "birth_year",
        "nationality",
        "legal_status",
        "governorate",
        "female_headed_household",
        "has_disability",
        "education_level",
        "employment_status",
    ]
    writer = csv.writer(_Echo())
    count = people.count()
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        subject_type="people.person",
        reason="research export (pseudonymized)",
        detail={"count": count, "pseudonymized": True},
    )

    def rows() -> Any:
        yield writer.writerow(columns)
        for person in people.order_by("public_id").iterator(chunk_size=2000):
            record = access.research_record(person)
            yield writer.writerow([record[c] for c in columns])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="maharat-research-{stamp}.csv"'
    return response
