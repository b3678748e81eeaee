import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from contacts.models import Contact, Organisation, text_language_field

from .richtext import sanitise

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
DEFAULT_LANGUAGE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
PATH_MAX_LENGTH = 1000


def current_language() -> str:
    language = get_language()
    return language if language in LANGUAGE_CODES else DEFAULT_LANGUAGE


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


class PageQuerySet(models.QuerySet):
    def published(self):
        """Pages visitors may see now: published and inside their publishing window."""
        now = timezone.now()
        return self.filter(
            Q(publish_from__isnull=True) | Q(publish_from__lte=now),
            Q(publish_until__isnull=True) | Q(publish_until__gt=now),
            status=Page.Status.PUBLISHED,
        )

    def search(self, query: str):
        """Pages with `query` in their title, lead or body, in any language."""
        condition = Q()
        for language in LANGUAGE_CODES:
            for field in ("title", "lead", "body"):
                lookup = f"{build_localized_fieldname(field, language)}__icontains"
                condition |= Q(**{lookup: query})
        return self.filter(condition).exclude(kind=Page.Kind.SEARCH)

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


def path_field(language: str) -> str:
    return f"path_{language}"


def one_year_before(day):
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


class Page(models.Model):
    class Kind(models.TextChoices):
        STANDARD = "standard", _("Standard page")
        HOME = "home", _("Home page")
        PROJECT = "project", _("Project page")
        PROJECT_LIST = "project_list", _("Project list")
        CALENDAR = "calendar", _("Calendar")
        SEARCH = "search", _("Search")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent page"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("Every page except the home page sits below another page."),
    )
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Lower numbers come first among sibling pages.")
    )
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
    # The full address below the language prefix, e.g. "kultur-och-civilsamhalle/", one column
    # per language, so that a request finds its page in one indexed query. Kept by save().
    path_sv = models.CharField(
        _("path (Swedish)"), max_length=PATH_MAX_LENGTH, editable=False, unique=True
    )
    path_en = models.CharField(
        _("path (English)"), max_length=PATH_MAX_LENGTH, editable=False, unique=True
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)

    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    publish_from = models.DateTimeField(_("publish from"), null=True, blank=True)
    publish_until = models.DateTimeField(_("publish until"), null=True, blank=True)
    show_in_menu = models.BooleanField(_("show in menu"), default=True)
    show_in_footer = models.BooleanField(
        _("show in footer"),
        default=False,
        help_text=_("For pages every visitor should find, such as the accessibility statement."),
    )
    last_updated = models.DateField(
        _("last updated"),
        default=timezone.localdate,
        help_text=_("Shown to visitors as “Senast uppdaterad”."),
    )
    sv_edited_at = models.DateTimeField(
        _("Swedish text last edited"), null=True, blank=True, editable=False
    )
    en_edited_at = models.DateTimeField(
        _("English text last edited"), null=True, blank=True, editable=False
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
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)

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
        derived = ["depth", *(path_field(lang) for lang in LANGUAGE_CODES), *body_fields]
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *derived}
        with transaction.atomic():
            old_paths = None
            if self.pk:
                old_paths = (
                    Page.objects.filter(pk=self.pk)
                    .values_list(*(path_field(lang) for lang in LANGUAGE_CODES))
                    .first()
                )
            self.depth = self.parent.depth + 1 if self.parent_id else 0
            for language in LANGUAGE_CODES:
                parent_path = getattr(self.parent, path_field(language)) if self.parent_id else ""
                slug = self.effective_slug(language)
                path = f"{parent_path}{slug}/" if slug else parent_path
                setattr(self, path_field(language), path)
            super().save(*args, **kwargs)
            new_paths = tuple(getattr(self, path_field(lang)) for lang in LANGUAGE_CODES)
            # An address in use by a page is never also a redirect.
            for language, path in zip(LANGUAGE_CODES, new_paths, strict=True):
                Redirect.objects.filter(language=language, old_path=path).delete()
            moved = old_paths is not None and tuple(old_paths) != new_paths
            if moved:
                for language, old, new in zip(LANGUAGE_CODES, old_paths, new_paths, strict=True):
                    if old != new:
                        Redirect.objects.update_or_create(
                            language=language, old_path=old, defaults={"page": self, "url": ""}
                        )
            # Restoring an old version writes this row's paths directly, without save(); its
            # subpages then still sit below the newer address and must follow.
            if moved or (old_paths is not None and self._subpages_elsewhere(new_paths)):
                for child in self.children.all():
                    child.save()

    def get_absolute_url(self, language: str | None = None):
        language = language or current_language()
        path = getattr(self, path_field(language))
        with override(language):
            if not path:
                return reverse("pages:home")
            return reverse("pages:detail", kwargs={"path": path})

    def _subpages_elsewhere(self, paths) -> bool:
        elsewhere = Q()
        for language, path in zip(LANGUAGE_CODES, paths, strict=True):
            elsewhere |= ~Q(**{f"{path_field(language)}__startswith": path})
        return self.children.filter(elsewhere).exists()

    def is_translated(self, language: str | None = None) -> bool:
        """Whether the page has its own title in `language` rather than the Swedish fallback."""
        language = language or current_language()
        return bool(getattr(self, build_localized_fieldname("title", language)))

    def translation_outdated(self, language: str | None = None) -> bool:
        """Whether the Swedish text changed after the translation into `language` was edited."""
        language = language or current_language()
        if language == DEFAULT_LANGUAGE or not self.is_translated(language):
            return False
        default_edited = getattr(self, f"{DEFAULT_LANGUAGE}_edited_at")
        edited = getattr(self, f"{language}_edited_at")
        return default_edited is not None and (edited is None or default_edited > edited)

    def record_edit(self, changed, *, minor: bool = False, now=None) -> list[str]:
        """Note an editor's change to what visitors see on this page, and return the fields set.

        `changed` names what changed: model fields (localised ones end in their language,
        e.g. "body_en") or related content ("partners", "page_contacts"). A substantive change
        sets "Senast uppdaterad" to today, unless the editor set that date by hand, and records
        when each language's text was edited; a minor change (a typo fix) records nothing.
        """
        changed = set(changed)
        if minor or not changed:
            return []
        now = now or timezone.now()
        updated = []
        for language in LANGUAGE_CODES:
            if any(name.endswith(f"_{language}") for name in changed):
                setattr(self, f"{language}_edited_at", now)
                updated.append(f"{language}_edited_at")
        if "last_updated" not in changed:
            self.last_updated = timezone.localdate(now)
            updated.append("last_updated")
        return updated

    def is_live(self, now=None) -> bool:
        """Whether visitors can see the page now; the Python twin of `published()`."""
        now = now or timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and (self.publish_from is None or self.publish_from <= now)
            and (self.publish_until is None or self.publish_until > now)
        )

    def effective_slug(self, language: str) -> str:
        return getattr(self, build_localized_fieldname("slug", language)) or getattr(
            self, build_localized_fieldname("slug", DEFAULT_LANGUAGE)
        )

    def ancestor_paths(self, language: str) -> list[str]:
        """The stored paths of every page above this one, from the home page down."""
        segments = getattr(self, path_field(language)).split("/")[:-1]
        return ["".join(f"{s}/" for s in segments[:i]) for i in range(len(segments))]

    def clean(self):
        errors = {}
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
        if self.parent_id and self.pk:
            ancestor = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    errors["parent"] = _("A page cannot sit below itself or its own subpages.")
                    break
                ancestor = ancestor.parent
        if self.kind != self.Kind.HOME and not self.effective_slug(DEFAULT_LANGUAGE):
            errors[build_localized_fieldname("slug", DEFAULT_LANGUAGE)] = _(
                "Every page except the home page needs an address segment."
            )
        if self.parent_id and "parent" not in errors:
            siblings = Page.objects.filter(parent_id=self.parent_id).exclude(pk=self.pk)
            for language in LANGUAGE_CODES:
                slug = self.effective_slug(language)
                if slug and any(sibling.effective_slug(language) == slug for sibling in siblings):
                    errors[build_localized_fieldname("slug", language)] = _(
                        "Another page below the same parent already uses this address segment."
                    )
        if self.publish_from and self.publish_until and self.publish_until <= self.publish_from:
            errors["publish_until"] = _("The end of publishing must come after its start.")
        if errors:
            raise ValidationError(errors)


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

    def __str__(self):
        answer = _("Yes") if self.helpful else _("No")
        return f"{self.page} – {answer}"


class Redirect(models.Model):
    """An old address that answers with a permanent redirect, per language.

    Made automatically when a page's address changes (renamed or moved), and by hand.
    """

    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    old_path = models.CharField(
        _("old address"),
        max_length=PATH_MAX_LENGTH,
        help_text=_("Below the language prefix, with a trailing slash, e.g. “projekt/raise/”."),
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

    def clean(self):
        errors = {}
        if bool(self.page_id) == bool(self.url):
            errors["url"] = _("Choose either a page or an address.")
        elif self.url and not (
            (self.url.startswith("/") and not self.url.startswith("//"))
            or self.url.startswith("https://")
        ):
            errors["url"] = _("Use an address starting with / or https://.")
        if self.old_path and not re.fullmatch(r"(?:[-a-zA-Z0-9_]+/)+", self.old_path):
            errors["old_path"] = _("Use address segments followed by slashes, e.g. “projekt/”.")
        elif Page.objects.by_path(self.old_path, self.language).exists():
            errors["old_path"] = _("A page already has this address.")
        if errors:
            raise ValidationError(errors)


from .cache_models import CacheEntry  # noqa: E402, F401 (the page cache's table)
