"""Accessibility checks in a real browser: Debian's Chromium driven by Playwright, with axe.

Each address is visited once, and once more with JavaScript off; every check below reads what
that visit saw, so a failing check is named by the address and the check. The demo content is
the one loaded for the whole run, and each test's changes are rolled back with its transaction.

Skipped when Chromium is missing, unless REQUIRE_BROWSER is set (as CI does).
"""

import itertools
import os
import shutil

import pytest

from pages.models import Page

from .conftest import CHROMIUM, RAISE_EN, RAISE_SV, make_page

if not shutil.which(CHROMIUM) and not os.environ.get("REQUIRE_BROWSER"):
    pytest.skip("Chromium is not installed", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

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
MISSING = set(PAGES["404"])
VIEWPORT = {"width": 1280, "height": 900}


def swedish(url):
    return url.startswith("/sv/")


# --- One visit per address ------------------------------------------------------------

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`);
});
"""
HEADING_LEVELS = "() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])"
FOCUSED = """() => {
  const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();
  return {
    element: `${e.tagName.toLowerCase()} ${e.textContent.trim().slice(0, 40)}`,
    style: [s.outlineStyle, parseFloat(s.outlineWidth), s.boxShadow],
    inViewport: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
      && r.top < innerHeight && r.left < innerWidth,
  };
}"""
SCROLLS_SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth"
# Controls that do nothing without a script: buttons outside forms, forms that go nowhere.
SCRIPT_ONLY_CONTROLS = """() => [
  ...document.querySelectorAll('button:not(form button), button[type=button], form:not([action])')
].map(e => e.outerHTML.slice(0, 80))"""
VISIBLE_TEXT = "() => ['h1', 'main'].map(tag => document.querySelector(tag).innerText)"
# Each navigation landmark's name, from aria-label or the heading aria-labelledby points at.
NAV_NAMES = """navs => navs.map(n => n.getAttribute('aria-label')
  || document.getElementById(n.getAttribute('aria-labelledby'))?.textContent.trim())"""


class CouldNotCheck(str):
    """What went wrong while a visit was measuring something, instead of the measurement."""


def measure(seen, name, how):
    try:
        seen[name] = how()
    except Exception as error:
        seen[name] = CouldNotCheck(f"{type(error).__name__}: {error}")


def axe_results(page):
    results = Axe().run(page)
    return results.violations_count, results.generate_report()


def landmarks(page):
    return {
        "banner": page.get_by_role("banner").count(),
        "main": page.get_by_role("main").count(),
        "contentinfo": page.get_by_role("contentinfo").count(),
        "nav names": page.eval_on_selector_all("nav", NAV_NAMES),
    }


def footer_link(page, url):
    name = "Tillgänglighetsredogörelse" if swedish(url) else "Accessibility statement"
    link = page.get_by_role("contentinfo").get_by_role("link", name=name, exact=True)
    return link.count() == 1 and link.is_visible()


def tab_through(page, presses=5):
    """What each of the first `presses` Tab presses from the top of the page focuses."""
    focused = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused.append(page.evaluate(FOCUSED))
    return focused


def skip_to_main(page):
    page.focus(".skip-link")
    page.keyboard.press("Enter")
    return page.evaluate("document.activeElement === document.querySelector('main')")


def reflow(page):
    scrolls = {}
    for width in (320, 640):  # 640 CSS px is a 1280 px window at 200 % zoom
        page.set_viewport_size({"width": width, "height": 800})
        scrolls[width] = page.evaluate(SCROLLS_SIDEWAYS)
    return scrolls


def look_at(inspector, site, url):
    """Everything the checks below need to know about `url`, from one visit with JavaScript
    and one without."""
    seen = {}
    page = inspector.page
    page.set_viewport_size(VIEWPORT)  # the previous visit ended narrower
    response = page.goto(site + url)
    seen["status"] = response.status
    seen["policy"] = response.headers.get("content-security-policy", "")
    measure(seen, "text", lambda: page.evaluate(VISIBLE_TEXT))
    measure(seen, "axe", lambda: axe_results(page))
    measure(seen, "headings", lambda: page.evaluate(HEADING_LEVELS))
    measure(seen, "landmarks", lambda: landmarks(page))
    measure(seen, "footer link", lambda: footer_link(page, url))
    measure(seen, "focus", lambda: tab_through(page))
    measure(seen, "skip to main", lambda: skip_to_main(page))
    measure(seen, "reflow", lambda: reflow(page))
    # Last, so that it covers everything done above.
    measure(seen, "policy violations", lambda: page.evaluate("window.cspViolations"))
    page = inspector.page_without_javascript
    page.goto(site + url)
    measure(seen, "text without javascript", lambda: page.evaluate(VISIBLE_TEXT))
    measure(seen, "script-only controls", lambda: page.evaluate(SCRIPT_ONLY_CONTROLS))
    return seen


class Inspector:
    """A tab with JavaScript and one without, that visit one address after another. Public
    pages set no cookies, so visits share nothing but the browser's cache of static files, as
    one visitor going from page to page does."""

    def __init__(self, browser):
        # Swedish, like most visitors' browsers; the address chooses the page's language.
        self.contexts = [
            browser.new_context(viewport=VIEWPORT, locale="sv-SE"),
            browser.new_context(viewport=VIEWPORT, java_script_enabled=False),
        ]
        self.contexts[0].add_init_script(RECORD_VIOLATIONS)
        self.page, self.page_without_javascript = (c.new_page() for c in self.contexts)
        self.visits = {}

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture(scope="module")
def inspector(browser):
    inspector = Inspector(browser)
    yield inspector
    inspector.close()


class Seen:
    """What the visit to an address saw: `seen("axe")` is what the axe check measured."""

    def __init__(self, url, measured):
        self.url = url
        self.measured = measured

    def __call__(self, name):
        value = self.measured[name]
        if isinstance(value, CouldNotCheck):
            pytest.fail(f"{self.url}: could not check {name}: {value}")
        return value

    def __repr__(self):
        return f"<the visit to {self.url}>"


@pytest.fixture
def seen(site, inspector, url):
    """What the visit to `url` saw; the first check of an address makes the visit."""
    if url not in inspector.visits:
        inspector.visits[url] = look_at(inspector, site, url)
    return Seen(url, inspector.visits[url])


@pytest.mark.parametrize("url", ALL_URLS)
def test_every_address_answers_with_its_page(seen, url):
    assert seen("status") == (404 if url in MISSING else 200), url


@pytest.mark.parametrize("url", ALL_URLS)
def test_axe_finds_no_violations(seen, url):
    count, report = seen("axe")

    assert count == 0, f"{url}: {report}"


@pytest.mark.parametrize("url", ALL_URLS)
def test_headings_start_at_one_h1_and_never_skip_a_level(seen, url):
    levels = seen("headings")

    assert levels[0] == 1 and levels.count(1) == 1, (url, levels)
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), (url, levels)


@pytest.mark.parametrize("url", ALL_URLS)
def test_landmarks_are_present_and_named(seen, url):
    found = seen("landmarks")
    names = found.pop("nav names")

    assert found == {"banner": 1, "main": 1, "contentinfo": 1}, url
    # Every navigation landmark has a name of its own, so screen readers can tell them apart.
    assert all(names) and len(set(names)) == len(names), (url, names)
    menus = ["Tjänster", "Om webbplatsen"] if swedish(url) else ["Services", "About the website"]
    assert [name for name in names if name in menus] == menus, (url, names)


@pytest.mark.parametrize("url", ALL_URLS)
def test_footer_links_to_the_accessibility_statement_on_every_page(seen, url):
    assert seen("footer link") is True, url


@pytest.mark.parametrize("url", ALL_URLS)
def test_skip_link_is_the_first_focusable_element_and_moves_focus_to_main(seen, url):
    first = seen("focus")[0]

    skip = "Hoppa till innehållet" if swedish(url) else "Skip to content"
    assert (first["element"], first["inViewport"]) == (f"a {skip}", True), url
    assert seen("skip to main") is True, url


@pytest.mark.parametrize("url", ALL_URLS)
def test_focus_is_visible(seen, url):
    for press, focused in enumerate(seen("focus"), start=1):
        outline_style, outline_width, box_shadow = focused["style"]
        visible = (outline_style != "none" and outline_width >= 2) or box_shadow != "none"
        assert visible, (url, f"Tab × {press}", focused)


@pytest.mark.parametrize("url", ALL_URLS)
@pytest.mark.parametrize("width", [320, 640])  # 640 CSS px is a 1280 px window at 200 % zoom
def test_pages_reflow_without_horizontal_scrolling(seen, url, width):
    assert seen("reflow")[width] is False, (url, width)


@pytest.mark.parametrize("url", ALL_URLS)
def test_public_pages_break_no_rule_of_the_content_security_policy(seen, url):
    assert "default-src 'self'" in seen("policy"), url
    assert seen("policy violations") == [], url


@pytest.mark.parametrize("url", ALL_URLS)
def test_pages_show_the_same_without_javascript(seen, url):
    assert seen("text without javascript") == seen("text"), url
    assert seen("script-only controls") == [], url


# --- The feedback widget -----------------------------------------------------------------


def assert_no_axe_violations(page):
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


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


def test_page_language_and_swedish_fallback_are_marked(site, page):
    home = Page.objects.get(kind=Page.Kind.HOME)
    make_page(home, "Bara på svenska", "bara-svenska", body_sv="<p>Svensk brödtext.</p>")

    page.goto(site + "/en/bara-svenska/")

    assert page.get_attribute("html", "lang") == "en"
    assert page.get_attribute("h1", "lang") == "sv"
    assert page.get_attribute(".body", "lang") == "sv"
    page.goto(site + RAISE_SV)
    assert page.get_attribute("html", "lang") == "sv"


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
