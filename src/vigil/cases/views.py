"""The case workspace: the list of one's cases, the case page, opening a case from a signal, an entity, a template
cluster or a network, and the work on a case (status, assignee, tasks, notes, attachments, members, proposals,
merging).

Thin: access lives in ``cases/access.py``, changes in ``service.py``, ``work.py``, ``proposals.py`` and
``merge.py``. Every page is audited; a case the user is not a member of answers 404 (audited as denied), a role
without case work 403. A form that does not validate shows the case page again with its errors.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigil.ads.models import Ad, TemplateCluster
from vigil.ads.queries import may_read_ads, require_ads
from vigil.ads.views import _with_tiles
from vigil.audit.log import record
from vigil.cases import forms, merge, proposals, service, work
from vigil.cases.access import get_case, visible_cases
from vigil.cases.models import Case, CaseItem, CaseProposal, CaseStatus, Task
from vigil.core.paging import page_of
from vigil.linking import queries
from vigil.linking.models import SOURCES, Edge, Entity, Kind
from vigil.linking.views import _elements, _entity, _map
from vigil.register.access import get_signal, require, visible_signals
from vigil.register.models import Signal

PAGE_SIZE = 50
CLUSTER_ADS = 1000  # at most taken from one template cluster (the earliest first)
CASE_EDGES = 2000  # at most read around the case's items for its network


# --- the list ----------------------------------------------------------------------------------------------------


def _count(model, **where):
    rows = model.objects.filter(case=OuterRef("pk"), **where).order_by().values("case").annotate(n=Count("*"))
    return Coalesce(Subquery(rows.values("n"), output_field=IntegerField()), 0)


@login_required
def case_list(request):
    """The user's cases (members only), the most recently changed first."""
    require(request.user, "cases")
    form = forms.CaseFilter(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    qs = visible_cases(request.user).select_related("assignee", "merged_into")
    if status:
        qs = qs.filter(status=status)
    qs = qs.annotate(n_items=_count(CaseItem), open_tasks=_count(Task, done_at__isnull=True),
                     overdue=_count(Task, done_at__isnull=True, due__lt=timezone.localdate()),
                     proposed=_count(CaseProposal, decision=CaseProposal.Decision.OPEN)).order_by("-updated_at", "-id")
    paged = page_of(request, qs, PAGE_SIZE)
    record(request.user, "view", object_type="case", object_id="list", detail={"page": paged["page"],
                                                                                 "status": status})
    return render(request, "cases/list.html", {"form": form, "cases": paged.pop("rows"), **paged})


# --- the case page -----------------------------------------------------------------------------------------------


def _network(user, case: Case, signal_ids: list[int], entity_ids: list[int]) -> tuple[list[dict], dict, bool]:
    """The linking graph around the case: every link (the user may see) at its entities and at the nodes of its
    signals, and the links among what that brings in. Returns Cytoscape elements, the map and whether it was cut
    short."""
    starts = set(entity_ids) | set(Entity.objects.filter(signal_id__in=signal_ids).values_list("pk", flat=True))
    if not starts:
        return [], _map([]), False
    allowed = queries.visible_edges(user)
    edges = {e.pk: e for e in Edge.objects.filter(allowed).filter(Q(a_id__in=starts) | Q(b_id__in=starts))
             .select_related("a", "b", "source").order_by("-at", "-id")[:CASE_EDGES]}
    capped = len(edges) >= CASE_EDGES
    nodes: dict[int, Entity] = {}
    for e in edges.values():
        for node in (e.a, e.b):
            if node.pk not in nodes and len(nodes) >= queries.NETWORK_NODES:
                capped = True
                continue
            nodes.setdefault(node.pk, node)
    between = (Edge.objects.filter(allowed).filter(a_id__in=list(nodes), b_id__in=list(nodes))
               .exclude(pk__in=list(edges)).select_related("a", "b", "source")[:CASE_EDGES])
    edges.update((e.pk, e) for e in between)
    net = queries.Network(next(iter(nodes.values()), None), nodes,
                          [e for e in edges.values() if e.a_id in nodes and e.b_id in nodes], capped)
    elements = _elements(net, set(), set()) if nodes else []
    for element in elements:
        if "source" not in element["data"]:
            element["data"]["start"] = int(element["data"]["id"][1:]) in starts  # the case's own items stand out
    return elements, _map(nodes.values()), capped


def _visible_entities(user, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    edges = Edge.objects.filter(queries.visible_edges(user))
    return (set(edges.filter(a_id__in=ids).values_list("a_id", flat=True).distinct())
            | set(edges.filter(b_id__in=ids).values_list("b_id", flat=True).distinct()))


def _page(request, case: Case, *, status: int = 200, **bound):
    """The case page; ``bound`` holds a form that did not validate, shown with its errors."""
    user = request.user
    record(user, "view", case, detail={"form": next(iter(bound), "")} if bound else None)
    items = list(case.items.select_related("signal", "entity", "ad", "added_by").order_by("added_at", "id"))
    signal_ids = [i.signal_id for i in items if i.signal_id]
    entity_ids = [i.entity_id for i in items if i.entity_id]
    proposed = list(proposals.open_proposals(case))
    readable = set(visible_signals(user).filter(pk__in=signal_ids + [p.signal_id for p in proposed])
                   .values_list("pk", flat=True))
    seen = _visible_entities(user, entity_ids)
    touched = Entity.objects.in_bulk({e for p in proposed for e in p.entities})
    members = list(case.members.select_related("user").order_by("added_at"))
    member_users = work.colleagues(case).filter(case_memberships__case=case)
    colleagues = work.colleagues(case)
    others = visible_cases(user).exclude(pk=case.pk).exclude(status=CaseStatus.CLOSED).filter(
        merged_into__isnull=True).order_by("-updated_at")
    elements, map_, capped = _network(user, case, [s for s in signal_ids if s in readable], entity_ids)
    tasks = list(case.tasks.select_related("assignee"))
    today = timezone.localdate()
    events = list(case.events.select_related("user"))
    ctx = {
        "case": case, "workable": not case.merged_into_id,
        "signals": sorted(((i, i.signal_id in readable) for i in items if i.signal_id),
                          key=lambda r: (r[0].signal.received_at, r[0].signal_id)),
        "entities": sorted(((i, i.entity_id in seen) for i in items if i.entity_id),
                           key=lambda r: (r[0].entity.kind, r[0].entity.label.casefold(), r[0].entity_id)),
        "ads": sorted((i for i in items if i.ad_id), key=lambda i: (i.ad.first_collected, i.ad_id)),
        "proposals": [(p, may_read_ads(user) if p.ad_network_id else p.signal_id in readable,
                       [touched[e] for e in p.entities if e in touched]) for p in proposed],
        "tasks": [(t, work.overdue(t, today)) for t in tasks],
        "overdue": sum(work.overdue(t, today) for t in tasks),
        "notes": list(case.notes.select_related("author")),
        "attachments": list(case.attachments.defer("data").select_related("uploaded_by")),
        "events": events, "members": members, "elements": elements, "map": map_, "capped": capped,
        "merged_cases": list(case.merged_cases.all()),
        "status_form": forms.StatusForm(initial={"status": case.status}),
        "assign_form": forms.AssignForm(colleagues=colleagues, initial={"assignee": case.assignee_id}),
        "member_form": forms.MemberForm(colleagues=colleagues.exclude(case_memberships__case=case)),
        "task_form": forms.TaskForm(members=member_users),
        "note_form": forms.NoteForm(), "attachment_form": forms.AttachmentForm(),
        "merge_form": forms.MergeForm(cases=others) if others.exists() else None,
        "max_bytes": work.MAX_ATTACHMENT_BYTES,
    }
    ctx.update(bound)
    return _with_tiles(render(request, "cases/case.html", ctx, status=status))


@login_required
def case_detail(request, pk: int):
    return _page(request, get_case(request.user, pk))


def _act(request, pk: int, purpose: str, name: str, make_form: Callable, do: Callable, anchor: str = ""):
    """The shape of every change on the case page: the case (members only), the form, the change; a refused
    change or a form with errors shows the page again, with the reason at the form."""
    case = get_case(request.user, pk, purpose=purpose)
    form = make_form(case)
    if form.is_valid():
        try:
            result = do(case, form.cleaned_data)
        except service.CaseError as exc:
            form.add_error(None, str(exc))
        else:
            if isinstance(result, HttpResponse):
                return result
            return redirect(reverse("cases:case", args=[case.pk]) + anchor)
    return _page(request, case, **{name: form})


@login_required
@require_POST
def change_status(request, pk: int):
    def do(case, data):
        work.workable(case)
        service.set_status(request.user, case, data["status"], outcome=data.get("outcome") or "",
                           note=data.get("note") or "")
    return _act(request, pk, "status", "status_form", lambda case: forms.StatusForm(request.POST), do)


@login_required
@require_POST
def assign(request, pk: int):
    return _act(request, pk, "assign", "assign_form",
                lambda case: forms.AssignForm(request.POST, colleagues=work.colleagues(case)),
                lambda case, data: work.assign(request.user, case, data["assignee"]))


@login_required
@require_POST
def add_member(request, pk: int):
    def do(case, data):
        work.workable(case)
        service.add_member(request.user, case, data["user"])
    return _act(request, pk, "add member", "member_form",
                lambda case: forms.MemberForm(request.POST, colleagues=work.colleagues(case)), do, "#h-members")


@login_required
@require_POST
def add_task(request, pk: int):
    return _act(request, pk, "add task", "task_form",
                lambda case: forms.TaskForm(request.POST, members=work.colleagues(case).filter(
                    case_memberships__case=case)),
                lambda case, data: work.add_task(request.user, case, data["title"], due=data.get("due"),
                                                 assignee=data.get("assignee")), "#h-tasks")


@login_required
@require_POST
def task_done(request, pk: int):
    def do(case, data):
        task = case.tasks.filter(pk=data["task"]).first()
        if task is None:
            raise service.CaseError(_("Task not found."))
        work.complete_task(request.user, case, task)
    return _act(request, pk, "task done", "task_done_form", lambda case: forms.TaskDoneForm(request.POST), do,
                "#h-tasks")


@login_required
@require_POST
def add_note(request, pk: int):
    return _act(request, pk, "add note", "note_form", lambda case: forms.NoteForm(request.POST),
                lambda case, data: work.add_note(request.user, case, data["text"]), "#h-notes")


@login_required
@require_POST
def add_attachment(request, pk: int):
    def do(case, data):
        upload = data["file"]
        work.attach(request.user, case, upload.name, upload.read())
    return _act(request, pk, "attach", "attachment_form",
                lambda case: forms.AttachmentForm(request.POST, request.FILES), do, "#h-attachments")


@login_required
def attachment(request, pk: int, attachment_id: int):
    """Download a file kept with the case; audited."""
    case = get_case(request.user, pk, purpose="attachment")
    item = case.attachments.filter(pk=attachment_id).first()
    if item is None:
        raise Http404("attachment not found")
    record(request.user, "view", case, detail={"attachment": item.pk, "name": item.name, "sha256": item.sha256})
    response = HttpResponse(bytes(item.data), content_type=item.content_type)
    response["Content-Disposition"] = content_disposition_header(True, item.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def decide_proposal(request, pk: int):
    def do(case, data):
        proposal = case.proposals.select_related("signal", "ad_network").filter(pk=data["proposal"]).first()
        if proposal is None:
            raise service.CaseError(_("Proposal not found."))
        proposals.decide(request.user, case, proposal, accept=data["decision"] == "accept")
    return _act(request, pk, "proposal", "proposal_form", lambda case: forms.ProposalForm(request.POST), do,
                "#h-proposals")


@login_required
@require_POST
def merge_into(request, pk: int):
    def do(case, data):
        target = merge.merge(request.user, case, data["target"])
        messages.success(request, _("%(source)s was merged into this case.") % {"source": case.reference})
        return redirect("cases:case", pk=target.pk)
    return _act(request, pk, "merge", "merge_form",
                lambda case: forms.MergeForm(request.POST, cases=visible_cases(request.user).exclude(pk=case.pk)),
                do)


# --- opening a case from a page, adding to one ---------------------------------------------------------------------


def _gather(user, source: str, pk: int) -> tuple[dict, str, list[str]]:
    """What the page offers: its signals, entities or ads (each checked for need-to-know: 404 and audited
    otherwise), how they came in, and the forms of exploitation of its signals."""
    if source == "signal":
        signal = get_signal(user, pk, purpose="case")
        items, via = {"signals": [signal.pk]}, f"signal {signal.ref}"
    elif source == "entity":
        items, via = {"entities": [_entity(user, pk).pk]}, f"entity {pk}"
    elif source == "cluster":
        require_ads(user)
        cluster = get_object_or_404(TemplateCluster, pk=pk)
        ads = Ad.objects.filter(cluster=cluster).order_by("first_collected", "id").values_list("pk", flat=True)
        items, via = {"ads": list(ads[:CLUSTER_ADS])}, f"cluster {cluster.pk}"
    else:
        net = queries.network(user, _entity(user, pk))
        items = {"signals": [e.signal_id for e in net.nodes.values() if e.kind == Kind.SIGNAL and e.signal_id],
                 "entities": [e.pk for e in net.nodes.values() if e.kind not in SOURCES]}
        via = f"network {pk}"
    found = Signal.objects.filter(pk__in=items.get("signals", ())).values_list("forms", flat=True)
    return items, via, sorted({f for fs in found for f in fs})


def _back(request, form) -> str:
    return form.back() or reverse("cases:list")


@login_required
@require_POST
def open_case(request):
    """"Open case" on a signal, entity, template cluster or network page."""
    require(request.user, "cases")
    form = forms.OpenCaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The case was not opened: %(errors)s") % {"errors": _errors(form)})
        return redirect(_back(request, form))
    data = form.cleaned_data
    items, via, found_forms = _gather(request.user, data["source"], data["pk"])
    try:
        case = service.open_case(request.user, data["title"], forms=found_forms, via=via, **items)
    except service.CaseError as exc:
        messages.error(request, _("The case was not opened: %(errors)s") % {"errors": exc})
        return redirect(_back(request, form))
    messages.success(request, _("Case %(ref)s opened.") % {"ref": case.reference})
    return redirect("cases:case", pk=case.pk)


@login_required
@require_POST
def add_to_case(request):
    """"Add to case" on those pages: the page's items into one of the user's cases."""
    require(request.user, "cases")
    form = forms.AddToCaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was added: %(errors)s") % {"errors": _errors(form)})
        return redirect(_back(request, form))
    data = form.cleaned_data
    case = get_case(request.user, data["case"], purpose="add items")
    items, via, found_forms = _gather(request.user, data["source"], data["pk"])
    try:
        work.workable(case)
        if case.status == CaseStatus.CLOSED:
            raise service.CaseError(_("%(ref)s is closed: reopen it first.") % {"ref": case.reference})
        added = service.add_items(request.user, case, via=via, **items)
    except service.CaseError as exc:
        messages.error(request, _("Nothing was added: %(errors)s") % {"errors": exc})
        return redirect(_back(request, form))
    if set(found_forms) - set(case.forms):
        Case.objects.filter(pk=case.pk).update(forms=sorted(set(case.forms) | set(found_forms)))
    messages.success(request, _("%(n)s new items added to %(ref)s.") % {"n": added, "ref": case.reference})
    return redirect("cases:case", pk=case.pk)


def _errors(form) -> str:
    return "; ".join(str(e) for errors in form.errors.values() for e in errors)

