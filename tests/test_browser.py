"""Accessibility checks in a real browser: Debian's Chromium driven by Playwright, with axe.

Skipped when Chromium is missing, unless REQUIRE_BROWSER is set (as CI does).
"""

import itertools
import os
import shutil

import pytest
from django.core.management import call_command

from pages.models import Page

from .conftest import RAISE_EN, RAISE_SV, make_page

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

if not shutil.which(CHROMIUM) and not os.environ.get("REQUIRE_BROWSER"):
    pytest.skip("Chromium is not installed", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

# Playwright's synchronous API runs an event loop in this thread; the ORM calls the tests
# make between browser steps are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = {
    "home": ("/sv/", "/en/"),
    "section": ("/sv/kultur-och-civilsamhalle/", "/en/culture-and-civil-society/"),
    "project list": (
        "/sv/kultur-och-civilsamhalle/pagaende-insatser/projekt/",
        "/en/culture-and-civil-society/ongoing-initiatives/projects/",
    ),
    "project": (RAISE_SV, RAISE_EN),
    "calendar": ("/sv/kalender/", "/en/calendar/"),
    "search": ("/sv/sok/", "/en/search/"),
    "search with results": ("/sv/sok/?q=sociala", "/en/search/?q=social"),
    "search without results": ("/sv/sok/?q=zzzz", "/en/search/?q=zzzz"),
    "404": ("/sv/finns-inte/", "/en/does-not-exist/"),
    "accessibility statement": (
        "/sv/tillganglighetsredogorelse/",
        "/en/accessibility-statement/",
    ),
    "cookies": ("/sv/om-kakor/", "/en/about-cookies/"),
    "event": ("/sv/kalender/3-partnermote-i-orebro/", "/en/calendar/3-partner-meeting-in-orebro/"),
    "filtered calendar": ("/sv/kalender/?project=1", "/en/calendar/?project=1"),
    "filtered project list": (
        "/sv/kultur-och-civilsamhalle/pagaende-insatser/projekt/?status=ended",
        "/en/culture-and-civil-society/ongoing-initiatives/projects/?status=ongoing",
    ),
    "empty search": ("/sv/sok/?q=", "/en/search/?q=+"),
}
ALL_URLS = [url for pair in PAGES.values() for url in pair]


@pytest.fixture
def site(live_server):
    call_command("loaddata", "demo", verbosity=0)
    return live_server.url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def assert_no_axe_violations(page):
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("url", ALL_URLS)
def test_axe_finds_no_violations(site, page, url):
    page.goto(site + url)

    assert_no_axe_violations(page)


@pytest.mark.parametrize("url", [RAISE_SV, RAISE_EN])
def test_feedback_widget_has_no_violations_in_any_state(site, page, url, settings):
    page.goto(site + url)
    assert_no_axe_violations(page)  # the question

    page.get_by_role("button", name="Nej" if "/sv/" in url else "No").click()
    expect(page.locator("textarea")).to_be_focused()
    assert_no_axe_violations(page)  # the comment form

    page.get_by_role("button", name="Skicka" if "/sv/" in url else "Send").click()
    expect(page.locator(".feedback__thanks")).to_be_focused()
    assert_no_axe_violations(page)  # the thanks

    settings.FEEDBACK_RATE_LIMIT = 0
    page.goto(site + url)
    page.get_by_role("button", name="Ja" if "/sv/" in url else "Yes").click()
    expect(page.locator("[data-feedback-status]")).to_contain_text(
        "Du har skickat många svar" if "/sv/" in url else "You have sent many answers"
    )
    assert_no_axe_violations(page)  # the error


def test_feedback_error_page_without_javascript_has_no_violations(site, page, settings):
    settings.FEEDBACK_RATE_LIMIT = 0
    page.goto(site + RAISE_SV)
    # Post the form the way a browser without JavaScript does (axe itself needs JavaScript).
    page.eval_on_selector("[data-feedback]", "widget => widget.removeAttribute('data-feedback')")

    page.get_by_role("button", name="Ja").click()

    expect(page.locator("h1")).to_have_text("Ditt svar sparades inte")
    assert page.url == site + "/feedback/"
    assert_no_axe_violations(page)


def test_skip_link_is_the_first_focusable_element_and_moves_focus_to_main(site, page):
    page.goto(site + RAISE_SV)

    page.keyboard.press("Tab")

    skip = page.locator(":focus")
    expect(skip).to_have_text("Hoppa till innehållet")
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


@pytest.mark.parametrize("presses", [1, 2, 5])
def test_focus_is_visible(site, page, presses):
    page.goto(site + RAISE_SV)
    for _ in range(presses):
        page.keyboard.press("Tab")

    style = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return [s.outlineStyle, parseFloat(s.outlineWidth), s.boxShadow]; }"""
    )

    outline_style, outline_width, box_shadow = style
    assert (outline_style != "none" and outline_width >= 2) or box_shadow != "none", style


def test_feedback_widget_works_with_the_keyboard_alone(site, page):
    page.goto(site + RAISE_SV)
    no_button = page.get_by_role("button", name="Nej")
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Nej":
            break
    expect(no_button).to_be_focused()

    page.keyboard.press("Enter")
    expect(page.locator("textarea")).to_be_focused()
    page.keyboard.type("Jag saknade datum.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Skicka")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator(".feedback__thanks")).to_be_focused()
    expect(page.locator("[data-feedback-status]")).to_have_text("Tack för ditt svar!")
    assert Page.objects.get(pk=5).feedback.get().comment == "Jag saknade datum."


HEADING_LEVELS = "() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])"


@pytest.mark.parametrize("url", ALL_URLS)
def test_headings_start_at_one_h1_and_never_skip_a_level(site, page, url):
    page.goto(site + url)

    levels = page.evaluate(HEADING_LEVELS)

    assert levels[0] == 1 and levels.count(1) == 1, levels
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels


@pytest.mark.parametrize("url", [RAISE_SV, "/en/", "/sv/finns-inte/"])
def test_landmarks_are_present_and_named(site, page, url):
    page.goto(site + url)

    assert page.get_by_role("banner").count() == 1
    assert page.get_by_role("main").count() == 1
    assert page.get_by_role("contentinfo").count() == 1
    names = page.eval_on_selector_all("nav", "navs => navs.map(n => n.getAttribute('aria-label'))")
    assert names and all(names), names


def test_page_language_and_swedish_fallback_are_marked(site, page):
    home = Page.objects.get(kind=Page.Kind.HOME)
    make_page(home, "Bara på svenska", "bara-svenska", body_sv="<p>Svensk brödtext.</p>")

    page.goto(site + "/en/bara-svenska/")

    assert page.get_attribute("html", "lang") == "en"
    assert page.get_attribute("h1", "lang") == "sv"
    assert page.get_attribute(".body", "lang") == "sv"
    page.goto(site + RAISE_SV)
    assert page.get_attribute("html", "lang") == "sv"


SCROLLS_SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth"


@pytest.mark.parametrize("url", [RAISE_SV, RAISE_EN, "/sv/", "/sv/kalender/", "/sv/sok/?q=sociala"])
@pytest.mark.parametrize("width", [320, 640])  # 640 CSS px is a 1280 px window at 200 % zoom
def test_pages_reflow_without_horizontal_scrolling(site, browser, url, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(site + url)

    assert not page.evaluate(SCROLLS_SIDEWAYS)
    context.close()


def test_site_works_with_javascript_off(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/sv/")

    page.get_by_role("link", name="Kultur och civilsamhälle").first.click()
    page.get_by_role("link", name="Pågående insatser").last.click()
    page.get_by_role("link", name="Projekt", exact=True).last.click()
    page.get_by_role("link", name="RaiSE - Stärk sociala företags konkurrenskraft").last.click()
    assert page.url == site + RAISE_SV
    page.get_by_role("button", name="Nej").click()
    page.get_by_label("Vad saknade du?").fill("Utan JavaScript.")
    page.get_by_role("button", name="Skicka").click()

    expect(page.locator(".feedback__thanks")).to_have_text("Tack för ditt svar!")
    assert page.url == site + RAISE_SV + "?feedback=thanks#feedback"
    assert Page.objects.get(pk=5).feedback.get().comment == "Utan JavaScript."
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text(
        "RaiSE – Strengthening the competitiveness of social enterprises"
    )
    context.close()


def test_footer_links_to_the_accessibility_statement_on_every_page(site, page):
    for url in ["/sv/", RAISE_SV, "/sv/finns-inte/", "/en/calendar/"]:
        page.goto(site + url)
        footer = page.get_by_role("contentinfo")
        name = "Tillgänglighetsredogörelse" if "/sv/" in url else "Accessibility statement"
        expect(footer.get_by_role("link", name=name)).to_be_visible()


def test_an_editor_writes_a_bold_word_in_the_prose_editor_without_leaving_the_site(
    site, page, django_user_model
):
    django_user_model.objects.create_superuser("redaktor", "r@example.se", "ett-langt-losenord")
    hosts = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(site + "/admin/login/?next=/admin/pages/page/5/change/")
    page.fill("#id_username", "redaktor")
    page.fill("#id_password", "ett-langt-losenord")
    page.click("input[type=submit]")

    editors = page.locator(".ProseMirror[contenteditable=true]")
    expect(editors).to_have_count(2)  # the Swedish and the English body
    english = editors.nth(1)
    english.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+b")
    page.keyboard.type("Fetstil")
    page.click("input[name=_save]")

    expect(page.locator(".messagelist")).to_be_visible()
    assert "<strong>Fetstil</strong>" in Page.objects.get(pk=5).body_en
    assert hosts == {site.split("/")[2]}


# --- The Content-Security-Policy in a real browser ------------------------------

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`);
});
"""


@pytest.fixture
def watched_page(browser):
    """A page that records every Content-Security-Policy violation the browser reports."""
    # Swedish, like the editors' browsers: the admin follows the browser's language.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    yield page
    context.close()


def violations(page):
    return page.evaluate("window.cspViolations")


@pytest.mark.parametrize("url", ALL_URLS)
def test_public_pages_break_no_rule_of_the_content_security_policy(site, watched_page, url):
    response = watched_page.goto(site + url)

    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert violations(watched_page) == []


def test_feedback_script_works_under_the_policy(site, watched_page):
    watched_page.goto(site + RAISE_EN)

    watched_page.get_by_role("button", name="Yes").click()

    status = watched_page.locator("[data-feedback-status]")
    expect(status).to_have_text("Thank you for your answer!")
    assert violations(watched_page) == []


def test_admin_works_under_the_policy(site, watched_page):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("redaktor", "r@example.se", "långt lösenord 1")
    page = watched_page
    page.goto(site + "/admin/")
    page.get_by_label("Användarnamn").fill("redaktor")
    page.get_by_label("Lösenord").fill("långt lösenord 1")
    page.get_by_role("button", name="Logga in").click()
    expect(page.locator("#site-name")).to_be_visible()

    # The add form's scripts: the slug is filled in from the title as the editor types.
    page.goto(site + "/admin/pages/page/add/")
    page.locator("#id_title_sv").press_sequentially("Ny sida om sociala företag")
    expect(page.locator("#id_slug_sv")).to_have_value("ny-sida-om-sociala-foretag")
    # The date widget's calendar, and the parent page's autocomplete, which fetches choices.
    page.locator("#id_last_updated").fill("")
    page.locator(".field-last_updated .datetimeshortcuts a", has_text="I dag").click()
    expect(page.locator("#id_last_updated")).not_to_have_value("")
    page.locator(".field-parent .select2-selection").click()
    expect(page.locator(".select2-results__option").first).to_have_text("Regional utveckling")
    assert violations(page) == []

    for url in [
        "/admin/pages/page/5/change/",  # with the feedback chart (inline SVG)
        "/admin/pages/feedback/",
        "/admin/pages/event/",
        "/admin/contacts/contact/1/change/",
    ]:
        page.goto(site + url)
        assert violations(page) == [], url
