from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LANGUAGE_CODES


class FeedbackForm(forms.Form):
    page = forms.IntegerField(min_value=1)
    language = forms.ChoiceField(choices=[(code, code) for code in LANGUAGE_CODES])
    answer = forms.ChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        error_messages={"invalid_choice": _("Answer yes or no.")},
    )
