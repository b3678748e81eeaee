"""What /health/ (raise_site/health.py) asks of the pages app."""

from .models import Page


def home_page_published() -> bool:
    """A site without a published home page has nothing to show its visitors."""
    return Page.objects.published().filter(kind=Page.Kind.HOME).exists()
