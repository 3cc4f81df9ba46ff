"""The statistics filter: a period of whole months and the organisation scope (and, for the CSV, one figure)."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from vigil.statistics.figures import FIGURES, MAX_MONTHS, Period, Scope

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class MonthField(forms.CharField):
    """A month as YYYY-MM (what <input type="month"> sends; typed by hand where the browser has no month picker)."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "size": 8, "pattern": r"\d{4}-\d{2}"})

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        match = MONTH.match(value)
        if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
            raise forms.ValidationError(_("Give a month as year-month, e.g. 2026-03."))
        return dt.date(int(match[1]), int(match[2]), 1)


class StatisticsFilter(forms.Form):
    month_from = MonthField(label=_("From month"), required=False)
    month_to = MonthField(label=_("Up to and including month"), required=False)
    scope = forms.ChoiceField(label=_("Organisations"), required=False,
                              choices=[("all", _("All of Vigil (national figures)")), ("own", _("My organisation"))])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.organisation_id:
            self.fields["scope"].choices = [("all", _("All of Vigil (national figures)")),
                                            ("own", user.organisation.name)]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        # missing ends: up to this month (or the first month, if later), from twelve months before the last
        first = data.get("month_from")
        last = data.get("month_to") or max(Period.last_months().last, first or dt.date.min)
        first = first or Period.last_months(today=last).first
        if first > last:
            self.add_error("month_to", _("The period ends before it starts."))
        elif len(Period(first, last).months()) > MAX_MONTHS:
            self.add_error("month_from", _("Choose at most %(n)s months.") % {"n": MAX_MONTHS})
        if data.get("scope") == "own" and not self.user.organisation_id:
            self.add_error("scope", _("Your account belongs to no organisation."))
        data["period"] = Period(first, last)
        return data

    def period(self) -> Period:
        return self.cleaned_data["period"]

    def scope_of(self) -> Scope:
        return Scope(self.user.organisation if self.cleaned_data.get("scope") == "own" else None)

    def terms(self) -> dict:
        """The filter as query parameters (for links, the CSV and the audit log)."""
        period = self.period()
        return {"month_from": f"{period.first:%Y-%m}", "month_to": f"{period.last:%Y-%m}",
                "scope": self.cleaned_data.get("scope") or "all"}


class ExportFilter(StatisticsFilter):
    figure = forms.ChoiceField(label=_("Figure"), required=False, choices=[("", _("All"))] + [(k, k) for k in FIGURES])
