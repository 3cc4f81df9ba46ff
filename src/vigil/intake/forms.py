"""The staff intake form: its fields produce a record in the signal interchange format,
so a typed-in signal goes through exactly the same validation and storage as an imported one."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigil.register.models import Channel, Form, Person

STAFF_CHANNELS = [
    (Channel.PHONE_TIP.value, Channel.PHONE_TIP.label),
    (Channel.INSPECTION.value, Channel.INSPECTION.label),
    (Channel.IND_OBSERVATION.value, Channel.IND_OBSERVATION.label),
    (Channel.PARTNER_REFERRAL.value, Channel.PARTNER_REFERRAL.label),
    (Channel.ANONYMOUS_TIP.value, Channel.ANONYMOUS_TIP.label),
    (Channel.POLICE_REPORT.value, Channel.POLICE_REPORT.label),
]
LANGUAGES = [("nl", "Nederlands"), ("en", "English"), ("ro", "Română"), ("bg", "Български"), ("pl", "Polski"),
             ("es", "Español"), ("pt", "Português"), ("hu", "Magyar"), ("uk", "Українська"), ("other", _("Other"))]


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


class IntakeForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=STAFF_CHANNELS)
    organisation = forms.CharField(label=_("Sending organisation"), max_length=200, required=False,
                                   help_text=_("For a referral: the partner that sent it. Empty: your own organisation."))
    ref = forms.CharField(label=_("Reference of the sender"), max_length=200, required=False,
                          help_text=_("Empty: Vigil assigns one."))
    received_at = forms.DateTimeField(label=_("Received"), initial=timezone.now,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    observed_at = forms.DateField(label=_("Observed on"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    narrative = forms.CharField(label=_("What was seen or told"), widget=forms.Textarea(attrs={"rows": 6}))
    language = forms.ChoiceField(label=_("Language of the narrative"), choices=LANGUAGES, initial="nl")
    urgent = forms.BooleanField(label=_("Someone is in immediate danger"), required=False)
    suspected_forms = forms.MultipleChoiceField(label=_("Suspected forms of exploitation"), required=False,
                                                choices=Form.choices, widget=forms.CheckboxSelectMultiple)
    phones = forms.CharField(label=_("Phone numbers (not tied to a person)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}), help_text=_("One per line, any format."))
    plates = forms.CharField(label=_("Vehicle plates"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    bank_accounts = forms.CharField(label=_("Bank accounts (IBAN)"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    online = forms.CharField(label=_("Ads, profiles, handles (URLs or @handles)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def clean_received_at(self):
        value = self.cleaned_data["received_at"]
        if value > timezone.now() + timezone.timedelta(minutes=5):
            raise forms.ValidationError(_("The moment of receipt cannot lie in the future."))
        return value


class PersonForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Person.PersonRole.choices)
    name = forms.CharField(label=_("Name"), max_length=300, required=False)
    aliases = forms.CharField(label=_("Aliases or nicknames"), max_length=500, required=False,
                              help_text=_("Separate with commas."))
    birth_date = forms.CharField(label=_("Date of birth"), max_length=40, required=False,
                                 help_text=_("Also partial: 1999 or 1999-04."))
    estimated_age = forms.IntegerField(label=_("Estimated age"), min_value=0, max_value=120, required=False)
    gender = forms.CharField(label=_("Gender"), max_length=40, required=False)
    nationality = forms.CharField(label=_("Nationality"), max_length=100, required=False)
    phones = forms.CharField(label=_("Phone numbers"), required=False, widget=forms.Textarea(attrs={"rows": 1}))
    emails = forms.CharField(label=_("E-mail addresses"), required=False, widget=forms.Textarea(attrs={"rows": 1}))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_birth_date(self):
        from vigil import normalise

        value = self.cleaned_data["birth_date"].strip()
        if value and not normalise.partial_date(value).valid:
            raise forms.ValidationError(_("Write the date as 1999-04-12, 12-04-1999, 1999-04 or 1999."))
        return value

    def record(self) -> dict | None:
        d = self.cleaned_data
        if not d or not any(d.get(k) for k in ("name", "aliases", "birth_date", "estimated_age", "nationality",
                                                "phones", "emails", "description")):
            return None
        return {"role": d["role"], "name": d["name"] or None, "aliases": lines(d["aliases"]),
                "birth_date": d["birth_date"] or None, "estimated_age": d["estimated_age"],
                "gender": d["gender"] or None, "nationality": d["nationality"] or None,
                "phones": lines(d["phones"]), "emails": lines(d["emails"]), "description": d["description"] or None}


class AddressForm(forms.Form):
    role = forms.CharField(label=_("Role of the address"), max_length=100, required=False,
                           help_text=_("e.g. work location, residence, managed property"))
    street = forms.CharField(label=_("Street"), max_length=200, required=False)
    house_number = forms.CharField(label=_("House number and addition"), max_length=40, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    country = forms.CharField(label=_("Country"), max_length=100, required=False)

    def record(self) -> dict | None:
        d = self.cleaned_data
        if not d or not any(d.get(k) for k in ("street", "house_number", "postcode", "city")):
            return None
        return {k: (d[k] or None) for k in ("role", "street", "house_number", "postcode", "city", "country")}


PersonFormSet = formset_factory(PersonForm, extra=1, max_num=50)
AddressFormSet = formset_factory(AddressForm, extra=1, max_num=50)
