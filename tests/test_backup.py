"""`manage.py backup` and `manage.py restore`: a round trip loses nothing.

On SQLite the backup is SQLite's own copy; on PostgreSQL (CI's second run) it is pg_dump and
pg_restore, against the test database.
"""

import io
import tarfile
from urllib.parse import urlencode

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from contacts.models import Contact
from pages.models import Feedback, Page

from .conftest import RAISE_SV, text_of
from .test_upload_validation import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def snapshot():
    """Everything editors and visitors have stored, as Django would export it."""
    out = io.StringIO()
    call_command("dumpdata", "pages", "contacts", "auth.user", stdout=out, indent=1)
    return out.getvalue()


def give_feedback(client, answer, comment=""):
    post = {"content_type": "application/x-www-form-urlencoded", "HTTP_ACCEPT": "application/json"}
    data = {"page": 5, "language": "sv", "answer": answer}
    reply = client.post("/feedback/", urlencode(data), **post)
    assert reply.json()["ok"] is True
    if comment:
        token = reply.json()["html"].split('name="token" value="')[1].split('"')[0]
        data = {"token": token, "language": "sv", "comment": comment}
        assert client.post("/feedback/", urlencode(data), **post).json()["ok"] is True


def test_backup_and_restore_keep_content_feedback_and_media(client, demo, media_root, tmp_path):
    give_feedback(client, "no", "Jag saknade datum för nästa möte.")
    give_feedback(client, "yes")
    contact = Contact.objects.get(pk=1)
    contact.photo.save("anna.png", ContentFile(image_bytes("PNG")))
    photo = media_root / contact.photo.name
    before = snapshot()
    assert Feedback.objects.count() == 2 and photo.is_file()

    call_command("backup", tmp_path / "backup", stdout=io.StringIO())
    # Disaster: the database is emptied and the photo is lost.
    call_command("flush", interactive=False)
    photo.unlink()
    assert not Page.objects.exists()
    call_command("restore", tmp_path / "backup", interactive=False, stdout=io.StringIO())

    assert snapshot() == before
    assert photo.read_bytes() == image_bytes("PNG")
    assert "Stärk sociala företags konkurrenskraft" in text_of(client.get(RAISE_SV))
    # New rows still get fresh keys: the restored database knows where its counters were.
    give_feedback(client, "no", "Efter återställningen.")
    assert Feedback.objects.count() == 3


def test_restore_forgets_pages_cached_before_it(client, demo, media_root, tmp_path):
    call_command("backup", tmp_path / "backup", stdout=io.StringIO())
    client.get(RAISE_SV)
    assert client.get(RAISE_SV)["X-Page-Cache"] == "hit"

    call_command("restore", tmp_path / "backup", interactive=False, stdout=io.StringIO())

    assert client.get(RAISE_SV)["X-Page-Cache"] == "miss"


def test_backup_refuses_to_mix_into_an_earlier_backup(demo, media_root, tmp_path):
    call_command("backup", tmp_path / "backup", stdout=io.StringIO())

    with pytest.raises(CommandError, match="is not empty"):
        call_command("backup", tmp_path / "backup", stdout=io.StringIO())


def test_restore_refuses_a_media_archive_that_climbs_out(demo, media_root, tmp_path):
    call_command("backup", tmp_path / "backup", stdout=io.StringIO())
    with tarfile.open(tmp_path / "backup" / "media.tar.gz", "w:gz") as archive:
        evil = tarfile.TarInfo("../../etc/cron.d/evil")
        payload = b"* * * * * root true\n"
        evil.size = len(payload)
        archive.addfile(evil, io.BytesIO(payload))

    with pytest.raises(CommandError, match="unsafe entry"):
        call_command("restore", tmp_path / "backup", interactive=False, stdout=io.StringIO())
    assert not (tmp_path.parent / "etc").exists()
