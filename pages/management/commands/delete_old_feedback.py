import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from pages.models import Feedback


class Command(BaseCommand):
    help = "Delete visitor feedback older than the retention period (FEEDBACK_RETENTION_DAYS)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days instead of FEEDBACK_RETENTION_DAYS.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only count, delete nothing.")

    def handle(self, *args, days, dry_run, **options):
        days = settings.FEEDBACK_RETENTION_DAYS if days is None else days
        if days < 1:
            self.stderr.write("The retention period must be at least one day.")
            return
        old = Feedback.objects.filter(created_at__lt=timezone.now() - datetime.timedelta(days=days))
        count = old.count() if dry_run else old.delete()[0]
        noun = "answer" if count == 1 else "answers"
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {count} feedback {noun} older than {days} days.")
