"""The boilerplate stop list of the template clusters (counted, kept with a version, signed with, counted again by
``vigil ads recluster --stop-list``), and the import's workers chosen by the text of a line."""

import json
import random
from collections import Counter

import numpy as np
import pytest
from django.core.management import call_command

from tests.conftest import write_jsonl
from vigil.ads import clusters, pipeline, stoplist, synth
from vigil.ads.importer import import_ads
from vigil.ads.models import Ad, StopList
from vigil.intake.importer import _prepared

DISCLAIMER = ("All advertisers on this site declare they are over eighteen years of age and act of their own free "
              "will, the site only offers space and is not responsible for the content of any advertisement.")
WORDS = ("warm elegant lady loves good wine jazz long conversations fire sporty spontaneous walking dunes cooking "
         "student art history curious playful museums slow dinners mature curves patient quiet apartment city lights "
         "sea breeze morning coffee books travel dancing laughter music garden summer").split()


def own_text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(18)) + "."


def test_the_shingles_of_a_disclaimer_are_common_and_a_template_shared_by_few_is_not():
    rng = random.Random(5)
    template = "Sweet {} just arrived from abroad, young and ready, available day and night, outcall to hotels."
    texts = [own_text(rng) + (" " + DISCLAIMER if n % 3 == 0 else "") for n in range(2_400)]
    texts += [template.format(name) for name in ("Anna", "Bella", "Carla") * 40]  # 5% of the texts
    common, counted = clusters.common_shingles(texts)
    assert counted == len(texts)
    disclaimer = set(clusters.shingles(DISCLAIMER).tolist())
    assert set(common.tolist()) == disclaimer  # every shingle of the disclaimer, nothing of the template
    assert list(common) == sorted(common)
    # too few texts to tell boilerplate from a template's own wording: no list
    few, counted = clusters.common_shingles(texts[:500])
    assert counted == 500 and len(few) == 0


def test_a_signature_without_the_boilerplate():
    stop = clusters.StopList(1, np.sort(clusters.shingles(DISCLAIMER)))
    rng = random.Random(2)
    a, b = own_text(rng) + " " + DISCLAIMER, own_text(rng) + " " + DISCLAIMER
    before = clusters.similarity(clusters.signature(a), clusters.signature(b))
    after = clusters.similarity(clusters.signature(a, stop), clusters.signature(b, stop))
    assert before > 0.3 and after < 0.15  # unrelated ads sharing only a disclaimer
    assert (clusters.signature(own_text(rng), stop) is not None)
    assert clusters.signature(DISCLAIMER, stop) is None  # nothing but boilerplate: no template to find
    # an empty list, or none, signs as before
    assert (clusters.signature(a, clusters.StopList(2, np.zeros(0, np.uint64))) == clusters.signature(a)).all()
    assert clusters.threshold(stop) == clusters.STOP_THRESHOLD and clusters.threshold(None) == clusters.THRESHOLD
    assert clusters.threshold(stop, one_pass=True) == clusters.STOP_THRESHOLD_ONE_PASS
    assert clusters.threshold(0, one_pass=True) == clusters.THRESHOLD


def synthetic(path, lines: int, seed: int) -> dict:
    truth = {}
    records = []
    for line, t in synth.generate(lines, seed=seed):
        records.append(line)
        truth[(line["site"], line["id"])] = t["template"]
    write_jsonl(path, records)
    return truth


@pytest.mark.django_db(transaction=True)
def test_the_first_import_counts_the_list_and_recluster_counts_it_again(tmp_path, orgs):
    path = tmp_path / "ads.jsonl"
    synthetic(path, 5_000, seed=4)
    import_ads(path, owner="politie-rotterdam", workers=0)
    first = StopList.objects.get()
    assert first.shingles and first.texts >= clusters.STOP_MIN_TEXTS and path.name in first.source
    stop = stoplist.current()
    assert stop.version == first.pk and len(stop.shingles) == len(first.shingles)
    assert set(Ad.objects.values_list("stop_list", flat=True)) == {first.pk}
    # the stored signature is the one made with the list
    ad = Ad.objects.exclude(signature=None).order_by("pk").first()
    capture = ad.captures.get(collected_at=ad.last_collected)
    expected = clusters.signature(stoplist.text_of(capture.title, capture.body), stop)
    assert (np.frombuffer(bytes(ad.signature), dtype=np.uint32) == expected).all()
    clustered = Ad.objects.exclude(cluster=None).count()
    assert clustered > 100

    # a second import keeps the list it found: no new version
    more = tmp_path / "more.jsonl"
    write_jsonl(more, [line for line, _ in synth.generate(300, seed=9)])
    import_ads(more, owner="politie-rotterdam", workers=0)
    assert StopList.objects.count() == 1 and set(Ad.objects.values_list("stop_list", flat=True)) == {first.pk}

    # counted again over every stored ad: a different list is a new version, every ad is signed again with it
    StopList.objects.filter(pk=first.pk).update(shingles=first.shingles[:5])  # as if counted on other texts
    out = _recluster("--stop-list")
    second = StopList.objects.order_by("-pk").first()
    assert second.pk != first.pk and "stored ads" in second.source
    assert set(Ad.objects.values_list("stop_list", flat=True)) == {second.pk}
    assert f"stop_list {second.pk}" in out and "new_stop_list True" in out
    assert abs(Ad.objects.exclude(cluster=None).count() - clustered) < 0.05 * clustered
    # the same list again: nothing new, nothing signed again
    out = _recluster("--stop-list")
    assert StopList.objects.count() == 2 and "signed_again 0" in out


@pytest.mark.django_db(transaction=True)
def test_ads_signed_with_an_older_list_are_signed_again_by_recluster(tmp_path, orgs):
    path = tmp_path / "ads.jsonl"
    synthetic(path, 4_000, seed=6)
    import_ads(path, owner="politie-rotterdam", workers=0)
    version = stoplist.current().version
    stale = list(Ad.objects.order_by("pk").values_list("pk", flat=True)[:40])
    Ad.objects.filter(pk__in=stale).update(stop_list=0, signature=None)  # as if interrupted while signing again
    out = _recluster()
    assert "signed_again 40" in out
    assert set(Ad.objects.filter(pk__in=stale).values_list("stop_list", flat=True)) == {version}
    assert Ad.objects.filter(pk__in=stale).exclude(signature=None).count() > 30


@pytest.mark.django_db(transaction=True)
def test_a_small_first_import_makes_no_list(tmp_path, orgs):
    path = tmp_path / "ads.jsonl"
    synthetic(path, 200, seed=2)
    import_ads(path, owner="politie-rotterdam", workers=0)
    assert not StopList.objects.exists() and set(Ad.objects.values_list("stop_list", flat=True)) == {0}


@pytest.mark.django_db(transaction=True)
def test_only_the_import_commits_without_waiting_for_the_disk(tmp_path, orgs, monkeypatch):
    from django.db import connection

    def setting() -> str:
        with connection.cursor() as cur:
            cur.execute("SHOW synchronous_commit")
            return cur.fetchone()[0]

    during = []
    write = pipeline.write
    monkeypatch.setattr(pipeline, "write", lambda *a, **k: (during.append(setting()), write(*a, **k))[1])
    path = tmp_path / "ads.jsonl"
    synthetic(path, 50, seed=2)
    import_ads(path, owner="politie-rotterdam", workers=0)
    assert during and set(during) == {"off"}
    assert setting() == "on"  # the audit of the import, and all else the session writes, waits as usual


def _recluster(*args) -> str:
    import io

    err = io.StringIO()
    call_command("ads_recluster", *args, stderr=err)
    return err.getvalue()


# --- the import's workers ------------------------------------------------------------------------------------------

def which_worker(record: dict) -> tuple:
    """A stand-in for ``pipeline.prepare``: which process prepared the line."""
    import os

    return record["body"], os.getpid()


def test_lines_with_one_text_go_to_one_worker_and_come_back_in_file_order(tmp_path):
    rng = random.Random(1)
    texts = [own_text(rng) for _ in range(30)]
    records = [{"site": "s", "id": str(n), "collected_at": f"2026-01-01T00:00:{n % 60:02d}Z", "body": rng.choice(texts)}
               for n in range(1_000)]
    path = tmp_path / "ads.jsonl"
    write_jsonl(path, [*records[:500], "not json", *records[500:]])
    with path.open("rb") as f:
        out = list(_prepared(f, 0, 0, which_worker, workers=2, route=pipeline.route))
    assert [n for n, _offset, _item in out] == sorted(n for n, _offset, _item in out)  # file order
    assert out[-1][2] is None and out[-1][1] == path.stat().st_size  # the end, for the checkpoint
    items = [item for _n, _offset, item in out if item is not None]
    assert sum(1 for i in items if not isinstance(i, tuple)) == 1  # the bad line is reported
    workers_of = {}
    for body, pid in (i for i in items if isinstance(i, tuple)):
        workers_of.setdefault(body, set()).add(pid)
    assert all(len(pids) == 1 for pids in workers_of.values())  # every capture of a text: one worker
    assert len({pid for pids in workers_of.values() for pid in pids}) == 2  # and both workers had work
    assert Counter(json.dumps(r["body"]) for r in records) == Counter(json.dumps(b) for b, _ in
                                                                      (i for i in items if isinstance(i, tuple)))


@pytest.mark.django_db(transaction=True)
def test_signatures_kept_between_batches_give_the_clusters_that_reading_them_again_gives(tmp_path, orgs,
                                                                                        monkeypatch):
    from vigil.ads.models import AdAlert, AdBand, AdKey, AdNetwork, AdVersion, Sighting, TemplateCluster

    path = tmp_path / "ads.jsonl"
    synthetic(path, 1_500, seed=3)

    def found() -> list:
        groups: dict = {}
        for site, ident, cluster in Ad.objects.exclude(cluster=None).values_list("site", "site_ad_id", "cluster"):
            groups.setdefault(cluster, set()).add((site, ident))
        return sorted(sorted(g) for g in groups.values())

    monkeypatch.setattr(pipeline, "SIGNATURES_KEPT", 0)  # every batch reads the signatures it needs
    import_ads(path, owner="politie-rotterdam", workers=0, batch_size=100)
    read_again = found()
    assert len(read_again) > 20
    for model in (AdAlert, Sighting, AdBand, AdKey, AdVersion, Ad, TemplateCluster, AdNetwork):
        model.objects.all().delete()
    monkeypatch.setattr(pipeline, "SIGNATURES_KEPT", 60)  # a few kept, the oldest dropped as batches go by
    import_ads(path, owner="politie-rotterdam", workers=0, batch_size=100, restart=True)
    assert found() == read_again
