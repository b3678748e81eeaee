import io
import uuid

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from moto.server import ThreadedMotoServer
from PIL import Image

from contacts.models import Contact

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def s3_endpoint():
    """A local S3 emulator."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(settings, s3_endpoint):
    """A bucket of its own in the emulator, and the site's media storage pointed at it."""
    bucket = f"raise-media-{uuid.uuid4().hex[:8]}"
    endpoint = s3_endpoint
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    client = boto3.client("s3", endpoint_url=endpoint, region_name="eu-north-1", **credentials)
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"}
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "region_name": "eu-north-1",
                "access_key": "test",
                "secret_key": "test",
                "querystring_auth": False,
                "file_overwrite": False,
            },
        },
    }
    return client, endpoint, bucket


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#00506e").save(buffer, "PNG")
    return buffer.getvalue()


def test_contact_photos_go_to_the_bucket_when_one_is_configured(s3):
    client, endpoint, bucket = s3
    contact = Contact(name="Anders Bro")

    contact.photo.save("anders.png", ContentFile(png_bytes()))

    stored = client.get_object(Bucket=bucket, Key=contact.photo.name)["Body"].read()
    assert stored == png_bytes()
    assert contact.photo.url == f"{endpoint}/{bucket}/{contact.photo.name}"
    assert default_storage.exists(contact.photo.name)


def test_a_second_upload_with_the_same_name_keeps_the_first(s3):
    client, _endpoint, bucket = s3
    first = Contact.objects.create(name="A")
    second = Contact.objects.create(name="B")

    first.photo.save("photo.png", ContentFile(png_bytes()))
    second.photo.save("photo.png", ContentFile(png_bytes()))

    assert first.photo.name != second.photo.name
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]]
    stored = [first.photo, first.photo_small, second.photo, second.photo_small]
    assert sorted(keys) == sorted(file.name for file in stored)
