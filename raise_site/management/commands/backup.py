from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from raise_site import backups


class Command(BaseCommand):
    help = (
        "Back up the database and the uploaded media into a new folder, readable by its owner only."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="A folder that does not exist yet.")

    def handle(self, *args, directory, **options):
        if directory.exists() and any(directory.iterdir()):
            raise CommandError(f"{directory} is not empty; choose a new folder.")
        backups.make_backup_folder(directory)
        self.stdout.write(f"Database: {backups.back_up_database(directory)}")
        media = backups.back_up_media(directory)
        if media is None:
            self.stdout.write("Media: in the S3 bucket, which its own versioning keeps.")
        else:
            self.stdout.write(f"Media: {media}")
