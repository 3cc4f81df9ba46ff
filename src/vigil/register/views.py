"""Staff workspace: the queue, the signal page and search. Thin: access and logic live in plain modules."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigil.assessment.views import panel as assessment_panel
from vigil.audit.log import record
from vigil.core.paging import page_of
from vigil.linking.queries import signal_panel
from vigil.public.staff_views import QuestionForm
from vigil.register import history
from vigil.register.access import get_signal, require, visible_signals, works_on
from vigil.register.forms import QueueFilter, ReasonForm, ShareForm, StatusForm
from vigil.register.highlight import highlight
from vigil.register.search import search as run_search

PAGE_SIZE = 50


@login_required
def queue(request):
    require(request.user, "read_signals")
    filters = QueueFilter(request.GET or None)
    qs = visible_signals(request.user).select_related("owner")
    if filters.is_valid():
        qs = filters.apply(qs)
    else:
        qs = qs.order_by("-urgent", "-received_at", "-id")
    qs = qs.only("id", "ref", "channel", "received_at", "urgent", "forms", "status", "language",
                 "sending_organisation", "narrative", "owner__name").annotate(
        priority=F("assessment__priority"), trafficking=F("assessment__trafficking"))
    paged = page_of(request, qs, PAGE_SIZE)
    ctx = {"filters": filters, "signals": paged.pop("rows"), **paged}
    template = "register/_queue_rows.html" if request.htmx and not request.htmx.boosted else "register/queue.html"
    return render(request, template, ctx)


@login_required
def signal_detail(request, pk: int):
    require(request.user, "read_signals")
    signal = get_signal(request.user, pk)
    reasons = request.session.setdefault("reasons", {})
    reason = reasons.get(str(pk), "")
    if signal.sensitive and not reason:
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            reasons[str(pk)] = form.cleaned_data["reason"]
            request.session.modified = True
            return redirect("register:signal", pk=pk)
        return render(request, "register/reason.html", {"signal": signal, "form": form})
    record(request.user, "view", signal, reason=reason)
    persons = list(signal.persons.all())
    identifiers = list(signal.identifiers.all())
    known = [(i.value_given, i.kind, i.value) for i in identifiers]
    known += [(p.name, "person", p.name) for p in persons if p.name]
    known += [(a, "person", p.name) for p in persons for a in p.aliases]
    report = getattr(signal, "report", None) if signal.channel == "public_web_report" else None
    assessment = assessment_panel(request.user, signal)
    ctx = {
        "signal": signal,
        "report": report,
        "question_form": QuestionForm() if report is not None and works_on(request.user, signal, "intake") else None,
        "narrative": highlight(signal.narrative, known, assessment["signs"]),
        "a": assessment,
        "linked": signal_panel(request.user, signal),
        "persons": [(p, [i for i in identifiers if i.person_id == p.pk]) for p in persons],
        "addresses": signal.addresses.all(),
        "companies": [(c, [i for i in identifiers if i.company_id == c.pk]) for c in signal.companies.all()],
        "identifiers": [i for i in identifiers if i.person_id is None and i.company_id is None],
        "versions": history.changes(signal),
        "shares": signal.shares.select_related("organisation"),
        "share_form": ShareForm(signal=signal) if request.user.can("share") and
        signal.owner_id == request.user.organisation_id else None,
        "reason": reason,
        "status_form": StatusForm(initial={"status": signal.status}) if works_on(request.user, signal, "intake") else None,
    }
    return render(request, "register/signal.html", ctx)


@login_required
@require_POST
def share(request, pk: int):
    require(request.user, "share")
    signal = get_signal(request.user, pk, purpose="share")
    if signal.owner_id != request.user.organisation_id:
        record(request.user, "denied", signal, detail={"purpose": "share"})
        messages.error(request, _("Only the owning organisation can share a signal."))
        return redirect("register:signal", pk=pk)
    form = ShareForm(request.POST, signal=signal)
    if form.is_valid():
        share = form.save(commit=False)
        share.signal, share.shared_by = signal, request.user
        share.save()
        record(request.user, "share", signal, detail={"with": share.organisation.name}, reason=share.reason)
        messages.success(request, _("Shared with %(org)s.") % {"org": share.organisation.name})
    else:
        messages.error(request, _("Not shared: choose an organisation and give a reason."))
    return redirect("register:signal", pk=pk)


@login_required
@require_POST
def change_status(request, pk: int):
    require(request.user, "intake")
    signal = get_signal(request.user, pk, purpose="change status")
    form = StatusForm(request.POST)
    if not works_on(request.user, signal, "intake"):
        record(request.user, "denied", signal, detail={"purpose": "change status"})
        messages.error(request, _("Only the owning organisation can change a signal."))
    elif form.is_valid() and form.cleaned_data["status"] != signal.status:
        before, signal.status = signal.status, form.cleaned_data["status"]
        signal.updated_at = timezone.now()
        signal.save(update_fields=["status", "updated_at"])
        record(request.user, "update", signal, detail={"status": [before, signal.status]})
        messages.success(request, _("Status changed to %(status)s.") % {"status": signal.get_status_display()})
    return redirect("register:signal", pk=pk)


@login_required
def search(request):
    require(request.user, "search")
    query = request.GET.get("q", "").strip()
    hits = run_search(request.user, query) if query else []
    if query:
        record(request.user, "search", object_type="search", detail={"terms": query, "hits": len(hits)})
    return render(request, "register/search.html", {"q": query, "hits": hits})
