"""Text normalization for bilingual (Arabic/English) search and person-name comparison; pure Python.

``normalize_latin``
    NFKD compatibility decomposition with combining marks removed (é → e, ﬁ → fi, ＡＢＣ → abc), case folding,
    apostrophes deleted so the letters around them join (Ma'an → maan, ʿAbd → abd), every other non-letter,
    non-digit (hyphens, dots, slashes…) turned into a space (Al-Hassan → al hassan), spaces collapsed.
    C++, C#, F# and .NET become cpp, csharp, fsharp and dotnet rather than bare letters.
``normalize_arabic``
    Diacritics (U+064B–U+065F, U+0670, U+06D6–U+06ED), tatweel and zero-width/bidi controls deleted;
    presentation forms unfolded (ﻻ → لا); أ إ آ ٱ → ا; ى → ي; ة → ه; ؤ → و; ئ → ي; a lone ء deleted;
    Persian/Urdu look-alikes (ک ی ە ھ …) → Arabic letters; Arabic-Indic and Persian digits → 0–9;
    Arabic punctuation (، ؛ ؟ ٪ « » …) → spaces; spaces collapsed. Other scripts are left as they are.
``normalize_text``
    Both of the above, for mixed-script strings; idempotent for any input.
``stem_en``
    Conservative, applied to lower-case ASCII words longer than three letters until nothing changes (so it is
    idempotent): -ies → -i and a final consonant+y → i (studies/study/studying → studi); -sses, -ches, -shes,
    -xes, -zzes lose -es; a final s is dropped except after s, u or i (class, status, analysis); -ing and -ed
    are dropped when a stem of three or more letters with a vowel remains, undoubling a final consonant other
    than l, s, z (programming → program, planned → plan, installing → install); a final e (not ee) is dropped
    so that make/making and programme/program meet. -er is kept: "designer" is an occupation, "design" a
    skill.
``tokens``
    Words of ``normalize_text``; Latin words stemmed; Arabic words lose a definite article: ال or لل
    (لِـ + ال) from words of five or more letters, وال بال كال فال from words of six or more, so at
    least three letters remain and short words that merely start with those letters (الم, والد, بالغ) are
    left alone.
``name_key``
    ``normalize_text``, then for Arabic script "عبد ال…" with or without the space becomes one word
    (عبد الله / عبدالله → عبدالله). For Latin script: Abdullah/Abdallah/Abd Allah/Abdulla → abdla;
    "abd al X"/"abdel X"/"abdul X"/"abdur X"/"abd ar X" → abdX; a standalone al/el joins the next name as al
    (Al-Hassan, El Hassan, Alhassan → alhasan); Mohammed/Muhammad/Mohamad/Mohamed/Mohd… → muhamad; then
    ph → f, dj → j, ch → sh, q → k, ee → i, ei/ey/ay → ai, o → u (so ou/oo → u), doubled letters collapsed,
    a final h after a vowel dropped (Fatimah → fatima) and a final y after a consonant → i (Samy → sami).
    Rules are repeated to a fixpoint, so name_key is idempotent, and they work within words, so the key of
    part of a name is normally a substring of the key of the whole name (the people list search relies on it).
``name_similarity``
    rapidfuzz ``token_sort_ratio`` of the two name keys: 0–100, insensitive to word order.
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

__all__ = [
    "name_key",
    "name_similarity",
    "normalize_arabic",
    "normalize_latin",
    "normalize_text",
    "stem_en",
    "strip_arabic_article",
    "term",
    "tokens",
]

# --- Arabic ---------------------------------------------------------------------------------------------

# Presentation forms come from PDFs and old encodings; NFKC turns them back into ordinary letters.
_ARABIC_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]+")
# Diacritics (tashkeel, superscript alef, Quranic annotation marks), tatweel and invisible joiners/bidi
# controls: none of them change which word is meant, so they are deleted rather than replaced by a space.
_ARABIC_DELETE = re.compile(
    "[\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
# Arabic punctuation separates words.
_ARABIC_PUNCTUATION = re.compile("[\u060c\u061b\u061f\u066a-\u066d\u06d4\u00ab\u00bb]")
_ARABIC_LETTERS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ٲ": "ا",
        "ٳ": "ا",
        "ى": "ي",
        "ة": "ه",
        "ۃ": "ه",
        "ؤ": "و",
        "ئ": "ي",
        # A lone hamza is written, omitted or carried inconsistently (ماء/ما, جزء/جز): it carries no signal.
        "ء": None,
        # Persian/Urdu keyboards produce these look-alikes for Arabic kaf, yaa and heh.
        "ک": "ك",
        "ڪ": "ك",
        "ی": "ي",
        "ې": "ي",
        "ۍ": "ي",
        "ە": "ه",
        "ھ": "ه",
        "ۀ": "ه",
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
    }
)
_ARABIC_CHAR = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")

# Definite-article prefixes, longest first; (prefix, minimum token length for the strip to apply).
# The minimum lengths keep at least three letters, so short words that merely start with these letters
# (الم, والد, بالغ) are left alone.
_ARTICLE_PREFIXES: tuple[tuple[str, int], ...] = (
    ("وال", 6),
    ("بال", 6),
    ("كال", 6),
    ("فال", 6),
    ("ال", 5),
    ("لل", 5),
)

# --- Latin ----------------------------------------------------------------------------------------------

# Apostrophe-like characters (including the ʿ ʾ of scholarly transliteration) join the letters around them:
# "Ma'an" and "Maan" are the same name.
_APOSTROPHES = re.compile("['`\u00b4\u02b9\u02bb\u02bc\u02bd\u02be\u02bf\u2018\u2019\u201b\u2032\ua78c]")
# Skill names whose punctuation is meaningful would otherwise collapse to a bare letter.
_TECH_TERMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<![\w+])c\+\+(?!\w)", re.IGNORECASE), " cpp "),
    (re.compile(r"(?<![\w#])(c|f)#(?!\w)", re.IGNORECASE), r" \1sharp "),
    (re.compile(r"(?<![\w.])\.net(?!\w)", re.IGNORECASE), " dotnet "),
)
_MAX_FOLD_ROUNDS = 6
# Text made only of these (lower-case ASCII, digits, undecorated Arabic letters, single spaces) is already
# folded: checking for it saves a confirming pass over most real-world strings.
_FOLDED_WORD = "[a-z0-9\u0621\u0627-\u063a\u0641-\u064a]+"
_FOLDED = re.compile(f"(?:{_FOLDED_WORD}(?: {_FOLDED_WORD})*)?")

_LATIN_WORD = re.compile(r"^[a-z]+$")
_VOWELS = frozenset("aeiouy")


class _FoldTable(dict[int, str]):
    """A lazily filled ``str.translate`` table: letters and digits kept, marks deleted, the rest a space."""

    def __missing__(self, code: int) -> str:
        category = unicodedata.category(chr(code))
        if category[0] in "LN":
            value = chr(code)
        elif category[0] == "M" or category == "Cf":
            # Marks and invisible format characters live inside words; deleting them keeps the word whole.
            value = ""
        else:
            value = " "
        self[code] = value
        return value


_FOLD_TABLE = _FoldTable()


def _fold_once(s: str) -> str:
    """One round of compatibility decomposition, accent stripping, case folding and punctuation removal."""
    s = _APOSTROPHES.sub("", s)
    for pattern, replacement in _TECH_TERMS:
        s = pattern.sub(replacement, s)
    s = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", s).casefold())
    s = _APOSTROPHES.sub("", s)
    return " ".join(s.translate(_FOLD_TABLE).split())


def normalize_latin(s: str) -> str:
    """Accent-, case- and punctuation-folded text ("Al-Ḥassan" → "al hassan", "Ma'an" → "maan")."""
    # NFKD and case folding can each re-expose work for the other ("ℌ" → "H", "İ" → "i̇"): repeat to fixpoint.
    for _ in range(_MAX_FOLD_ROUNDS):
        if _FOLDED.fullmatch(s):
            break
        folded = _fold_once(s)
        if folded == s:
            break
        s = folded
    return s


def normalize_arabic(s: str) -> str:
    """Arabic text with spelling variants folded (hamza, alef, taa marbuta, diacritics, digits, tatweel)."""
    s = _ARABIC_PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), s)
    s = _ARABIC_DELETE.sub("", s)
    s = _ARABIC_PUNCTUATION.sub(" ", s)
    s = s.translate(_ARABIC_LETTERS)
    return " ".join(s.split())


def normalize_text(s: str) -> str:
    """Both foldings for mixed-script text, lower-cased with single spaces; idempotent."""
    s = normalize_arabic(normalize_latin(s or ""))
    # Arabic folding only ever produces plain letters, digits and spaces, but one more Latin pass makes
    # idempotence hold by construction for any input.
    return normalize_latin(s)


# --- Tokens ---------------------------------------------------------------------------------------------


def _has_vowel(s: str) -> bool:
    return any(ch in _VOWELS for ch in s)


def _undouble(s: str) -> str:
    # "programm" → "program", "runn" → "run"; l, s and z stay doubled as in "install", "dress", "buzz".
    if len(s) >= 4 and s[-1] == s[-2] and s[-1] not in "aeiouylsz":
        return s[:-1]
    return s


def _stem_step(w: str) -> str:
    """Remove at most one English suffix; the caller repeats until nothing changes."""
    if len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "i"
    if w.endswith("sses"):
        return w[:-2]
    if w.endswith(("ches", "shes", "xes", "zzes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    if w.endswith("ing") and len(w) >= 6 and _has_vowel(w[:-3]):
        return _undouble(w[:-3])
    if w.endswith("ed") and not w.endswith("eed") and len(w) >= 5 and _has_vowel(w[:-2]):
        return _undouble(w[:-2])
    if w.endswith("e") and not w.endswith("ee") and _has_vowel(w[:-1]):
        return _undouble(w[:-1])
    if w.endswith("y") and w[-2] not in _VOWELS:
        return w[:-1] + "i"
    return w


def stem_en(token: str) -> str:
    """A conservative English stem (plurals, -ing, -ed, silent e; -er kept); idempotent."""
    if not _LATIN_WORD.match(token):
        return token
    while True:
        stemmed = _stem_step(token)
        if stemmed == token:
            return token
        token = stemmed


def strip_arabic_article(token: str) -> str:
    """An Arabic word without a leading definite article (ال, وال, بال, كال, فال, لل), if long enough."""
    for prefix, min_length in _ARTICLE_PREFIXES:
        if len(token) >= min_length and token.startswith(prefix):
            return token[len(prefix) :]
    return token


def term(word: str) -> str:
    """The search term of one normalized word: an English stem, or an Arabic word without its article."""
    if _ARABIC_CHAR.search(word):
        return strip_arabic_article(word)
    return stem_en(word)


def tokens(s: str) -> list[str]:
    """Search terms of a text: normalized words, English ones stemmed, Arabic ones without their article."""
    return [t for t in (term(word) for word in normalize_text(s).split()) if t]


# --- Names ----------------------------------------------------------------------------------------------

# "Abdullah", "Abdallah", "Abd Allah", "Abdulla" …: the servant-of-God name, spelled a dozen ways.
_ABDULLAH = re.compile(r"\babd\s*[aeiu]?l{1,2}ah?\b")
# "Abd al-X", "Abdel X", "Abdul X", "Abdur-Rahman", "Abd ar Rahman", "Abdoul X": the article (with its
# sun-letter assimilations) is dropped and "abd" is joined to the next name ("abdrahman"). Glued to the
# next name, only "l" before three more letters or a doubled sun letter counts as an article, so "Abdaziz"
# and "Abdali" are left alone.
_ABD_ARTICLE = re.compile(
    r"\babd(?:"
    r"\s+[aeiou](?:l|r|sh|s|z|t|d|n)\s+"
    r"|(?:ou|[aeiou])(?:l|r|sh|s|z)\b\s*"
    r"|(?:ou|[aeiou])l(?=[a-z]{3})"
    r"|(?:ou|[aeiou])(r|sh|s|z|t|d|n)(?=\1)"
    r")"
)
# Standalone "al"/"el" article joined to the following name, so "Al Hassan", "El-Hassan", "Alhassan" meet.
_LATIN_ARTICLE = re.compile(r"\b(?:al|el)\s+(?=[a-z])")
# Muhammad and its common spellings and abbreviations.
_MUHAMMAD = re.compile(r"\b(?:m[ou]{1,2}h+[ae]m+[ae][dt]+|m[ou]?hd)\b")
_LATIN_LETTER_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile("ph"), "f"),  # Mustapha / Mustafa
    (re.compile("dj"), "j"),  # Djamal / Jamal
    (re.compile("ch"), "sh"),  # Aicha / Aisha, Chadi / Shadi (French transliteration)
    (re.compile("q"), "k"),  # Qasim / Kasim, Tariq / Tarik
    (re.compile("ee"), "i"),  # Sameer / Samir, Kareem / Karim
    (re.compile("ei|ey|ay"), "ai"),  # Hussein / Hussain, Zeinab / Zaynab / Zainab, Layla / Laila
    (re.compile("o"), "u"),  # Arabic has no /o/: Omar / Umar, Mahmoud / Mahmud, Nour / Noor / Nur
    (re.compile(r"([a-z])\1+"), r"\1"),  # Hassan / Hasan, Abbadi / Abadi
    (re.compile(r"(?<=[aeiu])h\b"), ""),  # Fatimah / Fatima, Sarah / Sara
    (re.compile(r"(?<=[^aeiu\s])y\b"), "i"),  # Samy / Sami, Ramy / Rami
)
_MAX_NAME_ROUNDS = 4
_ABD_ARABIC = re.compile(r"\bعبد\s+ال")


def _latin_name_rules(s: str) -> str:
    s = _ABDULLAH.sub("abdla", s)
    s = _ABD_ARTICLE.sub("abd", s)
    s = _LATIN_ARTICLE.sub("al", s)
    s = _MUHAMMAD.sub("muhamad", s)
    for pattern, replacement in _LATIN_LETTER_RULES:
        s = pattern.sub(replacement, s)
    return s


def name_key(s: str) -> str:
    """A comparison key for a person's name that folds spelling and transliteration variants."""
    s = normalize_text(s)
    s = _ABD_ARABIC.sub("عبدال", s)
    # One rule's output can enable another ("Aal Hassan" → "al hasan" → "alhasan"), so repeat to a fixpoint.
    for _ in range(_MAX_NAME_ROUNDS):
        keyed = _latin_name_rules(s)
        if keyed == s:
            break
        s = keyed
    return " ".join(s.split())


def name_similarity(a: str, b: str) -> float:
    """Similarity of two names from 0 to 100, insensitive to word order and transliteration variants."""
    key_a, key_b = name_key(a), name_key(b)
    if not key_a or not key_b:
        return 0.0
    return float(fuzz.token_sort_ratio(key_a, key_b))
