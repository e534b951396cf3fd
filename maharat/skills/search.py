"""A pure, in-memory bilingual (Arabic/English) search index over skill labels and synonyms.

How a query is answered:

1. The query is normalized (``maharat.core.text``) and split into words; each word has a surface form and
   a search term (English stem, Arabic word without its article).
2. Each word is matched against the index vocabulary: exactly (quality 1.0), as a prefix for typeahead
   (0.6–0.9, closer to 0.9 the more of the term is typed) and, when it is not a known term, within one or
   two typing errors (0.85 / 0.75) using ``rapidfuzz`` over the unique vocabulary, bucketed by length.
3. Postings (term → entries) turn matched terms into candidate entries; an entry's coverage is the mean over
   query words of its best match quality, so entries containing every word rank above those containing one.
4. Candidates are scored ``68 × coverage + 30 × closeness`` where closeness is the best ``rapidfuzz`` ratio
   between the query and one of the entry's labels (terms in sorted order), so the label that *is* the query
   wins over longer labels that merely contain it; matching a preferred label exactly adds 2 (score 100).
"""

from __future__ import annotations

import bisect
import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from maharat.core.text import normalize_text, term

__all__ = ["SearchEntry", "SkillIndex"]

# Long pasted text must not turn a search into a denial of service.
_MAX_QUERY_CHARS = 200
_MAX_QUERY_WORDS = 12
# Words this short are matched exactly only: as prefixes or with typos they would match half the vocabulary.
_MIN_PREFIX_LENGTH = 2
_MIN_FUZZY_LENGTH = 4
# Words this long may have two typing errors; shorter ones one (two errors in "excell" would reach "cell").
_TWO_ERROR_LENGTH = 8
# Beyond this many prefix completions, the shortest ones (closest to what was typed) are kept.
_MAX_PREFIX_TERMS = 300
# Only this many entries, by coverage, are scored against their labels.
_MAX_CANDIDATES = 400

_EXACT = 1.0
_PREFIX_BASE = 0.6
_PREFIX_SPAN = 0.3
_FUZZY_BY_DISTANCE = {1: 0.85, 2: 0.75}

# Length recorded for an entry with no label in a script, so it never looks close to a query in that script.
_NO_LABEL = 10**6

_COVERAGE_WEIGHT = 68.0
_CLOSENESS_WEIGHT = 30.0
_PREFERRED_BONUS = 2.0

# Ignored in multi-word queries (when something else is left) because they match nearly every entry.
_STOPWORDS = frozenset(normalize_text("a an and for in of on or the to with و في من على إلى عن مع").split())


@dataclass(frozen=True)
class SearchEntry:
    """A searchable item: its id and every label and synonym it is known by, in either language."""

    id: int
    labels: tuple[str, ...]


def _is_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def _label_key(normalized: str, terms: dict[str, str] | None = None) -> str:
    """The search terms of a normalized label in sorted order, so word order does not matter."""
    if terms is None:
        return " ".join(sorted(t for t in (term(w) for w in normalized.split()) if t))
    return " ".join(sorted(t for t in (_cached_term(w, terms) for w in normalized.split()) if t))


def _cached_term(word: str, terms: dict[str, str]) -> str:
    """``term(word)`` memoized in ``terms``: a taxonomy repeats the same few thousand words."""
    found = terms.get(word)
    if found is None:
        found = terms[word] = term(word)
    return found


def _preferred_labels(labels: tuple[str, ...]) -> list[str]:
    """The first English (non-Arabic) and the first Arabic label."""
    english = next((label for label in labels if label.strip() and not _is_arabic(label)), None)
    arabic = next((label for label in labels if _is_arabic(label)), None)
    return [label for label in (english, arabic) if label]


class SkillIndex:
    """Bilingual search over labels and synonyms, insensitive to spelling variants, prefixes and typos."""

    def __init__(self, entries: Iterable[SearchEntry]) -> None:
        """Build postings from every word of every label to the entries that use it."""
        self._ids: list[int] = []
        self._label_keys: list[tuple[str, ...]] = []
        self._preferred_keys: list[frozenset[str]] = []
        # Per script, the length of each entry's shortest label: a cheap proxy for closeness to a query.
        self._shortest: dict[bool, list[int]] = {False: [], True: []}
        postings: defaultdict[str, set[int]] = defaultdict(set)
        terms: dict[str, str] = {}
        for entry in entries:
            index = len(self._ids)
            keys: dict[str, None] = {}
            for label in entry.labels:
                normalized = normalize_text(label)
                for word in normalized.split():
                    postings[word].add(index)
                    postings[_cached_term(word, terms)].add(index)
                key = _label_key(normalized, terms)
                if key:
                    keys[key] = None
            self._ids.append(entry.id)
            self._label_keys.append(tuple(keys))
            for arabic, lengths in self._shortest.items():
                lengths.append(min((len(k) for k in keys if _is_arabic(k) == arabic), default=_NO_LABEL))
            self._preferred_keys.append(
                frozenset(_label_key(normalize_text(label)) for label in _preferred_labels(entry.labels))
            )
        postings.pop("", None)
        self._postings: dict[str, tuple[int, ...]] = {t: tuple(sorted(ix)) for t, ix in postings.items()}
        self._vocabulary: list[str] = sorted(self._postings)
        by_length: defaultdict[int, list[str]] = defaultdict(list)
        for t in self._vocabulary:
            by_length[len(t)].append(t)
        self._by_length: dict[int, list[str]] = dict(by_length)

    def __len__(self) -> int:
        """The number of entries."""
        return len(self._ids)

    def search(self, query: str, limit: int = 20) -> list[tuple[int, float]]:
        """Entry ids matching the query with scores from 0 to 100, best first, ties broken by id."""
        if limit <= 0 or not query:
            return []
        words = list(dict.fromkeys(normalize_text(query[:_MAX_QUERY_CHARS]).split()))[:_MAX_QUERY_WORDS]
        if not words:
            return []
        counted = [w for w in words if w not in _STOPWORDS] or words
        coverage: defaultdict[int, float] = defaultdict(float)
        for word in counted:
            for index, quality in self._entries_for(word).items():
                coverage[index] += quality / len(counted)
        if not coverage:
            return []
        query_key = _label_key(" ".join(words))
        candidates = list(coverage)
        if len(candidates) > _MAX_CANDIDATES:
            # Among equally covered entries, those with a label (in the query's script) as long as the query
            # are likeliest to be it.
            shortest, length, entry_ids = self._shortest[_is_arabic(query_key)], len(query_key), self._ids
            candidates = heapq.nlargest(
                _MAX_CANDIDATES,
                candidates,
                key=lambda i: (coverage[i], -abs(shortest[i] - length), -entry_ids[i]),
            )
        return self._rank(candidates, coverage, query_key, limit)

    def _rank(
        self, candidates: list[int], coverage: dict[int, float], query_key: str, limit: int
    ) -> list[tuple[int, float]]:
        """Score candidates by coverage and closeness to their nearest label; keep the best ``limit``."""
        scored: list[tuple[float, int]] = []
        for index in candidates:
            keys = self._label_keys[index]
            closeness = max((fuzz.ratio(query_key, key) for key in keys), default=0.0)
            score = _COVERAGE_WEIGHT * min(coverage[index], 1.0) + _CLOSENESS_WEIGHT * closeness / 100.0
            if query_key in self._preferred_keys[index]:
                score += _PREFERRED_BONUS
            scored.append((round(min(score, 100.0), 2), self._ids[index]))
        best = heapq.nsmallest(limit, scored, key=lambda pair: (-pair[0], pair[1]))
        return [(entry_id, score) for score, entry_id in best]

    def _entries_for(self, word: str) -> dict[int, float]:
        """Entries matching one query word, each with its best match quality."""
        best: dict[int, float] = {}
        for matched, quality in self._terms_for(word).items():
            for index in self._postings[matched]:
                if best.get(index, 0.0) < quality:
                    best[index] = quality
        return best

    def _terms_for(self, word: str) -> dict[str, float]:
        """Vocabulary terms a word matches, with qualities: exact 1.0, prefix 0.6–0.9, typo 0.75–0.85."""
        forms = list(dict.fromkeys((word, term(word))))
        found: dict[str, float] = {form: _EXACT for form in forms if form in self._postings}
        for form in forms:
            if len(form) >= _MIN_PREFIX_LENGTH:
                for completion in self._completions(form):
                    quality = _PREFIX_BASE + _PREFIX_SPAN * len(form) / len(completion)
                    if found.get(completion, 0.0) < quality:
                        found[completion] = quality
        if not any(quality == _EXACT for quality in found.values()):
            for form in forms:
                for candidate, quality in self._near_misses(form).items():
                    if found.get(candidate, 0.0) < quality:
                        found[candidate] = quality
        return found

    def _completions(self, prefix: str) -> list[str]:
        """Vocabulary terms that strictly extend ``prefix``, the shortest ones if there are many."""
        start = bisect.bisect_right(self._vocabulary, prefix)
        end = bisect.bisect_left(self._vocabulary, prefix + "\U0010ffff", lo=start)
        completions = self._vocabulary[start:end]
        if len(completions) > _MAX_PREFIX_TERMS:
            completions = heapq.nsmallest(_MAX_PREFIX_TERMS, completions, key=lambda t: (len(t), t))
        return completions

    def _near_misses(self, form: str) -> dict[str, float]:
        """Vocabulary terms within one typing error of ``form`` (two for long words; a swap counts as one)."""
        if len(form) < _MIN_FUZZY_LENGTH:
            return {}
        max_distance = 2 if len(form) >= _TWO_ERROR_LENGTH else 1
        found: dict[str, float] = {}
        for length in range(len(form) - max_distance, len(form) + max_distance + 1):
            bucket = self._by_length.get(length)
            if not bucket:
                continue
            for candidate, distance, _ in process.extract(
                form, bucket, scorer=OSA.distance, score_cutoff=max_distance, limit=None
            ):
                if distance:
                    found[candidate] = _FUZZY_BY_DISTANCE[int(distance)]
        return found
