"""Admin list filters that stay small however many rows there are."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.utils.translation import gettext_lazy as _


class AutocompleteFilter(admin.SimpleListFilter):
    """Filter by one related object, chosen by typing part of its name.

    A list of every page would be thousands of links: the admin's own autocomplete widget
    asks for matches as the editor types. The related model's admin needs `search_fields`.
    """

    template = "admin/pages/autocomplete_filter.html"
    field_name = ""  # the foreign key on the listed model

    def __init__(self, request, params, model, model_admin):
        self.parameter_name = f"{self.field_name}__id__exact"
        super().__init__(request, params, model, model_admin)
        self.request = request
        self.admin_site = model_admin.admin_site
        self.field = model._meta.get_field(self.field_name)

    def lookups(self, request, model_admin):
        return ()

    def has_output(self):
        return True

    def choices(self, changelist):
        return ()

    def chosen(self):
        """The chosen object's id, or None when the value is not an id at all."""
        value = self.value() or ""
        return int(value) if value.isdigit() and len(value) <= 18 else None

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if self.chosen() is None:
            return queryset.none()
        return queryset.filter(**{f"{self.field_name}_id": self.chosen()})

    def form(self):
        widget = AutocompleteSelect(self.field, self.admin_site, attrs={"id": self.widget_id})
        field = forms.ModelChoiceField(
            self.field.remote_field.model._default_manager.all(),
            widget=widget,
            required=False,
            label=self.title,
        )
        form = forms.Form({self.parameter_name: self.chosen()} if self.chosen() else None)
        form.fields[self.parameter_name] = field
        return form

    @property
    def widget_id(self):
        return f"filter-{self.field_name}"

    def kept_parameters(self):
        """The list's other filters, search and ordering, which choosing a page keeps."""
        return [
            (name, value)
            for name, values in self.request.GET.lists()
            for value in values
            if name not in (self.parameter_name, "p")
        ]

    @classmethod
    def media(cls, model_admin, model):
        field = model._meta.get_field(cls.field_name)
        return AutocompleteSelect(field, model_admin.admin_site).media


class PageFilter(AutocompleteFilter):
    title = _("page")
    field_name = "page"
