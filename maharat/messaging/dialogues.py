"""Dialogues by text message: a small state machine per phone number, with a time-out.

Two dialogues exist. **Registration** (REGISTER / تسجيل), for people without a smartphone: name,
governorate, sex, year of birth, then consent yes or no; "yes" registers the person through
``people.services.person_register`` with consent recorded as given by text message (registration and
messaging), under the platform's operating organization so its staff can see and complete the record
(nationality and legal status start as "other"; the date of birth as 1 July of the year given). A number
that is already registered is told so and nothing is recorded. **Survey**: staff send a person a
three-question survey; each answer is stored and the next question sent.

A dialogue's step moves only on a message newer than the last one it took (the conversation row is locked
and remembers the last message id), so a gateway delivering one message twice never advances it twice.
An answer that cannot be read repeats the question with a hint. A dialogue that sees no answer before
``expires_at`` is abandoned, and the message that arrives after it is routed as if there were none. A
cancel word (CANCEL, إلغاء …) ends the dialogue and nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from maharat.core.audit import audit_record
from maharat.core.errors import DomainError, DuplicatePersonError
from maharat.core.models import AuditAction, Governorate
from maharat.core.text import normalize_text, strip_arabic_article
from maharat.messaging.choices import Status
from maharat.messaging.keywords import near
from maharat.messaging.models import Message
from maharat.messaging.models_conversations import (
    Conversation,
    ConversationState,
    DialogueKind,
    Survey,
    SurveyResponse,
)
from maharat.messaging.services import message_send_to_person
from maharat.people.choices import ConsentChannel, ConsentPurpose, LegalStatus, Nationality, Sex
from maharat.people.models import Person
from maharat.people.validators import MAX_AGE, MIN_AGE

CANCEL_WORDS = frozenset(
    normalize_text(w)
    for w in ("cancel", "quit", "exit", "إلغاء", "الغاء", "الغي", "إلغ", "خروج", "انهاء", "إنهاء")
)
YES_WORDS = frozenset(
    normalize_text(w)
    for w in ("yes", "y", "ok", "agree", "i agree", "نعم", "ايوه", "أوافق", "موافق", "موافقة", "اوافق", "1")
)
NO_WORDS = frozenset(normalize_text(w) for w in ("no", "n", "disagree", "لا", "لا أوافق", "غير موافق", "2"))
FEMALE_WORDS = frozenset(
    normalize_text(w) for w in ("f", "female", "woman", "أنثى", "انثى", "امرأة", "امراه", "مرأة", "بنت", "1")
)
MALE_WORDS = frozenset(normalize_text(w) for w in ("m", "male", "man", "ذكر", "رجل", "شاب", "2"))
MAX_NAME_CHARS = 80
MAX_ANSWER_CHARS = 500

REGISTER_STEPS = ("name", "governorate", "sex", "year", "consent")
SURVEY_STEPS = 3


def timeout(kind: str) -> dt.timedelta:
    """How long a dialogue waits for the next answer."""
    minutes = getattr(settings, "MESSAGING_DIALOGUE_MINUTES", {}) or {}
    default = 30 if kind == DialogueKind.REGISTER else 3 * 24 * 60
    return dt.timedelta(minutes=int(minutes.get(kind, default)))


def active_conversation(phone: str, *, now: dt.datetime | None = None) -> Conversation | None:
    """The phone's running dialogue, locked; an expired one is marked abandoned and None is returned."""
    now = now or timezone.now()
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .filter(phone=phone, state=ConversationState.ACTIVE)
        .select_related("survey", "person")
        .first()
    )
    if conversation is None:
        return None
    if conversation.expires_at <= now:
        conversation.state = ConversationState.ABANDONED
        conversation.save(update_fields=["state", "updated_at"])
        return None
    return conversation


def _start(
    *, phone: str, person: Person | None, kind: str, language: str, survey: Survey | None = None
) -> Conversation:
    if Conversation.objects.filter(
        phone=phone, state=ConversationState.ACTIVE, expires_at__gt=timezone.now()
    ).exists():
        raise DomainError(_("This number is already answering other questions; try again later."))
    Conversation.objects.filter(phone=phone, state=ConversationState.ACTIVE).update(
        state=ConversationState.ABANDONED
    )
    try:
        with transaction.atomic():
            return Conversation.objects.create(
                phone=phone,
                person=person,
                kind=kind,
                language=language,
                survey=survey,
                expires_at=timezone.now() + timeout(kind),
            )
    except IntegrityError as exc:
        raise DomainError(_("This number is already answering other questions; try again later.")) from exc


# Questions --------------------------------------------------------------------------------------------------


def _register_question(step: int) -> str:
    questions = [
        _("Registration with Maharat (send CANCEL to stop). What is your full name?"),
        _("Which governorate do you live in? For example: Amman, Irbid, Mafraq, Zarqa."),
        _("Are you female or male? Reply F or M."),
        _("In which year were you born? For example: 1995."),
        _(
            "Do you agree that Maharat keeps your name, governorate, sex and year of birth to offer you its "
            "services and send you text messages? Reply YES or NO."
        ),
    ]
    return questions[step]


def _survey_question(conversation: Conversation) -> str:
    assert conversation.survey is not None  # noqa: S101 - survey dialogues are created with their survey
    return conversation.survey.questions(conversation.language)[conversation.step]


def register_start(*, phone: str, person: Person | None, language: str) -> str:
    """Begin registration by text message, or say that the number is already registered."""
    with translation.override(language):
        if person is not None or Person.objects.active().filter(phone=phone).exists():
            return _("This number is already registered with Maharat. Send HELP to see what you can do.")
        try:
            _start(phone=phone, person=None, kind=DialogueKind.REGISTER, language=language)
        except DomainError as exc:
            return str(exc.messages[0])
        return _register_question(0)


# Reading answers --------------------------------------------------------------------------------------------


def read_governorate(text: str) -> Governorate | None:
    """The governorate a person named, in Arabic or English, allowing one typing error."""
    wanted = strip_arabic_article(normalize_text(text).replace(" ", ""))
    if not wanted:
        return None
    found = []
    for governorate in Governorate.objects.all():
        names = {
            strip_arabic_article(normalize_text(n).replace(" ", ""))
            for n in (governorate.label_en, governorate.label_ar)
        }
        names.add(governorate.code.lower())
        if wanted in names:
            return governorate
        if len(wanted) >= 4 and any(len(n) >= 4 and near(wanted, n) for n in names):
            found.append(governorate)
    return found[0] if len(found) == 1 else None


def read_sex(text: str) -> str | None:
    """F or M from a reply in either language."""
    word = normalize_text(text)
    if word in FEMALE_WORDS:
        return Sex.FEMALE
    if word in MALE_WORDS:
        return Sex.MALE
    return None


def read_year(text: str) -> int | None:
    """A plausible birth year (age 14 to 100 this year)."""
    match = re.fullmatch(r"\d{4}", normalize_text(text))
    if match is None:
        return None
    year = int(match.group())
    this_year = timezone.localdate().year
    return year if this_year - MAX_AGE < year <= this_year - MIN_AGE else None


def read_yes_no(text: str) -> bool | None:
    """True for yes, False for no, None for anything else."""
    word = normalize_text(text)
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    return None


def _name_fields(name: str) -> dict[str, str] | None:
    words = " ".join(name.split()).split(" ")
    if not words or not words[0] or len(name) > 2 * MAX_NAME_CHARS or not any(ch.isalpha() for ch in name):
        return None
    given, family = words[0][:MAX_NAME_CHARS], " ".join(words[1:])[:MAX_NAME_CHARS]
    if re.search("[\u0600-\u06ff]", name):
        return {"given_name_ar": given, "family_name_ar": family}
    return {"given_name_latin": given, "family_name_latin": family}


# Steps ------------------------------------------------------------------------------------------------------


def _register_step(conversation: Conversation, text: str) -> str:
    step = REGISTER_STEPS[conversation.step]
    answers = dict(conversation.answers)
    if step == "name":
        fields = _name_fields(text.strip())
        if fields is None:
            return _("Please send your full name in letters.") + " " + _register_question(0)
        answers["name"] = " ".join(text.split())
    elif step == "governorate":
        governorate = read_governorate(text)
        if governorate is None:
            return _("We did not recognise this governorate.") + " " + _register_question(1)
        answers["governorate"] = governorate.code
    elif step == "sex":
        sex = read_sex(text)
        if sex is None:
            return _register_question(2)
        answers["sex"] = sex
    elif step == "year":
        year = read_year(text)
        if year is None:
            return _("Please send a year of four digits.") + " " + _register_question(3)
        answers["year"] = year
    else:
        agreed = read_yes_no(text)
        if agreed is None:
            return _register_question(4)
        conversation.answers = {**answers, "consent": agreed}
        if not agreed:
            _finish(conversation, ConversationState.CANCELLED)
            return _("Nothing was recorded. Send REGISTER if you change your mind.")
        return _register_person(conversation)
    conversation.answers = answers
    conversation.step += 1
    return _register_question(conversation.step)


def _register_person(conversation: Conversation) -> str:
    from maharat.messaging.helpdesk import operating_organization

    answers = conversation.answers
    data: dict[str, Any] = {
        **(_name_fields(str(answers["name"])) or {}),
        "governorate": Governorate.objects.get(code=answers["governorate"]),
        "sex": answers["sex"],
        "date_of_birth": dt.date(int(answers["year"]), 7, 1),
        "nationality": Nationality.OTHER,
        "legal_status": LegalStatus.OTHER,
        "phone": conversation.phone,
        "preferred_language": conversation.language,
    }
    try:
        with transaction.atomic():
            person = _person_register(conversation, data, operating_organization())
    except DuplicatePersonError:
        _finish(conversation, ConversationState.CANCELLED)
        return _("This number is already registered with Maharat. Send HELP to see what you can do.")
    except ValidationError:
        _finish(conversation, ConversationState.CANCELLED)
        return _("We could not register you by text message. Please visit a programme office.")
    conversation.person = person
    _finish(conversation, ConversationState.COMPLETED)
    return _("Thank you, you are registered with Maharat. Send HELP to see what you can do.")


def _person_register(conversation: Conversation, data: dict[str, Any], organization: Any) -> Person:
    from maharat.people.services import person_register

    return person_register(
        actor=f"sms:{conversation.phone}",
        data=data,
        consent_purposes=[ConsentPurpose.REGISTRATION, ConsentPurpose.MESSAGING],
        consent_channel=ConsentChannel.SMS,
        organization=organization,
        reason="registration by text message",
    )


def _survey_step(conversation: Conversation, text: str) -> str:
    answer = " ".join(text.split())[:MAX_ANSWER_CHARS]
    if not answer:
        return _survey_question(conversation)
    answers = dict(conversation.answers)
    answers[str(conversation.step + 1)] = answer
    conversation.answers = answers
    conversation.step += 1
    response = SurveyResponse.objects.select_for_update().get(
        survey=conversation.survey, person=conversation.person
    )
    response.answers = [answers.get(str(n), "") for n in range(1, SURVEY_STEPS + 1)]
    fields = ["answers", "updated_at"]
    if conversation.step >= SURVEY_STEPS:
        response.completed_at = timezone.now()
        fields.append("completed_at")
    response.save(update_fields=fields)
    audit_record(
        actor=f"sms:{conversation.phone}",
        action=AuditAction.CHANGE,
        subject=response,
        person_id=conversation.person_id,
        fields=["answers"],
        reason="survey answer received by text message",
    )
    if conversation.step >= SURVEY_STEPS:
        _finish(conversation, ConversationState.COMPLETED)
        return _("Thank you for your answers.")
    return _survey_question(conversation)


def _finish(conversation: Conversation, state: str) -> None:
    conversation.state = state
    conversation.save(update_fields=["state", "person", "answers", "step", "last_message", "updated_at"])


STEPS: dict[str, Callable[[Conversation, str], str]] = {
    DialogueKind.REGISTER: _register_step,
    DialogueKind.SURVEY: _survey_step,
}


def is_cancel(text: str) -> bool:
    """Whether the whole message is a cancel word."""
    return normalize_text(text) in CANCEL_WORDS


def dialogue_cancel(conversation: Conversation, message: Message) -> str:
    """End a dialogue at the person's request; nothing else changes."""
    conversation.last_message = message
    _finish(conversation, ConversationState.CANCELLED)
    with translation.override(conversation.language):
        return _("Cancelled. Nothing more will be asked.")


def dialogue_step(conversation: Conversation, message: Message) -> str | None:
    """Take one answer; returns the next question or closing words, None for an already-taken message."""
    if conversation.last_message_id is not None and message.pk <= conversation.last_message_id:
        return None
    conversation.last_message = message
    with translation.override(conversation.language):
        reply = STEPS[conversation.kind](conversation, message.text or "")
    if conversation.state == ConversationState.ACTIVE:
        conversation.expires_at = timezone.now() + timeout(conversation.kind)
        conversation.save(update_fields=["step", "answers", "last_message", "expires_at", "updated_at"])
    return reply


@transaction.atomic
def survey_send(*, actor: Any, survey: Survey, person: Person) -> Conversation:
    """Send a person a survey's first question and wait for their three answers."""
    if not survey.active:
        raise DomainError(_("This survey is closed."))
    if not person.phone:
        raise DomainError(_("This person has no phone number."))
    if SurveyResponse.objects.filter(survey=survey, person=person).exists():
        raise DomainError(_("This survey was already sent to this person."))
    language = person.preferred_language or "ar"
    conversation = _start(
        phone=person.phone, person=person, kind=DialogueKind.SURVEY, language=language, survey=survey
    )
    response = SurveyResponse.objects.create(survey=survey, person=person)
    message = message_send_to_person(
        person=person,
        text=survey.questions(language)[0],
        language=language,
        idempotency_key=f"survey:{survey.pk}:{person.pk}:1",
    )
    if message.status == Status.BLOCKED:
        raise DomainError(
            _("The survey could not be sent: %(reason)s") % {"reason": _blocked_reason(message.error)}
        )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        subject=response,
        person_id=person.pk,
        fields=["survey"],
        reason="survey sent by text message",
    )
    return conversation


def _blocked_reason(code: str) -> str:
    from maharat.messaging.choices import BlockReason

    return str(dict(BlockReason.choices).get(code, code))
