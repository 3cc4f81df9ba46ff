"""The learned reader: clause units, the heads as a checked data file, signs the patterns miss, denials, training,
the version of the stored readings, the CLI and the signal page."""

import dataclasses
import io
import json
import re
import shutil

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import make_record, store
from vigil.assessment import assess, catalogue, learn
from vigil.assessment import reader as R
from vigil.assessment.catalogue import CatalogueError
from vigil.register.models import Signal

CAT = catalogue.load(reader=True)  # the suite reads with the patterns alone (settings.VIGIL_READER); these tests not
BUS = "Een man met een grijze bus haalt ze elke ochtend om vijf uur op."  # no pattern reads this as transport


def ids(reading) -> set[str]:
    return {i["id"] for i in reading["indicators"]}


@pytest.fixture(autouse=True)
def reader_on(settings, monkeypatch):
    settings.VIGIL_READER = True
    monkeypatch.setattr(catalogue, "_current", CAT)


def test_units_are_clauses_their_neighbours_and_the_whole_text():
    text = "Ze werkt elke dag,  ook op zondag. Haar baas houdt het geld - zij krijgt niets.\nBel ons"
    spans = [text[u.start:u.end] for u in R.units(text)]
    assert spans[:5] == ["Ze werkt elke dag,", "ook op zondag.", "Haar baas houdt het geld", "zij krijgt niets.",
                         "Bel ons"]
    assert "Ze werkt elke dag,  ook op zondag." in spans and spans[-1] == text
    assert all(s == s.strip() and s for s in spans)
    long = "Kort zinnetje hier. " * 10_000  # a 200 kB text: the model reads its first clauses only
    assert len(R.units(long)) == 2 * R.MAX_UNITS - 1
    assert R.units("") == [] and R.units("ok") == []


def test_the_reader_finds_a_sign_the_patterns_miss_and_quotes_the_clause():
    assert "act.transported" not in ids(assess(BUS, "nl", reader=False))
    text = f"Buren melden dat er acht vrouwen boven de winkel wonen. {BUS}"
    reading = assess({"narrative": text, "language": "nl"})
    found = next(i for i in reading["indicators"] if i["id"] == "act.transported")
    evidence = found["evidence"][0]
    assert evidence["pattern"] == "reader" and CAT.reader.heads.threshold <= evidence["score"] <= 1
    assert evidence["field"] == "narrative" and text[evidence["start"]:evidence["end"]] == evidence["match"] == BUS
    assert reading["elements"]["act"]["indicated"]  # the reader's signs count in the legal reading like any other


def test_patterns_come_first_and_a_sign_they_set_aside_is_not_read_by_the_model():
    reading = assess("The boss keeps all their passports in his safe.", "en")
    evidence = next(i for i in reading["indicators"] if i["id"] == "means.documents_held")["evidence"]
    assert [e["pattern"] for e in evidence] != ["reader"]  # found by a pattern: the explanation stays the pattern
    text = "Nobody is locked in and she is allowed to leave."
    assert "means.restricted_movement" in {h.indicator for h in CAT.reader.find(text)}  # the model alone would
    reading = assess(text, "en")
    assert any(s["id"] == "means.restricted_movement" for s in reading["set_aside"])
    assert "means.restricted_movement" not in ids(reading)
    for text, language in (("Nobody took her passport; she keeps it herself.", "en"),
                           ("Niemand heeft haar paspoort afgepakt, ze bewaart het zelf.", "nl"),
                           ("Het weer is mooi vandaag in Utrecht.", "nl")):
        assert ids(assess(text, language)) == set(), text


def test_ads_and_the_catalogue_examples_are_read_by_the_patterns_alone():
    """The ads import reads thousands of ads a second; the examples in the pattern files test the patterns."""
    from vigil.ads.pipeline import prepare

    ad = prepare({"site": "s", "id": "1", "collected_at": "2026-01-01T00:00:00Z", "title": "", "body": BUS,
                  "language": "nl"})
    assert "act.transported" not in ad.derived.indicators


def test_the_heads_file_is_checked_and_is_part_of_the_catalogue_version(tmp_path):
    shutil.copytree(catalogue.DEFAULT_DIR, tmp_path / "c")
    assert catalogue.load(tmp_path / "c").version == CAT.version
    without = catalogue.load(tmp_path / "c", reader=False)
    assert without.reader is None and without.version != CAT.version
    heads = R.Heads.load(tmp_path / "c" / "reader.npz")
    heads.bias = heads.bias + 0.5
    heads.save(tmp_path / "c" / "reader.npz")
    assert catalogue.load(tmp_path / "c").version != CAT.version  # retrained heads: every reading is made again
    heads.ids = ["means.nothing", *heads.ids[1:]]
    heads.save(tmp_path / "c" / "reader.npz")
    with pytest.raises(CatalogueError, match=r"reader.npz: ids: 'means.nothing' is not an indicator"):
        catalogue.load(tmp_path / "c")
    (tmp_path / "c" / "reader.npz").write_bytes(b"not numpy")
    with pytest.raises(CatalogueError, match=r"reader.npz: not a reader file"):
        catalogue.reload(tmp_path / "c")
    assert catalogue.current() is CAT  # a broken file never takes the engine down
    with pytest.raises(R.ReaderError, match="do not fit"):
        R.Heads(["a.b"], np.zeros((2, 384), np.float32), np.zeros(2, np.float32), 0.9, {})


def test_training_learns_a_head_from_examples_and_labelled_items(tmp_path):
    """A small run of the real training: two indicators' examples in two languages and a few labelled items."""
    keep = {"act.transported", "means.documents_held"}
    examples = [e for e in CAT.examples if e.indicator in keep and e.language in ("nl", "en")][:60]
    small = dataclasses.replace(CAT, examples=examples)
    items = [{"text": BUS, "expected": ["act.transported"]},
             {"text": "De baas bewaart alle paspoorten in zijn kluis. Ze werken zes dagen.",
              "expected": ["means.documents_held"]},
             {"text": "Wij zoeken een vriendelijke kapper voor onze zaak in Zwolle.", "expected": []}]
    messages = []
    heads = learn.train(small, items, progress=messages.append, cache=tmp_path / "cache.npz", threshold=0.5)
    assert heads.meta["items"] == 3 and heads.meta["examples"] == len(examples)
    assert any("embedding" in m for m in messages) and (tmp_path / "cache.npz").is_file()
    trained = R.Reader(heads)
    assert "act.transported" in {h.indicator for h in trained.find(BUS)}
    column = heads.ids.index("purpose.organ_removal")  # no example given: never read
    assert heads.bias[column] < -10
    again = learn.train(small, items, cache=tmp_path / "cache.npz", progress=messages.append, threshold=0.5)
    assert any(m.startswith("embedding 0 texts") for m in messages)
    assert np.allclose(again.weights, heads.weights)  # deterministic, and the cache gives the same vectors


def test_train_reader_command_names_what_is_missing(tmp_path):
    with pytest.raises(CommandError, match="no such folder"):
        call_command("train_reader", "--set", str(tmp_path / "nowhere"))
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.jsonl").write_text('{"text": "hallo"}\n')
    with pytest.raises(CommandError, match=r"x.jsonl: line 1: needs text and expected"):
        call_command("train_reader", "--set", str(tmp_path / "bad"), "--cache", "")


def test_vigil_assess_reads_with_the_model_unless_told_not_to(tmp_path):
    path = tmp_path / "in.txt"
    path.write_text(BUS + "\n")
    for options, expected in (((), True), (("--patterns-only",), False)):
        out = io.StringIO()
        call_command("assess", str(path), "--language", "nl", *options, stdout=out)
        assert ("act.transported" in ids(json.loads(out.getvalue()))) is expected


def test_a_stored_signal_shows_the_models_sign_with_its_score(client, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        store(make_record("RD-1", narrative=f"Melding van een buurman. {BUS}"), owner="emm")
    signal = Signal.objects.get(ref="RD-1")
    assert "act.transported" in {i["id"] for i in signal.assessment.reading["indicators"]}
    client.force_login(users["analyst"])
    html = client.get(f"/signals/{signal.pk}/").content.decode()
    assert 'data-indicator="act.transported"' in html and re.search(r"model (0[.,]9\d|1[.,]00)", html)


def test_a_quick_reading_without_the_reader_stays_stale_until_the_worker_reads_it(users,
                                                                                  django_capture_on_commit_callbacks):
    """The demo reads its 2,200 signals with the patterns at once and leaves the reader to the background worker."""
    from vigil.assessment import service
    from vigil.assessment.models import Assessment

    with django_capture_on_commit_callbacks(execute=True):
        store(make_record("RD-2", narrative=f"Melding van een buurman. {BUS}"), owner="emm")
    signal = Signal.objects.get(ref="RD-2")
    Assessment.objects.filter(signal=signal).delete()
    assert service.assess_stale(reader=False) == 1
    quick = Assessment.objects.get(signal=signal)
    assert quick.catalogue_version == CAT.version + "+patterns-only"
    assert "act.transported" not in {i["id"] for i in quick.reading["indicators"]}
    assert service.assess_stale(reader=False) == 0  # nothing new for a second quick pass
    assert list(service.stale_signals()) == [signal]
    assert service.assess_stale() == 1  # what the worker does
    full = Assessment.objects.get(signal=signal)
    assert full.catalogue_version == CAT.version and "act.transported" in {i["id"] for i in full.reading["indicators"]}


def _evidence(pattern: str) -> list[dict]:
    return [{"field": "narrative", "language": "nl", "pattern": pattern, "before": "", "match": "…", "after": "",
             "start": 0, "end": 1}]


def test_the_models_signs_alone_make_a_reading_possible_not_likely_until_an_analyst_confirms_them():
    """A minor (quoted by a pattern) with a purpose only the model read: possible, held back; confirmed: likely."""
    from types import SimpleNamespace

    from vigil.assessment import engine, service
    from vigil.assessment.models import IndicatorReview

    found = {"minor.stated_age": _evidence("16 jaar"), "purpose.no_contract": _evidence("reader")}
    held = engine.read(CAT, dict(found), [])
    assert held["trafficking"] == "possible" and held["held_back"]
    assert held["elements"]["purpose"]["indicated"]  # the sign is still shown and counted as a lead
    quoted = engine.read(CAT, {**found, "purpose.no_contract": _evidence("zonder contract")}, [])
    assert quoted["trafficking"] == "likely" and not quoted["held_back"]
    confirmed = SimpleNamespace(verdict=IndicatorReview.Verdict.CONFIRMED)
    assert service.effective(held, {"purpose.no_contract": confirmed})["trafficking"] == "likely"
    assert service.effective(held, {})["trafficking"] == "possible"
