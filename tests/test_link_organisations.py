"""Organisation resolution (vigil.linking.organisations): name variants resolve together, near misses stay apart
(the same name in another city, Pro Werk and Pro Jobs), the KvK number forces or forbids, judgements override,
bad input is reported field by field, the synthetic organisations are resolved well, and Spark gives DuckDB's
clusters.

No database: ``pytest -p no:django tests/test_link_organisations.py`` runs all but the graph-key test.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import pytest
import yaml

from vigil.linking import organisations
from vigil.linking.organisations import MIN_RECORDS_TO_TRAIN, name_forms, norm_registration, resolve
from vigil.linking.orgsynth import generate

# --------------------------------------------------------------------------- the scenario

EJ = ["ej1", "ej2", "ej3", "ej4", "ej5"]  # EuroJobs, an uitzendbureau in Rotterdam, KvK 12345678
SCENARIO = [
    {"id": "ej1", "name": "Euro Jobs B.V.", "city": "Rotterdam", "phones": ["+31101234567"]},
    {"id": "ej2", "name": "EuroJobs", "city": "Rotterdam", "websites": ["https://www.eurojobs.nl/contact"]},
    {"id": "ej3", "name": "EuroJobs BV", "city": "rotterdam", "registration": "12345678", "country": "NL"},
    {"id": "ej4", "name": "Uitzendbureau EuroJobs", "phones": ["010-1234567"], "emails": ["info@eurojobs.nl"]},
    {"id": "ej5", "name": "EUROJOBS", "registration": "KvK 1234 5678", "city": "Schiedam"},
    # one common name, four restaurants: the two in Amsterdam are one business, the others are others
    {"id": "lo1", "name": "Restaurant Lotus", "city": "Amsterdam", "address": "st:damrak:1:amsterdam"},
    {"id": "lo2", "name": "Restaurant Lotus V.O.F.", "city": "Amsterdam", "phones": ["+31201112233"]},
    {"id": "lo3", "name": "Restaurant Lotus", "city": "Groningen"},
    {"id": "lo4", "name": "RESTAURANT LOTUS", "city": "Utrecht", "postcode": "3511 AB"},
    # similar names, different agencies
    {"id": "pw1", "name": "Pro Werk", "city": "Venlo"},
    {"id": "pj1", "name": "Pro Jobs", "city": "Venlo"},
    # one KvK number, written two ways, names that share nothing
    {"id": "kv1", "name": "Flexwerk Oost B.V.", "registration": "80417265", "city": "Arnhem"},
    {"id": "kv2", "name": "FO Personeel", "registration": "8041 7265", "city": "Nijmegen"},
    # two KvK numbers, one name, one city: two legal entities; gl3 (no KvK) could join either, not both
    {"id": "gl1", "name": "Glansmakers B.V.", "registration": "67204518", "city": "Utrecht"},
    {"id": "gl2", "name": "Glansmakers", "registration": "67204519", "city": "Utrecht"},
    {"id": "gl3", "name": "Glansmakers", "city": "Utrecht"},
]


def assert_scenario(res) -> None:
    c = res.clusters
    assert {c[i] for i in EJ} == {"ej1"}, res.members()
    assert c["lo1"] == c["lo2"]
    assert len({c["lo1"], c["lo3"], c["lo4"]}) == 3
    assert c["pw1"] != c["pj1"]
    assert c["kv1"] == c["kv2"]
    assert c["gl1"] != c["gl2"]
    assert c["gl3"] in {c["gl1"], c["gl2"]}
    assert not {c["ej1"], c["lo1"], c["pw1"], c["kv1"], c["gl1"]} & {c["lo3"], c["pj1"], c["gl2"]}


def pair(res, a: str, b: str):
    return next(p for p in res.pairs if {p.id_l, p.id_r} == {a, b})


# --------------------------------------------------------------------------- names and fields


@pytest.mark.parametrize(
    "written, full, compact, core",
    [
        ("Euro Jobs B.V.", "euro jobs", "eurojobs", "eurojobs"),
        ("EUROJOBS b.v.", "eurojobs", "eurojobs", "eurojobs"),
        ("Uitzendbureau EuroJobs", "uitzendbureau eurojobs", "uitzendbureaueurojobs", "eurojobs"),
        ("Nowak Sp. z o.o.", "nowak", "nowak", "nowak"),
        ("Popescu S.R.L.", "popescu", "popescu", "popescu"),
        ("SIA Baltic Transport", "baltic transport", "baltictransport", "baltic"),
        ("Café De Gouden Draak V.O.F.", "cafe de gouden draak", "cafedegoudendraak", "goudendraak"),
        ("Schoonmaakbedrijf Jansen & Zn.", "schoonmaakbedrijf jansen zn", "schoonmaakbedrijfjansenzn", "jansenzn"),
        ("Carwash", "carwash", "carwash", "carwash"),  # a trade word that is all there is stays
    ],
)
def test_names_lose_legal_form_case_punctuation_and_trade_words(written, full, compact, core):
    forms = name_forms(written)
    assert (forms.full, forms.compact, forms.core) == (full, compact, core)


def test_trade_words_name_a_sector():
    assert name_forms("Eetcafe Claesdr").sectors == ("horeca",)
    assert name_forms("Claesdr Detachering").sectors == ("uitzend",)
    assert name_forms("Claesdr Holding").sectors == ()  # a generic word


@pytest.mark.parametrize("written", ["12345678", "KvK 1234 5678", "kvk-nummer: 12.34.56.78", 12345678])
def test_kvk_numbers_are_read(written):
    assert norm_registration(written) == ("12345678", None)


def test_legal_forms_and_trade_words_are_versioned_data():
    legal = yaml.safe_load(organisations.LEGAL_FORMS_PATH.read_text(encoding="utf-8"))
    trade = yaml.safe_load(organisations.TRADE_WORDS_PATH.read_text(encoding="utf-8"))
    assert legal["version"] and "B.V." in legal["anywhere"] and "SIA" in legal["at_edges"]
    assert trade["version"] and "uitzendbureau" in trade["sectors"]["uitzend"]
    res = resolve(SCENARIO)
    assert res.model.data_versions == {"legal_forms": legal["version"], "trade_words": trade["version"]}


def test_the_graph_key_uses_the_same_legal_forms():
    pytest.importorskip("django")
    from vigil.linking.graph import organisation_key

    assert organisation_key("Flexwerk-Oost BV") == organisation_key("FLEXWERK OOST B.V.") == "name:flexwerk oost"
    assert organisation_key("Flexwerk West B.V.") != organisation_key("Flexwerk Oost B.V.")
    assert organisation_key("Jansen Limited") == organisation_key("Jansen B.V. i.o.") == "name:jansen"
    assert organisation_key("x", "KvK 8041 7265") == "kvk:80417265"


# --------------------------------------------------------------------------- resolution


def test_scenario_alone_uses_built_in_parameters():
    res = resolve(SCENARIO)
    assert len(SCENARIO) < MIN_RECORDS_TO_TRAIN
    assert not res.model.trained and "too few" in res.model.training["reason"]
    assert_scenario(res)


def test_the_kvk_number_forces_one_organisation():
    res = resolve(SCENARIO)
    forced = pair(res, "kv1", "kv2")
    assert forced.linked and forced.reason == "same KvK number"
    by_field = {e.comparison: e for e in forced.explanation}
    assert by_field["name"].level == "names differ" and by_field["registration"].level == "KvK number agrees"
    assert forced.match_probability < 0.5  # the model alone would not link them


def test_different_kvk_numbers_are_never_joined_by_the_model():
    res = resolve(SCENARIO, judgements=[("gl1", "gl2", "unsure")])  # unsure: the pair is shown, nothing changes
    direct = pair(res, "gl1", "gl2")
    assert not direct.linked and direct.match_probability < 0.5
    assert {e.comparison: e.level for e in direct.explanation}["registration"] == "KvK numbers differ"
    # gl3 agrees with both on name and city: the link to the second is cut, not a chain gl1 = gl3 = gl2
    cut = [p for p in res.pairs if "gl3" in (p.id_l, p.id_r) and not p.linked]
    assert [p.reason for p in cut] == ["cut: would join different KvK numbers"]


def test_same_name_in_another_city_is_another_business():
    res = resolve(SCENARIO, judgements=[("lo1", "lo3", "unsure")])
    other = pair(res, "lo1", "lo3")
    assert not other.linked and other.match_probability < 0.5
    levels = {e.comparison: e for e in other.explanation}
    assert levels["name"].level == "name agrees, a name used in several places"
    assert levels["place"].level == "another city or postcode" and levels["place"].match_weight < 0


def test_pairs_explain_each_field():
    res = resolve(SCENARIO)
    p = pair(res, "ej1", "ej4")
    assert p.linked and p.match_probability >= res.threshold
    by_field = {e.comparison: e for e in p.explanation}
    assert by_field["name"].level == "name agrees without trade words"
    assert by_field["name"].value_l == "euro jobs" and by_field["name"].value_r == "uitzendbureau eurojobs"
    assert by_field["phone"].level == "a phone is shared" and by_field["phone"].bayes_factor > 1000
    assert by_field["place"].level == "place missing" and by_field["place"].bayes_factor == 1
    assert pair(res, "ej1", "ej2").explanation[0].level == "name agrees, in the same city"
    names = next(c for c in res.model.comparisons if c["name"] == "name")
    assert [lv["label"] for lv in names["levels"]][:2] == ["name missing", "name agrees, in the same city"]


def test_judgement_same_forces_a_link():
    res = resolve(SCENARIO, judgements=[("pw1", "pj1", "same")])
    assert res.clusters["pw1"] == res.clusters["pj1"]
    judged = pair(res, "pw1", "pj1")
    assert judged.judgement == "same" and judged.linked and judged.reason == "judged the same organisation"


def test_judgement_different_overrides_the_kvk_number():
    res = resolve(SCENARIO, judgements=[("kv1", "kv2", "different")])
    assert res.clusters["kv1"] != res.clusters["kv2"]
    judged = pair(res, "kv1", "kv2")
    assert judged.judgement == "different" and not judged.linked and judged.reason == "judged different organisations"


def test_judgement_different_cuts_the_weakest_link():
    base = resolve(SCENARIO)
    assert base.clusters["ej4"] == base.clusters["ej2"]
    cut = resolve(SCENARIO, judgements=[("ej4", "ej2", "different")])
    assert cut.clusters["ej4"] != cut.clusters["ej2"]
    assert cut.clusters["ej1"] in {cut.clusters["ej4"], cut.clusters["ej2"]}  # the rest stays together
    assert any(not p.linked and p.reason == "cut: would join records judged different" for p in cut.pairs)


def test_judgement_unsure_changes_nothing():
    base = resolve(SCENARIO)
    unsure = resolve(SCENARIO, judgements=[("lo1", "lo3", "unsure"), ("pw1", "pj1", "unsure")])
    assert unsure.clusters == base.clusters


def test_contradictory_judgements_name_the_chain():
    judgements = [("lo1", "lo3", "same"), ("lo3", "lo4", "same"), ("lo1", "lo4", "different")]
    with pytest.raises(ValueError, match=r"lo1 and lo4 .*lo1 = lo3 = lo4"):
        resolve(SCENARIO, judgements=judgements)
    assert organisations.check_judgements(judgements[:2], {"lo1", "lo3", "lo4"})


@pytest.mark.parametrize(
    "judgement, message",
    [(("ej1", "zz9", "same"), "unknown record 'zz9'"), (("ej1", "ej2", "maybe"), "not one of"),
     (("ej1",), "a judgement is"), (("ej1", "ej1", "different"), "different from itself")],
)
def test_bad_judgements_are_refused(judgement, message):
    with pytest.raises(ValueError, match=message):
        resolve(SCENARIO, judgements=[judgement])


def test_bad_fields_are_reported_field_by_field():
    records = [
        *SCENARIO,
        {"id": "x1", "name": 4711, "registration": "1234", "country": "Narnia", "phones": ["bel me"],
         "emails": ["geen"], "ibans": ["NL00BANK0123456789"], "websites": ["geen website"], "favourite_colour": "blue"},
        {"id": "x2", "name": "B.V.", "registration": ["12345678"], "address": {"street": "Damrak"}},
        {"id": "x3", "name": "EuroJobs", "registration": "kvk 123456789", "city": "Rotterdam",
         "phones": "+31101234567", "ibans": [None, float("nan")]},
        {"id": "x4"},
    ]
    res = resolve(records)
    assert set(res.clusters) == {r["id"] for r in records}
    fields = {(p.record_id, p.field) for p in res.problems}
    assert {("x1", "name"), ("x1", "registration"), ("x1", "country"), ("x1", "phones"), ("x1", "emails"),
            ("x1", "ibans"), ("x1", "websites"), ("x1", "favourite_colour"), ("x2", "name"), ("x2", "registration"),
            ("x2", "address"), ("x3", "registration")} <= fields
    assert not any(p.record_id in ("x4", "ej1") for p in res.problems)
    kvk = next(p for p in res.problems if (p.record_id, p.field) == ("x3", "registration"))
    assert "8 digits" in kvk.message
    # x3's name, city and phone (a plain string) are still used: EuroJobs's
    assert res.clusters["x3"] == res.clusters["ej1"]
    assert_scenario(res)


def test_small_and_empty_inputs():
    assert resolve([]).clusters == {}
    assert resolve([{"id": "a"}]).clusters == {"a": "a"}
    only_ids = resolve([{"id": "b"}, {"id": "a"}], judgements=[("a", "b", "same")])
    assert only_ids.clusters == {"a": "a", "b": "a"} and "nothing to compare" in only_ids.model.training["reason"]
    # a name and nothing else is not enough, even written the same
    assert resolve([{"id": "a", "name": "EuroJobs"}, {"id": "b", "name": "Euro Jobs BV"}]).clusters == {"a": "a", "b": "b"}
    kvk = resolve([{"id": 1, "name": "EuroJobs", "registration": "12345678"}, {"id": 2, "registration": "12345678"}])
    assert kvk.clusters == {"1": "1", "2": "1"}
    with pytest.raises(ValueError, match="no id"):
        resolve([{"name": "EuroJobs"}])
    with pytest.raises(ValueError, match="more than once"):
        resolve([{"id": "a"}, {"id": "a"}])


def test_hub_values_are_not_blocked_on_and_said_so():
    """One phone on 300 records (a bookkeeper's): no 45,000 pairs, the value is named in the result."""
    hub = "+31201234567"
    records = [{"id": f"h{i:03d}", "name": f"Bedrijf {i} Handel", "phones": [hub]} for i in range(300)]
    res = resolve(SCENARIO + records, max_block_size=100)
    skipped = [k for k in res.skipped_keys if k.key == "phone"]
    assert [(k.value, k.records, k.also_ignored_in_comparison) for k in skipped] == [(hub, 300, True)]
    assert len({res.clusters[r["id"]] for r in records}) == 300
    assert_scenario(res)


# --------------------------------------------------------------------------- synthetic organisations

SYNTH_RECORDS, SYNTH_SEED = 2000, 1


@pytest.fixture(scope="module")
def synthetic():
    records, truth = generate(SYNTH_RECORDS, seed=SYNTH_SEED)
    return records, truth, resolve(records)


def _pairs(groups: dict) -> set[tuple[str, str]]:
    members = defaultdict(list)
    for rid, g in groups.items():
        members[g].append(rid)
    return {p for m in members.values() for p in combinations(sorted(m), 2)}


def test_synthetic_organisations_are_resolved_well(synthetic):
    """Pairwise precision and recall on 2,000 synthetic mentions of about 480 businesses, without labels.
    Measured: precision 0.996, recall 0.839 (benchmarks/bench_orgs.py --records 2000 --seed 1)."""
    records, truth, res = synthetic
    assert res.model.trained and res.model.training["m"]["method"] == "expectation maximisation"
    assert "m fixed" in res.model.training["u"]
    true, pred = _pairs(truth), _pairs(res.clusters)
    precision, recall = len(true & pred) / len(pred), len(true & pred) / len(true)
    assert precision >= 0.97 and recall >= 0.75, (precision, recall)


def test_the_generator_is_deterministic_and_has_its_hard_cases():
    records, truth = generate(3000, seed=5)
    assert (records, truth) == generate(3000, seed=5)
    by_name: dict[str, set[int]] = defaultdict(set)
    for r in records:
        by_name[name_forms(r["name"]).compact if name_forms(r["name"]) else ""].add(truth[r["id"]])
    assert max(len(b) for b in by_name.values()) >= 5  # a common name used by many businesses
    assert sum(1 for r in records if "registration" in r) < len(records) / 4  # most mentions without KvK


def test_reusing_a_trained_model(synthetic):
    _records, _truth, res = synthetic
    again = resolve(SCENARIO, model=res.model)
    assert again.model.training == {"reused": "parameters of an earlier resolution"}
    assert_scenario(again)


# --------------------------------------------------------------------------- Spark


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark", reason="Spark is a test dependency: bash scripts/setup.sh --test")
    from vigil.linking.organisations import local_spark_session

    session = local_spark_session()
    yield session
    session.stop()


def test_spark_gives_duckdbs_clusters(synthetic, spark):
    """The synthetic set with the scenario, a model trained (without labels) with DuckDB applied by both engines:
    the same clusters, pairs, comparison levels and weights. (Training on Spark runs the same Splink steps and
    is exercised by benchmarks/bench_orgs.py --engine spark.)"""
    records, _truth, trained = synthetic
    records = records[:1000] + SCENARIO
    judgements = [("pw1", "pj1", "same"), ("kv1", "kv2", "different"), ("ej4", "ej2", "unsure")]
    duck = resolve(records, judgements=judgements, model=trained.model)
    on_spark = resolve(records, engine="spark", spark=spark, model=trained.model, judgements=judgements)
    assert on_spark.model.engine == "spark"
    assert duck.clusters["pw1"] == duck.clusters["pj1"] and duck.clusters["kv1"] != duck.clusters["kv2"]
    assert on_spark.clusters == duck.clusters
    assert [(p.id_l, p.id_r, p.linked, p.reason) for p in on_spark.pairs] == \
        [(p.id_l, p.id_r, p.linked, p.reason) for p in duck.pairs]
    for ps, pd_ in zip(on_spark.pairs, duck.pairs, strict=True):
        if ps.match_weight == ps.match_weight:
            assert ps.match_weight == pytest.approx(pd_.match_weight, abs=1e-6)
        assert [e.level for e in ps.explanation] == [e.level for e in pd_.explanation]
