"""How many cached pages typical saves end, on a site of more than 1,000 pages.

Builds a throw-away site (the demo content plus five sections of 210 pages each, 40 project
pages with 5 meetings each, and 60 contacts on pages), caches every page in Swedish and
English, every event page, the calendar, its feed and two searches, then makes typical saves
one at a time and, after each, asks for every cached address again: the ones rendered afresh
are the pages that save ended. Prints one line per save. Run by `make bench`, or alone:
`.venv/bin/python scripts/invalidation.py`.
"""

import datetime
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(tempfile.mkdtemp(prefix="raise-invalidation-"))
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "raise_site.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{WORK}/site.sqlite3",
        "CACHE_DIR": str(WORK / "cache"),
        "STATIC_ROOT": str(WORK / "static"),
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }
)
os.environ.pop("REDIS_URL", None)
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from contacts.models import Contact, Organisation  # noqa: E402
from pages.models import Event, Page, PageContact, Project, ProjectPartner  # noqa: E402

SECTIONS, SUBSECTIONS, PAGES = 5, 10, 20
PROJECTS, MEETINGS, CONTACTS = 40, 5, 60
BODY = "<p>Regional utveckling i Örebro län: arbete, företag och civilsamhälle.</p>" * 5


def published(parent, title, slug, **fields):
    return Page.objects.create(
        parent=parent,
        title_sv=title,
        slug_sv=slug,
        title_en=title.replace("Sida", "Page"),
        slug_en=slug,
        lead_sv=f"Om {title.lower()}.",
        body_sv=BODY,
        status=Page.Status.PUBLISHED,
        **fields,
    )


def build_site():
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    call_command("loaddata", "demo", verbosity=0)
    home = Page.objects.get(kind=Page.Kind.HOME)
    leaves = []
    for s in range(SECTIONS):
        section = published(home, f"Område {s}", f"omrade-{s}")
        for t in range(SUBSECTIONS):
            subsection = published(section, f"Avsnitt {s}.{t}", f"avsnitt-{t}")
            for p in range(PAGES):
                leaves.append(published(subsection, f"Sida {s}.{t}.{p}", f"sida-{p}"))
    project_list = Page.objects.get(kind=Page.Kind.PROJECT_LIST)
    organisations = list(Organisation.objects.all())
    today = timezone.localdate()
    for n in range(PROJECTS):
        page = published(project_list, f"Projekt {n}", f"projekt-{n}", kind=Page.Kind.PROJECT)
        project = Project.objects.create(
            page=page,
            acronym=f"P{n}",
            programme_sv="Interreg Europe" if n % 2 else "ESF",
            start_date=today - datetime.timedelta(days=400),
            end_date=today + datetime.timedelta(days=400 + n),
        )
        for i, organisation in enumerate(organisations[n % 5 : n % 5 + 4]):
            ProjectPartner.objects.create(project=project, organisation=organisation, position=i)
        for m in range(MEETINGS):
            Event.objects.create(
                title_sv=f"Möte {n}.{m}",
                start=timezone.now() + datetime.timedelta(days=30 * m - 60, hours=n),
                project=project,
            )
    for c in range(CONTACTS):
        contact = Contact.objects.create(name=f"Kontakt {c}", job_title_sv="Handläggare")
        for page in leaves[c * 7 : c * 7 + 1 + c % 3]:
            PageContact.objects.create(page=page, contact=contact)


def addresses():
    urls = [
        page.get_absolute_url(code)
        for page in Page.objects.published()
        for code in ("sv", "en")
        if code == "sv" or page.is_translated(code)
    ]
    calendar = Page.objects.get(kind=Page.Kind.CALENDAR)
    urls += [event.get_absolute_url(calendar, "sv") for event in Event.objects.all()]
    urls += ["/sv/events.ics", "/sv/sok/?q=sociala", "/sv/sok/?q=projekt"]
    return urls


def rendered(client, urls):
    """The addresses among `urls` that the page cache had to render."""
    return [url for url in urls if client.get(url)["X-Page-Cache"] == "miss"]


def edit_event():
    event = Event.objects.filter(project__acronym="P7").first()
    event.place_sv = "Karlskoga"
    event.save()


def edit_contact():
    contact = Contact.objects.get(name="Kontakt 12")
    contact.job_title_sv = "Enhetschef"
    contact.save()


def edit_text():
    page = Page.objects.get(title_sv="Sida 2.3.4")
    page.body_sv = "<p>Ny text.</p>"
    page.save()


def edit_title():
    page = Page.objects.get(title_sv="Sida 1.5.9")
    page.title_sv = "Sida 1.5.9 (ny rubrik)"
    page.save()


def edit_project():
    project = Project.objects.get(acronym="P3")
    project.programme_sv = "Interreg Sverige"
    project.save()


def edit_menu():
    page = Page.objects.get(title_sv="Område 4")
    page.title_sv = "Område fyra"
    page.save()


SAVES = [
    ("one event's place", edit_event),
    ("one contact's job title", edit_contact),
    ("one page's text", edit_text),
    ("one page's title (not in the menu)", edit_title),
    ("one project's programme", edit_project),
    ("a top-level page's title (the menu)", edit_menu),
]


def main():
    setup_test_environment()
    build_site()
    client = Client(headers={"Accept-Encoding": "gzip"})
    urls = addresses()
    rendered(client, urls)
    pages = Page.objects.published().count()
    print()
    print(f"{pages} published pages; {len(urls)} addresses cached (both languages, events, feeds)")
    print(f"{'save':40} {'pages ended':>12} {'share':>8}")
    for name, save in SAVES:
        save()
        ended = rendered(client, urls)
        print(f"{name:40} {len(ended):12d} {len(ended) / len(urls):8.2%}")
    typical = [name for name, _save in SAVES[:3]]
    print()
    print(f"Target: a typical save ({', '.join(typical)}) ends under 1 % of cached pages.")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
