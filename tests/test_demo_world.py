"""The synthetic demo world (vigil.demo.world): schema-valid, reproducible, realistic, with three hidden
networks that only linking reveals. Plain pytest: no database."""

from __future__ import annotations

import json
import random
import re
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban

try:
    from vigil.demo import world as W
except ImportError:  # the package is not installed: use the source tree
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from vigil.demo import world as W

SCHEMA_PATH = Path(W.__file__).resolve().parents[1] / "formats" / "signal.schema.json"
LANGUAGES = {"nl", "en", "ro", "bg", "es", "pt", "pl"}
REQUIRED_SLUGS = {"emm", "politie-rotterdam", "politie-amsterdam", "politie-midden-nederland", "politie-limburg", "ind",
                  "om", "nla", "gemeente-rotterdam", "gemeente-amsterdam", "comensha", "fier", "meld-misdaad-anoniem",
                  "kmar"}
KINDS = {"police", "ind", "prosecution", "labour_inspectorate", "municipality", "ngo", "reporting_line",
         "expertise_centre"}
MANAGER_PHONE = "641278390"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def timed_world() -> tuple[W.World, float]:
    t0 = time.perf_counter()
    world = W.generate_world()
    return world, time.perf_counter() - t0


@pytest.fixture(scope="module")
def world(timed_world) -> W.World:
    return timed_world[0]


def channel(sig: dict) -> str:
    return sig.get("channel") or sig["source"]


def digits9(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit())[-9:]


def all_phones(sig: dict) -> list[str]:
    out = list(sig.get("phones", []))
    for p in sig.get("persons", []):
        out += p.get("phones", [])
    return out


def plate_key(plate: str) -> str:
    return "".join(c for c in plate.upper() if c.isalnum())


def by_ref(world: W.World) -> dict[str, dict]:
    return {s["ref"]: s for s in world.signals}


# --------------------------------------------------------------------------- shape


def test_world_is_large_and_fast(timed_world):
    world, seconds = timed_world
    print(f"generate_world: {len(world.signals)} signals in {seconds:.2f} s")
    assert len(world.signals) >= 2000
    assert seconds < 10


def test_every_signal_validates_against_the_schema(world, validator):
    for sig in world.signals:
        errors = list(validator.iter_errors(sig))
        assert not errors, (sig["ref"], errors[0].message)


def test_only_the_agreed_extra_keys(world):
    known = set(json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))["properties"]) | {"channel", "owner"}
    for sig in world.signals:
        assert set(sig) <= known, set(sig) - known


def test_every_channel_is_present(world):
    counts = Counter(channel(s) for s in world.signals)
    assert set(counts) == set(W.CHANNELS)
    assert min(counts.values()) >= 50, counts
    for sig in world.signals:
        if "channel" in sig:
            assert sig["channel"] in ("public_web_report", "online_ad")
            assert sig["source"] == "other"
        else:
            assert sig["source"] != "other"


def test_every_language_is_present(world):
    counts = Counter(s.get("language") for s in world.signals)
    assert LANGUAGES <= set(counts), counts
    assert all(s.get("narrative") and s.get("language") for s in world.signals)


def test_organisations(world):
    slugs = [o["slug"] for o in world.organisations]
    assert len(slugs) == len(set(slugs))
    assert REQUIRED_SLUGS <= set(slugs)
    assert all(o["kind"] in KINDS and o["name"] for o in world.organisations)
    kinds = {o["slug"]: o["kind"] for o in world.organisations}
    assert kinds["emm"] == "expertise_centre"
    assert kinds["meld-misdaad-anoniem"] == "reporting_line"
    assert kinds["kmar"] == "police" and kinds["om"] == "prosecution" and kinds["nla"] == "labour_inspectorate"
    assert world.organisations == [dict(o) for o in W.ORGANISATIONS]
    assert all(s["owner"] in kinds for s in world.signals)


def test_organisation_and_ref_are_unique_and_look_like_the_sources_numbering(world):
    pairs = [(s["organisation"], s["ref"]) for s in world.signals]
    assert len(pairs) == len(set(pairs))
    refs = [s["ref"] for s in world.signals]
    assert len(refs) == len(set(refs)), "refs are unique over the whole world, so networks can name them"
    patterns = {
        "Meld Misdaad Anoniem": r"MMA-\d{5,6}",
        "Nederlandse Arbeidsinspectie": r"NLA-20(25|26)-\d{6}",
        "IND": r"IND-OBS-20(25|26)-\d{4}",
        "Politie Rotterdam": r"PL1700-20(25|26)\d{6}",
        "Openbaar Ministerie": r"10/\d{6}-(25|26)",
        "CoMensha": r"CM-20(25|26)-\d{4}",
    }
    for sig in world.signals:
        pattern = patterns.get(sig["organisation"])
        if pattern:
            assert re.fullmatch(pattern, sig["ref"]), (sig["organisation"], sig["ref"])


def test_partner_referrals_name_the_partner(world):
    senders = Counter(s["organisation"] for s in world.signals if s["source"] == "partner_referral")
    assert {"Nederlandse Arbeidsinspectie", "CoMensha", "Gemeente Rotterdam", "Fier"} <= set(senders), senders


ISO_DT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]:00$")


def test_times_are_iso_with_offset_and_inside_the_window(world):
    for sig in world.signals:
        assert ISO_DT.match(sig["received_at"]), sig["received_at"]
        received = datetime.fromisoformat(sig["received_at"])
        assert datetime(2025, 4, 30).date() <= received.date() < datetime(2026, 11, 1).date()
        month = received.month
        if month in (1, 2, 12) or month in (6, 7, 8):
            assert received.utcoffset().total_seconds() == (3600 if month in (1, 2, 12) else 7200)
        if sig.get("observed_at"):
            obs = sig["observed_at"]
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", obs) or ISO_DT.match(obs), obs
            assert obs[:10] <= sig["received_at"][:10]
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", s.get("observed_at") or "") for s in world.signals)
    assert any(ISO_DT.match(s.get("observed_at") or "") for s in world.signals)


def test_anonymous_tips_never_have_a_reporter(world):
    anonymous = [s for s in world.signals if s["source"] == "anonymous_tip"]
    assert anonymous
    for sig in anonymous:
        assert all(p.get("role") != "reporter" for p in sig.get("persons", [])), sig["ref"]
    assert any(p.get("role") == "reporter" for s in world.signals if s["source"] == "phone_tip" for p in s.get("persons", []))


def test_online_ads_carry_ad_url_and_phone(world):
    ads = [s for s in world.signals if channel(s) == "online_ad"]
    assert ads
    for sig in ads:
        assert sig["online"] and sig["online"][0].startswith("https://")
        assert sig["phones"]


def test_people_look_like_real_intake(world):
    persons = [p for s in world.signals for p in s.get("persons", [])]
    births = [p["birth_date"] for p in persons if p.get("birth_date")]
    assert any(re.fullmatch(r"\d{4}", b) for b in births)
    assert any(re.fullmatch(r"\d{4}-\d{2}", b) for b in births)
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", b) for b in births)
    assert any(15 <= (p.get("estimated_age") or 0) <= 17 for p in persons)
    nationalities = {p.get("nationality") for p in persons}
    assert {"RO", "Roemeens", "Romanian", "Roemenië"} & nationalities
    assert len(nationalities) > 40
    assert any(p.get("aliases") for p in persons)
    assert any(p.get("name") is None for p in persons)
    assert any(p.get("id_documents") for p in persons)
    assert any(p.get("emails") for p in persons)
    roles = Counter(p["role"] for p in persons)
    assert {"possible_victim", "possible_suspect", "reporter", "witness"} <= set(roles)


def test_identifiers_are_written_in_many_ways(world):
    phones = [p for s in world.signals for p in all_phones(s)]
    assert any(re.fullmatch(r"06-\d{8}", p) for p in phones)
    assert any(re.fullmatch(r"06 \d{4} \d{4}", p) for p in phones)
    assert any(re.fullmatch(r"\+31 6( \d\d){4}", p) for p in phones)
    assert any(re.fullmatch(r"00316\d{8}", p) for p in phones)
    assert any(re.fullmatch(r"\(0\d\d\) \d{3} \d{4}", p) for p in phones)
    for prefix in ("+40", "+359", "+48", "+55"):
        assert any(p.startswith(prefix) for p in phones), prefix
    plates = [v["plate"] for s in world.signals for v in s.get("vehicles", [])]
    assert any(re.fullmatch(r"\d\d-[A-Z]{3}-\d", p) for p in plates)
    assert any(re.fullmatch(r"[A-Z]{2}-\d{3}-[A-Z]", p) for p in plates)
    assert any(re.fullmatch(r"[A-Z0-9]{6}", p) for p in plates)
    ibans = [b for s in world.signals for b in s.get("bank_accounts", [])]
    assert any(" " in b for b in ibans) and any(" " not in b for b in ibans)
    banks = {b.replace(" ", "").upper()[4:8] for b in ibans}
    assert {"ABNA", "INGB", "RABO"} <= banks
    numbers = [a.get("house_number") for s in world.signals for a in s.get("addresses", []) if a.get("house_number")]
    assert any(re.fullmatch(r"\d+[A-Za-z]", n) for n in numbers)
    assert any(re.fullmatch(r"\d+ [A-Za-z]", n) for n in numbers)
    assert any(re.fullmatch(r"\d+-\w+", n) for n in numbers)
    assert any(a.get("full") for s in world.signals for a in s.get("addresses", []))
    assert any(a.get("street") and not a.get("postcode") for s in world.signals for a in s.get("addresses", []))
    cities = {a.get("city") for s in world.signals for a in s.get("addresses", [])}
    assert {"Den Haag", "'s-Gravenhage"} <= cities
    regs = [o.get("registration_number") for s in world.signals for o in s.get("organisations", [])]
    assert any(r and re.fullmatch(r"\d{8}", r) for r in regs)


def test_ibans_are_valid_except_the_deliberate_bad_ones(world):
    ibans = [b for s in world.signals for b in s.get("bank_accounts", [])]
    invalid = [b for b in ibans if not stdnum_iban.is_valid(b)]
    assert "NL91 ABNA 0417 1643 01" in invalid
    assert len(invalid) <= max(3, len(ibans) // 20), invalid


def test_deliberately_bad_values_are_kept(world):
    phones = {p for s in world.signals for p in all_phones(s)}
    assert "06-1234" in phones
    assert any(p.get("nationality") == "Atlantis" for s in world.signals for p in s.get("persons", []))


def test_urgent_in_about_five_percent(world):
    share = sum(1 for s in world.signals if s.get("urgent") is True) / len(world.signals)
    assert 0.02 <= share <= 0.09, share


# --------------------------------------------------------------------------- reproducibility


def test_same_seed_same_world_and_other_seed_other_world(world):
    again = W.generate_world()
    assert json.dumps(again.signals, sort_keys=False) == json.dumps(world.signals, sort_keys=False)
    assert again.networks == world.networks
    other = W.generate_world(seed=7)
    assert json.dumps(other.signals) != json.dumps(world.signals)
    assert json.dumps(W.generate_world(seed=7).signals) == json.dumps(other.signals)


def test_n_signals_is_the_total():
    small = W.generate_world(seed=3, n_signals=300)
    assert len(small.signals) == 300
    assert {channel(s) for s in small.signals} == set(W.CHANNELS)


# --------------------------------------------------------------------------- hidden networks


def test_networks_are_spread_over_channels_owners_and_months(world):
    index = by_ref(world)
    assert set(world.networks) == {"flat-manager", "labour-agency", "criminal-cannabis"}
    sizes = {name: len(refs) for name, refs in world.networks.items()}
    assert 25 <= sizes["flat-manager"] <= 40 and 20 <= sizes["labour-agency"] <= 30
    assert 10 <= sizes["criminal-cannabis"] <= 15
    all_refs = [r for refs in world.networks.values() for r in refs]
    assert len(all_refs) == len(set(all_refs))
    for name, refs in world.networks.items():
        sigs = [index[r] for r in refs]
        assert len({channel(s) for s in sigs}) >= 4, name
        assert len({s["owner"] for s in sigs}) >= 4, name
        assert len({s["received_at"][:7] for s in sigs}) >= 6, name


def test_flat_manager_touches_three_cities_and_is_written_in_many_ways(world):
    sigs = [by_ref(world)[r] for r in world.networks["flat-manager"]]
    cities = {a.get("city") or a.get("full", "") for s in sigs for a in s.get("addresses", [])}
    for city in ("Rotterdam", "Amsterdam", "Almere"):
        assert any(city in c for c in cities), city
    names = {p["name"] for s in sigs for p in s.get("persons", []) if p.get("name") and "vries" in p["name"].lower()}
    assert len(names) >= 3, names
    phones = {p for s in sigs for p in all_phones(s) if digits9(p) == MANAGER_PHONE}
    assert len(phones) >= 3, phones
    plates = {v["plate"] for s in sigs for v in s.get("vehicles", []) if plate_key(v["plate"]) == "54TVR1"}
    assert len(plates) >= 3, plates
    ibans = {b for s in sigs for b in s.get("bank_accounts", []) if b.replace(" ", "") == "NL58RABO0318447295"}
    assert len(ibans) == 2 and stdnum_iban.is_valid("NL58RABO0318447295")
    numbers = {a["house_number"] for s in sigs for a in s.get("addresses", []) if a.get("street") == "Mathenesserlaan"
               and a.get("house_number")}
    assert {"212B", "212 b", "212-B"} <= numbers


def test_no_signal_reveals_a_network_on_its_own(world):
    index = by_ref(world)
    keys = {
        "flat-manager": lambda s: (any(digits9(p) == MANAGER_PHONE for p in all_phones(s)),
                                   any(plate_key(v["plate"]) == "54TVR1" for v in s.get("vehicles", [])),
                                   any(b.replace(" ", "") == "NL58RABO0318447295" for b in s.get("bank_accounts", []))),
        "labour-agency": lambda s: (any(plate_key(v["plate"]) == "VT518N" for v in s.get("vehicles", [])),
                                    any(b.replace(" ", "") == "NL56INGB0007551238" for b in s.get("bank_accounts", [])),
                                    any(digits9(p) == "512734608" for p in all_phones(s))),
        "criminal-cannabis": lambda s: (any(plate_key(v["plate"]) == "ZT504F" for v in s.get("vehicles", [])),
                                        any(digits9(p) == "628551407" for p in all_phones(s)),
                                        any(a.get("street") in ("Hoofdstraat", "Mierloseweg", "Damrak")
                                            for a in s.get("addresses", []))),
    }
    for name, refs in world.networks.items():
        for ref in refs:
            assert not all(keys[name](index[ref])), (name, ref)


def test_network_identifiers_never_occur_outside_their_network(world):
    members = {r: name for name, refs in world.networks.items() for r in refs}
    owners_of = {"641278390": "flat-manager", "687349215": "flat-manager", "615820647": "flat-manager",
                 "628194573": "flat-manager", "512734608": "labour-agency", "745319822": "labour-agency",
                 "628551407": "criminal-cannabis"}
    plates = {"54TVR1": "flat-manager", "VT518N": "labour-agency", "ZT504F": "criminal-cannabis"}
    for sig in world.signals:
        home = members.get(sig["ref"])
        for p in all_phones(sig):
            if digits9(p) in owners_of:
                assert home == owners_of[digits9(p)], (sig["ref"], p)
        for v in sig.get("vehicles", []):
            if plate_key(v["plate"]) in plates:
                assert home == plates[plate_key(v["plate"])], (sig["ref"], v)
        for o in sig.get("organisations", []):
            key = re.sub(r"[^a-z]", "", o["name"].lower())
            if key.startswith("flexwerkoost"):
                assert home == "labour-agency", (sig["ref"], o)
            if key.startswith("vrieslandvastgoed"):
                assert home == "flat-manager", (sig["ref"], o)


def test_near_misses_are_there_and_outside_the_networks(world):
    members = {r for refs in world.networks.values() for r in refs}
    outside = [s for s in world.signals if s["ref"] not in members]
    text = json.dumps(outside, ensure_ascii=False)
    for near in ("Mathenesserlaan", "Mathenesserdijk", "Flexwerk West B.V.", "54-TVR-7", "VT-581-N", "ZT-504-P",
                 "06-41278391", "H. de Vries", "Henk de Vries", "Postjesweg", "NL60 RABO 0318 4472 59"):
        assert near in text, near
    near_numbers = {a.get("house_number") for s in outside for a in s.get("addresses", [])
                    if a.get("street") == "Mathenesserlaan"}
    assert "21B" in near_numbers and "212B" not in near_numbers


# --------------------------------------------------------------------------- the fast stream


def test_generate_signals_rate_and_validity(validator):
    n = 100_000
    t0 = time.perf_counter()
    signals = list(W.generate_signals(n, seed=1))
    seconds = time.perf_counter() - t0
    rate = n / seconds
    print(f"generate_signals: {n} signals in {seconds:.2f} s = {rate:,.0f} signals/s")
    assert len(signals) == n
    assert rate >= 1000
    for sig in random.Random(0).sample(signals, 1000):
        errors = list(validator.iter_errors(sig))
        assert not errors, (sig["ref"], errors[0].message)
    pairs = {(s["organisation"], s["ref"]) for s in signals}
    assert len(pairs) == n
    assert {channel(s) for s in signals} == set(W.CHANNELS)
    assert all(s["source"] != "anonymous_tip" or all(p["role"] != "reporter" for p in s.get("persons", []))
               for s in signals)
    assert not any(digits9(p) == MANAGER_PHONE for s in signals for p in all_phones(s))


def test_generate_signals_is_reproducible_and_start_ref_separates_batches():
    a = list(W.generate_signals(300, seed=5))
    assert json.dumps(a) == json.dumps(list(W.generate_signals(300, seed=5)))
    assert json.dumps(a) != json.dumps(list(W.generate_signals(300, seed=6)))
    b = list(W.generate_signals(300, seed=5, start_ref=300))
    keys_a = {(s["organisation"], s["ref"]) for s in a}
    keys_b = {(s["organisation"], s["ref"]) for s in b}
    assert not keys_a & keys_b


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32), start=st.integers(min_value=0, max_value=10**6))
def test_any_seed_streams_schema_valid_signals(seed, start):
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    for sig in W.generate_signals(40, seed=seed, start_ref=start):
        assert not list(validator.iter_errors(sig)), sig["ref"]
