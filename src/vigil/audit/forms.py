from django import forms
from django.utils.translation import gettext_lazy as _

from vigil.audit.models import Action


class AuditFilter(forms.Form):
    user = forms.CharField(label=_("User"), required=False)
    object_type = forms.CharField(label=_("Object type"), required=False, help_text=_("e.g. signal"))
    object_id = forms.CharField(label=_("Object"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("All"))] + Action.choices)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def apply(self, qs):
        d = self.cleaned_data
        if d.get("user"):
            qs = qs.filter(username__iexact=d["user"].strip())
        if d.get("object_type"):
            qs = qs.filter(object_type=d["object_type"].strip().lower())
        if d.get("object_id"):
            qs = qs.filter(object_id=d["object_id"].strip())
        if d.get("action"):
            qs = qs.filter(action=d["action"])
        if d.get("date_from"):
            qs = qs.filter(at__date__gte=d["date_from"])
        if d.get("date_to"):
            qs = qs.filter(at__date__lte=d["date_to"])
        return qs
