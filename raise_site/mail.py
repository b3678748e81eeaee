"""E-mail from the site, with headers that no text from visitors or editors can break.

A subject made from a page title that holds a line break would make Django refuse the whole
message (BadHeaderError); worse, in a hand-made header it would start a new one.
"""

import re

from django.core.mail import send_mail

# Line breaks and every other control character, and Unicode's line separators.
UNSAFE_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
SUBJECT_MAX_LENGTH = 200


def header_safe(value, max_length: int = SUBJECT_MAX_LENGTH) -> str:
    """`value` on one line, fit for an e-mail header: control characters become spaces."""
    text = " ".join(UNSAFE_RE.sub(" ", str(value)).split())
    return text if len(text) <= max_length else text[: max_length - 1] + "…"


def send(subject: str, body: str, recipients: list[str]):
    """Send a plain-text message from DEFAULT_FROM_EMAIL, its headers made safe."""
    send_mail(header_safe(subject), body, None, [header_safe(r, 254) for r in recipients])
