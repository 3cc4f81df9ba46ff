"""Building the graph: what each source mentions, as entities and edges with evidence.

A signal mentions persons, organisations, addresses and identifiers (rows of the register, already normalised);
an ad network mentions the phones, e-mails and accounts of its ads. Each becomes an entity keyed by its normalised
value, so the same phone written six ways, or ``Grote Markt 14A`` / ``14 a`` / ``14-A``, is one entity. Persons are
keyed by the cluster that person resolution put them in (``ResolvedPerson``), or alone until it ran; organisations
by the cluster of organisation resolution (``ResolvedOrganisation``), and a company row it has not seen yet by a
conservative rule (``organisation_keys``).

Reporters are never entities: linking two networks through the neighbour who reported both would expose the
reporter and join what is not joined. Identifiers that failed validation (``06-1234``, an IBAN with wrong check
digits) stay visible on the signal but link nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from vigil import normalise
from vigil.ads.queries import municipality_of
from vigil.core.pgcopy import copy_row
from vigil.linking.models import Kind, ResolvedOrganisation
from vigil.register.models import Identifier, Person, Signal

HUB_DEGREE = 500  # a node with more edges than this joins no networks and is not expanded in full
MAX_VARIANTS = 30


@dataclass
class Mention:
    kind: str
    key: str
    label: str
    given: str
    field: str
    role: str = ""
    city: str = ""
    ref: str = ""  # the register row it comes from, e.g. "person:12"


@dataclass
class Derived:
    node: Mention
    at: object
    mentions: list[Mention] = field(default_factory=list)
    pairs: list[tuple[int, int, str]] = field(default_factory=list)  # (mention index, mention index, relation)


def organisation_key(name: str, registration: str = "") -> str:
    """A registration number (KvK) when there is one, else the name without legal form, case and punctuation:
    'Flexwerk-Oost BV' and 'FLEXWERK OOST B.V.' are one organisation, 'Flexwerk West B.V.' another. The legal
    forms are the versioned list of probabilistic organisation resolution (linking/data/legal_forms.yaml)."""
    from vigil.linking.organisations import strip_legal_form

    digits = re.sub(r"\D", "", registration or "")
    if len(digits) == 8:
        return f"kvk:{digits}"
    return "name:" + strip_legal_form(normalise.text_key(name).replace("-", " "))


def city_key(city: str) -> str:
    """The municipality's key when the name is a municipality, town or district ('Almere-Stad' and 'Almere' are
    one), else the register's city key."""
    return normalise.city(municipality_of(city) or city).value


def address_key(street: str, house_number: str, postcode: str, city: str, fallback: str) -> str:
    """Street, number and municipality when all three are given (so an address written with and without its
    postcode, or with its district for a city, is one entity); else the register's key (postcode and number, or
    street and number)."""
    number = normalise.house_number(house_number)
    street_key, city_key_ = normalise.street(street), city_key(city)
    if street_key and number.value and city_key_:
        return f"st:{street_key}:{number.value}:{city_key_}"
    return fallback


# a company's place: the address of its signal whose role says work or business, else the signal's first address
_BUSINESS_ROLE = re.compile(r"work|werk|bedrijf|business|kantoor|office|vestiging|employ|zaak|company|winkel|shop")


def kvk_number(registration: str) -> str:
    """The 8-digit KvK number in a registration as written ('7184 6203'), else ''."""
    digits = re.sub(r"\D", "", registration or "")
    return digits if len(digits) == 8 else ""


def company_place(addresses: Iterable) -> object | None:
    """The address that stands for a company of a signal (its rows have no address of their own): the first whose
    role says work or business ('werklocatie', 'work location', 'bedrijfsadres'), else the first one."""
    addresses = list(addresses)
    for a in addresses:
        if a.role and _BUSINESS_ROLE.search(a.role.casefold()):
            return a
    return addresses[0] if addresses else None


def organisation_keys(signals: Iterable[Signal]) -> dict[int, str]:
    """The entity key of every company row of these signals (companies and addresses prefetched).

    A row organisation resolution has seen is keyed by its cluster, ``org:{cluster}``. A new row must link at
    once, before the next resolution, and without guessing: it joins the cluster of a resolved row with the same
    KvK number, else of one with the same name (legal form left out) in the same municipality. Otherwise it is
    keyed by its KvK number (``kvk:NNNNNNNN``), else by name and municipality (``name:...|municipality``) — so
    before any resolution ran, rows link as these rules say — and a name without a place stays alone
    (``org:{row}``): 'Restaurant Lotus' alone says nothing about which Restaurant Lotus it is."""
    rows = [(c, s) for s in signals for c in s.companies.all()]
    seen = dict(ResolvedOrganisation.objects.filter(company__in=[c.pk for c, _s in rows])
                .values_list("company_id", "cluster"))
    out, new = {}, {}
    for c, s in rows:
        if c.pk in seen:
            out[c.pk] = f"org:{seen[c.pk]}"
            continue
        place = company_place(s.addresses.all())
        name = organisation_key(c.name)
        new[c.pk] = (kvk_number(c.registration_number), "" if name == "name:" else name,
                     city_key(place.city) if place is not None and place.city else "")
    if not new:
        return out
    by_kvk: dict[str, int] = {}
    kvks = {kvk for kvk, _n, _m in new.values() if kvk}
    for kvk, cluster in (Identifier.objects.filter(kind=Identifier.Kind.REGISTRATION, value__in=kvks, valid=True,
                                                   company__resolved__isnull=False)
                         .values_list("value", "company__resolved__cluster") if kvks else ()):
        by_kvk[kvk] = min(cluster, by_kvk.get(kvk, cluster))
    by_name: dict[tuple[str, str], int] = {}
    places = {(name, municipality) for _k, name, municipality in new.values() if name and municipality}
    if places:
        for name, municipality, cluster in (ResolvedOrganisation.objects.filter(
                name_key__in={n for n, _m in places}, municipality__in={m for _n, m in places})
                .values_list("name_key", "municipality", "cluster")):
            if (name, municipality) in places:
                by_name[(name, municipality)] = min(cluster, by_name.get((name, municipality), cluster))
    for pk, (kvk, name, municipality) in new.items():
        cluster = by_kvk.get(kvk) if kvk else None
        if cluster is None and name and municipality:
            cluster = by_name.get((name, municipality))
        if cluster is not None:
            out[pk] = f"org:{cluster}"
        elif kvk:
            out[pk] = f"kvk:{kvk}"
        elif name and municipality:
            out[pk] = f"{name}|{municipality}"
        else:
            out[pk] = f"org:{pk}"
    return out


def derive_signal(signal: Signal, resolved: dict[int, int], organisations: dict[int, str] | None = None) -> Derived:
    """The mentions of one signal (its persons, companies, addresses and identifiers prefetched). ``resolved``:
    person row -> cluster; ``organisations``: company row -> key (``organisation_keys``, for a whole batch at once;
    looked up for this signal alone when not given)."""
    node = Mention(Kind.SIGNAL, str(signal.pk), signal.ref, signal.ref, "signal")
    out = Derived(node, signal.observed_at or signal.received_at)
    index: dict[str, int] = {}

    def add(m: Mention) -> int:
        out.mentions.append(m)
        index.setdefault(m.ref, len(out.mentions) - 1)
        return len(out.mentions) - 1

    reporters = {p.pk for p in signal.persons.all() if p.role == Person.PersonRole.REPORTER}
    for p in signal.persons.all():
        if p.pk in reporters or not p.name:
            continue
        add(Mention(Kind.PERSON, f"person:{resolved.get(p.pk, p.pk)}", p.name, p.name, "persons", p.role,
                    ref=f"person:{p.pk}"))
    if organisations is None:
        organisations = organisation_keys([signal])
    place = company_place(signal.addresses.all())
    for c in signal.companies.all():
        add(Mention(Kind.ORGANISATION, organisations[c.pk], c.name or c.registration_number, c.name,
                    "organisations", c.role, city=city_key(place.city) if place is not None and place.city else "",
                    ref=f"company:{c.pk}"))
    for a in signal.addresses.all():
        key = address_key(a.street, a.house_number_given, a.postcode_given, a.city, a.address_key)
        if key:
            add(Mention(Kind.ADDRESS, key, str(a), str(a), "addresses", a.role,
                        city=city_key(a.city) if a.city else "", ref=f"address:{a.pk}"))
    for i in signal.identifiers.all():
        # a KvK number is the company's (its key, or its organisation's), not an entity of its own
        if not i.valid or not i.value or i.person_id in reporters or i.kind == Identifier.Kind.REGISTRATION:
            continue
        k = add(Mention(i.kind, i.value, i.value, i.value_given, f"identifiers.{i.kind}", ref=f"identifier:{i.pk}"))
        owner = f"person:{i.person_id}" if i.person_id else f"company:{i.company_id}" if i.company_id else ""
        if owner in index:
            out.pairs.append((index[owner], k, "uses"))
    return out


def derive_ad_network(network_id: int, identifiers: Iterable[tuple[str, str, int]], at) -> Derived:
    """An ad network's mentions: (kind, value, number of its ads showing it)."""
    node = Mention(Kind.AD_NETWORK, str(network_id), f"ad network {network_id}", "", "ads")
    out = Derived(node, at)
    for kind, value, ads in identifiers:
        out.mentions.append(Mention(kind, value, value, value, f"ads.{kind}", role=f"{ads} ads"))
    return out


# --- storing -----------------------------------------------------------------------------------------------------

def _upsert(mentions: list[tuple[Mention, object]]) -> dict[tuple[str, str], int]:
    """Entities for (kind, key) of (mention, when seen), created or given their new variants and period; returns
    their ids. One statement for a whole batch."""
    rows: dict[tuple[str, str], dict] = {}
    for m, at in mentions:
        row = rows.get((m.kind, m.key))
        if row is None:
            row = rows[(m.kind, m.key)] = {"kind": m.kind, "key": m.key, "label": m.label[:400], "variants": set(),
                                           "city": m.city, "first": at, "last": at}
        if m.given and len(row["variants"]) < MAX_VARIANTS:
            row["variants"].add(m.given[:400])
        if at is not None:
            row["first"] = min(row["first"] or at, at)
            row["last"] = max(row["last"] or at, at)
    if not rows:
        return {}
    for row in rows.values():
        row["variants"] = sorted(row["variants"])
    with connection.cursor() as cur:
        cur.execute("""
            INSERT INTO linking_entity (kind, key, label, variants, city, first_seen, last_seen, degree, properties,
                                        signal_id)
            SELECT v.kind, v.key, v.label, ARRAY(SELECT jsonb_array_elements_text(v.variants)), v.city, v.first,
                   v.last, 0, '{}'::jsonb, CASE WHEN v.kind = 'signal' THEN v.key::bigint END
            FROM jsonb_to_recordset(%s::jsonb) AS v(kind text, key text, label text, variants jsonb, city text,
                                                    first timestamptz, last timestamptz)
            ON CONFLICT (kind, key) DO UPDATE SET
                variants = (SELECT array_agg(DISTINCT x) FROM (SELECT unnest(linking_entity.variants || EXCLUDED.variants)
                            AS x LIMIT %s) y),
                city = CASE WHEN linking_entity.city = '' THEN EXCLUDED.city ELSE linking_entity.city END,
                first_seen = LEAST(linking_entity.first_seen, EXCLUDED.first_seen),
                last_seen = GREATEST(linking_entity.last_seen, EXCLUDED.last_seen)
            RETURNING id, kind, key""", [_json(list(rows.values())), MAX_VARIANTS])
        return {(kind, key): pk for pk, kind, key in cur.fetchall()}


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def store(derived: list[Derived], versions: dict[tuple[str, str], str]) -> set[int]:
    """Replace the edges of these sources with what they mention now, in a few statements for the whole batch.
    Returns the ids of every entity touched (new edges, and edges removed)."""
    if not derived:
        return set()
    with transaction.atomic(), connection.cursor() as cur:
        ids = _upsert([(m, d.at) for d in derived for m in (d.node, *d.mentions)])
        sources = [ids[(d.node.kind, d.node.key)] for d in derived]
        cur.execute("DELETE FROM linking_edge WHERE source_id = ANY(%s) RETURNING a_id, b_id", [sources])
        touched = {x for pair in cur.fetchall() for x in pair} | set(ids.values())
        lines = []
        for d, source in zip(derived, sources, strict=True):
            at = d.at
            for m in d.mentions:
                target = ids[(m.kind, m.key)]
                if target != source:
                    lines.append((source, source, target, "mentions", {"field": m.field, "given": m.given[:400],
                                                                       "role": m.role, "ref": m.ref}, at))
            for i, j, relation in d.pairs:
                a, b = ids[(d.mentions[i].kind, d.mentions[i].key)], ids[(d.mentions[j].kind, d.mentions[j].key)]
                if a != b:  # a self-link says nothing
                    lines.append((source, a, b, relation, {"field": d.mentions[j].field,
                                                           "given": d.mentions[j].given[:400],
                                                           "ref": d.mentions[i].ref}, at))
        if lines:
            with cur.cursor.copy("COPY linking_edge (source_id, a_id, b_id, relation, evidence, at) FROM STDIN") as c:
                c.write(b"".join(copy_row(*line) + b"\n" for line in lines))
        cur.execute("""
            INSERT INTO linking_linkedsource (node_id, version, linked_at)
            SELECT * FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[])
            ON CONFLICT (node_id) DO UPDATE SET version = EXCLUDED.version, linked_at = EXCLUDED.linked_at""",
                    [sources, [versions.get((d.node.kind, d.node.key), "") for d in derived],
                     [timezone.now()] * len(sources)])
        _degrees(touched)
        _join_networks(touched)
        _alert_watches(cur, sources)
    return touched


def _alert_watches(cur, sources: list[int]) -> None:
    """An alert for every watch whose entity is in the network of an entity these sources mention (networks as
    they are after this batch joined them). Nothing to do, and no query, while nobody watches anything (a planner
    that believes the tables empty may otherwise loop over every entity)."""
    cur.execute("SELECT EXISTS (SELECT 1 FROM linking_watch)")
    if not cur.fetchone()[0]:
        return
    cur.execute("""
        INSERT INTO linking_watchalert (watch_id, source_id, entity_id, at)
        SELECT w.id, x.source_id, x.b_id, now() FROM linking_edge x
        JOIN linking_entity e ON e.id = x.b_id
        JOIN linking_entity we ON we.network = e.network
        JOIN linking_watch w ON w.entity_id = we.id
        WHERE x.source_id = ANY(%s) AND x.relation = 'mentions'
        ON CONFLICT DO NOTHING""", [sources])


def _degrees(ids: set[int]) -> None:
    with connection.cursor() as cur:
        cur.execute("""
            UPDATE linking_entity e SET degree = coalesce(
                (SELECT count(*) FROM linking_edge x WHERE x.a_id = e.id) +
                (SELECT count(*) FROM linking_edge x WHERE x.b_id = e.id), 0)
            WHERE e.id = ANY(%s)""", [list(ids)])


def _join_networks(ids: set[int]) -> None:
    """New edges only join networks (a source that lost edges may split one: ``networks()`` recomputes all). Each
    touched non-hub entity and its non-hub neighbours end up in one network, named by the smallest id."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    with connection.cursor() as cur:
        cur.execute("""
            SELECT x.a_id, x.b_id, a.network, b.network FROM linking_edge x
            JOIN linking_entity a ON a.id = x.a_id JOIN linking_entity b ON b.id = x.b_id
            WHERE (x.a_id = ANY(%s) OR x.b_id = ANY(%s)) AND a.degree <= %s AND b.degree <= %s""",
                    [list(ids), list(ids), HUB_DEGREE, HUB_DEGREE])
        rows = cur.fetchall()
        if not rows:
            return
        # nodes: entities and the networks they are in now; an entity is tied to its network
        nodes: dict[tuple, int] = {}

        def n(x):
            return nodes.setdefault(x, len(nodes))

        pairs = []
        for a, b, na, nb in rows:
            pairs.append((n(("e", a)), n(("e", b))))
            for e, net in ((a, na), (b, nb)):
                if net is not None:
                    pairs.append((n(("e", e)), n(("n", net))))
        left, right = zip(*pairs, strict=True)
        graph = coo_matrix(([1] * len(pairs), (left, right)), shape=(len(nodes), len(nodes)))
        _, label = connected_components(graph, directed=False)
        groups: dict[int, list] = {}
        for node, i in nodes.items():
            groups.setdefault(label[i], []).append(node)
        entity_net, merge = {}, {}
        for members in groups.values():
            candidates = [x for kind, x in members if kind == "n"] + [x for kind, x in members if kind == "e"]
            name = min(candidates)
            for kind, x in members:
                if kind == "e":
                    entity_net[x] = name
                elif x != name:
                    merge[x] = name
        if merge:
            cur.execute("UPDATE linking_entity e SET network = v.keep FROM unnest(%s::bigint[], %s::bigint[]) "
                        "AS v(old, keep) WHERE e.network = v.old", [list(merge), list(merge.values())])
        cur.execute("UPDATE linking_entity e SET network = v.net FROM unnest(%s::bigint[], %s::bigint[]) "
                    "AS v(id, net) WHERE e.id = v.id AND e.network IS DISTINCT FROM v.net",
                    [list(entity_net), list(entity_net.values())])


def networks() -> int:
    """Every entity's network from scratch: connected components of the edges between non-hub entities (a hub
    stays in no network of its own but shows in each neighbour's). Returns the number of networks of two or more."""
    import numpy as np

    from vigil.core.components import smallest_in_component

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM linking_entity")
        top = (cur.fetchone()[0] or 0) + 1
        cur.execute("""SELECT x.a_id, x.b_id FROM linking_edge x JOIN linking_entity a ON a.id = x.a_id
                       JOIN linking_entity b ON b.id = x.b_id WHERE a.degree <= %s AND b.degree <= %s""",
                    [HUB_DEGREE, HUB_DEGREE])
        edges = np.array(cur.fetchall(), dtype=np.int64).reshape(-1, 2)
        smallest = smallest_in_component(np.arange(top), edges[:, 0], edges[:, 1])  # entity ids are the rows
        cur.execute("SELECT id FROM linking_entity WHERE degree <= %s", [HUB_DEGREE])
        ids = np.array([r[0] for r in cur.fetchall()], dtype=np.int64)
        nets = smallest[ids]
        cur.execute("UPDATE linking_entity SET network = NULL WHERE degree > %s", [HUB_DEGREE])
        cur.execute("CREATE TEMPORARY TABLE IF NOT EXISTS linking_net (id bigint, net bigint) ON COMMIT DROP")
        with cur.cursor.copy("COPY linking_net (id, net) FROM STDIN") as copy:
            copy.write("".join(f"{i}\t{n}\n" for i, n in zip(ids.tolist(), nets.tolist(), strict=True)))
        cur.execute("UPDATE linking_entity e SET network = v.net FROM linking_net v "
                    "WHERE e.id = v.id AND e.network IS DISTINCT FROM v.net")
        return int(np.count_nonzero(np.unique(nets, return_counts=True)[1] >= 2))
