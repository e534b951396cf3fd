"""Writes of the programmes app: configuration, applications, offers, enrolment and notices."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.forms import BaseFormSet, ModelForm
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from maharat.core.audit import audit_record
from maharat.core.errors import DomainError
from maharat.core.models import AuditAction
from maharat.people.choices import ConsentChannel, ConsentPurpose
from maharat.people.models import Organization, Person
from maharat.people.services import consent_record, has_valid_consent, require_consent
from maharat.programmes.choices import ApplicationStatus, ApplyChannel, NoticeKind, QuestionKind
from maharat.programmes.models import Application, Call, Cohort, Enrolment, Notice, Question
from maharat.programmes.rules import CallRules, to_decimal

CONSENT_CHANNEL = {
    ApplyChannel.WEB: ConsentChannel.WEB,
    ApplyChannel.STAFF: ConsentChannel.VERBAL,
    ApplyChannel.IMPORT: ConsentChannel.IMPORT,
    ApplyChannel.SMS: ConsentChannel.SMS,
}
ACTIVE_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.SELECTED,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.CONTROL,
)


@transaction.atomic
def configuration_save(
    *,
    actor: Any,
    call: Call | None = None,
    form: ModelForm[Any] | None = None,
    formsets: Iterable[BaseFormSet[Any]] = (),
) -> Any:
    """Save a programme or call's configuration (validated forms), then re-evaluate the call's applicants."""
    saved = form.save() if form is not None else None
    for formset in formsets:
        formset.save()  # type: ignore[attr-defined]
    target = call if call is not None else saved if isinstance(saved, Call) else None
    if target is not None:
        applications_reevaluate(call=target)
    return saved


def clean_answers(call: Call, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Answers to the call's questions, checked by kind; a bad answer raises a localized error."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in call.questions.all():
        value = raw.get(question.code)
        if value is None or str(value).strip() == "":
            continue
        text = str(value).strip()
        if question.kind == QuestionKind.NUMBER:
            if to_decimal(text) is None:
                errors[question.code] = _("“%(question)s” needs a number.") % {"question": question.label}
                continue
            answers[question.code] = text
        elif question.kind == QuestionKind.YES_NO:
            answer = _yes_no(text)
            if answer is None:
                errors[question.code] = _("“%(question)s” needs yes or no.") % {"question": question.label}
                continue
            answers[question.code] = answer
        elif question.kind == QuestionKind.CHOICE:
            codes = [str(option[0]) for option in question.options]
            if text not in codes:
                errors[question.code] = _("“%(question)s”: choose one of the options.") % {
                    "question": question.label
                }
                continue
            answers[question.code] = text
        else:
            answers[question.code] = text[:1000]
    if errors:
        raise DomainError(errors)
    return answers


def _yes_no(text: str) -> str | None:
    lowered = text.strip().lower()
    if lowered in {"yes", "y", "true", "1", "نعم", "ايوه", "اه"}:
        return "yes"
    if lowered in {"no", "n", "false", "0", "لا"}:
        return "no"
    return None


def enrolled_programmes(person: Person) -> set[int]:
    """Programmes the person has been enrolled in (for the previous-participation rule)."""
    return set(person.programme_enrolments.values_list("cohort__programme_id", flat=True))


@transaction.atomic
def application_submit(
    *,
    actor: Any,
    call: Call,
    person: Person,
    channel: str,
    answers: Mapping[str, Any] | None = None,
    organization: Organization | None = None,
    today: Any = None,
) -> Application:
    """Record a person's application to an open call, evaluate it, and owe them a receipt."""
    if not call.is_open(today):
        raise DomainError(_("This call is not open for applications."))
    if not call.accepts(channel):
        raise DomainError(_("This call does not accept applications this way."))
    if person.anonymized_at is not None or person.merged_into_id is not None:
        raise DomainError(_("This record can no longer apply."))
    require_consent(person, ConsentPurpose.REGISTRATION)
    cleaned = clean_answers(call, answers or {})
    owner = call.programme.owner
    if not has_valid_consent(person, ConsentPurpose.SHARING, owner) and not has_valid_consent(
        person, ConsentPurpose.REGISTRATION, owner
    ):
        consent_record(
            actor=actor,
            person=person,
            purpose=ConsentPurpose.SHARING,
            channel=CONSENT_CHANNEL[ApplyChannel(channel)],
            organizations=[owner],
        )
    evaluation = CallRules(call).evaluate(person, cleaned, enrolled_programmes(person))
    user = actor if getattr(actor, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            application = Application.objects.create(
                call=call,
                person=person,
                channel=channel,
                organization=organization,
                submitted_by=user,
                answers=cleaned,
                eligible=evaluation.eligible,
                reasons=evaluation.reasons,
                score=evaluation.score,
                breakdown=evaluation.breakdown,
            )
    except IntegrityError:
        raise DomainError(_("This person has already applied to this call.")) from None
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        subject=application,
        person_id=person.pk,
        fields=["call", "answers"],
        reason=f"application through {channel}",
        detail={"call": call.pk, "eligible": evaluation.eligible, "score": str(evaluation.score)},
    )
    notice_owe(application=application, kind=NoticeKind.RECEIVED)
    return application


def applications_reevaluate(*, call: Call) -> int:
    """Recompute eligibility and priority of every active application after the rules changed."""
    rules = CallRules(call)
    applications = list(
        call.applications.filter(status__in=ACTIVE_STATUSES).select_related("person", "person__governorate")
    )
    enrolled: dict[int, set[int]] = {}
    for person_id, programme_id in Enrolment.objects.filter(
        person__in=[a.person_id for a in applications]
    ).values_list("person_id", "cohort__programme_id"):
        enrolled.setdefault(person_id, set()).add(programme_id)
    for application in applications:
        evaluation = rules.evaluate(
            application.person, application.answers, enrolled.get(application.person_id, set())
        )
        application.eligible = evaluation.eligible
        application.reasons = evaluation.reasons
        application.score = evaluation.score
        application.breakdown = evaluation.breakdown
    Application.objects.bulk_update(
        applications, ["eligible", "reasons", "score", "breakdown"], batch_size=1000
    )
    return len(applications)


def notice_text(kind: str, application: Application) -> str:
    """The words of a notice in the active language; short enough for one or two text messages."""
    call = application.call
    values = {"call": call.label, "code": call.code}
    texts: dict[str, Callable[[], str]] = {
        NoticeKind.RECEIVED: lambda: _("We received your application to %(call)s.") % values,
        NoticeKind.SELECTED: lambda: (
            _(
                "Good news: you are offered a seat in %(call)s. Reply YES %(code)s to accept or NO %(code)s to decline."
            )
            % values
        ),
        NoticeKind.WAITLISTED: lambda: (
            _("You are on the waiting list of %(call)s. We will tell you if a seat opens.") % values
        ),
        NoticeKind.NOT_SELECTED: lambda: (
            _("You were not selected for %(call)s this time. Thank you for applying.") % values
        ),
        NoticeKind.ENROLLED: lambda: _("You are enrolled in %(call)s. Welcome!") % values,
    }
    return texts[kind]()


def notices_send_on_commit(notice_ids: list[int] | None) -> None:
    """Ask messaging to send the notices (all unsent ones when None) once the transaction commits."""

    def enqueue() -> None:
        from maharat.messaging.tasks import send_notices

        send_notices.delay(notice_ids)

    # Robust: a broker that is down must not undo the programme's work; the periodic sweep sends them later.
    transaction.on_commit(enqueue, robust=True)


def notice_owe(*, application: Application, kind: str) -> Notice:
    """Record a notice in the person's language and channel; the messaging capability sends it."""
    person = application.person
    language = person.preferred_language or "ar"
    with translation.override(language):
        text = notice_text(kind, application)
    notice = Notice.objects.create(
        application=application, kind=kind, language=language, channel=person.preferred_channel, text=text
    )
    notices_send_on_commit([notice.pk])
    return notice


def _set_status(application: Application, status: str, reason: Mapping[str, Any] | None = None) -> None:
    application.status = status
    application.status_reason = dict(reason or {})
    application.status_changed_at = timezone.now()
    application.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])


def cohort_for(call: Call) -> Cohort:
    """The cohort of a call, created with the call's title the first time someone enrols."""
    cohort, _created = Cohort.objects.get_or_create(
        call=call,
        defaults={"programme": call.programme, "label_en": call.label_en, "label_ar": call.label_ar},
    )
    return cohort


@transaction.atomic
def application_respond(*, actor: Any, application: Application, accept: bool) -> Application | None:
    """The person accepts (and is enrolled) or declines an offered seat; a decline offers it to the next in line."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.SELECTED:
        raise DomainError(_("There is no open offer on this application."))
    if accept:
        _set_status(application, ApplicationStatus.ENROLLED, {"code": "accepted"})
        Enrolment.objects.create(
            cohort=cohort_for(application.call), person=application.person, application=application
        )
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            subject=application,
            person_id=application.person_id,
            fields=["status"],
            reason="accepted the offered seat",
        )
        notice_owe(application=application, kind=NoticeKind.ENROLLED)
        return None
    _set_status(application, ApplicationStatus.DECLINED, {"code": "declined"})
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=application,
        person_id=application.person_id,
        fields=["status"],
        reason="declined the offered seat",
    )
    from maharat.programmes.selecting import offer_next

    return offer_next(actor=actor, call=application.call, freed=application)


@transaction.atomic
def application_withdraw(*, actor: Any, application: Application, reason: str = "") -> Application | None:
    """Withdraw an application; a seat it held (offered or enrolled) goes to the next person who keeps the quotas."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status in (ApplicationStatus.WITHDRAWN, ApplicationStatus.DECLINED):
        raise DomainError(_("This application is already withdrawn."))
    held_seat = application.status in (ApplicationStatus.SELECTED, ApplicationStatus.ENROLLED)
    _set_status(application, ApplicationStatus.WITHDRAWN, {"code": "withdrawn", "reason": reason[:200]})
    Enrolment.objects.filter(application=application, status=Enrolment.Status.ACTIVE).update(
        status=Enrolment.Status.WITHDRAWN, ended_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=application,
        person_id=application.person_id,
        fields=["status"],
        reason=reason or "withdrawn",
    )
    if not held_seat:
        return None
    from maharat.programmes.selecting import offer_next

    return offer_next(actor=actor, call=application.call, freed=application)


def question_options_text(question: Question) -> str:
    """The options of a choice question as 'code: label' lines, for forms and imports."""
    return "\n".join(f"{o[0]}: {question.option_label(o[0])}" for o in question.options)
