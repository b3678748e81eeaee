from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RaiseSiteConfig(AppConfig):
    """The site-wide plumbing that belongs to no feature, installed so that its management
    commands (backup, restore, ensure_local_admin) register."""

    name = "raise_site"
    verbose_name = _("Site")
