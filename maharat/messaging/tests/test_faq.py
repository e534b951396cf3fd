"""The FAQ knowledge base: social-security questions answered in Arabic and English, loading, and editing."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from maharat.core.models import AuditLog
from maharat.core.testing import Personas
from maharat.messaging.choices import Route
from maharat.messaging.faq import best_match, faq_doc, faq_find, terms_of
from maharat.messaging.helpdesk import faq_save
from maharat.messaging.models import Channel
from maharat.messaging.models_conversations import FaqEntry, Ticket
from maharat.messaging.parts import sms_parts
from maharat.messaging.tests.builders import console_channel
from maharat.messaging.tests.sms_helpers import AMAL, STRANGER, answer, last_in, text_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def faq(db: Any) -> None:
    call_command("load_faq", stdout=StringIO())


@pytest.fixture
def channel(db: Any) -> Channel:
    return console_channel()


class MatcherTests:
    def test_common_words_are_not_terms(self) -> None:
        assert terms_of("What is the status of my application?") == terms_of("status application")
        assert terms_of("ما هو") == set()

    def test_best_match_needs_a_keyword_and_the_threshold(self) -> None:
        docs = [
            faq_doc(1, ["maternity, pregnant"], ["Do women get maternity leave?"]),
            faq_doc(2, ["injury, accident"], ["I was injured at work"]),
        ]
        found = best_match("pregnant leave", docs)
        assert found is not None and found[0] == 1
        assert best_match("accidnet", docs) is not None  # one typo in a keyword
        assert best_match("women", docs) is None  # only a question word, no keyword
        assert best_match("the weather in amman tomorrow maybe pregnant", docs) is None  # below the threshold
        assert best_match("", docs) is None


class SocialSecurityAnswerTests:
    @pytest.mark.parametrize(
        ("question", "code"),
        [
            ("Are migrant workers covered by social security?", "ssc-coverage"),
            ("social securty for foreign workers", "ssc-coverage"),
            ("Who pays the contributions?", "ssc-contributions"),
            ("I was injured at work", "ssc-work-injury"),
            ("maternity leave?", "ssc-maternity"),
            ("I am leaving Jordan, can I get a refund of my money?", "ssc-leaving-jordan"),
            ("My employer did not register me", "ssc-not-registered"),
            ("is the work permit the same as social security", "ssc-work-permit"),
            ("هل العمال الوافدين مشمولين بالضمان الاجتماعي؟", "ssc-coverage"),
            ("أصبت في العمل", "ssc-work-injury"),
            ("اجازة امومة", "ssc-maternity"),
            ("سأغادر الأردن هل استرد اموال الضمان", "ssc-leaving-jordan"),
            ("كيف اتأكد انني مسجل في الضمان", "ssc-check"),
            ("صاحب العمل لم يسجلني في الضمان", "ssc-not-registered"),
        ],
    )
    def test_questions_find_their_entry(self, faq: None, question: str, code: str) -> None:
        entry = faq_find(question)
        assert entry is not None and entry.code == code, question

    @pytest.mark.parametrize("question", ["hello", "what time is it", "أين أجد مكتبكم في إربد؟"])
    def test_unrelated_questions_find_nothing(self, faq: None, question: str) -> None:
        assert faq_find(question) is None

    def test_answer_by_text_in_the_persons_language(
        self, faq: None, personas: Personas, channel: Channel
    ) -> None:
        reply = answer(channel, AMAL, "Is social security for migrant workers too?")
        assert reply.startswith("نعم. على صاحب العمل تسجيل") and sms_parts(reply) <= 2
        assert last_in(AMAL).route == Route.FAQ
        personas.amal.preferred_language = "en"
        personas.amal.save(update_fields=["preferred_language"])
        assert answer(channel, AMAL, "الضمان الاجتماعي للعمال الوافدين").startswith(
            "Yes. In Jordan every worker"
        )

    def test_unknown_numbers_get_the_answer_in_the_language_they_wrote(
        self, faq: None, channel: Channel
    ) -> None:
        assert answer(channel, STRANGER, "maternity leave").startswith("Yes. Maternity insurance")
        assert answer(channel, STRANGER, "إجازة الأمومة").startswith("نعم. تأمين الأمومة")
        assert not Ticket.objects.exists()

    def test_every_seeded_answer_fits_in_two_text_messages(self, faq: None) -> None:
        entries = list(FaqEntry.objects.all())
        assert len(entries) >= 9
        for entry in entries:
            assert sms_parts(entry.answer_ar) <= 2 and sms_parts(entry.answer_en) <= 2
            assert entry.answer_ar and entry.answer_en and entry.keywords_ar and entry.keywords_en

    def test_a_reply_to_staff_goes_to_the_open_ticket_not_the_faq(
        self, faq: None, personas: Personas, channel: Channel
    ) -> None:
        text_in(channel, AMAL, "I have a problem with my employer")
        ticket = Ticket.objects.get()
        text_in(channel, AMAL, "maternity leave")
        assert ticket.messages.filter(direction="in").count() == 2 and last_in(AMAL).route == ""


class FaqLoadAndSaveTests:
    def test_loading_twice_changes_nothing(self, faq: None) -> None:
        out = StringIO()
        call_command("load_faq", stdout=out)
        assert "(0 new)" in out.getvalue()
        assert FaqEntry.objects.count() == 9

    def test_too_long_answer_is_refused_and_nothing_changes(self, faq: None, personas: Personas) -> None:
        entry = FaqEntry.objects.get(code="ssc-maternity")
        with pytest.raises(ValidationError) as caught:
            faq_save(actor=personas.officer, entry=entry, data={"answer_ar": "ا" * 200})
        assert "answer_ar" in caught.value.message_dict
        entry.refresh_from_db()
        assert entry.answer_ar.startswith("نعم")

    def test_saving_is_audited_and_cache_refreshed(self, faq: None, personas: Personas) -> None:
        entry = FaqEntry.objects.get(code="ssc-maternity")
        faq_save(actor=personas.officer, entry=entry, data={"keywords_en": "maternity, pregnant, newborn"})
        assert AuditLog.objects.filter(subject_type="messaging.faqentry", actor=personas.officer).exists()
        found = faq_find("newborn")
        assert found is not None and found.pk == entry.pk
        faq_save(actor=personas.officer, entry=entry, data={"active": False})
        assert faq_find("newborn") is None
        assert faq_save(actor=personas.officer, entry=entry, data={"active": False}) == entry
