import datetime
import os
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.html import strip_tags

from contacts.models import Contact, Organisation
from pages.models import (
    Event,
    Page,
    PageContact,
    Project,
    ProjectPartner,
    StakeholderGroup,
    StakeholderMember,
)

RAISE_SV = (
    "/sv/kultur-och-civilsamhalle/pagaende-insatser/projekt/stark-sociala-foretags-konkurrenskraft/"
)
RAISE_EN = (
    "/en/culture-and-civil-society/ongoing-initiatives/projects/"
    "strengthen-social-enterprises-competitiveness/"
)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, one for every browser test of the run: two
    Playwright instances cannot run in one thread at once."""
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        # Playwright's synchronous API runs an event loop in this thread; the ORM calls that
        # tests make between browser steps are synchronous all the same.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache: no cached pages, no rate-limit counts."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in Swedish, whatever language the previous test's last request used."""
    translation.activate("sv")
    yield
    translation.activate("sv")


@pytest.fixture
def demo(db):
    call_command("loaddata", "demo", verbosity=0)


@pytest.fixture
def home(db):
    return Page.objects.create(
        kind=Page.Kind.HOME, title_sv="Startsida", title_en="Home", status=Page.Status.PUBLISHED
    )


def make_page(parent, title_sv, slug_sv, title_en="", slug_en="", **fields):
    fields.setdefault("status", Page.Status.PUBLISHED)
    return Page.objects.create(
        parent=parent,
        title_sv=title_sv,
        slug_sv=slug_sv,
        title_en=title_en,
        slug_en=slug_en,
        **fields,
    )


def make_project_page(parent, partners, contacts, slug="projektet"):
    page = make_page(parent, "Ett projekt", slug, kind=Page.Kind.PROJECT)
    group = StakeholderGroup.objects.create(name_sv=f"Grupp {slug}")
    project = Project.objects.create(
        page=page,
        acronym="PRJ",
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2030, 12, 31),
        stakeholder_group=group,
    )
    for i in range(partners):
        organisation = Organisation.objects.create(name_sv=f"Organisation {slug} {i}", country="SE")
        ProjectPartner.objects.create(
            project=project,
            organisation=organisation,
            role=ProjectPartner.Role.LEAD if i == 0 else ProjectPartner.Role.PARTNER,
            position=i,
        )
        StakeholderMember.objects.create(group=group, organisation=organisation, position=i)
    for i in range(contacts):
        contact = Contact.objects.create(name=f"Person {slug} {i}", job_title_sv="Handläggare")
        PageContact.objects.create(page=page, contact=contact, position=i)
        start = timezone.now() + datetime.timedelta(days=i - contacts // 2)
        Event.objects.create(title_sv=f"Möte {i}", start=start, project=project)
    return page


def text_of(response) -> str:
    """The visible text of a response, with white space folded."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(strip_tags(html).split())


def admin_form_data(response, **changes) -> dict:
    """The POST data an admin change form would send as shown in `response`, with `changes`."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None or value is False:
                continue
            key = form.add_prefix(name)
            if isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            elif isinstance(value, datetime.datetime):  # the admin's split date and time
                value = timezone.localtime(value)
                data[f"{key}_0"] = value.date().isoformat()
                data[f"{key}_1"] = value.time().isoformat()
            else:
                data[key] = str(value)
                if field.show_hidden_initial:  # fields with a callable default, as browsers do
                    data[form.add_initial_prefix(name)] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    data.update(changes)
    return data
