"""Keeping the graph current: link some signals now, everything that is stale, the ad networks, or all again.

``link_signals`` is what a new signal goes through (within seconds of arrival); ``link_stale`` is the resumable full
run behind ``vigil link``: it takes the signals the graph does not hold in their current version in batches, each
batch committed with what it linked, so an interrupted run goes on where it stopped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.db import connection
from django.db.models import Prefetch

from vigil.linking import graph
from vigil.linking.models import Entity, Kind, ResolvedPerson
from vigil.register.models import Identifier, Signal

BATCH = 500


def _signals(ids: list[int]):
    return (Signal.objects.filter(pk__in=ids).order_by("pk")
            .prefetch_related("persons", "companies", "addresses",
                              Prefetch("identifiers", queryset=Identifier.objects.order_by("pk"))))


def link_signals(ids: list[int]) -> set[int]:
    """Link these signals now (their edges replaced). Returns the touched entity ids."""
    signals = list(_signals(ids))
    if not signals:
        return set()
    resolved = dict(ResolvedPerson.objects.filter(person__signal__in=signals).values_list("person_id", "cluster"))
    organisations = graph.organisation_keys(signals)  # one lookup for the whole batch
    derived = [graph.derive_signal(s, resolved, organisations) for s in signals]
    touched = graph.store(derived, {(Kind.SIGNAL, str(s.pk)): s.content_hash for s in signals})
    from vigil.cases.proposals import propose_for_signals  # a signal that touches a case is proposed for it

    propose_for_signals([s.pk for s in signals])
    return touched


def stale_signal_ids() -> list[int]:
    with connection.cursor() as cur:
        cur.execute("""
            SELECT s.id FROM register_signal s
            LEFT JOIN linking_entity n ON n.kind = 'signal' AND n.key = s.id::text
            LEFT JOIN linking_linkedsource l ON l.node_id = n.id
            WHERE l.version IS DISTINCT FROM s.content_hash ORDER BY s.id""")
        return [r[0] for r in cur.fetchall()]


def ad_network_sources() -> list[tuple[int, list[tuple[str, str, int]], object, str]]:
    """Per ad network of two ads or more: its phones, e-mails and accounts with the number of ads showing each."""
    with connection.cursor() as cur:
        cur.execute("""
            SELECT a.network_id, k.kind, k.value, count(DISTINCT a.id), max(a.last_collected)
            FROM ads_ad a JOIN ads_adnetwork x ON x.id = a.network_id AND x.size > 1,
                 LATERAL (SELECT 'phone' AS kind, unnest(a.phones) AS value
                          UNION ALL SELECT 'email', unnest(a.emails)
                          UNION ALL SELECT 'handle', unnest(a.handles)) k
            GROUP BY a.network_id, k.kind, k.value ORDER BY a.network_id""")
        out: dict[int, list] = {}
        last: dict[int, object] = {}
        for network, kind, value, ads, at in cur.fetchall():
            out.setdefault(network, []).append((kind, value, ads))
            last[network] = max(at, last.get(network, at))
    return [(n, ids, last[n], hashlib.sha1(repr(ids).encode()).hexdigest()) for n, ids in out.items()]


def link_ad_networks() -> int:
    """Ad networks as sources; only those whose identifiers changed are linked again."""
    held = dict(Entity.objects.filter(kind=Kind.AD_NETWORK).values_list("key", "linked__version"))
    todo = [(n, ids, at, version) for n, ids, at, version in ad_network_sources() if held.get(str(n)) != version]
    from vigil.cases.proposals import propose_for_ad_networks  # an ad network that touches a case is proposed

    for start in range(0, len(todo), BATCH):
        part = todo[start:start + BATCH]
        graph.store([graph.derive_ad_network(n, ids, at) for n, ids, at, _v in part],
                    {(Kind.AD_NETWORK, str(n)): v for n, _ids, _at, v in part})
        propose_for_ad_networks([n for n, _ids, _at, _v in part])
    return len(todo)


def link_stale(progress: Callable[[int, int], None] | None = None, batch: int = BATCH,
               ad_networks: bool = True) -> dict:
    """Link every signal the graph does not hold in its current version, then (unless told not to: a signal import
    changes no ad network) the ad networks; resumable."""
    ids = stale_signal_ids()
    for start in range(0, len(ids), batch):
        link_signals(ids[start:start + batch])
        if progress:
            progress(min(start + batch, len(ids)), len(ids))
    return {"signals": len(ids), "ad_networks": link_ad_networks() if ad_networks else 0}


def relink_all(progress: Callable[[int, int], None] | None = None) -> dict:
    """Everything stale, then the networks from scratch and the entities no source mentions any more removed."""
    result = link_stale(progress)
    with connection.cursor() as cur:
        cur.execute("""DELETE FROM linking_entity e WHERE e.kind NOT IN ('signal', 'ad_network')
                       AND NOT EXISTS (SELECT 1 FROM linking_edge x WHERE x.b_id = e.id OR x.a_id = e.id)""")
        result["removed"] = cur.rowcount
    result["networks"] = graph.networks()
    return result
