"""Keyword matching for text messages, in Arabic and English, with typing errors tolerated; pure Python.

A message matches a keyword when, after normalization (``maharat.core.text``: case, accents, hamza and
alef variants, taa marbuta, diacritics, Arabic digits), it is the keyword, the keyword without an Arabic
article, or the keyword followed by at most ``MAX_ARGUMENT_WORDS`` words (a code, a number). Failing that,
a single word of at least ``MIN_FUZZY_LENGTH`` letters matches a keyword of at least that length within
one typing error (Damerau-Levenshtein with adjacent transpositions: "statsu", "helpp", "دوره"→"دورة").

Typing errors never reach the protected words (opt-out and opt-in): those match exactly only, and a word
within one error of a protected word is matched to nothing else either, so "stpo" neither opts out nor
becomes some other command; it goes to a person instead. Two keywords within reach of one typo are
ambiguous and match nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from maharat.core.text import normalize_text, strip_arabic_article

MIN_FUZZY_LENGTH = 4
MAX_ARGUMENT_WORDS = 2


@dataclass(frozen=True)
class KeywordMatch:
    """Which keyword a message is, what followed it, and whether it was read through a typing error."""

    name: str
    args: str
    fuzzy: bool = False


def _variants(word: str) -> set[str]:
    normalized = normalize_text(word)
    return {normalized, strip_arabic_article(normalized)} - {""}


def near(a: str, b: str) -> bool:
    """Within one typing error (insertion, deletion, substitution or adjacent transposition)."""
    return OSA.distance(a, b, score_cutoff=1) <= 1


class KeywordTable:
    """Keyword phrases → names, with protected words that typing errors must never produce."""

    def __init__(self, protected: Iterable[str] = ()) -> None:
        self._phrases: dict[str, str] = {}
        self._protected = frozenset(normalize_text(word) for word in protected)

    def add(self, words: Iterable[str], name: str) -> None:
        """Register the words (phrases allowed) as spellings of the keyword ``name``."""
        for word in words:
            for variant in _variants(word):
                if self.clashes(variant):
                    raise ValueError(f"{word!r} is (or is one typo from) an opt-out or opt-in word")
                self._phrases[variant] = name

    def clashes(self, word: str) -> bool:
        """Whether a normalized word is a protected word, or one typing error from one (long words)."""
        if word in self._protected:
            return True
        return len(word) >= MIN_FUZZY_LENGTH and any(near(word, p) for p in self._protected)

    def remove(self, name: str) -> None:
        """Forget every spelling of a keyword."""
        self._phrases = {phrase: n for phrase, n in self._phrases.items() if n != name}

    def names(self) -> set[str]:
        """The keywords known."""
        return set(self._phrases.values())

    def _exact(self, text: str) -> str | None:
        return self._phrases.get(text) or self._phrases.get(strip_arabic_article(text))

    def match(self, text: str) -> KeywordMatch | None:
        """The keyword a message is (with what follows it), or None."""
        normalized = normalize_text(text)
        if not normalized:
            return None
        exact = self._exact(normalized)
        if exact is not None:
            return KeywordMatch(exact, "")
        words = normalized.split()
        # A keyword phrase of several words followed by arguments ("حالة الطلب 12"), longest first.
        for length in range(len(words) - 1, 0, -1):
            if len(words) - length > MAX_ARGUMENT_WORDS:
                break
            head = self._exact(" ".join(words[:length]))
            if head is not None:
                return KeywordMatch(head, " ".join(words[length:]))
        if len(words) > 1 + MAX_ARGUMENT_WORDS:
            return None
        return self._fuzzy(words[0], " ".join(words[1:]))

    def _fuzzy(self, word: str, args: str) -> KeywordMatch | None:
        if len(word) < MIN_FUZZY_LENGTH:
            return None
        if self.clashes(word):
            return None
        found = {
            name
            for phrase, name in self._phrases.items()
            if " " not in phrase and len(phrase) >= MIN_FUZZY_LENGTH and near(word, phrase)
        }
        if len(found) != 1:
            return None
        return KeywordMatch(found.pop(), args, fuzzy=True)
