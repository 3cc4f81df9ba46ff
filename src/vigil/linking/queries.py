"""Walking the graph for one user: what they may see, a node's neighbours, a network, hubs, a shortest path.

Need-to-know holds edge by edge: an edge counts only when its source is a signal the user may read
(``register.access``) or an ad network and the user may read ads. A network is what can be reached from an entity
over such edges, so an analyst never learns of a link that only another organisation's signal gives.

Large nodes are safe: a walk takes at most ``NEIGHBOURS`` neighbours of one node (the most recent first) and says
how many it left out, and never walks on through a hub (more than ``graph.HUB_DEGREE`` edges).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q

from vigil.ads.queries import may_read_ads
from vigil.linking.graph import HUB_DEGREE
from vigil.linking.models import SOURCES, Edge, Entity, Kind
from vigil.register.access import readable, visible_signals

NEIGHBOURS = 60  # shown per node before "and N more"
NETWORK_NODES = 400  # at most in one network view


def visible_edges(user) -> Q:
    """On anything with a ``source`` node (an edge, a watch alert): the source is one the user may read."""
    q = readable(user, "source__signal")
    if may_read_ads(user):
        q |= Q(source__kind=Kind.AD_NETWORK)
    return q


def visible_variants(user, entity: Entity, most: int = 30) -> list[str]:
    """The values as the sources the user may read wrote them (``Entity.variants`` holds those of every source: a
    name spelled only in another organisation's signal is not shown)."""
    given = (Edge.objects.filter(visible_edges(user)).filter(b=entity, relation="mentions")
             .exclude(evidence__given="").values_list("evidence__given", flat=True).distinct())
    return sorted(given[:most])


def may_see(user, entity: Entity) -> bool:
    """An entity is visible when at least one visible edge touches it."""
    return Edge.objects.filter(visible_edges(user)).filter(Q(a=entity) | Q(b=entity)).exists()


@dataclass
class Neighbourhood:
    entity: Entity
    edges: list[Edge]  # visible edges at the entity, capped
    others: dict[int, Entity]
    total: int  # visible edges at the entity in all
    by_kind: dict[str, int] = field(default_factory=dict)  # of the others, over all visible edges

    @property
    def capped(self) -> bool:
        return self.total > len(self.edges)


def neighbourhood(user, entity: Entity, *, cap: int | None = None, kinds=(), since=None, until=None) -> Neighbourhood:
    cap = cap or NEIGHBOURS
    edges = Edge.objects.filter(visible_edges(user)).filter(Q(a=entity) | Q(b=entity))
    if since:
        edges = edges.filter(at__gte=since)
    if until:
        edges = edges.filter(at__lte=until)
    if kinds:
        edges = edges.filter((Q(a=entity) & Q(b__kind__in=kinds)) | (Q(b=entity) & Q(a__kind__in=kinds)))
    total = edges.count()
    shown = list(edges.select_related("a", "b", "source").order_by("-at", "-id")[:cap])
    others = {}
    for e in shown:
        other = e.b if e.a_id == entity.pk else e.a
        others[other.pk] = other
    by_kind: dict[str, int] = {}
    if total > cap:  # the counts of what is left out, by kind, without loading it
        for kind_a, kind_b, a_id in edges.values_list("a__kind", "b__kind", "a_id"):
            kind = kind_b if a_id == entity.pk else kind_a
            by_kind[kind] = by_kind.get(kind, 0) + 1
    else:
        for o in shown:
            other = o.b if o.a_id == entity.pk else o.a
            by_kind[other.kind] = by_kind.get(other.kind, 0) + 1
    return Neighbourhood(entity, shown, others, total, by_kind)


@dataclass
class Network:
    start: Entity
    nodes: dict[int, Entity]
    edges: list[Edge]
    capped: bool  # stopped at NETWORK_NODES, or a hub was not walked through
    hubs_held: list[Entity] = field(default_factory=list)


def network(user, start: Entity, *, limit: int | None = None, kinds=(), since=None, until=None) -> Network:
    """Breadth first from ``start`` over visible edges; hubs are shown but not walked through."""
    limit = limit or NETWORK_NODES
    allowed = visible_edges(user)
    nodes = {start.pk: start}
    seen_edges: dict[int, Edge] = {}
    frontier = [start.pk]
    capped, held = False, []
    while frontier and len(nodes) < limit:
        edges = Edge.objects.filter(allowed).filter(Q(a_id__in=frontier) | Q(b_id__in=frontier))
        if since:
            edges = edges.filter(at__gte=since)
        if until:
            edges = edges.filter(at__lte=until)
        nxt = []
        for e in edges.select_related("a", "b", "source").order_by("id")[: limit * 8]:
            seen_edges[e.pk] = e
            for node in (e.a, e.b):
                if node.pk in nodes:
                    continue
                if kinds and node.kind not in kinds and node.kind not in SOURCES:
                    continue
                if len(nodes) >= limit:
                    capped = True
                    break
                nodes[node.pk] = node
                if node.degree > HUB_DEGREE:
                    held.append(node)
                    capped = True
                else:
                    nxt.append(node.pk)
        frontier = nxt
    edges = [e for e in seen_edges.values() if e.a_id in nodes and e.b_id in nodes]
    return Network(start, nodes, edges, capped or bool(frontier), held)


def hubs(net: Network, most: int = 10) -> list[dict]:
    """Entities that hold the network together, ranked: sources that mention them, cities of the addresses those
    sources mention, ad phones and ad networks within reach — a person tied to properties in several cities and to
    ad phones ranks first."""
    sources_of: dict[int, set] = {}
    for e in net.edges:
        for node, other in ((e.a, e.b), (e.b, e.a)):
            if node.kind in SOURCES and other.kind not in SOURCES:
                sources_of.setdefault(other.pk, set()).add(node.pk)
    mentions: dict[int, set] = {}
    for entity, sources in sources_of.items():
        for s in sources:
            mentions.setdefault(s, set()).add(entity)
    ranked = []
    for pk, sources in sources_of.items():
        entity = net.nodes[pk]
        if entity.kind in (Kind.URL, Kind.DOCUMENT):
            continue
        reach = {x for s in sources for x in mentions[s]} - {pk}
        cities = {net.nodes[x].city for x in reach if net.nodes[x].kind == Kind.ADDRESS and net.nodes[x].city}
        addresses = {x for x in reach if net.nodes[x].kind == Kind.ADDRESS}
        ad_links = sum(1 for s in sources if net.nodes[s].kind == Kind.AD_NETWORK) + sum(
            1 for x in reach for s in sources_of.get(x, ()) if net.nodes[s].kind == Kind.AD_NETWORK)
        score = len(sources) + 4 * len(cities) + 2 * len(addresses) + 2 * min(ad_links, 5)
        ranked.append({"entity": entity, "score": score, "sources": len(sources), "cities": sorted(cities),
                       "addresses": len(addresses), "ad_links": ad_links})
    ranked.sort(key=lambda r: (-r["score"], r["entity"].pk))
    return ranked[:most]


def shortest_path(user, a: Entity, b: Entity, *, max_depth: int = 8) -> list[tuple[Entity, Edge | None]]:
    """The shortest chain of visible edges from ``a`` to ``b`` (each step with the edge that gives it), searched
    from both ends at once; hubs are not walked through. Empty when there is none within ``max_depth``."""
    if a.pk == b.pk:
        return [(a, None)]
    allowed = visible_edges(user)
    came = [{a.pk: None}, {b.pk: None}]  # node -> (previous node, edge) per side
    frontier = [[a.pk], [b.pk]]
    for _depth in range(max_depth):
        side = 0 if len(frontier[0]) <= len(frontier[1]) else 1
        if not frontier[side]:
            return []
        nxt = []
        edges = (Edge.objects.filter(allowed).filter(Q(a_id__in=frontier[side]) | Q(b_id__in=frontier[side]))
                 .select_related("a", "b", "source"))
        meet = None
        for e in edges:
            for here, there in ((e.a, e.b), (e.b, e.a)):
                if here.pk not in frontier[side] or there.pk in came[side]:
                    continue
                came[side][there.pk] = (here.pk, e)
                if there.pk in came[1 - side]:
                    meet = there.pk
                    break
                if there.degree <= HUB_DEGREE:
                    nxt.append(there.pk)
            if meet:
                break
        if meet:
            return _path(came, meet, a.pk, b.pk)
        frontier[side] = nxt
    return []


def _path(came, meet, start, end) -> list[tuple[Entity, Edge | None]]:
    left, node = deque(), meet
    while came[0][node] is not None:
        prev, edge = came[0][node]
        left.appendleft((node, edge))
        node = prev
    left.appendleft((start, None))
    right, node = [], meet
    while came[1][node] is not None:
        prev, edge = came[1][node]
        right.append((prev, edge))
        node = prev
    steps = list(left) + right
    entities = Entity.objects.in_bulk([n for n, _e in steps])
    return [(entities[n], e) for n, e in steps]


def by_signal(signal) -> Entity | None:
    return Entity.objects.filter(signal=signal).first()


def signal_panel(user, signal) -> dict:
    """For the signal page: the entities this signal links to (each with how many other sources the user may see
    mention it) and the node to open the network from."""
    node = by_signal(signal)
    if node is None:
        return {"node": None, "rows": []}
    near = neighbourhood(user, node, cap=200)
    others = list(near.others.values())
    counts = dict(Edge.objects.filter(visible_edges(user)).filter(b__in=others).exclude(source=node)
                  .values_list("b").annotate(n=models.Count("source", distinct=True)).values_list("b", "n"))
    rows = [{"entity": e, "sources": counts.get(e.pk, 0)} for e in others if e.kind not in SOURCES]
    rows.sort(key=lambda r: (-r["sources"], r["entity"].kind, r["entity"].label))
    return {"node": node, "rows": rows}


def resolution_panel(user, entity: Entity) -> dict | None:
    """For a person or organisation entity: its register rows per source (those the user may read), the pairs the
    model scored with their explanation, the candidates below the threshold, and the judgements made — only on
    rows the user may read. None for other kinds."""
    from vigil.linking import graph
    from vigil.linking.resolution import ORGANISATIONS, PERSONS

    subject = {Kind.PERSON: PERSONS, Kind.ORGANISATION: ORGANISATIONS}.get(entity.kind)
    if subject is None:
        return None
    prefix = "company:" if subject is ORGANISATIONS else "person:"
    ids = {int(ref[len(prefix):]) for ref in Edge.objects.filter(b=entity, relation="mentions")
           .values_list("evidence__ref", flat=True) if ref and ref.startswith(prefix)}
    visible = visible_signals(user)
    rows = subject.row.objects.filter(pk__in=ids, signal__in=visible).select_related("signal")
    if subject is ORGANISATIONS:
        rows = rows.prefetch_related("signal__addresses")
    members = list(rows.order_by("signal__received_at", "pk"))
    for m in members:
        m.place = graph.company_place(m.signal.addresses.all()) if subject is ORGANISATIONS else None
    shown = {m.pk for m in members}
    both_visible = Q(a__signal__in=visible, b__signal__in=visible)
    links = list(subject.link.objects.filter(Q(a__in=shown) | Q(b__in=shown)).filter(both_visible)
                 .select_related("a", "b", "a__signal", "b__signal").order_by("-linked", "-probability")[:100])
    judged = list(subject.judgement.objects.filter(Q(a__in=shown) | Q(b__in=shown)).filter(both_visible)
                  .select_related("a", "b", "user").order_by("-at")[:50])
    return {"kind": subject.noun, "organisation": subject is ORGANISATIONS, "members": members,
            "hidden": len(ids) - len(shown), "links": links, "judgements": judged}


def entity_of_row(row) -> Entity | None:
    """The entity a person or company row is linked to (through the mention its signal gives)."""
    from vigil.register.models import Company

    ref = f"{'company' if isinstance(row, Company) else 'person'}:{row.pk}"
    edge = (Edge.objects.filter(source__signal_id=row.signal_id, relation="mentions", evidence__ref=ref)
            .select_related("b").first())
    return edge.b if edge else None


def entity_of_person(person_id: int) -> Entity | None:
    from vigil.linking.models import ResolvedPerson

    cluster = ResolvedPerson.objects.filter(person_id=person_id).values_list("cluster", flat=True).first()
    return Entity.objects.filter(kind=Kind.PERSON, key=f"person:{cluster or person_id}").first()
