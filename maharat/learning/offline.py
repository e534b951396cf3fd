"""Offline packages: a module or a whole course as one self-contained HTML file a learner reads without a network.

The file holds its own styles, its pictures as compressed data URIs and no address it would load from. Each quiz
and the "lessons read" list is a plain HTML form that posts back to Maharat once the learner is online; each form
carries a signed token naming the learner's enrolment and a statement id made when the package was built, so
sending the same answers twice records one attempt and one set of progress events.
"""

from __future__ import annotations

import base64
import html
import io
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core import signing

from maharat.learning.choices import ModuleKind
from maharat.learning.markdown import render_markdown
from maharat.learning.models import CourseEnrolment, Module
from maharat.learning.models_files import AttachmentKind, ModuleAttachment

SALT = "maharat.learning.offline"
OFFLINE_IMAGE_SIDE = 800  # pixels: enough to read a diagram on a phone, light enough to carry many
OFFLINE_IMAGE_QUALITY = 60
_IMG = re.compile(r'<img src="([^"]*)" alt="([^"]*)" loading="lazy">')
_LINK = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>')
_ATTACHMENT_PATH = re.compile(r"/files/attachments/(\d+)/$")


def sign(payload: dict[str, Any]) -> str:
    """A token the answer endpoint trusts: which enrolment, which module(s), which statement id."""
    return signing.dumps(payload, salt=SALT, compress=True)


def unsign(token: str) -> dict[str, Any]:
    """The payload of a token; raises signing.BadSignature when it was altered."""
    payload: dict[str, Any] = signing.loads(token, salt=SALT)
    return payload


def image_data_uri(attachment: ModuleAttachment) -> str:
    """The picture made small and encoded into the page, so it shows without any network."""
    from PIL import Image

    with attachment.file.open("rb") as handle, Image.open(handle) as image:
        image.thumbnail((OFFLINE_IMAGE_SIDE, OFFLINE_IMAGE_SIDE))
        out = io.BytesIO()
        if image.mode in ("RGBA", "LA", "P"):
            image.save(out, format="PNG", optimize=True)
            mime = "image/png"
        else:
            image.convert("RGB").save(out, format="JPEG", quality=OFFLINE_IMAGE_QUALITY, optimize=True)
            mime = "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(out.getvalue()).decode()}"


def offline_body(source: str, images: dict[int, str]) -> str:
    """Lesson HTML for the package: its own pictures inlined, other pictures as their text, links as plain text."""

    def picture(match: re.Match[str]) -> str:
        found = _ATTACHMENT_PATH.search(html.unescape(match.group(1)))
        data = images.get(int(found.group(1))) if found else None
        alt = match.group(2)
        return f'<img src="{data}" alt="{alt}">' if data else alt

    def link(match: re.Match[str]) -> str:
        target = html.unescape(match.group(1))
        label = match.group(2)
        return f"{label} ({html.escape(target)})" if target.lower().startswith("http") else label

    return _LINK.sub(link, _IMG.sub(picture, render_markdown(source)))


@dataclass
class PackageItem:
    """One module as it appears in the package."""

    module: Module
    body: str = ""
    images: list[tuple[str, str]] = field(default_factory=list)
    files: list[ModuleAttachment] = field(default_factory=list)
    questions: list[Any] = field(default_factory=list)
    token: str = ""
    passed: bool = False


def build_package(enrolment: CourseEnrolment, modules: list[Module], passed: set[int]) -> dict[str, Any]:
    """What the package template shows: each module's text, pictures, file names, and quizzes to answer offline."""
    attachments = list(
        ModuleAttachment.objects.filter(
            module__in=modules, kind__in=[AttachmentKind.IMAGE, AttachmentKind.FILE]
        )
    )
    images = {a.pk: image_data_uri(a) for a in attachments if a.kind == AttachmentKind.IMAGE}
    items = []
    readable = []
    for module in modules:
        item = PackageItem(module, body=offline_body(module.body, images), passed=module.pk in passed)
        for attachment in attachments:
            if attachment.module_id != module.pk:
                continue
            if attachment.kind == AttachmentKind.IMAGE:
                item.images.append((images[attachment.pk], attachment.title))
            else:
                item.files.append(attachment)
        if module.kind == ModuleKind.QUIZ and not item.passed:
            item.questions = list(module.questions.prefetch_related("choices"))
            item.token = sign({"e": enrolment.pk, "m": module.pk, "s": uuid.uuid4().hex})
        if module.kind in (ModuleKind.LESSON, ModuleKind.VIDEO) and not item.passed:
            readable.append(module)
        items.append(item)
    lessons_token = (
        sign({"e": enrolment.pk, "lessons": [m.pk for m in readable], "s": uuid.uuid4().hex})
        if readable
        else ""
    )
    return {"items": items, "readable": readable, "lessons_token": lessons_token}
