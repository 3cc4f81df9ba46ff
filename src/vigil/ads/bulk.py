"""Bulk loads of ads: a large crawl stored first and linked once, where the incremental import links every batch
against everything stored.

Phase 1 (``begin``, then the import loop with ``pipeline.write(..., link=False)``): the heavy secondary indexes of
the ads and captures tables (full text, trigram, phone and key arrays) and their foreign keys are dropped, the
statements that make them again kept with the load (``BulkLoad.indexes``); the workers prepare lines as usual and
the storing process copies captures and ads in, with no band lookups, no clusters or networks and no search text.
Each batch is checkpointed as usual, so an interrupted load resumes where it stopped. What an ad's earlier texts link
through is kept (``LoadedText``).

Phase 2 (``link``), in one transaction, so an interrupted link is made again from the start by the next import:

1. template clusters with the one-pass rule of ``recluster`` over every stored signature (each ad's latest text and
   the earlier texts of this load, read once: ``Texts``), named as ``recluster`` names them (a stored cluster keeps
   its id); then the band index made again from scratch;
2. networks: the connected components of ads sharing a key (phone, e-mail, handle, image-hash part; an image key
   only between hashes a few bits apart, as the import links them), a template cluster, or a stored network;
   computed in NumPy and SciPy from whole numbers read with binary COPY, written with COPY and one UPDATE of each
   ad (with its search text);
3. the key table brought up to date (what the incremental import looks up afterwards);
4. sightings and alerts from this load's captures in ``collected_at`` order (a known phone or template in a city
   where it was not seen before), with the same meaning as the import's;
5. the figures and scores (``pipeline.refresh``), the indexes and foreign keys made again, then ANALYZE.

``choose`` decides: a load not yet linked is always continued; ``--bulk`` forces one and ``--incremental`` forbids it;
by default a load is bulk when no ads are stored or when the file has at least as many lines as there are stored
ads (``BULK_SHARE``): linking then costs about as much as the file itself, and linking batch by batch against a
corpus that size costs more.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import NamedTuple

import numpy as np
import structlog
from django.db import connection, transaction
from django.utils import timezone

from vigil.ads import clusters, pipeline, recluster, stoplist
from vigil.ads.models import Ad, BulkLoad
from vigil.core.pgcopy import (
    COPY_HEADER,
    copy_int64,
    drop_secondary_indexes,
    fetch_int64,
    int_array,
    without_indexes,
)

log = structlog.get_logger("vigil.ads")

TABLES = ("ads_ad", "ads_adversion")  # whose non-unique indexes are dropped for a load
BULK_SHARE = 1.0  # by default bulk when the file has at least this many lines per stored ad
_NONE = -1  # an absent id in the int64 arrays read from PostgreSQL


# --- signatures, read once ----------------------------------------------------------------------------------------

_SIGNED = f"length(signature) = {clusters.PERMUTATIONS * 4}"
_ROW = np.dtype([("n", ">i2"), ("l0", ">i4"), ("id", ">i8"), ("l1", ">i4"), ("sig", "<u4", (clusters.PERMUTATIONS,))])


class Texts(NamedTuple):
    """What the link keeps of the signatures of every ad's latest text and this load's earlier texts, in ad id order
    (each ad's latest text first): not the signatures themselves (1 KB each, 600 MB at 1M captures) but their band
    keys, their low bits packed (``recluster.quick_signatures``) and their low 16 bits, 960 bytes a text, on which
    pairs are verified. Two positions that differ agree on their low 16 bits by chance once in 65,536: at 100,000
    captures (seed 1) 78 of 4.4 million compared pairs were kept that the whole positions would have rejected, all at
    the threshold, and the clusters were the same; at 1M 18 more template pairs of 7.2 million, F1 unchanged."""

    ad: np.ndarray  # the ad of each text
    latest: np.ndarray  # whether it is the ad's latest text
    keys: np.ndarray  # n × BANDS
    quick: np.ndarray  # n × QUICK_WORDS, uint64
    low: np.ndarray  # n × PERMUTATIONS, uint16


def _signature_chunks(cur, query: str, rows: int = 8_192):
    """(ad ids, signatures) of a query returning (bigint, bytea of one whole signature), binary COPY, a few thousand
    rows at a time."""
    size, buffer, body = _ROW.itemsize, bytearray(), False
    with cur.cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT binary)") as copy:
        for block in copy:
            buffer += block
            if not body and len(buffer) >= len(COPY_HEADER):
                del buffer[:len(COPY_HEADER)]
                body = True
            if body and len(buffer) >= size * rows:
                whole = len(buffer) // size * size
                yield _parsed(buffer[:whole])
                del buffer[:whole]
    if len(buffer) > 2:  # all but the end mark
        yield _parsed(buffer[:len(buffer) - 2])


def _parsed(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    found = np.frombuffer(data, dtype=_ROW)
    assert (found["l1"] == clusters.PERMUTATIONS * 4).all()
    return found["id"].astype(np.int64), found["sig"].astype(np.uint32)


def _texts(cur) -> Texts:
    """Every ad's latest signature and the earlier ones of this load, read once (see ``Texts``)."""
    cur.execute(f"SELECT (SELECT count(*) FROM ads_loadedtext WHERE {_SIGNED}), "
                f"(SELECT count(*) FROM ads_ad WHERE {_SIGNED})")
    n_earlier, n_latest = cur.fetchone()
    earlier = _empty(n_earlier)
    n_earlier = _fill(cur, earlier, f"SELECT ad_id, signature FROM ads_loadedtext WHERE {_SIGNED} ORDER BY ad_id, id",
                      n_earlier, lambda done, ids: np.arange(done, done + len(ids)))
    earlier = Texts(*(field[:n_earlier] for field in earlier))
    out = _empty(n_latest + n_earlier)
    # an ad's latest text after the earlier texts of the ads before it, and before its own
    n_latest = _fill(cur, out, f"SELECT id, signature FROM ads_ad WHERE {_SIGNED} ORDER BY id", n_latest,
                     lambda done, ids: np.arange(done, done + len(ids)) + np.searchsorted(earlier.ad, ids), latest=True)
    out = Texts(*(field[:n_latest + n_earlier] for field in out))
    if n_earlier:
        latest = out.ad[out.latest]
        at = np.arange(n_earlier) + np.searchsorted(latest, earlier.ad, "right")
        for field in ("ad", "keys", "quick", "low"):
            getattr(out, field)[at] = getattr(earlier, field)
    return out


def _empty(n: int) -> Texts:
    return Texts(np.empty(n, dtype=np.int64), np.zeros(n, dtype=bool), np.empty((n, clusters.BANDS), dtype=np.int64),
                 np.empty((n, recluster.QUICK_WORDS), dtype=np.uint64),
                 np.empty((n, clusters.PERMUTATIONS), dtype=np.uint16))


def _fill(cur, into: Texts, query: str, most: int, place, latest: bool = False) -> int:
    """The texts of a query into their places (``place(rows so far, ids)``), at most ``most`` (counted before: ads
    stored meanwhile wait for the next link); returns how many."""
    done = 0
    for ids, signatures in _signature_chunks(cur, query):
        ids, signatures = ids[:most - done], signatures[:most - done]
        at = place(done, ids)
        into.ad[at] = ids
        into.latest[at] = latest
        into.keys[at] = clusters.band_keys(signatures)
        into.quick[at] = recluster.quick_signatures(signatures)
        into.low[at] = signatures
        done += len(ids)
    return done


# --- when, and phase 1 -------------------------------------------------------------------------------------------

def pending() -> BulkLoad | None:
    """The load still to be linked, if any."""
    return BulkLoad.objects.filter(state=BulkLoad.State.LOADING).order_by("pk").first()


def _lines(path: Path) -> int:
    with Path(path).open("rb") as f:
        return sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 23), b""))


def choose(path: Path, mode: str | None = None) -> bool:
    """Whether this import is (part of) a bulk load; ``mode``: "bulk", "incremental" or None (see the module).
    An incremental import finds a load not yet linked linked first (the caller does it: ``finish``)."""
    if mode == "incremental":
        return False
    if mode == "bulk" or pending() is not None:
        return True
    stored = Ad.objects.count()
    return stored == 0 or _lines(path) >= BULK_SHARE * stored


def begin() -> BulkLoad:
    """The load this import goes on with, or a new one: the heavy indexes and the foreign keys dropped (the
    statements that make them again kept)."""
    with transaction.atomic():
        load = BulkLoad.objects.select_for_update().filter(state=BulkLoad.State.LOADING).order_by("pk").first()
        if load is not None:
            return load
        with connection.cursor() as cur:
            dropped = [d for _n, d in drop_secondary_indexes(cur, list(TABLES))] + _drop_foreign_keys(cur, TABLES)
            cur.execute("SELECT coalesce(max(id), 0) FROM ads_adversion")
            after = cur.fetchone()[0]
        load = BulkLoad.objects.create(after_capture=after, indexes=dropped)
    log.info("bulk load started", load=load.pk, indexes_dropped=len(dropped))
    return load


def _drop_foreign_keys(cur, tables) -> list[str]:
    """Drop the tables' foreign keys; returns the statements that add them again. Checked row by row they cost a
    lookup per stored capture and, in the link, two per ad (its cluster and network: 9 s at 1M captures); added
    again at the end of the link, each is checked by one join."""
    cur.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) ORDER BY 1, 2", [list(tables)])
    found = cur.fetchall()
    for table, name, _definition in found:
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    return [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in found]


def file_loaded(load: BulkLoad, path: Path) -> bool:
    """Whether this file was loaded completely into ``load`` already (phase 2 interrupted: only link it)."""
    from vigil.intake.importer import fingerprint
    from vigil.intake.models import ImportRun

    return ImportRun.objects.filter(kind="ads", fingerprint=fingerprint(Path(path)), state=ImportRun.State.FINISHED,
                                    started_at__gte=load.started_at).exists()


# --- phase 2 -----------------------------------------------------------------------------------------------------

def link(load: BulkLoad | None = None) -> dict:
    """Link a load (the pending one by default) in one transaction; see the module docstring. Returns the figures
    (also kept with the load)."""
    load = load or pending()
    if load is None:
        return {}
    figures: dict = {}
    clock = [time.perf_counter()]

    def step(name: str) -> None:
        now = time.perf_counter()
        figures[f"{name}_s"] = round(now - clock[0], 2)
        clock[0] = now

    started = clock[0]
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '256MB'; SET LOCAL maintenance_work_mem = '1GB'")
        # fresh rows: without statistics, bad plans (only the columns the link's queries use: the texts' statistics
        # cost most, and the whole tables are analysed after the link)
        cur.execute("ANALYZE ads_ad (id, cluster_id, network_id, first_collected, last_collected, city, phones), "
                    "ads_adversion (id, ad_id, collected_at, city, phones), ads_loadedtext (ad_id), ads_adkey")
        texts = _texts(cur)
        cluster_of, label_of = _clusters(cur, texts, figures)
        step("clusters")
        ids, keys = texts.ad[texts.latest], texts.keys[texts.latest]
        del texts
        recluster._rebuild_bands(cur, ids, keys, cluster_of)
        del ids, keys
        step("bands")
        images = _networks(cur, cluster_of, label_of, figures)
        step("networks")
        _keys(cur, images)
        del images
        step("keys")
        _sightings(cur, load.after_capture)
        step("sightings")
        cur.execute("ANALYZE ads_ad (cluster_id, network_id), ads_adnetwork, ads_templatecluster")
        pipeline.refresh(delete_empty=False)
        step("refresh")
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks, before indexes are built
        for definition in load.indexes:  # indexes, then foreign keys (a load begun before they were dropped: none)
            cur.execute(definition)
        step("indexes")
        pipeline.delete_empty_groups(cur)
        cur.execute("TRUNCATE ads_loadedtext")
        figures["seconds"] = round(time.perf_counter() - started, 1)
        BulkLoad.objects.filter(pk=load.pk).update(state=BulkLoad.State.FINISHED, finished_at=timezone.now(),
                                                   figures=figures)
    with connection.cursor() as cur:
        cur.execute("ANALYZE ads_ad, ads_adversion, ads_adkey, ads_adband, ads_sighting, ads_adnetwork, "
                    "ads_templatecluster")
    step("analyze")
    log.info("bulk load linked", load=load.pk, **figures)
    return figures


def _clusters(cur, texts: Texts, figures: dict) -> tuple[dict, dict]:
    """Template clusters by the one-pass rule over every ad's latest signature and this load's earlier ones, an ad's
    texts taken together. Returns (ad id -> cluster id, ad id -> smallest ad id of its cluster) for the ads in
    clusters."""
    figures["signatures"] = len(texts.ad)
    # the import's threshold, not the one-pass reclustering's: like the import, this links an ad on every text it
    # was captured with (at 0.40 it joined unrelated networks: network F1 0.947 at 100,000 captures)
    threshold = clusters.threshold(stoplist.current())
    first = recluster.run_starts(texts.ad)  # texts are in ad id order: group i is the i-th ad
    group = np.cumsum(first) - 1
    label = recluster.linked(texts.keys, group, texts.quick, recluster.equal_positions(texts.low),
                             recluster._agree(threshold))
    ads = texts.ad[first]
    together = np.bincount(label, minlength=len(ads))[label] > 1
    found = dict(zip(ads[together].tolist(), ads[label[together]].tolist(), strict=True))
    cur.execute("SELECT id, cluster_id FROM ads_ad WHERE cluster_id IS NOT NULL")
    was = dict(cur.fetchall())
    cluster_of, members, wanting = recluster.name_clusters(cur, was, found)
    figures.update(clusters=len(members), clustered=len(cluster_of), new_clusters=len(wanting), threshold=threshold)
    return cluster_of, found


# the occurrences of every key an ad links through, and the image hashes its image keys are made from
_ALL = "(SELECT id AS ad, {0} FROM ads_ad UNION ALL SELECT ad_id, {0} FROM ads_loadedtext) k"
# a key other than an image key has a negative code: its hash with the sign bit set (-2^63 written so that
# PostgreSQL reads it as a bigint)
_SIGN = "(-9223372036854775807 - 1)"
_PAIRS = np.array([(a, b) for a in range(4) for b in range(a + 1, 4)])  # the parts of an image key (link_keys)
_UNLIKE = pipeline.IMAGE_BITS  # image keys link hashes at most this many bits apart


def _image_codes(hashes: np.ndarray) -> np.ndarray:
    """The image keys of 64-bit image hashes as whole numbers (n × 6): key ``iAB:`` + parts A and B of the hash in hex
    (``pipeline.link_keys``) is (4A + B) << 32 | part A << 16 | part B."""
    shifts = np.uint64(48) - np.uint64(16) * np.arange(4, dtype=np.uint64)
    parts = (hashes.view(np.uint64)[:, None] >> shifts) & np.uint64(0xFFFF)
    pairs = ((4 * _PAIRS[:, 0] + _PAIRS[:, 1]).astype(np.uint64) << np.uint64(32))
    return (pairs + (parts[:, _PAIRS[:, 0]] << np.uint64(16)) + parts[:, _PAIRS[:, 1]]).view(np.int64)


def _image_keys(codes: np.ndarray) -> np.ndarray:
    """The text of image keys from their codes (``_image_codes``): 12 bytes each."""
    hexdigit = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    codes = codes.view(np.uint64)
    out = np.empty((len(codes), 12), dtype=np.uint8)
    out[:, 0] = ord("i")
    out[:, 1] = ord("0") + (codes >> np.uint64(34))
    out[:, 2] = ord("0") + ((codes >> np.uint64(32)) & np.uint64(3))
    out[:, 3] = ord(":")
    for k in range(8):
        out[:, 4 + k] = hexdigit[(codes >> np.uint64(28 - 4 * k)) & np.uint64(0xF)]
    return out.view("S12").reshape(-1)


def _hex64(values: np.ndarray) -> np.ndarray:
    """64-bit whole numbers as 16 hex digits each (S16)."""
    hexdigit = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    values = values.view(np.uint64)
    out = np.empty((len(values), 16), dtype=np.uint8)
    for k in range(16):
        out[:, k] = hexdigit[(values >> np.uint64(60 - 4 * k)) & np.uint64(0xF)]
    return out.view("S16").reshape(-1)


class _Holders(NamedTuple):
    """Key occurrences sorted by key: code, node (an ad's row, or n + a stored network's index), image hash and
    whether there is one; ``first``: the position of each key's first holder."""

    code: np.ndarray
    node: np.ndarray
    image: np.ndarray
    imaged: np.ndarray
    first: np.ndarray


def _holders(code, node, image, imaged) -> _Holders:
    """Sorted by key, each key's holders in the order given (stored networks, then ads by id): its first holder is
    the stored network that has it, else the ad with the smallest id (and of its hashes the smallest)."""
    order = np.argsort(code, kind="stable")
    code, node, image, imaged = code[order], node[order], image[order], imaged[order]
    starts = np.flatnonzero(recluster.run_starts(code))
    return _Holders(code, node, image, imaged, np.repeat(starts, np.diff(np.r_[starts, len(code)])))


def _linked_to_first(h: _Holders) -> tuple[np.ndarray, np.ndarray]:
    """Edges (node, its key's first holder) of the holders that are not first, images only a few bits apart."""
    rest = np.flatnonzero(h.first != np.arange(len(h.code)))
    f = h.first[rest]
    bits = np.bitwise_count((h.image[rest] ^ h.image[f]).view(np.uint64))
    near = ~(h.imaged[rest] & h.imaged[f]) | (bits <= _UNLIKE)
    near &= h.node[rest] != h.node[f]
    return h.node[rest[near]], h.node[f[near]]


class _NewImageKeys(NamedTuple):
    """Image keys first held by an ad of this load, in key order: code, network, the first holder's hash."""

    code: np.ndarray
    network: np.ndarray
    image: np.ndarray


def _networks(cur, cluster_of: dict, label_of: dict, figures: dict) -> _NewImageKeys:
    """Every ad's network: connected components of shared keys, template clusters and stored networks (a component
    holding stored networks keeps the oldest, as the import merges them); one UPDATE per ad sets its cluster,
    network and search text. Keys are linked as the import links them: each occurrence to the key's first holder,
    an image key only between hashes a few bits apart. Computed in NumPy from whole numbers read with binary COPY:
    image keys from the image hashes (exact), other keys by a 63-bit hash of their text (two keys of a million
    taken for one about once in ten million loads). Leaves ``bulk_other`` (the other keys' occurrences),
    ``bulk_ad`` and ``bulk_oldnet`` (stored network -> network now) for ``_keys``; returns the new image keys."""
    ads = fetch_int64(cur, "SELECT id, coalesce(network_id, -1) FROM ads_ad ORDER BY id", 2)
    ids, old = ads[:, 0], ads[:, 1]
    n = len(ids)
    # stored keys: their first holder is the stored network (code, network, image, whether it has one)
    stored = fetch_int64(cur, f"""
        SELECT CASE WHEN left(k.key, 1) = 'i' THEN (substr(k.key, 2, 1)::int * 4 + substr(k.key, 3, 1)::int)::bigint
                    << 32 | ('x' || substr(k.key, 5, 8))::bit(32)::bigint
               ELSE hashtextextended(k.key, 0) | {_SIGN} END,
               k.network_id, CASE WHEN k.image = '' THEN 0 ELSE ('x' || k.image)::bit(64)::bigint END,
               (k.image <> '')::int::bigint
        FROM ads_adkey k JOIN ads_adnetwork n ON n.id = k.network_id""", 4)
    nets = np.unique(np.r_[old[old >= 0], stored[:, 1]])
    m = len(nets)
    src, dst = [], []

    def add(a_rows, b_rows):
        src.append(a_rows)
        dst.append(b_rows)

    with_old = np.flatnonzero(old >= 0)
    add(with_old, n + np.searchsorted(nets, old[with_old]))
    known = (stored[:, 0], n + np.searchsorted(nets, stored[:, 1]), stored[:, 2], stored[:, 3].astype(bool))
    # image keys: six from each image hash, in (ad, hash) order
    hashes = fetch_int64(cur, f"SELECT ad, ('x' || h)::bit(64)::bigint FROM {_ALL.format('unnest(image_hashes) h')}", 2)
    hashes = hashes[np.lexsort((hashes[:, 1].view(np.uint64), hashes[:, 0]))]
    images = known[0] >= 0
    image = _holders(np.r_[known[0][images], _image_codes(hashes[:, 1]).reshape(-1)],
                     np.r_[known[1][images], np.repeat(np.searchsorted(ids, hashes[:, 0]), len(_PAIRS))],
                     np.r_[known[2][images], np.repeat(hashes[:, 1], len(_PAIRS))],
                     np.r_[known[3][images], np.ones(len(hashes) * len(_PAIRS), dtype=bool)])
    del hashes
    add(*_linked_to_first(image))
    # other keys (phones, e-mails, handles): every holder is linked to the first, whichever it is
    cur.execute("CREATE TEMPORARY TABLE bulk_other ON COMMIT DROP AS "
                f"SELECT ad, key FROM {_ALL.format('unnest(keys) key')} WHERE left(key, 1) <> 'i'")
    other = fetch_int64(cur, f"SELECT ad, hashtextextended(key, 0) | {_SIGN} FROM bulk_other", 2)
    some = _holders(np.r_[known[0][~images], other[:, 1]], np.r_[known[1][~images], np.searchsorted(ids, other[:, 0])],
                    np.zeros(len(other) + np.count_nonzero(~images), dtype=np.int64),
                    np.zeros(len(other) + np.count_nonzero(~images), dtype=bool))
    del other
    add(*_linked_to_first(some))
    links = sum(len(a) for a in src)
    del some
    if label_of:
        members = np.fromiter(label_of.keys(), dtype=np.int64, count=len(label_of))
        labels = np.fromiter(label_of.values(), dtype=np.int64, count=len(label_of))
        add(np.searchsorted(ids, members), np.searchsorted(ids, labels))
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    a, b = np.concatenate(src), np.concatenate(dst)
    src.clear()
    dst.clear()
    _, component = connected_components(coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n + m, n + m)),
                                        directed=False)
    del a, b
    # a component holding stored networks keeps the oldest; the others get new ones
    keep = np.full(component.max() + 1 if n + m else 0, np.iinfo(np.int64).max)
    np.minimum.at(keep, component[n:], nets)
    wanting = np.flatnonzero(keep[component[:n]] == np.iinfo(np.int64).max)
    need = np.unique(component[:n][wanting])
    if len(need):
        fresh = fetch_int64(cur, "SELECT nextval(pg_get_serial_sequence('ads_adnetwork', 'id')) "
                                 f"FROM generate_series(1, {len(need)})", 1)[:, 0]
        keep[need] = fresh
        cur.execute("INSERT INTO ads_adnetwork (id, size, score, phones, cities) "  # refresh() fills them in
                    "SELECT unnest(%s::bigint[]), 0, 0, '{}', '{}'", [int_array(fresh.tolist())])
    network = keep[component[:n]]
    cluster = np.array([cluster_of.get(pk, 0) for pk in ids.tolist()], dtype=np.int64)
    cur.execute("CREATE TEMPORARY TABLE bulk_ad (id bigint, cluster bigint, network bigint) ON COMMIT DROP")
    copy_int64(cur, "bulk_ad", ("id", "cluster", "network"), [ids, cluster, network])
    cur.execute("CREATE TEMPORARY TABLE bulk_oldnet (old bigint, new bigint) ON COMMIT DROP")
    copy_int64(cur, "bulk_oldnet", ("old", "new"), [nets, keep[component[n:]]])
    # the networks' figures first, so that each ad is written once: cluster, network, search text and score
    cur.execute("ALTER TABLE bulk_ad ADD PRIMARY KEY (id); ANALYZE bulk_ad")
    pipeline.figures(cur, "ads_adnetwork", "network_id", "(SELECT a.phones, a.city, a.first_collected, "
                     "a.last_collected, t.network AS network_id FROM ads_ad a JOIN bulk_ad t ON t.id = a.id)")
    # each ad's latest capture: its search text (if it has none) and score, by PostgreSQL's parallel workers (an
    # UPDATE is never parallel; the search texts and reading the captures were most of its 70 s at 1M captures);
    # an unlogged table, as parallel workers do not see temporary ones
    cur.execute(f"""
        CREATE UNLOGGED TABLE bulk_latest AS
        SELECT a.id, CASE WHEN a.search IS NULL THEN {pipeline.SEARCH_TEXT} END AS search, c.score
        FROM ads_ad a JOIN ads_adversion c ON c.ad_id = a.id AND c.collected_at = a.last_collected""")
    # hash joins: the planner takes the ads matching their latest capture for one row and loops over them
    cur.execute("SET LOCAL enable_nestloop = off")
    cur.execute(f"""
        UPDATE ads_ad a SET cluster_id = nullif(t.cluster, 0), network_id = t.network,
               search = coalesce(a.search, c.search),
               score = CASE WHEN x.size > 1 THEN {pipeline.SCORE} ELSE a.score END
        FROM bulk_ad t JOIN ads_adnetwork x ON x.id = t.network JOIN bulk_latest c ON c.id = t.id
        WHERE t.id = a.id""")
    cur.execute("SET LOCAL enable_nestloop = on; DROP TABLE bulk_latest")
    figures.update(ads=n, key_links=links - len(with_old), networks=len(np.unique(network)), new_networks=len(need))
    first = image.first[recluster.run_starts(image.code)]
    first = first[image.node[first] < n]  # not a stored key
    return _NewImageKeys(image.code[first], network[image.node[first]], image.image[first])


_KEY_ROW = np.dtype([("n", ">i2"), ("l0", ">i4"), ("key", "S12"), ("l1", ">i4"), ("network", ">i8"), ("l2", ">i4"),
                     ("image", "S16")])


def _keys(cur, images: _NewImageKeys) -> None:
    """The key table brought up to date: stored keys moved to the networks their networks became, every other key
    added with the network of its first holder (and that holder's image): image keys from NumPy (binary COPY), the
    others from ``bulk_other``."""
    cur.execute("DELETE FROM ads_adkey k WHERE NOT EXISTS (SELECT 1 FROM ads_adnetwork n WHERE n.id = k.network_id)")
    cur.execute("UPDATE ads_adkey k SET network_id = m.new FROM bulk_oldnet m WHERE m.old = k.network_id "
                "AND m.new <> m.old")
    rows = np.empty(len(images.code), dtype=_KEY_ROW)  # in key order, as the key's unique index: appended to it
    rows["n"], rows["l0"], rows["l1"], rows["l2"] = 3, 12, 8, 16
    rows["key"] = _image_keys(images.code)
    rows["network"] = images.network
    rows["image"] = _hex64(images.image)
    with without_indexes(cur, "ads_adkey"):
        with cur.cursor.copy("COPY ads_adkey (key, network_id, image) FROM STDIN (FORMAT binary)") as copy:
            copy.write(COPY_HEADER)
            for start in range(0, len(rows), 1_000_000):
                copy.write(rows[start:start + 1_000_000].tobytes())
            copy.write(b"\xff\xff")
        cur.execute("""
            INSERT INTO ads_adkey (key, network_id, image)
            SELECT o.key, max(t.network), '' FROM bulk_other o JOIN bulk_ad t ON t.id = o.ad
            GROUP BY o.key ORDER BY o.key
            ON CONFLICT (key) DO NOTHING""")  # a stored key keeps its row


def _sightings(cur, after: int) -> None:
    """Sightings and alerts from the load's captures, in ``collected_at`` order: an alert for every (phone or
    template, city) first seen in this load when that phone or template was seen in another city before (stored, or
    earlier in the load), naming those cities in the order they were first seen (as ``pipeline.sightings``)."""
    # each (phone or template, city) of the load's captures: when and by which ad first seen, last seen, how often
    # (one sorted aggregation: the first capture's ad is the first of its ordered list)
    cur.execute(f"""
        CREATE TEMPORARY TABLE bulk_firsts ON COMMIT DROP AS
        SELECT kind, key, city, min(at) AS at, (array_agg(ad_id ORDER BY at, ad_id))[1] AS ad_id, max(at) AS last,
               count(*) AS captures
        FROM (SELECT 'phone'::text AS kind, p::text AS key, v.city, v.collected_at AS at, v.ad_id
              FROM ads_adversion v, unnest(v.phones) p WHERE v.id > {int(after)} AND v.city <> ''
              UNION ALL
              SELECT 'template', a.cluster_id::text, v.city, v.collected_at, v.ad_id
              FROM ads_adversion v JOIN ads_ad a ON a.id = v.ad_id
              WHERE v.id > {int(after)} AND v.city <> '' AND a.cluster_id IS NOT NULL) seen
        GROUP BY kind, key, city""")
    cur.execute("""
        WITH new AS (
            SELECT n.*, array_agg(n.city) OVER (PARTITION BY n.kind, n.key ORDER BY n.at, n.ad_id, n.city
                                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
            FROM bulk_firsts n WHERE NOT EXISTS (SELECT 1 FROM ads_sighting s
                                                 WHERE s.kind = n.kind AND s.key = n.key AND s.city = n.city)),
        old AS (
            SELECT s.kind, s.key, array_agg(s.city ORDER BY s.first_seen) AS cities FROM ads_sighting s
            WHERE (s.kind, s.key) IN (SELECT kind, key FROM bulk_firsts) GROUP BY s.kind, s.key)
        INSERT INTO ads_adalert (kind, key, city, previous_cities, ad_id, at)
        SELECT new.kind, new.key, new.city, coalesce(old.cities, '{}') || coalesce(new.before, '{}'), new.ad_id,
               new.at
        FROM new LEFT JOIN old ON old.kind = new.kind AND old.key = new.key
        WHERE old.cities IS NOT NULL OR new.before IS NOT NULL
        ON CONFLICT DO NOTHING""")
    cur.execute("""
        INSERT INTO ads_sighting (kind, key, city, first_seen, last_seen, captures)
        SELECT kind, key, city, at, last, captures FROM bulk_firsts
        ON CONFLICT (kind, key, city) DO UPDATE SET
            first_seen = LEAST(ads_sighting.first_seen, EXCLUDED.first_seen),
            last_seen = GREATEST(ads_sighting.last_seen, EXCLUDED.last_seen),
            captures = ads_sighting.captures + EXCLUDED.captures""")
