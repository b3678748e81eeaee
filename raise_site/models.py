from django.db import models
from django.utils.translation import gettext_lazy as _


class RateLimit(models.Model):
    """How many times one client did one thing in one time window (raise_site/limits.py).

    The key is a keyed hash of the action, the client's address and the window, so the table
    holds no address; a row is deleted once its window has passed.
    """

    key = models.CharField(_("key"), max_length=64, primary_key=True)
    hits = models.PositiveIntegerField(_("hits"), default=0)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        ordering = ["expires_at"]
        verbose_name = _("rate limit count")
        verbose_name_plural = _("rate limit counts")

    def __str__(self):
        return f"{self.hits} until {self.expires_at:%Y-%m-%d %H:%M:%S}"
