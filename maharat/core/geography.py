"""Jordan's governorates: codes, Arabic and English names, and OCHA P-codes."""

from __future__ import annotations

GOVERNORATES: list[tuple[str, str, str, str]] = [
    ("AM", "Amman", "عمان", "JO11"),
    ("BA", "Balqa", "البلقاء", "JO12"),
    ("ZA", "Zarqa", "الزرقاء", "JO13"),
    ("MD", "Madaba", "مادبا", "JO14"),
    ("IR", "Irbid", "إربد", "JO21"),
    ("MA", "Mafraq", "المفرق", "JO22"),
    ("JA", "Jerash", "جرش", "JO23"),
    ("AJ", "Ajloun", "عجلون", "JO24"),
    ("KA", "Karak", "الكرك", "JO31"),
    ("TA", "Tafilah", "الطفيلة", "JO32"),
    ("MN", "Ma'an", "معان", "JO33"),
    ("AQ", "Aqaba", "العقبة", "JO34"),
]


def ensure_governorates(model: type | None = None) -> None:
    """Create any missing governorate (migrations pass their historical model)."""
    if model is None:
        from maharat.core.models import Governorate

        model = Governorate
    for code, en, ar, pcode in GOVERNORATES:
        model.objects.update_or_create(  # type: ignore[attr-defined]
            code=code, defaults={"label_en": en, "label_ar": ar, "hxl_pcode": pcode}
        )
