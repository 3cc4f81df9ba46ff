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
from vigil.core.pgcopy import copy_int64, without_indexes

BUCKET_CAP = clusters.BUCKET_CAP
band_keys = clusters.band_keys
_CHUNK = 1 << 20  # pairs made at a time (bounded memory)
_BLOCK = 8_192  # pairs whose quick signatures are compared at a time: they stay in the processor's cache
_M7 = np.uint64(0x7777_7777_7777_7777)
_M5 = np.uint64(0x5555_5555_5555_5555)
_M8 = np.uint64(0x8888_8888_8888_8888)
_BYTES = np.uint64(0x0101_0101_0101_0101)


def run_starts(values: np.ndarray) -> np.ndarray:
    """Where each run of equal values begins (a boolean mask; empty for no values)."""
    return np.r_[True, values[1:] != values[:-1]][:len(values)]


def _agree(threshold: float) -> int:
    """Equal positions a kept pair needs."""
    return int(np.ceil(threshold * clusters.PERMUTATIONS - 1e-9))


_TWO = clusters.PERMUTATIONS // 32  # words of the 2-bit part of a quick signature
QUICK_WORDS = _TWO + clusters.PERMUTATIONS // 16


def quick_signatures(signatures: np.ndarray) -> np.ndarray:
    """The low bits of each position packed in words (n × 24 uint64, 192 bytes an ad where the whole signature is
    1 KB): first the low 2 bits (8 words), then the low 4 bits (16 words). Positions equal in full are equal in
    their low bits, so a pair equal there on fewer positions than a kept pair needs is rejected without reading the
    whole signatures. At 1M captures 450 million candidate pairs are compared (pairs sharing a band but not a
    template); 1 in 100 passes the 2 bits, 1 in 120 the 4 bits."""
    low = (signatures & 0xF).astype(np.uint8)
    two = low & 3
    two = two[:, 0::4] | (two[:, 1::4] << 2) | (two[:, 2::4] << 4) | (two[:, 3::4] << 6)
    four = low[:, 0::2] | (low[:, 1::2] << 4)
    return np.ascontiguousarray(np.concatenate([two, four], axis=1)).view(np.uint64)


def _words_sum(counts: np.ndarray) -> np.ndarray:
    """The sum of each row of per-word bit counts (n × 8k uint8), 8 bytes at a time by one multiplication (the top
    byte of v × 0x0101010101010101 is the sum of v's bytes, modulo 256): far faster than a sum over 8 columns."""
    packed = counts.view(np.uint64)
    total = (packed * _BYTES) >> np.uint64(56)
    return total.sum(axis=1) if packed.shape[1] > 1 else total[:, 0]


def _differ_two(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Differing 2-bit positions of the rows of two packed arrays (a field of x ^ y with either bit set), modulo 256:
    a pair differing everywhere counts as equal and goes on to the next check."""
    d = x ^ y
    d |= d >> np.uint64(1)
    d &= _M5
    return _words_sum(np.bitwise_count(d))


def _differ_four(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Differing 4-bit positions of the rows of two packed arrays: a nibble of x ^ y is not zero exactly where its
    high bit ends up set below (its low three bits added to 7 carry into the high bit unless all zero)."""
    d = x ^ y
    t = d & _M7
    t += _M7
    t |= d
    t &= _M8
    return _words_sum(np.bitwise_count(t))


def band_pairs(keys: np.ndarray, chunk: int = _CHUNK):
    """Rule 2, band by band: yields (band, order, later, earlier): ``order`` the rows that share a bucket with another
    in this band, in bucket order (rows in their order within a bucket), and positions in ``order`` of pairs (a later
    row, one of the first ``BUCKET_CAP`` rows of its bucket), at most ``chunk`` pairs at a time. A pair sharing
    several bands comes in each of them: repeating it is cheaper than finding out whether an earlier band had it."""
    for j in range(keys.shape[1]):
        order = np.argsort(keys[:, j], kind="stable")
        ordered = keys[order, j]
        starts = np.flatnonzero(run_starts(ordered))
        sizes = np.diff(np.r_[starts, len(ordered)])
        order = order[np.repeat(sizes > 1, sizes)]  # a bucket of one ad makes no pair
        sizes = sizes[sizes > 1]
        starts = np.cumsum(sizes) - sizes
        start_of = np.repeat(starts, sizes)
        counts = np.minimum(np.arange(len(order)) - start_of, BUCKET_CAP)
        ends = np.cumsum(counts)
        first = 0
        while first < len(order):  # rows of the band whose pairs make one chunk (a row's pairs are never split)
            last = max(first + 1, int(np.searchsorted(ends, (ends[first - 1] if first else 0) + chunk, "right")))
            part = counts[first:last]
            later = np.repeat(np.arange(first, last), part)
            earlier = start_of[later] + (np.arange(len(later)) - np.repeat(np.cumsum(part) - part, part))
            yield j, order, later, earlier
            first = last


def candidate_pairs(ids: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct pairs (later, earlier) of rows that rule 2 compares (for tests); rows in ``ids`` order."""
    order = np.argsort(np.asarray(ids), kind="stable")
    found = [order[o[lat]] * len(ids) + order[o[ear]] for _j, o, lat, ear in band_pairs(keys[order])]
    pairs = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    return pairs // max(len(ids), 1), pairs % max(len(ids), 1)


def linked(keys: np.ndarray, group: np.ndarray, quick: np.ndarray, agreement, agree: int) -> np.ndarray:
    """Rules 1 to 4 over rows (a signature each, in the order of rule 2) that belong to groups (an ad's texts:
    ``group`` the group index of each row, non-decreasing): for each group the smallest group index of its
    component, where groups are joined by their rows' kept pairs.

    ``quick`` (``quick_signatures``) rejects most pairs on 64 bytes, and most of the rest on 128, read from copies in
    bucket order (neighbours in memory); ``agreement(a, b)`` counts the equal positions of the few left (rows a and
    b), on which a pair is kept.
    A pair whose groups are joined already is not compared: after the first bands most pairs of a template are."""
    label = np.arange(int(group[-1]) + 1 if len(group) else 0)
    band, kept, differ = -1, [], clusters.PERMUTATIONS - agree
    for j, order, later, earlier in band_pairs(keys):
        if j != band:  # the components found so far, and this band's rows in bucket order
            label, band, kept = _joined(label, group, kept), j, []
            two = four = None  # the last band's, freed first
            two, four = np.take(quick[:, :_TWO], order, axis=0), np.take(quick[:, _TWO:], order, axis=0)
            where = label[group[order]]
        for start in range(0, len(later), _BLOCK):
            x, y = later[start:start + _BLOCK], earlier[start:start + _BLOCK]
            # np.take: rows gathered three times faster than by indexing
            close = _differ_two(np.take(two, x, axis=0), np.take(two, y, axis=0)) <= differ
            x, y = x[close], y[close]
            apart = np.take(where, x) != np.take(where, y)
            x, y = x[apart], y[apart]
            close = _differ_four(np.take(four, x, axis=0), np.take(four, y, axis=0)) <= differ
            a, b = order[x[close]], order[y[close]]
            keep = agreement(a, b) >= agree
            kept.append((a[keep], b[keep]))
    return _joined(label, group, kept)


def _joined(label: np.ndarray, group: np.ndarray, kept: list) -> np.ndarray:
    """The labels with the groups of the kept pairs joined (each component named by its smallest group)."""
    if not kept:
        return label
    a = label[group[np.concatenate([k[0] for k in kept])]]
    b = label[group[np.concatenate([k[1] for k in kept])]]
    return smallest_in_component(np.arange(len(label)), a, b)[label]


def equal_positions(signatures: np.ndarray):
    """``agreement`` for ``linked``: the equal positions of rows a and b of the signatures."""
    return lambda a, b: np.count_nonzero(np.take(signatures, a, axis=0) == np.take(signatures, b, axis=0), axis=1)


def partition(ids, signatures: np.ndarray, threshold: float = clusters.THRESHOLD) -> dict[int, int]:
    """In-process: ad id -> smallest ad id of its cluster, for the ads in clusters of two or more."""
    ids = np.asarray(ids, dtype=np.int64)
    if len(ids) < 2:
        return {}
    order = np.argsort(ids, kind="stable")
    ids, signatures = ids[order], signatures[order]
    label = linked(band_keys(signatures), np.arange(len(ids)), quick_signatures(signatures),
                   equal_positions(signatures), _agree(threshold))
    together = np.bincount(label, minlength=len(ids))[label] > 1
    return dict(zip(ids[together].tolist(), ids[label[together]].tolist(), strict=True))


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
        _rebuild_bands(cur, ids, band_keys(signatures), cluster_of)
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


def _rebuild_bands(cur, ids: np.ndarray, keys: np.ndarray, cluster_of: dict) -> None:
    """The band index as the import keeps it, from the ads' band keys (``band_keys``; ``ids`` ascending): per band,
    the first ad of each cluster and every ad alone, at most ``BUCKET_CAP`` ads a band (the first in id order).
    Made band by band (the keys of different bands differ: the band's number is mixed into its keys)."""
    cur.execute("TRUNCATE ads_adband")
    group = np.array([cluster_of.get(pk, -pk) for pk in ids.tolist()], dtype=np.int64)
    with without_indexes(cur, "ads_adband"):
        for j in range(keys.shape[1] if len(ids) else 0):
            band = keys[:, j]
            order = np.lexsort((group, band))  # stable: within a band and cluster, in id order
            first = run_starts(band[order]) | run_starts(group[order])
            rows = np.sort(order[first])
            rows = rows[np.argsort(band[rows], kind="stable")]  # by band, then id
            starts = run_starts(band[rows])
            place = np.arange(len(rows)) - np.maximum.accumulate(np.where(starts, np.arange(len(rows)), 0))
            rows = rows[place < BUCKET_CAP]
            copy_int64(cur, "ads_adband", ("band", "ad_id"), [band[rows], ids[rows]])


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
