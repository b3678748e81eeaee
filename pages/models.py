import re

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override
from modeltranslation.utils import build_localized_fieldname
from tree_queries.query import TreeQuerySet

from contacts.models import Contact, Organisation, text_language_field

from .mixins import (
    DEFAULT_LANGUAGE,
    LANGUAGE_CODES,
    LOOP_MESSAGE,
    PATH_MAX_LENGTH,
    EditTrackingMixin,
    MenuMixin,
    PublishingMixin,
    TreePathsMixin,
    current_language,
    path_field,
    path_starts_with,
)
from .richtext import sanitise


def shown_language(obj, field: str, language: str | None = None) -> str:
    """The language of the text `obj.field` shows on a page in `language`.

    Text falls back to the default language when a translation is missing; a model can say
    that the default-language text is really in another language with `<field>_language`.
    """
    language = language or current_language()
    if language != DEFAULT_LANGUAGE and not shows_fallback(obj, field, language):
        return language
    return getattr(obj, f"{field}_language", "") or DEFAULT_LANGUAGE


def shows_fallback(obj, field: str, language: str | None = None) -> bool:
    """Whether `obj.field` shows default-language text because `language` has none."""
    language = language or current_language()
    if language == DEFAULT_LANGUAGE:
        return False
    return not getattr(obj, build_localized_fieldname(field, language)) and bool(
        getattr(obj, build_localized_fieldname(field, DEFAULT_LANGUAGE))
    )


class PageQuerySet(TreeQuerySet):
    def published(self):
        """Pages visitors may see now: published and inside their publishing window."""
        now = timezone.now()
        return self.filter(
            Q(publish_from__isnull=True) | Q(publish_from__lte=now),
            Q(publish_until__isnull=True) | Q(publish_until__gt=now),
            status=self.model.Status.PUBLISHED,
        )

    def stale(self, today=None):
        """Pages whose "Senast uppdaterad" date is twelve months old or older."""
        return self.filter(last_updated__lte=one_year_before(today or timezone.localdate()))

    def translation_outdated(self, language: str = "en"):
        """Pages translated into `language` whose Swedish text changed after that translation."""
        default_edited = f"{DEFAULT_LANGUAGE}_edited_at"
        edited = f"{language}_edited_at"
        return (
            self.exclude(**{build_localized_fieldname("title", language): ""})
            .filter(**{f"{default_edited}__isnull": False})
            .filter(Q(**{f"{edited}__isnull": True}) | Q(**{f"{default_edited}__gt": F(edited)}))
        )

    def by_path(self, path: str, language: str | None = None):
        """Pages whose stored full path in `language` (default: the active one) is `path`."""
        return self.filter(**{path_field(language or current_language()): path})


def one_year_before(day):
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


class Page(TreePathsMixin, PublishingMixin, EditTrackingMixin, MenuMixin):
    class Kind(models.TextChoices):
        STANDARD = "standard", _("Standard page")
        HOME = "home", _("Home page")
        PROJECT = "project", _("Project page")
        PROJECT_LIST = "project_list", _("Project list")
        CALENDAR = "calendar", _("Calendar")
        SEARCH = "search", _("Search")

    kind = models.CharField(_("page type"), max_length=20, choices=Kind, default=Kind.STANDARD)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("address segment"),
        max_length=100,
        blank=True,
        help_text=_("The last part of the address, e.g. “projekt”. Empty only for the home page."),
    )
    lead = models.TextField(_("lead"), blank=True, help_text=_("A short introduction (ingress)."))
    body = models.TextField(_("body"), blank=True)
    meta_description = models.CharField(
        _("meta description"),
        max_length=300,
        blank=True,
        help_text=_("Shown by search engines. One or two sentences."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("page owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_pages",
        help_text=_("Receives visitor feedback about this page."),
    )
    contacts = models.ManyToManyField(
        Contact, verbose_name=_("contacts"), through="PageContact", blank=True
    )

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        body_fields = [build_localized_fieldname("body", lang) for lang in LANGUAGE_CODES]
        for field in body_fields:
            setattr(self, field, sanitise(getattr(self, field)))
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *body_fields}
        super().save(*args, **kwargs)

    def addresses_changed(self, moved_from):
        Redirect.objects.follow_move(self, moved_from)

    def clean(self):
        errors = {}
        self.clean_place_in_tree(errors)
        self.clean_slugs(errors)
        self.clean_publishing_window(errors)
        if errors:
            raise ValidationError(errors)

    def clean_place_in_tree(self, errors: dict):
        if self.kind == self.Kind.HOME:
            if self.parent_id:
                errors["parent"] = _("The home page cannot sit below another page.")
            elif (
                Page.objects.filter(kind=self.Kind.HOME, parent__isnull=True)
                .exclude(pk=self.pk)
                .exists()
            ):
                errors["kind"] = _("There is already a home page.")
        elif not self.parent_id:
            errors["parent"] = _("Choose the page this page sits below.")
        elif self.pk and self.descendants(include_self=True).filter(pk=self.parent_id).exists():
            errors["parent"] = LOOP_MESSAGE

    def clean_slugs(self, errors: dict):
        """Every page but the home page has a slug, unique among its siblings per language."""
        if self.kind != self.Kind.HOME and not self.effective_slug(DEFAULT_LANGUAGE):
            errors[build_localized_fieldname("slug", DEFAULT_LANGUAGE)] = _(
                "Every page except the home page needs an address segment."
            )
        if not self.parent_id or "parent" in errors:
            return
        siblings = Page.objects.filter(parent_id=self.parent_id).exclude(pk=self.pk)
        for language in LANGUAGE_CODES:
            slug = self.effective_slug(language)
            if slug and any(sibling.effective_slug(language) == slug for sibling in siblings):
                errors[build_localized_fieldname("slug", language)] = _(
                    "Another page below the same parent already uses this address segment."
                )


class PageContact(models.Model):
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="page_contacts")
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="page_links"
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("page contact")
        verbose_name_plural = _("page contacts")
        constraints = [
            models.UniqueConstraint(fields=["page", "contact"], name="unique_page_contact")
        ]

    def __str__(self):
        return f"{self.contact} – {self.page}"


class StakeholderGroup(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("stakeholder group")
        verbose_name_plural = _("stakeholder groups")

    def __str__(self):
        return self.name


class StakeholderMember(models.Model):
    group = models.ForeignKey(
        StakeholderGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="members"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("stakeholder group member")
        verbose_name_plural = _("stakeholder group members")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "organisation"], name="unique_stakeholder_member"
            )
        ]

    def __str__(self):
        return f"{self.organisation} – {self.group}"


class Project(models.Model):
    page = models.OneToOneField(
        Page,
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        related_name="project",
        limit_choices_to={"kind": Page.Kind.PROJECT},
    )
    acronym = models.CharField(_("acronym"), max_length=40)
    full_name = models.CharField(_("full name"), max_length=300, blank=True)
    full_name_language = text_language_field(_("language of the full name"), default="en")
    programme = models.CharField(
        _("funding programme"), max_length=200, blank=True, help_text=_("E.g. Interreg Europe.")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    extension_end_date = models.DateField(
        _("extension end date"),
        null=True,
        blank=True,
        help_text=_("Fill in only if the project has been extended."),
    )
    extension_text = models.TextField(
        _("about the extension"), blank=True, help_text=_("What the extension is about.")
    )
    stakeholder_group = models.ForeignKey(
        StakeholderGroup,
        verbose_name=_("stakeholder group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
    )

    class Meta:
        ordering = ["acronym"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self):
        return self.acronym

    def get_absolute_url(self):
        return self.page.get_absolute_url()

    @property
    def final_date(self):
        return self.extension_end_date or self.end_date

    def has_ended(self, today=None) -> bool:
        return self.final_date < (today or timezone.localdate())

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot be before the start date.")
        if self.extension_end_date and self.end_date and self.extension_end_date <= self.end_date:
            errors["extension_end_date"] = _("An extension must end after the original end date.")
        if errors:
            raise ValidationError(errors)


class ProjectPartner(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead partner")
        PARTNER = "partner", _("Partner")
        ADVISORY = "advisory", _("Advisory partner")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="partners"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT
    )
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.PARTNER)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("project partner")
        verbose_name_plural = _("project partners")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation"], name="unique_project_partner"
            )
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"


class Event(models.Model):
    title = models.CharField(_("title"), max_length=200)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True)
    all_day = models.BooleanField(
        _("all day"), default=False, help_text=_("Show only the dates, not the times.")
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    registration_url = models.URLField(
        _("registration link"), blank=True, help_text=_("Where visitors sign up, if they need to.")
    )
    modified_at = models.DateTimeField(_("modified"), auto_now=True)
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self):
        return f"{self.title} ({timezone.localtime(self.start):%Y-%m-%d})"

    def get_absolute_url(self, calendar=None, language=None):
        """The event's page below the calendar page, e.g. /sv/kalender/3-partnermote-i-orebro/."""
        calendar = calendar or Page.objects.published().filter(kind=Page.Kind.CALENDAR).first()
        if calendar is None:
            return ""
        language = language or current_language()
        with override(language):
            slug = slugify(self.title)
        return f"{calendar.get_absolute_url(language)}{self.pk}-{slug}/"

    def finish(self):
        return self.end or self.start

    def is_upcoming(self, now=None) -> bool:
        """Whether the event has not yet finished; an all-day event lasts its whole last day."""
        now = now or timezone.now()
        finish = self.end or self.start
        if self.all_day:
            return timezone.localdate(finish) >= timezone.localdate(now)
        return finish >= now

    def clean(self):
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end cannot be before the start.")})


class Feedback(models.Model):
    """A visitor's answer to “Hade du nytta av innehållet på denna sida?”. No personal data."""

    page = models.ForeignKey(
        Page, verbose_name=_("page"), on_delete=models.CASCADE, related_name="feedback"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    personal_data_removed = models.BooleanField(
        _("personal data removed"),
        default=False,
        help_text=_("E-mail addresses, phone numbers or personal identity numbers were removed."),
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        # A page's answers by time: its chart on the page form and the admin's page filter.
        indexes = [models.Index(fields=["page", "created_at"], name="feedback_page_time")]

    def __str__(self):
        answer = _("Yes") if self.helpful else _("No")
        return f"{self.page} – {answer}"


class RedirectQuerySet(models.QuerySet):
    def for_address(self, path: str, language: str):
        """The rule that answers for `path`, best first: one for exactly this address, else
        the one for the longest moved prefix above it."""
        prefixes = [path[: i + 1] for i, char in enumerate(path) if char == "/"]
        return (
            self.filter(language=language, old_path__in=prefixes)
            .filter(Q(prefix=True) | Q(old_path=path))
            .order_by(Length("old_path").desc())
        )

    def follow_move(self, page, moved_from: dict[str, set[str]]):
        """Keep the rules true after `page` was saved, in two statements however many pages
        moved with it: each address it left, and everything below that, redirects to it; no
        rule is left for an address a page now has."""
        stale = Q()
        for language in LANGUAGE_CODES:
            field = path_field(language)
            taken = [page.path(language)]
            if moved_from:
                taken = Page.objects.filter(path_starts_with(field, taken[0])).values(field)
            stale |= Q(language=language, old_path__in=taken)
            stale |= Q(language=language, old_path__in=sorted(moved_from.get(language, ())))
        self.filter(stale).delete()
        self.bulk_create(
            Redirect(language=language, old_path=old_path, page=page, prefix=True)
            for language, old_paths in moved_from.items()
            for old_path in sorted(old_paths)
        )


class Redirect(models.Model):
    """An old address that answers with a permanent redirect, per language.

    Made automatically when a page's address changes (renamed or moved): one rule for the old
    address and everything below it. Editors add rules by hand too.
    """

    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    old_path = models.CharField(
        _("old address"),
        max_length=PATH_MAX_LENGTH,
        help_text=_("Below the language prefix, with a trailing slash, e.g. “projekt/raise/”."),
    )
    prefix = models.BooleanField(
        _("addresses below it too"),
        default=False,
        help_text=_(
            "Also redirect every address below the old one, keeping the rest of the address: "
            "“projekt/raise/partner/” goes to the new address followed by “partner/”."
        ),
    )
    page = models.ForeignKey(
        Page,
        verbose_name=_("new page"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="redirects",
    )
    url = models.CharField(
        _("or new address"),
        max_length=PATH_MAX_LENGTH,
        blank=True,
        help_text=_("An address on this site starting with /, or a full https:// address."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RedirectQuerySet.as_manager()

    class Meta:
        ordering = ["language", "old_path"]
        verbose_name = _("redirect")
        verbose_name_plural = _("redirects")
        constraints = [
            models.UniqueConstraint(fields=["language", "old_path"], name="unique_redirect")
        ]

    def __str__(self):
        return f"/{self.language}/{self.old_path} → {self.target()}"

    def target(self) -> str:
        if self.page_id:
            return self.page.get_absolute_url(self.language)
        return self.url

    def target_for(self, path: str) -> str:
        """Where a request for `path`, which this rule answers for, is sent."""
        rest = path[len(self.old_path) :] if self.prefix else ""
        return f"{self.target()}{rest}"

    def clean(self):
        errors = {}
        if bool(self.page_id) == bool(self.url):
            errors["url"] = _("Choose either a page or an address.")
        elif self.url and not (
            (self.url.startswith("/") and not self.url.startswith("//"))
            or self.url.startswith("https://")
        ):
            errors["url"] = _("Use an address starting with / or https://.")
        elif self.url and self.prefix and not self.url.endswith("/"):
            errors["url"] = _("To redirect the addresses below too, end the address with /.")
        if self.old_path and not re.fullmatch(r"(?:[-a-zA-Z0-9_]+/)+", self.old_path):
            errors["old_path"] = _("Use address segments followed by slashes, e.g. “projekt/”.")
        elif (
            # Every page's parent has an address too, so no page sits below a free address.
            self.language in LANGUAGE_CODES
            and Page.objects.by_path(self.old_path, self.language).exists()
        ):
            errors["old_path"] = _("A page already has this address.")
        if errors:
            raise ValidationError(errors)


class SearchDocument(models.Model):
    """What the site search finds of one page in one language; kept by `pages.search`.

    `text` is what visitors read there (lead, body, project facts and contacts, in Swedish
    where the translation is missing), for snippets. On PostgreSQL `vector` holds its
    weighted, stemmed words (title A, lead B, body C, the rest D) and `summary` those of the
    title, lead and the body's first words; on SQLite the words are in an FTS5 table per
    language instead (migration 0008), one row per page.
    """

    page = models.ForeignKey(
        Page, verbose_name=_("page"), on_delete=models.CASCADE, related_name="search_documents"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    text = models.TextField(_("text"), blank=True)
    vector = SearchVectorField(null=True, editable=False)
    # Title, lead and the start of the body: what PostgreSQL ranks by (see pages.search).
    summary = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["page", "language"]
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(fields=["page", "language"], name="unique_search_document")
        ]
        # Made on PostgreSQL only, without fastupdate (migration 0008).
        indexes = [GinIndex(fields=["vector"], name="pages_search_vector_gin")]

    def __str__(self):
        return f"{self.page} ({self.language})"


from .cache_models import CacheEntry  # noqa: E402, F401 (the page cache's table)
