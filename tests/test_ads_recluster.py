"""Template clusters made again in one pass: the NumPy and Spark engines give the same partition, and applying it
keeps cluster ids, rebuilds the band index and merges networks."""

import random
from collections import Counter

import numpy as np
import pytest

from tests.conftest import write_jsonl
from vigil.ads import clusters, recluster, synth
from vigil.ads.importer import import_ads
from vigil.ads.models import Ad, AdBand, TemplateCluster


def corpus(ads: int, seed: int) -> tuple[list[int], np.ndarray, list[str]]:
    """The latest capture of the first ``ads`` distinct ads of a synthetic corpus: ids, signatures, true templates."""
    latest = {}
    for line, truth in synth.generate(ads * 4, seed=seed):
        latest[(line["site"], line["id"])] = (line, truth)
        if len(latest) >= ads:
            break
    ids, sigs, templates = [], [], []
    for n, (line, truth) in enumerate(latest.values(), start=1):
        sig = clusters.signature(f"{line.get('title') or ''}\n{line['body']}")
        if sig is not None:
            ids.append(n)
            sigs.append(sig)
            templates.append(truth["template"])
    return ids, np.stack(sigs), templates


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark", reason="Spark is a test dependency: bash scripts/setup.sh --test")
    session = recluster.spark_session(cores=2)
    yield session
    session.stop()


def test_spark_and_numpy_give_identical_clusters_on_20k_ads(spark):
    ids, sigs, templates = corpus(20_000, seed=7)
    assert len(ids) > 19_000
    mine = recluster.partition(ids, sigs)
    theirs = recluster.partition_spark(ids, sigs, spark)
    assert mine == theirs
    # not a trivial partition: many clusters, and nearly every cluster holds one true template
    members = Counter(mine.values())
    assert len(members) > 200 and max(members.values()) > 10
    truth = dict(zip(ids, templates, strict=True))
    by_cluster: dict[int, Counter] = {}
    for pk, label in mine.items():
        by_cluster.setdefault(label, Counter())[truth[pk]] += 1
    pure = sum(c.most_common(1)[0][1] for c in by_cluster.values()) / len(mine)
    assert pure > 0.95


def test_the_partition_does_not_depend_on_input_order():
    ids, sigs, _ = corpus(3_000, seed=3)
    order = list(range(len(ids)))
    random.Random(1).shuffle(order)
    shuffled = recluster.partition([ids[i] for i in order], sigs[order])
    assert shuffled == recluster.partition(ids, sigs) and shuffled


def test_a_crowded_band_is_compared_only_with_its_first_ads(monkeypatch):
    """Rule 2: in a bucket of n ads each ad meets at most BUCKET_CAP earlier ones."""
    monkeypatch.setattr(recluster, "BUCKET_CAP", 3)
    keys = np.zeros((10, clusters.BANDS), dtype=np.int64)  # ten ads sharing every band
    keys[:, 1:] = np.arange(10)[:, None] * 100 + np.arange(1, clusters.BANDS)  # other bands all different
    later, earlier = recluster.candidate_pairs(np.arange(1, 11), keys)
    pairs = set(zip(later.tolist(), earlier.tolist(), strict=True))
    assert pairs == {(a, b) for a in range(10) for b in range(min(a, 3))}


TEMPLATE = ("NEW in {city}!! Sweet {name}, {age} years, just arrived from Romania. She is young, slim and always "
            "ready for fun, available day and night for you. Outcall to hotels in {city}, incall in a private flat. "
            "Call or WhatsApp {phone}. Discretion assured.")


@pytest.mark.django_db(transaction=True)
def test_recluster_restores_lost_clusters_and_keeps_their_id(tmp_path, orgs):
    people = [("Ana", 19, "Almere", "0612000001"), ("Ioana", 20, "Utrecht", "0612000002"),
              ("Maria", 21, "Breda", "0612000003"), ("Elena", 18, "Venlo", "0612000004")]
    rows = [{"site": "s.example", "id": f"t{i}", "collected_at": f"2026-03-0{i + 1}T10:00:00Z",
             "body": TEMPLATE.format(name=n, age=a, city=c, phone=p)} for i, (n, a, c, p) in enumerate(people)]
    rows.append({"site": "s.example", "id": "own", "collected_at": "2026-03-09T10:00:00Z",
                 "body": "Hoi, ik ben Mila uit Utrecht. Sportief, spontaan, ik hou van wandelen. Bel 0655550000"})
    path = tmp_path / "ads.jsonl"
    write_jsonl(path, rows)
    import_ads(path, owner="politie-rotterdam", workers=0)
    cluster = TemplateCluster.objects.get()
    bands = AdBand.objects.count()
    Ad.objects.filter(site_ad_id__in=["t2", "t3"]).update(cluster=None)  # as if they had been missed
    result = recluster.recluster()
    assert result["clusters"] == 1 and result["moved"] == 2 and result["new_clusters"] == 0
    templated = Ad.objects.filter(site_ad_id__startswith="t")
    assert set(templated.values_list("cluster_id", flat=True)) == {cluster.pk}
    assert Ad.objects.get(site_ad_id="own").cluster_id is None
    assert TemplateCluster.objects.get().size == 4 and AdBand.objects.count() == bands
    assert templated.values("network").distinct().count() == 1


def test_the_quick_checks_count_the_low_bits_and_never_reject_a_pair_the_whole_signatures_keep():
    """``quick_signatures``: a pair is rejected on the low 2 or 4 bits of its positions only when it differs there on
    more positions than a kept pair may; positions equal in full are equal in their low bits."""
    rng = np.random.default_rng(5)
    n = 3_000
    base = rng.integers(0, 2**32, size=(n, clusters.PERMUTATIONS), dtype=np.uint64).astype(np.uint32)
    other = rng.integers(0, 2**32, size=(n, clusters.PERMUTATIONS), dtype=np.uint64).astype(np.uint32)
    same = rng.random((n, clusters.PERMUTATIONS)) < np.linspace(0, 1, n)[:, None]  # 0% to 100% equal positions
    other[same] = base[same]
    near = (rng.random((n, clusters.PERMUTATIONS)) < 0.3) & (np.arange(n) % 2 == 0)[:, None]
    other[near & ~same] = base[near & ~same] ^ np.uint32(0x10000)  # differing, but not in the low bits
    both = recluster.quick_signatures(np.concatenate([base, other]))
    x, y = both[:n], both[n:]
    two = recluster._differ_two(x[:, :recluster._TWO], y[:, :recluster._TWO])
    four = recluster._differ_four(x[:, recluster._TWO:], y[:, recluster._TWO:])
    assert (two == np.count_nonzero((base & 3) != (other & 3), axis=1) % 256).all()
    assert (four == np.count_nonzero((base & 15) != (other & 15), axis=1)).all()
    equal = np.count_nonzero(base == other, axis=1)
    differ = clusters.PERMUTATIONS - recluster._agree(clusters.THRESHOLD)
    kept = equal >= recluster._agree(clusters.THRESHOLD)
    assert kept.sum() > 1000 and (~kept).sum() > 1000
    assert (two[kept] <= differ).all() and (four[kept] <= differ).all()
    unrelated = (equal < 60) & (np.arange(n) % 2 == 1)
    assert unrelated.sum() > 200 and (four[unrelated] > differ).all()  # rejected on the quick bits


def test_an_ads_texts_are_clustered_together():
    """``linked`` with groups: an ad (two texts) written from template A and later from template B joins both."""
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau".split()
    one = " ".join(words)
    two = " ".join(w + "x" for w in words)
    sigs = np.stack([clusters.signature(t) for t in (one, one + " upsilon", two + " upsilon", two)])
    group = np.array([0, 1, 1, 2])  # ad 0: text one; ad 1: one, then two; ad 2: two
    label = recluster.linked(clusters.band_keys(sigs), group, recluster.quick_signatures(sigs),
                             recluster.equal_positions(sigs), recluster._agree(clusters.THRESHOLD))
    assert label.tolist() == [0, 0, 0]
    alone = recluster.linked(clusters.band_keys(sigs), np.arange(4), recluster.quick_signatures(sigs),
                             recluster.equal_positions(sigs), recluster._agree(clusters.THRESHOLD))
    assert alone.tolist() == [0, 0, 2, 2]
