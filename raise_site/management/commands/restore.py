from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from raise_site import backups


class Command(BaseCommand):
    help = "Replace the database and the uploaded media with a backup made by `backup`."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="The backup's folder.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, directory, interactive, **options):
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a folder.")
        if interactive:
            answer = input(
                "This replaces everything in the database, and the media files in the backup, "
                "with the backup's. Type 'yes' to go on: "
            )
            if answer != "yes":
                raise CommandError("Nothing was restored.")
        self.stdout.write(f"Database restored from {backups.restore_database(directory)}")
        media = backups.restore_media(directory)
        if media is not None:
            self.stdout.write(f"Media restored from {media}")
        backups.forget_cached_pages()
