"""Checking uploaded files, for every app: the name's extension and the content's first bytes must agree, and the
size must fit. A file renamed to look like a PDF, or a program with a ``.docx`` name, is refused before anything is
stored.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from maharat.core.errors import DomainError

DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "txt": "text/plain",
}
IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}
VIDEO_TYPES = {"mp4": "video/mp4", "webm": "video/webm"}


@dataclass
class CheckedFile:
    """An upload whose type was confirmed from its content, ready to store."""

    content: ContentFile[bytes]
    name: str
    content_type: str
    size: int
    width: int | None = None
    height: int | None = None


def _zip_members(head: bytes, data: Any) -> set[str]:
    if not head.startswith(b"PK\x03\x04"):
        return set()
    try:
        with zipfile.ZipFile(data) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return set()


def _odt(data: Any) -> bool:
    try:
        with zipfile.ZipFile(data) as archive:
            return archive.read("mimetype").strip() == DOCUMENT_TYPES["odt"].encode()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return False


def _content_matches(ext: str, data: Any) -> bool:
    data.seek(0)
    head = data.read(16)
    data.seek(0)
    if ext == "pdf":
        return head.startswith(b"%PDF-")
    if ext in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext == "docx":
        members = _zip_members(head, data)
        return "[Content_Types].xml" in members and any(m.startswith("word/") for m in members)
    if ext == "odt":
        return bool(_zip_members(head, data)) and _odt(data)
    if ext == "mp4":
        return head[4:8] == b"ftyp"
    if ext == "webm":
        return head.startswith(b"\x1a\x45\xdf\xa3")
    if ext == "txt":
        text = data.read()
        data.seek(0)
        if b"\x00" in text:
            return False
        try:
            text.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    return False


def check_upload(upload: Any, allowed: dict[str, str], *, max_bytes: int) -> CheckedFile:
    """Confirm an upload's type from its extension and its content, and its size; refuse it otherwise."""
    if upload is None:
        raise DomainError(_("Choose a file to upload."))
    name = PurePosixPath(str(upload.name or "")).name[-200:]
    ext = PurePosixPath(name).suffix.lower().lstrip(".")
    kinds = ", ".join(sorted({e.upper() for e in allowed if e != "jpeg"}))
    if ext not in allowed:
        raise DomainError(_("This kind of file is not accepted. Accepted: %(kinds)s.") % {"kinds": kinds})
    size = int(upload.size or 0)
    if size == 0:
        raise DomainError(_("The file is empty."))
    if size > max_bytes:
        raise DomainError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)}
        )
    data = io.BytesIO(b"".join(upload.chunks()))
    if not _content_matches(ext, data):
        raise DomainError(
            _("The file's content does not match its name (.%(ext)s). Accepted: %(kinds)s.")
            % {"ext": ext, "kinds": kinds}
        )
    return CheckedFile(ContentFile(data.getvalue()), name, allowed[ext], size)
