"""Uploads of opportunities (CVs, employer registration documents): the kinds accepted and the size limit.

The checks themselves (extension and content agree, size fits) are ``maharat.core.uploads``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from maharat.core import uploads
from maharat.core.uploads import DOCUMENT_TYPES, IMAGE_TYPES

MAX_UPLOAD_BYTES = 5 * 1024 * 1024

CV_KINDS = {"pdf": DOCUMENT_TYPES["pdf"], "docx": DOCUMENT_TYPES["docx"]}
DOCUMENT_KINDS = {"pdf": DOCUMENT_TYPES["pdf"], **IMAGE_TYPES}


def max_upload_bytes() -> int:
    """The largest file accepted (setting OPPORTUNITIES_MAX_UPLOAD_BYTES, 5 MB by default)."""
    return int(getattr(settings, "OPPORTUNITIES_MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES))


def check_upload(upload: Any, kinds: dict[str, str]) -> uploads.CheckedFile:
    """The upload, checked by kind and size (a clear DomainError otherwise), ready to store."""
    return uploads.check_upload(upload, kinds, max_bytes=max_upload_bytes())
