"""Programmes by text message: apply, accept or decline a seat, in Arabic or English, and refusals as replies."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from maharat.core.models import AuditLog
from maharat.core.testing import Personas
from maharat.people.choices import ConsentPurpose
from maharat.people.models import Person
from maharat.people.services import consent_withdraw
from maharat.programmes.choices import ApplicationStatus, ApplyChannel, CallStatus
from maharat.programmes.models import Application, Call, Enrolment
from maharat.programmes.services import application_submit
from maharat.programmes.sms import (
    SmsCommand,
    application_status_lines,
    parse_command,
    sms_handle,
    sms_parts,
)
from maharat.programmes.tests.factories import make_call

pytestmark = pytest.mark.django_db

AMAL = "+962791234567"
OMAR = "0781112233"


def english(person: Person) -> Person:
    person.preferred_language = "en"
    person.save(update_fields=["preferred_language"])
    return person


def offered(personas: Personas, call: Call, person: Person) -> Application:
    application = application_submit(
        actor=personas.officer, call=call, person=person, channel=ApplyChannel.STAFF
    )
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.SELECTED)
    return Application.objects.get(pk=application.pk)


class ParseCommandTests:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("APPLY DSEA", SmsCommand("apply", "DSEA", "en")),
            ("  apply   dsea. ", SmsCommand("apply", "dsea", "en")),
            ("تقديم DSEA", SmsCommand("apply", "DSEA", "ar")),
            ("قدّم dsea", SmsCommand("apply", "dsea", "ar")),
            ("Yes, DSEA", SmsCommand("yes", "DSEA", "en")),
            ("نعم DSEA", SmsCommand("yes", "DSEA", "ar")),
            ("ﻻ DSEA", SmsCommand("no", "DSEA", "ar")),
            ("no", SmsCommand("no", None, "en")),
            ("apply C٢", SmsCommand("apply", "C2", "en")),
        ],
    )
    def test_reads_commands_in_both_languages(self, text: str, expected: SmsCommand) -> None:
        assert parse_command(text) == expected

    @pytest.mark.parametrize("text", ["", "STATUS", "hello there", "yes I will come tomorrow", "REGISTER"])
    def test_other_messages_are_not_commands(self, text: str) -> None:
        assert parse_command(text) is None


class ApplyBySmsTests:
    def test_applies_with_the_sms_channel_and_replies_in_the_persons_language(
        self, personas: Personas
    ) -> None:
        call = make_call(personas, questions=[])
        reply = sms_handle(phone=AMAL, text="تقديم dsea")
        assert reply is not None and reply.application is not None
        assert reply.application.channel == ApplyChannel.SMS and reply.application.person == personas.amal
        assert reply.application.call == call and reply.application.answers == {}
        assert "المهارات الرقمية، المفرق 2026" in reply.text and sms_parts(reply.text) <= 2
        entry = AuditLog.objects.filter(subject_type="programmes.application").latest("pk")
        assert entry.actor is None and entry.actor_label == f"sms:{AMAL}"

    def test_english_speaker_gets_english_reply(self, personas: Personas) -> None:
        english(personas.hassan)
        make_call(personas, questions=[])
        reply = sms_handle(phone="0775556677", text="APPLY DSEA")
        assert reply is not None
        assert reply.text.startswith("Your application to Digital skills, Mafraq 2026 is received")

    def test_ineligible_applicant_is_told_why(self, personas: Personas) -> None:
        english(personas.hassan)
        make_call(personas, questions=[], max_age=30)
        reply = sms_handle(phone="0775556677", text="apply DSEA")
        assert reply is not None and reply.application is not None and not reply.application.eligible
        assert "do not meet its conditions: You must be at most 30 years old" in reply.text
        assert sms_parts(reply.text) <= 2

    def test_call_with_required_questions_needs_the_web_form(self, personas: Personas) -> None:
        english(personas.hassan)
        make_call(personas)
        reply = sms_handle(phone="0775556677", text="APPLY DSEA")
        assert reply is not None and reply.application is None
        assert reply.text == (
            "Digital skills, Mafraq 2026 asks some questions: apply on the website or with a programme officer."
        )
        assert not Application.objects.exists()

    @pytest.mark.parametrize(
        ("setup", "message"),
        [
            ("closed", "This call is not open for applications."),
            ("web_only", "This call does not accept applications this way."),
            ("applied", "This person has already applied to this call."),
            ("no_consent", "has not given valid consent for: "),
        ],
    )
    def test_refusals_become_the_reply_and_change_nothing(
        self, personas: Personas, setup: str, message: str
    ) -> None:
        english(personas.amal)
        call = make_call(
            personas,
            questions=[],
            status=CallStatus.CLOSED if setup == "closed" else CallStatus.PUBLISHED,
            channels=["web"] if setup == "web_only" else [],
        )
        if setup == "applied":
            application_submit(
                actor=personas.officer, call=call, person=personas.amal, channel=ApplyChannel.STAFF
            )
        if setup == "no_consent":
            for consent in personas.amal.consents.filter(purpose=ConsentPurpose.REGISTRATION):
                consent_withdraw(actor=personas.officer, consent=consent)
        before = (Application.objects.count(), AuditLog.objects.count())
        reply = sms_handle(phone=AMAL, text="APPLY DSEA")
        assert reply is not None and message in reply.text
        assert (Application.objects.count(), AuditLog.objects.count()) == before

    def test_refusal_is_in_arabic_for_an_arabic_speaker(self, personas: Personas) -> None:
        make_call(personas, questions=[], status=CallStatus.CLOSED)
        reply = sms_handle(phone=AMAL, text="APPLY DSEA")
        assert reply is not None and reply.text != "This call is not open for applications."

    def test_unknown_number_is_asked_to_register_in_the_language_it_wrote(self, personas: Personas) -> None:
        make_call(personas, questions=[])
        english_reply = sms_handle(phone="0790000000", text="APPLY DSEA")
        assert english_reply is not None and "Reply REGISTER" in english_reply.text
        assert english_reply.application is None
        arabic_reply = sms_handle(phone="0790000000", text="تقديم DSEA")
        with translation.override("ar"):
            assert arabic_reply is not None and arabic_reply.text == gettext(english_reply.text)
        assert not Application.objects.exists()

    def test_bare_apply_explains_how_to_apply(self, personas: Personas) -> None:
        english(personas.amal)
        make_call(personas, questions=[])
        reply = sms_handle(phone=AMAL, text="APPLY")
        assert (
            reply is not None and reply.text == "To apply, send APPLY and the call's code, e.g. APPLY DSEA."
        )

    def test_messages_that_are_not_for_programmes_return_none(self, personas: Personas) -> None:
        make_call(personas, questions=[], channels=["web"])
        assert sms_handle(phone=AMAL, text="STATUS") is None
        assert sms_handle(phone=AMAL, text="APPLY JOB42") is None  # an opportunity's code, not a call's
        assert sms_handle(phone=AMAL, text="APPLY") is None  # no call takes text-message applications
        assert sms_handle(phone=AMAL, text="YES") is None  # no offer waits for an answer
        assert sms_handle(phone="0790000000", text="NO") is None


class RespondBySmsTests:
    def test_yes_accepts_the_offered_seat(self, personas: Personas) -> None:
        english(personas.amal)
        call = make_call(personas, questions=[])
        application = offered(personas, call, personas.amal)
        reply = sms_handle(phone=AMAL, text="yes dsea")
        assert reply is not None and reply.application == application
        assert reply.text == "You are enrolled in Digital skills, Mafraq 2026. Welcome!"
        application.refresh_from_db()
        assert application.status == ApplicationStatus.ENROLLED
        assert Enrolment.objects.filter(application=application, person=personas.amal).exists()

    def test_arabic_yes_without_a_code_answers_the_only_offer(self, personas: Personas) -> None:
        call = make_call(personas, questions=[])
        application = offered(personas, call, personas.amal)
        reply = sms_handle(phone=AMAL, text="نعم")
        assert reply is not None and reply.application == application and sms_parts(reply.text) <= 2
        application.refresh_from_db()
        assert application.status == ApplicationStatus.ENROLLED

    def test_no_declines_the_seat(self, personas: Personas) -> None:
        pytest.importorskip("maharat.programmes.selection")
        english(personas.amal)
        call = make_call(personas, questions=[])
        application = offered(personas, call, personas.amal)
        reply = sms_handle(phone=AMAL, text="لا DSEA")
        assert reply is not None
        assert reply.text == "You declined the seat in Digital skills, Mafraq 2026. Thank you for telling us."
        application.refresh_from_db()
        assert application.status == ApplicationStatus.DECLINED

    def test_answer_without_an_offer_changes_nothing(self, personas: Personas) -> None:
        english(personas.amal)
        call = make_call(personas, questions=[])
        application = application_submit(
            actor=personas.officer, call=call, person=personas.amal, channel="staff"
        )
        reply = sms_handle(phone=AMAL, text="YES DSEA")
        assert reply is not None and reply.text == "There is no open offer on this application."
        application.refresh_from_db()
        assert application.status == ApplicationStatus.SUBMITTED and not Enrolment.objects.exists()

    def test_answer_to_a_call_never_applied_to(self, personas: Personas) -> None:
        english(personas.amal)
        make_call(personas, questions=[])
        reply = sms_handle(phone=AMAL, text="NO DSEA")
        assert reply is not None and reply.text == "You have not applied to Digital skills, Mafraq 2026."

    def test_several_offers_need_the_code(self, personas: Personas) -> None:
        english(personas.amal)
        first = make_call(personas, questions=[])
        second = make_call(personas, questions=[], code="CODE2")
        offered(personas, first, personas.amal)
        offered(personas, second, personas.amal)
        reply = sms_handle(phone=AMAL, text="YES")
        assert reply is not None and reply.text == "Reply YES or NO with the call's code: DSEA, CODE2."
        assert not Enrolment.objects.exists()


class StatusLinesTests:
    def test_one_short_line_per_application_in_the_persons_language(self, personas: Personas) -> None:
        english(personas.amal)
        first = make_call(personas, questions=[])
        second = make_call(personas, questions=[], code="CODE2")
        application_submit(actor=personas.officer, call=first, person=personas.amal, channel="staff")
        offered(personas, second, personas.amal)
        assert application_status_lines(personas.amal) == [
            "CODE2: offered a seat. Reply YES CODE2 or NO CODE2.",
            "DSEA: Submitted",
        ]

    def test_arabic_lines_fit_a_text_message(self, personas: Personas) -> None:
        call = make_call(personas, questions=[])
        offered(personas, call, personas.amal)
        (line,) = application_status_lines(personas.amal)
        assert line.startswith("DSEA") and sms_parts(line) <= 2


class SmsPartsTests:
    @pytest.mark.parametrize(
        ("text", "parts"),
        [
            ("a" * 160, 1),
            ("a" * 161, 2),
            ("a" * 306, 2),
            ("{" * 80, 1),
            ("{" * 81, 2),
            ("ب" * 70, 1),
            ("ب" * 71, 2),
            ("ب" * 134, 2),
            ("ب" * 135, 3),
        ],
    )
    def test_counts_gsm7_and_ucs2_parts(self, text: str, parts: int) -> None:
        assert sms_parts(text) == parts
