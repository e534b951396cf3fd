"""The certificate as a one-page PDF in Arabic and English, printed with the Amiri font shipped in fonts/.

Arabic is shaped (joined letters) by HarfBuzz and laid out right to left by fpdf2's bidi algorithm, so the
certificate reads correctly when printed or opened on any phone. No font or file is fetched at run time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

FONT_DIR = Path(__file__).resolve().parent / "fonts"
INK = (29, 39, 51)
BRAND = (11, 110, 79)
MUTED = (91, 103, 117)
# The month names used in Jordan; a date in words avoids digits and dashes being reordered in right-to-left text.
MONTHS_AR = [
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
]


def _line(pdf: Any, text: str, *, size: float, style: str = "", color: tuple[int, int, int] = INK) -> None:
    pdf.set_font("Amiri", style=style, size=size)
    pdf.set_text_color(*color)
    pdf.multi_cell(0, size * 0.55, text, align="C", new_x="LMARGIN", new_y="NEXT")


def certificate_pdf(certificate: Any, course: Any, verify_url: str) -> bytes:
    """The PDF bytes of a certificate: holder, course, provider, date, verification code and link, twice."""
    from fpdf import FPDF

    person = certificate.enrolment.person
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.set_title(f"Maharat certificate {certificate.display_code}")
    pdf.set_author(course.provider.label_en or course.provider.label_ar)
    pdf.add_font("Amiri", "", str(FONT_DIR / "Amiri-Regular.ttf"))
    pdf.add_font("Amiri", "B", str(FONT_DIR / "Amiri-Bold.ttf"))
    pdf.set_text_shaping(True)
    pdf.add_page()
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_margins(22, 20, 22)
    pdf.set_y(36)
    name_ar = person.display_name
    name_en = getattr(person, "latin_name", "") or name_ar
    course_ar = course.label_ar or course.label_en
    course_en = course.label_en or course.label_ar
    provider_ar = course.provider.label_ar or course.provider.label_en
    provider_en = course.provider.label_en or course.provider.label_ar
    day = certificate.issued_at.date()
    date = day.isoformat()
    # The certificate always carries both languages, whatever the page language was.
    _line(pdf, "مهارات · شهادة إتمام", size=22, style="B", color=BRAND)
    _line(pdf, "تشهد مهارات بأنّ", size=14, color=MUTED)
    _line(pdf, name_ar, size=26, style="B")
    _line(pdf, f"أتمّ(ت) دورة «{course_ar}» لدى {provider_ar}", size=16)
    _line(pdf, f"بتاريخ {day.day} {MONTHS_AR[day.month - 1]} {day.year}", size=13, color=MUTED)
    pdf.ln(4)
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.3)
    pdf.line(60, pdf.get_y(), pdf.w - 60, pdf.get_y())
    pdf.ln(4)
    _line(pdf, "Maharat · Certificate of completion", size=20, style="B", color=BRAND)
    _line(pdf, f"{name_en} completed the course “{course_en}” with {provider_en} on {date}.", size=14)
    pdf.ln(6)
    # The code and the link get lines of their own: beside Arabic words, bidi reordering would garble them.
    _line(pdf, "Verification code · رمز التحقق", size=12, color=MUTED)
    _line(pdf, certificate.display_code, size=18, style="B")
    pdf.ln(2)
    _line(pdf, "Check it at · تحقق منها على", size=12, color=MUTED)
    _line(pdf, verify_url, size=12, color=MUTED)
    return bytes(pdf.output())
