"""Text normalization: Arabic and Latin folding, English stems, search tokens and person-name keys."""

from __future__ import annotations

import string

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from maharat.core.text import (
    name_key,
    name_similarity,
    normalize_arabic,
    normalize_latin,
    normalize_text,
    stem_en,
    strip_arabic_article,
    tokens,
)

# maharat.people.duplicates flags names at least this similar; copied because that module needs Django.
SIMILAR_NAME_THRESHOLD = 85.0


class NormalizeArabicTests:
    def test_removes_tashkeel_and_superscript_alef(self) -> None:
        assert normalize_arabic("مُحَمَّدٌ") == "محمد"
        assert normalize_arabic("هٰذا") == "هذا"

    def test_removes_quranic_annotation_marks(self) -> None:
        assert normalize_arabic("الرَّحِيمِۖ") == "الرحيم"

    def test_removes_tatweel(self) -> None:
        assert normalize_arabic("بـرمـجـة") == "برمجه"

    def test_unifies_alef_forms(self) -> None:
        assert normalize_arabic("أ إ آ ٱ ا") == "ا ا ا ا ا"

    def test_alef_maqsura_becomes_yaa(self) -> None:
        assert normalize_arabic("مستشفى") == "مستشفي"

    def test_taa_marbuta_becomes_haa(self) -> None:
        assert normalize_arabic("خياطة") == "خياطه"

    def test_hamza_on_waw_and_yaa_become_the_bare_letters(self) -> None:
        assert normalize_arabic("سؤال") == "سوال"
        assert normalize_arabic("مسائل") == "مسايل"

    def test_drops_a_lone_hamza(self) -> None:
        assert normalize_arabic("ماء") == "ما"
        assert normalize_arabic("جزء") == normalize_arabic("جز")

    def test_maps_persian_look_alikes_to_arabic_letters(self) -> None:
        assert normalize_arabic("کتاب") == "كتاب"
        assert normalize_arabic("علی") == "علي"

    def test_converts_arabic_indic_and_persian_digits(self) -> None:
        assert normalize_arabic("٠١٢٣٤٥٦٧٨٩") == "0123456789"
        assert normalize_arabic("۰۱۲۳۴۵۶۷۸۹") == "0123456789"

    def test_arabic_punctuation_separates_words(self) -> None:
        assert normalize_arabic("خياطة،تطريز؛ طبخ؟") == "خياطه تطريز طبخ"

    def test_unfolds_presentation_forms(self) -> None:
        assert normalize_arabic("ﻻ") == "لا"
        assert normalize_arabic("ﺑﺮﻣﺠﺔ") == "برمجه"

    def test_deletes_invisible_joiners_inside_words(self) -> None:
        assert normalize_arabic("بر\u200cمجة\u200f") == "برمجه"

    def test_collapses_whitespace(self) -> None:
        assert normalize_arabic("  طبخ \t\n  خياطة ") == "طبخ خياطه"

    def test_leaves_latin_text_alone(self) -> None:
        assert normalize_arabic("Hello World") == "Hello World"


class NormalizeLatinTests:
    def test_strips_accents(self) -> None:
        assert normalize_latin("Café Ñandú Ḥassan") == "cafe nandu hassan"

    def test_case_folds(self) -> None:
        assert normalize_latin("STRASSE Straße") == "strasse strasse"

    def test_apostrophes_join_the_letters_around_them(self) -> None:
        assert normalize_latin("Ma'an") == "maan"
        assert normalize_latin("Ma’an") == "maan"
        assert normalize_latin("ʿAbd al-Raḥmān") == "abd al rahman"

    def test_hyphens_dots_and_slashes_separate_words(self) -> None:
        assert normalize_latin("Al-Hassan") == "al hassan"
        assert normalize_latin("Dr. M. Smith/Jones") == "dr m smith jones"

    def test_folds_compatibility_forms(self) -> None:
        assert normalize_latin("ＡＢＣ ﬁle") == "abc file"

    def test_keeps_programming_language_names_distinct(self) -> None:
        assert normalize_latin("C++, C#, F# and .NET") == "cpp csharp fsharp and dotnet"
        assert normalize_latin("C") == "c"

    def test_collapses_whitespace(self) -> None:
        assert normalize_latin("  a \t b\n") == "a b"


class NormalizeTextTests:
    def test_folds_mixed_script_text(self) -> None:
        assert normalize_text("Python بَرمجـة (إدارة) ٣") == "python برمجه اداره 3"

    def test_empty_and_punctuation_only_text_is_empty(self) -> None:
        assert normalize_text("") == ""
        assert normalize_text(" -- ؟ ... ") == ""

    @pytest.mark.parametrize("tricky", ["İstanbul", "㎅", "ŉ", "ℌ", "ǰ", "ﷺ", "´", "c++ c#", "ß"])
    def test_is_idempotent_on_tricky_characters(self, tricky: str) -> None:
        once = normalize_text(tricky)
        assert normalize_text(once) == once

    @settings(max_examples=500)
    @given(st.text())
    def test_is_idempotent(self, text: str) -> None:
        once = normalize_text(text)
        assert normalize_text(once) == once

    @settings(max_examples=300)
    @given(st.text())
    def test_output_is_single_spaced_and_trimmed(self, text: str) -> None:
        out = normalize_text(text)
        assert out == " ".join(out.split())


class StemEnTests:
    @pytest.mark.parametrize(
        "group",
        [
            ("programming", "program", "programs", "programme", "programmed"),
            ("design", "designs", "designing", "designed"),
            ("study", "studies", "studying", "studied"),
            ("make", "making", "makes"),
            ("plan", "planned", "planning", "plans"),
            ("install", "installing", "installed"),
            ("class", "classes"),
            ("match", "matches"),
            ("box", "boxes"),
        ],
    )
    def test_inflections_share_a_stem(self, group: tuple[str, ...]) -> None:
        assert len({stem_en(word) for word in group}) == 1, {word: stem_en(word) for word in group}

    def test_keeps_agent_nouns_apart(self) -> None:
        assert stem_en("designer") != stem_en("design")
        assert stem_en("designers") == stem_en("designer")

    def test_keeps_words_ending_in_ss_us_is(self) -> None:
        assert stem_en("business") == "business"
        assert stem_en("status") == "status"
        assert stem_en("analysis") == "analysis"

    def test_leaves_short_words_alone(self) -> None:
        assert [stem_en(w) for w in ("bus", "gas", "sing", "news"[:3])] == ["bus", "gas", "sing", "new"]

    def test_does_not_strip_ing_without_a_vowel_left(self) -> None:
        assert stem_en("string") == "string"
        assert stem_en("spring") == "spring"

    def test_leaves_non_ascii_and_digit_tokens_alone(self) -> None:
        assert stem_en("برمجه") == "برمجه"
        assert stem_en("3ds") == "3ds"

    @settings(max_examples=500)
    @given(st.text(alphabet=string.ascii_lowercase, max_size=14))
    def test_is_idempotent(self, word: str) -> None:
        assert stem_en(stem_en(word)) == stem_en(word)


class TokensTests:
    def test_normalizes_and_stems_latin_words(self) -> None:
        assert tokens("Programming, Designs & Coding!") == ["program", "design", "cod"]

    def test_strips_the_arabic_definite_article(self) -> None:
        assert tokens("البرمجة") == tokens("برمجة") == ["برمجه"]

    def test_strips_article_after_conjunction_or_preposition(self) -> None:
        assert tokens("والخياطة بالحاسوب كالطبيب فالتصميم") == ["خياطه", "حاسوب", "طبيب", "تصميم"]
        assert tokens("للتدريب") == ["تدريب"]

    def test_keeps_short_words_that_start_like_an_article(self) -> None:
        assert tokens("الم والد بالغ الله") == ["الم", "والد", "بالغ", "الله"]

    def test_punctuation_only_gives_no_tokens(self) -> None:
        assert tokens(" ... - ، ") == []

    def test_strip_arabic_article_needs_three_letters_left(self) -> None:
        assert strip_arabic_article("الطب") == "الطب"
        assert strip_arabic_article("الطبخ") == "طبخ"


class NameKeyTests:
    @pytest.mark.parametrize(
        "variants",
        [
            ("Mohammed", "Muhammad", "Mohamad", "Mohammad", "Mohamed", "Mohd", "Mouhamed"),
            ("Abdullah", "Abdallah", "Abd Allah", "Abdulla", "Abd-Allah"),
            ("Abdul Rahman", "Abd al-Rahman", "Abdel Rahman", "Abdurrahman", "Abd ar-Rahman", "Abdulrahman"),
            ("Abdel Aziz", "Abd El Aziz", "Abdelaziz", "Abdulaziz", "Abd al-Aziz"),
            ("Fatimah", "Fatima"),
            ("Al-Hassan", "El Hassan", "Alhassan", "Al Hasan"),
            ("Youssef", "Yousef", "Yusef"),
            ("Nour", "Noor", "Nur"),
            ("Hussein", "Hussain", "Husein"),
            ("Zeinab", "Zaynab", "Zainab"),
            ("Samy", "Sami", "Samee"),
            ("Mustapha", "Mustafa"),
            ("Aicha", "Aisha"),
            ("Omar", "Umar"),
            ("Tariq", "Tarik"),
            ("Ma'an", "Maan", "Ma’an"),
        ],
    )
    def test_folds_transliteration_variants(self, variants: tuple[str, ...]) -> None:
        assert len({name_key(v) for v in variants}) == 1, {v: name_key(v) for v in variants}

    @pytest.mark.parametrize(
        ("a", "b"), [("Mohammed", "Mahmoud"), ("Hassan", "Hussein"), ("Omar", "Ammar"), ("Ahmad", "Hamad")]
    )
    def test_keeps_different_names_apart(self, a: str, b: str) -> None:
        assert name_key(a) != name_key(b)

    def test_arabic_abd_with_or_without_space(self) -> None:
        assert name_key("عبد الله") == name_key("عبدالله") == "عبدالله"
        assert name_key("عبد الرحمن") == name_key("عبدالرحمن")

    def test_arabic_spelling_variants(self) -> None:
        assert name_key("أمل") == name_key("امل")
        assert name_key("فاطمة") == name_key("فاطمه")
        assert name_key("مُحَمَّد") == name_key("محمد")

    def test_key_of_part_of_a_name_is_inside_the_key_of_the_whole(self) -> None:
        whole = name_key("Amal Al-Hassan")
        for part in ("Hasan", "Hassan", "Amal", "Al Hassan", "Ama"):
            assert name_key(part) in whole
        assert name_key("Abdul") in name_key("Abdul Rahman Haddad")
        assert name_key("Moh") in name_key("Mohammed Ali")

    def test_empty_and_punctuation_only(self) -> None:
        assert name_key("") == ""
        assert name_key("--") == ""

    @settings(max_examples=500)
    @given(st.text(alphabet="abdelurhsmoyqcpiz '-", max_size=25))
    @example("Aal Hassan")
    @example("Abdoul Aziz")
    def test_is_idempotent_on_latin_names(self, name: str) -> None:
        key = name_key(name)
        assert name_key(key) == key


class NameSimilarityTests:
    def test_transliteration_variants_are_the_same_name(self) -> None:
        assert name_similarity("Mohammed Abdullah", "Muhammad Abd Allah") == 100.0
        assert name_similarity("Amal Al-Hassan", "Amaal Alhassan") == 100.0

    def test_ignores_word_order(self) -> None:
        assert name_similarity("Hassan Al-Jubouri", "Al Jubouri Hassan") == 100.0

    def test_close_spellings_pass_the_duplicate_threshold(self) -> None:
        assert name_similarity("Ahmed Khaled", "Ahmad Khaled") >= SIMILAR_NAME_THRESHOLD
        assert name_similarity("Youssef Al-Khatib", "Yusuf Alkhateeb") >= SIMILAR_NAME_THRESHOLD
        assert name_similarity("أمل الحسن", "آمال الحسن") >= SIMILAR_NAME_THRESHOLD

    def test_different_people_stay_below_the_duplicate_threshold(self) -> None:
        assert name_similarity("Amal Al-Hassan", "Zainab Haddad") < SIMILAR_NAME_THRESHOLD
        assert name_similarity("امل الحسن", "زينب حداد") < SIMILAR_NAME_THRESHOLD
        assert name_similarity("Omar Al-Abbadi", "Hassan Al-Jubouri") < SIMILAR_NAME_THRESHOLD

    def test_empty_name_is_not_similar_to_anything(self) -> None:
        assert name_similarity("", "") == 0.0
        assert name_similarity("Amal", " ") == 0.0

    @settings(max_examples=300)
    @given(st.text(max_size=40), st.text(max_size=40))
    def test_is_symmetric_and_bounded(self, a: str, b: str) -> None:
        score = name_similarity(a, b)
        assert 0.0 <= score <= 100.0
        assert score == name_similarity(b, a)
