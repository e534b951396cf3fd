"""Answering questions from the FAQ knowledge base by keyword and fuzzy match, in Arabic and English.

A question and each entry become search terms (``maharat.core.text.tokens``: normalized words, English
stems, Arabic words without their article), with question words and other common words left out. Each
term of the question scores by its best hit in an entry: 1 for one of the entry's keywords, 0.7 for a word
of its question, and 0.8 times that within one typing error for words of four letters or more. An entry's
score is the mean over the question's terms; the best entry answers when it reaches ``THRESHOLD`` with at
least one keyword hit, so a single common word never picks an answer. Ties go to the entry with more hits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Max

from maharat.core.text import tokens
from maharat.messaging.keywords import MIN_FUZZY_LENGTH, near
from maharat.messaging.models_conversations import FaqEntry

THRESHOLD = 0.5
KEYWORD_HIT = 1.0
QUESTION_HIT = 0.7
FUZZY_FACTOR = 0.8
MAX_QUESTION_TERMS = 30

STOPWORDS = frozenset(
    tokens(
        "a an and are am be can could do does did for from get got how i if in is it me my of on or please "
        "the to what when where which who why will with you your hi hello dear there any about there "
        "ما ماذا كيف متى هل انا أنا لي في من على الى إلى عن مع او أو و يا اذا إذا شو ليش وين كم هو هي ممكن "
        "لو سمحت مرحبا السلام عليكم عندي اريد أريد بدي"
    )
)


def terms_of(text: str) -> set[str]:
    """The search terms of a text without common words."""
    return {t for t in tokens(text)[:MAX_QUESTION_TERMS] if t not in STOPWORDS}


@dataclass(frozen=True)
class FaqDoc:
    """An entry as the matcher sees it: its id and the terms of its keywords and questions."""

    id: int
    keywords: frozenset[str]
    words: frozenset[str]


def faq_doc(entry_id: int, keywords: Iterable[str], questions: Iterable[str]) -> FaqDoc:
    """The terms of an entry's keywords (comma-separated lists) and questions."""
    keyword_terms: set[str] = set()
    for text in keywords:
        keyword_terms |= terms_of(text.replace(",", " ").replace("،", " "))
    question_terms: set[str] = set()
    for text in questions:
        question_terms |= terms_of(text)
    return FaqDoc(entry_id, frozenset(keyword_terms), frozenset(question_terms - keyword_terms))


def _hit(term: str, doc: FaqDoc) -> tuple[float, bool]:
    if term in doc.keywords:
        return KEYWORD_HIT, True
    if term in doc.words:
        return QUESTION_HIT, False
    if len(term) >= MIN_FUZZY_LENGTH:
        if any(len(k) >= MIN_FUZZY_LENGTH and near(term, k) for k in doc.keywords):
            return KEYWORD_HIT * FUZZY_FACTOR, True
        if any(len(w) >= MIN_FUZZY_LENGTH and near(term, w) for w in doc.words):
            return QUESTION_HIT * FUZZY_FACTOR, False
    return 0.0, False


def best_match(
    question: str, docs: Iterable[FaqDoc], threshold: float = THRESHOLD
) -> tuple[int, float] | None:
    """The id and score of the entry that answers the question best, or None below the threshold."""
    terms = terms_of(question)
    if not terms:
        return None
    best: tuple[float, int, int] | None = None
    for doc in docs:
        total, hits, keyword_hit = 0.0, 0, False
        for term in terms:
            score, is_keyword = _hit(term, doc)
            total += score
            hits += score > 0
            keyword_hit = keyword_hit or is_keyword
        if not keyword_hit:
            continue
        candidate = (total / len(terms), hits, -doc.id)
        if best is None or candidate > best:
            best = candidate
    if best is None or best[0] < threshold:
        return None
    return -best[2], best[0]


_cache: dict[str, tuple[tuple[int, object], list[FaqDoc]]] = {}


def _docs() -> list[FaqDoc]:
    """Active entries as documents, rebuilt only when an entry changed (one aggregate query otherwise)."""
    stamp_row = FaqEntry.objects.filter(active=True).aggregate(n=Count("pk"), last=Max("updated_at"))
    stamp = (int(stamp_row["n"]), stamp_row["last"])
    cached = _cache.get("docs")
    if cached is not None and cached[0] == stamp:
        return cached[1]
    docs = [
        faq_doc(e.pk, [e.keywords_en, e.keywords_ar], [e.question_en, e.question_ar])
        for e in FaqEntry.objects.filter(active=True)
    ]
    _cache["docs"] = (stamp, docs)
    return docs


def faq_find(question: str) -> FaqEntry | None:
    """The active entry that answers a question, or None when none is close enough."""
    found = best_match(question, _docs())
    if found is None:
        return None
    return FaqEntry.objects.filter(pk=found[0], active=True).first()
