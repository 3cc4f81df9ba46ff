"""The entity page, the network view and the JSON the network view expands with.

Thin: access and walks live in ``linking/queries.py``. Every page is audited ("view"), and an entity the user may
not see answers 404 (its existence is not revealed) and is audited as denied.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigil.ads.queries import city_points, map_of
from vigil.ads.views import _with_tiles
from vigil.audit.log import record
from vigil.linking import queries
from vigil.linking.forms import GraphFilterForm, JudgementForm, WatchForm
from vigil.linking.models import SOURCES, Entity, Kind, Watch, WatchAlert
from vigil.register.access import get_signal, get_visible, require, visible_signals

LINKS_LISTED = 500


def _entity(user, pk: int) -> Entity:
    require(user, "read_signals")
    entity = Entity.objects.filter(pk=pk).first()
    if entity is None or not queries.may_see(user, entity):
        record(user, "denied", object_type="entity", object_id=pk)
        raise Http404("entity not found")
    return entity


def _filters(request) -> tuple[GraphFilterForm, dict]:
    form = GraphFilterForm(request.GET or None)
    if not form.is_valid():
        return form, {}
    data = form.cleaned_data
    day = dt.time.min
    since = timezone.make_aware(dt.datetime.combine(data["since"], day)) if data.get("since") else None
    until = timezone.make_aware(dt.datetime.combine(data["until"], dt.time.max)) if data.get("until") else None
    return form, {"kinds": data.get("kinds") or (), "since": since, "until": until}


def _href(entity: Entity) -> str:
    if entity.kind == Kind.SIGNAL and entity.signal_id:
        return reverse("register:signal", args=[entity.signal_id])
    if entity.kind == Kind.AD_NETWORK:
        return reverse("ads:network", args=[int(entity.key)])
    return reverse("linking:entity", args=[entity.pk])


def _map(entities) -> dict:
    addresses = [e for e in entities if e.kind == Kind.ADDRESS and e.city]
    points = city_points([e.city for e in addresses])
    for p, e in zip(points, addresses, strict=True):
        p["label"] = e.label
    return map_of(points, route=False, tiles=settings.VIGIL_MAP_TILES, attribution=settings.VIGIL_MAP_ATTRIBUTION)


def _evidence(edge) -> str:
    ev = edge.evidence or {}
    parts = [ev.get("field", ""), f"“{ev['given']}”" if ev.get("given") else "", ev.get("role", "")]
    return " · ".join(p for p in parts if p)


@login_required
def entity_detail(request, pk: int):
    entity = _entity(request.user, pk)
    form, filters = _filters(request)
    near = queries.neighbourhood(request.user, entity, **filters)
    record(request.user, "view", object_type="entity", object_id=entity.pk, detail={"kind": entity.kind})
    rows = []
    for e in near.edges:
        other = near.others[e.b_id if e.a_id == entity.pk else e.a_id]
        rows.append({"edge": e, "other": other, "href": _href(other), "evidence": _evidence(e),
                     "source_href": _href(e.source), "source": e.source})
    shown = [entity, *near.others.values()]
    panel = queries.resolution_panel(request.user, entity)
    variants = queries.visible_variants(request.user, entity)
    label = entity.label if entity.label in variants or not variants else variants[0]  # (as a readable source has it)
    response = render(request, "linking/entity.html", {
        "entity": entity, "label": label, "variants": variants, "near": near, "rows": rows, "form": form,
        "map": _map(shown), "panel": panel,
        "judgement_form": JudgementForm(kind=panel["kind"]) if panel and request.user.can("review") else None,
        "timeline": sorted((r for r in rows if r["edge"].at), key=lambda r: r["edge"].at),
    })
    return _with_tiles(response)


def _elements(net, path_edges: set[int], path_nodes: set[int]) -> list[dict]:
    nodes = [{"data": {"id": f"n{e.pk}", "label": e.label[:60], "kind": e.kind, "href": _href(e),
                       "degree": e.degree, "hub": e.degree > queries.HUB_DEGREE, "path": e.pk in path_nodes,
                       "start": e.pk == net.start.pk}} for e in net.nodes.values()]
    edges = [{"data": {"id": f"e{x.pk}", "source": f"n{x.a_id}", "target": f"n{x.b_id}", "relation": x.relation,
                       "evidence": _evidence(x), "at": x.at.date().isoformat() if x.at else "",
                       "path": x.pk in path_edges}} for x in net.edges]
    return nodes + edges


@login_required
def network_view(request, pk: int):
    start = _entity(request.user, pk)
    form, filters = _filters(request)
    net = queries.network(request.user, start, **filters)
    path = []
    if form.is_valid() and form.cleaned_data.get("to"):
        target = Entity.objects.filter(pk=form.cleaned_data["to"]).first()
        if target is not None and queries.may_see(request.user, target):
            path = queries.shortest_path(request.user, start, target)
            for node, _edge in path:
                net.nodes.setdefault(node.pk, node)
            net.edges += [e for _n, e in path if e is not None and e not in net.edges]
    record(request.user, "view", object_type="network", object_id=start.pk, detail={"nodes": len(net.nodes)})
    members = sorted((e for e in net.nodes.values() if e.kind not in SOURCES), key=lambda e: (e.kind, e.label))
    response = render(request, "linking/network.html", {
        "start": start, "net": net, "form": form, "hubs": queries.hubs(net), "members": members,
        "sources": [e for e in net.nodes.values() if e.kind in SOURCES],
        "elements": _elements(net, {e.pk for _n, e in path if e}, {n.pk for n, _e in path}),
        "path": [{"entity": n, "href": _href(n), "evidence": _evidence(e) if e else ""} for n, e in path],
        "map": _map(net.nodes.values()),
        "watch": Watch.objects.filter(entity=start, user=request.user).first(), "watch_form": WatchForm(),
        "links": [{"edge": e, "evidence": _evidence(e), "a_href": _href(e.a), "b_href": _href(e.b)}
                  for e in sorted(net.edges, key=lambda e: (e.b.kind, e.b.label))[:LINKS_LISTED]],
    })
    return _with_tiles(response)


@login_required
@require_POST
def watch(request, pk: int):
    """Watch (or stop watching) the network of an entity; audited."""
    entity = _entity(request.user, pk)
    existing = Watch.objects.filter(entity=entity, user=request.user).first()
    if existing is not None:
        existing.delete()
        record(request.user, "update", object_type="watch", object_id=entity.pk, detail={"watch": False})
        return redirect("linking:network", pk=entity.pk)
    form = WatchForm(request.POST)
    if form.is_valid():
        Watch.objects.create(entity=entity, user=request.user, reason=form.cleaned_data["reason"])
        record(request.user, "update", object_type="watch", object_id=entity.pk, detail={"watch": True},
               reason=form.cleaned_data["reason"])
    return redirect("linking:network", pk=entity.pk)


@login_required
def alerts(request):
    """New signals and ad networks that touched a network you watch, newest first — only those you may read."""
    require(request.user, "read_signals")
    rows = (WatchAlert.objects.filter(queries.visible_edges(request.user), watch__user=request.user)
            .select_related("watch__entity", "source", "entity").order_by("-at")[:200])
    record(request.user, "view", object_type="watch_alerts", object_id=request.user.pk)
    return render(request, "linking/alerts.html", {
        "rows": [{"alert": a, "source_href": _href(a.source)} for a in rows],
        "watches": Watch.objects.filter(user=request.user).select_related("entity"),
    })


@login_required
def neighbours_json(request, pk: int):
    """What the network view adds when the analyst expands a node (capped, with the count left out)."""
    entity = _entity(request.user, pk)
    near = queries.neighbourhood(request.user, entity)
    record(request.user, "view", object_type="entity", object_id=entity.pk, detail={"expand": True})
    net = queries.Network(entity, {entity.pk: entity, **near.others}, near.edges, near.capped)
    return JsonResponse({"elements": _elements(net, set(), set()), "total": near.total,
                         "shown": len(near.edges), "capped": near.capped})


@login_required
def signal_network(request, pk: int):
    """From a signal to the network around it."""
    signal = get_signal(request.user, pk)
    node = queries.by_signal(signal)
    if node is None:
        raise Http404("this signal is not linked yet")
    return redirect("linking:network", pk=node.pk)


@login_required
@require_POST
def judge(request):
    """Same / not the same / unsure on two person rows or two company rows, with a reason; refused with a clear
    message when it contradicts earlier judgements; the persons or organisations are then resolved again (in the
    background)."""
    from django.contrib import messages

    from vigil.linking import resolution, tasks

    require(request.user, "review")
    form = JudgementForm(request.POST)
    back = request.POST.get("back") or reverse("linking:alerts")
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect(back)
    data = form.cleaned_data
    subject = resolution.ORGANISATIONS if data["kind"] == "organisation" else resolution.PERSONS
    a = get_signal_row(request.user, subject, data["a"])
    b = get_signal_row(request.user, subject, data["b"])
    try:
        resolution.judge(request.user, a, b, data["verdict"], data["reason"])
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    getattr(tasks, f"resolve_{subject.plural}").enqueue()
    messages.success(request, _("Judgement recorded; the persons are resolved again with it.") if subject is
                     resolution.PERSONS else _("Judgement recorded; the organisations are resolved again with it."))
    entity = queries.entity_of_row(a)
    return redirect(reverse("linking:entity", args=[entity.pk]) if entity else back)


def get_signal_row(user, subject, pk: int):
    """A person or company row whose signal the user may read (else 404, audited)."""
    readable_rows = subject.row.objects.filter(signal__in=visible_signals(user))
    return get_visible(user, readable_rows, pk, object_type=subject.noun, purpose="judge")
