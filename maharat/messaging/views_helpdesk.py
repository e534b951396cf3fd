"""Helpdesk pages: the inbox, a ticket's thread with reply, assignment and closing, a person's conversation,
the FAQ knowledge base and follow-up surveys. Every page asks ``access`` first; writes go through services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maharat.messaging import access
from maharat.messaging.dialogues import survey_send
from maharat.messaging.forms_helpdesk import (
    AssignForm,
    CloseForm,
    FaqForm,
    InboxFilterForm,
    ReplyForm,
    SurveyForm,
    SurveySendForm,
)
from maharat.messaging.helpdesk import (
    FAQ_FIELDS,
    faq_save,
    response_times,
    survey_create,
    ticket_assign,
    ticket_close,
    ticket_reply,
)
from maharat.messaging.models import Message
from maharat.messaging.models_conversations import CannedReply, FaqEntry, SurveyResponse, Ticket, TicketStatus
from maharat.people.access import REGISTRY_ROLES, visible_people
from maharat.people.models import Person

INBOX_SIZE = 100


def _form_errors(form: Any, exc: ValidationError) -> None:
    # The forms already checked each field: what the service still refuses concerns the whole form.
    form.add_error(None, exc.messages)


def _ticket_for(request: HttpRequest, pk: int) -> Ticket:
    ticket = get_object_or_404(Ticket.objects.select_related("person", "organization", "assignee"), pk=pk)
    if not access.can_work_on_ticket(request.user, ticket):
        raise Http404
    return ticket


def _staff_of(ticket: Ticket) -> QuerySet[Any]:
    users = get_user_model().objects.filter(is_active=True)
    if ticket.organization_id is None:
        return users.filter(is_superuser=True).order_by("username")
    members = Q(
        memberships__organization_id=ticket.organization_id,
        memberships__active=True,
        memberships__role__in=REGISTRY_ROLES,
    )
    return users.filter(members | Q(is_superuser=True)).distinct().order_by("username")


@login_required
def helpdesk_inbox(request: HttpRequest) -> HttpResponse:
    """Tickets the user may work on, newest activity first, with the time to first response."""
    if not access.can_use_helpdesk(request.user):
        raise PermissionDenied
    form = InboxFilterForm(request.GET or None)
    tickets = access.visible_tickets(request.user)
    stats = response_times(tickets)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    assignee = form.cleaned_data.get("assignee", "") if form.is_valid() else ""
    if status == "":
        tickets = tickets.exclude(status=TicketStatus.CLOSED)
    elif status != "all":
        tickets = tickets.filter(status=status)
    if assignee == "me":
        tickets = tickets.filter(assignee_id=request.user.pk)
    elif assignee == "none":
        tickets = tickets.filter(assignee=None)
    rows = list(
        tickets.select_related("person", "assignee", "organization")
        .annotate(n_messages=Count("messages"))
        .order_by("-last_message_at", "-pk")[:INBOX_SIZE]
    )
    counts = dict(
        access.visible_tickets(request.user).values_list("status").annotate(n=Count("pk")).order_by()
    )
    context = {
        "form": form,
        "tickets": rows,
        "stats": stats,
        "counts": [(label, counts.get(value, 0)) for value, label in TicketStatus.choices],
    }
    return render(request, "messaging/helpdesk_inbox.html", context)


@login_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A ticket's messages, and forms to reply (with canned replies), assign and close."""
    ticket = _ticket_for(request, pk)
    initial: dict[str, Any] = {}
    canned_id = request.GET.get("canned", "")
    if canned_id.isdigit():
        canned = CannedReply.objects.filter(pk=int(canned_id), active=True).first()
        if canned is not None:
            initial["text"] = canned.text_for(ticket.language)
    return _ticket_page(request, ticket, reply_form=ReplyForm(initial=initial))


def _ticket_page(
    request: HttpRequest,
    ticket: Ticket,
    *,
    reply_form: ReplyForm | None = None,
    assign_form: AssignForm | None = None,
    close_form: CloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    thread = ticket.messages.select_related("person").order_by("created_at", "pk")
    context = {
        "ticket": ticket,
        "thread": thread,
        "person_visible": ticket.person is not None
        and access.can_view_conversation(request.user, ticket.person),
        "reply_form": reply_form or ReplyForm(),
        "assign_form": assign_form
        or AssignForm(users=_staff_of(ticket), initial={"assignee": ticket.assignee_id}),
        "close_form": close_form or CloseForm(initial={"topic": ticket.topic or None}),
        "canned": CannedReply.objects.filter(active=True),
        "closed": ticket.status == TicketStatus.CLOSED,
    }
    return render(request, "messaging/helpdesk_ticket.html", context, status=status)


@login_required
@require_POST
def ticket_reply_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the reply; the form comes back with the error when it cannot be sent."""
    ticket = _ticket_for(request, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            ticket_reply(
                actor=request.user,
                ticket=ticket,
                text=form.cleaned_data["text"],
                nonce=form.cleaned_data["nonce"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Your reply is on its way."))
            return redirect("messaging:ticket_detail", pk=ticket.pk)
    return _ticket_page(request, ticket, reply_form=form, status=400)


@login_required
@require_POST
def ticket_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the ticket to a colleague (or to nobody)."""
    ticket = _ticket_for(request, pk)
    form = AssignForm(request.POST, users=_staff_of(ticket))
    if form.is_valid():
        try:
            ticket_assign(actor=request.user, ticket=ticket, assignee=form.cleaned_data["assignee"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The ticket is assigned."))
            return redirect("messaging:ticket_detail", pk=ticket.pk)
    return _ticket_page(request, ticket, assign_form=form, status=400)


@login_required
@require_POST
def ticket_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the ticket with its topic."""
    ticket = _ticket_for(request, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            ticket_close(actor=request.user, ticket=ticket, topic=form.cleaned_data["topic"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The ticket is closed."))
            return redirect("messaging:helpdesk_inbox")
    return _ticket_page(request, ticket, close_form=form, status=400)


@login_required
def person_conversation(request: HttpRequest, person_id: int) -> HttpResponse:
    """Every message to and from a person, and their tickets, oldest first."""
    person = get_object_or_404(Person, pk=person_id)
    if not access.can_view_conversation(request.user, person):
        raise Http404
    thread = list(
        Message.objects.filter(Q(person=person) | (Q(person=None) & Q(phone=person.phone or "-")))
        .select_related("channel")
        .order_by("-pk")[:200]
    )
    thread.reverse()
    tickets = access.visible_tickets(request.user).filter(person=person).select_related("assignee")
    return render(
        request,
        "messaging/person_conversation.html",
        {"person": person, "thread": thread, "tickets": tickets},
    )


# FAQ ------------------------------------------------------------------------------------------------------


@login_required
def faq_list(request: HttpRequest) -> HttpResponse:
    """The knowledge base the router answers from."""
    if not access.can_manage_faq(request.user):
        raise PermissionDenied
    return render(request, "messaging/faq_list.html", {"entries": FaqEntry.objects.all()})


@login_required
def faq_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Write or change an FAQ entry (answers must fit in two text messages per language)."""
    if not access.can_manage_faq(request.user):
        raise PermissionDenied
    entry = get_object_or_404(FaqEntry, pk=pk) if pk is not None else None
    form = FaqForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        try:
            faq_save(
                actor=request.user,
                # The form already copied its data onto its instance: the service compares with the stored row.
                entry=FaqEntry.objects.get(pk=entry.pk) if entry is not None else None,
                data={field: form.cleaned_data[field] for field in FAQ_FIELDS},
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The FAQ entry is saved."))
            return redirect("messaging:faq_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "messaging/faq_form.html", {"form": form, "entry": entry}, status=status)


# Surveys --------------------------------------------------------------------------------------------------


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    """The user's organizations' surveys, and a form to write a new one."""
    if not access.can_manage_surveys(request.user):
        raise PermissionDenied
    organizations = access.survey_organizations(request.user)
    form = SurveyForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            survey = survey_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The survey is saved."))
            return redirect("messaging:survey_detail", pk=survey.pk)
    surveys = access.visible_surveys(request.user).annotate(
        n_sent=Count("responses"), n_done=Count("responses", filter=Q(responses__completed_at__isnull=False))
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "messaging/survey_list.html", {"form": form, "surveys": surveys}, status=status)


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A survey's answers per person, and a form to send it to one more person."""
    survey = get_object_or_404(access.visible_surveys(request.user), pk=pk)
    form = SurveySendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = visible_people(request.user).filter(pk=form.cleaned_data["person"]).first()
        if person is None:
            form.add_error("person", _("No person you may see has this record number."))
        else:
            try:
                survey_send(actor=request.user, survey=survey, person=person)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The first question is on its way."))
                return redirect("messaging:survey_detail", pk=survey.pk)
    visible = visible_people(request.user).values("pk")
    responses = (
        SurveyResponse.objects.filter(survey=survey, person__in=visible)
        .select_related("person")
        .order_by("-pk")
    )
    status = 400 if request.method == "POST" else 200
    context = {
        "survey": survey,
        "questions": survey.questions(request.LANGUAGE_CODE),
        "responses": responses,
        "form": form,
    }
    return render(request, "messaging/survey_detail.html", context, status=status)
