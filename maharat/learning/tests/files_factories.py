"""Test data for files and seats: small real files of each accepted type, an assignment, a second learner."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from maharat.core.testing import PASSWORD, Personas
from maharat.learning import services
from maharat.learning.choices import ModuleKind, Verb
from maharat.learning.models import CourseEnrolment, Module
from maharat.learning.tests.factories import CourseKit

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """A file as the browser would send it."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def docx_bytes() -> bytes:
    """The smallest archive that is a Word document."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def odt_bytes() -> bytes:
    """The smallest archive that is an OpenDocument text."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office/>")
    return out.getvalue()


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (2000, 1500), mode: str = "RGB") -> bytes:
    """A camera-sized picture, to be made smaller on upload."""
    from PIL import Image

    out = io.BytesIO()
    Image.new(mode, size, (200, 80, 40) if mode == "RGB" else (200, 80, 40, 128)).save(out, format=fmt)
    return out.getvalue()


def add_assignment(kit: CourseKit, **fields: Any) -> Module:
    """An assignment at the end of the kit's course: write and hand in an e-mail."""
    values: dict[str, Any] = {
        "course": kit.course,
        "position": 4,
        "kind": ModuleKind.ASSIGNMENT,
        "label_en": "Send a real e-mail",
        "label_ar": "أرسل رسالة حقيقية",
        "body_en": "Write an e-mail to your trainer and hand in a screenshot.",
        "attempts_allowed": 2,
    }
    values.update(fields)
    return Module.objects.create(**values)


def enrol_amal(personas: Personas, kit: CourseKit) -> CourseEnrolment:
    """Amal enrols herself."""
    return services.enrol(actor=personas.amal_user, course=kit.course, person=personas.amal)


def second_learner(personas: Personas, kit: CourseKit) -> tuple[Any, CourseEnrolment]:
    """Omar with an account of his own, enrolled in the same course."""
    user = get_user_model().objects.create_user(username="+962795550000", password=PASSWORD)
    personas.omar.user = user
    personas.omar.save(update_fields=["user"])
    return user, services.enrol(actor=user, course=kit.course, person=personas.omar)


def finish_quiz_and_lesson(personas: Personas, kit: CourseKit, enrolment: CourseEnrolment) -> None:
    """Amal reads the lesson and passes the quiz."""
    services.progress_record(
        actor=personas.amal_user, enrolment=enrolment, module=kit.lesson, verb=Verb.COMPLETED
    )
    services.quiz_submit(
        actor=personas.amal_user, enrolment=enrolment, module=kit.quiz, answers=kit.right, submission_id="s1"
    )
