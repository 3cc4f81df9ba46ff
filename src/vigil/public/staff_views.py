"""The analyst's side of a public report: the thread, questions to the reporter, spam, attachments."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vigil.audit.log import record
from vigil.public import service
from vigil.public.forms import TEXT_MAX
from vigil.public.models import Attachment, Report
from vigil.register.access import get_signal, require


class QuestionForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Question to the reporter"), max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=gettext_lazy("The reporter reads this after entering the receipt code."))


def _report(user, signal_pk: int, purpose: str) -> Report:
    signal = get_signal(user, signal_pk, purpose=purpose)
    try:
        return signal.report
    except Report.DoesNotExist:
        raise Http404 from None


@login_required
@require_POST
def ask(request, pk: int):
    require(request.user, "intake")
    report = _report(request.user, pk, "ask reporter")
    form = QuestionForm(request.POST)
    if report.signal.owner_id != request.user.organisation_id:
        messages.error(request, _("Only the owning organisation can contact the reporter."))
    elif form.is_valid():
        service.ask(request.user, report, form.cleaned_data["body"])
        messages.success(request, _("Your question is waiting for the reporter."))
    else:
        messages.error(request, _("Write a question first."))
    return redirect("register:signal", pk=pk)


@login_required
@require_POST
def spam(request, pk: int):
    require(request.user, "intake")
    report = _report(request.user, pk, "mark spam")
    if report.signal.owner_id == request.user.organisation_id:
        service.mark_spam(request.user, report, spam=request.POST.get("spam") != "0")
    return redirect("register:signal", pk=pk)


@login_required
def attachment(request, pk: int, attachment_id: int):
    require(request.user, "read_signals")
    report = _report(request.user, pk, "attachment")
    try:
        item = report.attachments.get(pk=attachment_id)
    except Attachment.DoesNotExist:
        raise Http404 from None
    record(request.user, "view", report.signal, detail={"attachment": item.pk})
    path = Path(settings.DATA_DIR) / "attachments" / item.path
    response = FileResponse(path.open("rb"), content_type=item.content_type, as_attachment=True, filename=item.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
