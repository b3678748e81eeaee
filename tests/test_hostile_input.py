"""Hostile text in every field an editor or a visitor can fill in never reaches a page as markup.

Each case puts one hostile string into every editable text field, in both languages, then
reads every public page, the search results and the admin lists. A marker in front of the
string in each field proves the field really was shown; the checks prove it was shown as text.
"""

import html
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

from contacts.models import Contact, Organisation
from pages.models import Event, Feedback, Page, Project, StakeholderGroup

pytestmark = pytest.mark.django_db

HOSTILE = {
    "script tag": '<script>alert("x")</script>',
    "event attribute": '"><img src=x onerror=alert(1)>',
    "closing the title": "</title><svg onload=alert(1)>",
    "javascript link": "<a href=\"javascript:alert('x')\">klicka</a>",
    "javascript url": "javascript:alert(document.cookie)",
    "attribute break-out": "' onmouseover='alert(1)' x='",
    "broken markup": "<b>halv <i <!-- kommentar <p",
    "right-to-left override": "faktura\u202egpj.exe",
    "zero-width characters": "ad\u200bmin\u2060is\ufefftratör",
}
# What the hostile strings must never leave in a page, whatever else happens to them.
INVISIBLE = ["\u202e", "\u200b", "\u2060", "\ufeff"]

TRANSLATED = {
    Page: ["title", "lead", "body", "meta_description"],
    Contact: ["job_title"],
    Organisation: ["name"],
    Event: ["title", "place", "text"],
    StakeholderGroup: ["name", "description"],
    Project: ["full_name", "programme", "extension_text"],
}
UNTRANSLATED = {Contact: ["name"], Organisation: ["short_name"], Project: ["acronym"]}
RICH_TEXT = {(Page, "body")}
# What a rich-text body may hold: text formatting and links, nothing that runs, loads or
# styles anything. This test's own list, so that a tag added to the sanitiser's allow-list
# has to be added here too, on purpose.
HARMLESS_TAGS = {
    "p", "br", "h2", "h3", "h4", "ul", "ol", "li", "a", "strong", "em", "b", "i", "blockquote",
}  # fmt: skip


def marker(model, field, language=""):
    return f"MARK-{model.__name__}-{field}-{language}".rstrip("-")


def text_for(model, field, language, hostile):
    if (model, field) in RICH_TEXT:
        return f"<p>{marker(model, field, language)}</p>{hostile}"
    return f"{marker(model, field, language)} {hostile}"


def fill_every_field(hostile):
    for model, fields in TRANSLATED.items():
        for obj in model.objects.all():
            for field in fields:
                for language in ("sv", "en"):
                    setattr(obj, f"{field}_{language}", text_for(model, field, language, hostile))
            for field in UNTRANSLATED.get(model, []):
                limit = model._meta.get_field(field).max_length
                setattr(obj, field, text_for(model, field, "", hostile)[:limit])
            if model is Organisation:
                obj.website = "javascript:alert(document.cookie)"
            obj.save()


def expected_markers():
    markers = {
        marker(m, f, lang)
        for m, fields in TRANSLATED.items()
        for f in fields
        for lang in ("sv", "en")
    }
    markers |= {marker(m, f) for m, fields in UNTRANSLATED.items() for f in fields}
    # A short name is cut to its 40 characters; its marker still fits.
    return markers


class Markup(HTMLParser):
    """The shape of a page (its elements and their attribute names, in order), what it says
    (text and attribute values), and anything in it that would let script run."""

    def __init__(self, page_html):
        super().__init__(convert_charrefs=True)
        self.shape = []
        self.text = []
        self.dangers = [char for char in INVISIBLE if char in page_html]
        # Inside the rich-text body, markup from the allow-list is wanted, not an injection.
        self.in_body = False
        self.feed(page_html)
        self.close()

    def handle_starttag(self, tag, attrs):
        if self.in_body:
            if tag not in HARMLESS_TAGS:
                self.dangers.append(f"<{tag}> in rich text")
        elif tag != "mark":  # how many words a search snippet marks depends on its words
            self.shape.append((tag, *sorted(name for name, _value in attrs)))
        self.in_body = self.in_body or (tag == "div" and "body" in dict(attrs).get("class", ""))
        for name, value in attrs:
            value = value or ""
            self.text.append(value)
            if name.startswith("on"):
                self.dangers.append(f"<{tag} {name}>")
            if name in URL_ATTRIBUTES and value.strip().lower().startswith(SCRIPT_SCHEMES):
                self.dangers.append(f"<{tag} {name}={value}>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if self.in_body and tag == "div":
            self.in_body = False
        if not self.in_body and tag != "mark":
            self.shape.append(f"/{tag}")

    def handle_data(self, data):
        self.text.append(data)


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}
SCRIPT_SCHEMES = ("javascript:", "data:", "vbscript:")


def public_urls():
    """{name: url} for every public page; event addresses follow their (hostile) titles."""
    urls = {}
    for page in Page.objects.published():
        urls |= {url: url for url in (page.get_absolute_url("sv"), page.get_absolute_url("en"))}
    calendar = Page.objects.get(kind=Page.Kind.CALENDAR)
    for event in Event.objects.all():
        for language in ("sv", "en"):
            urls[f"event {event.pk} {language}"] = event.get_absolute_url(calendar, language)
    return urls | {url: url for url in ("/sv/sok/?q=MARK", "/en/search/?q=MARK")}


ADMIN_LISTS = [
    "/admin/pages/feedback/",
    "/admin/pages/page/",
    "/admin/pages/event/",
    "/admin/pages/project/",
    "/admin/pages/stakeholdergroup/",
    "/admin/contacts/contact/",
    "/admin/contacts/organisation/",
]


def send_feedback_comment(comment):
    visitor = Client()
    body = urlencode({"page": 5, "language": "sv", "answer": "no"})
    answer = visitor.post(
        "/feedback/",
        body,
        content_type="application/x-www-form-urlencoded",
        HTTP_ACCEPT="application/json",
    )
    token = html.unescape(answer.json()["html"].split('name="token" value="')[1].split('"')[0])
    sent = visitor.post(
        "/feedback/",
        urlencode({"token": token, "language": "sv", "comment": comment}),
        content_type="application/x-www-form-urlencoded",
        HTTP_ACCEPT="application/json",
    )
    assert sent.json()["ok"] is True


def read_everything(client, staff):
    """{url: Markup} for every public page, the search results and the admin lists."""
    pages = {}
    for name, url in public_urls().items():
        response = client.get(url)
        assert response.status_code == 200, url
        pages[name] = Markup(response.content.decode())
    for url in ADMIN_LISTS:
        response = staff.get(url)
        assert response.status_code == 200, url
        pages[url] = Markup(response.content.decode())
    return pages


@pytest.fixture(scope="module")
def harmless():
    """{url: Markup} of every page with harmless text in every field, the same for every case;
    the first case reads them, in its own transaction."""
    return {}


@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_is_shown_as_text_everywhere(client, demo, hostile, harmless):
    staff = Client()
    staff.force_login(get_user_model().objects.create_superuser("admin", "a@example.se", "x"))
    # The same pages with harmless text first: hostile text must not change their shape.
    if not harmless:
        fill_every_field("vanlig text")
        send_feedback_comment("MARK-Feedback-comment vanlig text")
        harmless.update(read_everything(client, staff))
    fill_every_field(hostile)
    Feedback.objects.all().delete()
    send_feedback_comment(f"MARK-Feedback-comment {hostile}")

    hostile_pages = read_everything(client, staff)

    for url, markup in hostile_pages.items():
        assert markup.dangers == [], url
        assert markup.shape == harmless[url].shape, url
    text = " ".join(" ".join(markup.text) for markup in hostile_pages.values())
    missing = {m for m in expected_markers() | {"MARK-Feedback-comment"} if m not in text}
    assert missing == set()


def test_the_title_element_holds_only_text(client, demo):
    fill_every_field(HOSTILE["closing the title"])

    page_html = client.get("/sv/").content.decode()

    head = page_html.split("<title>")[1].split("</title>")[0]
    assert "<" not in head
    assert "&lt;/title&gt;&lt;svg onload=alert(1)&gt;" in head


def test_meta_description_holds_only_text(client, demo):
    fill_every_field(HOSTILE["event attribute"])

    page_html = client.get("/en/").content.decode()

    meta = page_html.split('<meta name="description" content="')[1].split(">")[0]
    assert meta.startswith("MARK-Page-meta_description-en &quot;&gt;&lt;img src=x onerror")


def test_invisible_characters_are_removed_when_saved(demo):
    page = Page.objects.get(pk=5)
    page.title_sv = "Faktura\u202egpj.exe och\u200b mer\u2066\u2069 \u00adtext\x07"
    page.save()
    page.refresh_from_db()

    # The soft hyphen (U+00AD) is a real hyphenation hint and stays; bell and the rest go.
    assert page.title_sv == "Fakturagpj.exe och mer \u00adtext"


def test_joiners_that_languages_and_emoji_need_are_kept(demo):
    group = StakeholderGroup.objects.get()
    group.name_en = "Familj 👨\u200d👩\u200d👧 och می\u200cخواهم"
    group.save()
    group.refresh_from_db()

    assert group.name_en == "Familj 👨\u200d👩\u200d👧 och می\u200cخواهم"


def test_admin_refuses_a_javascript_website(admin_client, demo):
    organisation = Organisation.objects.get(pk=1)

    response = admin_client.post(
        f"/admin/contacts/organisation/{organisation.pk}/change/",
        {
            "name_sv": organisation.name_sv,
            "name_en": "",
            "name_language": "en",
            "website": "javascript:alert(1)",
        },
    )

    assert response.status_code == 200
    assert "Fyll i en giltig URL." in response.content.decode()
    assert Organisation.objects.get(pk=1).website != "javascript:alert(1)"


def test_feedback_comment_is_stored_without_invisible_characters(client, demo):
    send_feedback_comment("Bra sida\u202e men\u200b svår")

    assert Feedback.objects.get().comment == "Bra sida men svår"


def test_cleaning_on_save_does_not_fill_in_missing_translations(demo):
    with translation.override("en"):
        organisation = Organisation.objects.get(name_sv="Verdandi")
        organisation.name_sv = "Verdandi\u200b"
        organisation.save()
    organisation.refresh_from_db()

    assert (organisation.name_sv, organisation.name_en) == ("Verdandi", "")


@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_cannot_break_out_of_the_icalendar_feed(client, demo, hostile):
    import icalendar

    fill_every_field(hostile)
    line_breaking = hostile + "\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected"
    Event.objects.filter(pk=3).update(title_sv=line_breaking)

    calendar = icalendar.Calendar.from_ical(client.get("/sv/events-2018.ics").content)

    events = calendar.walk("VEVENT")
    assert len(events) == Event.objects.filter(start__year=2018).count() == 2
    assert line_breaking.replace("\r\n", "\n") in [
        str(e["summary"]).replace("\r\n", "\n") for e in events
    ]


@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_stays_inside_json_ld(client, demo, hostile):
    import json
    import re

    fill_every_field(hostile)
    calendar = Page.objects.get(kind=Page.Kind.CALENDAR)
    raise_page, event = Page.objects.get(pk=5), Event.objects.get(pk=3)
    expected = {
        raise_page.get_absolute_url("sv"): raise_page.title_sv,
        event.get_absolute_url(calendar, "en"): event.title_en,
    }
    for url, title in expected.items():
        html = client.get(url).content.decode()
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        assert len(blocks) == 1, url
        assert json.loads(blocks[0])["name"] == title, url
