"""Uploaded photos and logos: a size limit, and small renditions made with Pillow on save."""

import io
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from PIL import Image, ImageOps

PHOTO_SIZE = (192, 192)  # twice the 96 px shown, for sharp pictures on dense screens
LOGO_SIZE = (320, 160)


def rendition(source, size, *, crop: bool) -> ContentFile:
    """A JPEG (photos, cropped to `size`) or PNG (logos, fitted inside `size`) of `source`."""
    with source.open("rb"), Image.open(source) as image:
        image = ImageOps.exif_transpose(image)
        if crop:
            image = ImageOps.fit(image.convert("RGB"), size, Image.Resampling.LANCZOS)
            fmt, suffix = "JPEG", ".jpg"
        else:
            image = image.convert("RGBA")
            image.thumbnail(size, Image.Resampling.LANCZOS)
            fmt, suffix = "PNG", ".png"
        buffer = io.BytesIO()
        image.save(buffer, fmt, **({"quality": 85, "optimize": True} if crop else {}))
    return ContentFile(buffer.getvalue(), name=PurePosixPath(source.name).stem + suffix)


def stored_name(instance, field: str) -> str | None:
    """The file name `field` has in the database, before this save."""
    if not instance.pk:
        return None
    return type(instance).objects.filter(pk=instance.pk).values_list(field, flat=True).first()


def refresh_rendition(instance, source_field, rendition_field, stored, size, *, crop) -> bool:
    """Make `rendition_field` anew when `source_field` holds a new file (its stored name was
    `stored`), and empty it when the source is gone. Returns whether it changed."""
    source = getattr(instance, source_field)
    target = getattr(instance, rendition_field)
    if not source:
        if target:
            target.delete(save=False)
            return True
        return False
    if source.name == stored and target:
        return False
    content = rendition(source, size, crop=crop)
    target.save(content.name, content, save=False)
    return True


class RenditionsMixin:
    """Keeps each `(source, rendition, size, crop)` in `renditions` up to date on save."""

    renditions: tuple = ()

    def save(self, *args, **kwargs):
        stored = {source: stored_name(self, source) for source, *_rest in self.renditions}
        super().save(*args, **kwargs)
        changed = [
            rendition_field
            for source, rendition_field, size, crop in self.renditions
            if refresh_rendition(self, source, rendition_field, stored[source], size, crop=crop)
        ]
        if changed:
            super().save(update_fields=changed)
