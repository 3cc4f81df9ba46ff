"""vigil.ads.extract: identifiers and facts from online ads. No database."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from vigil.ads.extract import LANGUAGES, Extraction, detect_language, extract, phash_file


def ad(body="", **kw):
    return {"site": "t", "id": "1", "collected_at": "2025-01-01T00:00:00Z", "body": body, **kw}


def phones(body, **kw):
    return [p.value for p in extract(ad(body, **kw)).phones]


# --------------------------------------------------------------------------- phones

@pytest.mark.parametrize("text, e164", [
    ("bel 06-12345678", "+31612345678"),
    ("bel 06 12 34 56 78 schat", "+31612345678"),
    ("tel: 06.12.34.56.78", "+31612345678"),
    ("06/123 456 78", "+31612345678"),
    ("(06) 1234 5678", "+31612345678"),
    ("+31 6 1234 5678", "+31612345678"),
    ("+31 (0)6 12345678", "+31612345678"),
    ("0031 612345678", "+31612345678"),
    ("O6-12345678", "+31612345678"),
    ("o6 l2345678", "+31612345678"),
    ("nul zes een twee drie vier vijf zes zeven acht", "+31612345678"),
    ("zero six one two three four five six seven eight", "+31612345678"),
    ("0️⃣6️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣", "+31612345678"),
    ("０６−１２３４５６７８", "+31612345678"),
    ("010-1234567", "+31101234567"),
    ("+40 721 234 567", "+40721234567"),
    ("0721 234 567", "+31721234567"),  # no cue: a national number is NL (072 = Alkmaar)
    # 'romania' next to it: the Dutch reading is a landline, the Romanian one a mobile (weak cue)
    ("0721 234 567 romania", "+40721234567"),
    ("0040-721-234-567", "+40721234567"),
    ("zero şapte doi unu doi trei patru cinci şase şapte", "+31721234567"),
    ("+359 88 123 4567", "+359881234567"),
    ("0898 123 456 BG", "+359898123456"),
    ("+36 30 123 4567", "+36301234567"),
    ("06 30 123 4567", "+36301234567"),
    ("+48 512 345 678", "+48512345678"),
    ("+55 (11) 98765-4321", "+5511987654321"),
    ("cero seis", None),
    ("+57 300 123 4567", "+573001234567"),
    ("+58 412-1234567", "+584121234567"),
    ("+1 809 555 1234", "+18095551234"),
    ("+234 803 123 4567", "+2348031234567"),
    ("+66 81 234 5678", "+66812345678"),
    ("+380 50 123 4567", "+380501234567"),
    ("+34 612 34 56 78", "+34612345678"),
    ("seis uno dos tres cuatro cinco seis siete ocho", "+34612345678"),
    ("whatsapp wa.me/31612345678", "+31612345678"),
])
def test_phone_obfuscations(text, e164):
    got = phones(f"Hoi schat, {text} bel me!")
    if e164 is None:
        assert got == []
    else:
        assert e164 in got


def test_phone_span_and_field():
    body = "Lisa hier. Bel O6-12 34 56 78 nu."
    e = extract(ad(body, title="bel 0612345678"))
    assert len(e.phones) == 1  # deduplicated per ad
    p = e.phones[0]
    assert p.field == "title" and (p.start, p.end) == (4, 14)
    e = extract(ad(body))
    p = e.phones[0]
    assert body[p.start:p.end] == p.given == "O6-12 34 56 78"


def test_contact_fields():
    e = extract(ad("hoi", contact={"phone": "06 1234 5678", "whatsapp": "+40721234567", "email": "A@B.nl",
                                   "handle": "@lisa_xx"}))
    assert {p.value: p.field for p in e.phones} == {"+31612345678": "contact.phone",
                                                     "+40721234567": "contact.whatsapp"}
    assert [m.value for m in e.emails] == ["a@b.nl"]
    assert [h.value for h in e.handles] == ["lisa_xx"]


@pytest.mark.parametrize("text", [
    "Prijzen: 100 150 200 250 300 350",
    "150€/30min 250€/60min 400€/2h",
    "Open 10-22h, ma t/m vr 10:00-23:00",
    "Datum 12-04-2025 en 01.02.2024",
    "Ik ben 22 jaar, 1.70m, 55kg, 90-60-90, cup 75C",
    "Postcode 1234 AB, Kerkstraat 12, 3012 KL Rotterdam",
    "IBAN NL91 ABNA 0417 1643 00",
    "Lengte 170 cm, gewicht 60 kg, maat 38",
    "10:00 - 22:00 / 7 dagen / 24/7",
    "2025-01-01 10:00:00",
])
def test_not_phones(text):
    assert phones(text) == []


def test_phone_next_to_time_range():
    assert phones("open 10-22 0612345678") == ["+31612345678"]
    assert phones("06-11111111 / 06-22222222") == ["+31611111111", "+31622222222"]


# --------------------------------------------------------------------------- e-mail, URL, handles

@pytest.mark.parametrize("text, value", [
    ("mail lisa.x@gmail.com", "lisa.x@gmail.com"),
    ("naam [at] gmail [dot] com", "naam@gmail.com"),
    ("naam apenstaartje hotmail punt nl", "naam@hotmail.nl"),
    ("lisa (at) yahoo (dot) com", "lisa@yahoo.com"),
])
def test_emails(text, value):
    assert [m.value for m in extract(ad(text)).emails] == [value]


def test_urls_and_handles():
    body = ("Snap: lisa_xx, telegram @lisa_tg, t.me/lisa99, insta: lisa.ig, onlyfans.com/lisaof, "
            "tiktok.com/@lisatt, www.example.nl/profiel wa.me/31612345678")
    e = extract(ad(body))
    pairs = {h.pair for h in e.handles}
    assert {("snapchat", "lisa_xx"), ("telegram", "lisa_tg"), ("telegram", "lisa99"), ("instagram", "lisa.ig"),
            ("onlyfans", "lisaof"), ("tiktok", "lisatt"), ("whatsapp", "+31612345678")} <= pairs
    assert "+31612345678" in [p.value for p in e.phones]
    urls = [u.value for u in e.urls]
    assert any("example.nl/profiel" in u for u in urls) and any("t.me/lisa99" in u for u in urls)
    for h in e.handles:
        assert body[h.start:h.end] == h.given


# --------------------------------------------------------------------------- ages

@pytest.mark.parametrize("text, age", [
    ("Lisa, 22 jaar, nieuw", 22), ("sexy 22yo girl", 22), ("tengo 23 años", 23), ("tenho 24 anos", 24),
    ("am 19 ani", 19), ("mam 19 lat", 19), ("age: 21", 21), ("leeftijd: 25", 25), ("I am twenty-one", 21),
    ("pas 18 geworden", 18), ("eenentwintig jaar", 21), ("veintidós años", 22), ("vinte e dois anos", 22),
])
def test_ages_in_text(text, age):
    ages = extract(ad(text)).ages
    assert [(a.value, a.source) for a in ages] == [(age, "text")]


def test_age_field_and_plausibility():
    e = extract(ad("hoi", stated_age="24 jaar"))
    assert [(a.value, a.source, a.field) for a in e.ages] == [(24, "field", "stated_age")]
    assert extract(ad("12 jaar oud")).ages == ()
    assert extract(ad("75 jaar")).ages == ()
    assert extract(ad("18+ only, 100 euro, 30 min")).ages == ()


# --------------------------------------------------------------------------- nationalities

@pytest.mark.parametrize("text, code", [
    ("roemeense dame", "RO"), ("brasileira quente", "BR"), ("polka", "PL"), ("magyar lány", "HU"),
    ("българка", "BG"), ("colombiana", "CO"), ("Dominicaanse", "DO"), ("thai massage", "TH"),
    ("latina caliente", "latina"), ("aziatisch meisje", "asian"), ("oost-europees", "east-european"),
    ("românca", "RO"), ("romanca", "RO"), ("venezolana", "VE"), ("nigeriaanse", "NG"), ("oekraïense", "UA"),
])
def test_nationalities(text, code):
    assert code in [n.value for n in extract(ad(f"Nieuwe {text} in de stad")).nationalities]


# --------------------------------------------------------------------------- places

@pytest.mark.parametrize("location, name, district", [
    ("Den Bosch", "'s-Hertogenbosch", None), ("'s-Hertogenbosch", "'s-Hertogenbosch", None),
    ("Den Haag", "'s-Gravenhage", None), ("The Hague", "'s-Gravenhage", None),
    ("'s-Gravenhage", "'s-Gravenhage", None), ("Scheveningen", "'s-Gravenhage", "Scheveningen"),
    ("Rotterdam Centrum", "Rotterdam", "Centrum"), ("Amsterdam Zuidoost", "Amsterdam", "Zuidoost"),
    ("Almere Haven", "Almere", "Almere Haven"), ("Hoofddorp", "Haarlemmermeer", "Hoofddorp"),
    ("Zaandam", "Zaanstad", "Zaandam"), ("Best", "Best", None), ("Alphen a/d Rijn", "Alphen aan den Rijn", None),
    ("De Pijp, Amsterdam", "Amsterdam", "De Pijp"), ("Sudwest-Fryslan", "Súdwest-Fryslân", None),
])
def test_city_from_location(location, name, district):
    c = extract(ad("hoi", location=location)).city
    assert c is not None and c.municipality == name and c.district == district
    assert 50.7 < c.lat < 53.6 and 3.3 < c.lon < 7.3
    assert c.field == "location"


def test_city_from_text_and_ambiguous_words():
    e = extract(ad("Nieuw in Utrecht, Overvecht. Best service!"))
    assert e.city.municipality == "Utrecht"
    assert "Best" not in [p.municipality for p in e.places]
    e = extract(ad("Ik ontvang in Best, vlakbij Eindhoven"))
    assert e.city.municipality == "Best"
    assert extract(ad("buren, huizen, goes")).city is None


def test_municipality_list_complete():
    from vigil.ads import extract as x

    munis = x._MUNI["municipalities"]
    assert len(munis) == 342 and len({m["code"] for m in munis}) == 342


# --------------------------------------------------------------------------- prices

@pytest.mark.parametrize("text, expected", [
    ("150€/30min", (150, "EUR", 30)), ("€ 200 p/u", (200, "EUR", 60)), ("100 rosas", (100, "ROSES", None)),
    ("1h 180", (180, None, 60)), ("half uur 100 euro", (100, "EUR", 30)), ("30 min: 120€", (120, "EUR", 30)),
    ("200 lei", (200, "RON", None)), ("€250 per uur", (250, "EUR", 60)),
])
def test_prices(text, expected):
    got = [(p.amount, p.currency, p.minutes) for p in extract(ad(text)).prices]
    assert got == [expected]


def test_price_list():
    got = [(p.amount, p.minutes) for p in extract(ad("150€/30min, 250€/60min")).prices]
    assert got == [(150, 30), (250, 60)]


# --------------------------------------------------------------------------- language

@pytest.mark.parametrize("text, lang", [
    ("Hoi lieve heren, ik ben nieuw in de stad en ontvang je graag discreet", "nl"),
    ("Hi gentlemen, I am new in town and waiting for your call", "en"),
    ("Hola cariño, soy nueva en la ciudad, llámame para una cita", "es"),
    ("Olá amor, sou nova na cidade, me liga para marcar", "pt"),
    ("Sunt nouă în oraș, foarte dulce și discretă, sună-mă", "ro"),
    ("Cześć, jestem nowa w mieście, bardzo miła, zadzwoń do mnie", "pl"),
    ("Szia, új vagyok a városban, hívj fel bátran", "hu"),
    ("Здравейте, нова съм в града, обадете ми се", "bg"),
])
def test_language(text, lang):
    assert detect_language(text) == lang
    assert extract(ad(text)).language == lang


def test_language_unsure():
    assert detect_language("06-12345678 !!!") is None
    assert detect_language("") is None
    assert set(LANGUAGES) >= {"nl", "en", "th"}


# --------------------------------------------------------------------------- images

def test_phash(tmp_path):
    from PIL import Image

    img = Image.new("RGB", (64, 64))
    for x in range(64):
        for y in range(64):
            img.putpixel((x, y), ((x * 4) % 256, (y * 4) % 256, ((x + y) * 2) % 256))
    p = tmp_path / "a.png"
    img.save(p)
    h = phash_file(p)
    assert h is not None and len(h) == 16 and int(h, 16) >= 0
    bad = tmp_path / "not.png"
    bad.write_bytes(b"not an image at all")
    assert phash_file(bad) is None
    assert phash_file(tmp_path / "missing.jpg") is None


def test_image_hashes_validated():
    e = extract(ad("x", images=[{"phash": "A1B2C3D4E5F60718"}, {"phash": "zz"}, {"phash": 5}, "junk", {}]))
    assert e.image_hashes == ("a1b2c3d4e5f60718",)


# --------------------------------------------------------------------------- junk input

@pytest.mark.parametrize("junk", [
    None, 5, "string", [], {}, {"body": None}, {"body": 12345}, {"title": 3.5, "body": b"\xff\xfe\x00bytes"},
    {"body": "x", "contact": "not a dict", "images": "nope", "extra": [1, 2]},
    {"body": "x", "contact": {"phone": 612345678, "email": ["a"], "handle": {"x": 1}}, "stated_age": 22},
    {"body": "".join(chr(random.Random(1).randrange(0, 0x10FFFF)) for _ in range(5000))},
    {"body": bytes(random.Random(2).getrandbits(8) for _ in range(5000)).decode("latin-1")},
    {"body": "\ud800 lone surrogate 06-12345678"},
])
def test_junk_never_raises(junk):
    assert isinstance(extract(junk), Extraction)


def test_ten_megabyte_body():
    body = ("Hoi 06-12345678 150€/30min 22 jaar roemeense Rotterdam " * 2000 + "1 " * 100_000)
    body = (body * 10)[:10_000_000]
    e = extract(ad(body))
    assert "+31612345678" in [p.value for p in e.phones]
    e = extract(ad("1" * 10_000_000))
    assert isinstance(e, Extraction)


# --------------------------------------------------------------------------- property test

_NL_PREFIX = ["06", "+31 6", "+316", "0031 6", "+31 (0)6", "O6", "o6"]
_FOREIGN = [("+40 72", 7, "+4072"), ("+359 88", 7, "+35988"), ("+48 5", 8, "+485"), ("+34 6", 8, "+346"),
            ("+55 11 9", 8, "+55119"), ("+57 300", 7, "+57300"), ("+36 30", 7, "+3630"), ("+380 50", 7, "+38050")]
_WORD = {"nl": "nul een twee drie vier vijf zes zeven acht negen".split(),
         "en": "zero one two three four five six seven eight nine".split(),
         "es": "cero uno dos tres cuatro cinco seis siete ocho nueve".split()}
_FILLER = ["Hoi schat", "bel me", "nieuw in Rotterdam", "Kisses", "tel", "app mij", "discreet", "prijs op aanvraag"]


@st.composite
def ad_with_number(draw):
    foreign = draw(st.booleans())
    if foreign:
        prefix, n, e164_prefix = draw(st.sampled_from(_FOREIGN))
        sub = draw(st.text("0123456789", min_size=n, max_size=n))
        e164 = e164_prefix + sub
    else:
        prefix = draw(st.sampled_from(_NL_PREFIX))
        sub = draw(st.sampled_from("12345")) + draw(st.text("0123456789", min_size=7, max_size=7))
        e164 = "+316" + sub
    style = draw(st.sampled_from(["sep", "sep", "words", "keycap", "fullwidth"]))
    if style == "words" and not foreign and prefix in ("06", "O6", "o6"):
        lang = draw(st.sampled_from(list(_WORD)))
        written = " ".join(_WORD[lang][int(c)] for c in "06" + sub)
    elif style == "keycap" and not foreign and prefix == "06":
        written = "".join(c + "\ufe0f\u20e3" for c in "06" + sub)
    elif style == "fullwidth":
        written = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in prefix + " " + sub)
    else:
        sep = draw(st.sampled_from(["", " ", "-", ".", " - ", "/", "  "]))
        size = draw(st.sampled_from([2, 3, 4]))
        groups = [sub[i:i + size] for i in range(0, len(sub), size)]
        written = prefix + draw(st.sampled_from(["", " ", "-"])) + sep.join(groups)
    before = " ".join(draw(st.lists(st.sampled_from(_FILLER), max_size=3)))
    after = " ".join(draw(st.lists(st.sampled_from(_FILLER), max_size=3)))
    return f"{before} {written} {after}", e164


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ad_with_number())
def test_property_numbers_always_found(case):
    body, e164 = case
    assume(phonenumbers.is_valid_number(phonenumbers.parse(e164)))
    found = extract(ad(body))
    values = [p.value for p in found.phones]
    assert e164 in values, (body, values)


# --------------------------------------------------------------------------- split numbers, cues, odd forms

def test_split_number_body_and_contact_joined():
    got = phones("Sms of bel 06 52 46 … Tot snel!", contact={"phone": "… 5963"})
    assert got == ["+31652465963"]
    two = phones("Bel 06 1587 … / 062 354 …", contact={"phone": "… 6070", "whatsapp": "… 2575"})
    assert set(two) == {"+31615876070", "+31623542575"}


def test_split_foreign_number_uses_the_cue_before_it():
    got = phones("Apel (număr românesc) 072 945 … mulțumesc", contact={"phone": "… 4726"})
    assert got == ["+40729454726"]


@pytest.mark.parametrize("text, e164", [
    ("🇷🇴 0774 429 081", "+40774429081"),                    # flag
    ("0774 429 081 🇷🇴", "+40774429081"),
    ("RO: 0774429081", "+40774429081"),                      # country tag
    ("0774429081 (Roemeens nummer)", "+40774429081"),
    ("0761 155 302 (Romanian number)", "+40761155302"),
    ("(număr românesc) 0761 155 302", "+40761155302"),
    ("062 354 2575 (Thai number)", "+66623542575"),          # the Dutch reading is a valid 06 too
    ("🇹🇭 062 354 2575", "+66623542575"),
    ("0412 1234567 (número venezolano)", "+584121234567"),
    ("(51) 97728-7487 (número brasileiro)", "+5551977287487"),
    ("🇪🇸 623 11 70 73", "+34623117073"),
    ("UA: 098 364 01 96", "+380983640196"),                  # 098 is Bulgarian without the tag
    ("089/5307544 (Thai number)", "+66895307544"),
])
def test_country_cue_next_to_number(text, e164):
    assert phones(f"Bel of app: {text} groetjes") == [e164]


@pytest.mark.parametrize("text, e164", [
    ("0774 429 081", "+31774429081"),   # Venlo: no cue, the Dutch reading is valid
    ("0761 155 302", "+31761155302"),   # Breda
    ("062 354 2575", "+31623542575"),   # Dutch mobile
])
def test_no_cue_keeps_dutch_reading(text, e164):
    assert phones(f"Bel of app: {text} groetjes") == [e164]


def test_cue_country_code_elsewhere_in_the_ad():
    got = phones("Apel sau WhatsApp 0774429081 grăbește-te", contact={"phone": "+40 774 429 081"})
    assert got == ["+40774429081"]
    wa = phones("Info 087 552 0726", contact={"whatsapp": "wa.me/359875520726"})
    assert wa == ["+359875520726"]
    # a different number with a country code is no cue for this one
    other = phones("Bel 0774429081", contact={"phone": "+40 721 234 567"})
    assert set(other) == {"+31774429081", "+40721234567"}


def test_weak_cue_nationality_or_language_only_when_dutch_reading_is_not_mobile():
    assert phones("Angel, 23 ani, româncă. Sună la 0774429081") == ["+40774429081"]
    assert phones("Svitlana, 22 jaar, Oekraïense. Bel 0983640196") == ["+380983640196"]
    assert phones("Soy Nerea, española. WhatsApp 60-34-21-82-9") == ["+34603421829"]
    # a valid Dutch mobile stays Dutch whatever the nationality
    assert phones("Angel, 23 ani, româncă. Sună la 0612345678") == ["+31612345678"]
    ro = ("Bună, sunt o fată nouă în oraș, foarte dulce și senzuală. Te aștept la mine acasă, "
          "discreție garantată. Sună acum la 0774429081")
    assert phones(ro) == ["+40774429081"]


@pytest.mark.parametrize("text, e164", [
    ("cero seis 415 174 56", "+31641517456"),            # digit words mixed with digits
    ("nul zes drie acht 72 32 38", "+31638723238"),
    ("0 6 1 2 3 4 5 6 7 8", "+31612345678"),              # spaced single digits
    ("o6 l2O5 73 5I", "+31612057351"),                    # letters for digits, also at the end
    ("O6-455-3833-o", "+31645538330"),
    ("o62I5283lO", "+31621528310"),
    ("O64 245 437 I", "+31642454371"),
    ("06-18-1911-77", "+31618191177"),                    # not a date
    ("(06) 2015-06-31", "+31620150631"),                  # not an ISO date
    ("06/15081353", "+31615081353"),
])
def test_more_obfuscations(text, e164):
    assert phones(f"Bel me: {text} groetjes") == [e164]


def test_english_i_after_a_number_is_not_a_digit():
    assert phones("Call 0612345678 I love to meet you") == ["+31612345678"]
    assert phones("Call 062.00.2345.6 I'm waiting") == ["+31620023456"]
    assert phones("Hívj: O6l 2O5 735 I 100% valódi képek") == ["+31612057351"]
    assert phones("Call me at Il933Il28o4 (número brasileiro)") == ["+5511933112804"]
    # a separate 'O' after a complete number is a word (Romanian 'o fată'); an incomplete one needs it
    assert phones("📞 🇷🇴 0753 823 237 O fată sexy") == ["+40753823237"]
    assert phones("bel O64 245 437 I groetjes") == ["+31642454371"]
    assert phones("📞 06 14160079 / BR: lI 93 36 38 5o 3") == ["+31614160079", "+5511933638503"]
    assert phones("Voor een afspraak: 🇵🇱 78422947S Cup E") == ["+48784229475"]


def test_two_numbers_separated_by_slash_stay_apart():
    got = phones("Info en afspraak via 06-502-18-122 / 06 47091574")
    assert got == ["+31650218122", "+31647091574"]
    flagged = phones("Bel 06 24536344 / 🇳🇬 0806 572 5714")
    assert flagged == ["+31624536344", "+2348065725714"]


@pytest.mark.parametrize("body", [
    "Mijn nummer: 06 30892711 1.71 m, maat 36.",      # height right after the number
    "Bel 0630892711\n1,71m lang",
    "Call 06 30892711 100% real photos",
])
def test_numbers_next_to_distractors(body):
    assert phones(body) == ["+31630892711"]


@pytest.mark.parametrize("body", [
    "Open 18-04h, prijs 30 min €70 / 1 uur €120.",
    "Datum 12-04-2024, ref. 5586193, postcode 2591 SV, huisnummer 201.",
    "Lengte 1,59m, 58 kg, cup 80C. Bereikbaar 18.00-20.00.",
])
def test_distractors_are_not_phones(body):
    assert phones(body) == []
