"""Bulk loads of ads: a large crawl stored first and linked once, where the incremental import links every batch
against everything stored.

Phase 1 (``begin``, then the import loop with ``pipeline.write(..., link=False)``): the heavy secondary indexes of
the ads and captures tables (full text, trigram, phone and key arrays, foreign keys) are dropped, their definitions
kept with the load (``BulkLoad.indexes``); the workers prepare lines as usual and the storing process copies captures
and ads in, with no band lookups, no clusters or networks and no search text. Each batch is checkpointed as usual,
so an interrupted load resumes where it stopped. What an ad's earlier texts link through is kept (``LoadedText``).

Phase 2 (``link``), in one transaction, so an interrupted link is made again from the start by the next import:

1. template clusters with the one-pass rule of ``recluster`` over every stored signature (each ad's latest text and
   the earlier texts of this load), named as ``recluster`` names them (a stored cluster keeps its id);
2. networks: the connected components of ads sharing a key (phone, e-mail, handle, image-hash part; an image key
   only between hashes a few bits apart, as the import links them), a template cluster, or a stored network;
   computed in SQL and SciPy, written with COPY and one UPDATE of each ad (with its search text);
3. the key table and the band index made again from scratch (what the incremental import looks up afterwards);
4. sightings and alerts from this load's captures in ``collected_at`` order (a known phone or template in a city
   where it was not seen before), with the same meaning as the import's;
5. the figures and scores (``pipeline.refresh``), the indexes built again, then ANALYZE.

``choose`` decides: a load not yet linked is always continued; ``--bulk`` forces one and ``--incremental`` forbids it;
by default a load is bulk when no ads are stored or when the file has at least as many lines as there are stored
ads (``BULK_SHARE``): linking then costs about as much as the file itself, and linking batch by batch against a
corpus that size costs more.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import structlog
from django.db import connection, transaction
from django.utils import timezone

from vigil.ads import clusters, pipeline, recluster, stoplist
from vigil.ads.models import Ad, BulkLoad
from vigil.core.components import smallest_in_component
from vigil.core.pgcopy import int_array

log = structlog.get_logger("vigil.ads")

TABLES = ("ads_ad", "ads_adversion")  # whose non-unique indexes are dropped for a load
BULK_SHARE = 1.0  # by default bulk when the file has at least this many lines per stored ad
_NONE = -1  # an absent id in the int64 arrays read from PostgreSQL


# --- binary COPY of whole numbers --------------------------------------------------------------------------------

_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8


def copy_int64(cur, table: str, columns: tuple, arrays: list[np.ndarray]) -> None:
    """COPY columns of 64-bit whole numbers into a table in PostgreSQL's binary format, built by NumPy (millions of
    rows in a fraction of a second, where text rows are formatted one by one)."""
    fields = [("n", ">i2")] + [x for k in range(len(columns)) for x in ((f"l{k}", ">i4"), (f"v{k}", ">i8"))]
    n = len(arrays[0]) if arrays else 0
    rows = np.empty(n, dtype=fields)
    rows["n"] = len(columns)
    for k, values in enumerate(arrays):
        rows[f"l{k}"] = 8
        rows[f"v{k}"] = values
    with cur.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT binary)") as copy:
        copy.write(_HEADER)
        for start in range(0, n, 1_000_000):
            copy.write(rows[start:start + 1_000_000].tobytes())
        copy.write(b"\xff\xff")


def fetch_int64(cur, query: str, ncols: int) -> np.ndarray:
    """The rows of a query whose columns are all non-NULL bigints, as an n × ncols array (binary COPY)."""
    with cur.cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT binary)") as copy:
        data = b"".join(bytes(block) for block in copy)
    body = data[len(_HEADER):-2]
    fields = [("n", ">i2")] + [x for k in range(ncols) for x in ((f"l{k}", ">i4"), (f"v{k}", ">i8"))]
    rows = np.frombuffer(body, dtype=fields)
    return np.stack([rows[f"v{k}"].astype(np.int64) for k in range(ncols)], axis=1) if ncols > 1 else \
        rows["v0"].astype(np.int64).reshape(-1, 1)


def drop_secondary_indexes(cur, tables: list[str]) -> list[tuple[str, str]]:
    """Drop the tables' indexes that are neither unique nor primary; returns (name, CREATE INDEX statement) of each,
    to build them again."""
    cur.execute("SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace "
                "AND NOT x.indisunique AND NOT x.indisprimary ORDER BY i.relname", [list(tables)])
    found = cur.fetchall()
    for name, _definition in found:
        cur.execute(f'DROP INDEX "{name}"')
    return found


@contextmanager
def without_indexes(cur, table: str):
    """A table's non-unique indexes dropped while it is filled, built again afterwards: one sort per index instead
    of an insertion per row (the band index: 32 rows per ad, in random order)."""
    found = drop_secondary_indexes(cur, [table])
    yield
    for _name, definition in found:
        cur.execute(definition)


# every ad's latest signature, read twice by the link: for the clusters and, after the networks, for the band index
# (not kept in between: at 1M captures they are 600 MB beside the networks' arrays)
LATEST_SIGNATURES = f"SELECT id, signature FROM ads_ad WHERE length(signature) = {clusters.PERMUTATIONS * 4} ORDER BY id"


def _signatures(cur, query: str) -> tuple[np.ndarray, np.ndarray]:
    """(ad ids, signatures) of a query returning (bigint, bytea of one whole signature), binary COPY."""
    size = clusters.PERMUTATIONS * 4
    with cur.cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT binary)") as copy:
        data = b"".join(bytes(block) for block in copy)
    rows = np.frombuffer(data[len(_HEADER):-2], dtype=[("n", ">i2"), ("l0", ">i4"), ("id", ">i8"), ("l1", ">i4"),
                                                       ("sig", "<u4", (clusters.PERMUTATIONS,))])
    assert (rows["l1"] == size).all()
    return rows["id"].astype(np.int64), np.ascontiguousarray(rows["sig"]).astype(np.uint32, copy=False)


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
    """The load this import goes on with, or a new one: the heavy indexes dropped (their definitions kept)."""
    with transaction.atomic():
        load = BulkLoad.objects.select_for_update().filter(state=BulkLoad.State.LOADING).order_by("pk").first()
        if load is not None:
            return load
        with connection.cursor() as cur:
            dropped = drop_secondary_indexes(cur, list(TABLES))
            cur.execute("SELECT coalesce(max(id), 0) FROM ads_adversion")
            after = cur.fetchone()[0]
        load = BulkLoad.objects.create(after_capture=after, indexes=[d for _n, d in dropped])
    log.info("bulk load started", load=load.pk, indexes_dropped=len(dropped))
    return load


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
        cur.execute("ANALYZE ads_ad, ads_adversion, ads_loadedtext, ads_adkey")  # fresh rows: without statistics, bad plans
        cluster_of, label_of = _clusters(cur, figures)
        step("clusters")
        _networks(cur, cluster_of, label_of, figures)
        step("networks")
        _keys(cur)
        step("keys")
        ids, signatures = _signatures(cur, LATEST_SIGNATURES)
        recluster._rebuild_bands(cur, ids, signatures, cluster_of)
        del ids, signatures
        step("bands")
        _sightings(cur, load.after_capture)
        step("sightings")
        cur.execute("ANALYZE ads_ad (cluster_id, network_id), ads_adnetwork, ads_templatecluster")
        pipeline.refresh(delete_empty=False)
        step("refresh")
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks, before indexes are built
        for definition in load.indexes:
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


def _clusters(cur, figures: dict) -> tuple[dict, dict]:
    """Template clusters by the one-pass rule over every ad's latest signature and this load's earlier ones. Returns
    (ad id -> cluster id, ad id -> smallest ad id of its cluster) for the ads in clusters."""
    ids, signatures = _signatures(cur, LATEST_SIGNATURES)
    more_ids, more = _signatures(cur, "SELECT ad_id, signature FROM ads_loadedtext WHERE length(signature) = "
                                      f"{clusters.PERMUTATIONS * 4} ORDER BY ad_id, id")
    ad_of = np.r_[ids, more_ids]
    order = np.argsort(ad_of, kind="stable")  # in ad id order, each ad's latest text first
    ad_of = ad_of[order]
    signatures = np.concatenate([signatures, more])[order] if len(more) else signatures
    del more
    figures["signatures"] = len(ad_of)
    rows = np.arange(len(ad_of), dtype=np.int64)
    # the import's threshold, not the one-pass reclustering's: like the import, this links an ad on every text it
    # was captured with (at 0.40 it joined unrelated networks: network F1 0.947 at 100,000 captures)
    threshold = clusters.threshold(stoplist.current())
    left, right = [], []
    for a, b in recluster.candidate_pairs_in_chunks(rows, recluster.band_keys(signatures)):
        a, b = recluster.kept_pairs(signatures, a, b, threshold)
        keep = ad_of[a] != ad_of[b]
        left.append(a[keep])
        right.append(b[keep])
    del signatures
    same = np.flatnonzero(ad_of[1:] == ad_of[:-1])  # an ad's texts belong together
    a = np.concatenate([*left, same]) if left else same
    b = np.concatenate([*right, same + 1]) if right else same + 1
    smallest = smallest_in_component(rows, a, b)  # rows are in ad id order: the smallest row is the smallest ad
    linked = np.zeros(len(rows), dtype=bool)
    for part in (*left, *right):
        linked[part] = True
    found = dict(zip(ad_of[linked].tolist(), ad_of[smallest[linked]].tolist(), strict=True))
    cur.execute("SELECT id, cluster_id FROM ads_ad WHERE cluster_id IS NOT NULL")
    was = dict(cur.fetchall())
    cluster_of, members, wanting = recluster.name_clusters(cur, was, found)
    figures.update(clusters=len(members), clustered=len(cluster_of), new_clusters=len(wanting), threshold=threshold)
    return cluster_of, found


IMAGE_PAIRS = ", ".join(f"({a}, {b})" for a in range(4) for b in range(a + 1, 4))


def _networks(cur, cluster_of: dict, label_of: dict, figures: dict) -> None:
    """Every ad's network: connected components of shared keys, template clusters and stored networks (a component
    holding stored networks keeps the oldest, as the import merges them); one UPDATE per ad sets its cluster,
    network and search text. Leaves ``bulk_first`` (each key's first ad or stored network, with its image) and
    ``bulk_oldnet`` (stored network -> network now) for ``_keys``."""
    ads = fetch_int64(cur, "SELECT id, coalesce(network_id, -1) FROM ads_ad ORDER BY id", 2)
    ids, old = ads[:, 0], ads[:, 1]
    n = len(ids)
    # every occurrence of a key, with the whole image hash an image key was made from ('' for other keys)
    cur.execute("""
        CREATE TEMPORARY TABLE bulk_keys ON COMMIT DROP AS
        SELECT k.ad, k.key, CASE WHEN left(k.key, 1) = 'i' THEN coalesce((
                   SELECT h FROM unnest(k.hashes) h WHERE substr(h, substr(k.key, 2, 1)::int * 4 + 1, 4)
                   || substr(h, substr(k.key, 3, 1)::int * 4 + 1, 4) = substr(k.key, 5) LIMIT 1), '') ELSE '' END AS image
        FROM (SELECT id AS ad, unnest(keys) AS key, image_hashes AS hashes FROM ads_ad
              UNION ALL SELECT ad_id, unnest(keys), image_hashes FROM ads_loadedtext) k""")
    # each key's first holder: the stored network that has it, else the ad with the smallest id
    cur.execute("""
        CREATE TEMPORARY TABLE bulk_first ON COMMIT DROP AS
        SELECT DISTINCT ON (key) key, ad, network, image FROM (
            SELECT k.key, -1::bigint AS ad, k.network_id AS network, k.image, 0 AS o
            FROM ads_adkey k JOIN ads_adnetwork n ON n.id = k.network_id
            UNION ALL SELECT key, ad, -1::bigint, image, 1 FROM bulk_keys) s
        ORDER BY key, o, ad""")
    edges = fetch_int64(cur, """
        SELECT k.ad, f.ad, f.network FROM bulk_keys k JOIN bulk_first f USING (key)
        WHERE k.ad <> f.ad AND (k.image = '' OR f.image = ''
              OR bit_count(('x' || k.image)::bit(64) # ('x' || f.image)::bit(64)) <= 4)""", 3)
    nets = np.unique(np.r_[old[old >= 0], edges[:, 2][edges[:, 2] >= 0]])
    m = len(nets)
    src, dst = [], []

    def add(a_rows, b_rows):
        src.append(a_rows)
        dst.append(b_rows)

    with_old = np.flatnonzero(old >= 0)
    add(with_old, n + np.searchsorted(nets, old[with_old]))
    to_ad = edges[:, 1] >= 0
    add(np.searchsorted(ids, edges[to_ad, 0]), np.searchsorted(ids, edges[to_ad, 1]))
    add(np.searchsorted(ids, edges[~to_ad, 0]), n + np.searchsorted(nets, edges[~to_ad, 2]))
    if label_of:
        members = np.fromiter(label_of.keys(), dtype=np.int64, count=len(label_of))
        labels = np.fromiter(label_of.values(), dtype=np.int64, count=len(label_of))
        add(np.searchsorted(ids, members), np.searchsorted(ids, labels))
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    a, b = np.concatenate(src), np.concatenate(dst)
    _, component = connected_components(coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n + m, n + m)),
                                        directed=False)
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
    # hash joins: the planner takes the ads matching their latest capture for one row and loops over them
    cur.execute("SET LOCAL enable_nestloop = off")
    cur.execute(f"""
        UPDATE ads_ad a SET cluster_id = nullif(t.cluster, 0), network_id = t.network,
               search = coalesce(a.search, {pipeline.SEARCH_TEXT}),
               score = CASE WHEN x.size > 1 THEN {pipeline.SCORE} ELSE a.score END
        FROM bulk_ad t JOIN ads_adnetwork x ON x.id = t.network, ads_adversion c
        WHERE t.id = a.id AND c.ad_id = a.id AND c.collected_at = a.last_collected""")
    cur.execute("SET LOCAL enable_nestloop = on")
    figures.update(ads=n, key_links=len(edges), networks=len(np.unique(network)), new_networks=len(need))


def _keys(cur) -> None:
    """The key table made again: each key with the network of its first holder (and that holder's image)."""
    cur.execute("TRUNCATE ads_adkey")
    with without_indexes(cur, "ads_adkey"):
        cur.execute("""
            INSERT INTO ads_adkey (key, network_id, image)
            SELECT f.key, coalesce(t.network, m.new), f.image FROM bulk_first f
            LEFT JOIN bulk_ad t ON t.id = f.ad LEFT JOIN bulk_oldnet m ON m.old = f.network
            ORDER BY f.key""")  # in the order of its unique index: appended, not inserted all over it


def _sightings(cur, after: int) -> None:
    """Sightings and alerts from the load's captures, in ``collected_at`` order: an alert for every (phone or
    template, city) first seen in this load when that phone or template was seen in another city before (stored, or
    earlier in the load), naming those cities in the order they were first seen (as ``pipeline.sightings``)."""
    cur.execute(f"""
        CREATE TEMPORARY TABLE bulk_seen ON COMMIT DROP AS
        SELECT 'phone'::text AS kind, p::text AS key, v.city, v.collected_at AS at, v.ad_id
        FROM ads_adversion v, unnest(v.phones) p WHERE v.id > {int(after)} AND v.city <> ''
        UNION ALL
        SELECT 'template', a.cluster_id::text, v.city, v.collected_at, v.ad_id
        FROM ads_adversion v JOIN ads_ad a ON a.id = v.ad_id
        WHERE v.id > {int(after)} AND v.city <> '' AND a.cluster_id IS NOT NULL""")
    cur.execute("""
        CREATE TEMPORARY TABLE bulk_firsts ON COMMIT DROP AS
        SELECT DISTINCT ON (kind, key, city) kind, key, city, at, ad_id FROM bulk_seen
        ORDER BY kind, key, city, at, ad_id""")
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
        SELECT kind, key, city, min(at), max(at), count(*) FROM bulk_seen GROUP BY kind, key, city
        ON CONFLICT (kind, key, city) DO UPDATE SET
            first_seen = LEAST(ads_sighting.first_seen, EXCLUDED.first_seen),
            last_seen = GREATEST(ads_sighting.last_seen, EXCLUDED.last_seen),
            captures = ads_sighting.captures + EXCLUDED.captures""")
