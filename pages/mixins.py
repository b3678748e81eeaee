"""The abstract pieces a page is made of: its place in the tree with a stored address per
language, its publishing window, its edit tracking and its place in the menus."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Concat, Substr
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname
from tree_queries.models import TreeNode

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
DEFAULT_LANGUAGE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
PATH_MAX_LENGTH = 1000

LOOP_MESSAGE = _("A page cannot sit below itself or its own subpages.")


def current_language() -> str:
    language = get_language()
    return language if language in LANGUAGE_CODES else DEFAULT_LANGUAGE


def path_field(language: str) -> str:
    return f"path_{language}"


def path_starts_with(field: str, prefix: str):
    """A filter for rows whose `field` starts with `prefix`, compared exactly: SQLite's LIKE,
    and so `__startswith`, ignores case."""
    return Exact(Substr(field, 1, len(prefix)), Value(prefix))


def parent_address(path: str) -> str:
    """ "a/b/c/" → "a/b/"."""
    return path[: path.rstrip("/").rfind("/") + 1]


@dataclass(frozen=True)
class StoredPlace:
    """Where a page's row and its subpages sit in the database before a save."""

    paths: dict[str, str]
    # The address the subpages sit below now, per language, and their depth; None without any.
    subpages_below: dict[str, str] | None
    subpage_depth: int | None


class TreePathsMixin(TreeNode):
    """A place in the page tree, with the page's full address stored per language.

    A request finds its page by the stored address in one indexed query. Renaming or moving a
    page gives every page below it its new address in one UPDATE, however many there are.
    """

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent page"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("Every page except the home page sits below another page."),
    )
    # The full address below the language prefix, e.g. "kultur-och-civilsamhalle/", one column
    # per language. Kept by save().
    path_sv = models.CharField(
        _("path (Swedish)"), max_length=PATH_MAX_LENGTH, editable=False, unique=True
    )
    path_en = models.CharField(
        _("path (English)"), max_length=PATH_MAX_LENGTH, editable=False, unique=True
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") is not None:
            derived = ["depth", *(path_field(language) for language in LANGUAGE_CODES)]
            kwargs["update_fields"] = {*kwargs["update_fields"], *derived}
        with transaction.atomic():
            stored = self.stored_place()
            self.refuse_loop(stored)
            self.set_paths()
            super().save(*args, **kwargs)
            self.addresses_changed(self.move_subpages(stored))

    def addresses_changed(self, moved_from: dict[str, set[str]]):
        """Called after every save with the addresses, per language, the page and its subpages
        have just left (empty when nothing moved)."""

    def path(self, language: str) -> str:
        return getattr(self, path_field(language))

    def get_absolute_url(self, language: str | None = None):
        language = language or current_language()
        path = self.path(language)
        with override(language):
            if not path:
                return reverse("pages:home")
            return reverse("pages:detail", kwargs={"path": path})

    def effective_slug(self, language: str) -> str:
        return getattr(self, build_localized_fieldname("slug", language)) or getattr(
            self, build_localized_fieldname("slug", DEFAULT_LANGUAGE)
        )

    def ancestor_paths(self, language: str) -> list[str]:
        """The stored paths of every page above this one, from the home page down."""
        segments = self.path(language).split("/")[:-1]
        return ["".join(f"{s}/" for s in segments[:i]) for i in range(len(segments))]

    def stored_place(self) -> StoredPlace | None:
        """The row's stored paths and where its subpages sit, in one query.

        The subpages are found through the first child's address rather than the row's own:
        restoring an old version writes the row's paths directly, leaving the subpages below
        the newer address, and they must follow.
        """
        if self.pk is None:
            return None
        fields = [path_field(language) for language in LANGUAGE_CODES]
        first_child = type(self)._default_manager.filter(parent=OuterRef("pk")).order_by("pk")
        row = (
            type(self)
            ._default_manager.filter(pk=self.pk)
            .annotate(
                **{f"child_{f}": Subquery(first_child.values(f)[:1]) for f in [*fields, "depth"]}
            )
            .values(*fields, *(f"child_{f}" for f in [*fields, "depth"]))
            .first()
        )
        if row is None:
            return None
        has_subpages = row["child_depth"] is not None
        return StoredPlace(
            paths={language: row[path_field(language)] for language in LANGUAGE_CODES},
            subpages_below={
                language: parent_address(row[f"child_{path_field(language)}"])
                for language in LANGUAGE_CODES
            }
            if has_subpages
            else None,
            subpage_depth=row["child_depth"],
        )

    def set_paths(self):
        self.depth = self.parent.depth + 1 if self.parent_id else 0
        for language in LANGUAGE_CODES:
            parent_path = self.parent.path(language) if self.parent_id else ""
            slug = self.effective_slug(language)
            setattr(self, path_field(language), f"{parent_path}{slug}/" if slug else parent_path)

    def refuse_loop(self, stored: StoredPlace | None):
        """Refuse a parent at or below the page itself, before anything is written."""
        old = stored.paths[DEFAULT_LANGUAGE] if stored else ""
        if old and self.parent_id and self.parent.path(DEFAULT_LANGUAGE).startswith(old):
            raise ValidationError({"parent": LOOP_MESSAGE})

    def move_subpages(self, stored: StoredPlace | None) -> dict[str, set[str]]:
        """Move the subpages below the page's new address; return the addresses left."""
        if stored is None:
            return {}
        moved_from = {}
        for language in LANGUAGE_CODES:
            old = {stored.paths[language]}
            if stored.subpages_below:
                old.add(stored.subpages_below[language])
            old.discard(self.path(language))
            if old:
                moved_from[language] = old
        if stored.subpages_below and (moved_from or stored.subpage_depth != self.depth + 1):
            self._update_subpages(stored.subpages_below, stored.subpage_depth)
        return moved_from

    def _update_subpages(self, below: dict[str, str], depth: int):
        """One UPDATE for every page below this one: each language's old prefix becomes the
        new one, and the depth shifts with the page's."""
        changes = {
            path_field(language): Concat(
                Value(self.path(language)), Substr(path_field(language), len(below[language]) + 1)
            )
            for language in LANGUAGE_CODES
            if below[language] != self.path(language)
        }
        if depth != self.depth + 1:
            changes["depth"] = F("depth") + (self.depth + 1 - depth)
        field = path_field(DEFAULT_LANGUAGE)
        type(self)._default_manager.filter(
            path_starts_with(field, below[DEFAULT_LANGUAGE])
        ).exclude(pk=self.pk).update(**changes)


class PublishingMixin(models.Model):
    """Draft or published, and an optional window in which a published page shows."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    publish_from = models.DateTimeField(_("publish from"), null=True, blank=True)
    publish_until = models.DateTimeField(_("publish until"), null=True, blank=True)

    class Meta:
        abstract = True

    def is_live(self, now=None) -> bool:
        """Whether visitors can see the page now; the Python twin of `published()`."""
        now = now or timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and (self.publish_from is None or self.publish_from <= now)
            and (self.publish_until is None or self.publish_until > now)
        )

    def clean_publishing_window(self, errors: dict):
        if self.publish_from and self.publish_until and self.publish_until <= self.publish_from:
            errors["publish_until"] = _("The end of publishing must come after its start.")


class EditTrackingMixin(models.Model):
    """“Senast uppdaterad” and when each language's text was last edited."""

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
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        abstract = True

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


class MenuMixin(models.Model):
    """Where the page shows in the menus, and its order among its siblings."""

    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Lower numbers come first among sibling pages.")
    )
    show_in_menu = models.BooleanField(_("show in menu"), default=True)
    show_in_footer = models.BooleanField(
        _("show in footer"),
        default=False,
        help_text=_("For pages every visitor should find, such as the accessibility statement."),
    )

    class Meta:
        abstract = True
