"""From an ad line to stored captures, clusters and networks.

``prepare`` runs in the import's worker processes and needs no database: validation, extraction, the assessment
engine, the template signature, and the capture's row as COPY text, so the process that stores a batch does little
more than number the captures and link them. ``write`` stores a batch in one transaction: new captures (a capture
already stored is left alone, so a file can be imported again), the clusters and networks the changed ads join or
merge, then each new ad in one row (its cluster, network and search text included) and each changed ad in one update.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import zlib
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from django.db import connection

from vigil.ads import clusters, stoplist
from vigil.ads.extract import extract, phash_file
from vigil.ads.models import AdBand, AdNetwork, TemplateCluster
from vigil.assessment import assess
from vigil.core import pgcopy
from vigil.core.pgcopy import int_array
from vigil.register.records import RecordError, parse_datetime
from vigil.register.writer import BatchResult

REQUIRED = ("site", "id", "collected_at", "body")
MAX_BODY = 1 << 20  # characters of a body kept for reading; the capture keeps the whole text


def copy_row(*values) -> bytes:
    """``pgcopy.copy_row``; text that cannot be UTF-8 (a lone surrogate from a ``\\ud800`` escape) is an error of
    the line, not of the batch."""
    try:
        return pgcopy.copy_row(*values)
    except UnicodeEncodeError:
        raise RecordError("(line)", "holds a lone surrogate (\\ud800-\\udfff): not valid Unicode text") from None


# --- preparing one line (worker processes) -----------------------------------------------------------------------

class Derived(NamedTuple):
    """What a capture's text yields, the same for every capture with that text (cached per worker)."""

    phones: list[str]
    emails: list[str]
    handles: list[str]
    image_hashes: list[str]
    city: str
    indicators: list[str]
    signature: bytes | None
    stop_list: int  # version of the boilerplate stop list the signature was made with (0: none)
    bands: list[int]
    keys: list[str]
    facts: bytes  # COPY text of the ad's LATEST columns
    read: bytes  # COPY text of the capture's columns from extraction to score


@dataclass(slots=True)
class PreparedAd:
    site: str
    site_ad_id: str
    collected_at: dt.datetime
    derived: Derived
    row: bytes  # COPY text of the capture's CAPTURE_COLUMNS after ad_id and number

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


def route(raw: bytes) -> int:
    """Which import worker prepares a raw line: a number from its body, so every capture of one text goes to the
    worker that has it in its cache (a line without a body goes anywhere: it is an error of that line)."""
    start = raw.find(b'"body"')
    return zlib.crc32(raw[start:start + 512] if start >= 0 else raw)


def prepare(record: dict, images: str | None = None, stop: clusters.StopList | None = None) -> PreparedAd:
    """Validate one ad line and derive everything that needs no other ad; the signature leaves out the shingles of
    the stop list ``stop``. Raises RecordError naming the field."""
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
    digest = hashlib.blake2b(_canonical([fields["title"], fields["body"], fields["location"], record.get("contact"),
                                         record.get("stated_age"), record.get("images"), record.get("extra")]),
                             digest_size=16).hexdigest()
    known = (digest, stop.version if stop else 0)
    derived = _SEEN.get(known)
    if derived is None:
        derived = _derive(record, fields, stop)
        if len(_SEEN) >= SEEN_MAX:
            _SEEN.pop(next(iter(_SEEN)))
        _SEEN[known] = derived
    row = copy_row(collected_at, fields["posted_at"][:40], fields["url"], fields["title"], fields["body"],
                   fields["location"][:300], given, digest) + b"\t" + derived.read
    return PreparedAd(site=site[:200], site_ad_id=ident[:300], collected_at=collected_at, derived=derived, row=row)


def _canonical(value) -> bytes:
    """The bytes a capture's content is known by: its JSON with keys sorted (a lone surrogate kept as it is)."""
    return pgcopy.json_text(value, sort_keys=True).encode(errors="surrogatepass")


def warm() -> None:
    """Load what preparing a line needs (catalogue, extraction tables, language model) by preparing one."""
    prepare({"site": "-", "id": "-", "collected_at": "2026-01-01T00:00:00Z", "title": "Nieuw in de stad",
             "body": "Hoi, ik ben Anna, 23 jaar, net aangekomen. Bel 06 12345678"})
    _SEEN.clear()


# Most captures repeat an earlier one word for word (the same ad captured again, a repost): what is derived from
# the text is kept per worker for the last SEEN_MAX distinct captures and reused.
SEEN_MAX = 20_000
_SEEN: dict[tuple[str, int], Derived] = {}


def _derive(record: dict, fields: dict, stop: clusters.StopList | None) -> Derived:
    found = extract(record)
    reading_record = {k: v for k, v in record.items() if k in ("title", "body", "stated_age", "extra")}
    if len(reading_record.get("body") or "") > MAX_BODY:
        reading_record["body"] = reading_record["body"][:MAX_BODY]
    reading = assess(reading_record, found.language or "", reader=False)  # thousands of ads a second: patterns only
    sig = clusters.signature(stoplist.text_of(fields["title"], fields["body"]), stop)
    phones = sorted({p.value for p in found.phones})
    emails = sorted({e.value for e in found.emails})
    handles = sorted({f"{h.platform}:{h.value}" for h in found.handles})
    image_hashes = sorted(set(found.image_hashes))
    city, language = (found.city.municipality if found.city else ""), found.language or ""
    indicators = [i["id"] for i in reading["indicators"]]
    score = float(reading["priority"]["score"])
    summary = {k: reading[k] for k in ("trafficking", "minor")} | {"urgency": reading["urgency"]["level"],
                                                                  "priority": reading["priority"]["score"]}
    keys = link_keys(phones, emails, handles, image_hashes)
    signature = None if sig is None else sig.tobytes()
    version = stop.version if stop else 0
    return Derived(
        phones=phones, emails=emails, handles=handles, image_hashes=image_hashes, city=city, indicators=indicators,
        signature=signature, stop_list=version, bands=[] if sig is None else clusters.bands(sig), keys=keys,
        facts=copy_row(fields["title"][:1000], city, language, phones, emails, handles, image_hashes,
                       sorted({a.value for a in found.ages}), indicators, score, keys, signature,
                       version),
        read=copy_row(as_json(found), phones, city, indicators, summary, score))


# --- storing a batch ---------------------------------------------------------------------------------------------

def link_keys(phones: list, emails: list, handles: list, image_hashes: list) -> list[str]:
    """What links ads into networks (``Ad.keys``)."""
    keys = [f"p:{x}" for x in phones] + [f"e:{x}" for x in emails] + [f"h:{x}" for x in handles]
    for h in image_hashes:  # two of four 16-bit parts: hashes up to two bits apart always share a key
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
          "keys", "signature", "stop_list")
AD_COLUMNS = ("id", "owner_id", "site", "site_ad_id", "first_collected", "last_collected", "versions", *LATEST,
              "cluster_id", "network_id")
CAPTURE_COLUMNS = ("ad_id", "number", "collected_at", "posted_at", "url", "title", "body", "location", "given",
                   "content_hash", "extraction", "phones", "city", "indicators", "summary", "score")
SEARCHED_CHARS = 200_000  # of a body in the full-text index (a tsvector holds at most 1 MB)
SEARCH_TEXT = f"to_tsvector('simple', c.title || ' ' || left(c.body, {SEARCHED_CHARS}))"


@dataclass(slots=True)
class _AdState:
    """An ad while its batch is stored: stored already (``new`` false) or made by this batch."""

    pk: int | None
    first: dt.datetime
    last: dt.datetime
    versions: int
    new: bool = False
    latest: PreparedAd | None = None  # the capture the ad now shows, when that changed in this batch


class Seen(NamedTuple):
    ad_id: int
    collected_at: dt.datetime
    city: str
    phones: list


def _copy(table: str, columns: tuple, data: bytes) -> None:
    """COPY text into a table: about ten times faster than INSERT for the captures of a large import."""
    with connection.cursor() as cur, cur.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write(data)


def _new_ids(n: int) -> list[int]:
    with connection.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence('ads_ad', 'id')) FROM generate_series(1, %s)", [n])
        return [r[0] for r in cur.fetchall()]


def write(batch: list[PreparedAd], owner, recorded_by: str = "", signatures: dict | None = None,
          link: bool = True) -> BatchResult:
    """Store one batch (inside the caller's transaction); see the module docstring. ``signatures``: a dict the
    caller keeps over the batches of one import, ad id -> signature of stored ads, so that ads holding many bands
    are not read again for every batch (see ``_link_clusters``). Without ``link`` (a bulk load, ``bulk.py``) the
    captures and ads are stored only: clusters, networks, search text, sightings and alerts are made when the load
    is linked, and what an ad's earlier texts link through is kept for it (``LoadedText``)."""
    result = BatchResult()
    if not batch:
        return result
    wanted = list({p.key for p in batch})
    with connection.cursor() as cur:
        cur.execute("SELECT a.id, a.site, a.site_ad_id, a.first_collected, a.last_collected, a.versions "
                    "FROM ads_ad a JOIN unnest(%s::text[], %s::text[]) AS k(site, ident) "
                    "ON a.site = k.site AND a.site_ad_id = k.ident", [[k[0] for k in wanted], [k[1] for k in wanted]])
        ads = {(site, ident): _AdState(pk, first, last, versions) for pk, site, ident, first, last, versions
               in cur.fetchall()}
    times: dict[tuple, set] = {}
    for p in batch:
        times.setdefault(p.key, set()).add(p.collected_at)
    new = {}
    for p in batch:  # a new ad is created with what its newest capture in the batch says
        if p.key not in ads and (p.key not in new or p.collected_at > new[p.key].last):
            new[p.key] = _AdState(None, min(times[p.key]), p.collected_at, len(times[p.key]), new=True, latest=p)
    for ad, pk in zip(new.values(), _new_ids(len(new)), strict=True):
        ad.pk = pk
    old = [ad.pk for ad in ads.values()]
    ads.update(new)
    stored = set()
    if old:
        with connection.cursor() as cur:
            cur.execute("SELECT ad_id, collected_at FROM ads_adversion WHERE ad_id = ANY(%s::bigint[]) "
                        "AND collected_at = ANY(%s)", [int_array(old), list({p.collected_at for p in batch})])
            stored = set(cur.fetchall())
    rows, seen, numbers, texts = [], [], {}, {}
    for p in sorted(batch, key=lambda p: p.collected_at):
        ad = ads[p.key]
        if (ad.pk, p.collected_at) in stored:
            result.unchanged += 1
            continue
        stored.add((ad.pk, p.collected_at))
        if not link:
            texts.setdefault(ad.pk, {})[(tuple(p.derived.keys), p.derived.signature)] = p.derived
        if ad.new:
            numbers[ad.pk] = number = numbers.get(ad.pk, 0) + 1
            result.created += number == 1
            result.updated += number > 1
        else:
            ad.versions += 1
            number = ad.versions
            result.updated += 1
            ad.first = min(ad.first, p.collected_at)
            if p.collected_at >= ad.last:
                ad.last, ad.latest = p.collected_at, p
        rows.append(b"%d\t%d\t%b\n" % (ad.pk, number, p.row))
        seen.append(Seen(ad.pk, p.collected_at, p.derived.city, p.derived.phones))
    if not rows:
        return result
    _copy("ads_adversion", CAPTURE_COLUMNS, b"".join(rows))  # foreign keys are checked at commit
    changed = {ad.pk: ad for ad in ads.values() if ad.latest is not None}
    if not link:
        _keep_earlier_texts(ads, texts)
        _store(list(changed.values()), owner, {}, {}, link=False)
        _count([ad for ad in ads.values() if not ad.new and ad.latest is None and ad.pk in texts])
        return result
    cluster_of = _link_clusters(changed, {} if signatures is None else signatures)
    network_of = _link_networks(changed, cluster_of)
    touched = {s.ad_id for s in seen}
    _store(list(changed.values()), owner, cluster_of, network_of)
    _assign({pk: c for pk, c in cluster_of.items() if pk not in changed}, "cluster")  # stored ads a new one joined
    _count([ad for ad in ads.values() if not ad.new and ad.latest is None and ad.pk in touched])
    sightings(seen)
    return result



def _store(ads: list[_AdState], owner, cluster_of: dict, network_of: dict, link: bool = True) -> None:
    """The ads whose latest capture changed: new ones inserted, stored ones updated, each in one row with its
    cluster, network and search text (a row written once is indexed once; the ads table carries three GIN indexes).
    The rows go through a temporary table because PostgreSQL makes the search text from the captures just stored.

    Without ``link`` (a bulk load): new ads are copied straight in without search text, and stored ones keep their
    cluster and network (linking the load starts from them) and lose their search text (made again then); what a
    stored ad's replaced text linked through is kept (``LoadedText``) when the new text links otherwise."""
    if not ads:
        return
    data = b"".join(b"%b\t%b\t%b\n" % (
        copy_row(ad.pk, owner.pk, ad.latest.site, ad.latest.site_ad_id, ad.first, ad.last, ad.versions),
        ad.latest.derived.facts, copy_row(cluster_of.get(ad.pk), network_of.get(ad.pk))) for ad in ads)
    fresh, stored = int_array(ad.pk for ad in ads if ad.new), int_array(ad.pk for ad in ads if not ad.new)
    if not link:
        if stored == "{}":
            _copy("ads_ad", AD_COLUMNS, data)
            return
        with connection.cursor() as cur:
            cur.execute("CREATE TEMPORARY TABLE IF NOT EXISTS ads_ad_new (LIKE ads_ad) ON COMMIT DELETE ROWS")
            _copy("ads_ad_new", AD_COLUMNS, data)
            if fresh != "{}":
                cur.execute(f"INSERT INTO ads_ad ({', '.join(AD_COLUMNS)}) SELECT {', '.join(AD_COLUMNS)} "
                            "FROM ads_ad_new WHERE id = ANY(%s::bigint[])", [fresh])
            cur.execute("INSERT INTO ads_loadedtext (ad_id, keys, image_hashes, signature) "
                        "SELECT a.id, a.keys, a.image_hashes, a.signature FROM ads_ad a JOIN ads_ad_new n ON n.id = a.id "
                        "WHERE n.id = ANY(%s::bigint[]) AND (a.keys, a.signature) IS DISTINCT FROM (n.keys, n.signature)",
                        [stored])
            kept = [c for c in AD_COLUMNS if c not in ("id", "owner_id", "site", "site_ad_id", "cluster_id",
                                                       "network_id")]
            cur.execute(f"UPDATE ads_ad a SET {', '.join(f'{c} = n.{c}' for c in kept)}, search = NULL "
                        "FROM ads_ad_new n WHERE a.id = n.id AND n.id = ANY(%s::bigint[])", [stored])
            cur.execute("TRUNCATE ads_ad_new")
        return
    with connection.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE IF NOT EXISTS ads_ad_new (LIKE ads_ad) ON COMMIT DELETE ROWS")
        _copy("ads_ad_new", AD_COLUMNS, data)
        source = ("FROM ads_ad_new n JOIN ads_adversion c ON c.ad_id = n.id AND c.collected_at = n.last_collected "
                  "WHERE n.id = ANY(%s::bigint[])")
        if fresh != "{}":
            cur.execute(f"INSERT INTO ads_ad ({', '.join(AD_COLUMNS)}, search) "
                        f"SELECT {', '.join('n.' + c for c in AD_COLUMNS)}, {SEARCH_TEXT} {source}", [fresh])
        if stored != "{}":
            kept = [c for c in AD_COLUMNS if c not in ("id", "owner_id", "site", "site_ad_id", "cluster_id")]
            cur.execute(f"UPDATE ads_ad a SET {', '.join(f'{c} = n.{c}' for c in kept)}, "
                        f"cluster_id = coalesce(n.cluster_id, a.cluster_id), search = {SEARCH_TEXT} "
                        "FROM ads_ad_new n JOIN ads_adversion c ON c.ad_id = n.id AND c.collected_at = n.last_collected "
                        "WHERE a.id = n.id AND n.id = ANY(%s::bigint[])", [stored])
        cur.execute("TRUNCATE ads_ad_new")


def _keep_earlier_texts(ads: dict, texts: dict[int, dict]) -> None:
    """A bulk load keeps what the texts of this batch's captures link through when they are not the text the ad now
    shows (``LoadedText``): the incremental import links an ad on every text it was captured with."""
    rows = []
    for ad in ads.values():
        now = ad.latest.derived if ad.latest is not None else None
        for d in texts.get(ad.pk, {}).values():
            if now is None or (d.keys, d.signature) != (now.keys, now.signature):
                rows.append(copy_row(ad.pk, d.keys, d.image_hashes, d.signature) + b"\n")
    if rows:
        _copy("ads_loadedtext", ("ad_id", "keys", "image_hashes", "signature"), b"".join(rows))


def _count(ads: list[_AdState]) -> None:
    """Stored ads that got only older captures: their count and first date."""
    if ads:
        with connection.cursor() as cur:
            cur.execute("UPDATE ads_ad a SET first_collected = v.first, versions = v.versions "
                        "FROM jsonb_to_recordset(%s::jsonb) AS v(id bigint, first timestamptz, versions int) "
                        "WHERE a.id = v.id", [json.dumps([{"id": a.pk, "first": a.first.isoformat(),
                                                           "versions": a.versions} for a in ads])])


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
                        f"AS v(other, keep) WHERE ads_ad.{field}_id = v.other",
                        [int_array(merged), int_array(merged.values())])
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
    if assignment:
        with connection.cursor() as cur:
            cur.execute(f"UPDATE ads_ad SET {field}_id = v.g FROM unnest(%s::bigint[], %s::bigint[]) AS v(a, g) "
                        "WHERE ads_ad.id = v.a", [int_array(assignment), int_array(assignment.values())])


SIGNATURES_KEPT = 50_000  # signatures of stored ads kept by the storing process (about 1 KB each)


def _link_clusters(changed: dict[int, _AdState], signatures: dict) -> dict:
    """Candidates from the band index, verified on the signatures, joined into clusters; the band index brought up
    to date. Returns ad id -> cluster for the ads whose cluster was set or changed: changed ads, and stored ads
    alone until a changed one matched them.

    The ads a band index proposes are mostly the same early ads that hold the bands, batch after batch: their
    signatures are kept in ``signatures`` (up to SIGNATURES_KEPT, the oldest dropped first) and only their clusters
    are read again (a cluster can change with every batch; a signature only with a new capture, which is in
    ``changed``)."""
    for pk in changed:
        signatures.pop(pk, None)
    AdBand.objects.filter(ad__in=[pk for pk, ad in changed.items() if not ad.new]).delete()
    derived = {pk: ad.latest.derived for pk, ad in changed.items()}
    stored: dict[int, list] = {}
    full: set[int] = set()  # bands holding BUCKET_CAP ads: boilerplate, they propose no candidates
    with connection.cursor() as cur:
        cur.execute("SELECT band, CASE WHEN count(*) < %s THEN array_agg(ad_id) END FROM ads_adband "
                    "WHERE band = ANY(%s::bigint[]) GROUP BY band",
                    [clusters.BUCKET_CAP, int_array({b for d in derived.values() for b in d.bands})])
        for band, holders in cur.fetchall():
            if holders is None:
                full.add(band)
            else:
                stored[band] = holders
        others = {o for ads in stored.values() for o in ads} - set(changed)
        cur.execute("SELECT id, CASE WHEN NOT id = ANY(%s::bigint[]) THEN signature END, cluster_id FROM ads_ad "
                    "WHERE id = ANY(%s::bigint[]) AND signature IS NOT NULL",
                    [int_array(o for o in others if o in signatures), int_array(others)])
        known = {}
        for pk, sig, cluster in cur.fetchall():
            known[pk] = (signatures[pk] if sig is None else bytes(sig), cluster)
    for pk, (sig, _cluster) in known.items():
        signatures.setdefault(pk, sig)
    for _ in range(len(signatures) - SIGNATURES_KEPT):  # the oldest go first
        del signatures[next(iter(signatures))]
    # candidate pairs, then every pair's signatures compared in one array operation
    in_batch: dict[int, list] = {}
    row_of: dict[int, int] = {}
    blobs, left, right = [], [], []
    for pk, d in derived.items():
        if d.signature is None:
            continue
        near = set()
        for b in d.bands:
            if b in full:
                continue
            near.update(stored.get(b, ()))
            near.update(in_batch.get(b, ()))
            in_batch.setdefault(b, []).append(pk)
        near.discard(pk)
        for o in near:
            if o in known or (o in derived and derived[o].signature is not None):
                for x in (pk, o):
                    if x not in row_of:
                        row_of[x] = len(blobs)
                        blobs.append(derived[x].signature if x in derived else known[x][0])
                left.append(row_of[pk])
                right.append(row_of[o])
    components, groups = clusters.Components(), {}
    if left:
        matrix = np.frombuffer(b"".join(blobs), dtype=np.uint32).reshape(len(blobs), -1)
        ids = np.fromiter(row_of, dtype=np.int64, count=len(row_of))
        left_rows, right_rows = np.asarray(left), np.asarray(right)
        close = np.empty(len(left), dtype=bool)
        agree = clusters.threshold(next(iter(derived.values())).stop_list) * clusters.PERMUTATIONS
        for start in range(0, len(left), 20_000):  # bounded memory however many candidates
            part = slice(start, start + 20_000)
            close[part] = np.count_nonzero(matrix[left_rows[part]] == matrix[right_rows[part]], axis=1) >= agree
        for pk, other in zip(ids[left_rows[close]].tolist(), ids[right_rows[close]].tolist(), strict=True):
            components.union(("a", pk), ("a", other))
            cluster = known[other][1] if other in known else None
            if cluster is not None:
                components.union(("a", pk), ("g", cluster))
                groups[("g", cluster)] = True
    cluster_of, merged_clusters = _merge(components, groups, TemplateCluster, "cluster")

    # the band index keeps, per band, one ad of each cluster (and every ad alone), up to BUCKET_CAP ads: a cluster
    # of thousands of ads does not make every lookup return thousands of rows, and a band that many unrelated ads
    # share (boilerplate) fills up and then proposes nothing, so the work per ad does not grow with the corpus
    def cluster_now(pk):
        if pk in cluster_of:
            return cluster_of[pk]
        old = known.get(pk, (None, None))[1]
        return merged_clusters.get(old, old)

    bands, present = [], {}
    for pk, d in derived.items():
        mine = cluster_now(pk)
        for b in d.bands:
            if b in full:
                continue
            holders = stored.setdefault(b, [])
            there = present.get(b)
            if there is None:
                there = present[b] = {cluster_now(o) for o in holders}
            if (mine is None or mine not in there) and len(holders) < clusters.BUCKET_CAP:
                bands.append(f"{b}\t{pk}\n")
                holders.append(pk)
                there.add(mine)
    if bands:
        _copy("ads_adband", ("band", "ad_id"), "".join(bands).encode())
    return cluster_of


def _link_networks(changed: dict[int, _AdState], cluster_of: dict) -> dict:
    """Networks through shared phones, e-mails, handles, photos, or one template cluster. Every ad has a network
    (alone: a network of one, which the export and the lists leave out). Returns ad id -> network for the changed
    ads; stored ads of merged networks are moved here."""
    net, nets = clusters.Components(), {}
    derived = {pk: ad.latest.derived for pk, ad in changed.items()}
    with connection.cursor() as cur:
        cur.execute("SELECT key, network_id, image FROM ads_adkey WHERE key = ANY(%s::text[])",
                    [list({k for d in derived.values() for k in d.keys})])
        known = {k: (network, image) for k, network, image in cur.fetchall()}
    first: dict[str, tuple] = {}
    for pk, d in derived.items():
        node = ("a", pk)
        net.parent.setdefault(node, node)
        for k in d.keys:
            image = _image_of(k, d.image_hashes)
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
        with connection.cursor() as cur:
            cur.execute("SELECT DISTINCT cluster_id, network_id FROM ads_ad WHERE cluster_id = ANY(%s::bigint[]) "
                        "AND network_id IS NOT NULL", [int_array(set(cluster_of.values()))])
            for cluster, network in cur.fetchall():
                net.union(("c", cluster), ("g", network))
                nets[("g", network)] = True
        for pk, cluster in cluster_of.items():
            net.union(("a", pk), ("c", cluster))
    network_of, merged = _merge(net, nets, AdNetwork, "network", alone=True)
    with connection.cursor() as cur:
        if merged:
            cur.execute("UPDATE ads_adkey SET network_id = v.keep FROM unnest(%s::bigint[], %s::bigint[]) "
                        "AS v(other, keep) WHERE ads_adkey.network_id = v.other",
                        [int_array(merged), int_array(merged.values())])
        if first:
            cur.execute("INSERT INTO ads_adkey (key, network_id, image) SELECT * FROM unnest(%s::text[], "
                        "%s::bigint[], %s::text[]) ON CONFLICT (key) DO NOTHING",
                        [list(first), int_array(network_of[pk] for pk, _ in first.values()),
                         [image or "" for _, image in first.values()]])
    return {pk: network for pk, network in network_of.items() if pk in changed}


def index_text(ad_ids: list[int]) -> None:
    """The full-text index of the ads' latest captures: title and the start of the body, in the 'simple'
    configuration because ads are written in many languages (the import makes it as it stores an ad)."""
    with connection.cursor() as cur:
        cur.execute(f"UPDATE ads_ad a SET search = {SEARCH_TEXT} FROM ads_adversion c "
                    "WHERE c.ad_id = a.id AND c.collected_at = a.last_collected AND a.id = ANY(%s::bigint[])",
                    [int_array(ad_ids)])


def sightings(captures: list[Seen]) -> None:
    """Record each (phone, city) and (template, city) seen. A capture that shows a known phone or template in a city
    where it was not seen before (in the database or earlier in this batch) raises an alert."""
    with connection.cursor() as cur:
        cur.execute("SELECT id, cluster_id FROM ads_ad WHERE id = ANY(%s::bigint[]) AND cluster_id IS NOT NULL",
                    [int_array({c.ad_id for c in captures})])
        cluster_of = dict(cur.fetchall())
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


# an ad's score in a network of two or more (x: the network, c: the ad's latest capture, as in SEARCH_TEXT)
SCORE = """least(100, c.score + least(20, 4 * greatest(0, cardinality(x.cities) - 1))
           + least(15, 3 * greatest(0, x.size / greatest(1, cardinality(x.phones)) - 2)))"""


def figures(cur, table: str, column: str, ads: str = "ads_ad") -> None:
    """Size, period, phones and cities of the clusters or networks (``column`` of ``ads``: the ads table, or a query
    giving the groups the ads are about to have)."""
    cur.execute(f"""
        WITH m AS (SELECT a.{column} AS g, count(*) AS n, min(a.first_collected) AS f, max(a.last_collected) AS l
                   FROM {ads} a WHERE a.{column} IS NOT NULL GROUP BY a.{column}),
             p AS (SELECT a.{column} AS g, array_agg(DISTINCT ph) AS phones
                   FROM {ads} a, unnest(a.phones) ph WHERE a.{column} IS NOT NULL GROUP BY a.{column}),
             c AS (SELECT a.{column} AS g, array_agg(DISTINCT a.city) AS cities
                   FROM {ads} a WHERE a.{column} IS NOT NULL AND a.city <> '' GROUP BY a.{column})
        UPDATE {table} x SET size = m.n, first_seen = m.f, last_seen = m.l,
               phones = coalesce(p.phones[1:50], '{{}}'), cities = coalesce(c.cities[1:50], '{{}}')
        FROM m LEFT JOIN p ON p.g = m.g LEFT JOIN c ON c.g = m.g
        WHERE x.id = m.g AND (x.size, x.first_seen, x.last_seen) IS DISTINCT FROM (m.n, m.f, m.l)""")


def refresh(delete_empty: bool = True) -> None:
    """The figures of clusters and networks (size, phones, cities, period) and the ads' scores with what their
    network adds: many ads behind one number and movement between cities are signs no single ad shows. Set-based
    SQL over all ads, run at the end of an import. ``delete_empty``: remove the clusters and networks left without
    ads (a bulk load does that once the indexes of the ads' foreign keys are back)."""
    with connection.cursor() as cur:
        for table, column in (("ads_templatecluster", "cluster_id"), ("ads_adnetwork", "network_id")):
            figures(cur, table, column)
        # an ad's score: its own reading (latest capture), plus what its network shows, capped at 100; a row whose
        # score stays is not written again (each write of an ad adds entries to its three GIN indexes)
        cur.execute(f"""
            UPDATE ads_ad a SET score = {SCORE}
            FROM ads_adnetwork x, ads_adversion c
            WHERE a.network_id = x.id AND x.size > 1 AND c.ad_id = a.id AND c.collected_at = a.last_collected
              AND a.score IS DISTINCT FROM {SCORE}""")
        cur.execute("""
            UPDATE ads_adnetwork x SET score = s.s
            FROM (SELECT network_id AS g, max(score) AS s FROM ads_ad WHERE network_id IS NOT NULL
                  GROUP BY network_id) s WHERE x.id = s.g AND x.score IS DISTINCT FROM s.s""")
        if delete_empty:
            delete_empty_groups(cur)


def delete_empty_groups(cur) -> None:
    """Clusters and networks without ads."""
    cur.execute("DELETE FROM ads_templatecluster x WHERE NOT EXISTS (SELECT 1 FROM ads_ad a WHERE a.cluster_id = x.id)")
    cur.execute("DELETE FROM ads_adnetwork x WHERE NOT EXISTS (SELECT 1 FROM ads_ad a WHERE a.network_id = x.id)")
