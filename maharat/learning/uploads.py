"""Uploads of learning: which kinds each use accepts, the size limits, and images made light.

The checks themselves (extension and content agree, size fits) are ``maharat.core.uploads``. Images are
re-encoded with Pillow: smaller, turned upright, and stripped of hidden data such as GPS position.
"""

from __future__ import annotations

import io
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from maharat.core.errors import DomainError
from maharat.core.uploads import DOCUMENT_TYPES as DOCUMENT_TYPES
from maharat.core.uploads import IMAGE_TYPES as IMAGE_TYPES
from maharat.core.uploads import VIDEO_TYPES as VIDEO_TYPES
from maharat.core.uploads import CheckedFile as CheckedFile
from maharat.core.uploads import check_upload as check_upload

SUBMISSION_TYPES = DOCUMENT_TYPES | IMAGE_TYPES
IMAGE_MAX_SIDE = 1280  # pixels: sharp on a phone or laptop, a fraction of a camera photo's weight
IMAGE_QUALITY = 80


def max_upload_bytes() -> int:
    """The largest assignment, image or document a person may upload (setting LEARNING_UPLOAD_MAX_BYTES)."""
    return int(getattr(settings, "LEARNING_UPLOAD_MAX_BYTES", 5 * 1024 * 1024))


def max_video_bytes() -> int:
    """The largest video a provider may upload (setting LEARNING_VIDEO_MAX_BYTES)."""
    return int(getattr(settings, "LEARNING_VIDEO_MAX_BYTES", 200 * 1024 * 1024))


def compress_image(checked: CheckedFile) -> CheckedFile:
    """The image made upright, at most IMAGE_MAX_SIDE pixels a side, re-encoded without its metadata."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(checked.content.read())) as source:
            image = ImageOps.exif_transpose(source)
            image.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
            out = io.BytesIO()
            if image.mode in ("RGBA", "LA", "P"):
                image.save(out, format="PNG", optimize=True)
                name, content_type = PurePosixPath(checked.name).with_suffix(".png").name, "image/png"
            else:
                image.convert("RGB").save(out, format="JPEG", quality=IMAGE_QUALITY, optimize=True)
                name, content_type = PurePosixPath(checked.name).with_suffix(".jpg").name, "image/jpeg"
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise DomainError(_("The image could not be read; save it again as JPG or PNG.")) from exc
    data = out.getvalue()
    return CheckedFile(ContentFile(data), name, content_type, len(data), width, height)
