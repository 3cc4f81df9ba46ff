"""Importing ads: captures as versions, idempotency, resume, bad input, template clusters, networks, alerts, export."""

import io
import json

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from PIL import Image

from tests.conftest import write_jsonl
from vigil.ads import clusters, synth
from vigil.ads.export import lines
from vigil.ads.importer import import_ads
from vigil.ads.models import Ad, AdAlert, AdNetwork, AdVersion, Sighting, TemplateCluster

pytestmark = pytest.mark.django_db(transaction=True)

TEMPLATE = ("NEW in {city}!! Sweet {name}, {age} years, just arrived from Romania. She is young, slim and always "
            "ready for fun, available day and night for you. Outcall to hotels in {city}, incall in a private flat. "
            "Call or WhatsApp {phone}. Discretion assured.")
BOILERPLATE = " Discretion assured. Call or WhatsApp. 100% real photos. No anonymous numbers."


def ad(ident, body, at="2026-03-01T12:00:00Z", site="kinky.example", **more):
    return {"site": site, "id": ident, "collected_at": at, "body": body, **more}


def own_words(n):
    """Unrelated independent workers' ads that share only boilerplate."""
    texts = ["I am Sara, a warm and elegant lady who loves good wine, jazz and long conversations by the fire.",
             "Hoi, ik ben Mila uit Utrecht. Sportief, spontaan, ik hou van wandelen in de duinen en lekker koken.",
             "Bonjour! Chloé here, student of art history, curious and playful, I enjoy museums and slow dinners.",
             "Ik ben Esther, rijpe vrouw met rondingen, ervaren en geduldig, ontvang in mijn rustige appartement."]
    return texts[n] + BOILERPLATE


@pytest.fixture
def owner(orgs):
    return "politie-rotterdam"


def test_captures_are_versions_and_importing_again_changes_nothing(tmp_path, owner):
    path = tmp_path / "ads.jsonl"
    write_jsonl(path, [ad("1", "Lisa, 22 jaar, nieuw in Almere. Bel 06-12345678.", location="Almere"),
                       ad("1", "Lisa, 22 jaar, nu in Rotterdam. Bel 06-12345678.", at="2026-03-08T12:00:00Z",
                          location="Rotterdam", extra={"rating": 4}, unknown_key="kept"),
                       ad("2", "Mila hier, bel 0031 6 1234 5678", site="other.example")])
    report = import_ads(path, owner=owner, workers=0)
    assert (report.result.created, report.result.updated, len(report.errors)) == (2, 1, 0)
    first = Ad.objects.get(site="kinky.example", site_ad_id="1")
    assert first.versions == 2 and first.city == "Rotterdam" and first.phones == ["+31612345678"]
    assert list(first.captures.order_by("number").values_list("city", flat=True)) == ["Almere", "Rotterdam"]
    assert first.captures.get(number=2).given["unknown_key"] == "kept"
    # the full-text index holds the latest capture only
    found = set(Ad.objects.filter(search=SearchQuery("Rotterdam", config="simple")).values_list("site_ad_id", flat=True))
    assert found == {"1"} and not Ad.objects.filter(search=SearchQuery("Almere", config="simple")).exists()
    # both ads carry the number in different forms: one network
    assert first.network_id == Ad.objects.get(site="other.example").network_id
    again = import_ads(path, owner=owner, workers=0, restart=True)
    assert (again.result.created, again.result.updated, again.result.unchanged) == (0, 0, 3)
    assert AdVersion.objects.count() == 3
    # the number turned up in a second city: an alert
    alert = AdAlert.objects.get(kind="phone", key="+31612345678")
    assert alert.city == "Rotterdam" and alert.previous_cities == ["Almere"]
    assert set(Sighting.objects.filter(kind="phone").values_list("city", flat=True)) == {"Almere", "Rotterdam"}


def test_bad_lines_are_named_and_the_rest_is_stored(tmp_path, owner):
    images = tmp_path / "img"
    images.mkdir()
    (images / "fake.jpg").write_text("not an image at all")
    Image.new("RGB", (64, 64), "red").save(images / "real.png")
    path = tmp_path / "ads.jsonl"
    good = ad("ok", "Nina, 25, bel 0612345678", images=[{"path": "fake.jpg"}, {"path": "real.png"},
                                                           {"path": "../../etc/passwd"}])
    path.write_bytes(b"\n".join([
        json.dumps(good).encode(),
        b"{not json",
        json.dumps({"site": "x", "id": "no-body", "collected_at": "2026-03-01"}).encode(),
        json.dumps(ad("bad-date", "hello", at="yesterday")).encode(),
        json.dumps(ad("bad-contact", "hello", contact="0612345678")).encode(),
        b"\xff\xfe\x00garbage\x00",
        json.dumps(ad("huge", "bel 0687654321 " + "x " * 5_000_000)).encode(),
        json.dumps(good).encode(),  # a duplicate line
        json.dumps([1, 2]).encode(),
    ]) + b"\n")
    report = import_ads(path, owner=owner, images=images, workers=0)
    errors = {e.line: (e.field, e.message) for e in report.errors}
    assert set(errors) == {2, 3, 4, 5, 6, 9}
    assert errors[3][0] == "body" and errors[4][0] == "collected_at" and errors[5][0] == "contact"
    assert "not valid JSON" in errors[2][1] and "not a JSON object" in errors[9][1]
    assert report.result.created == 2 and report.result.unchanged == 1
    stored = Ad.objects.get(site_ad_id="ok")
    assert len(stored.image_hashes) == 1  # the real image only; the fake one and the path outside are skipped
    assert Ad.objects.get(site_ad_id="huge").phones == ["+31687654321"]


def test_text_that_copy_must_escape_is_stored_as_given(tmp_path, owner):
    """The rows go to PostgreSQL as COPY text built in the workers: tabs, line ends, backslashes, quotes, a NUL
    in JSON, and '\\N' (COPY's NULL) come back unchanged; a lone surrogate is that line's error."""
    body = "Tab\there, CRLF\r\nnext line, back\\slash, \\N, quote \" and {braces}. Bel 06-12345678"
    tricky = ad("tricky", body, title="A\tB \\N", location="Den Haag\\Centrum",
                extra={"note": "nul\u0000inside", "path": "C:\\x\\y", "tab": "a\tb"},
                contact={"whatsapp": "+31 6 1234 5678", "handle": 'she said "hi"\\'})
    path = tmp_path / "ads.jsonl"
    path.write_text(json.dumps(tricky) + "\n" + '{"site": "s", "id": "lone", "collected_at": "2026-03-01", '
                    '"body": "bad \\ud800 text"}\n' + json.dumps(ad("after", "Mila, bel 0611111111")) + "\n")
    report = import_ads(path, owner=owner, workers=0)
    assert [(e.line, e.field) for e in report.errors] == [(2, "(line)")] and "surrogate" in report.errors[0].message
    stored = AdVersion.objects.get(ad__site_ad_id="tricky")
    assert (stored.body, stored.title, stored.location) == (body, "A\tB \\N", "Den Haag\\Centrum")
    assert stored.given["extra"] == {"note": "nulinside", "path": "C:\\x\\y", "tab": "a\tb"}
    assert stored.given["contact"]["handle"] == 'she said "hi"\\'
    assert Ad.objects.get(site_ad_id="tricky").title == "A\tB \\N" and Ad.objects.filter(site_ad_id="after").exists()


def test_an_interrupted_import_resumes(tmp_path, owner):
    path = tmp_path / "ads.jsonl"
    write_jsonl(path, [ad(str(i), f"Ad {i}: sweet girl, bel 06-1234{i:04d}") for i in range(30)])
    first = import_ads(path, owner=owner, workers=0, batch_size=10, stop_after_batches=1)
    assert Ad.objects.count() == 10
    second = import_ads(path, owner=owner, workers=0, batch_size=10)
    assert second.resumed_from_line == 10 and Ad.objects.count() == 30 and AdVersion.objects.count() == 30
    assert first.run_id == second.run_id


def test_template_clusters_join_slot_swaps_and_keep_boilerplate_apart(tmp_path, owner):
    people = [("Ana", 19, "Almere", "0612000001"), ("Ioana", 20, "Utrecht", "+31 6 1200 0002"),
              ("Maria", 21, "Den Haag", "06.12.00.00.03"), ("Elena", 18, "Breda", "06-12000004")]
    rows = [ad(f"t{i}", TEMPLATE.format(name=n, age=a, city=c, phone=p), at=f"2026-03-0{i + 1}T10:00:00Z")
            for i, (n, a, c, p) in enumerate(people)]
    rows += [ad(f"own{i}", own_words(i) + f" Bel 06-5555000{i}") for i in range(4)]
    path = tmp_path / "ads.jsonl"
    write_jsonl(path, rows)
    import_ads(path, owner=owner, workers=0, batch_size=1)  # one ad per batch: each joins ads stored before it
    templated = Ad.objects.filter(site_ad_id__startswith="t")
    assert templated.values("cluster").distinct().count() == 1 and templated.first().cluster_id is not None
    assert not Ad.objects.filter(site_ad_id__startswith="own", cluster__isnull=False).exists()
    cluster = TemplateCluster.objects.get()
    assert cluster.size == 4 and set(cluster.cities) == {"Almere", "Utrecht", "'s-Gravenhage", "Breda"}
    # one template is one network, although every ad has its own number
    assert templated.values("network").distinct().count() == 1
    shared, slots = clusters.template([r["body"] for r in rows[:4]])
    assert "just arrived from Romania" in shared and any("Ioana" in " ".join(v) for v in slots.values())


def test_networks_through_photos_a_few_bits_apart(tmp_path, owner):
    photo = 0x9F3A_5C21_77E0_1B4D
    near = photo ^ (1 << 3) ^ (1 << 40)  # the same photo, re-encoded: two bits differ
    far = photo ^ 0xFFFF_0000_FFFF_0000
    path = tmp_path / "ads.jsonl"
    write_jsonl(path, [ad("a", "Jade, 24. Bel 0611111111", images=[{"phash": f"{photo:016x}"}]),
                       ad("b", "Roos, 30. Bel 0622222222", images=[{"phash": f"{near:016x}"}]),
                       ad("c", "Fleur, 28. Bel 0633333333", images=[{"phash": f"{far:016x}"}])])
    import_ads(path, owner=owner, workers=0)
    a, b, c = (Ad.objects.get(site_ad_id=i) for i in "abc")
    assert a.network_id == b.network_id != c.network_id
    assert AdNetwork.objects.get(pk=a.network_id).size == 2


def test_export_and_the_command_line_with_worker_processes(tmp_path, owner, capsys):
    path = tmp_path / "ads.jsonl"
    with path.open("w") as f:
        for item, _truth in synth.generate(300, seed=4):
            f.write(json.dumps(item, ensure_ascii=False) + "\n")
        f.write("{broken\n")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import_ads", str(path), "--workers", "2", "--owner", owner, stdout=out)
    assert exit_.value.code == 1  # one bad line
    assert "line 301: (line): not valid JSON" in capsys.readouterr().err and "1 rejected" in out.getvalue()
    rows = [json.loads(line) for line in lines()]
    assert len(rows) == Ad.objects.count() > 100
    keys = {"site", "id", "phones", "emails", "handles", "language", "ages", "city", "indicators", "score",
            "cluster", "network"}
    assert all(set(r) == keys for r in rows)
    assert all(p.startswith("+") for r in rows for p in r["phones"])
    assert any(r["cluster"] for r in rows) and any(r["network"] for r in rows)
    assert any(r["network"] is None for r in rows)  # an ad alone
    target = tmp_path / "out.jsonl"
    call_command("ads_export", str(target))
    assert target.read_text().count("\n") == len(rows)


def test_refreshing_again_writes_no_ad_whose_score_stays(tmp_path, owner):
    """Each write of an ad adds entries to its three GIN indexes: ``refresh`` leaves rows whose score stays alone."""
    from django.db import connection

    from vigil.ads import pipeline

    path = tmp_path / "ads.jsonl"
    write_jsonl(path, [ad(str(n), f"Nieuw in de stad, meisje {n}. Bel 06-12345678", location=city)
                       for n, city in enumerate(["Almere", "Rotterdam", "Breda"])])
    import_ads(path, owner=owner, workers=0)
    assert Ad.objects.filter(score__gt=0).count() == 3 and AdNetwork.objects.filter(size=3).exists()

    def versions():
        with connection.cursor() as cur:
            cur.execute("SELECT id, xmin::text, score FROM ads_ad ORDER BY id")
            return cur.fetchall()

    before = versions()
    pipeline.refresh()
    assert versions() == before  # no row written again
    Ad.objects.update(score=0)
    pipeline.refresh()
    assert [(pk, score) for pk, _x, score in versions()] == [(pk, score) for pk, _x, score in before]
