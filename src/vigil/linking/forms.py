from django import forms
from django.utils.translation import gettext_lazy as _

from vigil.linking.models import SOURCES, Kind, OrganisationVerdict, Verdict


class GraphFilterForm(forms.Form):
    """Which kinds of entity and which period a network or neighbourhood shows."""

    kinds = forms.MultipleChoiceField(label=_("Kinds"), required=False, widget=forms.CheckboxSelectMultiple,
                                      choices=[(k.value, k.label) for k in Kind if k not in SOURCES])
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    to = forms.IntegerField(label=_("Shortest path to entity number"), required=False, min_value=1)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


class WatchForm(forms.Form):
    reason = forms.CharField(label=_("Why you watch this network"), max_length=1000,
                             widget=forms.TextInput(attrs={"size": 60}))


class JudgementForm(forms.Form):
    """Same / not the same / unsure on two person rows, or two company rows (``kind``), with a reason."""

    OTHER = {"person": _("Other person (row number)"), "organisation": _("Other organisation (row number)")}

    kind = forms.ChoiceField(choices=[("person", _("Person")), ("organisation", _("Organisation"))],
                             required=False, widget=forms.HiddenInput)
    a = forms.IntegerField(widget=forms.HiddenInput)
    b = forms.IntegerField(label=OTHER["person"], min_value=1)
    verdict = forms.ChoiceField(label=_("Judgement"), choices=Verdict.choices)
    reason = forms.CharField(label=_("Reason"), max_length=1000)

    def __init__(self, *args, kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        kind = kind or (self.data.get("kind") if self.is_bound else "") or "person"
        if kind == "organisation":
            self.fields["verdict"].choices = OrganisationVerdict.choices
        self.fields["b"].label = self.OTHER.get(kind, self.OTHER["person"])
        self.initial.setdefault("kind", kind)

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or "person"
