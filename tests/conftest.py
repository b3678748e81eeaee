import datetime
import json
import os
import re
import socketserver
import threading

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.core.signals import request_finished, request_started
from django.db import OperationalError, close_old_connections, connection, connections, transaction
from django.test.utils import modify_settings
from django.utils import timezone, translation
from django.utils.html import strip_tags

from contacts.models import Contact, Organisation
from pages.models import (
    LANGUAGE_CODES,
    Event,
    Page,
    PageContact,
    Project,
    ProjectPartner,
    SearchDocument,
    StakeholderGroup,
    StakeholderMember,
)
from pages.search_index import fts_table

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
        # The search index's rows of the demo pages go with them.
        SearchDocument._base_manager.all()._raw_delete(connection.alias)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                for language in LANGUAGE_CODES:
                    cursor.execute(f"DELETE FROM {fts_table(language)}")  # noqa: S608


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
        # pytest-django makes it a transactional test or not, from the marker and fixtures.
        request.getfixturevalue("db")
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


# --- A real browser on the site ----------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def sync_orm_beside_playwright():
    """Playwright's synchronous API keeps an event loop running in the tests' thread, and
    Django refuses ORM calls while it sees one; the tests' own ORM calls are synchronous all
    the same. They are allowed while a module's browser runs, and no longer."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(sync_orm_beside_playwright):
    """Debian's Chromium, headless; Playwright never downloads a browser of its own."""
    from playwright.sync_api import sync_playwright

    before = {conn.alias: conn for conn in connections.all()}
    with sync_playwright() as playwright:
        # With an event loop running, Django keeps this thread's connections apart from the
        # ones it had before (asgiref's Local); keep using those, and their transactions.
        for alias, conn in before.items():
            connections[alias] = conn
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab of its own (no cookies, no history) at 1280 × 900."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


class QuietRequestHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class ThreadedServer(socketserver.ThreadingMixIn, WSGIServer):
    """A thread per browser connection, so that one the browser opens ahead and leaves idle
    holds up no other; `one_at_a_time` lets only one of them use the database at once."""

    daemon_threads = True


def one_at_a_time(application, shared):
    """`application` on the tests' own database connections (`shared`), one request at a time,
    without Django's closing of old connections around each request: the connections sit
    inside the tests' transaction, as with Django's test client."""
    lock = threading.Lock()

    def serve(environ, start_response):
        with lock:
            for alias, conn in shared.items():
                connections[alias] = conn
            request_started.disconnect(close_old_connections)
            request_finished.disconnect(close_old_connections)
            try:
                response = application(environ, start_response)
                body = b"".join(response)
                response.close()  # sends request_finished
            finally:
                request_started.connect(close_old_connections)
                request_finished.connect(close_old_connections)
        return [body]

    return serve


class SiteServer(threading.Thread):
    """The site, static files included, served from threads that use the tests' own database
    connections: pages show what a test wrote in its transaction, and its rollback undoes
    whatever the browser changed."""

    def __init__(self, host, port):
        super().__init__(daemon=True)
        self.address = (host, port)
        self.shared = {conn.alias: conn for conn in connections.all()}
        self.ready = threading.Event()
        self.error = None

    def run(self):
        try:
            self.httpd = ThreadedServer(self.address, QuietRequestHandler)
        except OSError as error:
            self.error = error
        else:
            app = StaticFilesHandler(WSGIHandler())
            self.httpd.set_app(one_at_a_time(app, self.shared))
        self.ready.set()
        if not self.error:
            self.httpd.serve_forever(poll_interval=0.05)

    def __enter__(self):
        for conn in self.shared.values():
            conn.inc_thread_sharing()
        self.start()
        self.ready.wait()
        if self.error:
            raise self.error
        return "http://{}:{}".format(*self.httpd.server_address[:2])

    def __exit__(self, *exc_info):
        if not self.error:
            self.httpd.shutdown()
            self.httpd.server_close()
        self.join()
        for conn in self.shared.values():
            conn.dec_thread_sharing()


@pytest.fixture(scope="module")
def site_server(request):
    """The address of the site served to the browser; pytest-django's --liveserver (or
    DJANGO_LIVE_TEST_SERVER_ADDRESS) chooses the host and port, by default any free port."""
    address = (
        request.config.getvalue("liveserver")
        or os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "127.0.0.1:0"
    )
    host, _, port = address.partition(":")
    with modify_settings(ALLOWED_HOSTS={"append": host}), SiteServer(host, int(port or 0)) as url:
        yield url


@pytest.fixture
def site(site_server, demo):
    """The address of the site with the demo content, inside this test's transaction."""
    return site_server
