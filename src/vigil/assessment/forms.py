from django import forms as djforms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from vigil.assessment import catalogue as catalogues
from vigil.assessment.models import IndicatorReview, Urgency
from vigil.register.models import Form


def _indicator_choices():
    cat = catalogues.current()
    language = get_language() or "nl"
    return [(i.id, f"{i.label_in(language)} ({i.id})") for i in cat.indicators.values()]


class IndicatorReviewForm(djforms.Form):
    indicator = djforms.ChoiceField(label=_("Indicator"), choices=_indicator_choices)
    verdict = djforms.ChoiceField(label=_("Verdict"), choices=IndicatorReview.Verdict.choices)
    reason = djforms.CharField(label=_("Reason"), max_length=2000, widget=djforms.TextInput)


class ReadingReviewForm(djforms.Form):
    forms = djforms.MultipleChoiceField(label=_("Forms of exploitation"), required=False,
                                      choices=[c for c in Form.choices if c[0] != Form.UNKNOWN],
                                      widget=djforms.CheckboxSelectMultiple)
    keep_forms = djforms.BooleanField(label=_("Keep the engine's forms"), required=False, initial=True)
    urgency = djforms.ChoiceField(label=_("Urgency"), required=False,
                                choices=[("", _("Engine's reading"))] + Urgency.choices)
    priority = djforms.IntegerField(label=_("Priority (0–100)"), required=False, min_value=0, max_value=100)
    reason = djforms.CharField(label=_("Reason"), max_length=2000, widget=djforms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("keep_forms") and data.get("forms"):
            self.add_error("forms", _("Either keep the engine's forms or choose forms, not both."))
        if data.get("keep_forms") and not data.get("urgency") and data.get("priority") is None:
            self.add_error(None, _("Set forms, urgency or priority."))
        return data
