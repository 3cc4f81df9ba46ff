"""Tests for vigil.normalise: plain functions, no Django and no database."""

import sys
from pathlib import Path

import phonenumbers
import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban

try:
    from vigil import normalise as n
except ImportError:  # package not installed yet: use the src/ layout directly
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from vigil import normalise as n


# --------------------------------------------------------------------------- empty input

ALL_NORMALISED = [
    n.phone, n.email, n.iban, n.plate, n.postcode, n.house_number, n.country, n.handle, n.url,
    n.document_number, n.city,
]


@pytest.mark.parametrize("fn", ALL_NORMALISED, ids=lambda f: f.__name__)
@pytest.mark.parametrize("empty", [None, "", "   ", "\t\n"])
def test_empty_input_is_flagged_not_raised(fn, empty):
    assert fn(empty) == n.Normalised(given="", value="", valid=False, problem="empty")


def test_empty_for_str_functions():
    assert n.text_key(None) == ""
    assert n.street("") == ""
    assert n.partial_date(None) == n.PartialDate("", None, None, None, False, "empty")
    assert n.parse_address_line(None) == {"street": "", "house_number": "", "postcode": "", "city": ""}
    assert n.address_key("", "", "", "") == ""
    assert n.identifier_candidates(None) == []


def test_given_is_only_stripped():
    r = n.phone("  06-12 34 56 78 \n")
    assert r.given == "06-12 34 56 78"


def test_normalised_is_frozen_and_hashable():
    r = n.phone("0612345678")
    with pytest.raises(AttributeError):
        r.value = "x"  # type: ignore[misc]
    assert {r, n.phone("0612345678")} == {r}


# --------------------------------------------------------------------------- phone

@pytest.mark.parametrize(
    "given, expected, cc",
    [
        ("06-12 34 56 78", "+31612345678", "NL"),
        ("0612345678", "+31612345678", "NL"),
        ("+31 6 1234 5678", "+31612345678", "NL"),
        ("0031612345678", "+31612345678", "NL"),
        ("0031 (0)6 12345678", "+31612345678", "NL"),
        ("+31 (0)6 12345678", "+31612345678", "NL"),
        ("+31(0)612345678", "+31612345678", "NL"),
        ("31612345678", "+31612345678", "NL"),
        ("(010) 123 4567", "+31101234567", "NL"),
        ("010-1234567", "+31101234567", "NL"),
        ("020 123 4567", "+31201234567", "NL"),
        ("06.12.34.56.78", "+31612345678", "NL"),
        ("06/12345678", "+31612345678", "NL"),
        ("06_12_34_56_78", "+31612345678", "NL"),
        ("06*12*34*56*78", "+31612345678", "NL"),
        ("06~12~34~56~78", "+31612345678", "NL"),
        ("0 6 1 2 3 4 5 6 7 8", "+31612345678", "NL"),
        ("tel: 06-12345678", "+31612345678", "NL"),
        ("０６１２３４５６７８", "+31612345678", "NL"),
        ("＋31612345678", "+31612345678", "NL"),
        ("+40 721 234 567", "+40721234567", "RO"),
        ("0040721234567", "+40721234567", "RO"),
        ("0040 721 234 567", "+40721234567", "RO"),
        ("+359 88 123 4567", "+359881234567", "BG"),
        ("+48 512 345 678", "+48512345678", "PL"),
        ("+36 20 123 4567", "+36201234567", "HU"),
        ("+234 803 123 4567", "+2348031234567", "NG"),
        ("+55 11 91234-5678", "+5511912345678", "BR"),
        ("+49 151 23456789", "+4915123456789", "DE"),
        ("+32 470 12 34 56", "+32470123456", "BE"),
        ("+44 7400 123456", "+447400123456", "GB"),
        ("+44 20 7946 0958", "+442079460958", "GB"),
    ],
)
def test_phone_valid(given, expected, cc):
    r = n.phone(given)
    assert (r.value, r.valid, r.country, r.problem) == (expected, True, cc, "")


def test_phone_region_for_national_numbers():
    assert n.phone("0721 234 567", region="RO").value == "+40721234567"
    assert n.phone("0721 234 567", region="ro").country == "RO"
    # The same digits read in the Dutch default region are a Dutch number.
    assert n.phone("0721 234 567").value == "+31721234567"


@pytest.mark.parametrize(
    "given, value",
    [
        ("06 12 34 56", "06123456"),
        ("+31 6 1234", "+3161234"),
        ("12345", "12345"),
        ("0612345678 / 0687654321", "06123456780687654321"),
        ("+999 123 456 789", "+999123456789"),
        ("abc", "abc"),
        ("+", "+"),
    ],
)
def test_phone_invalid_kept_and_flagged(given, value):
    r = n.phone(given)
    assert r.given == given
    assert r.value == value
    assert r.valid is False
    assert r.problem == "not a valid phone number"
    assert r.country == ""


def test_phone_non_string_input():
    assert n.phone(612345678).value == "+31612345678"


def test_phone_bad_region_does_not_raise():
    assert not n.phone("0612345678", region="XX").valid
    assert n.phone("+31612345678", region="").valid


# --------------------------------------------------------------------------- e-mail

@pytest.mark.parametrize(
    "given, expected",
    [
        ("Lena@Gmail.com", "lena@gmail.com"),
        ("  lena.ams@gmail.com  ", "lena.ams@gmail.com"),
        ("LENA+ads@Example.co.uk", "lena+ads@example.co.uk"),
        ("mailto:lena@x.nl", "lena@x.nl"),
        ("lena [at] gmail [dot] com", "lena@gmail.com"),
        ("lena(at)gmail(dot)com", "lena@gmail.com"),
        ("lena {at} hotmail (punt) nl", "lena@hotmail.nl"),
        ("lena @ gmail.com", "lena@gmail.com"),
        ("x@y.nl", "x@y.nl"),
    ],
)
def test_email_valid(given, expected):
    r = n.email(given)
    assert (r.value, r.valid) == (expected, True)


@pytest.mark.parametrize(
    "given, value",
    [("x@y", "x@y"), ("lena.gmail.com", "lena.gmail.com"), ("a@@b.nl", "a@@b.nl"), ("@b.nl", "@b.nl"),
     ("a..b@x.nl", "a..b@x.nl"), ("a@x..nl", "a@x..nl"), ("a@x.n1", "a@x.n1"), ("Lena@", "lena@")],
)
def test_email_invalid(given, value):
    r = n.email(given)
    assert (r.value, r.valid, r.problem) == (value, False, "not a valid e-mail address")


# --------------------------------------------------------------------------- IBAN

@pytest.mark.parametrize(
    "given, expected, cc",
    [
        ("NL91 ABNA 0417 1643 00", "NL91ABNA0417164300", "NL"),
        ("nl91abna0417164300", "NL91ABNA0417164300", "NL"),
        ("NL91-ABNA-0417-1643-00", "NL91ABNA0417164300", "NL"),
        ("IBAN: NL91 ABNA 0417 1643 00", "NL91ABNA0417164300", "NL"),
        ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "DE"),
        ("BE71 0961 2345 6769", "BE71096123456769", "BE"),
        ("GB29 NWBK 6016 1331 9268 19", "GB29NWBK60161331926819", "GB"),
        ("RO49 AAAA 1B31 0075 9384 0000", "RO49AAAA1B31007593840000", "RO"),
    ],
)
def test_iban_valid(given, expected, cc):
    r = n.iban(given)
    assert (r.value, r.valid, r.country) == (expected, True, cc)


@pytest.mark.parametrize(
    "given, value, problem",
    [
        ("NL92 ABNA 0417 1643 00", "NL92ABNA0417164300", "IBAN check digits do not match"),
        ("NL91 ABNA 0417 1643", "NL91ABNA04171643", "IBAN check digits do not match"),
        ("12", "12", "not a valid IBAN"),
        ("hello world", "HELLOWORLD", "not a valid IBAN"),
        ("---", "---", "not a valid IBAN"),
    ],
)
def test_iban_invalid(given, value, problem):
    r = n.iban(given)
    assert (r.value, r.valid, r.problem) == (value, False, problem)


def test_iban_invalid_keeps_country():
    assert n.iban("NL92ABNA0417164300").country == "NL"


# --------------------------------------------------------------------------- plate

@pytest.mark.parametrize(
    "given, expected",
    [
        ("54-TVR-1", "54TVR1"),
        ("54 tvr 1", "54TVR1"),
        ("54.tvr.1", "54TVR1"),
        ("54TVR1", "54TVR1"),
        ("GB-123-X", "GB123X"),
        ("1-ABC-23", "1ABC23"),
        ("B 123 ABC", "B123ABC"),
        ("СА 1234 ВХ", "CA1234BX"),  # Bulgarian plate typed in Cyrillic
        ("ＡＢ－１２－ＣＤ", "AB12CD"),
        ("M-ÜK 123", "MÜK123"),
    ],
)
def test_plate_valid(given, expected):
    r = n.plate(given)
    assert (r.value, r.valid, r.country) == (expected, True, "NL")


@pytest.mark.parametrize("given, value", [("ABC", "ABC"), ("123", "123"), ("ab-cd-ef", "ABCDEF"),
                                          ("123456789A", "123456789A"), ("AB#12", "AB#12")])
def test_plate_invalid(given, value):
    r = n.plate(given)
    assert (r.value, r.valid, r.problem) == (value, False, "not a valid licence plate")


def test_plate_country():
    assert n.plate("B 123 ABC", country="RO").country == "RO"
    assert n.plate("B 123 ABC", country="Roemenië").country == "RO"
    assert n.plate("B 123 ABC", country="").country == ""
    assert n.plate("B 123 ABC", country="Narnia").country == ""


# --------------------------------------------------------------------------- postcode

@pytest.mark.parametrize("given", ["1234ab", "1234 AB", "1234-AB", "1234  ab", "1234AB", " 1234 aB ", "１２３４ＡＢ"])
def test_postcode_valid(given):
    r = n.postcode(given)
    assert (r.value, r.valid, r.country) == ("1234 AB", True, "NL")


@pytest.mark.parametrize(
    "given, value",
    [("0123 AB", "0123 AB"), ("1234 SA", "1234 SA"), ("1234sd", "1234SD"), ("1234 ss", "1234 SS"),
     ("12345", "12345"), ("1234", "1234"), ("1234 A", "1234 A"), ("AB 1234", "AB 1234"), ("75008", "75008"),
     ("1234 ABC", "1234 ABC")],
)
def test_postcode_invalid(given, value):
    r = n.postcode(given)
    assert (r.value, r.valid, r.problem) == (value, False, "not a valid Dutch postcode")


# --------------------------------------------------------------------------- house number

@pytest.mark.parametrize(
    "given, expected",
    [
        ("14", "14"),
        ("14A", "14A"),
        ("14 A", "14A"),
        ("14-a", "14A"),
        ("14a", "14A"),
        ("14 - a", "14A"),
        ("87-3", "87-3"),
        ("87 3", "87-3"),
        ("87/3", "87-3"),
        ("87-III", "87-III"),
        ("87 iii", "87-III"),
        ("14 bis", "14-BIS"),
        ("14bis", "14-BIS"),
        ("14 zw", "14-ZW"),
        ("87 3 hoog", "87-3"),
        ("87-3hg", "87-3"),
        ("2 hoog", "2"),
        ("14 huis", "14H"),
        ("14-hs", "14H"),
        ("14-H", "14H"),
        ("14a2", "14A-2"),
        ("14 A 2", "14A-2"),
        ("14A-2", "14A-2"),
        ("014", "14"),
        ("14-02", "14-2"),
        ("nr. 5", "5"),
        ("Nr 5a", "5A"),
        ("no. 5", "5"),
        ("#5", "5"),
        ("14-16", "14-16"),
        ("0", "0"),
        ("１４ａ", "14A"),
    ],
)
def test_house_number(given, expected):
    r = n.house_number(given)
    assert (r.value, r.valid) == (expected, True)


@pytest.mark.parametrize("given, value", [("huis", "HUIS"), ("a 14", "A 14"), ("achter  de kerk", "ACHTER DE KERK"),
                                          ("III", "III")])
def test_house_number_invalid(given, value):
    r = n.house_number(given)
    assert (r.value, r.valid, r.problem) == (value, False, "house number does not start with digits")


# --------------------------------------------------------------------------- country

@pytest.mark.parametrize(
    "given, code",
    [
        # codes
        ("NL", "NL"), ("nl", "NL"), ("NLD", "NL"), ("ROU", "RO"), ("ro", "RO"), ("528", "NL"), ("UK", "GB"),
        # English names
        ("Netherlands", "NL"), ("The Netherlands", "NL"), ("Romania", "RO"), ("Moldova", "MD"),
        ("Republic of Moldova", "MD"), ("Viet Nam", "VN"), ("Vietnam", "VN"), ("Syria", "SY"),
        ("Dominican Republic", "DO"), ("United Kingdom", "GB"), ("Czech Republic", "CZ"), ("Türkiye", "TR"),
        ("Turkey", "TR"), ("Russia", "RU"), ("Ivory Coast", "CI"), ("Kosovo", "XK"),
        # Dutch names
        ("Nederland", "NL"), ("Roemenië", "RO"), ("Bulgarije", "BG"), ("Polen", "PL"), ("Hongarije", "HU"),
        ("Oekraïne", "UA"), ("Brazilië", "BR"), ("Colombia", "CO"), ("Venezuela", "VE"),
        ("Dominicaanse Republiek", "DO"), ("Nigeria", "NG"), ("Thailand", "TH"), ("China", "CN"),
        ("Vietnam", "VN"), ("Marokko", "MA"), ("Turkije", "TR"), ("Eritrea", "ER"), ("Syrië", "SY"),
        ("Duitsland", "DE"), ("België", "BE"), ("Spanje", "ES"), ("Portugal", "PT"), ("Moldavië", "MD"),
        ("Albanië", "AL"), ("Litouwen", "LT"), ("Letland", "LV"), ("Verenigd Koninkrijk", "GB"),
        ("Engeland", "GB"), ("Groot-Brittannië", "GB"), ("Verenigde Staten", "US"), ("Rusland", "RU"),
        ("Wit-Rusland", "BY"), ("Tsjechië", "CZ"), ("Holland", "NL"), ("Ivoorkust", "CI"),
        # English adjectives
        ("Romanian", "RO"), ("Bulgarian", "BG"), ("Polish", "PL"), ("Dutch", "NL"), ("Nigerian", "NG"),
        ("Brazilian", "BR"), ("Hungarian", "HU"), ("Ukrainian", "UA"), ("Colombian", "CO"), ("Venezuelan", "VE"),
        ("Dominican", "DO"), ("Thai", "TH"), ("Vietnamese", "VN"), ("Chinese", "CN"), ("Moroccan", "MA"),
        ("Eritrean", "ER"), ("Syrian", "SY"), ("Moldovan", "MD"), ("Albanian", "AL"), ("Spanish", "ES"),
        ("Portuguese", "PT"), ("German", "DE"), ("Belgian", "BE"), ("British", "GB"), ("Lithuanian", "LT"),
        ("Latvian", "LV"), ("Nigerien", "NE"),
        # Dutch adjectives, both forms
        ("Roemeens", "RO"), ("Roemeense", "RO"), ("Bulgaars", "BG"), ("Bulgaarse", "BG"), ("Pools", "PL"),
        ("Poolse", "PL"), ("Nederlands", "NL"), ("Nederlandse", "NL"), ("Nigeriaans", "NG"),
        ("Nigeriaanse", "NG"), ("Braziliaans", "BR"), ("Braziliaanse", "BR"), ("Hongaars", "HU"),
        ("Hongaarse", "HU"), ("Oekraïens", "UA"), ("Oekraïense", "UA"), ("Colombiaans", "CO"),
        ("Colombiaanse", "CO"), ("Thais", "TH"), ("Thaise", "TH"), ("Vietnamees", "VN"), ("Vietnamese", "VN"),
        ("Marokkaans", "MA"), ("Marokkaanse", "MA"), ("Eritrees", "ER"), ("Eritrese", "ER"), ("Syrisch", "SY"),
        ("Syrische", "SY"), ("Chinees", "CN"), ("Moldavisch", "MD"), ("Albanese", "AL"), ("Spaanse", "ES"),
        ("Portugese", "PT"), ("Duitse", "DE"), ("Belgische", "BE"), ("Venezolaanse", "VE"),
        ("Dominicaanse", "DO"), ("Litouwse", "LT"), ("Letse", "LV"), ("Turkse", "TR"),
        # nouns, noise words, case and accents
        ("Roemeen", "RO"), ("Pool", "PL"), ("Nederlander", "NL"),
        ("Roemeense nationaliteit", "RO"), ("nationality: Romanian", "RO"),
        ("ROEMENIE", "RO"), ("roemenie", "RO"), ("oekraiense", "UA"), ("  syrie ", "SY"), ("BELGIË", "BE"),
    ],
)
def test_country(given, code):
    r = n.country(given)
    assert (r.value, r.valid, r.country) == (code, True, code)


@pytest.mark.parametrize("given", ["Narnia", "xx", "Europe", "Roemeenss", "Afrika"])
def test_country_unknown(given):
    r = n.country(given)
    assert (r.value, r.valid, r.problem, r.country) == (given, False, "unknown country", "")


def test_country_aliases_use_real_codes():
    known = {c.alpha_2 for c in pycountry.countries} | {"XK"}
    assert set(n.COUNTRY_ALIASES) <= known


def test_country_every_alpha2_and_name_round_trips():
    for c in pycountry.countries:
        assert n.country(c.alpha_2).value == c.alpha_2
        assert n.country(c.alpha_3).value == c.alpha_2
        assert n.country(c.name).value == c.alpha_2, c.name


# --------------------------------------------------------------------------- handle

@pytest.mark.parametrize(
    "given, expected",
    [
        ("@Lena_Ams", "lena_ams"),
        ("lena_ams", "lena_ams"),
        ("@@lena", "lena"),
        ("https://t.me/Lena_Ams", "lena_ams"),
        ("t.me/lena_ams", "lena_ams"),
        ("https://telegram.me/lena_ams", "lena_ams"),
        ("instagram.com/lena_ams", "lena_ams"),
        ("https://www.instagram.com/lena_ams/?hl=nl", "lena_ams"),
        ("https://www.tiktok.com/@lena.ams", "lena.ams"),
        ("https://x.com/lena_ams", "lena_ams"),
        ("twitter.com/lena_ams#top", "lena_ams"),
        ("snapchat.com/add/lena-ams", "lena-ams"),
        ("https://onlyfans.com/lena", "lena"),
        ("https://wa.me/31612345678", "31612345678"),
        ("wa.me/+31612345678", "31612345678"),
        ("HTTPS://T.ME/LENA", "lena"),
    ],
)
def test_handle_valid(given, expected):
    r = n.handle(given)
    assert (r.value, r.valid) == (expected, True)


@pytest.mark.parametrize(
    "given, value, problem",
    [
        ("x", "x", "not a valid handle"),
        ("@", "@", "not a valid handle"),
        ("lena ams", "lena ams", "not a valid handle"),
        ("lena!", "lena!", "not a valid handle"),
        ("a" * 65, "a" * 65, "not a valid handle"),
        ("https://www.instagram.com/p/Cxyz/", "https://www.instagram.com/p/Cxyz/", "URL is not a profile"),
        ("https://t.me/", "https://t.me/", "URL is not a profile"),
    ],
)
def test_handle_invalid(given, value, problem):
    r = n.handle(given)
    assert (r.value, r.valid, r.problem) == (value, False, problem)


# --------------------------------------------------------------------------- URL

@pytest.mark.parametrize(
    "given, expected",
    [
        ("https://WWW.Example.COM/Path/?q=1#frag", "https://example.com/Path?q=1"),
        ("HTTP://example.com/", "http://example.com"),
        ("example.com", "https://example.com"),
        ("www.kinky.nl/advertenties/123", "https://kinky.nl/advertenties/123"),
        ("kinky.nl/advertenties/123/", "https://kinky.nl/advertenties/123"),
        ("//cdn.example.com/a.jpg", "https://cdn.example.com/a.jpg"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/a?b=C&d=E", "https://example.com/a?b=C&d=E"),
        ("https://sub.Example.co.uk", "https://sub.example.co.uk"),
    ],
)
def test_url_valid(given, expected):
    r = n.url(given)
    assert (r.value, r.valid) == (expected, True)


@pytest.mark.parametrize("given", ["foo", "localhost:8000/x", "http://[::1", "http://x.nl:99999", "mailto:a@b.nl",
                                   "https://exa mple.com", "http://"])
def test_url_invalid(given):
    r = n.url(given)
    assert r.valid is False
    assert r.value
    assert r.problem


def test_url_idempotent_examples():
    for raw in ["https://WWW.Example.COM/Path/?q=1#frag", "example.com", "www.x.nl/a/"]:
        v = n.url(raw).value
        assert n.url(v).value == v


# --------------------------------------------------------------------------- document number

@pytest.mark.parametrize(
    "given, expected",
    [("NX1234567", "NX1234567"), ("nx 12 34 56 7", "NX1234567"), ("AB12-34.56", "AB123456"),
     ("12345", "12345"), ("SPECI2014", "SPECI2014"), ("RX 123456", "RX123456")],
)
def test_document_number_valid(given, expected):
    r = n.document_number(given)
    assert (r.value, r.valid) == (expected, True)


@pytest.mark.parametrize("given, value", [("abc", "ABC"), ("1234", "1234"), ("A" * 21, "A" * 21), ("AB#123", "AB#123")])
def test_document_number_invalid(given, value):
    r = n.document_number(given)
    assert (r.value, r.valid, r.problem) == (value, False, "not a valid document number")


# --------------------------------------------------------------------------- text_key, city, street

@pytest.mark.parametrize(
    "given, expected",
    [
        ("Hénk  de Vries", "henk de vries"),
        ("'s-Gravenhage", "s gravenhage"),
        ("HENK DE VRIES", "henk de vries"),
        ("  Henk\tde\nVries ", "henk de vries"),
        ("Łódź", "lodz"),
        ("Straße", "strasse"),
        ("Ørsted", "orsted"),
        ("Jan-Willem", "jan willem"),
        ("O'Brien, J.", "obrien j"),
        ("Çağlar Öztürk", "caglar ozturk"),
        ("Nguyễn Văn An", "nguyen van an"),
        ("---", ""),
    ],
)
def test_text_key(given, expected):
    assert n.text_key(given) == expected


@pytest.mark.parametrize(
    "given, key",
    [
        ("'s-Gravenhage", "den haag"), ("s-Gravenhage", "den haag"), ("Den Haag", "den haag"),
        ("The Hague", "den haag"), ("DEN HAAG", "den haag"),
        ("'s-Hertogenbosch", "s hertogenbosch"), ("Den Bosch", "s hertogenbosch"),
        ("'s Hertogenbosch", "s hertogenbosch"),
        ("Rotterdam", "rotterdam"), ("Rotterdam-Zuid", "rotterdam zuid"), ("Gemeente Rotterdam", "rotterdam"),
        ("Alphen a/d Rijn", "alphen a d rijn"), ("Alphen aan den Rijn", "alphen a d rijn"),
        ("Capelle aan den IJssel", "capelle a d ijssel"), ("Zaandam", "zaandam"),
    ],
)
def test_city(given, key):
    r = n.city(given)
    assert (r.value, r.valid) == (key, True)


def test_city_without_letters():
    r = n.city("---")
    assert (r.value, r.valid) == ("---", False)


@pytest.mark.parametrize(
    "given, key",
    [
        ("Westblaak", "westblaak"), ("WESTBLAAK", "westblaak"), ("westblaak", "westblaak"),
        ("Kerkstr.", "kerkstraat"), ("Kerkstr", "kerkstraat"), ("Kerkstraat", "kerkstraat"),
        ("Kerk straat", "kerkstraat"), ("Kerk str.", "kerkstraat"), ("Stationswg", "stationsweg"),
        ("Dorpspln", "dorpsplein"), ("Boompjeskd", "boompjeskade"), ("Keizersgr.", "keizersgracht"),
        ("Burg. de Vlugtln", "burgemeester de vlugtlaan"), ("Burgemeester de Vlugtlaan", "burgemeester de vlugtlaan"),
        ("Laan van Meerdervoort", "laan van meerdervoort"), ("Nieuwe Binnenweg", "nieuwe binnenweg"),
        ("Plein", "plein"), ("Van Alphen-straat", "van alphenstraat"),
    ],
)
def test_street(given, key):
    assert n.street(given) == key


# --------------------------------------------------------------------------- partial dates

@pytest.mark.parametrize(
    "given, iso, parts",
    [
        ("1999", "1999", (1999, None, None)),
        ("1999-04", "1999-04", (1999, 4, None)),
        ("1999-04-12", "1999-04-12", (1999, 4, 12)),
        ("1999-4-2", "1999-04-02", (1999, 4, 2)),
        ("1999/04/12", "1999-04-12", (1999, 4, 12)),
        ("1999-04-12T10:00:00Z", "1999-04-12", (1999, 4, 12)),
        ("1999-04-12 10:00", "1999-04-12", (1999, 4, 12)),
        ("12-04-1999", "1999-04-12", (1999, 4, 12)),
        ("12/04/1999", "1999-04-12", (1999, 4, 12)),
        ("12.04.1999", "1999-04-12", (1999, 4, 12)),
        ("2-4-1999", "1999-04-02", (1999, 4, 2)),
        ("12 04 1999", "1999-04-12", (1999, 4, 12)),
        ("04-1999", "1999-04", (1999, 4, None)),
        ("4/1999", "1999-04", (1999, 4, None)),
        ("12-04-99", "1999-04-12", (1999, 4, 12)),
        ("12-04-05", "2005-04-12", (2005, 4, 12)),
        ("19990412", "1999-04-12", (1999, 4, 12)),
        ("12041999", "1999-04-12", (1999, 4, 12)),
        ("12 april 1999", "1999-04-12", (1999, 4, 12)),
        ("12 Maart 2001", "2001-03-12", (2001, 3, 12)),
        ("12-mrt-2001", "2001-03-12", (2001, 3, 12)),
        ("mei 1999", "1999-05", (1999, 5, None)),
        ("April 12, 1999", "1999-04-12", (1999, 4, 12)),
        ("2024-02-29", "2024-02-29", (2024, 2, 29)),
    ],
)
def test_partial_date_valid(given, iso, parts):
    d = n.partial_date(given)
    assert d.valid and d.problem == ""
    assert d.iso() == iso
    assert (d.year, d.month, d.day) == parts
    assert d.given == given


@pytest.mark.parametrize(
    "given, problem",
    [
        ("31-02-1999", "no such day in that month"),
        ("2023-02-29", "no such day in that month"),
        ("1999-04-31", "no such day in that month"),
        ("1999-13", "month outside 1-12"),
        ("13-1999", "month outside 1-12"),
        ("00-1999", "month outside 1-12"),
        ("1850", "year outside 1900-2100"),
        ("3000-01-01", "year outside 1900-2100"),
        ("abc", "not a recognised date"),
        ("12 foo 1999", "not a recognised date"),
        ("99", "not a recognised date"),
        ("", "empty"),
    ],
)
def test_partial_date_invalid(given, problem):
    d = n.partial_date(given)
    assert (d.valid, d.problem, d.iso()) == (False, problem, "")
    assert (d.year, d.month, d.day) == (None, None, None)


# --------------------------------------------------------------------------- addresses

def _addr(street="", house_number="", postcode="", city=""):
    return {"street": street, "house_number": house_number, "postcode": postcode, "city": city}


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Westblaak 14A, 3012 KL Rotterdam", _addr("Westblaak", "14A", "3012 KL", "Rotterdam")),
        ("Westblaak 14A 3012KL Rotterdam", _addr("Westblaak", "14A", "3012 KL", "Rotterdam")),
        ("3012KL Rotterdam, Westblaak 14 a", _addr("Westblaak", "14A", "3012 KL", "Rotterdam")),
        ("Westblaak 14, 3012 KL Rotterdam, Nederland", _addr("Westblaak", "14", "3012 KL", "Rotterdam")),
        ("Kerkstraat 5-2 Amsterdam", _addr("Kerkstraat", "5-2", "", "Amsterdam")),
        ("Kerkstraat 5 2 hoog, Amsterdam", _addr("Kerkstraat", "5-2", "", "Amsterdam")),
        ("Kerkstraat 5 III Amsterdam", _addr("Kerkstraat", "5-III", "", "Amsterdam")),
        ("Kerkstraat 5 Ede", _addr("Kerkstraat", "5", "", "Ede")),
        ("Kerkstraat nr. 5", _addr("Kerkstraat", "5")),
        ("Westblaak 14, Rotterdam", _addr("Westblaak", "14", "", "Rotterdam")),
        ("Laan van Meerdervoort 100, Den Haag", _addr("Laan van Meerdervoort", "100", "", "Den Haag")),
        ("Oudegracht 14bis, Utrecht", _addr("Oudegracht", "14-BIS", "", "Utrecht")),
        ("Kerkstraat 12 a 1234 AB Ede", _addr("Kerkstraat", "12A", "1234 AB", "Ede")),
        ("Westblaak, Rotterdam", _addr("Westblaak", "", "", "Rotterdam")),
        ("Rotterdam", _addr(city="Rotterdam")),
        ("3012 KL", _addr(postcode="3012 KL")),
        ("3012 KL Rotterdam", _addr(postcode="3012 KL", city="Rotterdam")),
        ("  Westblaak   14A ,  3012kl   Rotterdam  ", _addr("Westblaak", "14A", "3012 KL", "Rotterdam")),
    ],
)
def test_parse_address_line(line, expected):
    assert n.parse_address_line(line) == expected


def test_address_key_by_postcode():
    assert n.address_key("Westblaak", "14 a", "3012kl", "Rotterdam") == "pc:3012KL:14A"
    # Street and city do not matter once postcode and house number are known.
    assert n.address_key("", "14-A", "3012 KL", "") == "pc:3012KL:14A"


def test_address_key_by_street():
    assert n.address_key("Westblaak", "14 a", "", "Rotterdam") == "st:westblaak:14A:rotterdam"
    assert n.address_key("WESTBLAAK", "14A", "bad", "ROTTERDAM") == "st:westblaak:14A:rotterdam"
    assert n.address_key("Kerkstr.", "5", "", "") == "st:kerkstraat:5:"
    assert n.address_key("Binnenhof", "1", "", "'s-Gravenhage") == n.address_key("Binnenhof", "1", "", "Den Haag")


def test_address_key_empty_without_house_number():
    assert n.address_key("Westblaak", "", "3012 KL", "Rotterdam") == ""
    assert n.address_key("", "14", "", "Rotterdam") == ""


def test_address_key_from_parsed_lines_match():
    a = n.address_key(**n.parse_address_line("Westblaak 14A, 3012 KL Rotterdam"))
    b = n.address_key(**n.parse_address_line("3012kl Rotterdam, Westblaak 14 a"))
    assert a == b == "pc:3012KL:14A"


# --------------------------------------------------------------------------- dispatch and candidates

@pytest.mark.parametrize(
    "kind, given, value",
    [
        ("phone", "06-12345678", "+31612345678"), ("email", "X@Y.NL", "x@y.nl"),
        ("iban", "nl91abna0417164300", "NL91ABNA0417164300"), ("plate", "54-tvr-1", "54TVR1"),
        ("postcode", "1234ab", "1234 AB"), ("house_number", "14 a", "14A"), ("country", "Roemenië", "RO"),
        ("handle", "@Lena", "lena"), ("url", "www.x.nl/", "https://x.nl"), ("document", "nx-123", "NX123"),
        ("city", "Den Bosch", "s hertogenbosch"),
    ],
)
def test_normalise_dispatch(kind, given, value):
    assert n.normalise(kind, given).value == value


@pytest.mark.parametrize("kind", ["telefoon", "", None, "PHONE"])
def test_normalise_unknown_kind(kind):
    with pytest.raises(ValueError):
        n.normalise(kind, "x")


@pytest.mark.parametrize(
    "query, expected",
    [
        ("06-12 34 56 78", [("phone", "+31612345678")]),
        ("+40 721 234 567", [("phone", "+40721234567")]),
        ("54-tvr-1", [("plate", "54TVR1"), ("document", "54TVR1")]),
        ("NL91 ABNA 0417 1643 00", [("iban", "NL91ABNA0417164300")]),
        ("x@y.nl", [("email", "x@y.nl")]),
        ("@lena_ams", [("handle", "lena_ams")]),
        ("https://t.me/lena", [("handle", "lena"), ("url", "https://t.me/lena")]),
        ("wa.me/31612345678",
         [("handle", "31612345678"), ("phone", "+31612345678"), ("url", "https://wa.me/31612345678")]),
        ("www.example.com/ad/1", [("url", "https://example.com/ad/1")]),
        ("3012 KL", [("plate", "3012KL"), ("postcode", "3012 KL"), ("document", "3012KL")]),
        ("NX1234567", [("document", "NX1234567")]),
        ("de vries", []),
        ("lena", []),
        ("Westblaak", []),
        ("Roemenië", []),
        ("", []),
        ("12", []),
    ],
)
def test_identifier_candidates(query, expected):
    assert n.identifier_candidates(query) == expected


def test_identifier_candidates_returns_fresh_list():
    a = n.identifier_candidates("0612345678")
    a.append(("x", "y"))
    assert n.identifier_candidates("0612345678") == [("phone", "+31612345678")]


# --------------------------------------------------------------------------- properties

SEPARATORS = st.sampled_from(["", " ", "-", ".", "/", "  ", " - ", "_", "*"])


@st.composite
def dutch_mobiles(draw):
    # 06-1.. to 06-5.. and 06-8.. are allocated mobile ranges.
    digits = draw(st.sampled_from("123458")) + draw(st.text(alphabet="0123456789", min_size=7, max_size=7))
    prefix = draw(st.sampled_from(["06", "+316", "00316", "+31 (0)6", "316"]))
    sep = draw(SEPARATORS)
    return prefix + sep + sep.join(digits[i:i + 2] for i in range(0, 8, 2))


@st.composite
def example_phones(draw):
    region = draw(st.sampled_from(sorted(phonenumbers.SUPPORTED_REGIONS)))
    kind = draw(st.sampled_from([phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]))
    number = phonenumbers.example_number_for_type(region, kind)
    fmt = draw(st.sampled_from([phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.E164]))
    return phonenumbers.format_number(number, fmt) if number else "+31612345678"


@given(st.one_of(dutch_mobiles(), example_phones(), st.text(alphabet="0123456789+ -().", max_size=20)))
def test_phone_idempotent(given_):
    r = n.phone(given_)
    if r.valid:
        again = n.phone(r.value)
        assert again.valid and again.value == r.value and again.country == r.country


@given(dutch_mobiles())
def test_phone_dutch_mobiles_all_valid(given_):
    r = n.phone(given_)
    assert r.valid and r.value.startswith("+316") and len(r.value) == 12


@given(st.one_of(st.text(alphabet="ABCDEFGHKLMNPRSTVXZabcxyz0123456789 -.", max_size=12), st.text()))
def test_plate_idempotent(given_):
    r = n.plate(given_)
    if r.valid:
        assert n.plate(r.value).value == r.value and n.plate(r.value).valid


@st.composite
def postcodes(draw):
    digits = draw(st.integers(1000, 9999))
    letters = draw(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=2, max_size=2))
    return f"{digits}{draw(st.sampled_from(['', ' ', '-', '  ']))}{letters}"


@given(st.one_of(postcodes(), st.text()))
def test_postcode_idempotent(given_):
    r = n.postcode(given_)
    if r.valid:
        assert n.postcode(r.value) == n.Normalised(r.value, r.value, True, "", "NL")
    else:
        assert r.value.upper() == r.value or not given_.strip()


@given(st.one_of(st.text(alphabet="0123456789aAbBhHiIvVxX -/.hoogzwbis", max_size=15), st.text()))
def test_house_number_idempotent(given_):
    r = n.house_number(given_)
    if r.valid:
        again = n.house_number(r.value)
        assert again.valid and again.value == r.value


@st.composite
def ibans(draw):
    """Valid Dutch and German IBANs, written in different ways."""
    if draw(st.booleans()):
        bban = draw(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=4, max_size=4)) + draw(
            st.text(alphabet="0123456789", min_size=10, max_size=10))
        cc = "NL"
    else:
        bban = draw(st.text(alphabet="0123456789", min_size=18, max_size=18))
        cc = "DE"
    number = cc + stdnum_iban.calc_check_digits(cc + "00" + bban) + bban
    spaced = " ".join(number[i:i + 4] for i in range(0, len(number), 4))
    return draw(st.sampled_from([number, number.lower(), spaced, spaced.lower()]))


@given(st.one_of(ibans(), st.text()))
def test_iban_idempotent(given_):
    r = n.iban(given_)
    if r.valid:
        assert n.iban(r.value) == n.Normalised(r.value, r.value, True, "", r.country)


@given(ibans())
def test_generated_ibans_are_valid(given_):
    r = n.iban(given_)
    assert r.valid and r.country in ("NL", "DE") and " " not in r.value


ANY_INPUT = st.one_of(st.none(), st.text(), st.text(alphabet=st.characters(codec="utf-8")), st.integers(),
                      st.binary().map(lambda b: b.decode("latin-1")))


@pytest.mark.parametrize("fn", ALL_NORMALISED, ids=lambda f: f.__name__)
@given(value=ANY_INPUT)
def test_never_raises_normalised(fn, value):
    r = fn(value)
    assert isinstance(r, n.Normalised)
    assert r.given == ("" if value is None else str(value).strip())
    if r.given:
        assert r.value, "value is never empty for non-empty input"
    else:
        assert r.problem == "empty"
    assert r.valid or r.problem


@given(value=ANY_INPUT, region=st.one_of(st.none(), st.text(max_size=3)))
def test_phone_never_raises_any_region(value, region):
    assert isinstance(n.phone(value, region=region), n.Normalised)


@given(value=ANY_INPUT, country_=st.one_of(st.none(), st.text(max_size=10)))
def test_plate_never_raises_any_country(value, country_):
    assert isinstance(n.plate(value, country=country_), n.Normalised)


@given(value=ANY_INPUT)
def test_never_raises_other_functions(value):
    assert isinstance(n.text_key(value), str)
    assert isinstance(n.street(value), str)
    d = n.partial_date(value)
    assert isinstance(d.iso(), str)
    assert d.valid == bool(d.iso())
    parsed = n.parse_address_line(value)
    assert set(parsed) == {"street", "house_number", "postcode", "city"}
    assert isinstance(n.address_key(**parsed), str)
    for kind, v in n.identifier_candidates(value):
        assert n.normalise(kind, v).valid, (kind, v)


@given(st.text(), st.text(), st.text(), st.text())
def test_address_key_never_raises(a, b, c, d):
    assert isinstance(n.address_key(a, b, c, d), str)


@given(st.sampled_from(sorted(n.KINDS)), ANY_INPUT)
def test_normalise_never_raises_for_known_kinds(kind, value):
    assert isinstance(n.normalise(kind, value), n.Normalised)


@given(st.text())
def test_text_key_idempotent(value):
    k = n.text_key(value)
    assert n.text_key(k) == k
    assert k == k.strip() and "  " not in k
