"""Dialogues by text message: registration, surveys, time-outs, cancel words, duplicate deliveries; COURSE."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext

from maharat.core.models import AuditLog
from maharat.core.testing import Personas
from maharat.learning.services import enrol
from maharat.learning.tests.factories import make_course
from maharat.messaging.choices import Direction, Route, Status
from maharat.messaging.dialogues import read_governorate, read_sex, read_year, read_yes_no, survey_send
from maharat.messaging.models import Channel, Message, OptOut
from maharat.messaging.models_conversations import (
    Conversation,
    ConversationState,
    DialogueKind,
    Survey,
    SurveyResponse,
)
from maharat.messaging.tests.builders import console_channel
from maharat.messaging.tests.sms_helpers import AMAL, OMAR, STRANGER, answer, last_in, text_in
from maharat.people.choices import ConsentChannel, ConsentPurpose, LegalStatus, Sex
from maharat.people.models import Consent, Person

pytestmark = pytest.mark.django_db
NEWCOMER = "+962770001122"


@pytest.fixture
def channel(db: Any) -> Channel:
    return console_channel()


def in_arabic(msgid: str) -> str:
    with translation.override("ar"):
        return gettext(msgid)


def register_by_sms(channel: Channel, phone: str, answers: list[str], language: str = "ar") -> list[str]:
    start = "تسجيل" if language == "ar" else "REGISTER"
    return [answer(channel, phone, text) for text in [start, *answers]]


class ReadingAnswersTests:
    @pytest.mark.parametrize(
        ("text", "code"),
        [("Amman", "AM"), ("عمان", "AM"), ("المفرق", "MA"), ("mafraq", "MA"), ("Irbd", "IR"), ("إربد", "IR")],
    )
    def test_governorates_in_both_languages_with_typos(
        self, personas: Personas, text: str, code: str
    ) -> None:
        governorate = read_governorate(text)
        assert governorate is not None and governorate.code == code

    def test_unknown_governorate(self, personas: Personas) -> None:
        assert read_governorate("Paris") is None and read_governorate("") is None

    def test_sex_year_and_yes_no(self) -> None:
        assert read_sex("انثى") == Sex.FEMALE and read_sex("M") == Sex.MALE and read_sex("?") is None
        assert read_year("١٩٩٥") == 1995 and read_year("95") is None and read_year("1900") is None
        assert read_year(str(timezone.localdate().year - 5)) is None
        assert read_yes_no("نعم") is True and read_yes_no("no") is False and read_yes_no("maybe") is None


class RegistrationDialogueTests:
    def test_register_in_arabic_creates_a_person_with_sms_consent(
        self, personas: Personas, channel: Channel
    ) -> None:
        replies = register_by_sms(channel, NEWCOMER, ["فاطمة العلي", "الزرقاء", "أنثى", "1998", "نعم"])
        assert all(replies)
        assert {m.language for m in Message.objects.filter(direction=Direction.OUT, phone=NEWCOMER)} == {"ar"}
        person = Person.objects.get(phone=NEWCOMER)
        assert (person.given_name_ar, person.family_name_ar) == ("فاطمة", "العلي")
        assert person.governorate.code == "ZA" and person.sex == Sex.FEMALE
        assert person.date_of_birth == dt.date(1998, 7, 1) and person.legal_status == LegalStatus.OTHER
        assert person.preferred_language == "ar" and person.registered_by == personas.agency
        consents = Consent.objects.filter(person=person)
        assert {c.purpose for c in consents} == {ConsentPurpose.REGISTRATION, ConsentPurpose.MESSAGING}
        assert {c.channel for c in consents} == {ConsentChannel.SMS}
        assert AuditLog.objects.filter(person_id=person.pk, actor_label=f"sms:{NEWCOMER}").exists()
        conversation = Conversation.objects.get(phone=NEWCOMER)
        assert conversation.state == ConversationState.COMPLETED and conversation.person == person
        assert last_in(NEWCOMER).route == Route.DIALOGUE and last_in(NEWCOMER).person is None

    def test_register_in_english_with_a_bad_answer_repeated(
        self, personas: Personas, channel: Channel
    ) -> None:
        replies = register_by_sms(
            channel,
            NEWCOMER,
            ["Sara Haddad", "Atlantis", "Irbid", "x", "F", "98", "1990", "maybe", "YES"],
            "en",
        )
        assert replies[0].startswith("Registration with Maharat")
        assert replies[2].startswith("We did not recognise this governorate.")
        assert replies[4].startswith("Are you female or male?")
        assert replies[6].startswith("Please send a year of four digits.")
        assert replies[8].startswith("Do you agree")
        assert replies[9].startswith("Thank you, you are registered")
        person = Person.objects.get(phone=NEWCOMER)
        assert person.given_name_latin == "Sara" and person.preferred_language == "en"

    def test_saying_no_records_nothing(self, personas: Personas, channel: Channel) -> None:
        replies = register_by_sms(channel, NEWCOMER, ["Sara Haddad", "Irbid", "F", "1990", "no"], "en")
        assert replies[-1].startswith("Nothing was recorded")
        assert not Person.objects.filter(phone=NEWCOMER).exists()
        assert Conversation.objects.get().state == ConversationState.CANCELLED

    def test_a_registered_number_is_refused_politely(self, personas: Personas, channel: Channel) -> None:
        reply = answer(channel, AMAL, "تسجيل")
        assert reply == in_arabic(
            "This number is already registered with Maharat. Send HELP to see what you can do."
        )
        assert not Conversation.objects.exists()
        personas.omar.preferred_language = "en"
        personas.omar.save(update_fields=["preferred_language"])
        assert answer(channel, OMAR, "register").startswith("This number is already registered")

    def test_a_number_registered_during_the_dialogue_is_refused_at_the_end(
        self, personas: Personas, channel: Channel
    ) -> None:
        register_by_sms(channel, NEWCOMER, ["Sara Haddad", "Irbid", "F", "1990"], "en")
        Person.objects.filter(pk=personas.hassan.pk).update(phone=NEWCOMER)
        assert answer(channel, NEWCOMER, "yes").startswith("This number is already registered")
        assert Person.objects.filter(phone=NEWCOMER).count() == 1

    def test_name_without_letters_is_asked_again(self, personas: Personas, channel: Channel) -> None:
        replies = register_by_sms(channel, NEWCOMER, ["12345"], "en")
        assert replies[1].startswith("Please send your full name in letters.")

    def test_an_invalid_person_is_not_saved(
        self, personas: Personas, channel: Channel, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import maharat.messaging.dialogues as dialogues

        def refuse(*args: Any) -> Person:
            raise ValidationError("bad")

        monkeypatch.setattr(dialogues, "_person_register", refuse)
        replies = register_by_sms(channel, NEWCOMER, ["Sara Haddad", "Irbid", "F", "1990", "yes"], "en")
        assert replies[-1].startswith("We could not register you")
        assert not Person.objects.filter(phone=NEWCOMER).exists()


class CancelTests:
    def test_cancel_word_ends_the_dialogue_only(self, personas: Personas, channel: Channel) -> None:
        register_by_sms(channel, NEWCOMER, ["فاطمة العلي"])
        reply = answer(channel, NEWCOMER, "إلغاء")
        assert reply == in_arabic("Cancelled. Nothing more will be asked.")
        assert Conversation.objects.get().state == ConversationState.CANCELLED
        assert not OptOut.objects.exists()  # إلغاء inside a dialogue is not an opt-out
        assert last_in(NEWCOMER).route == Route.DIALOGUE

    def test_english_cancel_with_a_typo(self, personas: Personas, channel: Channel) -> None:
        register_by_sms(channel, NEWCOMER, ["Sara"], "en")
        assert answer(channel, NEWCOMER, "cancle").startswith("Cancelled.")
        assert Conversation.objects.get().state == ConversationState.CANCELLED

    def test_outside_a_dialogue_the_arabic_word_still_opts_out(
        self, personas: Personas, channel: Channel
    ) -> None:
        text_in(channel, AMAL, "إلغاء")
        assert OptOut.objects.get(phone=AMAL).active

    def test_stop_inside_a_dialogue_ends_it_and_opts_out(self, personas: Personas, channel: Channel) -> None:
        register_by_sms(channel, NEWCOMER, ["Sara"], "en")
        text_in(channel, NEWCOMER, "STOP")
        assert Conversation.objects.get().state == ConversationState.CANCELLED
        assert OptOut.objects.get(phone=NEWCOMER).active
        assert last_in(NEWCOMER).route == Route.OPT_OUT


class TimeoutTests:
    def test_expired_dialogue_is_abandoned_and_the_message_routed_normally(
        self, personas: Personas, channel: Channel
    ) -> None:
        register_by_sms(channel, NEWCOMER, ["Sara Haddad"], "en")
        Conversation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
        reply = answer(channel, NEWCOMER, "help")
        assert reply.startswith("Maharat: send APPLY")
        assert Conversation.objects.get().state == ConversationState.ABANDONED
        assert not Person.objects.filter(phone=NEWCOMER).exists()

    def test_each_answer_extends_the_time_out(
        self, personas: Personas, channel: Channel, settings: Any
    ) -> None:
        settings.MESSAGING_DIALOGUE_MINUTES = {"register": 5}
        register_by_sms(channel, NEWCOMER, ["Sara Haddad"], "en")
        conversation = Conversation.objects.get()
        left = conversation.expires_at - timezone.now()
        assert dt.timedelta(minutes=4) < left <= dt.timedelta(minutes=5)

    def test_a_new_registration_can_start_after_a_time_out(
        self, personas: Personas, channel: Channel
    ) -> None:
        register_by_sms(channel, NEWCOMER, ["Sara"], "en")
        Conversation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
        assert answer(channel, NEWCOMER, "register").startswith("Registration with Maharat")
        assert Conversation.objects.filter(state=ConversationState.ACTIVE).count() == 1


class DuplicateDeliveryTests:
    def test_the_same_message_twice_advances_one_step(self, personas: Personas, channel: Channel) -> None:
        answer(channel, NEWCOMER, "REGISTER")
        for _ in range(3):
            text_in(channel, NEWCOMER, "Sara Haddad", gateway_id="same-1")
        conversation = Conversation.objects.get()
        assert conversation.step == 1 and conversation.answers == {"name": "Sara Haddad"}
        assert Message.objects.filter(direction=Direction.IN, phone=NEWCOMER).count() == 2

    def test_routing_a_taken_message_again_changes_nothing(
        self, personas: Personas, channel: Channel
    ) -> None:
        from maharat.messaging.dialogues import active_conversation, dialogue_step

        answer(channel, NEWCOMER, "REGISTER")
        text_in(channel, NEWCOMER, "Sara Haddad")
        taken = last_in(NEWCOMER)
        conversation = active_conversation(NEWCOMER)
        assert conversation is not None and dialogue_step(conversation, taken) is None
        assert Conversation.objects.get().step == 1


@pytest.fixture
def survey(personas: Personas) -> Survey:
    return Survey.objects.create(
        organization=personas.partner,
        title="Six months after training",
        question1_en="Do you work now?",
        question1_ar="هل تعمل الآن؟",
        question2_en="How much do you earn a month?",
        question2_ar="كم تكسب في الشهر؟",
        question3_en="What would help you most?",
        question3_ar="ما الذي يساعدك أكثر؟",
    )


class SurveyDialogueTests:
    def test_three_answers_are_stored_per_person(
        self, personas: Personas, channel: Channel, survey: Survey
    ) -> None:
        survey_send(actor=personas.officer, survey=survey, person=personas.amal)
        first = Message.objects.get(direction=Direction.OUT, phone=AMAL)
        assert first.text == "هل تعمل الآن؟" and first.status == Status.QUEUED
        assert answer(channel, AMAL, "نعم") == "كم تكسب في الشهر؟"  # not the programmes' YES
        assert answer(channel, AMAL, "٢٠٠ دينار") == "ما الذي يساعدك أكثر؟"
        assert answer(channel, AMAL, "دورة تسويق") == in_arabic("Thank you for your answers.")
        response = SurveyResponse.objects.get(survey=survey, person=personas.amal)
        assert response.answers == ["نعم", "٢٠٠ دينار", "دورة تسويق"] and response.completed_at is not None
        assert response.cells() == response.answers
        assert Conversation.objects.get().state == ConversationState.COMPLETED
        assert AuditLog.objects.filter(subject_type="messaging.surveyresponse").count() == 4

    def test_a_survey_is_sent_once_per_person(
        self, personas: Personas, channel: Channel, survey: Survey
    ) -> None:
        survey_send(actor=personas.officer, survey=survey, person=personas.amal)
        with pytest.raises(ValidationError):
            survey_send(actor=personas.officer, survey=survey, person=personas.amal)

    def test_a_person_in_another_dialogue_is_not_sent_a_survey(
        self, personas: Personas, channel: Channel, survey: Survey
    ) -> None:
        Conversation.objects.create(
            phone=AMAL, kind=DialogueKind.REGISTER, expires_at=timezone.now() + dt.timedelta(minutes=5)
        )
        with pytest.raises(ValidationError):
            survey_send(actor=personas.officer, survey=survey, person=personas.amal)
        assert not SurveyResponse.objects.exists()

    def test_a_person_without_messaging_consent_is_not_sent_a_survey_and_nothing_is_kept(
        self, personas: Personas, channel: Channel, survey: Survey
    ) -> None:
        with pytest.raises(ValidationError) as caught:
            survey_send(actor=personas.officer, survey=survey, person=personas.hassan)
        assert "could not be sent" in str(caught.value)
        assert not SurveyResponse.objects.exists() and not Conversation.objects.exists()
        assert not Message.objects.exists()

    def test_closed_survey_and_person_without_phone(self, personas: Personas, survey: Survey) -> None:
        Person.objects.filter(pk=personas.omar.pk).update(phone=None)
        personas.omar.refresh_from_db()
        with pytest.raises(ValidationError):
            survey_send(actor=personas.officer, survey=survey, person=personas.omar)
        Survey.objects.filter(pk=survey.pk).update(active=False)
        survey.refresh_from_db()
        with pytest.raises(ValidationError):
            survey_send(actor=personas.officer, survey=survey, person=personas.amal)

    def test_questions_fall_back_to_the_other_language(self, survey: Survey) -> None:
        survey.question2_ar = ""
        assert survey.questions("ar")[1] == "How much do you earn a month?"
        assert survey.questions("en")[0] == "Do you work now?"


class CourseKeywordTests:
    def test_course_names_the_next_session_and_module(self, personas: Personas, channel: Channel) -> None:
        kit = make_course(personas)
        enrol(actor=personas.amal_user, course=kit.course, person=personas.amal)
        reply = answer(channel, AMAL, "دوره")
        assert "تدريب مباشر" in reply and "بريدك الإلكتروني الأول" in reply
        assert last_in(AMAL).route == Route.KEYWORD
        personas.amal.preferred_language = "en"
        personas.amal.save(update_fields=["preferred_language"])
        reply = answer(channel, AMAL, "COURSE")
        assert reply.startswith("Next session: Live practice") and "next, Your first e-mail" in reply

    def test_course_without_enrolment(self, personas: Personas, channel: Channel) -> None:
        personas.amal.preferred_language = "en"
        personas.amal.save(update_fields=["preferred_language"])
        assert answer(channel, AMAL, "course").startswith("You are not enrolled in a course now.")

    def test_course_from_an_unknown_number_reveals_nothing(
        self, personas: Personas, channel: Channel
    ) -> None:
        kit = make_course(personas)
        enrol(actor=personas.amal_user, course=kit.course, person=personas.amal)
        reply = answer(channel, STRANGER, "COURSE")
        assert reply.startswith("Welcome to Maharat. This number is not registered with us.")
        assert "Live practice" not in reply and "تدريب" not in reply and "REGISTER" in reply
