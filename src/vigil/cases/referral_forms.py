"""Forms of the referral pages: refer a case (sender), accept or decline and report back (receiver)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from vigil.cases.models import FeedbackKind, Pap, Tlp
from vigil.organisations.models import Organisation

COUNTED = {FeedbackKind.PERSONS_IDENTIFIED, FeedbackKind.ARRESTS, FeedbackKind.VICTIMS_SUPPORTED}


class ReferralForm(forms.Form):
    """What to share with which organisation, why, and under which markings. The item boxes list the case's items
    the sender may see, all ticked at first."""

    to_organisation = forms.ModelChoiceField(label=_("Refer to"), queryset=Organisation.objects.none())
    reason = forms.CharField(label=_("Why this organisation"), max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("What you ask of them and why they are the ones to act."))
    tlp = forms.ChoiceField(label=_("How far it may be passed on (TLP)"), choices=Tlp.choices,
                            initial=Tlp.AMBER_STRICT, widget=forms.RadioSelect)
    pap = forms.ChoiceField(label=_("How it may be used (PAP)"), choices=Pap.choices, initial=Pap.AMBER,
                            widget=forms.RadioSelect)
    signals = forms.TypedMultipleChoiceField(label=_("Signals"), coerce=int, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    entities = forms.TypedMultipleChoiceField(label=_("Entities"), coerce=int, required=False,
                                              widget=forms.CheckboxSelectMultiple)
    ads = forms.TypedMultipleChoiceField(label=_("Online ads"), coerce=int, required=False,
                                         widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, items: dict[str, dict[int, str]], sender_organisation_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = Organisation.objects.exclude(pk=sender_organisation_id)
        for kind, choices in items.items():
            self.fields[kind].choices = list(choices.items())
            self.fields[kind].initial = list(choices)
        self.items = items

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why this organisation should have it."))
        return reason

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(kind) for kind in ("signals", "entities", "ads")):
            raise forms.ValidationError(_("Choose at least one item of the case to share."))
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    reason = forms.CharField(label=_("Reason (needed when declining)"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why you decline."))
        return data


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=[c for c in FeedbackKind.choices
                                                        if c[0] != FeedbackKind.DECLINED])
    count = forms.IntegerField(label=_("Number"), min_value=0, max_value=100_000, required=False,
                               help_text=_("Persons identified, arrests or victims supported."))
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("kind") in COUNTED and data.get("count") is None:
            self.add_error("count", _("Give the number."))
        return data
