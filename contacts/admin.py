from django.contrib import admin
from django.db.models import Q
from modeltranslation.admin import TranslationAdmin
from reversion_compare.admin import CompareVersionAdmin

from pages.admin import RecordsEditsAdmin
from pages.models import Page

from .models import Contact, Organisation


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
