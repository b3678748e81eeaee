import re

import pytest
from django.utils.html import strip_tags

from pages.models import Event, Page

from .conftest import RAISE_EN, RAISE_SV, make_page, text_of

pytestmark = pytest.mark.django_db


def test_raise_page_shows_the_seed_text_in_swedish(client, demo):
    response = client.get(RAISE_SV)

    assert response.status_code == 200
    text = text_of(response)
    assert "RaiSE - Stärk sociala företags konkurrenskraft" in text
    assert "Vi stärker konkurrenskraften för arbetsintegrerande sociala företag" in text
    assert "Projektperioden är 4,5 år och sträcker sig från den 1 januari 2017" in text
    assert "Region Örebro läns webbplats för Regional utveckling" in text
    assert '<html lang="sv">' in response.content.decode()


def test_english_twin_shows_english_texts(client, demo):
    response = client.get(RAISE_EN)

    assert response.status_code == 200
    text = text_of(response)
    assert "RaiSE – Strengthening the competitiveness of social enterprises" in text
    assert "Region Örebro County – Regional development" in text
    assert "Did the content help you?" in text
    assert "Contacts" in text
    assert "Hade du nytta" not in text
    assert '<html lang="en">' in response.content.decode()


def test_language_link_and_hreflang_point_at_the_twin_page(client, demo):
    swedish = client.get(RAISE_SV).content.decode()
    english = client.get(RAISE_EN).content.decode()

    assert f'<a href="{RAISE_EN}" hreflang="en" lang="en">English</a>' in swedish
    assert f'<a href="{RAISE_SV}" hreflang="sv" lang="sv">Svenska</a>' in english
    assert f'<link rel="alternate" hreflang="en" href="http://testserver{RAISE_EN}">' in swedish
    assert f'<link rel="alternate" hreflang="sv" href="http://testserver{RAISE_SV}">' in english


def test_header_links_to_calendar_and_search_in_each_language(client, demo):
    swedish = client.get("/sv/").content.decode()
    english = client.get("/en/").content.decode()

    assert '<a href="/sv/kalender/">Kalender</a>' in swedish
    assert '<a href="/sv/sok/">Sök</a>' in swedish
    assert '<a href="/en/calendar/">Calendar</a>' in english
    assert '<a href="/en/search/">Search</a>' in english
    assert 'alt="Logotyp för webbplatsen"' in swedish


def test_breadcrumbs_and_menu_follow_the_page_tree(client, demo):
    html = client.get(RAISE_SV).content.decode()

    breadcrumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group()
    assert " ".join(strip_tags(breadcrumbs).split()) == (
        "Startsida Kultur och civilsamhälle Pågående insatser Projekt "
        "RaiSE - Stärk sociala företags konkurrenskraft"
    )
    assert '<a href="/sv/kultur-och-civilsamhalle/" aria-current="true">' in html


def test_root_sends_visitors_to_swedish_by_default(client, demo):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/sv/"


def test_root_sends_english_browsers_to_english(client, demo):
    response = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})

    assert response["Location"] == "/en/"


def test_partners_are_listed_with_country_and_role(client, demo):
    swedish = text_of(client.get(RAISE_SV))
    english = text_of(client.get(RAISE_EN))

    assert "Catalan Agency for Business Competitiveness (ACCIÓ), Spanien Huvudpartner" in swedish
    assert "Region Örebro län, Sverige Partner" in swedish
    assert "Centre for Social Innovation (ZSI), Österrike Rådgivande partner" in swedish
    assert "Catalan Agency for Business Competitiveness (ACCIÓ), Spain Lead partner" in english
    assert "Centre for Social Innovation (ZSI), Austria Advisory partner" in english


def test_facts_box_shows_period_extension_and_lead_partner(client, demo):
    swedish = text_of(client.get(RAISE_SV))
    english = text_of(client.get(RAISE_EN))

    assert "Projektperiod 1 januari 2017 – 30 juni 2021" in swedish
    assert "Förlängning Förlängt till den 31 augusti 2022" in swedish
    assert "Finansiering Interreg Europe" in swedish
    assert "Huvudpartner Catalan Agency for Business Competitiveness (ACCIÓ)" in swedish
    assert "Project period 1 January 2017 – 30 June 2021" in english
    assert "Extension Extended until 31 August 2022" in english


def test_stakeholder_group_lists_its_members(client, demo):
    swedish = text_of(client.get(RAISE_SV))
    english = text_of(client.get(RAISE_EN))

    assert "Partnerskapet för sociala innovationer i Örebro län" in swedish
    for member in ["Verdandi", "Karlskoga kommun", "Hällefors folkhögskola", "Lindesbergs kommun"]:
        assert member in swedish
    assert "The Partnership for Social Innovation in Örebro County" in english
    assert "Karlskoga Municipality (public sector)" in english


def test_project_meetings_are_listed_as_past_by_date(client, demo):
    text = text_of(client.get(RAISE_SV))

    assert "Inga kommande möten är planerade." in text
    past = text[text.index("Tidigare möten") :]
    dates = ["4–5 april 2018", "15 februari 2018", "30–31 januari 2017"]
    assert [past.index(d) for d in dates] == sorted(past.index(d) for d in dates)


def test_contacts_show_name_and_job_title_in_each_language(client, demo):
    swedish = text_of(client.get(RAISE_SV))
    english = text_of(client.get(RAISE_EN))

    assert "Kontakter Anders Bro Utvecklingsledare: Social ekonomi" in swedish
    assert "Mona Hedfeldt Utvecklingsledare: Civilsamhälle" in swedish
    assert "Contacts Anders Bro Development Manager: Social Economy" in english


def test_feedback_question_is_a_real_form(client, demo):
    html = client.get(RAISE_SV).content.decode()

    assert "Hade du nytta av innehållet på denna sida?" in html
    assert '<form method="post" action="/feedback/" class="feedback__question">' in html
    assert '<button type="submit" name="answer" value="yes">Ja</button>' in html
    assert '<button type="submit" name="answer" value="no">Nej</button>' in html


def test_last_updated_line_in_each_language(client, demo):
    assert "Senast uppdaterad: den 5 oktober 2021" in text_of(client.get(RAISE_SV))
    assert "Last updated: 5 October 2021" in text_of(client.get(RAISE_EN))


def test_ended_project_says_so(client, demo):
    assert "Projektet är avslutat" in text_of(client.get(RAISE_SV))
    assert "The project has ended" in text_of(client.get(RAISE_EN))


def test_ongoing_project_does_not_say_it_has_ended(client, demo):
    project = Page.objects.get(pk=5).project
    project.end_date = project.extension_end_date = None
    project.end_date = project.start_date.replace(year=2099)
    project.save()

    text = text_of(client.get(RAISE_SV))

    assert "Projektet är avslutat" not in text
    assert "Status Pågående" in text


def test_untranslated_page_falls_back_to_swedish_marked_as_swedish(client, home):
    make_page(home, "Bara på svenska", "bara-svenska", lead_sv="En svensk ingress.")

    response = client.get("/en/bara-svenska/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 lang="sv">Bara på svenska</h1>' in html
    assert '<p class="lead" lang="sv">En svensk ingress.</p>' in html
    assert "This page is only available in Swedish." in html
    assert "Did the content help you?" in html


def test_translated_page_has_no_swedish_marking(client, demo):
    response = client.get(RAISE_EN)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>RaiSE – Strengthening the competitiveness of social enterprises</h1>" in html
    assert 'lang="sv">RaiSE' not in html
    assert "only available in Swedish" not in html


def test_unknown_query_parameters_are_ignored(client, demo):
    plain = client.get(RAISE_SV)
    with_query = client.get(RAISE_SV + "?utm_source=x&page=%00&q=<script>")

    assert with_query.status_code == 200
    assert text_of(with_query) == text_of(plain)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/sv/finns-inte/", "Sidan kunde inte hittas"),
        ("/en/does-not-exist/", "Page not found"),
        ("/sv/kultur-och-civilsamhalle/finns-inte/", "Sidan kunde inte hittas"),
        ("/sv/kultur och civilsamhalle/", "Sidan kunde inte hittas"),
        ("/sv/%00/", "Sidan kunde inte hittas"),
        ("/sv/..%2F..%2Fetc/", "Sidan kunde inte hittas"),
        ("/sv/%F0%9F%92%A9/", "Sidan kunde inte hittas"),
        ("/sv/" + "a" * 5000 + "/", "Sidan kunde inte hittas"),
        ("/sv/" + "a/" * 600, "Sidan kunde inte hittas"),
        ("/en/kultur-och-civilsamhalle/", "Page not found"),
    ],
)
def test_unknown_or_odd_paths_get_a_styled_404_in_the_right_language(client, demo, path, expected):
    response = client.get(path)

    assert response.status_code == 404
    text = text_of(response)
    language = "en" if expected == "Page not found" else "sv"
    html = response.content.decode()
    assert f"<h1>{expected}</h1>" in html
    assert f'<html lang="{language}">' in html
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html
    assert f'<a href="/{language}/">' in html  # the way back to the home page
    assert "Region Örebro" in text


def test_unknown_language_prefix_ends_in_a_404(client, demo):
    response = client.get("/de/kultur-och-civilsamhalle/", follow=True)

    assert response.status_code == 404
    assert "Sidan kunde inte hittas" in text_of(response)
    assert "Gå till startsidan" in text_of(response)


def test_draft_is_hidden_from_visitors(client, home):
    make_page(home, "Utkast", "utkast", status=Page.Status.DRAFT)

    assert client.get("/sv/utkast/").status_code == 404


def test_staff_preview_a_draft_with_a_banner(client, home, admin_user):
    make_page(home, "Utkast", "utkast", status=Page.Status.DRAFT)
    client.force_login(admin_user)

    response = client.get("/sv/utkast/")

    assert response.status_code == 200
    assert "Förhandsvisning: besökare kan inte se den här sidan." in text_of(response)


def test_public_pages_set_no_cookies_and_do_not_vary_on_them(client, demo):
    response = client.get(RAISE_SV)

    assert response.status_code == 200
    assert response.cookies == {}
    assert "Cookie" not in response.get("Vary", "")


def test_calendar_page_lists_events(client, demo):
    text = text_of(client.get("/sv/kalender/"))

    assert "Det finns inga kommande evenemang." in text
    assert "Evenemangsarkiv 2018 2017" in text
    assert "Partnermöte i Örebro" in text_of(client.get("/sv/kalender/", {"year": "2018"}))
    assert "Projektstart i Barcelona" in text_of(client.get("/sv/kalender/", {"year": "2017"}))
    english = text_of(client.get("/en/calendar/", {"year": "2017"}))
    assert "Kick-off meeting in Barcelona" in english


def test_search_finds_published_pages(client, demo):
    text = text_of(client.get("/sv/sok/", {"q": "sociala företag"}))

    assert "En träff för ”sociala företag”" in text
    assert "RaiSE - Stärk sociala företags konkurrenskraft" in text


def test_overlong_search_gets_a_message_not_an_error(client, demo):
    response = client.get("/en/search/", {"q": "x" * 5000})

    assert response.status_code == 200
    assert "Your search is too long." in text_of(response)


def test_project_list_shows_the_project_with_its_status(client, demo):
    text = text_of(client.get("/en/culture-and-civil-society/ongoing-initiatives/projects/"))

    assert (
        "RaiSE – Strengthening the competitiveness of social enterprises Ended · Interreg Europe"
    ) in text


def test_names_in_another_language_are_marked_for_screen_readers(client, demo):
    swedish = client.get(RAISE_SV).content.decode()
    english = client.get(RAISE_EN).content.decode()

    assert '<span lang="en">Enhancing social enterprises competitiveness' in swedish
    assert '<span class="partner__name" lang="en">Catalan Agency' in swedish
    assert '<span class="partner__name">Region Örebro län</span>' in swedish
    assert '<span class="partner__name">Catalan Agency' in english
    assert '<span class="partner__name">IFKA' in english
    assert '<span lang="sv">Verdandi</span>' in english


def test_events_of_draft_projects_stay_off_the_calendar(client, demo):
    shown = text_of(client.get("/sv/kalender/", {"year": "2018"}))
    page = Page.objects.get(pk=5)
    page.status = Page.Status.DRAFT
    page.save()
    Event.objects.create(title_sv="Öppet möte utan projekt", start=Event.objects.get(pk=3).start)

    response = client.get("/sv/kalender/", {"year": "2018"})

    assert response.status_code == 200
    assert "Partnermöte i Örebro" in shown
    assert "Öppet möte utan projekt" in text_of(response)
    assert "Partnermöte i Örebro" not in text_of(response)


@pytest.mark.parametrize("query", ["\x00", "a\x00b", "%", "_", "' OR 1=1 --", "ö" * 199])
def test_odd_searches_never_fail(client, demo, query):
    response = client.get("/sv/sok/", {"q": query})

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("url", "search", "sections", "heading"),
    [
        ("/sv/finns-inte/", "/sv/sok/", "Kultur och civilsamhälle", "Webbplatsens huvudområden"),
        (
            "/en/does-not-exist/",
            "/en/search/",
            "Culture and civil society",
            "Main sections of the website",
        ),
    ],
)
def test_not_found_page_offers_search_and_the_main_sections(
    client, demo, url, search, sections, heading
):
    response = client.get(url)
    html = response.content.decode()

    assert response.status_code == 404
    assert f'<form class="search-form" method="get" action="{search}" role="search">' in html
    assert heading in html
    assert f">{sections}</a>" in html


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/sv/tillganglighetsredogorelse/", "Rapportera brister"),
        ("/en/accessibility-statement/", "Report a problem"),
    ],
)
def test_accessibility_statement_gives_an_address_that_answers(client, demo, url, heading):
    html = client.get(url).content.decode()
    report = html[html.index(f"<h2>{heading}</h2>") :]

    assert 'href="mailto:regionorebrolan@regionorebrolan.se"' in report.split("<h2>")[1]
