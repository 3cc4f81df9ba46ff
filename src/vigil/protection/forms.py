"""Forms for each step of a protection record and for permit flags. They check the input; the rules of the scheme
are checked once more by the service (the models' ``clean()``), whose errors ``add_errors`` puts on the fields."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vigil import normalise
from vigil.cases.access import visible_cases
from vigil.linking.models import Entity
from vigil.linking.queries import may_see
from vigil.protection.models import (
    Authority,
    ContinuedGround,
    Cooperation,
    Decision,
    ExemptionGround,
    FlagAction,
    FlagStatus,
    PermitKind,
    reflection_limit,
)
from vigil.register.access import visible_signals
from vigil.register.models import Company, Person

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}
DECISIONS = [(d.value, d.label) for d in Decision if d != Decision.PENDING]


def add_errors(form: forms.Form, error: ValidationError) -> None:
    """Put the service's errors on the form's fields (or above the form when the field is not on it)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class _UserForm(forms.Form):
    """A form that looks things up as the user may see them."""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def _person(self, pk, *, victim: bool):
        if pk is None:
            return None
        person = Person.objects.filter(pk=pk, signal__in=visible_signals(self.user)).first()
        if person is None:
            raise ValidationError(_("No person with this number in a signal you may read."))
        if victim and person.role != Person.PersonRole.VICTIM:
            raise ValidationError(_("This person is not recorded as a possible victim."))
        return person

    def _entity(self, pk, kinds: tuple[str, ...]):
        if pk is None:
            return None
        entity = Entity.objects.filter(pk=pk, kind__in=kinds).first()
        if entity is None or not may_see(self.user, entity):
            raise ValidationError(_("No such entity in the graph as you may see it."))
        return entity


class RecordForm(_UserForm):
    display_name = forms.CharField(label=_("Name"), max_length=300, required=False,
                                   help_text=_("As the victim gives it; taken from the signal when left empty."))
    nationality = forms.CharField(label=_("Nationality"), max_length=100, required=False,
                                  help_text=_("Country name, adjective or code, e.g. Colombia, Colombiaans, CO."))
    birth_date = forms.DateField(label=_("Date of birth"), required=False, **DATE)
    v_number = forms.CharField(label=_("V-number"), max_length=20, required=False)
    person = forms.IntegerField(label=_("Person number in a signal"), required=False, min_value=1,
                                help_text=_("The possible victim as a signal names them (the number on the signal "
                                            "page)."))
    entity = forms.IntegerField(label=_("Person in the graph (entity number)"), required=False, min_value=1)
    case = forms.CharField(label=_("Case reference"), max_length=32, required=False,
                           help_text=_("e.g. ZAAK-2026-00017; a case you are a member of."))

    def clean_nationality(self):
        given = self.cleaned_data["nationality"].strip()
        if not given:
            return ""
        found = normalise.country(given)
        code = found.country
        if not found.valid or not code:
            raise ValidationError(_("Unknown country: %(given)s.") % {"given": given})
        return code

    def clean_person(self):
        return self._person(self.cleaned_data["person"], victim=True)

    def clean_entity(self):
        return self._entity(self.cleaned_data["entity"], ("person",))

    def clean_case(self):
        ref = self.cleaned_data["case"].strip()
        if not ref:
            return None
        case = visible_cases(self.user).filter(reference__iexact=ref).first()
        if case is None:
            raise ValidationError(_("No case with this reference among your cases."))
        return case

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("display_name") or data.get("person") or data.get("entity")):
            raise ValidationError(_("Give the name, or the person in a signal or the graph."))
        return data


class ReflectionForm(forms.Form):
    reflection_offered = forms.TypedChoiceField(
        label=_("Reflection period offered"), required=False, empty_value=None,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        choices=[("", _("Not recorded")), ("yes", _("Yes")), ("no", _("No"))])
    reflection_offered_on = forms.DateField(label=_("Offered on"), required=False, **DATE)
    reflection_offered_by = forms.ChoiceField(label=_("Offered by"), required=False,
                                              choices=[("", "—"), *Authority.choices])
    reflection_start = forms.DateField(label=_("Starts"), required=False, **DATE)
    reflection_end = forms.DateField(label=_("Ends"), required=False, help_text=_(
        "At most three months after the start; left empty, the full three months."), **DATE)
    reflection_ended_on = forms.DateField(label=_("Ended early on"), required=False, **DATE)
    reflection_end_reason = forms.CharField(label=_("Why it ended early"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("reflection_start") and not data.get("reflection_end") and "reflection_end" not in self.errors:
            data["reflection_end"] = reflection_limit(data["reflection_start"])
        return data


class CooperationForm(forms.Form):
    cooperation = forms.ChoiceField(label=_("Decision"), choices=Cooperation.choices)
    cooperation_on = forms.DateField(label=_("Decided on"), **DATE)


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_("Closed on"), required=False, help_text=_("Both empty: open again."), **DATE)
    closed_reason = forms.CharField(label=_("Why"), max_length=300, required=False,
                                    help_text=_("e.g. left the Netherlands; continued residence granted"))


class PermitForm(forms.Form):
    kind = forms.ChoiceField(label=_("Application"), choices=PermitKind.choices)
    applied_on = forms.DateField(label=_("Applied on"), help_text=_("A report (aangifte) counts as the application "
                                                                     "for the B8/3 permit."), **DATE)
    ground = forms.ChoiceField(label=_("Ground (continued residence)"), required=False,
                               choices=[("", "—"), *ContinuedGround.choices])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PermitDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS)
    decided_on = forms.DateField(label=_("Decided on"), **DATE)
    valid_from = forms.DateField(label=_("Valid from"), required=False, **DATE)
    valid_until = forms.DateField(label=_("Valid until"), required=False,
                                  help_text=_("A B8/3 permit is usually valid for one year."), **DATE)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ExemptionForm(forms.Form):
    ground = forms.ChoiceField(label=_("Ground"), choices=ExemptionGround.choices)
    applied_on = forms.DateField(label=_("Requested on"), **DATE)
    note = forms.CharField(label=_("What it rests on"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("e.g. the statement of the police or the medical advice"))


class ExemptionDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS)
    decided_on = forms.DateField(label=_("Decided on"), **DATE)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


STEP_FORMS = {"details": RecordForm, "reflection": ReflectionForm, "cooperation": CooperationForm,
              "closed": CloseForm, "permit": PermitForm, "permit_decision": PermitDecisionForm,
              "exemption": ExemptionForm, "exemption_decision": ExemptionDecisionForm}


def _refs(text: str) -> list[str]:
    return [r for r in re.split(r"[\s,;]+", text or "") if r]


class FlagForm(_UserForm):
    action = forms.ChoiceField(label=_("Action"), choices=FlagAction.choices)
    permit = forms.CharField(label=_("Permit concerned"), max_length=300,
                             help_text=_("e.g. recognised sponsor for labour migrants; residence permit for work"))
    subject_name = forms.CharField(label=_("Person or organisation"), max_length=300, required=False,
                                   help_text=_("Taken from the signal or graph when left empty."))
    person = forms.IntegerField(label=_("Person number in a signal"), required=False, min_value=1)
    company = forms.IntegerField(label=_("Organisation number in a signal"), required=False, min_value=1)
    entity = forms.IntegerField(label=_("Person or organisation in the graph (entity number)"), required=False,
                                min_value=1)
    signals = forms.CharField(label=_("Signals it rests on"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("Signal references, separated by spaces or commas."))
    cases = forms.CharField(label=_("Cases it rests on"), required=False,
                            help_text=_("Case references, separated by spaces or commas."))
    summary = forms.CharField(label=_("Evidence summary"), widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=_("What the signals and cases show of trafficking, in your own words."))

    def clean_person(self):
        return self._person(self.cleaned_data["person"], victim=False)

    def clean_company(self):
        pk = self.cleaned_data["company"]
        if pk is None:
            return None
        company = Company.objects.filter(pk=pk, signal__in=visible_signals(self.user)).first()
        if company is None:
            raise ValidationError(_("No organisation with this number in a signal you may read."))
        return company

    def clean_entity(self):
        return self._entity(self.cleaned_data["entity"], ("person", "organisation"))

    def clean_signals(self):
        refs = _refs(self.cleaned_data["signals"])
        found = list(visible_signals(self.user).filter(ref__in=refs))  # a reference is unique per sender only
        missing = [r for r in refs if r not in {s.ref for s in found}]
        if missing:
            raise ValidationError(_("Signals not found among those you may read: %(refs)s")
                                  % {"refs": ", ".join(missing)})
        return found

    def clean_cases(self):
        refs = [r.upper() for r in _refs(self.cleaned_data["cases"])]
        found = {c.reference: c for c in visible_cases(self.user).filter(reference__in=refs)}
        missing = [r for r in refs if r not in found]
        if missing:
            raise ValidationError(_("Cases not found among yours: %(refs)s") % {"refs": ", ".join(missing)})
        return list(found.values())

    def clean(self):
        data = super().clean()
        if not self.errors:
            if not (data.get("person") or data.get("company") or data.get("entity")):
                raise ValidationError(_("Name the person or organisation by its number in a signal or the graph."))
            if not (data.get("signals") or data.get("cases")):
                self.add_error("signals", _("Cite at least one signal or case the flag rests on."))
        return data


class FlagStepForm(forms.Form):
    status = forms.ChoiceField(label=_("Next step"), choices=[(s.value, s.label) for s in FlagStatus
                                                              if s != FlagStatus.PROPOSED])
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        if allowed:  # in the order of the trail, none chosen beforehand
            self.fields["status"].choices = [("", "—"), *((s.value, s.label) for s in FlagStatus if s in allowed)]
