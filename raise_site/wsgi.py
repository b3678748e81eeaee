import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raise_site.settings")

try:
    settings.SECRET_KEY  # noqa: B018 (Django raises on an empty key)
except ImproperlyConfigured as error:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.") from error

application = get_wsgi_application()
