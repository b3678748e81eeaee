from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from pages import feedback, sitemaps

from . import health
from .errors import server_error
from .views import robots_txt

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    # Outside the language prefix, so that no page address can ever shadow them.
    path("feedback/", feedback.receive, name="feedback"),
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path("sitemap-<slug:section>-<int:page>.xml", sitemaps.section, name="sitemap_section"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("health/", health.health, name="health"),
]

if settings.BENCH_VIEWS:
    from .views import bench_bare

    urlpatterns.append(path("bench/bare/", bench_bare))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# The 500 page must render whatever broke; Django's own would give up with the database.
handler500 = server_error

# The page tree catches every other address, so it comes last.
urlpatterns += i18n_patterns(path("", include("pages.urls")))
