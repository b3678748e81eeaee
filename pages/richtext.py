"""The allow-list for rich text: only what the site's stylesheet styles."""

import re

import nh3

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
