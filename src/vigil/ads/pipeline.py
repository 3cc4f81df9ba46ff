"""From an ad line to stored captures, clusters and networks.

``prepare`` runs in the import's worker processes and needs no database (validation, extraction, the assessment
engine and the template signature); ``write`` stores a batch in one transaction: new ads, new captures (a capture
already stored is left alone, so a file can be imported again), the ads' latest facts, the band index of the
template clusters, and the clusters and networks the new captures join or merge.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from django.db import connection
from psycopg.types.json import Jsonb

from vigil.ads import clusters
from vigil.ads.extract import extract, phash_file
from vigil.ads.models import Ad, AdBand, AdNetwork, AdVersion, TemplateCluster
from vigil.assessment import assess
from vigil.register.records import RecordError, parse_datetime
from vigil.register.writer import BatchResult

REQUIRED = ("site", "id", "collected_at", "body")
MAX_BODY = 1 << 20  # characters of a body kept for reading; the capture keeps the whole text


class Capture(NamedTuple):
    """One row of ads_adversion as written by COPY (CAPTURE_COLUMNS)."""

    ad_id: int
    number: int
    collected_at: dt.datetime
    posted_at: str
    url: str
    title: str
    body: str
    location: str
    given: Jsonb
    content_hash: str
    extraction: Jsonb
    phones: list
    city: str
    indicators: list
    summary: Jsonb
    score: float


@dataclass
class PreparedAd:
    site: str
    site_ad_id: str
    collected_at: dt.datetime
    fields: dict  # title, body, location, url, posted_at
    given: dict  # everything else as given, unknown keys included
    content_hash: str
    extraction: dict
    phones: list[str]
    emails: list[str]
    handles: list[str]
    image_hashes: list[str]
    ages: list[int]
    city: str
    language: str
    indicators: list[str]
    summary: dict
    score: float
    signature: bytes | None
    bands: list[int] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.site, self.site_ad_id)


def _text(record: dict, key: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError(key, f"must be text, not {type(value).__name__}")
    return value.replace("\x00", "")


def _with_image_hashes(record: dict, folder: str) -> dict:
    """Perceptual hashes of the image files a line names (relative to ``folder``) where the line gives none."""
    from pathlib import Path

    base = Path(folder).resolve()
    out = []
    for image in record.get("images") or []:
        if isinstance(image, dict) and not image.get("phash") and isinstance(image.get("path"), str):
            path = (base / image["path"]).resolve()
            if base in path.parents:  # a line cannot make us read files outside the folder
                image = {**image, "phash": phash_file(path) or ""}
        out.append(image)
    return {**record, "images": out}


def as_json(found) -> dict:
    """The extraction as stored: every value with where it was found (field and span), for highlighting.
    (``dataclasses.asdict`` deep-copies every value: a third of the time of the whole extraction.)"""
    out = {}
    for f in dataclasses.fields(found):
        value = getattr(found, f.name)
        if isinstance(value, tuple):
            if value:
                out[f.name] = [vars(v) if dataclasses.is_dataclass(v) else v for v in value]
        elif dataclasses.is_dataclass(value):
            out[f.name] = vars(value)
        elif value is not None:
            out[f.name] = value
    return out


def prepare(record: dict, images: str | None = None) -> PreparedAd:
    """Validate one ad line and derive everything that needs no other ad. Raises RecordError naming the field."""
    for key in REQUIRED:
        if key not in record or record[key] is None:
            raise RecordError(key, "missing")
    site, ident = _text(record, "site").strip(), _text(record, "id").strip()
    if not site:
        raise RecordError("site", "empty")
    if not ident:
        raise RecordError("id", "empty")
    collected_at, _ = parse_datetime(_text(record, "collected_at"), "collected_at")
    fields = {k: _text(record, k) for k in ("title", "body", "location", "url", "posted_at")}
    for key, kind in (("contact", dict), ("images", list), ("extra", dict)):
        if record.get(key) is not None and not isinstance(record[key], kind):
            raise RecordError(key, f"must be {'an object' if kind is dict else 'a list'}")
    given = {k: v for k, v in record.items() if k not in ("site", "id", "collected_at", *fields)}
    if images:
        record = _with_image_hashes(record, images)
    blob = json.dumps([fields["title"], fields["body"], fields["location"], record.get("contact"),
                       record.get("stated_age"), record.get("images"), record.get("extra")],
                      ensure_ascii=False, sort_keys=True, default=str)
    digest = hashlib.blake2b(blob.encode(), digest_size=16).hexdigest()
    derived = _SEEN.get(digest)
    if derived is None:
        derived = _derive(record, fields)
        if len(_SEEN) >= SEEN_MAX:
            _SEEN.pop(next(iter(_SEEN)))
        _SEEN[digest] = derived
    return PreparedAd(site=site[:200], site_ad_id=ident[:300], collected_at=collected_at, fields=fields, given=given,
                      content_hash=digest, **derived)


# Most captures repeat an earlier one word for word (the same ad captured again, a repost): what is derived from
# the text is kept per worker for the last SEEN_MAX distinct captures and reused.
SEEN_MAX = 20_000
_SEEN: dict[str, dict] = {}


def _derive(record: dict, fields: dict) -> dict:
    found = extract(record)
    reading_record = {k: v for k, v in record.items() if k in ("title", "body", "stated_age", "extra")}
    if len(reading_record.get("body") or "") > MAX_BODY:
        reading_record["body"] = reading_record["body"][:MAX_BODY]
    reading = assess(reading_record, found.language or "")
    sig = clusters.signature(f"{fields['title']}\n{fields['body']}"[:20_000])
    return dict(
        extraction=as_json(found), phones=sorted({p.value for p in found.phones}),
        emails=sorted({e.value for e in found.emails}),
        handles=sorted({f"{h.platform}:{h.value}" for h in found.handles}),
        image_hashes=sorted(set(found.image_hashes)), ages=sorted({a.value for a in found.ages}),
        city=found.city.municipality if found.city else "", language=found.language or "",
        indicators=[i["id"] for i in reading["indicators"]],
        summary={k: reading[k] for k in ("trafficking", "minor")} | {"urgency": reading["urgency"]["level"],
                                                                    "priority": reading["priority"]["score"]},
        score=float(reading["priority"]["score"]),
        signature=None if sig is None else sig.tobytes(), bands=[] if sig is None else clusters.bands(sig))


def signature_of(blob: bytes | None) -> np.ndarray | None:
    return None if blob is None else np.frombuffer(blob, dtype=np.uint32)


# --- storing a batch ---------------------------------------------------------------------------------------------

def _keys(p: PreparedAd) -> list[str]:
    keys = [f"p:{x}" for x in p.phones] + [f"e:{x}" for x in p.emails] + [f"h:{x}" for x in p.handles]
    for h in p.image_hashes:  # two of four 16-bit parts: hashes up to two bits apart always share a key
        parts = [h[n * 4:n * 4 + 4] for n in range(4)]
        keys += [f"i{a}{b}:{parts[a]}{parts[b]}" for a in range(4) for b in range(a + 1, 4)]
    return keys


def _image_of(key: str, hashes: list[str]) -> str:
    """For an image key, the ad's whole hash it was made from ("" for other keys)."""
    if key[0] != "i":
        return ""
    a, b, parts = int(key[1]), int(key[2]), key[4:]
    for h in hashes:
        if h[a * 4:a * 4 + 4] + h[b * 4:b * 4 + 4] == parts:
            return h
    return ""


def _hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


IMAGE_BITS = 4  # two perceptual hashes this close are the same photo (re-encoded, resized, a logo added)


LATEST = ("title", "city", "language", "phones", "emails", "handles", "image_hashes", "ages", "indicators", "score",
          "keys", "signature")


def _latest(ad, p: PreparedAd) -> None:
    """Copy what the newest capture says onto the ad."""
    ad.title, ad.city, ad.language = p.fields["title"][:1000], p.city, p.language
    ad.phones, ad.emails, ad.handles, ad.image_hashes = p.phones, p.emails, p.handles, p.image_hashes
    ad.ages, ad.indicators, ad.score, ad.keys, ad.signature = p.ages, p.indicators, p.score, _keys(p), p.signature


def _update(ads: list) -> None:
    """The changed ads in one statement (Django's bulk_update builds a CASE per field and row: 20× slower)."""
    if not ads:
        return
    rows = [{"id": a.pk, "first_collected": a.first_collected.isoformat(), "last_collected":
             a.last_collected.isoformat(), "versions": a.versions, "title": a.title, "city": a.city,
             "language": a.language, "phones": a.phones, "emails": a.emails, "handles": a.handles,
             "image_hashes": a.image_hashes, "ages": a.ages, "indicators": a.indicators, "score": a.score,
             "keys": a.keys, "signature": a.signature.hex() if a.signature else None} for a in ads]
    with connection.cursor() as cur:
        cur.execute("""
            UPDATE ads_ad a SET first_collected = v.first_collected, last_collected = v.last_collected,
                versions = v.versions, title = v.title, city = v.city, language = v.language, phones = v.phones,
                emails = v.emails, handles = v.handles, image_hashes = v.image_hashes, ages = v.ages,
                indicators = v.indicators, score = v.score, keys = v.keys, signature = decode(v.signature, 'hex')
            FROM jsonb_to_recordset(%s::jsonb) AS v(id bigint, first_collected timestamptz,
                last_collected timestamptz, versions int, title text, city text, language text, phones text[],
                emails text[], handles text[], image_hashes text[], ages smallint[], indicators text[],
                score float8, keys text[], signature text)
            WHERE a.id = v.id""", [json.dumps(rows)])


AD_COLUMNS = ("id", "owner_id", "site", "site_ad_id", "first_collected", "last_collected", "versions", *LATEST)
CAPTURE_COLUMNS = ("ad_id", "number", "collected_at", "posted_at", "url", "title", "body", "location", "given",
                   "content_hash", "extraction", "phones", "city", "indicators", "summary", "score")


def _copy(table: str, columns: tuple, rows) -> None:
    """Rows into a table with COPY: about ten times faster than INSERT for the captures of a large import."""
    with connection.cursor() as cur, cur.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _new_ids(n: int) -> list[int]:
    with connection.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence('ads_ad', 'id')) FROM generate_series(1, %s)", [n])
        return [r[0] for r in cur.fetchall()]


def write(batch: list[PreparedAd], owner, recorded_by: str = "") -> BatchResult:
    """Store one batch (inside the caller's transaction); see the module docstring."""
    result = BatchResult()
    if not batch:
        return result
    ads = {(a.site, a.site_ad_id): a for a in Ad.objects.filter(site__in={p.site for p in batch},
                                                               site_ad_id__in={p.site_ad_id for p in batch})
           .only("id", "site", "site_ad_id", "first_collected", "last_collected", "versions")}
    times: dict[tuple, set] = {}
    for p in batch:
        times.setdefault(p.key, set()).add(p.collected_at)
    new = {}
    for p in batch:  # a new ad is created with what its newest capture in the batch says
        if p.key not in ads and (p.key not in new or p.collected_at > new[p.key].last_collected):
            ad = Ad(owner=owner, site=p.site, site_ad_id=p.site_ad_id, first_collected=min(times[p.key]),
                    last_collected=p.collected_at, versions=len(times[p.key]))
            _latest(ad, p)
            new[p.key] = ad
    for ad, pk in zip(new.values(), _new_ids(len(new)), strict=True):
        ad.pk = pk
    _copy("ads_ad", AD_COLUMNS, ((ad.pk, owner.pk, ad.site, ad.site_ad_id, ad.first_collected, ad.last_collected,
                                  ad.versions, ad.title, ad.city, ad.language, ad.phones, ad.emails, ad.handles,
                                  ad.image_hashes, ad.ages, ad.indicators, ad.score, ad.keys, ad.signature)
                                 for ad in new.values()))
    old = [ad.pk for key, ad in ads.items() if key not in new]
    ads.update(new)
    stored = set(AdVersion.objects.filter(ad__in=old, collected_at__in={p.collected_at for p in batch})
                 .values_list("ad_id", "collected_at")) if old else set()
    captures, latest, numbers, touched = [], {}, {}, set()
    for p in sorted(batch, key=lambda p: p.collected_at):
        ad = ads[p.key]
        if (ad.pk, p.collected_at) in stored:
            result.unchanged += 1
            continue
        stored.add((ad.pk, p.collected_at))
        if p.key in new:
            numbers[ad.pk] = numbers.get(ad.pk, 0) + 1
            number = numbers[ad.pk]
            result.created += number == 1
            result.updated += number > 1
        else:
            touched.add(ad.pk)
            ad.versions += 1
            number = ad.versions
            result.updated += 1
            ad.first_collected = min(ad.first_collected, p.collected_at)
            if p.collected_at >= ad.last_collected:
                ad.last_collected = p.collected_at
                _latest(ad, p)
                latest[ad.pk] = (ad, p)
        captures.append(Capture(ad.pk, number, p.collected_at, p.fields["posted_at"][:40], p.fields["url"],
                                p.fields["title"], p.fields["body"], p.fields["location"][:300], Jsonb(p.given),
                                p.content_hash, Jsonb(p.extraction), p.phones, p.city, p.indicators,
                                Jsonb(p.summary), p.score))
        if p.key in new and p.collected_at >= ad.last_collected:
            latest[ad.pk] = (ad, p)
    _copy("ads_adversion", CAPTURE_COLUMNS, captures)
    _update([ad for ad in ads.values() if ad.pk in touched])
    if latest:
        link(list(latest.values()), captures)
        index_text(list(latest))
    return result


SEARCHED_CHARS = 200_000  # of a body in the full-text index (a tsvector holds at most 1 MB)


def index_text(ad_ids: list[int]) -> None:
    """The full-text index of the ads' latest captures: title and the start of the body, in the 'simple'
    configuration because ads are written in many languages."""
    with connection.cursor() as cur:
        cur.execute("UPDATE ads_ad a SET search = to_tsvector('simple', v.title || ' ' || left(v.body, %s)) "
                    "FROM ads_adversion v WHERE v.ad_id = a.id AND v.collected_at = a.last_collected "
                    "AND a.id = ANY(%s)", [SEARCHED_CHARS, ad_ids])


def _merge(components: clusters.Components, groups: dict, model, field: str, alone: bool = False) -> tuple[dict, dict]:
    """Turn components into rows. A component holding existing groups keeps the oldest (smallest id) and takes
    the others' ads (moved in SQL); one of new ads only gets a new group when it has two ads or more, or always
    with ``alone``. Returns (ad id -> group for the ads in the components, merged group -> kept group)."""
    members: dict = {}
    for node in list(components.parent) + list(groups):
        root = components.find(node)
        members.setdefault(root, {root}).add(node)
    assignment, merged, wanting = {}, {}, []
    for nodes in members.values():
        existing = sorted(n[1] for n in nodes if n[0] == "g")
        ad_ids = [n[1] for n in nodes if n[0] == "a"]
        if existing:
            keep = existing[0]
            merged.update({other: keep for other in existing[1:]})
            assignment.update({pk: keep for pk in ad_ids})
        elif ad_ids and (alone or len(ad_ids) >= 2):
            wanting.append(ad_ids)
    if wanting:
        with connection.cursor() as cur:  # new groups with their default figures; refresh() fills them in
            row = _defaults(model)
            columns = ", ".join(row)
            cur.execute(f"INSERT INTO {model._meta.db_table} ({columns}) SELECT {columns} FROM json_populate_recordset("
                        f"NULL::{model._meta.db_table}, %s) RETURNING id", [json.dumps([row] * len(wanting))])
            for ad_ids, (pk,) in zip(wanting, cur.fetchall(), strict=True):
                assignment.update({pk_: pk for pk_ in ad_ids})
    if merged:
        with connection.cursor() as cur:
            cur.execute(f"UPDATE ads_ad SET {field}_id = v.keep FROM unnest(%s::bigint[], %s::bigint[]) "
                        f"AS v(other, keep) WHERE ads_ad.{field}_id = v.other", [list(merged), list(merged.values())])
        model.objects.filter(pk__in=list(merged)).delete()
    return assignment, merged


def _defaults(model) -> dict:
    """A new row's columns as JSON (the id left to its sequence)."""
    row = {}
    for f in model._meta.concrete_fields:
        if not f.primary_key:
            row[f.column] = f.get_default()
    return row


def _assign(assignment: dict, field: str) -> None:
    if not assignment:
        return
    with connection.cursor() as cur:
        cur.execute(f"UPDATE ads_ad SET {field}_id = v.g FROM unnest(%s::bigint[], %s::bigint[]) AS v(a, g) "
                    "WHERE ads_ad.id = v.a", [list(assignment), list(assignment.values())])


def link(latest: list[tuple], captures: list) -> None:
    """Template clusters and networks for ads whose latest capture just changed, and sightings and alerts for the
    new captures."""
    changed = {ad.pk: (ad, p) for ad, p in latest}
    cluster_of = _link_clusters(changed)
    _link_networks(changed, cluster_of)
    sightings(captures)


def _link_clusters(changed: dict) -> dict:
    """Candidates from the band index, verified on the signatures, joined into clusters; the band index brought up
    to date. Returns ad id -> cluster for the ads whose cluster was set or changed."""
    AdBand.objects.filter(ad__in=[pk for pk, (ad, p) in changed.items() if ad.versions > 1]).delete()
    wanted = list({b for _ad, p in changed.values() for b in p.bands})
    stored: dict[int, list] = {}
    with connection.cursor() as cur:
        cur.execute("SELECT band, ad_id FROM ads_adband WHERE band = ANY(%s)", [wanted])
        for band, other in cur.fetchall():
            stored.setdefault(band, []).append(other)
        others = list({o for ads in stored.values() for o in ads} - set(changed))
        cur.execute("SELECT id, signature, cluster_id FROM ads_ad WHERE id = ANY(%s)", [others])
        known = {pk: (signature_of(sig), cluster) for pk, sig, cluster in cur.fetchall()}
    in_batch: dict[int, list] = {}
    components, groups = clusters.Components(), {}
    for pk, (_ad, p) in changed.items():
        sig = signature_of(p.signature)
        if sig is None:
            continue
        near = set()
        for b in p.bands:
            near.update(stored.get(b, ()))
            near.update(in_batch.get(b, ()))
            in_batch.setdefault(b, []).append(pk)
        near.discard(pk)
        near = [o for o in near if (o in changed and changed[o][1].signature) or (o in known and
                                                                                    known[o][0] is not None)]
        if not near:
            continue
        matrix = np.stack([signature_of(changed[o][1].signature) if o in changed else known[o][0] for o in near])
        close = np.count_nonzero(matrix == sig, axis=1) >= clusters.THRESHOLD * clusters.PERMUTATIONS
        for other in np.asarray(near)[close].tolist():
            components.union(("a", pk), ("a", other))
            cluster = known[other][1] if other in known else None
            if cluster is not None:
                components.union(("a", pk), ("g", cluster))
                groups[("g", cluster)] = True
    cluster_of, merged_clusters = _merge(components, groups, TemplateCluster, "cluster")
    # the band index keeps, per band, one ad of each cluster (and every ad alone): a cluster of thousands of ads
    # does not make every lookup return thousands of rows
    def cluster_now(pk):
        if pk in cluster_of:
            return cluster_of[pk]
        old = known.get(pk, (None, None))[1]
        return merged_clusters.get(old, old)

    bands, present = [], {}
    for pk, (_ad, p) in changed.items():
        mine = cluster_now(pk)
        for b in p.bands:
            holders = stored.setdefault(b, [])
            there = present.get(b)
            if there is None:
                there = present[b] = {cluster_now(o) for o in holders}
            if mine is None or mine not in there:
                bands.append((b, pk))
                holders.append(pk)
                there.add(mine)
    if bands:  # plain numbers: written as COPY text directly, without adapting each row
        with connection.cursor() as cur, cur.cursor.copy("COPY ads_adband (band, ad_id) FROM STDIN") as copy:
            copy.write("".join(f"{b}\t{pk}\n" for b, pk in bands))
    _assign(cluster_of, "cluster")
    return cluster_of


def _link_networks(changed: dict, cluster_of: dict) -> None:
    """Networks through shared phones, e-mails, handles, photos, or one template cluster. Every ad has a network
    (alone: a network of one, which the export and the lists leave out)."""
    net, nets = clusters.Components(), {}
    wanted = {k for ad, _p in changed.values() for k in ad.keys}
    with connection.cursor() as cur:
        cur.execute("SELECT key, network_id, image FROM ads_adkey WHERE key = ANY(%s)", [list(wanted)])
        known = {k: (network, image) for k, network, image in cur.fetchall()}
    first: dict[str, tuple] = {}
    for pk, (ad, p) in changed.items():
        node = ("a", pk)
        net.parent.setdefault(node, node)
        for k in ad.keys:
            image = _image_of(k, p.image_hashes)
            if k in known:
                network, seen = known[k]
                if not (image and seen and _hamming(image, seen) > IMAGE_BITS):
                    net.union(node, ("g", network))
                    nets[("g", network)] = True
            elif k in first:
                other, seen = first[k]
                if not (image and seen and _hamming(image, seen) > IMAGE_BITS):
                    net.union(node, ("a", other))
            else:
                first[k] = (pk, image)
    if cluster_of:  # one template cluster is one network
        for cluster, network in Ad.objects.filter(cluster__in=set(cluster_of.values()), network__isnull=False) \
                .values_list("cluster_id", "network_id").distinct():
            net.union(("c", cluster), ("g", network))
            nets[("g", network)] = True
        for pk, cluster in cluster_of.items():
            net.union(("a", pk), ("c", cluster))
    network_of, merged = _merge(net, nets, AdNetwork, "network", alone=True)
    _assign(network_of, "network")
    with connection.cursor() as cur:
        if merged:
            cur.execute("UPDATE ads_adkey SET network_id = v.keep FROM unnest(%s::bigint[], %s::bigint[]) "
                        "AS v(other, keep) WHERE ads_adkey.network_id = v.other", [list(merged), list(merged.values())])
        if first:
            cur.execute("INSERT INTO ads_adkey (key, network_id, image) SELECT * FROM unnest(%s::text[], "
                        "%s::bigint[], %s::text[]) ON CONFLICT (key) DO NOTHING",
                        [list(first), [network_of[pk] for pk, _ in first.values()],
                         [image or "" for _, image in first.values()]])


def sightings(captures: list) -> None:
    """Record each (phone, city) and (template, city) seen. A capture that shows a known phone or template in a city
    where it was not seen before (in the database or earlier in this batch) raises an alert."""
    cluster_of = dict(Ad.objects.filter(pk__in={c.ad_id for c in captures}, cluster__isnull=False).values_list(
        "pk", "cluster_id"))
    seen_in_order = []
    for c in sorted(captures, key=lambda c: c.collected_at):
        if c.city:
            keys = [("phone", p) for p in c.phones]
            if c.ad_id in cluster_of:
                keys.append(("template", str(cluster_of[c.ad_id])))
            seen_in_order += [(kind, key, c) for kind, key in keys]
    if not seen_in_order:
        return
    wanted = {(kind, key) for kind, key, _c in seen_in_order}
    cities: dict[tuple, list] = {}
    with connection.cursor() as cur:
        cur.execute("SELECT kind, key, array_agg(city ORDER BY first_seen) FROM ads_sighting WHERE (kind, key) IN "
                    "(SELECT * FROM unnest(%s::text[], %s::text[])) GROUP BY kind, key",
                    [[w[0] for w in wanted], [w[1] for w in wanted]])
        cities = {(kind, key): list(found) for kind, key, found in cur.fetchall()}
        rows, alerts = {}, []
        for kind, key, c in seen_in_order:
            before = cities.setdefault((kind, key), [])
            if c.city not in before:
                if before:
                    alerts.append((kind, key, c.city, list(before), c.ad_id, c.collected_at))
                before.append(c.city)
            first, last, n = rows.get((kind, key, c.city), (c.collected_at, c.collected_at, 0))
            rows[(kind, key, c.city)] = (min(first, c.collected_at), max(last, c.collected_at), n + 1)
        cur.execute(
            "INSERT INTO ads_sighting (kind, key, city, first_seen, last_seen, captures) "
            "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::timestamptz[], %s::timestamptz[], "
            "%s::int[]) ON CONFLICT (kind, key, city) DO UPDATE SET "
            "first_seen = LEAST(ads_sighting.first_seen, EXCLUDED.first_seen), "
            "last_seen = GREATEST(ads_sighting.last_seen, EXCLUDED.last_seen), "
            "captures = ads_sighting.captures + EXCLUDED.captures",
            [*map(list, zip(*rows, strict=True)), *map(list, zip(*rows.values(), strict=True))])
        if alerts:
            cur.execute("INSERT INTO ads_adalert (kind, key, city, previous_cities, ad_id, at) "
                        "SELECT v.kind, v.key, v.city, ARRAY(SELECT jsonb_array_elements_text(v.previous)), v.ad, v.at "
                        "FROM jsonb_to_recordset(%s::jsonb) AS v(kind text, key text, city text, previous jsonb, "
                        "ad bigint, at timestamptz) ON CONFLICT DO NOTHING",
                        [json.dumps([{"kind": k, "key": key, "city": city, "previous": previous, "ad": ad,
                                      "at": at.isoformat()} for k, key, city, previous, ad, at in alerts])])


def refresh() -> None:
    """The figures of clusters and networks (size, phones, cities, period) and the ads' scores with what their
    network adds: many ads behind one number and movement between cities are signs no single ad shows. Set-based
    SQL over all ads, run at the end of an import."""
    with connection.cursor() as cur:
        for table, column in (("ads_templatecluster", "cluster_id"), ("ads_adnetwork", "network_id")):
            cur.execute(f"""
                WITH m AS (SELECT a.{column} AS g, count(*) AS n, min(a.first_collected) AS f,
                                  max(a.last_collected) AS l
                           FROM ads_ad a WHERE a.{column} IS NOT NULL GROUP BY a.{column}),
                     p AS (SELECT a.{column} AS g, array_agg(DISTINCT ph) AS phones
                           FROM ads_ad a, unnest(a.phones) ph WHERE a.{column} IS NOT NULL GROUP BY a.{column}),
                     c AS (SELECT a.{column} AS g, array_agg(DISTINCT a.city) AS cities
                           FROM ads_ad a WHERE a.{column} IS NOT NULL AND a.city <> '' GROUP BY a.{column})
                UPDATE {table} x SET size = m.n, first_seen = m.f, last_seen = m.l,
                       phones = coalesce(p.phones[1:50], '{{}}'), cities = coalesce(c.cities[1:50], '{{}}')
                FROM m LEFT JOIN p ON p.g = m.g LEFT JOIN c ON c.g = m.g
                WHERE x.id = m.g AND (x.size, x.first_seen, x.last_seen) IS DISTINCT FROM (m.n, m.f, m.l)""")
        # an ad's score: its own reading (latest capture), plus what its network shows, capped at 100
        cur.execute("""
            UPDATE ads_ad a SET score = least(100, v.score
                   + least(20, 4 * greatest(0, cardinality(x.cities) - 1))
                   + least(15, 3 * greatest(0, x.size / greatest(1, cardinality(x.phones)) - 2)))
            FROM ads_adnetwork x, ads_adversion v
            WHERE a.network_id = x.id AND x.size > 1 AND v.ad_id = a.id AND v.collected_at = a.last_collected""")
        cur.execute("""
            UPDATE ads_adnetwork x SET score = s.s
            FROM (SELECT network_id AS g, max(score) AS s FROM ads_ad WHERE network_id IS NOT NULL
                  GROUP BY network_id) s WHERE x.id = s.g AND x.score IS DISTINCT FROM s.s""")
        cur.execute("DELETE FROM ads_templatecluster x WHERE NOT EXISTS "
                    "(SELECT 1 FROM ads_ad a WHERE a.cluster_id = x.id)")
        cur.execute("DELETE FROM ads_adnetwork x WHERE NOT EXISTS (SELECT 1 FROM ads_ad a WHERE a.network_id = x.id)")
