from django import forms
from django.utils.translation import gettext_lazy as _

from .services import EXPIRY_CHOICES_DAYS


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What you use the token for, e.g. 'Spreadsheet' or 'Website of our faction'."),
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Valid for"),
        choices=[
            *[(str(days), _("%(n)s days") % {"n": days}) for days in EXPIRY_CHOICES_DAYS],
            ("", _("No end date (until you revoke it)")),
        ],
        coerce=int,
        empty_value=None,
        required=False,
        initial="90",
    )
