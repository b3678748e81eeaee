from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .feedback_reports import feedback_csv, feedback_summary
from .models import (
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


class PageContactInline(admin.TabularInline):
    model = PageContact
    extra = 0
    autocomplete_fields = ["contact"]


@admin.register(Page)
class PageAdmin(TranslationAdmin):
    list_display = ["title", "path_sv", "kind", "status", "last_updated"]
    list_filter = ["status", "kind", "show_in_menu"]
    search_fields = ["title_sv", "title_en", "path_sv", "path_en"]
    prepopulated_fields = {"slug_sv": ["title_sv"], "slug_en": ["title_en"]}
    autocomplete_fields = ["parent"]
    inlines = [PageContactInline]
    readonly_fields = ["visitor_feedback"]
    fieldsets = [
        (None, {"fields": ["parent", "kind", "title", "slug", "lead", "body"]}),
        (None, {"fields": ["status", "publish_from", "publish_until", "last_updated"]}),
        (
            None,
            {
                "fields": ["position", "show_in_menu", "meta_description", "owner"],
                "classes": ["collapse"],
            },
        ),
        (_("Visitor feedback"), {"fields": ["visitor_feedback"]}),
    ]

    @admin.display(description=_("Did the content help you?"))
    def visitor_feedback(self, obj):
        return feedback_summary(obj) if obj.pk else "–"


class ProjectPartnerInline(admin.TabularInline):
    model = ProjectPartner
    extra = 0
    autocomplete_fields = ["organisation"]


class EventInline(TranslationTabularInline):
    model = Event
    extra = 0
    fields = ["title", "start", "end", "all_day", "place", "registration_url"]


@admin.register(Project)
class ProjectAdmin(TranslationAdmin):
    list_display = ["acronym", "programme", "start_date", "end_date", "extension_end_date"]
    search_fields = ["acronym", "full_name_sv", "full_name_en"]
    autocomplete_fields = ["page", "stakeholder_group"]
    inlines = [ProjectPartnerInline, EventInline]


class StakeholderMemberInline(admin.TabularInline):
    model = StakeholderMember
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(StakeholderGroup)
class StakeholderGroupAdmin(TranslationAdmin):
    list_display = ["name"]
    search_fields = ["name_sv", "name_en"]
    inlines = [StakeholderMemberInline]


@admin.register(Event)
class EventAdmin(TranslationAdmin):
    list_display = ["title", "start", "end", "place", "project"]
    list_filter = ["project"]
    search_fields = ["title_sv", "title_en", "place_sv", "place_en"]
    date_hierarchy = "start"


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["created_at", "page", "language", "helpful", "short_comment"]
    list_filter = [
        ("page", admin.RelatedOnlyFieldListFilter),
        "helpful",
        "language",
        "created_at",
        "personal_data_removed",
    ]
    list_select_related = ["page"]
    search_fields = ["comment"]
    date_hierarchy = "created_at"
    actions = ["export_csv"]

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
        return feedback_csv(queryset.select_related("page"))


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    list_display = ["old_path", "language", "page", "url", "created_at"]
    list_filter = ["language"]
    search_fields = ["old_path", "url"]
    autocomplete_fields = ["page"]
