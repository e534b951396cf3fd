"""Checks on uploaded files (CVs, registration documents): allowed kinds by name and content, and size."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from maharat.core.errors import DomainError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024

# extension → (content type, leading bytes)
PDF = ("application/pdf", b"%PDF-")
DOCX = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04")
PNG = ("image/png", b"\x89PNG\r\n\x1a\n")
JPEG = ("image/jpeg", b"\xff\xd8\xff")
CV_KINDS = {"pdf": PDF, "docx": DOCX}
DOCUMENT_KINDS = {"pdf": PDF, "png": PNG, "jpg": JPEG, "jpeg": JPEG}


def max_upload_bytes() -> int:
    """The largest file accepted (setting OPPORTUNITIES_MAX_UPLOAD_BYTES, 5 MB by default)."""
    return int(getattr(settings, "OPPORTUNITIES_MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES))


def check_upload(upload: Any, kinds: dict[str, tuple[str, bytes]]) -> tuple[str, str, int]:
    """Refuse a file of another kind or too large; returns (safe name, content type, size)."""
    name = str(getattr(upload, "name", "") or "")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = ", ".join(sorted(kinds))
    if extension not in kinds:
        raise DomainError(
            _("This kind of file is not accepted. Send one of: %(kinds)s.") % {"kinds": allowed}
        )
    size = int(getattr(upload, "size", 0) or 0)
    limit = max_upload_bytes()
    if size > limit:
        raise DomainError(
            _("The file is too large: the limit is %(mb)s MB.") % {"mb": f"{limit / (1024 * 1024):.0f}"}
        )
    if size == 0:
        raise DomainError(_("The file is empty."))
    content_type, magic = kinds[extension]
    upload.seek(0)
    head = upload.read(len(magic))
    upload.seek(0)
    if head != magic:
        raise DomainError(
            _("The file's content does not match its name. Send one of: %(kinds)s.") % {"kinds": allowed}
        )
    safe = (
        "".join(c for c in name.rsplit("/", 1)[-1] if c.isalnum() or c in "._- ")[:150] or f"file.{extension}"
    )
    return safe, content_type, size
