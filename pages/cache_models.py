"""The table of Django's database cache, the page cache's shared store without Redis.

The schema is the one `manage.py createcachetable` makes; as a model, `migrate` makes it
everywhere, so no deploy step can forget it. Nothing but the cache backend reads it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CacheEntry(models.Model):
    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "pages_cache"
        ordering = ["cache_key"]
        verbose_name = _("cache entry")
        verbose_name_plural = _("cache entries")

    def __str__(self):
        return self.cache_key
