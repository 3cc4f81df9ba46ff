import datetime

from django import forms
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigil.organisations.models import Organisation
from vigil.register.models import Channel, Form, SignalShare, Status

SORTS = [
    ("urgency", _("Urgent first")),
    ("priority", _("Highest priority first")),
    ("-received_at", _("Newest first")),
    ("received_at", _("Oldest first")),
    ("channel", _("Channel")),
]


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class QueueFilter(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("All"))] + Channel.choices)
    form = forms.ChoiceField(label=_("Form of exploitation"), required=False, choices=[("", _("All"))] + Form.choices)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + Status.choices)
    urgent = forms.ChoiceField(label=_("Urgency"), required=False,
                               choices=[("", _("All")), ("1", _("Urgent")), ("0", _("Not urgent"))])
    owner = forms.ModelChoiceField(label=_("Organisation"), required=False, queryset=Organisation.objects.all(),
                                   to_field_name="slug", empty_label=_("All"))
    date_from = forms.DateField(label=_("Received from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Received until"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORTS)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date lies before the start date."))
        return data

    def apply(self, qs):
        d = self.cleaned_data
        if d.get("channel"):
            qs = qs.filter(channel=d["channel"])
        if d.get("form"):
            qs = qs.filter(forms__contains=[d["form"]])
        if d.get("status"):
            qs = qs.filter(status=d["status"])
        if d.get("urgent") in {"0", "1"}:
            qs = qs.filter(urgent=d["urgent"] == "1")
        if d.get("owner"):
            qs = qs.filter(owner=d["owner"])
        # day boundaries in local time as datetimes, so the index on received_at is used
        if d.get("date_from"):
            qs = qs.filter(received_at__gte=_start_of(d["date_from"]))
        if d.get("date_to"):
            qs = qs.filter(received_at__lt=_start_of(d["date_to"] + datetime.timedelta(days=1)))
        sort = d.get("sort") or "urgency"  # the intake queue: urgent signals on top, then the newest
        order = {"urgency": ["-urgent", "-received_at"], "channel": ["channel", "-received_at"],
                 # the assessment's priority (engine or analyst); signals not yet read come last
                 "priority": [F("assessment__priority").desc(nulls_last=True), "-received_at"]}.get(sort, [sort])
        return qs.order_by(*order, "-id")


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need to read this signal?"), min_length=5, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ShareForm(forms.ModelForm):
    class Meta:
        model = SignalShare
        fields = ["organisation", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, signal=None, **kwargs):
        super().__init__(*args, **kwargs)
        already = signal.shares.values("organisation_id") if signal else []
        self.fields["organisation"].queryset = Organisation.objects.exclude(pk=getattr(signal, "owner_id", None)) \
            .exclude(pk__in=already)
