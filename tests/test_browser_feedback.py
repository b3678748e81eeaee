"""The feedback widget in a real browser when things go wrong: the in-place request fails,
JavaScript is off, the form has expired. Debian's Chromium driven by Playwright, with axe.

Skipped when Chromium is missing, unless REQUIRE_BROWSER is set (as CI does).
"""

import os
import shutil

import pytest

from pages.models import Feedback

from .conftest import RAISE_SV

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

if not shutil.which(CHROMIUM) and not os.environ.get("REQUIRE_BROWSER"):
    pytest.skip("Chromium is not installed", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.django_db


def new_page(browser, javascript=True):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
    )
    return context.new_page()


def post_forms_without_the_script(page):
    """Make the widget's forms post the way they do without JavaScript, in a page that still
    runs JavaScript for axe."""
    page.eval_on_selector("[data-feedback]", "widget => widget.removeAttribute('data-feedback')")


def assert_no_axe_violations(page):
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_when_the_in_place_request_fails_the_form_post_keeps_the_clicked_answer(site, browser):
    page = new_page(browser)
    # The in-place request fails as on a lost connection; the ordinary post still goes out.
    page.route(
        "**/feedback/",
        lambda route: route.abort() if route.request.resource_type == "fetch" else route.fallback(),
    )
    page.goto(site + RAISE_SV)

    page.get_by_role("button", name="Nej").click()

    expect(page.get_by_label("Vad saknade du?")).to_be_visible()
    assert "?feedback=comment&token=" in page.url
    assert list(Feedback.objects.values_list("page_id", "helpful")) == [(5, False)]
    page.context.close()


def test_without_javascript_answer_and_comment_are_saved(site, browser):
    page = new_page(browser, javascript=False)
    page.goto(site + RAISE_SV)

    page.get_by_role("button", name="Nej").click()
    page.get_by_label("Vad saknade du?").fill("Datum för nästa möte.")
    page.get_by_role("button", name="Skicka").click()

    expect(page.locator(".feedback__thanks")).to_have_text("Tack för ditt svar!")
    assert page.url == site + RAISE_SV + "?feedback=thanks#feedback"
    assert list(Feedback.objects.values_list("helpful", "comment")) == [
        (False, "Datum för nästa möte.")
    ]
    page.context.close()


def test_without_javascript_an_expired_form_shows_the_page_again_with_the_comment(
    site, browser, monkeypatch
):
    page = new_page(browser)
    page.goto(site + RAISE_SV)
    post_forms_without_the_script(page)
    page.get_by_role("button", name="Nej").click()
    post_forms_without_the_script(page)
    page.get_by_label("Vad saknade du?").fill("Datum för nästa möte.")
    monkeypatch.setattr("pages.feedback.TOKEN_MAX_AGE", -1)  # every form has expired

    page.get_by_role("button", name="Skicka").click()

    expect(page.locator("h1")).to_have_text("RaiSE - Stärk sociala företags konkurrenskraft")
    expect(page.locator(".feedback__problem")).to_contain_text(
        "Formuläret hade varit öppet länge, så din kommentar sparades inte."
    )
    expect(page.locator(".feedback__problem")).to_be_focused()
    expect(page.get_by_label("Vad saknade du?")).to_have_value("Datum för nästa möte.")
    assert_no_axe_violations(page)
    monkeypatch.undo()

    page.get_by_role("button", name="Skicka").click()

    expect(page.locator(".feedback__thanks")).to_have_text("Tack för ditt svar!")
    assert list(Feedback.objects.values_list("helpful", "comment")) == [
        (False, "Datum för nästa möte.")
    ]
    page.context.close()


def test_without_javascript_a_refused_answer_can_be_sent_again_from_its_page(
    site, browser, settings
):
    page = new_page(browser)
    page.goto(site + RAISE_SV)
    post_forms_without_the_script(page)
    settings.FEEDBACK_RATE_LIMIT = 0

    page.get_by_role("button", name="Ja").click()

    expect(page.locator("h1")).to_have_text("Ditt svar sparades inte")
    expect(page.get_by_role("button", name="Skicka ”Ja” igen")).to_be_visible()
    assert_no_axe_violations(page)
    settings.FEEDBACK_RATE_LIMIT = 10

    page.get_by_role("button", name="Skicka ”Ja” igen").click()

    expect(page.locator(".feedback__thanks")).to_have_text("Tack för ditt svar!")
    assert list(Feedback.objects.values_list("helpful", flat=True)) == [True]
    page.context.close()
