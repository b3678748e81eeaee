"""The site's addresses with the admin moved to /redaktion/, as ADMIN_URL=redaktion/ does."""

from django.contrib import admin
from django.urls import path

from raise_site import urls

urlpatterns = [path("redaktion/", admin.site.urls), *urls.urlpatterns[1:]]
