import datetime
import json
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import OperationalError, connection, transaction
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


# --- The demo content, loaded once per run ----------------------------------------------


def demo_models():
    """The models fixtures/demo.json fills, with their many-to-many tables."""
    with open(settings.BASE_DIR / "fixtures" / "demo.json", encoding="utf-8") as f:
        names = dict.fromkeys(entry["model"] for entry in json.load(f))
    models = [apps.get_model(name) for name in names]
    tables = [
        field.remote_field.through
        for model in models
        for field in model._meta.local_many_to_many
        if field.remote_field.through._meta.auto_created
    ]
    return models + tables


def demo_is_loaded() -> bool:
    return Page.objects.filter(pk=5, slug_sv="stark-sociala-foretags-konkurrenskraft").exists()


def remove_demo():
    """Delete every demo row at once. Foreign keys are checked when the transaction ends, and
    nothing outside the demo tables refers to them then, so the order does not matter."""
    with transaction.atomic():
        for model in demo_models():
            model._base_manager.all()._raw_delete(connection.alias)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with the demo content loaded once for the whole run.

    Each test runs in a transaction that is rolled back, so what one test changes no other
    sees. Tests that do not ask for `demo` see a site without it (see below)."""
    with django_db_blocker.unblock():
        call_command("loaddata", "demo", verbosity=0)


def uses_database(request) -> bool:
    return bool(
        request.node.get_closest_marker("django_db")
        or {"db", "transactional_db"} & set(request.fixturenames)
    )


@pytest.fixture(autouse=True)
def demo_only_when_asked_for(request):
    """A test that does not ask for `demo` starts from a site without content, as before the
    demo was loaded; its transaction's rollback brings the demo back for the next test.

    Transactional tests empty the database when they end; `demo` loads it again for them."""
    if uses_database(request) and "demo" not in request.fixturenames:
        transactional = request.node.get_closest_marker("django_db")
        transactional = "transactional_db" in request.fixturenames or (
            transactional is not None and transactional.kwargs.get("transaction", False)
        )
        request.getfixturevalue("transactional_db" if transactional else "db")
        if demo_is_loaded():
            remove_demo()


@pytest.fixture
def demo(db):
    """The demo content (fixtures/demo.json), as `make run` shows it."""
    if not demo_is_loaded():
        call_command("loaddata", "demo", verbosity=0)


@pytest.fixture
def database_down():
    """Every query fails as if the database server had gone away."""

    def refuse(execute, sql, params, many, context):
        raise OperationalError("server closed the connection unexpectedly")

    with connection.execute_wrapper(refuse):
        yield


# --- Content made by tests -------------------------------------------------------------


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
