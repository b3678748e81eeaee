from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = _("Pages")

    def ready(self):
        from django.db.models.signals import pre_save

        from . import cache, models, registry, search_index
        from .richtext import clean_text_fields

        cache.connect_signals()
        search_index.connect_signals()
        # Everything editors and visitors write, cleaned the same way however it is saved.
        for model in (*registry.shown_models(), models.Feedback):
            pre_save.connect(clean_text_fields, sender=model, dispatch_uid=f"clean-text-{model}")
