from modeltranslation.translator import TranslationOptions, register

from .models import Contact, Organisation


@register(Organisation)
class OrganisationTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("sv",)


@register(Contact)
class ContactTranslationOptions(TranslationOptions):
    fields = ("job_title",)
