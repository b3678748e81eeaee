"""Uploaded photos and logos: real images only, of a bounded size, stored under safe names.

SVG is refused outright: it is a document that can carry script, not a picture.
"""

import secrets
import warnings
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from PIL import Image

# The image formats accepted, as Pillow names them, and the file name endings for each.
FORMATS = {"JPEG": {"jpg", "jpeg"}, "PNG": {"png"}, "WEBP": {"webp"}, "GIF": {"gif"}}
EXTENSIONS = {extension for extensions in FORMATS.values() for extension in extensions}
# More pixels than any photo or logo needs; decoding more would tie up a server's memory.
MAX_PIXELS = 40_000_000

NOT_AN_IMAGE = _("Upload a photo or logo as a JPEG, PNG, WebP or GIF image.")


def validate_image(file):
    """Refuse anything but a JPEG, PNG, WebP or GIF image that Pillow can read, named for its
    format, of at most IMAGE_UPLOAD_MAX_BYTES and MAX_PIXELS."""
    if getattr(file, "_committed", False):
        return  # already stored, and checked when it was uploaded
    limit = settings.IMAGE_UPLOAD_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            _("The image is %(size)s MB; at most %(limit)s MB is allowed."),
            code="file_too_large",
            params={"size": _megabytes(file.size), "limit": _megabytes(limit)},
        )
    extension = PurePosixPath(file.name or "").suffix.lower().lstrip(".")
    if extension == "svg":
        raise ValidationError(
            _("SVG files cannot be uploaded. Upload the logo as a PNG image."), code="svg"
        )
    try:
        file.seek(0)
        with warnings.catch_warnings():
            # Pillow only warns about an image a little over its own pixel limit.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                image_format, (width, height) = image.format, image.size
                image.verify()
    except Exception as error:
        # Pillow raises many kinds of error on damaged or crafted files; all mean "not an image".
        raise ValidationError(NOT_AN_IMAGE, code="image_not_allowed") from error
    finally:
        file.seek(0)
    if image_format not in FORMATS or extension not in FORMATS[image_format]:
        raise ValidationError(NOT_AN_IMAGE, code="image_not_allowed")
    if width * height > MAX_PIXELS:
        raise ValidationError(
            _("The image is %(width)s × %(height)s pixels, which is too large."),
            code="too_many_pixels",
            params={"width": width, "height": height},
        )


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".rstrip("0").rstrip(".")


def safe_name(folder: str, filename: str) -> str:
    """`folder/<slug of the name>-<random>.<extension>`: no path tricks, no odd characters,
    and no name that another upload, or a guess, could take over."""
    path = PurePosixPath(filename.replace("\\", "/"))
    stem = slugify(path.stem)[:40].strip("-") or "bild"
    extension = path.suffix.lower().lstrip(".")
    extension = "jpg" if extension == "jpeg" else extension
    if extension not in EXTENSIONS:
        extension = slugify(extension)[:8] or "bin"
    return f"{folder}/{stem}-{secrets.token_hex(4)}.{extension}"


def contact_photo_path(instance, filename):
    return safe_name("contacts", filename)


def organisation_logo_path(instance, filename):
    return safe_name("logos", filename)
