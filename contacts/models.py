from django.conf import global_settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .images import LOGO_SIZE, PHOTO_SIZE, RenditionsMixin
from .uploads import contact_photo_path, organisation_logo_path, validate_image


def text_language_field(verbose_name, default="sv"):
    """Which language a name is written in, so that screen readers pronounce it right."""
    return models.CharField(
        verbose_name,
        max_length=8,
        choices=global_settings.LANGUAGES,
        default=default,
        help_text=_("For example English for “Catalan Agency for Business Competitiveness”."),
    )


class Organisation(RenditionsMixin, models.Model):
    class Sector(models.TextChoices):
        PUBLIC = "public", _("Public sector")
        CIVIL_SOCIETY = "civil_society", _("Civil society")
        PRIVATE = "private", _("Private sector")
        ACADEMIA = "academia", _("Academia and research")

    name = models.CharField(_("name"), max_length=200)
    name_language = text_language_field(_("language of the name"))
    short_name = models.CharField(
        _("short name"),
        max_length=40,
        blank=True,
        help_text=_("Acronym or short form shown in brackets, e.g. “ACCIÓ”."),
    )
    country = CountryField(_("country"), blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(
        _("logo"),
        upload_to=organisation_logo_path,
        validators=[validate_image],
        blank=True,
        help_text=_("A JPEG, PNG, WebP or GIF image of at most 5 MB."),
    )
    logo_small = models.ImageField(upload_to="logos/small/", blank=True, editable=False)
    sector = models.CharField(
        _("sector"),
        max_length=20,
        choices=Sector.choices,
        blank=True,
        help_text=_("Leave empty if you are unsure."),
    )

    renditions = (("logo", "logo_small", LOGO_SIZE, False),)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        if self.short_name:
            return f"{self.name} ({self.short_name})"
        return self.name


class Contact(RenditionsMixin, models.Model):
    name = models.CharField(_("name"), max_length=200)
    job_title = models.CharField(
        _("job title"),
        max_length=200,
        blank=True,
        help_text=_("For example “Utvecklingsledare: Social ekonomi”."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    photo = models.ImageField(
        _("photo"),
        upload_to=contact_photo_path,
        validators=[validate_image],
        blank=True,
        help_text=_("A JPEG, PNG, WebP or GIF image of at most 5 MB. Shown small and square."),
    )
    photo_small = models.ImageField(upload_to="contacts/small/", blank=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
    )

    renditions = (("photo", "photo_small", PHOTO_SIZE, True),)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return self.name
