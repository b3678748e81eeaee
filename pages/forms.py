from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LANGUAGE_CODES


class FeedbackForm(forms.Form):
    page = forms.IntegerField(min_value=1, error_messages={"invalid": _("Unknown page.")})
    language = forms.ChoiceField(choices=[(code, code) for code in LANGUAGE_CODES])
    answer = forms.ChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        error_messages={
            "required": _("Answer yes or no."),
            "invalid_choice": _("Answer yes or no."),
        },
    )


class CommentForm(forms.Form):
    token = forms.CharField(max_length=200)
    comment = forms.CharField(
        max_length=2000,
        required=False,
        strip=True,
        error_messages={
            "max_length": _("Write at most %(limit_value)d characters (you wrote %(show_value)d).")
        },
    )
