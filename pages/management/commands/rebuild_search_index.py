from django.core.management.base import BaseCommand

from pages.search_index import rebuild_index


class Command(BaseCommand):
    help = "Build the site search's index afresh from every page, in one transaction."

    def handle(self, *args, **options):
        indexed = rebuild_index()
        self.stdout.write(f"Indexed {indexed} pages.")
