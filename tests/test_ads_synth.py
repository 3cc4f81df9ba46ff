"""Tests for the synthetic ad corpus generator (no database)."""

import json
import tracemalloc
from collections import Counter
from itertools import islice
from pathlib import Path

import phonenumbers
import pytest

from vigil.ads import synth

SCHEMA = Path(__file__).resolve().parents[1] / "src" / "vigil" / "formats" / "ad.schema.json"  # the project's copy
N = 6000


@pytest.fixture(scope="module")
def corpus():
    return list(synth.generate(N, seed=7))


def test_deterministic_for_a_seed():
    a = [json.dumps(x, sort_keys=True) for pair in synth.generate(1500, seed=3) for x in pair]
    b = [json.dumps(x, sort_keys=True) for pair in synth.generate(1500, seed=3) for x in pair]
    c = [json.dumps(x, sort_keys=True) for pair in synth.generate(1500, seed=4) for x in pair]
    assert a == b
    assert a != c


def test_lines_validate_against_schema(corpus):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    try:
        import jsonschema
    except ImportError:  # pragma: no cover - fallback by hand
        jsonschema = None
    if jsonschema is not None:
        validator = jsonschema.Draft202012Validator(schema)
        for ad, _ in corpus:
            errors = list(validator.iter_errors(ad))
            assert not errors, errors[0].message
    for ad, _ in corpus:
        for key in schema["required"]:
            assert isinstance(ad[key], str) and ad[key]
        for img in ad["images"]:
            assert len(img["phash"]) == 16 and int(img["phash"], 16) >= 0
            assert len(img["sha256"]) == 64


def test_truth_lines_match_ads(corpus):
    seen = {}
    for ad, tr in corpus:
        assert (tr["site"], tr["id"]) == (ad["site"], ad["id"])
        key = (ad["site"], ad["id"])
        assert tr["version"] == seen.get(key, 0) + 1  # versions count up per (site, id)
        seen[key] = tr["version"]
        assert tr["template"] and tr["network"] and tr["persons"] and tr["city"]
        assert tr["controlled"] == tr["network"].startswith("net-")
        if not tr["controlled"]:
            assert tr["template"] == "own-" + tr["network"][4:]
    times = [ad["collected_at"] for ad, _ in corpus]
    assert times == sorted(times)


def test_truth_phones_are_valid(corpus):
    n = 0
    for _, tr in corpus:
        assert tr["phones"]
        for e164 in tr["phones"]:
            num = phonenumbers.parse(e164)
            assert phonenumbers.is_valid_number(num), e164
            assert phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164) == e164
            n += 1
    assert n >= len(corpus)


def test_phone_renderings_keep_the_digits():
    rng = synth._Rng(1)
    back = {"O": "0", "o": "0", "l": "1", "I": "1", "S": "5"}
    for country in synth.MOBILE:
        p = synth.Phone(rng, country)
        for kind in ("national", "compact", "spaces", "dots", "dashes", "slash", "brackets", "spaced_digits",
                     "fullwidth", "keycap", "letters"):
            s = synth.render_phone(p, kind, rng, "nl")
            s = s.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
            digits = "".join(back.get(c, c) for c in s if c.isdigit() or c in back)
            assert digits == p.ndigits, (country, kind, s)
        for kind in ("intl_plus", "intl_compact", "intl_00"):
            s = synth.render_phone(p, kind, rng, "nl")
            assert "".join(c for c in s if c.isdigit()).lstrip("0") == p.e164[1:], (kind, s)
        words = synth.render_phone(p, "words", rng, "nl").replace(",", " ").replace("-", " ").split()
        assert "".join(str(synth.DIGIT_WORDS["nl"].index(w)) for w in words) == p.ndigits


def test_mix_within_stated_ranges(corpus):
    truths = [tr for _, tr in corpus]
    st = synth.corpus_stats(truths)
    assert 0.2 <= st["share_network"] <= 0.45
    assert 0.3 <= st["share_later_versions"] <= 0.7
    assert st["networks"] >= 5 and st["network_templates"] >= st["networks"]
    assert st["independent_workers"] > st["networks"] * 5
    langs = Counter()
    for tr in truths:
        for lang in tr["lang"].split("+"):
            langs[lang] += 1
    for lang in ("nl", "en", "es", "pt", "ro", "bg", "pl", "hu"):
        assert langs[lang] > 0, lang
    assert 0.25 <= langs["nl"] / len(truths) <= 0.7
    assert any("+" in tr["lang"] for tr in truths)
    obf = st["obfuscations"]
    for kind in ("national", "spaces", "dots", "dashes", "slash", "brackets", "intl_plus", "intl_00", "words",
                 "keycap", "fullwidth", "letters", "split", "contact_only"):
        assert obf.get(kind, 0) > 0.003, kind
    changes = st["changes"]
    for ch in ("new", "same", "edited", "moved", "repost"):
        assert changes.get(ch, 0) > 0, ch
    countries = Counter(phonenumbers.region_code_for_number(phonenumbers.parse(p)) for tr in truths for p in tr["phones"])
    assert 0.5 <= countries["NL"] / sum(countries.values()) <= 0.95
    assert len(countries) >= 8


def test_distractors_present_and_not_phones(corpus):
    with_d = [(ad, tr) for ad, tr in corpus if tr["distractors"]]
    assert len(with_d) / len(corpus) > 0.5
    for ad, tr in with_d[:500]:
        text = ad["body"] + " " + (ad["title"] or "")
        for d in tr["distractors"]:
            assert d in text
            digits = "".join(c for c in d if c.isdigit())
            assert all(digits not in p for p in tr["phones"]) or len(digits) < 5


def test_network_structure(corpus):
    by_net = {}
    for _ad, tr in corpus:
        if tr["controlled"]:
            s = by_net.setdefault(tr["network"], {"phones": Counter(), "persons": set(), "cities": set(), "tpl": set()})
            s["phones"].update(tr["phones"])
            s["persons"].update(tr["persons"])
            s["cities"].add(tr["city"])
            s["tpl"].add(tr["template"])
    big = [s for s in by_net.values() if len(s["persons"]) >= 3]
    assert big
    # one controller phone behind several women, several cities
    assert any(len(s["cities"]) >= 3 and s["phones"].most_common(1)[0][1] >= 3 for s in big)
    # templates never cross networks
    owner = {}
    for net, s in by_net.items():
        for t in s["tpl"]:
            assert owner.setdefault(t, net) == net


def test_shared_boilerplate_across_unrelated_ads(corpus):
    phrase = Counter()
    for ad, tr in corpus:
        if not tr["controlled"]:
            for b in ("Discretie verzekerd.", "100% real photos.", "No anonymous numbers."):
                if b in ad["body"]:
                    phrase[(b, tr["template"])] += 1
    templates_per_phrase = Counter(b for b, _ in phrase)
    assert max(templates_per_phrase.values()) > 20


def test_streaming_memory_is_flat():
    def peak(n):
        tracemalloc.start()
        for _ in synth.generate(n, seed=5, actors=300):
            pass
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(5000), peak(20000)
    assert large < small * 1.5 + 512 * 1024, (small, large)


def test_api_is_a_lazy_iterator():
    it = synth.generate(100_000, seed=1)
    first = list(islice(it, 10))
    assert len(first) == 10


def test_cli(tmp_path, capsys):
    out, truth = tmp_path / "ads.jsonl", tmp_path / "truth.jsonl"
    assert synth.main(["--ads", "800", "--seed", "2", str(out), "--truth", str(truth)]) == 0
    ads = out.read_text(encoding="utf-8").splitlines()
    trs = truth.read_text(encoding="utf-8").splitlines()
    assert len(ads) == len(trs) == 800
    assert "ads/s" in capsys.readouterr().err
    pairs = list(synth.generate(800, seed=2))
    assert json.loads(ads[-1]) == pairs[-1][0]


def _digits(s):
    return "".join(c for c in s if c.isdigit())


def test_foreign_national_numbers_carry_a_cue():
    """A foreign number written in its national format is ambiguous (0761 155 302: Romania and
    Breda), so the generator always gives a cue: flag, country tag or the +cc form elsewhere."""
    world = synth.World(10, seed=1)
    rng = synth._Rng(5)
    for country in synth.MOBILE:
        p = synth.Phone(rng, country)
        for _ in range(30):
            kinds, contact = [], {"phone": None, "whatsapp": None, "email": None, "handle": None}
            s = world._cued(synth.render_phone(p, "national", rng, "nl"), p, "national", "nl", contact, kinds)
            if country == "NL":
                assert kinds == [] and s == p.national
                continue
            assert len(kinds) == 1 and kinds[0] in ("cue_flag", "cue_tag", "cue_intl"), kinds
            if kinds[0] == "cue_flag":
                assert synth.FLAG[country] in s
            elif kinds[0] == "cue_tag":
                assert s != p.national
            else:
                assert p.e164[1:] in _digits(contact["phone"] or "") + _digits(contact["whatsapp"] or "")
        # numbers with their country code need no cue
        kinds = []
        assert world._cued(p.intl, p, "intl_plus", "nl", None, kinds) == p.intl and kinds == []


def test_corpus_cues_present(corpus):
    obf = synth.corpus_stats(tr for _, tr in corpus)["obfuscations"]
    for kind in ("cue_flag", "cue_tag", "cue_intl"):
        assert obf.get(kind, 0) > 0.003, kind
    # every ad line with a foreign number shows a flag, a tag, or that number with its country code
    flags = set(synth.FLAG.values())
    for ad, tr in corpus[:3000]:
        foreign = [p for p in tr["phones"] if not p.startswith("+31")]
        if not foreign:
            continue
        contact = ad["contact"] or {}
        text = " ".join(str(x) for x in (ad["title"], ad["body"], contact.get("phone"), contact.get("whatsapp")) if x)
        for p in foreign:
            has_cc = p[1:] in _digits(text.replace("(0)", ""))
            assert has_cc or any(f in text for f in flags) or any(k in tr["obfuscations"] for k in ("cue_tag", "cue_flag")), (p, text)


def test_split_never_overwrites_a_contact_number(corpus):
    for ad, tr in corpus:
        if "split" in tr["obfuscations"]:
            contact = ad["contact"] or {}
            tails = " ".join(v for v in (contact.get("phone"), contact.get("whatsapp")) if v)
            assert tails.count("…") >= tr["obfuscations"].count("split")
