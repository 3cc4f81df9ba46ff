"""Bulk loads of ads (``ads/bulk.py``): stored first with the heavy indexes dropped, linked in one pass at the end.
They must give what the incremental import gives (networks, alerts; clusters the same or better), resume after an
interruption in either phase, and leave a corpus that later incremental imports link against."""

from collections import defaultdict

import pytest
from django.db import connection

from tests.conftest import write_jsonl
from vigil.ads import bulk, synth
from vigil.ads.importer import import_ads
from vigil.ads.models import (
    Ad,
    AdAlert,
    AdBand,
    AdKey,
    AdNetwork,
    AdVersion,
    BulkLoad,
    LoadedText,
    Sighting,
    StopList,
    TemplateCluster,
)

pytestmark = pytest.mark.django_db(transaction=True)
OWNER = "politie-rotterdam"


def corpus(path, lines: int = 2_500, seed: int = 3) -> dict:
    """A synthetic crawl; returns (site, id) -> truth of its latest capture."""
    truth, records = {}, []
    for line, t in synth.generate(lines, seed=seed):
        records.append(line)
        truth[(line["site"], line["id"])] = t
    write_jsonl(path, records)
    return truth


def groups(field: str) -> set[frozenset]:
    """The ads grouped by cluster or network (groups of two or more), by (site, id): ids differ between loads."""
    members = defaultdict(set)
    for site, ident, group in Ad.objects.values_list("site", "site_ad_id", field):
        if group is not None:
            members[group].add((site, ident))
    return {frozenset(m) for m in members.values() if len(m) > 1}


def f1(found: set[frozenset], truth: dict, kind: str) -> float:
    def pairs(groups_):
        return {frozenset((a, b)) for g in groups_ for a in g for b in g if a < b}

    true = defaultdict(set)
    for key, t in truth.items():
        true[t[kind]].add(key)
    got, want = pairs(found), pairs(true.values())
    tp = len(got & want)
    return 2 * tp / (len(got) + len(want)) if got or want else 1.0


def alerts() -> set[tuple]:
    out = set()
    for kind, key, city, previous, site, ident in AdAlert.objects.values_list("kind", "key", "city", "previous_cities",
                                                                             "ad__site", "ad__site_ad_id"):
        out.add((kind, key if kind == "phone" else "", city, tuple(previous), site, ident))
    return out


def clear() -> None:
    for model in (AdAlert, Sighting, AdBand, AdKey, LoadedText, AdVersion, Ad, TemplateCluster, AdNetwork, BulkLoad,
                  StopList):
        model.objects.all().delete()


def index_names() -> set[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT indexname FROM pg_indexes WHERE tablename IN ('ads_ad', 'ads_adversion')")
        return {r[0] for r in cur.fetchall()}


def foreign_keys() -> set[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT conname FROM pg_constraint WHERE contype = 'f' "
                    "AND conrelid::regclass::text IN ('ads_ad', 'ads_adversion')")
        return {r[0] for r in cur.fetchall()}


def test_bulk_and_incremental_give_the_same_networks_and_alerts_and_clusters_as_good(tmp_path, orgs):
    path = tmp_path / "ads.jsonl"
    truth = corpus(path)
    report = import_ads(path, owner=OWNER, workers=0, mode="incremental")
    assert not BulkLoad.objects.exists()
    incremental = groups("network"), groups("cluster"), alerts(), Ad.objects.count(), AdVersion.objects.count()
    phone_sightings = set(Sighting.objects.filter(kind="phone").values_list("key", "city", "first_seen", "captures"))
    clear()
    again = import_ads(path, owner=OWNER, workers=0, restart=True)  # the default into an empty database: bulk
    load = BulkLoad.objects.get()
    assert load.state == BulkLoad.State.FINISHED and load.figures["clusters"] > 20
    assert (again.result.created, again.result.updated) == (report.result.created, report.result.updated)
    networks, found, raised = groups("network"), groups("cluster"), alerts()
    assert networks == incremental[0] and len(networks) > 20
    assert f1(found, truth, "template") >= f1(incremental[1], truth, "template") > 0.8
    assert {a for a in raised if a[0] == "phone"} == {a for a in incremental[2] if a[0] == "phone"}
    assert sum(a[0] == "template" for a in raised) > 0
    assert (Ad.objects.count(), AdVersion.objects.count()) == incremental[3:]
    assert set(Sighting.objects.filter(kind="phone").values_list("key", "city", "first_seen", "captures")) \
        == phone_sightings
    # what the incremental import looks up later is complete, the indexes are back, the staging table empty
    assert AdKey.objects.count() > 0 and AdBand.objects.count() > 0 and not LoadedText.objects.exists()
    assert {"ad_search", "ad_title_trgm", "ad_phones", "adversion_phones"} <= index_names()
    assert not Ad.objects.filter(search=None).exists() and not Ad.objects.filter(network=None).exists()
    assert set(AdNetwork.objects.values_list("size", flat=True)) - {0} and not AdNetwork.objects.filter(size=0).exists()
    networked = Ad.objects.exclude(network__size=1).filter(network__cities__len__gt=1)
    assert networked.exists() and all(a.score >= a.captures.get(collected_at=a.last_collected).score
                                      for a in networked[:50])


def test_an_interrupted_bulk_load_resumes_in_either_phase(tmp_path, orgs, monkeypatch):
    path = tmp_path / "ads.jsonl"
    corpus(path, 1_200, seed=5)
    import_ads(path, owner=OWNER, workers=0, batch_size=200)
    whole = groups("network"), groups("cluster"), alerts()
    clear()

    keys = foreign_keys()
    assert len(keys) >= 3  # an ad's cluster, network and owner, a capture's ad
    # stopped in phase 1: the load waits, its indexes and foreign keys dropped; the next import goes on loading,
    # then links
    first = import_ads(path, owner=OWNER, workers=0, batch_size=200, stop_after_batches=2, restart=True)
    assert BulkLoad.objects.get().state == BulkLoad.State.LOADING and "ad_search" not in index_names()
    assert not foreign_keys()
    assert Ad.objects.exists() and not Ad.objects.exclude(network=None).exists() and not AdAlert.objects.exists()

    # stopped in phase 2: linking is one transaction, nothing of it is kept
    def fail(*_args):
        raise KeyboardInterrupt

    real = bulk._sightings
    monkeypatch.setattr(bulk, "_sightings", fail)
    with pytest.raises(KeyboardInterrupt):
        import_ads(path, owner=OWNER, workers=0, batch_size=200)
    assert BulkLoad.objects.get().state == BulkLoad.State.LOADING and not Ad.objects.exclude(network=None).exists()
    assert not AdKey.objects.exists() and "ad_search" not in index_names()

    # run again: the file is loaded already, so only the linking is done
    monkeypatch.setattr(bulk, "_sightings", real)
    again = import_ads(path, owner=OWNER, workers=0, batch_size=200)
    assert again.lines == 0 and first.run_id
    assert BulkLoad.objects.get().state == BulkLoad.State.FINISHED and "ad_search" in index_names()
    assert foreign_keys() == keys
    assert (groups("network"), groups("cluster"), alerts()) == whole


def test_an_incremental_import_after_a_bulk_load_links_to_its_networks_and_raises_alerts(tmp_path, orgs):
    path = tmp_path / "ads.jsonl"
    corpus(path, 1_500, seed=7)
    import_ads(path, owner=OWNER, workers=0)
    assert BulkLoad.objects.get().state == BulkLoad.State.FINISHED
    # a known number in a city where it was not seen; a template member reposted as a new ad; a stranger
    known = Ad.objects.exclude(network__size=1).exclude(phones=[]).exclude(city="").order_by("pk").first()
    phone, network = known.phones[0], known.network_id
    seen_in = set(Sighting.objects.filter(kind="phone", key=phone).values_list("city", flat=True))
    city = next(c for c in ("Maastricht", "Groningen", "Leeuwarden", "Middelburg") if c not in seen_in)
    member = Ad.objects.exclude(cluster=None).order_by("pk").first()
    text = member.captures.get(collected_at=member.last_collected)
    new = tmp_path / "new.jsonl"
    write_jsonl(new, [
        {"site": "new.example", "id": "n1", "collected_at": "2027-01-05T10:00:00Z", "location": city,
         "body": f"Nieuw hier in {city}! Bel {phone}"},
        {"site": "new.example", "id": "n2", "collected_at": "2027-01-05T11:00:00Z", "title": text.title,
         "body": text.body, "location": text.location},
        {"site": "new.example", "id": "n3", "collected_at": "2027-01-05T12:00:00Z",
         "body": "Quiet gardener looking for tulip bulbs, call 0611122233 after six"},
    ])
    assert not bulk.choose(new)  # three lines against a stored corpus: incremental by default
    import_ads(new, owner=OWNER, workers=0)
    assert BulkLoad.objects.count() == 1
    n1, n2, n3 = (Ad.objects.get(site="new.example", site_ad_id=i) for i in ("n1", "n2", "n3"))
    assert n1.network_id == network
    assert n2.cluster_id == member.cluster_id and n2.network_id == member.network_id
    assert n3.network.size == 1 and n3.cluster_id is None
    alert = AdAlert.objects.get(kind="phone", key=phone, city=n1.city)
    assert alert.ad == n1 and set(alert.previous_cities) == seen_in


def test_bad_lines_in_a_bulk_load_are_named_and_a_small_file_on_a_large_corpus_is_incremental(tmp_path, orgs):
    path = tmp_path / "ads.jsonl"
    good = {"site": "s", "id": "1", "collected_at": "2026-03-01T10:00:00Z", "body": "Nina, 25, bel 0612345678"}
    write_jsonl(path, [good, "{not json", {"site": "s", "id": "2", "collected_at": "2026-03-01"},
                       {**good, "id": "3", "collected_at": "gisteren"}, {**good, "id": "4", "location": "Breda"}])
    report = import_ads(path, owner=OWNER, workers=0, mode="bulk")
    assert [(e.line, e.field) for e in report.errors] == [(2, "(line)"), (3, "body"), (4, "collected_at")]
    assert report.result.created == 2 and BulkLoad.objects.get().state == BulkLoad.State.FINISHED
    assert Ad.objects.get(site_ad_id="1").network_id == Ad.objects.get(site_ad_id="4").network_id
    # the rule: a file with fewer lines than there are stored ads is linked batch by batch; forced either way
    one = tmp_path / "one.jsonl"
    write_jsonl(one, [{**good, "id": "5"}])
    assert not bulk.choose(one) and bulk.choose(one, "bulk") and bulk.choose(path)
    assert not bulk.choose(path, "incremental")
    import_ads(one, owner=OWNER, workers=0)
    assert BulkLoad.objects.count() == 1 and Ad.objects.get(site_ad_id="5").network_id == \
        Ad.objects.get(site_ad_id="1").network_id


def test_the_link_reads_each_text_once_in_ad_order_with_what_it_needs_of_its_signature(tmp_path, orgs, monkeypatch):
    """``bulk._texts``: every ad's latest signature and the load's earlier ones, in ad id order (the latest first),
    as band keys, quick bits and low 16 bits, from one read of the signatures."""
    import numpy as np
    from django.db import transaction

    from vigil.ads import clusters, recluster

    path = tmp_path / "ads.jsonl"
    corpus(path, 900, seed=11)
    monkeypatch.setattr(bulk, "link", lambda load=None: {})
    import_ads(path, owner=OWNER, workers=0, mode="bulk", batch_size=100)
    expected = []  # (ad, latest?, signature)
    for pk, sig in Ad.objects.exclude(signature=None).values_list("pk", "signature"):
        expected.append((pk, 0, 0, np.frombuffer(bytes(sig), dtype=np.uint32)))
    for n, (pk, sig) in enumerate(LoadedText.objects.exclude(signature=None).order_by("id")
                                  .values_list("ad_id", "signature")):
        expected.append((pk, 1, n, np.frombuffer(bytes(sig), dtype=np.uint32)))
    assert sum(e[1] for e in expected) > 50  # earlier texts of the load
    expected.sort(key=lambda e: e[:3])
    with transaction.atomic(), connection.cursor() as cur:
        texts = bulk._texts(cur)
    signatures = np.stack([e[3] for e in expected])
    assert texts.ad.tolist() == [e[0] for e in expected]
    assert texts.latest.tolist() == [e[1] == 0 for e in expected]
    assert (texts.keys == clusters.band_keys(signatures)).all()
    assert (texts.quick == recluster.quick_signatures(signatures)).all()
    assert (texts.low == (signatures & 0xFFFF)).all()


def test_image_keys_are_made_in_numpy_as_the_import_makes_them():
    import random

    import numpy as np

    from vigil.ads import pipeline

    r = random.Random(4)
    hashes = [f"{r.getrandbits(64):016x}" for _ in range(200)] + ["0000000000000000", "ffffffffffffffff"]
    values = np.array([int(h, 16) for h in hashes], dtype=np.uint64).view(np.int64)
    made = bulk._image_keys(bulk._image_codes(values).reshape(-1)).astype(str).reshape(len(hashes), -1)
    assert [list(row) for row in made] == [pipeline.link_keys([], [], [], [h]) for h in hashes]
    assert bulk._hex64(values).astype(str).tolist() == hashes
    # codes sort as the keys' text does: the key table is filled in the order of its unique index
    codes = np.sort(bulk._image_codes(values).reshape(-1))
    assert bulk._image_keys(codes).tolist() == sorted(bulk._image_keys(codes).tolist())
