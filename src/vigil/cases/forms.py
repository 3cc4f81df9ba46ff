from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vigil.cases.models import CaseStatus, Outcome
from vigil.cases.work import MAX_ATTACHMENT_BYTES

SOURCES = [("signal", _("signal")), ("entity", _("entity")), ("cluster", _("template cluster")),
           ("network", _("network"))]


class CaseForm(forms.Form):
    """A form on the case page: its fields get ids of their own (``id_task_title``), as the page holds many."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class CaseFilter(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + CaseStatus.choices)


class FromPage(forms.Form):
    """What the "Open case" and "Add to case" buttons send: where the items come from, and where to go back to."""

    source = forms.ChoiceField(choices=SOURCES, widget=forms.HiddenInput)
    pk = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def back(self) -> str:
        """A path on this site only (never an address elsewhere)."""
        nxt = self.data.get("next") or ""
        return nxt if nxt.startswith("/") and not nxt.startswith("//") and "\\" not in nxt else ""


class OpenCaseForm(FromPage):
    title = forms.CharField(label=_("Title of the new case"), max_length=300)

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise ValidationError(_("A case needs a title."))
        return title


class AddToCaseForm(FromPage):
    case = forms.IntegerField(label=_("Case"), min_value=1)


class StatusForm(CaseForm):
    id_prefix = "status"
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)
    outcome = forms.ChoiceField(label=_("Outcome (when closing)"), required=False,
                                choices=[("", "—")] + [c for c in Outcome.choices if c[0] != Outcome.MERGED])
    note = forms.CharField(label=_("Note on the outcome"), required=False, max_length=2000,
                           widget=forms.TextInput(attrs={"size": 40}))

    def clean(self):
        data = super().clean()
        if data.get("status") == CaseStatus.CLOSED and not data.get("outcome"):
            self.add_error("outcome", _("Closing a case needs an outcome."))
        return data


class ColleagueField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class AssignForm(CaseForm):
    id_prefix = "assign"
    assignee = ColleagueField(label=_("Assignee"), queryset=None, required=False, empty_label=_("nobody"))

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = colleagues


class MemberForm(CaseForm):
    id_prefix = "member"
    user = ColleagueField(label=_("Colleague"), queryset=None)

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = colleagues


class TaskForm(CaseForm):
    id_prefix = "task"
    title = forms.CharField(label=_("Task"), max_length=300, widget=forms.TextInput(attrs={"size": 50}))
    due = forms.DateField(label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    assignee = ColleagueField(label=_("For"), queryset=None, required=False, empty_label="—")

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = members

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise ValidationError(_("Describe the task."))
        return title


class TaskDoneForm(CaseForm):
    id_prefix = "done"
    task = forms.IntegerField(min_value=1)


class NoteForm(CaseForm):
    id_prefix = "note"
    text = forms.CharField(label=_("Note"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError(_("Write the note first."))
        return text


class AttachmentForm(CaseForm):
    id_prefix = "attachment"
    file = forms.FileField(label=_("File"), help_text=_("Images, PDF or plain text, at most 10 MB."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_ATTACHMENT_BYTES:
            raise ValidationError(_("The file is larger than 10 MB."))
        return upload


class ProposalForm(CaseForm):
    id_prefix = "proposal"
    proposal = forms.IntegerField(min_value=1)
    decision = forms.ChoiceField(choices=[("accept", _("Add to the case")), ("reject", _("Not for this case"))])


class MergeForm(CaseForm):
    id_prefix = "merge"
    target = forms.ModelChoiceField(label=_("Merge this case into"), queryset=None)

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = cases
        self.fields["target"].label_from_instance = lambda c: f"{c.reference} {c.title}"[:120]

