import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from contacts.models import Contact, Organisation

from .conftest import RAISE_SV, admin_form_data, text_of

pytestmark = pytest.mark.django_db

CONTACT_URL = "/admin/contacts/contact/1/change/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def image_file(name="photo.jpg", size=(640, 480), fmt="JPEG", mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, "#00506e").save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def upload(client, url, field, file):
    data = admin_form_data(client.get(url))
    data[field] = file
    return client.post(url, data)


def test_an_uploaded_photo_is_shown_small_and_square_on_the_contact_card(admin_client, demo):
    response = upload(admin_client, CONTACT_URL, "photo", image_file())

    assert response.status_code == 302
    contact = Contact.objects.get(pk=1)
    with Image.open(contact.photo_small) as small:
        assert (small.format, small.size) == ("JPEG", (192, 192))
    html = admin_client.get(RAISE_SV).content.decode()
    assert f'<img class="contact__photo" src="{contact.photo_small.url}" alt="" width="96"' in html


def test_an_uploaded_logo_is_fitted_inside_its_box_and_keeps_transparency(admin_client, demo):
    organisation = Organisation.objects.get(short_name="ACCIÓ")
    url = f"/admin/contacts/organisation/{organisation.pk}/change/"
    logo = image_file("logo.png", size=(1000, 200), fmt="PNG", mode="RGBA")

    assert upload(admin_client, url, "logo", logo).status_code == 302

    organisation.refresh_from_db()
    with Image.open(organisation.logo_small) as small:
        assert (small.format, small.size, small.mode) == ("PNG", (320, 64), "RGBA")
    assert organisation.logo_small.url in admin_client.get(RAISE_SV).content.decode()


def test_a_new_photo_replaces_the_small_one_and_removing_it_removes_both(admin_client, demo):
    upload(admin_client, CONTACT_URL, "photo", image_file())
    first = Contact.objects.get(pk=1).photo_small.name
    upload(admin_client, CONTACT_URL, "photo", image_file("other.jpg"))
    assert Contact.objects.get(pk=1).photo_small.name != first

    data = admin_form_data(admin_client.get(CONTACT_URL), **{"photo-clear": "on"})
    assert admin_client.post(CONTACT_URL, data).status_code == 302

    contact = Contact.objects.get(pk=1)
    assert not contact.photo
    assert not contact.photo_small


def test_a_file_that_is_not_an_image_is_refused_and_nothing_saved(admin_client, demo):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")

    response = upload(admin_client, CONTACT_URL, "photo", fake)

    assert response.status_code == 200
    assert "Ladda upp en giltig bild" in text_of(response)
    assert not Contact.objects.get(pk=1).photo


def test_an_image_over_the_size_limit_is_refused_and_nothing_saved(admin_client, demo, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1000
    big = image_file(size=(400, 400))
    assert big.size > 1000

    response = upload(admin_client, CONTACT_URL, "photo", big)

    assert response.status_code == 200
    assert re.search(r"Bilden är [\d.]+ MB; högst 0 MB är tillåtet\.", text_of(response))
    assert not Contact.objects.get(pk=1).photo
