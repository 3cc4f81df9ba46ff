"""Template clusters made again from every stored signature in one pass, in-process (NumPy) or with Spark.

The import links each batch incrementally against the band index, which keeps one ad per cluster per band. This
module computes the partition from scratch with one fixed rule, so two engines can be held to the same answer:

1. every ad's signature gives ``clusters.BANDS`` band keys; ads with the same key share a bucket;
2. within a bucket (ads in id order) each ad is compared with the ads before it, but only with the first
   ``BUCKET_CAP`` of the bucket: a band shared by thousands of ads (boilerplate) costs thousands of comparisons,
   not millions, and a template's cluster is still reached through its earliest members;
3. a pair is kept when the signatures agree on at least the threshold of their positions (``clusters.threshold``:
   lower when the signatures leave out the boilerplate of a stop list);
4. clusters are the connected components of kept pairs with two ads or more, each named by its smallest ad id.

Run it after changing the threshold or the bands, or when ads' texts have changed so that old clusters went stale
(``vigil ads recluster``); with ``--stop-list`` it counts the boilerplate stop list again over every stored ad. Ads
signed with another version of the stop list than the current one are signed again first (``stoplist.sign_again``). Spark (local mode here, a cluster at national scale) gives the same partition as NumPy;
``tests/test_ads_recluster.py`` holds them to it on a 20k-ad corpus.
"""

from __future__ import annotations

import json

import numpy as np

from vigil.ads import clusters
from vigil.core.components import smallest_in_component

BUCKET_CAP = clusters.BUCKET_CAP
band_keys = clusters.band_keys
_CHUNK = 200_000  # pairs made and compared at a time (bounded memory)


def _agree(threshold: float) -> int:
    """Equal positions a kept pair needs."""
    return int(np.ceil(threshold * clusters.PERMUTATIONS - 1e-9))


def candidate_pairs_in_chunks(ids: np.ndarray, keys: np.ndarray, chunk: int = _CHUNK):
    """Row numbers (later, earlier) of the pairs rule 2 compares, each pair once, at most ``chunk`` pairs at a time.

    One band after the other; a pair is left to the first band in which it is compared (the same key, and the
    earlier ad among the first ``BUCKET_CAP`` of that bucket). All bands' pairs at once would not fit in memory:
    at 226,000 ads they were more than 17 GB."""
    n = len(ids)
    rank = np.zeros((n, keys.shape[1]), dtype=np.int32)  # each ad's place in its bucket, per band
    for j in range(keys.shape[1]):
        band = keys[:, j]
        order = np.lexsort((ids, band))
        ordered = band[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        start_of = np.repeat(starts, np.diff(np.r_[starts, n]))
        place = np.arange(n) - start_of
        rank[order, j] = place
        counts = np.minimum(place, BUCKET_CAP)
        ends = np.cumsum(counts)
        first = 0
        while first < n:  # rows of the sorted band whose pairs make one chunk (a row's pairs are never split)
            last = max(first + 1, int(np.searchsorted(ends, (ends[first - 1] if first else 0) + chunk, "right")))
            part = counts[first:last]
            later = np.repeat(np.arange(first, last), part)
            earlier = start_of[later] + (np.arange(part.sum()) - np.repeat(np.cumsum(part) - part, part))
            a, b = order[later], order[earlier]
            if j and len(a):
                before = ((keys[a, :j] == keys[b, :j]) & (rank[b, :j] < BUCKET_CAP)).any(axis=1)
                a, b = a[~before], b[~before]
            if len(a):
                yield a, b
            first = last


def candidate_pairs(ids: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All the pairs of ``candidate_pairs_in_chunks`` at once (for small corpora and tests)."""
    parts = list(candidate_pairs_in_chunks(np.asarray(ids, dtype=np.int64), keys))
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate([a for a, _ in parts]), np.concatenate([b for _, b in parts])


def kept_pairs(signatures: np.ndarray, a: np.ndarray, b: np.ndarray,
               threshold: float = clusters.THRESHOLD) -> tuple[np.ndarray, np.ndarray]:
    keep, agree = np.empty(len(a), dtype=bool), _agree(threshold)
    for start in range(0, len(a), 4_096):  # pairs whose signatures stay in the processor's cache: faster
        part = slice(start, start + 4_096)
        keep[part] = np.count_nonzero(signatures[a[part]] == signatures[b[part]], axis=1) >= agree
    return a[keep], b[keep]


def partition(ids, signatures: np.ndarray, threshold: float = clusters.THRESHOLD) -> dict[int, int]:
    """In-process: ad id -> smallest ad id of its cluster, for the ads in clusters of two or more. Candidates are
    made and verified a chunk at a time; only the kept pairs are held."""
    ids = np.asarray(ids, dtype=np.int64)
    if len(ids) < 2:
        return {}
    kept = [kept_pairs(signatures, a, b, threshold) for a, b in candidate_pairs_in_chunks(ids, band_keys(signatures))]
    a = np.concatenate([k[0] for k in kept]) if kept else np.zeros(0, dtype=np.int64)
    b = np.concatenate([k[1] for k in kept]) if kept else np.zeros(0, dtype=np.int64)
    smallest = smallest_in_component(ids, a, b)
    linked = np.zeros(len(ids), dtype=bool)
    linked[a] = linked[b] = True
    return dict(zip(ids[linked].tolist(), smallest[linked].tolist(), strict=True))


def spark_session(cores: int | None = None):
    """A local Spark session (``vigil.core.spark``); the caller may pass its own to ``partition_spark``."""
    from vigil.core.spark import local_session

    return local_session("vigil-recluster", cores)


def partition_spark(ids, signatures: np.ndarray, spark=None, threshold: float = clusters.THRESHOLD) -> dict[int, int]:
    """The same partition computed by Spark: the band join, the comparison of signatures and the connected
    components (label propagation: each ad takes the smallest label among its neighbours until none changes) all run
    as Spark jobs; only the band keys come from ``clusters.band_keys``, part of the signature's definition."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    spark = spark or spark_session()
    ids = [int(i) for i in ids]
    if len(ids) < 2:
        return {}
    keys = band_keys(signatures)
    rows = [(i, [int(v) for v in sig], [int(k) for k in ks]) for i, sig, ks in zip(ids, signatures, keys, strict=True)]
    ads = spark.createDataFrame(rows, "id long, sig array<long>, bands array<long>")
    buckets = (ads.select("id", F.explode("bands").alias("band"))
               .withColumn("rank", F.row_number().over(Window.partitionBy("band").orderBy("id")) - 1))
    later, earlier = buckets.alias("l"), buckets.alias("e")
    pairs = (later.join(earlier, (F.col("l.band") == F.col("e.band"))
                        & (F.col("e.rank") < F.least(F.col("l.rank"), F.lit(BUCKET_CAP))))
             .select(F.col("l.id").alias("a"), F.col("e.id").alias("b")).distinct())
    agree = F.expr("aggregate(zip_with(x.sig, y.sig, (p, q) -> IF(p = q, 1, 0)), 0, (acc, v) -> acc + v)")
    kept = (pairs.join(ads.alias("x"), F.col("a") == F.col("x.id")).join(ads.alias("y"), F.col("b") == F.col("y.id"))
            .where(agree >= _agree(threshold)).select("a", "b").localCheckpoint())
    edges = kept.union(kept.select(F.col("b").alias("a"), F.col("a").alias("b"))).localCheckpoint()
    labels = edges.select(F.col("a").alias("id")).distinct().withColumn("label", F.col("id")).localCheckpoint()
    while True:
        offered = (edges.join(labels, edges.a == labels.id).groupBy(edges.b.alias("id"))
                   .agg(F.min("label").alias("offer")))
        updated = (labels.join(offered, "id", "left")
                   .select("id", F.least("label", F.coalesce("offer", "label")).alias("label"),
                           (F.col("offer") < F.col("label")).alias("changed")).localCheckpoint())
        labels = updated.select("id", "label")
        if updated.where("changed").limit(1).count() == 0:
            break
    return {row["id"]: row["label"] for row in labels.collect()}


# --- applying a partition to the stored ads ----------------------------------------------------------------------

def load() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ids, signatures (n × PERMUTATIONS) and current clusters (0: none) of every ad with a signature, streamed."""
    from django.db import connection

    ids, current = [], []
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM ads_ad WHERE signature IS NOT NULL")
        n = cur.fetchone()[0]
    signatures = np.empty((n, clusters.PERMUTATIONS), dtype=np.uint32)
    with connection.chunked_cursor() as cur:
        cur.execute("SELECT id, signature, coalesce(cluster_id, 0) FROM ads_ad WHERE signature IS NOT NULL "
                    "ORDER BY id")
        for k, (pk, sig, cluster) in enumerate(cur):
            if k >= n:  # ads stored meanwhile wait for the next run
                break
            ids.append(pk)
            current.append(cluster)
            signatures[k] = np.frombuffer(bytes(sig), dtype=np.uint32)
    return np.asarray(ids, dtype=np.int64), signatures[:len(ids)], np.asarray(current, dtype=np.int64)


def apply(ids: np.ndarray, signatures: np.ndarray, current: np.ndarray, found: dict[int, int]) -> dict:
    """Store a partition: each cluster keeps the id of the stored cluster most of its ads were in (so pages and
    alerts that name it stay valid), the rest get new clusters; ads in no cluster lose theirs; the band index is
    rebuilt; networks joined by a cluster are merged; the figures refreshed."""
    from django.db import connection, transaction

    from vigil.ads import pipeline
    from vigil.core.pgcopy import int_array

    was = dict(zip(ids.tolist(), current.tolist(), strict=True))
    with transaction.atomic(), connection.cursor() as cur:
        cluster_of, members, wanting = name_clusters(cur, was, found)
        moved = {pk: c for pk, c in cluster_of.items() if was.get(pk) != c}
        cur.execute("UPDATE ads_ad a SET cluster_id = v.c FROM unnest(%s::bigint[], %s::bigint[]) AS v(a, c) "
                    "WHERE a.id = v.a", [int_array(moved), int_array(moved.values())])
        left = [pk for pk, c in was.items() if c and pk not in cluster_of]
        cur.execute("UPDATE ads_ad SET cluster_id = NULL WHERE id = ANY(%s::bigint[])", [int_array(left)])
        _rebuild_bands(cur, ids, signatures, cluster_of)
        merged = _merge_networks(cur)
        pipeline.refresh()
    return {"ads": len(ids), "clustered": len(cluster_of), "clusters": len(members), "moved": len(moved),
            "left": len(left), "new_clusters": len(wanting), "networks_merged": merged}


def name_clusters(cur, was: dict[int, int], found: dict[int, int]) -> tuple[dict, dict, list]:
    """Ids for a partition (ad id -> label): each cluster keeps the id of the stored cluster most of its ads were in
    (``was``: ad id -> cluster, 0 for none), the others get new clusters. Returns (ad id -> cluster, label ->
    ads, the ad lists that got new clusters)."""
    from collections import Counter

    from vigil.ads import pipeline
    from vigil.ads.models import TemplateCluster

    members: dict[int, list[int]] = {}
    for pk, label in found.items():
        members.setdefault(label, []).append(pk)
    cluster_of, taken, wanting = {}, set(), []
    for _label, pks in sorted(members.items(), key=lambda m: (-len(m[1]), m[0])):
        votes = Counter(was.get(pk) for pk in pks if was.get(pk) and was.get(pk) not in taken)
        if votes:
            keep = min(votes, key=lambda c: (-votes[c], c))
            taken.add(keep)
            cluster_of.update(dict.fromkeys(pks, keep))
        else:
            wanting.append(pks)
    if wanting:
        row = pipeline._defaults(TemplateCluster)
        columns = ", ".join(row)
        cur.execute(f"INSERT INTO ads_templatecluster ({columns}) SELECT {columns} FROM json_populate_recordset("
                    "NULL::ads_templatecluster, %s) RETURNING id", [json.dumps([row] * len(wanting))])
        for pks, (pk,) in zip(wanting, cur.fetchall(), strict=True):
            cluster_of.update(dict.fromkeys(pks, pk))
    return cluster_of, members, wanting


def _rebuild_bands(cur, ids: np.ndarray, signatures: np.ndarray, cluster_of: dict) -> None:
    """The band index as the import keeps it: per band, the first ad of each cluster and every ad alone, at most
    ``BUCKET_CAP`` ads a band (the first in id order)."""
    from vigil.ads.bulk import copy_int64, without_indexes

    cur.execute("TRUNCATE ads_adband")
    if not len(ids):
        return
    keys = band_keys(signatures)
    group = np.array([cluster_of.get(pk, -pk) for pk in ids.tolist()], dtype=np.int64)
    band = keys.reshape(-1)
    row = np.repeat(np.arange(len(ids)), clusters.BANDS)
    order = np.lexsort((ids[row], group[row], band))
    band, row = band[order], row[order]
    first = np.r_[True, (band[1:] != band[:-1]) | (group[row][1:] != group[row][:-1])]
    band, row = band[first], row[first]
    order = np.lexsort((ids[row], band))  # the first BUCKET_CAP of each band
    band, row = band[order], row[order]
    starts = np.flatnonzero(np.r_[True, band[1:] != band[:-1]])
    place = np.arange(len(band)) - np.repeat(starts, np.diff(np.r_[starts, len(band)]))
    keep = place < BUCKET_CAP
    with without_indexes(cur, "ads_adband"):
        copy_int64(cur, "ads_adband", ("band", "ad_id"), [band[keep], ids[row[keep]]])


def _merge_networks(cur) -> int:
    """One template cluster is one network: networks whose ads share a cluster become the oldest of them (repeated
    until none is left to merge; ``refresh`` removes the emptied networks)."""
    total = 0
    while True:
        cur.execute("""
            WITH pairs AS (SELECT DISTINCT cluster_id, network_id FROM ads_ad
                           WHERE cluster_id IS NOT NULL AND network_id IS NOT NULL),
                 keep AS (SELECT cluster_id, min(network_id) AS k FROM pairs GROUP BY cluster_id)
            SELECT p.network_id, min(keep.k) FROM pairs p JOIN keep USING (cluster_id)
            WHERE p.network_id <> keep.k GROUP BY p.network_id""")
        moves = cur.fetchall()
        if not moves:
            return total
        total += len(moves)
        other, keep = [m[0] for m in moves], [m[1] for m in moves]
        for table in ("ads_ad", "ads_adkey"):
            cur.execute(f"UPDATE {table} t SET network_id = v.k FROM unnest(%s::bigint[], %s::bigint[]) AS v(o, k) "
                        "WHERE t.network_id = v.o", [other, keep])


def recluster(engine: str = "numpy", spark=None, count_stop_list: bool = False) -> dict:
    """Count the stop list again (``count_stop_list``), sign again the ads signed with another list than the
    current one, load, partition with ``engine`` ('numpy' or 'spark'), apply. Returns the figures of ``apply`` and
    of the stop list."""
    from vigil.ads import stoplist

    before = stoplist.current()
    stop = stoplist.count_stored() if count_stop_list else before
    signed = stoplist.sign_again(stop)
    ids, signatures, current = load()
    threshold = clusters.threshold(stop, one_pass=True)
    found = (partition_spark(ids, signatures, spark, threshold) if engine == "spark"
             else partition(ids, signatures, threshold))
    result = apply(ids, signatures, current, found)
    return {**result, "stop_list": stop.version if stop else 0, "stop_shingles": len(stop.shingles) if stop else 0,
            "new_stop_list": (stop.version if stop else 0) != (before.version if before else 0),
            "signed_again": signed, "threshold": threshold}
