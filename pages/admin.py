import re

from django import forms
from django.contrib import admin
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Collate
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_prose_editor.widgets import AdminProseEditorWidget
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from reversion_compare.admin import CompareVersionAdmin

from contacts.models import Contact, Organisation

from .admin_filters import PageFilter
from .feedback_reports import feedback_csv, feedback_summary
from .models import (
    LANGUAGE_CODES,
    Event,
    Feedback,
    Page,
    PageContact,
    Project,
    ProjectPartner,
    Redirect,
    StakeholderGroup,
    StakeholderMember,
)

# What the site's stylesheet styles, and so what pages/richtext.py lets through on save.
BODY_EDITOR_CONFIG = {
    "extensions": {
        "Heading": {"levels": [2, 3, 4]},
        "Bold": True,
        "Italic": True,
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "HardBreak": True,
        "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto", "tel"]},
    }
}

LANGUAGE_SUFFIX_RE = re.compile(rf"_(?:{'|'.join(LANGUAGE_CODES)})$")


class MinorChangeForm(forms.ModelForm):
    minor_change = forms.BooleanField(
        label=_("Minor change"),
        required=False,
        help_text=_(
            "A typo fix or similar: “Last updated” keeps its date and the translation is not "
            "marked as out of date."
        ),
    )


class RecordsEditsAdmin:
    """Keeps a page's "Senast uppdaterad" date and per-language edit times truthful.

    `visible_fields` are the form fields visitors see (translated ones by their base name);
    any changed inline counts as a visible change too. The rules are in `Page.record_edit`.
    """

    form = MinorChangeForm
    visible_fields: tuple[str, ...] = ()

    def pages_of(self, obj):
        """The pages that show `obj`."""
        return [obj]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        changed = {
            name
            for name in form.changed_data
            if name == "last_updated" or LANGUAGE_SUFFIX_RE.sub("", name) in self.visible_fields
        }
        changed |= {formset.prefix for formset in formsets if formset.has_changed()}
        minor = form.cleaned_data.get("minor_change", False)
        for page in self.pages_of(form.instance):
            fields = page.record_edit(changed, minor=minor)
            if fields:
                page.save(update_fields=fields)


class StaleFilter(admin.SimpleListFilter):
    title = _("last updated")
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [("yes", _("12 months ago or more"))]

    def queryset(self, request, queryset):
        return queryset.stale() if self.value() == "yes" else queryset


class TranslationOutdatedFilter(admin.SimpleListFilter):
    title = _("English translation")
    parameter_name = "translation_outdated"

    def lookups(self, request, model_admin):
        return [("yes", _("May be out of date"))]

    def queryset(self, request, queryset):
        return queryset.translation_outdated("en") if self.value() == "yes" else queryset


class PageContactInline(admin.TabularInline):
    model = PageContact
    extra = 0
    autocomplete_fields = ["contact"]


@admin.register(Page)
class PageAdmin(RecordsEditsAdmin, CompareVersionAdmin, TranslationAdmin):
    visible_fields = ("title", "lead", "body", "meta_description")
    list_display = ["tree_title", "kind", "status", "english", "last_updated", "owner"]
    list_filter = [
        "status",
        "kind",
        StaleFilter,
        TranslationOutdatedFilter,
        "show_in_menu",
        ("owner", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["owner"]
    search_fields = ["title_sv", "title_en", "path_sv", "path_en"]
    prepopulated_fields = {"slug_sv": ["title_sv"], "slug_en": ["title_en"]}
    autocomplete_fields = ["parent"]
    inlines = [PageContactInline]
    readonly_fields = ["visitor_feedback", "sv_edited_at", "en_edited_at"]
    fieldsets = [
        (None, {"fields": ["parent", "kind", "title", "slug", "lead", "body"]}),
        (
            None,
            {
                "fields": [
                    "status",
                    "publish_from",
                    "publish_until",
                    "last_updated",
                    "minor_change",
                    "sv_edited_at",
                    "en_edited_at",
                ]
            },
        ),
        (
            None,
            {
                "fields": ["position", "show_in_menu", "meta_description", "owner"],
                "classes": ["collapse"],
            },
        ),
        (_("Visitor feedback"), {"fields": ["visitor_feedback"]}),
    ]

    actions = ["mark_reviewed"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name.startswith("body_"):
            kwargs["widget"] = AdminProseEditorWidget(
                config=BODY_EDITOR_CONFIG, preset="configurable"
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_ordering(self, request):
        # The stored paths sort as the tree: every page right after its parent. PostgreSQL's
        # language-aware collations skip "/" and "-", so compare bytes there.
        if connection.vendor == "postgresql":
            return [Collate("path_sv", "C")]
        return ["path_sv"]

    @admin.display(description=_("page"), ordering="path_sv")
    def tree_title(self, obj):
        # Em spaces indent without styles, which the Content-Security-Policy would refuse.
        return format_html("{}{}", "\u2003" * obj.depth, obj.title_sv)

    @admin.display(description=_("English"))
    def english(self, obj):
        if obj.translation_outdated("en"):
            return _("May be out of date")
        if obj.title_en and (obj.body_en or not obj.body_sv):
            return _("Translated")
        if obj.title_en:
            return _("Title only")
        return _("Not translated")

    @admin.display(description=_("Did the content help you?"))
    def visitor_feedback(self, obj):
        return feedback_summary(obj) if obj.pk else "–"

    @admin.action(description=_("Mark as reviewed today"), permissions=["change"])
    def mark_reviewed(self, request, queryset):
        today = timezone.localdate()
        pages = list(queryset)
        for page in pages:
            # One save per page, so that the page cache and history notice the change.
            page.last_updated = today
            page.save(update_fields=["last_updated"])
        self.message_user(
            request,
            ngettext(
                "%(count)d page marked as reviewed today.",
                "%(count)d pages marked as reviewed today.",
                len(pages),
            )
            % {"count": len(pages)},
        )


class ProjectPartnerInline(admin.TabularInline):
    model = ProjectPartner
    extra = 0
    autocomplete_fields = ["organisation"]


class EventInline(TranslationTabularInline):
    model = Event
    extra = 0
    fields = ["title", "start", "end", "all_day", "place", "registration_url"]


@admin.register(Project)
class ProjectAdmin(RecordsEditsAdmin, CompareVersionAdmin, TranslationAdmin):
    visible_fields = (
        "acronym",
        "full_name",
        "programme",
        "start_date",
        "end_date",
        "extension_end_date",
        "extension_text",
        "stakeholder_group",
    )
    list_display = ["acronym", "page", "programme", "start_date", "end_date", "extension_end_date"]
    list_filter = ["programme", "stakeholder_group"]
    list_select_related = ["page"]
    search_fields = ["acronym", "full_name_sv", "full_name_en"]
    autocomplete_fields = ["page", "stakeholder_group"]
    inlines = [ProjectPartnerInline, EventInline]

    def pages_of(self, obj):
        return [obj.page]


class StakeholderMemberInline(admin.TabularInline):
    model = StakeholderMember
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(StakeholderGroup)
class StakeholderGroupAdmin(RecordsEditsAdmin, TranslationAdmin):
    visible_fields = ("name", "description")
    list_display = ["name"]
    list_filter = [("projects", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name_sv", "name_en", "members__organisation__name_sv"]
    inlines = [StakeholderMemberInline]

    def pages_of(self, obj):
        return Page.objects.filter(project__stakeholder_group=obj)


@admin.register(Event)
class EventAdmin(TranslationAdmin):
    list_display = ["title", "start", "end", "place", "project"]
    list_filter = ["project"]
    search_fields = ["title_sv", "title_en", "place_sv", "place_en"]
    date_hierarchy = "start"


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["created_at", "page", "language", "helpful", "short_comment"]
    # Every filter is an indexed condition: no list of every page, no drill-down by date that
    # scans a million answers.
    list_filter = [PageFilter, "helpful", "language", "created_at", "personal_data_removed"]
    list_select_related = ["page"]
    search_fields = ["comment"]
    show_full_result_count = False
    list_per_page = 50  # rendering a row costs about a millisecond; the count costs nothing
    actions = ["export_csv"]

    @property
    def media(self):
        return super().media + PageFilter.media(self, Feedback)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Answers are a record of what visitors said: read, export and delete only.
        return False

    @admin.display(description=_("comment"))
    def short_comment(self, obj):
        return Truncator(obj.comment).chars(80)

    @admin.action(description=_("Export selected feedback as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return feedback_csv(queryset)


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    list_display = ["old_path", "language", "prefix", "page", "url", "created_at"]
    list_filter = ["language", "prefix"]
    search_fields = ["old_path", "url"]
    autocomplete_fields = ["page"]


# Contacts and organisations know nothing of pages; their admins live here because only the
# pages know which of them show a contact or an organisation.
@admin.register(Organisation)
class OrganisationAdmin(RecordsEditsAdmin, CompareVersionAdmin, TranslationAdmin):
    visible_fields = ("name", "short_name", "country", "website", "logo", "sector")
    list_display = ["name", "short_name", "country", "sector"]
    list_filter = ["sector", "country"]
    search_fields = ["name_sv", "name_en", "short_name"]

    def pages_of(self, obj):
        return Page.objects.filter(
            Q(project__partners__organisation=obj)
            | Q(project__stakeholder_group__members__organisation=obj)
            | Q(page_contacts__contact__organisation=obj)
        ).distinct()


@admin.register(Contact)
class ContactAdmin(RecordsEditsAdmin, CompareVersionAdmin, TranslationAdmin):
    visible_fields = ("name", "job_title", "email", "phone", "photo", "organisation")
    list_display = ["name", "job_title", "organisation", "email"]
    list_filter = ["organisation"]
    search_fields = ["name", "job_title_sv", "job_title_en", "email"]
    autocomplete_fields = ["organisation"]

    def pages_of(self, obj):
        return Page.objects.filter(page_contacts__contact=obj).distinct()
