"""SMS length: which encoding a text needs and how many parts it takes; pure Python.

GSM-7 carries 160 characters in one SMS and 153 per part of a longer one (the extension characters
``^{}\\[~]|€`` take two places); any other character (Arabic among them) forces UCS-2: 70 characters, 67 per
part, counted in UTF-16 code units so an emoji takes two.
"""

from __future__ import annotations

import math

GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€")


def is_gsm7(text: str) -> bool:
    """True when every character fits the GSM-7 alphabet (with its extension table)."""
    return all(ch in GSM7 or ch in GSM7_EXTENDED for ch in text)


def sms_length(text: str) -> tuple[int, bool]:
    """The length in encoding units and whether the text needs UCS-2."""
    if is_gsm7(text):
        return len(text) + sum(ch in GSM7_EXTENDED for ch in text), False
    return len(text.encode("utf-16-le")) // 2, True


def sms_parts(text: str) -> int:
    """How many SMS parts a text takes: GSM-7 160 (153 per part), otherwise UCS-2 70 (67 per part)."""
    length, ucs2 = sms_length(text)
    single, part = (70, 67) if ucs2 else (160, 153)
    return 1 if length <= single else math.ceil(length / part)
