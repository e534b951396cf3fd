"""Keywords: exact and one-typo matching in both languages, the registry, and opt-out never reached by a typo."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maharat.core.testing import Personas
from maharat.core.text import normalize_text
from maharat.messaging import inbound
from maharat.messaging.choices import Route, Status
from maharat.messaging.inbound import OPT_IN_WORDS, OPT_OUT_WORDS, KeywordRequest, register_keyword
from maharat.messaging.keywords import KeywordTable, near
from maharat.messaging.models import Channel, OptOut
from maharat.messaging.tests.builders import console_channel
from maharat.messaging.tests.sms_helpers import AMAL, STRANGER, answer, last_in, text_in
from maharat.programmes.choices import ApplyChannel
from maharat.programmes.services import application_submit
from maharat.programmes.tests.factories import make_call


@pytest.fixture
def channel(db: Any) -> Channel:
    return console_channel()


def table() -> KeywordTable:
    t = KeywordTable(protected=["stop", "start", "توقف", "إلغاء"])
    t.add(["status", "حالة"], "status")
    t.add(["course", "دورة"], "course")
    t.add(["help", "مساعدة"], "help")
    t.add(["حالة الطلب"], "status")
    return t


class KeywordTableTests:
    @pytest.mark.parametrize(
        ("text", "name"),
        [
            ("STATUS", "status"),
            (" status. ", "status"),
            ("حالة", "status"),
            ("حاله", "status"),  # taa marbuta written as haa
            ("الحالة", "status"),  # with the article
            ("دورة", "course"),
            ("دوره", "course"),
            ("Course", "course"),
            ("حالة الطلب", "status"),
            ("مساعدة", "help"),
        ],
    )
    def test_exact_matches_after_normalization(self, text: str, name: str) -> None:
        match = table().match(text)
        assert match is not None and match.name == name and not match.fuzzy

    @pytest.mark.parametrize(
        ("text", "name"),
        [
            ("statsu", "status"),
            ("stauts", "status"),
            ("cours", "course"),
            ("coursee", "course"),
            ("مساعد", "help"),
            ("hepl", "help"),
        ],
    )
    def test_one_typing_error_is_tolerated_for_long_words(self, text: str, name: str) -> None:
        match = table().match(text)
        assert match is not None and match.name == name and match.fuzzy

    @pytest.mark.parametrize(
        "text", ["hlp", "hepl me now please", "sttaus x y z", "course starts when next week", ""]
    )
    def test_short_words_far_words_and_sentences_do_not_match(self, text: str) -> None:
        assert table().match(text) is None

    def test_arguments_follow_the_keyword(self) -> None:
        match = table().match("COURSE 12")
        assert match is not None and (match.name, match.args) == ("course", "12")
        phrase = table().match("حالة الطلب 7")
        assert phrase is not None and (phrase.name, phrase.args) == ("status", "7")

    @pytest.mark.parametrize("text", ["stpo", "stopp", "sotp", "strat", "starts", "توقفف", "توف"])
    def test_words_near_protected_words_match_nothing(self, text: str) -> None:
        assert table().match(text) is None

    def test_protected_words_cannot_be_keywords(self) -> None:
        with pytest.raises(ValueError):
            table().add(["STOP"], "stop")

    def test_ambiguous_typo_matches_nothing(self) -> None:
        t = KeywordTable()
        t.add(["cart"], "cart")
        t.add(["card"], "card")
        assert t.match("carx") is None  # two letters: under the fuzzy length anyway
        t.add(["carts"], "carts")
        t.add(["cards"], "cards")
        assert t.match("cartds") is None

    def test_remove_forgets_a_keyword(self) -> None:
        t = table()
        t.remove("course")
        assert t.match("course") is None and "course" not in t.names()

    def test_near_counts_one_transposition_as_one_error(self) -> None:
        assert near("status", "statsu") and not near("status", "sutats")

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet="stoparndeuhlpc توقفإلغاءابدأ", min_size=1, max_size=8))
    def test_fuzzy_matches_are_never_near_a_protected_word(self, text: str) -> None:
        match = table().match(text)
        if match is not None and match.fuzzy:
            word = normalize_text(text).split()[0]
            assert not any(near(word, normalize_text(p)) for p in ("stop", "start", "توقف", "إلغاء"))

    def test_words_near_protected_words_cannot_be_keywords(self) -> None:
        with pytest.raises(ValueError):
            table().add(["stopp"], "x")


class RegistryTests:
    def test_registered_keyword_answers_and_replacing_it_works(
        self, personas: Personas, channel: Channel
    ) -> None:
        calls: list[KeywordRequest] = []

        def grants(request: KeywordRequest) -> str:
            calls.append(request)
            return f"grants for {request.person.pk if request.person else '-'} {request.args}"

        try:
            assert register_keyword(["grants", "منح"], grants) == "grants"
            assert answer(channel, AMAL, "GRANST") == f"grants for {personas.amal.pk}"
            assert answer(channel, AMAL, "منح 3") == f"grants for {personas.amal.pk} 3"
            assert calls[-1].language == "ar" and calls[-1].phone == AMAL
            assert last_in(AMAL).route == Route.KEYWORD and last_in(AMAL).status == Status.HANDLED
            register_keyword(["grants"], lambda request: None)
            text_in(channel, AMAL, "grants")
            assert last_in(AMAL).status == Status.RECEIVED  # the handler declined: a ticket for staff
        finally:
            inbound._TABLE.remove("grants")
            inbound._HANDLERS.pop("grants", None)
        assert "grants" not in inbound.keyword_names()

    def test_personal_keywords_answer_registered_numbers_only(
        self, personas: Personas, channel: Channel
    ) -> None:
        try:
            register_keyword(["secret"], lambda request: "Amal's secret")
            reply = answer(channel, STRANGER, "secret")
            assert "Amal" not in reply and reply.startswith("Welcome to Maharat")
        finally:
            inbound._TABLE.remove("secret")
            inbound._HANDLERS.pop("secret", None)

    def test_keywords_need_words_and_cannot_be_opt_out_words(self) -> None:
        with pytest.raises(ValueError):
            register_keyword([" "], lambda request: "x")
        with pytest.raises(ValueError):
            register_keyword(["إلغاء"], lambda request: "x", name="x")

    def test_default_keywords_are_registered(self) -> None:
        assert {"help", "status", "course", "register", "cancel"} <= inbound.keyword_names()


class TypoRoutingTests:
    def test_status_with_a_typo_in_english_and_arabic(self, personas: Personas, channel: Channel) -> None:
        call = make_call(personas, questions=[])
        application_submit(
            actor=personas.officer, call=call, person=personas.amal, channel=ApplyChannel.STAFF
        )
        assert answer(channel, AMAL, "statsu").startswith("DSEA")
        assert answer(channel, AMAL, "حالتى").startswith("DSEA")
        assert last_in(AMAL).route == Route.STATUS

    def test_help_with_a_typo(self, personas: Personas, channel: Channel) -> None:
        personas.amal.preferred_language = "en"
        personas.amal.save(update_fields=["preferred_language"])
        assert answer(channel, AMAL, "helpp").startswith("Maharat: send APPLY")
        assert last_in(AMAL).route == Route.HELP

    @pytest.mark.parametrize(
        "text", ["stpo", "stopp", "sotp", "توقفف", "الغاءي", "unsubscrib", "STOP!!! now please"]
    )
    def test_typos_of_stop_never_opt_out(self, personas: Personas, channel: Channel, text: str) -> None:
        text_in(channel, AMAL, text)
        assert not OptOut.objects.exists()
        assert last_in(AMAL).route not in (Route.OPT_OUT, Route.OPT_IN)

    def test_exact_opt_out_still_works_in_both_languages(self, personas: Personas, channel: Channel) -> None:
        text_in(channel, AMAL, "توقف")
        assert OptOut.objects.get(phone=AMAL).active
        text_in(channel, AMAL, "START")
        assert not OptOut.objects.get(phone=AMAL).active

    def test_opt_words_are_protected_in_the_router_table(self) -> None:
        for word in OPT_OUT_WORDS | OPT_IN_WORDS:
            assert inbound._TABLE.match(word) is None, word

    def test_cancel_outside_a_dialogue_says_there_is_nothing_to_cancel(
        self, personas: Personas, channel: Channel
    ) -> None:
        personas.amal.preferred_language = "en"
        personas.amal.save(update_fields=["preferred_language"])
        assert answer(channel, AMAL, "cancel").startswith("There is nothing to cancel")
        assert not OptOut.objects.exists()
