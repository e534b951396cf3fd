"""Programmes by text message: apply to a call, accept or decline an offered seat, in Arabic or English.

The messaging capability's inbound router calls ``sms_handle`` with each message. It returns the reply, in the
person's language and short enough for two text messages where possible, or None when the message is not
for programmes (an unknown command, or a code that is no call's), so the router can try its other handlers.

    APPLY <CODE>  · تقديم <CODE> · قدم <CODE>    apply to the call with that short code (no answers)
    YES <CODE>    · نعم <CODE>                    accept the offered seat
    NO <CODE>     · لا <CODE>                     decline it

STATUS belongs to messaging, which shows ``application_status_lines``. Refusals of the services (closed call,
already applied, no consent, no offer) become the reply and change nothing. The audit log names the sender
as ``sms:<phone>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from maharat.core.phones import try_normalize_phone
from maharat.core.text import normalize_text
from maharat.messaging.parts import sms_parts
from maharat.people.models import Person
from maharat.programmes.choices import ApplicationStatus, ApplyChannel
from maharat.programmes.models import Application, Call
from maharat.programmes.rules import describe_reason
from maharat.programmes.selectors import open_calls
from maharat.programmes.services import application_respond, application_submit

APPLY, YES, NO = "apply", "yes", "no"
VERBS = {normalize_text(word): verb for verb, words in {
    APPLY: ("apply", "تقديم", "قدم"),
    YES: ("yes", "نعم"),
    NO: ("no", "لا"),
}.items() for word in words}  # fmt: skip
MAX_PARTS = 2
_ARABIC = re.compile("[\u0600-\u06ff]")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


@dataclass(frozen=True)
class SmsReply:
    """What to answer, and the application the message applied to or answered (None when it touched none)."""

    text: str
    application: Application | None = None


@dataclass(frozen=True)
class SmsCommand:
    """A programmes command read from a message: what, for which call code, and the language of its words."""

    verb: str
    code: str | None
    language: str


def parse_command(text: str) -> SmsCommand | None:
    """The command in a message (its first word in either language, then an optional call code), or None."""
    words = (text or "").split()
    if not words or len(words) > 2:
        return None
    word = normalize_text(words[0])
    verb = VERBS.get(word)
    if verb is None:
        return None
    code = words[1].strip(".,;:!?؟،؛\"'()").translate(_DIGITS) if len(words) == 2 else ""
    language = "ar" if _ARABIC.search(word) else "en"
    return SmsCommand(verb, code or None, language)


def sms_handle(*, phone: str, text: str) -> SmsReply | None:
    """Answer a text message about programmes, or return None when it is not for programmes."""
    command = parse_command(text)
    if command is None:
        return None
    call = None
    if command.code is not None:
        call = Call.objects.select_related("programme__owner").filter(code__iexact=command.code).first()
        if call is None:
            return None  # another capability's code (a job, a course): not ours to answer
    e164 = try_normalize_phone(phone)
    person = Person.objects.active().filter(phone=e164).first() if e164 else None
    if person is None:
        if call is None and command.verb != APPLY:
            return None
        with translation.override(command.language):
            return SmsReply(
                _("This number is not registered. Reply REGISTER to sign up, or visit a programme office.")
            )
    actor = f"sms:{e164}"
    with translation.override(person.preferred_language or "ar"):
        if command.verb == APPLY:
            return _apply(person, call, actor)
        return _respond(person, call, command.verb == YES, actor)


def _fit(*candidates: str) -> str:
    """The first text that fits in two SMS parts, else the last (shortest) one."""
    return next((text for text in candidates if sms_parts(text) <= MAX_PARTS), candidates[-1])


def _names(call: Call) -> list[str]:
    return [call.label, call.code] if call.label != call.code else [call.code]


def _error(exc: ValidationError) -> str:
    return _fit(" ".join(str(m) for m in exc.messages))


def _apply(person: Person, call: Call | None, actor: str) -> SmsReply | None:
    if call is None:
        example = _sms_call_example()
        if example is None:
            return None
        return SmsReply(
            _("To apply, send APPLY and the call's code, e.g. APPLY %(code)s.") % {"code": example}
        )
    applied = Application.objects.filter(call=call, person=person).exists()
    if (
        call.is_open()
        and call.accepts(ApplyChannel.SMS)
        and not applied
        and call.questions.filter(required=True).exists()
    ):
        text = _("%(call)s asks some questions: apply on the website or with a programme officer.")
        return SmsReply(_fit(*(text % {"call": name} for name in _names(call))))
    try:
        with transaction.atomic():
            application = application_submit(
                actor=actor, call=call, person=person, channel=ApplyChannel.SMS, answers={}
            )
    except ValidationError as exc:
        return SmsReply(_error(exc))
    if application.eligible:
        text = _("Your application to %(call)s is received. We will text you the result.")
        return SmsReply(_fit(*(text % {"call": name} for name in _names(call))), application)
    failed = next((r for r in application.reasons if not r.get("ok")), None)
    reason = describe_reason(failed, call) if failed else ""
    with_reason = _(
        "Your application to %(call)s is received, but you do not meet its conditions: %(reason)s"
    )
    without = _("Your application to %(call)s is received, but you do not meet its conditions.")
    candidates = [with_reason % {"call": name, "reason": reason} for name in _names(call) if reason]
    candidates += [without % {"call": name} for name in _names(call)]
    return SmsReply(_fit(*candidates), application)


def _sms_call_example() -> str | None:
    for call in open_calls():
        if call.accepts(ApplyChannel.SMS):
            return str(call.code)
    return None


def _respond(person: Person, call: Call | None, accept: bool, actor: str) -> SmsReply | None:
    if call is None:
        offers = list(
            person.applications.filter(status=ApplicationStatus.SELECTED)
            .select_related("call")
            .order_by("pk")
        )
        if not offers:
            return None  # a bare YES or NO answers some other conversation
        if len(offers) > 1:
            codes = ", ".join(o.call.code for o in offers)
            return SmsReply(_fit(_("Reply YES or NO with the call's code: %(codes)s.") % {"codes": codes}))
        application: Application | None = offers[0]
        call = offers[0].call
    else:
        application = person.applications.filter(call=call).first()
    if application is None:
        return SmsReply(
            _fit(*(_("You have not applied to %(call)s.") % {"call": name} for name in _names(call)))
        )
    try:
        with transaction.atomic():
            application_respond(actor=actor, application=application, accept=accept)
    except ValidationError as exc:
        return SmsReply(_error(exc), application)
    application.refresh_from_db()
    if accept:
        text = _("You are enrolled in %(call)s. Welcome!")
    else:
        text = _("You declined the seat in %(call)s. Thank you for telling us.")
    return SmsReply(_fit(*(text % {"call": name} for name in _names(call))), application)


def _status_line(application: Application) -> str:
    code = application.call.code
    if application.status == ApplicationStatus.SELECTED:
        return _("%(code)s: offered a seat. Reply YES %(code)s or NO %(code)s.") % {"code": code}
    return f"{code}: {application.get_status_display()}"


def application_status_lines(person: Person) -> list[str]:
    """One short line per application of the person, newest first, in their language, for a STATUS reply."""
    applications = person.applications.select_related("call").order_by("-created_at", "-pk")
    with translation.override(person.preferred_language or "ar"):
        return [_status_line(application) for application in applications]
