"""Referral pages. The sending side works through its case (members only): refer, see the status and the
receiver's reports, download what was sent. The receiving side (the organisation referred to) has an inbox, the
referral page and the dossier files, which show the frozen content only and never the case, and it accepts or
declines and reports back.

Thin: rules live in ``cases/referrals.py``, rendering of the content in ``cases/dossier.py``. Every view and every
download is audited; a referral the user may not see answers 404 and is audited as denied.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigil.audit.log import record
from vigil.cases import dossier, referrals
from vigil.cases.access import get_case, get_received_referral, received_referrals
from vigil.cases.models import Dossier, Referral, ReferralStatus
from vigil.cases.referral_forms import DecisionForm, ReferralForm, ReportForm
from vigil.cases.service import CaseError
from vigil.core.forms import error_line
from vigil.core.paging import page_of
from vigil.register.access import require

INBOX_PAGE = 50


# --- sending side ----------------------------------------------------------------------------------------------

@login_required
def new(request, pk: int):
    """Refer a case: which partner, why, under which markings, and which of its items."""
    require(request.user, "refer")
    case = get_case(request.user, pk, purpose="refer")
    items = referrals.shareable(request.user, case)
    form = ReferralForm(request.POST or None, items=items, sender_organisation_id=request.user.organisation_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = referrals.refer(request.user, case, data["to_organisation"], reason=data["reason"],
                                       tlp=data["tlp"], pap=data["pap"], signals=data["signals"],
                                       entities=data["entities"], ads=data["ads"])
        except CaseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Referred as %(ref)s to %(org)s; the dossier is ready.") % {
                "ref": referral.reference, "org": referral.to_organisation})
            return redirect("referrals:sent", pk=referral.pk)
    record(request.user, "view", case, detail={"purpose": "refer"})
    errors = [(form[name].id_for_label if name in form.fields else "", e) for name, errs in form.errors.items()
              if name != "__all__" for e in errs]
    return render(request, "referrals/new.html", {"case": case, "form": form, "errors": errors,
                                                  "nothing": not any(items.values())})


def _sent(user, pk, purpose: str) -> Referral:
    """A referral of a case the user is a member of (404, audited, otherwise)."""
    require(user, "cases")
    referral = Referral.objects.filter(pk=pk).select_related("case", "to_organisation").first()
    if referral is None:
        record(user, "denied", object_type="referral", object_id=pk, detail={"purpose": purpose})
        raise Http404("referral not found")
    get_case(user, referral.case_id, purpose=f"referral {referral.pk}: {purpose}")
    return referral


@login_required
def sent(request, pk: int):
    """The sender's copy: status, the receiver's reports, and exactly what was shared."""
    referral = _sent(request.user, pk, "view")
    record(request.user, "view", referral, detail={"side": "sender"})
    return render(request, "referrals/sent.html", {
        "referral": referral, "case": referral.case, "updates": referral.updates.select_related("by"),
        "dossier_ready": Dossier.objects.filter(referral=referral).exists(), **dossier.present(referral.content)})


@login_required
def sent_file(request, pk: int, which: str):
    return _download(request.user, _sent(request.user, pk, "download"), which, "sender")


# --- receiving side --------------------------------------------------------------------------------------------

@login_required
def inbox(request):
    """Referrals sent to my organisation, newest first."""
    require(request.user, "receive_referrals")
    rows = received_referrals(request.user).select_related("from_organisation").order_by("-sent_at", "-pk")
    paged = page_of(request, rows, INBOX_PAGE)
    record(request.user, "view", object_type="referral_inbox", object_id=request.user.organisation_id,
           detail={"page": paged["page"]})
    items = [{"referral": r, "markings": dossier.markings(r.tlp, r.pap),
                   "title": r.content.get("case", {}).get("title", "")} for r in paged.pop("rows")]
    return render(request, "referrals/inbox.html", {"rows": items, **paged})


@login_required
def referral(request, pk: int):
    """What was shared with my organisation, and nothing else: the frozen content with its markings."""
    item = get_received_referral(request.user, pk)
    record(request.user, "view", item, detail={"side": "receiver"})
    return render(request, "referrals/referral.html", {
        "referral": item, "updates": item.updates.select_related("by"),
        "decision_form": DecisionForm() if item.status == ReferralStatus.SENT else None,
        "report_form": ReportForm() if item.status == ReferralStatus.ACCEPTED else None,
        "dossier_ready": Dossier.objects.filter(referral=item).exists(), **dossier.present(item.content)})


@login_required
def received_file(request, pk: int, which: str):
    return _download(request.user, get_received_referral(request.user, pk, purpose="download"), which, "receiver")


def _failed(request, form) -> None:
    messages.error(request, _("Not saved: %(errors)s") % {"errors": error_line(form)})


@login_required
@require_POST
def decide(request, pk: int):
    item = get_received_referral(request.user, pk, purpose="decide")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        _failed(request, form)
        return redirect("referrals:referral", pk=item.pk)
    try:
        referrals.decide(request.user, item, accept=form.cleaned_data["decision"] == "accept",
                         reason=form.cleaned_data["reason"])
    except CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your decision is sent to %(org)s.") % {"org": item.from_organisation})
    return redirect("referrals:referral", pk=item.pk)


@login_required
@require_POST
def report(request, pk: int):
    item = get_received_referral(request.user, pk, purpose="report")
    form = ReportForm(request.POST)
    if not form.is_valid():
        _failed(request, form)
        return redirect("referrals:referral", pk=item.pk)
    try:
        referrals.report_back(request.user, item, form.cleaned_data["kind"], count=form.cleaned_data["count"],
                              note=form.cleaned_data["note"])
    except CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your report is sent to %(org)s.") % {"org": item.from_organisation})
    return redirect("referrals:referral", pk=item.pk)


# --- the files ---------------------------------------------------------------------------------------------------

FILES = {"pdf": ("application/pdf", "pdf", "inline"),
         "ftm": ("application/x-ndjson; charset=utf-8", "ftm.json", "attachment")}


def _download(user, item: Referral, which: str, side: str) -> HttpResponse:
    made = Dossier.objects.filter(referral=item).first()
    if made is None or which not in FILES:
        raise Http404("no dossier")
    content_type, suffix, disposition = FILES[which]
    body = bytes(made.pdf) if which == "pdf" else made.ftm.encode()
    record(user, "export", item, detail={"file": which, "side": side,
                                         "sha256": made.pdf_sha256 if which == "pdf" else made.ftm_sha256})
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'{disposition}; filename="{item.reference}.{suffix}"'
    response["Cache-Control"] = "no-store, private"
    return response
