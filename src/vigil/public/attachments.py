"""Files from the public: type read from the content, images re-encoded without metadata, nothing active kept.

Allowed: JPEG, PNG, WebP and GIF images (stored as JPEG or PNG, re-encoded from pixels
only, so EXIF/GPS, XMP, ICC and comments are gone), PDF without scripts, actions or
embedded files, and plain UTF-8 text. Everything else is refused with a reason.
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import filetype
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
MAX_PIXELS = 40_000_000
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|OpenAction|AA|RichMedia|XFA|SubmitForm|ImportData)\b")


class Refused(ValueError):
    """A file that will not be stored; the message is shown to the reporter."""


@dataclass
class Clean:
    data: bytes
    content_type: str
    extension: str


def _image(raw: bytes) -> Clean:
    """Keep only the pixels: a new image is built from them, so no metadata chunk can survive."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(raw)) as img:
            img.load()
            alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
            upright = ImageOps.exif_transpose(img).convert("RGBA" if alpha else "RGB")
            bare = Image.frombytes(upright.mode, upright.size, upright.tobytes())
            out = io.BytesIO()
            if alpha or img.format in ("PNG", "GIF"):
                bare.save(out, "PNG")
                return Clean(out.getvalue(), "image/png", "png")
            bare.save(out, "JPEG", quality=90)
            return Clean(out.getvalue(), "image/jpeg", "jpg")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise Refused(_("The image could not be read. It may be damaged.")) from None


def _pdf(raw: bytes) -> Clean:
    if b"%%EOF" not in raw[-2048:]:
        raise Refused(_("The PDF file is incomplete or damaged."))
    if PDF_ACTIVE.search(raw):
        raise Refused(_("The PDF file contains scripts, actions or embedded files. Please send a plain PDF."))
    return Clean(raw, "application/pdf", "pdf")


def _text(raw: bytes) -> Clean:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(_("This file type is not accepted.")) from None
    if b"\x00" in raw:
        raise Refused(_("This file type is not accepted."))
    return Clean(raw, "text/plain", "txt")


def clean(raw: bytes) -> Clean:
    """Decide by content, never by the file name."""
    if len(raw) > MAX_BYTES:
        raise Refused(_("The file is larger than 10 MB."))
    if not raw:
        raise Refused(_("The file is empty."))
    kind = filetype.guess(raw)
    if kind is not None and kind.mime in IMAGE_TYPES:
        return _image(raw)
    if kind is not None and kind.mime == "application/pdf":
        return _pdf(raw)
    if kind is None:
        head = raw[:512].lstrip().lower()
        if head.startswith((b"<", b"#!", b"mz", b"pk")) or b"<script" in raw[:4096].lower():
            raise Refused(_("This file type is not accepted."))
        return _text(raw)
    raise Refused(_("This file type is not accepted."))


def store(cleaned: Clean) -> tuple[str, str]:
    """Write the cleaned bytes under $VIGIL_DATA_DIR/attachments; returns (relative path, sha256)."""
    folder = Path(settings.DATA_DIR) / "attachments"
    folder.mkdir(exist_ok=True, mode=0o700)
    name = f"{uuid.uuid4().hex}.{cleaned.extension}"
    (folder / name).write_bytes(cleaned.data)
    return name, hashlib.sha256(cleaned.data).hexdigest()
