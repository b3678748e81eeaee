"""Colour contrast of the stylesheet's colour pairs, by the WCAG 2.1 formula.

Text needs 4.5:1 against its background (1.4.3); borders of controls and the focus
indicator need 3:1 (1.4.11).
"""

import re

import pytest
from django.conf import settings

CSS = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
VARIABLES = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", CSS))
WHITE = "#ffffff"


def colour(name):
    return VARIABLES.get(name, name)


def luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground, background):
    lighter, darker = sorted([luminance(colour(foreground)), luminance(colour(background))])[::-1]
    return (lighter + 0.05) / (darker + 0.05)


TEXT_PAIRS = [
    ("ink", WHITE),  # body text
    ("ink", "surface"),  # text in the facts box, feedback and footer
    ("muted", WHITE),  # places, dates, "Senast uppdaterad"
    ("muted", "surface"),  # muted text in the footer and facts box
    ("link", WHITE),
    ("link", "surface"),
    ("brand-dark", WHITE),  # headings and button text
    (WHITE, "brand"),  # the site header and the lead partner badge
    (WHITE, "brand-dark"),  # the main menu
    ("ink", "#fff3cd"),  # the preview banner
]
CONTROL_PAIRS = [
    ("brand", WHITE),  # button borders
    ("brand", "surface"),  # button borders in the feedback box
    ("muted", WHITE),  # search field and comment field borders
    ("ink", WHITE),  # focus outline on white
    ("ink", "focus"),  # focus outline against its halo
    ("focus", "brand"),  # the focus halo in the header
]


def test_the_stylesheet_defines_every_colour_tested():
    names = {n for pair in TEXT_PAIRS + CONTROL_PAIRS for n in pair if not n.startswith("#")}
    assert names <= set(VARIABLES)


@pytest.mark.parametrize(("foreground", "background"), TEXT_PAIRS)
def test_text_colours_meet_4_5_to_1(foreground, background):
    assert contrast(foreground, background) >= 4.5


@pytest.mark.parametrize(("foreground", "background"), CONTROL_PAIRS)
def test_control_and_focus_colours_meet_3_to_1(foreground, background):
    assert contrast(foreground, background) >= 3


def test_the_stylesheet_uses_no_colour_outside_the_tested_palette():
    literals = set(re.findall(r"#[0-9a-fA-F]{3,6}\b", CSS.split("}", 1)[1]))

    assert literals <= {"#fff", "#fff3cd", "#8a6d00"}
