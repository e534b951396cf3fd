"""The certificate PDF: Arabic shaped right to left and English, with the code and the verification link."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from maharat.core.testing import Personas, assert_forbidden
from maharat.learning import services, services_files
from maharat.learning.choices import EnrolmentStatus
from maharat.learning.models import Certificate
from maharat.learning.tests.factories import CourseKit
from maharat.learning.tests.files_factories import enrol_amal, finish_quiz_and_lesson


def _certified(personas: Personas, kit: CourseKit) -> Certificate:
    enrolment = enrol_amal(personas, kit)
    finish_quiz_and_lesson(personas, kit, enrolment)
    services.attendance_mark(actor=personas.trainer, module=kit.workshop, marks={enrolment.pk: True})
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED
    return Certificate.objects.get(enrolment=enrolment)


def _pdf(personas: Personas, kit: CourseKit) -> bytes:
    response = personas.client_for(personas.amal_user).get(
        reverse("learning:certificate_pdf", args=[kit.course.pk])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="certificate-')
    return response.content


class CertificatePdfTests:
    def test_only_the_holder_downloads_the_pdf(self, personas: Personas, kit: CourseKit) -> None:
        url = reverse("learning:certificate_pdf", args=[kit.course.pk])
        assert_forbidden(
            url, [None, personas.amal_user, personas.employer, personas.trainer]
        )  # not yet certified
        cert = _certified(personas, kit)
        pdf = _pdf(personas, kit)
        assert pdf.startswith(b"%PDF-") and b"/FontFile2" in pdf  # the Amiri font is embedded
        assert cert.display_code.encode() in b"".join(
            personas.client_for(personas.amal_user).get(reverse("learning:certificate", args=[kit.course.pk]))
        )
        page = personas.client_for(personas.amal_user).get(
            reverse("learning:certificate", args=[kit.course.pk])
        )
        assert url.encode() in page.content
        assert_forbidden(url, [None, personas.employer, personas.trainer, personas.officer])

    @pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils)")
    def test_the_pdf_reads_in_arabic_and_english(
        self, personas: Personas, kit: CourseKit, tmp_path: Path
    ) -> None:
        cert = _certified(personas, kit)
        path = tmp_path / "certificate.pdf"
        path.write_bytes(_pdf(personas, kit))
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
        ).stdout
        verify = "http://testserver" + reverse("learning:verify_code", args=[cert.display_code])
        assert cert.display_code in text and verify in text
        assert f"{personas.amal.latin_name} completed the course “Digital literacy basics” with" in text
        assert personas.training_org.label_en in text
        arabic = text.replace("\u202b", "").replace("\u202c", "")
        assert personas.amal.display_name == "أمل الحسن" and "أمل الحسن" in arabic
        assert "أساسيات المهارات الرقمية" in arabic and "شهادة إتمام" in arabic

    def test_a_booked_workshop_certificate_story_still_works(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        kit.workshop.capacity = 5
        kit.workshop.save(update_fields=["capacity"])
        enrolment = enrol_amal(personas, kit)
        finish_quiz_and_lesson(personas, kit, enrolment)
        services_files.workshop_book(actor=personas.amal_user, enrolment=enrolment, module=kit.workshop)
        services.attendance_mark(actor=personas.trainer, module=kit.workshop, marks={enrolment.pk: True})
        assert _pdf(personas, kit).startswith(b"%PDF-")
