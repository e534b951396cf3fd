"""SMS parts: GSM-7 160/153, UCS-2 (Arabic) 70/67, extension characters counted twice."""

from __future__ import annotations

import pytest

from maharat.messaging.parts import is_gsm7, sms_length, sms_parts


class SmsPartsTests:
    @pytest.mark.parametrize(
        ("text", "parts"),
        [
            ("", 1),
            ("a" * 160, 1),
            ("a" * 161, 2),
            ("a" * 306, 2),
            ("a" * 307, 3),
            ("{" * 80, 1),
            ("{" * 81, 2),
            ("ب" * 70, 1),
            ("ب" * 71, 2),
            ("ب" * 134, 2),
            ("ب" * 135, 3),
            ("a" * 69 + "ب", 1),
            ("a" * 70 + "ب", 2),
        ],
    )
    def test_counts_gsm7_and_ucs2_parts(self, text: str, parts: int) -> None:
        assert sms_parts(text) == parts

    def test_one_arabic_letter_forces_ucs2(self) -> None:
        assert is_gsm7("Hello, Amal! 50% off @ 10:00")
        assert not is_gsm7("Hello أمل")
        assert sms_length("Hello أمل") == (9, True)

    def test_emoji_takes_two_ucs2_units(self) -> None:
        assert sms_length("🙂") == (2, True)

    def test_programmes_use_the_same_counter(self) -> None:
        from maharat.programmes import sms

        assert sms.sms_parts is sms_parts
