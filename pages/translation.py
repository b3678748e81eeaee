from modeltranslation.translator import TranslationOptions, register

from .models import Event, Page, Project, StakeholderGroup


@register(Page)
class PageTranslationOptions(TranslationOptions):
    fields = ("title", "slug", "lead", "body", "meta_description")
    required_languages = {"sv": ("title",)}


@register(Project)
class ProjectTranslationOptions(TranslationOptions):
    fields = ("full_name", "programme", "extension_text")


@register(StakeholderGroup)
class StakeholderGroupTranslationOptions(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"sv": ("name",)}


@register(Event)
class EventTranslationOptions(TranslationOptions):
    fields = ("title", "place", "text")
    required_languages = {"sv": ("title",)}
