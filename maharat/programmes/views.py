"""Programme pages: beneficiaries find calls, apply and answer offers; staff configure calls and see applicants."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maharat.core.errors import DomainError
from maharat.people.access import is_admin
from maharat.people.models import Organization, Person
from maharat.programmes import access, selectors, services
from maharat.programmes.choices import ApplicationStatus, ApplyChannel
from maharat.programmes.explain import describe_outcome
from maharat.programmes.forms import (
    AnswersForm,
    ApplicationFilterForm,
    CallForm,
    CapFormSet,
    CriterionFormSet,
    FindPersonForm,
    ProgrammeForm,
    QuestionFormSet,
    QuotaFormSet,
)
from maharat.programmes.models import Application, Call, Programme
from maharat.programmes.rules import describe_points, describe_reason


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def explained(application: Application) -> dict[str, Any]:
    """An application with its eligibility reasons and priority breakdown in the active language."""
    call = application.call
    failed = [describe_reason(r, call) for r in application.reasons if not r["ok"]]
    met = [describe_reason(r, call) for r in application.reasons if r["ok"]]
    shown = application.status in (ApplicationStatus.SELECTED, ApplicationStatus.WAITLISTED)
    return {
        "application": application,
        "outcome": describe_outcome(application.status_reason) if shown else "",
        "failed": failed,
        "met": met,
        "points": [describe_points(item, call) for item in application.breakdown],
    }


# Beneficiaries ---------------------------------------------------------------------------------------------


def _own_person(request: HttpRequest) -> Person | None:
    if not request.user.is_authenticated:
        return None
    return Person.objects.active().filter(user=request.user).first()


def open_calls(request: HttpRequest) -> HttpResponse:
    """Calls open today, for anyone to read; applying needs an account."""
    return render(request, "programmes/open_calls.html", {"calls": selectors.open_calls()})


def call_public(request: HttpRequest, pk: int) -> HttpResponse:
    """One open call: what it offers, who may apply, and the application form for a registered person."""
    call = get_object_or_404(Call.objects.select_related("programme__owner"), pk=pk)
    if not call.is_open() and not access.can_manage_call(request.user, call):
        raise Http404
    person = _own_person(request)
    existing = person.applications.filter(call=call).first() if person else None
    form = None
    consent = _("I agree that %(org)s sees my record to process this application.") % {
        "org": call.programme.owner.label
    }
    if person is not None and existing is None and call.accepts(ApplyChannel.WEB):
        form = AnswersForm(
            request.POST if request.method == "POST" else None, call=call, consent_label=consent
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.application_submit(
                    actor=request.user,
                    call=call,
                    person=person,
                    channel=ApplyChannel.WEB,
                    answers=form.answers(),
                )
            except DomainError as exc:
                for message in _errors(exc):
                    form.add_error(None, message)
            else:
                messages.success(request, _("Your application was received."))
                return redirect("programmes:my_applications")
    context = {"call": call, "person": person, "existing": existing, "form": form}
    return render(request, "programmes/call_public.html", context)


@login_required
def my_applications(request: HttpRequest) -> HttpResponse:
    """A beneficiary's applications: status, eligibility in plain words, and offers to answer."""
    person = _own_person(request)
    if person is None:
        raise PermissionDenied
    items = [explained(a) for a in selectors.my_applications(person)]
    return render(request, "programmes/my_applications.html", {"items": items})


@login_required
@require_POST
def my_application_respond(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept or decline an offered seat."""
    person = _own_person(request)
    if person is None:
        raise PermissionDenied
    application = get_object_or_404(Application, pk=pk, person=person)
    accept = request.POST.get("answer") == "accept"
    try:
        services.application_respond(actor=request.user, application=application, accept=accept)
    except DomainError as exc:
        messages.error(request, " ".join(_errors(exc)))
    else:
        messages.success(request, _("You are enrolled. Welcome!") if accept else _("You declined the seat."))
    return redirect("programmes:my_applications")


# Staff -----------------------------------------------------------------------------------------------------


def _require_staff(request: HttpRequest) -> None:
    if not access.can_use_programmes(request.user):
        raise PermissionDenied


def _owners(user: Any) -> Any:
    if is_admin(user):
        return Organization.objects.all()
    return Organization.objects.filter(pk__in=access.managed_organization_ids(user))


def _staff_call(request: HttpRequest, pk: int) -> Call:
    _require_staff(request)
    call = selectors.call_for_staff(request.user, pk)
    if call is None:
        raise Http404
    return call


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    """The programmes of the staff member's organization."""
    _require_staff(request)
    return render(
        request, "programmes/programme_list.html", {"programmes": selectors.programme_list(request.user)}
    )


@login_required
def programme_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or change a programme."""
    _require_staff(request)
    programme = None
    if pk is not None:
        programme = access.visible_programmes(request.user).filter(pk=pk).first()
        if programme is None:
            raise Http404
    form = ProgrammeForm(
        request.POST if request.method == "POST" else None, instance=programme, owners=_owners(request.user)
    )
    if request.method == "POST" and form.is_valid():
        saved = services.configuration_save(actor=request.user, form=form)
        messages.success(request, _("Saved."))
        return redirect("programmes:programme_detail", pk=saved.pk)
    return render(request, "programmes/programme_form.html", {"form": form, "programme": programme})


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A programme with its calls and cohorts."""
    _require_staff(request)
    programme = access.visible_programmes(request.user).select_related("owner", "donor").filter(pk=pk).first()
    if programme is None:
        raise Http404
    calls = [(call, selectors.call_counts(call)) for call in programme.calls.all()]
    return render(request, "programmes/programme_detail.html", {"programme": programme, "calls": calls})


@login_required
def call_edit(request: HttpRequest, pk: int | None = None, programme_pk: int | None = None) -> HttpResponse:
    """Create or change a call: dates, seats, ways to apply and eligibility."""
    _require_staff(request)
    if pk is not None:
        call: Call | None = _staff_call(request, pk)
        programme: Programme = call.programme  # type: ignore[union-attr]
    else:
        call = None
        found = access.visible_programmes(request.user).filter(pk=programme_pk or 0).first()
        if found is None:
            raise Http404
        programme = found
    form = CallForm(request.POST if request.method == "POST" else None, instance=call)
    if request.method == "POST":
        form.instance.programme = programme
        if form.is_valid():
            saved = services.configuration_save(actor=request.user, form=form)
            messages.success(request, _("Saved."))
            return redirect("programmes:call_detail", pk=saved.pk)
    return render(request, "programmes/call_form.html", {"form": form, "call": call, "programme": programme})


@login_required
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A call: its rules in words, the applications by status, and its selection runs."""
    call = _staff_call(request, pk)
    context = {
        "call": call,
        "counts": selectors.call_counts(call),
        "runs": call.selection_runs.select_related("run_by"),
        "questions": call.questions.all(),
        "criteria": call.criteria.select_related("question"),
        "quotas": call.quotas.all(),
        "caps": call.caps.all(),
    }
    return render(request, "programmes/call_detail.html", context)


@login_required
def call_rules(request: HttpRequest, pk: int) -> HttpResponse:
    """Questions, priority criteria, quotas and caps of a call, edited together."""
    call = _staff_call(request, pk)
    data = request.POST if request.method == "POST" else None
    formsets: dict[str, Any] = {
        "questions": QuestionFormSet(data, instance=call, prefix="questions"),
        "criteria": CriterionFormSet(data, instance=call, prefix="criteria"),
        "quotas": QuotaFormSet(data, instance=call, prefix="quotas"),
        "caps": CapFormSet(data, instance=call, prefix="caps"),
    }
    for form in formsets["criteria"].forms:
        form.fields["question"].queryset = call.questions.all()  # type: ignore[attr-defined]
    if request.method == "POST" and all(f.is_valid() for f in formsets.values()):
        services.configuration_save(actor=request.user, call=call, formsets=formsets.values())
        messages.success(request, _("Saved. Every application was checked again against the new rules."))
        return redirect("programmes:call_detail", pk=call.pk)
    return render(request, "programmes/call_rules.html", {"call": call, **formsets})


@login_required
def application_list(request: HttpRequest, pk: int) -> HttpResponse:
    """A call's applications, highest priority first, with filters."""
    call = _staff_call(request, pk)
    form = ApplicationFilterForm(request.GET or None)
    status = eligible = ""
    if form.is_valid():
        status, eligible = form.cleaned_data["status"], form.cleaned_data["eligible"]
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    rows, more = selectors.application_list(request.user, call, status=status, eligible=eligible, page=page)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "call": call,
        "form": form,
        "rows": rows,
        "page": page,
        "more": more,
        "query": query.urlencode(),
    }
    return render(request, "programmes/application_list.html", context)


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One application for staff: eligibility and priority explained, status, notices; withdraw it."""
    _require_staff(request)
    application = selectors.application_for_staff(request.user, pk)
    if application is None:
        raise Http404
    if request.method == "POST":
        try:
            replacement = services.application_withdraw(
                actor=request.user, application=application, reason=request.POST.get("reason", "")[:200]
            )
        except DomainError as exc:
            messages.error(request, " ".join(_errors(exc)))
        else:
            if replacement is not None:
                messages.success(
                    request,
                    _("Withdrawn. The seat was offered to %(name)s, next on the waiting list.")
                    % {"name": replacement.person.display_name},
                )
            else:
                messages.success(request, _("Withdrawn."))
        return redirect("programmes:application_detail", pk=application.pk)
    context = explained(application)
    context["outcome"] = describe_outcome(application.status_reason)  # staff also see control-group draws
    return render(request, "programmes/application_detail.html", context)


@login_required
def apply_on_behalf(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff apply for a registered person who has no smartphone: find them, answer the questions."""
    call = _staff_call(request, pk)
    person = None
    if request.GET.get("person") or request.POST.get("person"):
        raw = request.POST.get("person") or request.GET.get("person") or ""
        person = access_person(request.user, raw)
    find = FindPersonForm(request.GET if "lookup" in request.GET else None)
    if person is None and find.is_valid():
        person = selectors.find_person_for_staff(request.user, find.cleaned_data["lookup"])
        if person is None:
            find.add_error("lookup", _("No registered person you may see has this number."))
    form = None
    if person is not None:
        consent = _("The person agreed that %(org)s sees their record to process this application.") % {
            "org": call.programme.owner.label
        }
        form = AnswersForm(
            request.POST if request.method == "POST" else None, call=call, consent_label=consent
        )
        if request.method == "POST" and form.is_valid():
            organizations = access.managed_organization_ids(request.user)
            try:
                application = services.application_submit(
                    actor=request.user,
                    call=call,
                    person=person,
                    channel=ApplyChannel.STAFF,
                    answers=form.answers(),
                    organization=Organization.objects.filter(pk__in=organizations[:1]).first(),
                )
            except DomainError as exc:
                for message in _errors(exc):
                    form.add_error(None, message)
            else:
                messages.success(request, _("Application recorded."))
                return redirect("programmes:application_detail", pk=application.pk)
    context = {"call": call, "find": find, "person": person, "form": form}
    return render(request, "programmes/apply_on_behalf.html", context)


def access_person(user: Any, raw: str) -> Person | None:
    """A person by id, only if the user may see them."""
    from maharat.people.access import visible_people

    try:
        return visible_people(user).get(pk=int(raw))
    except (ValueError, Person.DoesNotExist):
        return None
