"""The ad search form: free text, a phone in any format, a city and a period of last capture."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigil import normalise


def start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AdSearchForm(forms.Form):
    q = forms.CharField(label=_("Words in the title or text"), required=False, max_length=300,
                        widget=forms.TextInput(attrs={"type": "search"}))
    phone = forms.CharField(label=_("Phone number (any format)"), required=False, max_length=60)
    city = forms.CharField(label=_("City (municipality)"), required=False, max_length=80)
    date_from = forms.DateField(label=_("Last captured from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Last captured until"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())

    def clean_phone(self):
        given = self.cleaned_data["phone"].strip()
        if not given:
            return ""
        found = normalise.phone(given)
        if not found.valid:
            raise forms.ValidationError(_("This is not a phone number Vigil can read."))
        return found.value

    def clean_city(self):
        return " ".join(self.cleaned_data["city"].split())

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date lies before the start date."))
        return data

    def terms(self) -> dict:
        """What was asked, for the audit log (dates as text)."""
        return {k: str(v) for k, v in self.cleaned_data.items() if v}
