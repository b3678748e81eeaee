"""What each cached page showed, and which cached pages a save ends.

While the page cache renders a page, the views and template tags name what it shows as
*tags*; a save names the tags of what it changed, and every stored page carrying one of
them ends (pages/cache_store.py), on every app server at once. The tags:

``page:<id>``      the page itself: its texts, contacts, dates
``link:<id>``      how links to a page look: title, address, published or not (the
                   breadcrumbs of the pages below it)
``children:<id>``  the subpages listed on a page (their titles, leads and order)
``menu``           the menu, header and footer: top-level and footer pages, the calendar
                   and search pages; every page shows them
``kind:<kind>``    which pages of a type are published, and their titles and addresses
                   (the project list, the calendar's links to project pages)
``project:<id>``   a project's facts, partners, stakeholder group and meetings
``projects``       every project's name, programme and dates (project list, calendar)
``event:<id>``     one event; ``events``: every list of events (calendar, feeds)
``search``         search results, which any page's text can change

Contacts, organisations, partners and stakeholder groups are fanned out when they are
saved, to the pages and projects that show them, so that a page carries few tags. A view
that reads a query parameter calls `accepts()`, so that the page cache can tell which
values make another page (and add the parameter to `pages.cache.PARAMETERS`).
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save

from .models import LANGUAGE_CODES, Page, PageContact, Project, ProjectPartner
from .registry import shown_models

_recording = ContextVar("page_cache_recording", default=None)


class Recording:
    def __init__(self):
        self.tags = set()
        self.accepts = {}


@contextmanager
def recording():
    """Collect the tags and parameters of the render that runs inside the block."""
    found = Recording()
    token = _recording.set(found)
    try:
        yield found
    finally:
        _recording.reset(token)


def depends_on(*tags):
    found = _recording.get()
    if found is not None:
        found.tags.update(tags)


def accepts(name, values=None):
    """Say that the page being rendered reads the query parameter `name`: with any value
    (None), or only with one of `values`; any other value leaves the page as it is."""
    found = _recording.get()
    if found is not None:
        found.accepts[name] = None if values is None else sorted({str(v) for v in values})


# --- What pages show -----------------------------------------------------


def shows_page(request, page, context):
    """The page view's hook: the page, and what its type lists."""
    depends_on(f"page:{page.pk}")
    accepts("feedback", ["thanks"])
    if page.kind == Page.Kind.STANDARD:
        depends_on(f"children:{page.pk}")
        accepts("page")
    elif page.kind == Page.Kind.PROJECT and context.get("project"):
        depends_on(f"project:{context['project'].pk}")
    elif page.kind == Page.Kind.PROJECT_LIST:
        depends_on("projects", f"kind:{Page.Kind.PROJECT}")
        accepts("status", ["ongoing", "ended"])
        accepts("programme", context.get("programmes", []))
        accepts("page")
    elif page.kind == Page.Kind.CALENDAR:
        shows_events()
        depends_on("projects")
        accepts("project", [p.pk for p in context.get("filter_projects", [])])
        accepts("year", context.get("archive_years", []))
        accepts("month", range(1, 13))
        accepts("page")
    elif page.kind == Page.Kind.SEARCH:
        if "q" in request.GET:
            depends_on("search")
        accepts("q")
        accepts("page")


def shows_navigation(ancestor_pks):
    """The menu, header and footer, and breadcrumbs through the pages `ancestor_pks`."""
    depends_on("menu", *(f"link:{pk}" for pk in ancestor_pks))


def shows_events():
    """A list of every public event (of published projects), linking to the calendar."""
    depends_on("events", f"kind:{Page.Kind.PROJECT}", f"kind:{Page.Kind.CALENDAR}")


def shows_event(event, project_page=None):
    depends_on(f"event:{event.pk}", f"kind:{Page.Kind.CALENDAR}")
    if project_page is not None:
        depends_on(f"link:{project_page.pk}")


# --- What saves end ------------------------------------------------------

# Fields only the page itself shows; a change in them ends no other page.
OWN_FIELDS = {
    "body",
    "meta_description",
    "last_updated",
    "sv_edited_at",
    "en_edited_at",
    "owner_id",
    "modified_at",
    "created_at",
}
# Fields the page itself and its parent's list of subpages show.
SUMMARY_FIELDS = {"lead"}
NAVIGATION_KINDS = {Page.Kind.CALENDAR, Page.Kind.SEARCH}


def page_values(page) -> dict:
    return {field.attname: getattr(page, field.attname) for field in Page._meta.concrete_fields}


def page_rows(queryset):
    """Pages' stored field values, every language's own (plain `values()` gives only the
    active language's, under the untranslated names)."""
    return queryset.values(*(field.attname for field in Page._meta.concrete_fields))


def page_tags(before, after) -> set:
    """The tags a page's change from `before` to `after` ends: both are its field values, as
    from `Page.objects.values()`, and either is None when the page is new or deleted."""
    states = [state for state in (before, after) if state is not None]
    pk = states[0]["id"]
    tags = {f"page:{pk}", "search"}
    changed = _changed_fields(before, after)
    if changed - OWN_FIELDS:
        tags |= {f"children:{s['parent_id']}" for s in states if s["parent_id"]}
    if changed - OWN_FIELDS - SUMMARY_FIELDS:
        tags |= {f"link:{pk}", *(f"kind:{s['kind']}" for s in states)}
        if any(_in_navigation(s) for s in states) or _moved_with_subpages(before, after):
            tags.add("menu")
    return tags


def page_visibility_tags(values) -> set:
    """The tags ended when a page appears or disappears (its publishing starts or ends)."""
    return page_tags(None, values)


def _base_name(field: str) -> str:
    """A field's name without its language: "title_en" is "title"."""
    base, _sep, language = field.rpartition("_")
    return base if language in LANGUAGE_CODES else field


def _changed_fields(before, after) -> set:
    if before is None or after is None:
        return {_base_name(name) for name in (before or after)}
    return {_base_name(name) for name, value in after.items() if before.get(name) != value}


def _in_navigation(state) -> bool:
    """Whether the page is in the menu, header or footer (or may appear there)."""
    if state["kind"] in NAVIGATION_KINDS or state.get("show_in_footer"):
        return True
    if "depth" in state:
        return state["depth"] <= 1
    parent = state["parent_id"]
    return parent is None or Page.objects.filter(pk=parent, parent__isnull=True).exists()


def _moved_with_subpages(before, after) -> bool:
    """Whether the page's address changed and so did those of the pages below it."""
    if before is None or after is None:
        return False
    moved = any(
        before.get(name) != after.get(name)
        for name in after
        if name == "parent_id" or _base_name(name) in {"path", "slug"}
    )
    return moved and Page.objects.filter(parent_id=after["id"]).exists()


def event_tags(event) -> set:
    tags = {f"event:{event.pk}", "events"}
    if event.project_id:
        tags.add(f"project:{event.project_id}")
    return tags


def project_tags(project) -> set:
    return {f"project:{project.pk}", "projects"}


def _projects(queryset) -> set:
    return {f"project:{pk}" for pk in queryset.values_list("pk", flat=True)}


def _pages_showing(contacts) -> set:
    links = PageContact.objects.filter(contact__in=contacts)
    return {f"page:{pk}" for pk in links.values_list("page_id", flat=True)}


def contact_tags(contact) -> set:
    return _pages_showing([contact])


def organisation_tags(organisation) -> set:
    partnered = ProjectPartner.objects.filter(organisation=organisation).values("project_id")
    return (
        _projects(Project.objects.filter(pk__in=partnered))
        | _projects(Project.objects.filter(stakeholder_group__members__organisation=organisation))
        | _pages_showing(organisation.contacts.all())
    )


TAGS = {
    "pages.PageContact": lambda link: {f"page:{link.page_id}"},
    "pages.Project": project_tags,
    "pages.ProjectPartner": lambda partner: {f"project:{partner.project_id}"},
    "pages.StakeholderGroup": lambda group: _projects(group.projects.all()),
    "pages.StakeholderMember": lambda member: _projects(
        Project.objects.filter(stakeholder_group_id=member.group_id)
    ),
    "pages.Event": event_tags,
    "contacts.Contact": contact_tags,
    "contacts.Organisation": organisation_tags,
}
# Models whose text the search index holds as part of the pages that show them.
SEARCHED = set(TAGS) - {"pages.Event"}
# Models whose own foreign keys say where they are shown: a save may move them elsewhere.
MOVABLE = {"pages.PageContact", "pages.ProjectPartner", "pages.StakeholderMember", "pages.Event"}


def tags_of(instance) -> set:
    """The tags a change to `instance` ends; every page for a model this module does not
    know (added to the registry without a line here)."""
    tags_for = TAGS.get(instance._meta.label)
    if not tags_for:
        return {"*"}
    # The search index holds what pages show of these too: contacts, partners, project facts.
    return tags_for(instance) | ({"search"} if instance._meta.label in SEARCHED else set())


def _before_save(sender, instance, **kwargs):
    if instance.pk is None:
        before = None
    elif sender is Page:
        before = page_rows(Page.objects.filter(pk=instance.pk)).first()
    elif sender._meta.label in MOVABLE:
        old = sender._default_manager.filter(pk=instance.pk).first()
        before = tags_of(old) if old else None
    else:
        before = None
    instance._page_cache_before = before


def _saved(sender, instance, **kwargs):
    from .cache_store import invalidate

    before = instance.__dict__.pop("_page_cache_before", None)
    if sender is Page:
        invalidate(page_tags(before, page_values(instance)))
    else:
        invalidate((before or set()) | tags_of(instance))


def _deleting(sender, instance, **kwargs):
    from .cache_store import invalidate

    if sender is Page:
        invalidate(page_tags(page_values(instance), None))
    else:
        invalidate(tags_of(instance))


def _contacts_changed(sender, instance, action, reverse, pk_set, **kwargs):
    from .cache_store import invalidate

    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if not reverse:
        invalidate({f"page:{instance.pk}", "search"})
    elif pk_set:
        invalidate({f"page:{pk}" for pk in pk_set} | {"search"})
    else:
        invalidate(contact_tags(instance) | {"search"})


def connect_signals():
    for model in shown_models():
        uid = f"page-cache-{model._meta.label}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"{uid}-before")
        post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}-saved")
        pre_delete.connect(_deleting, sender=model, dispatch_uid=f"{uid}-deleting")
    m2m_changed.connect(
        _contacts_changed, sender=Page.contacts.through, dispatch_uid="page-cache-contacts"
    )
