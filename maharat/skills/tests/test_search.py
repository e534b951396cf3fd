"""The in-memory bilingual skill index: normalization, synonyms, typos, prefixes and ranking."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maharat.skills.search import SearchEntry, SkillIndex

PYTHON = 1
PROGRAMMING = 2
EXCEL = 3
BUSINESS_ADMIN = 4
TAILORING = 5
GRAPHIC_DESIGN = 6
CUSTOMER_SERVICE = 7
COOKING = 8
HAIRDRESSING = 9
DATA_ANALYSIS = 10
WEB_DEVELOPMENT = 11
PROJECT_MANAGEMENT = 12
PHONE_REPAIR = 13
DATA_ENTRY = 14
FINANCIAL_ANALYSIS = 15
CUSTOMER_RELATIONS = 16
PROGRAM_EVALUATION = 17
CUSTOMER_EXCELLENCE = 18
TRANSLATION = 19

TAXONOMY = [
    SearchEntry(PYTHON, ("Python", "بايثون", "Python (computer programming)")),
    SearchEntry(PROGRAMMING, ("Programming", "بَرمجـة", "coding", "software development", "تطوير البرمجيات")),
    SearchEntry(EXCEL, ("Microsoft Excel", "إكسل", "Excel", "spreadsheets", "جداول البيانات")),
    SearchEntry(BUSINESS_ADMIN, ("Business administration", "إدارة الأعمال", "إدارة", "management")),
    SearchEntry(TAILORING, ("Tailoring", "خياطة", "sewing", "dressmaking", "تفصيل الملابس")),
    SearchEntry(GRAPHIC_DESIGN, ("Graphic design", "التصميم الجرافيكي", "design", "تصميم")),
    SearchEntry(CUSTOMER_SERVICE, ("Customer service", "خدمة العملاء", "customer care")),
    SearchEntry(COOKING, ("Cooking", "الطهي", "culinary arts", "طبخ")),
    SearchEntry(HAIRDRESSING, ("Hairdressing", "تصفيف الشعر", "barbering", "حلاقة")),
    SearchEntry(DATA_ANALYSIS, ("Data analysis", "تحليل البيانات", "data analytics")),
    SearchEntry(WEB_DEVELOPMENT, ("Web development", "تطوير المواقع", "web programming")),
    SearchEntry(PROJECT_MANAGEMENT, ("Project management", "إدارة المشاريع")),
    SearchEntry(PHONE_REPAIR, ("Mobile phone repair", "صيانة الهواتف المحمولة", "phone repair")),
    SearchEntry(DATA_ENTRY, ("Data entry", "إدخال البيانات")),
    SearchEntry(FINANCIAL_ANALYSIS, ("Financial analysis", "التحليل المالي")),
    SearchEntry(CUSTOMER_RELATIONS, ("Customer relationship management", "إدارة علاقات العملاء", "CRM")),
    SearchEntry(PROGRAM_EVALUATION, ("Program evaluation", "تقييم البرامج")),
    SearchEntry(CUSTOMER_EXCELLENCE, ("Service excellence", "التميز في الخدمة")),
    SearchEntry(TRANSLATION, ("Translation of documents", "ترجمة الوثائق")),
]


@pytest.fixture(scope="module")
def index() -> SkillIndex:
    return SkillIndex(TAXONOMY)


def ids(results: list[tuple[int, float]]) -> list[int]:
    return [entry_id for entry_id, _score in results]


def top(index: SkillIndex, query: str) -> int:
    results = index.search(query)
    assert results, f"nothing found for {query!r}"
    return results[0][0]


class ExactMatchTests:
    def test_exact_label_ranks_first_with_full_score(self, index: SkillIndex) -> None:
        results = index.search("Data analysis")
        assert results[0] == (DATA_ANALYSIS, 100.0)
        assert DATA_ENTRY in ids(results) and FINANCIAL_ANALYSIS in ids(results)

    def test_exact_label_beats_a_longer_label_containing_it(self, index: SkillIndex) -> None:
        results = index.search("customer service")
        assert ids(results)[0] == CUSTOMER_SERVICE
        assert results[0][1] > results[1][1]

    def test_exact_arabic_label_ranks_first(self, index: SkillIndex) -> None:
        assert top(index, "خدمة العملاء") == CUSTOMER_SERVICE

    def test_preferred_label_beats_the_same_words_as_a_synonym(self) -> None:
        index = SkillIndex(
            [SearchEntry(5, ("Graphic design", "design")), SearchEntry(9, ("Design", "تصميم"))]
        )
        results = index.search("design")
        assert ids(results) == [9, 5]
        assert results[0][1] == 100.0 and results[1][1] < 100.0

    def test_word_order_does_not_matter(self, index: SkillIndex) -> None:
        assert top(index, "analysis data") == DATA_ANALYSIS


class ArabicNormalizationTests:
    def test_matches_despite_diacritics_and_tatweel(self, index: SkillIndex) -> None:
        assert top(index, "برمجة") == PROGRAMMING

    def test_matches_despite_hamza_and_taa_marbuta(self, index: SkillIndex) -> None:
        assert top(index, "اداره") == BUSINESS_ADMIN
        assert PROJECT_MANAGEMENT in ids(index.search("اداره"))

    def test_definite_article_in_query_finds_label_without_it(self, index: SkillIndex) -> None:
        assert top(index, "البرمجة") == PROGRAMMING
        assert top(index, "الخياطة") == TAILORING

    def test_label_with_article_is_found_without_it(self, index: SkillIndex) -> None:
        assert top(index, "طهي") == COOKING
        assert top(index, "تحليل مالي") == FINANCIAL_ANALYSIS


class EnglishInflectionTests:
    def test_ignores_case(self, index: SkillIndex) -> None:
        assert top(index, "PYTHON") == PYTHON

    def test_ing_form_finds_the_base_word(self, index: SkillIndex) -> None:
        found = ids(index.search("Programming"))
        assert found[0] == PROGRAMMING
        assert PROGRAM_EVALUATION in found

    def test_plural_finds_the_singular(self, index: SkillIndex) -> None:
        assert top(index, "designs") == GRAPHIC_DESIGN
        assert top(index, "programs evaluations") == PROGRAM_EVALUATION


class SynonymTests:
    def test_english_synonym_finds_its_entry(self, index: SkillIndex) -> None:
        assert top(index, "coding") == PROGRAMMING
        assert top(index, "barbering") == HAIRDRESSING

    def test_arabic_synonym_finds_its_entry(self, index: SkillIndex) -> None:
        assert top(index, "حلاقة") == HAIRDRESSING
        assert top(index, "طبخ") == COOKING

    def test_acronym_synonym_finds_its_entry(self, index: SkillIndex) -> None:
        assert top(index, "crm") == CUSTOMER_RELATIONS


class TypoToleranceTests:
    def test_transposed_letters(self, index: SkillIndex) -> None:
        assert top(index, "pyhton") == PYTHON

    def test_doubled_letter(self, index: SkillIndex) -> None:
        assert top(index, "excell") == EXCEL

    def test_arabic_taa_marbuta_written_as_haa(self, index: SkillIndex) -> None:
        assert top(index, "خياطه") == TAILORING

    def test_one_wrong_arabic_letter(self, index: SkillIndex) -> None:
        assert top(index, "برمحة") == PROGRAMMING

    def test_typo_in_one_word_of_several(self, index: SkillIndex) -> None:
        assert top(index, "custmer service") == CUSTOMER_SERVICE

    def test_two_typos_in_a_long_word(self, index: SkillIndex) -> None:
        assert top(index, "hairdresing") == HAIRDRESSING
        assert top(index, "hiardresing") == HAIRDRESSING

    def test_correctly_spelled_word_does_not_pull_in_near_misses(self) -> None:
        index = SkillIndex([SearchEntry(1, ("Design",)), SearchEntry(2, ("Resign",))])
        assert ids(index.search("design")) == [1]
        assert set(ids(index.search("desing"))) == {1}

    def test_unrelated_words_find_nothing(self, index: SkillIndex) -> None:
        assert index.search("zzzzqqq") == []
        assert index.search("ثثثثث") == []


class PrefixTests:
    def test_latin_prefix_finds_the_word(self, index: SkillIndex) -> None:
        assert top(index, "pyt") == PYTHON
        assert top(index, "hairdr") == HAIRDRESSING

    def test_arabic_prefix_finds_the_word(self, index: SkillIndex) -> None:
        assert top(index, "برم") == PROGRAMMING
        assert top(index, "خيا") == TAILORING

    def test_last_word_typed_partially(self, index: SkillIndex) -> None:
        assert top(index, "mobile phone rep") == PHONE_REPAIR

    def test_complete_word_beats_a_mere_prefix(self, index: SkillIndex) -> None:
        results = index.search("excel")
        assert ids(results)[0] == EXCEL
        assert CUSTOMER_EXCELLENCE in ids(results)


class EmptyQueryTests:
    @pytest.mark.parametrize("query", ["", "   ", "\t\n", "ـــ", "\u064e\u0651", "?!", "، ؟"])
    def test_blank_queries_return_nothing(self, index: SkillIndex, query: str) -> None:
        assert index.search(query) == []

    def test_non_positive_limit_returns_nothing(self, index: SkillIndex) -> None:
        assert index.search("python", limit=0) == []
        assert index.search("python", limit=-3) == []

    def test_empty_index_returns_nothing(self) -> None:
        assert SkillIndex([]).search("python") == []

    def test_entries_without_usable_labels_are_never_returned(self) -> None:
        index = SkillIndex(
            [SearchEntry(1, ()), SearchEntry(2, ("", "  ", "--")), SearchEntry(3, ("Python",))]
        )
        assert len(index) == 3
        assert ids(index.search("python")) == [3]


class MultiWordRankingTests:
    def test_entries_with_all_words_rank_above_entries_with_one(self, index: SkillIndex) -> None:
        results = index.search("data analysis")
        scores = dict(results)
        assert ids(results)[0] == DATA_ANALYSIS
        assert scores[DATA_ANALYSIS] > scores[DATA_ENTRY]
        assert scores[DATA_ANALYSIS] > scores[FINANCIAL_ANALYSIS]

    def test_all_words_beat_one_word_in_arabic(self, index: SkillIndex) -> None:
        results = index.search("إدارة المشاريع")
        assert ids(results)[0] == PROJECT_MANAGEMENT
        scores = dict(results)
        assert scores[PROJECT_MANAGEMENT] > scores[BUSINESS_ADMIN]

    def test_stopwords_do_not_pull_in_unrelated_entries(self, index: SkillIndex) -> None:
        results = index.search("analysis of data")
        assert ids(results)[0] == DATA_ANALYSIS
        assert set(ids(results)) <= {DATA_ANALYSIS, DATA_ENTRY, FINANCIAL_ANALYSIS}

    def test_more_matching_words_rank_higher(self, index: SkillIndex) -> None:
        scores = dict(index.search("customer relationship management"))
        assert scores[CUSTOMER_RELATIONS] > scores[CUSTOMER_SERVICE]
        assert scores[CUSTOMER_RELATIONS] > scores[PROJECT_MANAGEMENT]


class LargeIndexTests:
    def test_exact_label_wins_among_many_entries_sharing_the_word(self) -> None:
        entries = [SearchEntry(i, (f"management of site {i}", f"إدارة الموقع {i}")) for i in range(1, 1500)]
        entries.append(SearchEntry(5000, ("Management", "إدارة")))
        index = SkillIndex(entries)
        assert ids(index.search("management", limit=5))[0] == 5000
        assert ids(index.search("إدارة", limit=5))[0] == 5000
        assert ids(index.search("managment", limit=5))[0] == 5000

    def test_short_prefix_with_many_completions_still_ranks_the_closest(self) -> None:
        entries = [SearchEntry(i, (f"mat{i}x work",)) for i in range(1, 2000)]
        entries.append(SearchEntry(9000, ("Maths",)))
        index = SkillIndex(entries)
        assert ids(index.search("mat", limit=3))[0] == 9000


class ResultShapeTests:
    def test_results_are_sorted_best_first_with_scores_in_range(self, index: SkillIndex) -> None:
        results = index.search("design")
        scores = [score for _id, score in results]
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 <= score <= 100.0 for score in scores)

    def test_limit_caps_the_number_of_results(self, index: SkillIndex) -> None:
        assert len(index.search("a", limit=100)) <= 100
        assert len(index.search("customer", limit=1)) == 1
        assert set(ids(index.search("customer", limit=20))) == {CUSTOMER_SERVICE, CUSTOMER_RELATIONS}

    def test_equal_scores_are_ordered_by_id(self) -> None:
        index = SkillIndex(
            [SearchEntry(30, ("Sewing",)), SearchEntry(20, ("Sewing",)), SearchEntry(25, ("Sewing",))]
        )
        results = index.search("sewing")
        assert ids(results) == [20, 25, 30]
        assert len({score for _id, score in results}) == 1

    def test_results_are_deterministic(self, index: SkillIndex) -> None:
        rebuilt = SkillIndex(reversed(TAXONOMY))
        for query in ("data", "اداره", "pyt", "customer", "برم"):
            assert index.search(query) == index.search(query) == rebuilt.search(query)

    def test_accepts_any_iterable_of_entries(self) -> None:
        index = SkillIndex(entry for entry in TAXONOMY[:2])
        assert len(index) == 2

    def test_long_query_is_handled(self, index: SkillIndex) -> None:
        assert ids(index.search("python " * 500))[0] == PYTHON


class RobustnessTests:
    @settings(max_examples=300, deadline=None)
    @given(query=st.text(max_size=120), limit=st.integers(min_value=-2, max_value=50))
    def test_search_never_raises_on_arbitrary_unicode(self, query: str, limit: int) -> None:
        results = SHARED_INDEX.search(query, limit=limit)
        known = {entry.id for entry in TAXONOMY}
        assert len(results) <= max(limit, 0)
        assert all(entry_id in known and 0.0 <= score <= 100.0 for entry_id, score in results)
        assert [score for _id, score in results] == sorted((score for _id, score in results), reverse=True)

    @settings(max_examples=100, deadline=None)
    @given(labels=st.lists(st.text(max_size=30), max_size=5), query=st.text(max_size=30))
    def test_index_builds_from_arbitrary_labels(self, labels: list[str], query: str) -> None:
        index = SkillIndex([SearchEntry(1, tuple(labels))])
        assert all(entry_id == 1 for entry_id, _score in index.search(query))


# Hypothesis tests cannot take function-scoped fixtures, so they share one index built at import.
SHARED_INDEX = SkillIndex(TAXONOMY)
