"""Cleaning what editors and visitors write: the allow-list for rich text, and the removal of
characters that change how text looks without being seen."""

import re

import nh3
from django.db import models
from modeltranslation.translator import NotRegistered, translator

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "a",
    "strong",
    "em",
    "b",
    "i",
    "blockquote",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "hreflang", "lang"}, "p": {"lang"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitise(html: str) -> str:
    """Return `html` with every tag, attribute and URL scheme outside the allow-list removed."""
    if not html:
        return html
    # The editor sends one empty paragraph for an empty field; store that as empty.
    if re.fullmatch(r"\s*<p>\s*(?:<br>)?\s*</p>\s*", html):
        return ""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


# Bidirectional embeddings, overrides and isolates reorder the text around them, so that
# “faktura\u202egpj.exe” is shown as “fakturaexe.jpg”; zero-width spaces, the word joiner and
# stray byte-order marks hide inside words; control characters other than tab and line
# breaks never belong in text. Zero-width joiners and non-joiners stay: emoji and scripts
# such as Persian need them. So do the left-to-right and right-to-left marks.
INVISIBLE_RE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]"
)


def remove_invisible(text: str) -> str:
    """Return `text` without characters that disguise it (see INVISIBLE_RE)."""
    return INVISIBLE_RE.sub("", text) if text else text


def clean_text_fields(sender, instance, **kwargs):
    """A pre_save receiver: remove disguising characters from every text field of `instance`.

    A translated field's original name (`title`) reads and writes the active language's
    field with fallback, so only the per-language fields (`title_sv`, `title_en`) are cleaned.
    """
    try:
        translated = translator.get_options_for_model(sender).all_fields
    except NotRegistered:
        translated = {}
    for field in instance._meta.concrete_fields:
        if field.name in translated or not isinstance(field, models.CharField | models.TextField):
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, str):
            cleaned = remove_invisible(value)
            if cleaned != value:
                setattr(instance, field.attname, cleaned)
