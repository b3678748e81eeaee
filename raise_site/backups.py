"""Backups of the database and the uploaded media, and restoring them.

PostgreSQL is dumped with pg_dump in its custom format and restored with pg_restore; SQLite
is copied with SQLite's own online backup, which is safe while the site runs. Media on this
machine's disk go into a gzipped tar file. Media in an S3 bucket are not copied: the bucket's
own versioning or replication keeps them.

Backups hold visitors' feedback and editors' accounts, so only their owner may read them:
folders are made 0700 and files 0600, whatever the umask says.
"""

import contextlib
import os
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import CommandError
from django.db import connection, connections

POSTGRES_FILE = "database.pgdump"
SQLITE_FILE = "database.sqlite3"
MEDIA_FILE = "media.tar.gz"


def media_on_disk() -> bool:
    return isinstance(default_storage, FileSystemStorage)


def _postgres(program, *args):
    """Run a PostgreSQL client program against the site's database; the password goes in
    the environment, never on the command line where other users could see it."""
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    command = [program, "--no-owner", "--no-privileges", "--dbname", db["NAME"], *args]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db[key]:
            command += [option, str(db[key])]
    # A fixed program and a list of arguments, without a shell.
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise CommandError(f"{program} failed: {result.stderr.strip()}")


FILE_MODE, FOLDER_MODE = 0o600, 0o700


@contextlib.contextmanager
def private_files():
    """Files and folders made meanwhile (by pg_dump too) are readable by their owner only."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def make_backup_folder(directory: Path):
    """A new (or empty) folder for a backup, readable by its owner only; also the folders
    above it that this makes."""
    with private_files():
        directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(FOLDER_MODE)


def make_private(path: Path) -> Path:
    path.chmod(FILE_MODE)
    return path


def back_up_database(directory: Path) -> Path:
    if connection.vendor == "postgresql":
        target = directory / POSTGRES_FILE
        with private_files():
            _postgres("pg_dump", "--format=custom", "--file", str(target))
        return make_private(target)
    if connection.vendor == "sqlite":
        target = directory / SQLITE_FILE
        connection.ensure_connection()
        with private_files(), sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
        return make_private(target)
    raise CommandError(f"Backups of {connection.vendor} databases are not supported.")


def restore_database(directory: Path) -> Path:
    if connection.vendor == "postgresql":
        source = directory / POSTGRES_FILE
        _require(source)
        # This process's idle connections would only be in pg_restore's way.
        connections.close_all()
        _postgres("pg_restore", "--clean", "--if-exists", "--single-transaction", str(source))
        return source
    if connection.vendor == "sqlite":
        source = directory / SQLITE_FILE
        _require(source)
        connection.ensure_connection()
        with sqlite3.connect(source) as backup:
            backup.backup(connection.connection)
        backup.close()
        return source
    raise CommandError(f"Restoring {connection.vendor} databases is not supported.")


def back_up_media(directory: Path) -> Path | None:
    if not media_on_disk():
        return None
    target = directory / MEDIA_FILE
    root = Path(settings.MEDIA_ROOT)
    with private_files(), tarfile.open(target, "w:gz") as archive:
        if root.exists():
            for path in sorted(root.rglob("*")):
                archive.add(path, arcname=path.relative_to(root).as_posix(), recursive=False)
    return make_private(target)


def restore_media(directory: Path) -> Path | None:
    source = directory / MEDIA_FILE
    if not media_on_disk() or not source.exists():
        return None
    root = Path(settings.MEDIA_ROOT).resolve()
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source, "r:gz") as archive:
        members = archive.getmembers()
        for member in members:
            # Only plain files and folders, and only inside MEDIA_ROOT.
            if not (member.isfile() or member.isdir()) or not (
                (root / member.name).resolve().is_relative_to(root)
            ):
                raise CommandError(f"The media archive holds an unsafe entry: {member.name}")
        # Python's own "data" filter too, where it has one (3.11.4 and later).
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        archive.extractall(root, members=members, **safe)  # noqa: S202 (members checked above)
    return source


def forget_cached_pages():
    """Empty the cache: every cached page and count predates the restored content."""
    try:
        cache.clear()
    except Exception as error:
        raise CommandError(
            "The database is restored, but the page cache could not be emptied; empty it "
            "(or restart Redis) before visitors see old pages."
        ) from error


def _require(path: Path):
    if not path.is_file():
        raise CommandError(f"{path} is missing: is this a backup of a {connection.vendor} site?")
