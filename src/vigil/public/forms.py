"""The public report form, in steps. Each step is one small form; answers of the other steps
travel along as hidden fields, so nothing is stored anywhere until the report is sent."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vigil.public.models import Relation

TEXT_MAX = 10_000
LINE_MAX = 500
UNREADABLE = "\ufffd"


class PublicForm(forms.Form):
    """Refuses text Django could only decode with replacement characters (invalid UTF-8)."""

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, str) and UNREADABLE in value:
                self.add_error(name, _("This text contains characters that could not be read. Please type it again."))
        return data


class WhatStep(PublicForm):
    what = forms.CharField(label=_("What did you see or hear?"), max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=_("Describe it in your own words and in your own language."))
    danger = forms.ChoiceField(label=_("Is someone in danger right now?"), widget=forms.RadioSelect,
                               choices=[("yes", _("Yes")), ("no", _("No")), ("unknown", _("I don't know"))])


class WhereStep(PublicForm):
    address = forms.CharField(label=_("Address"), max_length=LINE_MAX, required=False,
                              help_text=_("Street and house number, if you know them."))
    city = forms.CharField(label=_("Town or city"), max_length=200, required=False)
    online = forms.CharField(label=_("Online ad or profile"), max_length=LINE_MAX, required=False,
                             help_text=_("A web address, phone number from an ad, or a username."))


class WhoStep(PublicForm):
    people = forms.CharField(label=_("Who is involved?"), max_length=TEXT_MAX, required=False,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("What do they look like, how old are they, which language do they speak?"))
    names = forms.CharField(label=_("Names or nicknames, if you know them"), max_length=LINE_MAX, required=False)
    phones = forms.CharField(label=_("Phone numbers"), max_length=LINE_MAX, required=False)
    vehicles = forms.CharField(label=_("Vehicles and number plates"), max_length=LINE_MAX, required=False)


class WhenStep(PublicForm):
    when = forms.CharField(label=_("When did this happen?"), max_length=LINE_MAX, required=False,
                           help_text=_("A date, or for example: last weekend, every night."))
    ongoing = forms.BooleanField(label=_("It is still going on"), required=False)


class YouStep(PublicForm):
    relation = forms.ChoiceField(label=_("How do you know about this?"), widget=forms.RadioSelect,
                                 choices=Relation.choices)
    anonymous = forms.ChoiceField(label=_("Do you want to stay anonymous?"), widget=forms.RadioSelect,
                                  choices=[("yes", _("Yes, I stay anonymous")),
                                           ("no", _("No, I leave my contact details"))])
    contact_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Your e-mail address"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Your phone number"), max_length=50, required=False)
    email_follow_up = forms.BooleanField(label=_("Contact me by e-mail instead of the receipt code"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("anonymous") == "no" and not (data.get("contact_email") or data.get("contact_phone")):
            self.add_error("contact_email", _("Give an e-mail address or a phone number, or choose to stay anonymous."))
        if data.get("anonymous") == "yes":
            for name in ("contact_name", "contact_email", "contact_phone", "email_follow_up"):
                data[name] = "" if name != "email_follow_up" else False
        if data.get("email_follow_up") and not data.get("contact_email"):
            self.add_error("email_follow_up", _("Give an e-mail address to be contacted by e-mail."))
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field, as in Django's documentation; their content is judged later."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class SendStep(PublicForm):
    files = MultipleFileField(label=_("Photos or documents (optional)"), required=False,
                              help_text=_("At most 5 files of 10 MB: photos, PDF or text. Hidden data such as "
                                        "location is removed from photos."))
    website = forms.CharField(required=False, label=_("Leave this field empty"))  # honeypot


STEPS = [
    ("what", WhatStep, _("What happened")),
    ("where", WhereStep, _("Where")),
    ("who", WhoStep, _("Who")),
    ("when", WhenStep, _("When")),
    ("you", YouStep, _("About you")),
    ("send", SendStep, _("Send")),
]
STEP_NAMES = [name for name, _, _ in STEPS]
ANSWER_FIELDS = [f for _, form, _ in STEPS[:-1] for f in form.base_fields]


class ReplyForm(PublicForm):
    body = forms.CharField(label=_("Your answer or extra information"), max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 5}))
    files = SendStep.base_fields["files"]


class ReceiptForm(PublicForm):
    receipt = forms.CharField(label=_("Your receipt code"), max_length=40,
                              help_text=_("16 letters and digits, for example 7K3D-9QXP-M2RT-H8FW."))
