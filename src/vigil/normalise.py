"""Normalise identifiers so that the same phone, plate, address or account written
differently links up.

Every identifier is kept twice: as given and normalised. Values that do not pass
validation are never dropped: they come back with ``valid=False``, a short
``problem`` and a best-effort cleaned ``value``, so an investigator can still see
and search them.

Plain Python on purpose (no Django): the importers, the CLI and the tests all use
this module. Every function accepts ``None`` or any junk and never raises. The
hot functions are cached with ``functools.lru_cache`` because imports call them
10^5-10^6 times, mostly with repeated values.
"""

from __future__ import annotations

import datetime as _dt
import gettext
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from urllib.parse import urlsplit

import phonenumbers
import pycountry
from stdnum import iban as _stdnum_iban
from stdnum.exceptions import InvalidChecksum, InvalidLength

__all__ = [
    "Normalised",
    "PartialDate",
    "KINDS",
    "address_key",
    "city",
    "country",
    "document_number",
    "email",
    "handle",
    "house_number",
    "iban",
    "identifier_candidates",
    "normalise",
    "parse_address_line",
    "partial_date",
    "phone",
    "plate",
    "postcode",
    "street",
    "text_key",
    "url",
]

_CACHE = 1 << 16


@dataclass(frozen=True)
class Normalised:
    """One identifier as given and as normalised; invalid values are kept and flagged."""

    given: str
    value: str
    valid: bool
    problem: str = ""
    country: str = ""


_EMPTY = Normalised(given="", value="", valid=False, problem="empty")


def _text(given: object) -> str:
    """Coerce anything (None, int, str) to a stripped str, so callers never crash on junk."""
    if given is None:
        return ""
    if not isinstance(given, str):
        try:
            given = str(given)
        except Exception:
            return ""
    return given.strip()


def _nfkc(s: str) -> str:
    """Fold full-width and compatibility characters (＋３１, ｎｌ) to their plain forms."""
    return s if s.isascii() else unicodedata.normalize("NFKC", s)


# Latin letters that NFKD does not decompose but people type without the accent.
_FOLD_EXTRA = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th",
     "Þ": "TH", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i", "ħ": "h", "Ħ": "H"}
)


def _fold(s: str) -> str:
    """Remove accents (é -> e, ë -> e, ł -> l) so accent-less spellings match."""
    if s.isascii():
        return s
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return s.translate(_FOLD_EXTRA)


# --------------------------------------------------------------------------- text keys

_DROP_IN_WORD = re.compile(r"['’‘`´.]")
_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=_CACHE)
def _text_key(s: str) -> str:
    s = _fold(s).casefold()
    s = _DROP_IN_WORD.sub("", s)
    return _NON_WORD.sub(" ", s).strip()


def text_key(given: object) -> str:
    """Accent- and case-insensitive key for names, streets and cities.

    Apostrophes and dots vanish (``'s``, ``St.``); hyphens and all other
    punctuation become one space: "'s-Gravenhage" -> 's gravenhage'.
    """
    return _text_key(_text(given))


# --------------------------------------------------------------------------- phone

_LEADING_PLUS = re.compile(r"^[^0-9]*\+")
_TRUNK_ZERO = re.compile(r"\(\s*0\s*\)")


@lru_cache(maxsize=_CACHE)
def _phone(s: str, region: str) -> Normalised:
    if not s:
        return _EMPTY
    t = _nfkc(s)
    # '+31 (0)6 ...': the bracketed trunk zero must not end up in the digits.
    t = _TRUNK_ZERO.sub(" ", t)
    digits = phonenumbers.normalize_digits_only(t)
    plus = "+" if _LEADING_PLUS.match(t) else ""
    if not digits:
        return Normalised(s, s, False, "not a valid phone number")
    cleaned = plus + digits
    # Parse the digits only, so any separator ('06_12*34~56 78') is accepted.
    try:
        number = phonenumbers.parse(cleaned, region or None)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_valid_number(number):
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return Normalised(s, e164, True, "", phonenumbers.region_code_for_number(number) or "")
    return Normalised(s, cleaned, False, "not a valid phone number")


def phone(given: object, region: str = "NL") -> Normalised:
    """Phone number in E.164 ('+31612345678'); national numbers are read in ``region``.

    Only the digits (and a leading '+') are used, so obfuscated separators do not
    matter; '00' and '0031' prefixes and a '(0)' after the country code are handled.
    """
    region = (_text(region) or "NL").upper()
    return _phone(_text(given), region)


# --------------------------------------------------------------------------- e-mail

_EMAIL_AT = re.compile(r"\s*[\[({<]\s*(?:at|@|apenstaartje)\s*[\])}>]\s*", re.I)
_EMAIL_DOT = re.compile(r"\s*[\[({<]\s*(?:dot|punt|\.)\s*[\])}>]\s*", re.I)
_WHITESPACE = re.compile(r"\s+")
_EMAIL_OK = re.compile(r"^[^@\s\"(),:;<>\[\]\\]+@(?:[^@\s.\"(),:;<>\[\]\\]+\.)+[^@\s.\"(),:;<>\[\]\\\d]{2,}$")


@lru_cache(maxsize=_CACHE)
def _email(s: str) -> Normalised:
    if not s:
        return _EMPTY
    t = _nfkc(s)
    if t[:7].lower() == "mailto:":
        t = t[7:]
    t = _EMAIL_AT.sub("@", t)
    t = _EMAIL_DOT.sub(".", t)
    t = _WHITESPACE.sub("", t).lower() or s
    ok = bool(_EMAIL_OK.match(t)) and ".." not in t and not t.startswith(".") and ".@" not in t
    return Normalised(s, t, ok, "" if ok else "not a valid e-mail address")


def email(given: object) -> Normalised:
    """E-mail address, trimmed and lowercased; '[at]' / '(dot)' obfuscations are undone.

    Validity is a shape check (local@domain.tld), no DNS look-up.
    """
    return _email(_text(given))


# --------------------------------------------------------------------------- IBAN

_IBAN_PREFIX = re.compile(r"^IBAN[\s:]*", re.I)
_IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}$", re.ASCII)


@lru_cache(maxsize=_CACHE)
def _iban(s: str) -> Normalised:
    if not s:
        return _EMPTY
    try:
        compact = _stdnum_iban.compact(_IBAN_PREFIX.sub("", _nfkc(s))) or s.upper()
    except Exception:
        compact = s.upper()
    cc = compact[:2] if len(compact) >= 2 and compact[:2].isascii() and compact[:2].isalpha() else ""
    if not _IBAN_SHAPE.match(compact):
        return Normalised(s, compact, False, "not a valid IBAN", cc)
    try:
        _stdnum_iban.validate(compact)
    except InvalidChecksum:
        return Normalised(s, compact, False, "IBAN check digits do not match", cc)
    except InvalidLength:
        return Normalised(s, compact, False, "wrong length for an IBAN", cc)
    except Exception:  # ValidationError and anything stdnum may raise on junk
        return Normalised(s, compact, False, "not a valid IBAN", cc)
    return Normalised(s, compact, True, "", cc)


def iban(given: object) -> Normalised:
    """IBAN in compact upper case ('NL91ABNA0417164300'), validated with python-stdnum."""
    return _iban(_text(given))


# --------------------------------------------------------------------------- licence plate

_PLATE_SEPARATORS = re.compile(r"[\s\-.·•_/]+")
# Cyrillic and Greek letters that look like Latin ones (Bulgarian, Ukrainian, Greek plates).
_PLATE_HOMOGLYPHS = str.maketrans("АВЕКМНОРСТУХІЈЅΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEKMHOPCTYXIJSABEZHIKMNOPTYX")
_PLATE_OK = re.compile(r"^(?=.*[A-ZÄÖÜ])(?=.*[0-9])[A-Z0-9ÄÖÜ]{2,8}$")


@lru_cache(maxsize=_CACHE)
def _plate(s: str, cc: str) -> Normalised:
    if not s:
        return _EMPTY
    t = _PLATE_SEPARATORS.sub("", _nfkc(s).upper()).translate(_PLATE_HOMOGLYPHS) or s.upper()
    ok = bool(_PLATE_OK.match(t))
    return Normalised(s, t, ok, "" if ok else "not a valid licence plate", cc)


def plate(given: object, country: str = "NL") -> Normalised:
    """Licence plate, upper case without spaces, dashes or dots: '54-TVR-1' -> '54TVR1'.

    Valid means 2-8 letters/digits with at least one of each (no per-country side
    codes). Cyrillic/Greek look-alike letters become Latin. ``country`` may be a
    code or a name; it defaults to NL.
    """
    c = _country(_text(country))
    return _plate(_text(given), c.value if c.valid else "")


# --------------------------------------------------------------------------- postcode

_POSTCODE = re.compile(r"^([1-9][0-9]{3})[\s\-.]*([A-Z]{2})$", re.ASCII)
_POSTCODE_BAD_LETTERS = frozenset({"SA", "SD", "SS"})


@lru_cache(maxsize=_CACHE)
def _postcode(s: str) -> Normalised:
    if not s:
        return _EMPTY
    t = _nfkc(s).upper()
    m = _POSTCODE.match(t)
    if m and m.group(2) not in _POSTCODE_BAD_LETTERS:
        return Normalised(s, f"{m.group(1)} {m.group(2)}", True, "", "NL")
    return Normalised(s, t or s, False, "not a valid Dutch postcode")


def postcode(given: object) -> Normalised:
    """Dutch postcode as '1234 AB' (4 digits, first not 0, 2 letters other than SA/SD/SS)."""
    return _postcode(_text(given))


# --------------------------------------------------------------------------- house number

_HN_PREFIX = re.compile(r"^(?:HUISNUMMER|NUMMER|NR|NO|N°|#)[\s.:]*", re.ASCII)
_HN_START = re.compile(r"^\s*([0-9]+)(.*)$", re.ASCII | re.DOTALL)
_HN_TOKENS = re.compile(r"[A-Z]+|[0-9]+", re.ASCII)
_HN_DROP = frozenset({"HOOG", "HG", "TOEV"})
_HN_ALIAS = {"HUIS": "H", "HS": "H"}


@lru_cache(maxsize=_CACHE)
def _house_number(s: str) -> Normalised:
    if not s:
        return _EMPTY
    t = _fold(_nfkc(s)).upper()
    m = _HN_START.match(_HN_PREFIX.sub("", t))
    if not m:
        return Normalised(s, _WHITESPACE.sub(" ", t).strip() or s, False, "house number does not start with digits")
    number = m.group(1).lstrip("0") or "0"
    parts = []
    for tok in _HN_TOKENS.findall(m.group(2)):
        if tok in _HN_DROP:
            continue
        if tok[0].isdigit():
            tok = tok.lstrip("0") or "0"
        parts.append(_HN_ALIAS.get(tok, tok))
    letter = ""
    if parts and len(parts[0]) == 1 and parts[0].isalpha():
        letter = parts.pop(0)
    return Normalised(s, number + letter + "".join("-" + p for p in parts), True, "", "")


def house_number(given: object) -> Normalised:
    """House number with its addition in one canonical spelling.

    Rules: a leading 'nr.'/'no.'/'#' is dropped; leading zeros go; the addition is
    split into letter runs and digit runs (anything else only separates). A single
    letter right after the number is glued on (the BAG *huisletter*): '14 a', '14-a'
    -> '14A'. Every other part follows after a dash (BAG *toevoeging*): '87 3' ->
    '87-3', '87-III', '14 bis' -> '14-BIS', '14 zw' -> '14-ZW', '14a2' -> '14A-2'.
    Floor words 'hoog'/'hg' are dropped ('87 3 hoog' -> '87-3'); 'huis'/'hs' become
    'H'. Valid when it starts with digits.
    """
    return _house_number(_text(given))


# --------------------------------------------------------------------------- country

# Names, nouns and adjectives that pycountry (English names + Dutch translations)
# does not know. 'Roemeens(e)' stands for 'Roemeens' and 'Roemeense'. XK (Kosovo) is
# the user-assigned code the EU uses; it is not in ISO 3166.
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "NL": ("Holland", "The Netherlands", "Dutch", "Nederlands(e)", "Nederlander", "Hollands(e)", "Hollander"),
    "BE": ("Belgian", "Belgisch(e)", "Belg"),
    "DE": ("German", "Duits(e)", "Duitser"),
    "FR": ("French", "Frans(e)", "Fransman"),
    "ES": ("Spanish", "Spaans(e)", "Spanjaard", "Spaniard"),
    "PT": ("Portuguese", "Portugees", "Portugese"),
    "IT": ("Italian", "Italiaans(e)", "Italiaan"),
    "GB": ("UK", "Great Britain", "Britain", "England", "British", "English", "Brit", "Brits(e)",
           "Engels(e)", "Engeland", "Groot-Brittannië", "Brittannië", "Engelsman"),
    "IE": ("Irish", "Iers(e)", "Ier"),
    "US": ("America", "American", "Amerika", "Amerikaans(e)", "Amerikaan", "United States of America"),
    "PL": ("Polish", "Pools(e)", "Pool", "Pole"),
    "RO": ("Romanian", "Roemeens(e)", "Roemeen", "Rumania", "Roumania"),
    "BG": ("Bulgarian", "Bulgaars(e)", "Bulgaar"),
    "HU": ("Hungarian", "Hongaars(e)", "Hongaar"),
    "CZ": ("Czech", "Czech Republic", "Tsjechisch(e)", "Tsjech"),
    "SK": ("Slovak", "Slovakian", "Slowaaks(e)", "Slowaak"),
    "SI": ("Slovenian", "Slovene", "Sloveens", "Sloveense", "Sloveen"),
    "HR": ("Croatian", "Kroatisch(e)", "Kroaat"),
    "RS": ("Serbian", "Servisch(e)", "Serviër"),
    "BA": ("Bosnia", "Bosnian", "Bosnisch(e)", "Bosnië", "Bosnië en Herzegovina", "Bosniër"),
    "XK": ("Kosovo", "Kosovar", "Kosovan", "Kosovaars(e)", "Kosovaar"),
    "MK": ("Macedonia", "Macedonian", "Macedonisch(e)", "Macedonië", "North Macedonian",
           "Noord-Macedonisch(e)", "Macedoniër"),
    "AL": ("Albanian", "Albanees", "Albanese"),
    "GR": ("Greek", "Grieks(e)", "Griek"),
    "MD": ("Moldova", "Moldovan", "Moldavian", "Moldavië", "Moldavisch(e)", "Moldaviër"),
    "UA": ("Ukrainian", "Oekraïens(e)", "Oekraïner"),
    "RU": ("Russia", "Russian", "Russisch(e)", "Rus"),
    "BY": ("Belarusian", "Byelorussian", "Belarussisch(e)", "Wit-Russisch(e)", "Wit-Rus", "Wit-Rusland"),
    "LT": ("Lithuanian", "Litouws(e)", "Litouwer"),
    "LV": ("Latvian", "Lets(e)", "Let"),
    "EE": ("Estonian", "Estisch(e)", "Estlands(e)", "Est"),
    "GE": ("Georgian", "Georgisch(e)", "Georgiër"),
    "AM": ("Armenian", "Armeens", "Armeense", "Armeniër"),
    "AZ": ("Azerbaijani", "Azerbeidzjaans(e)"),
    "TR": ("Turkey", "Turkish", "Turks(e)", "Turk"),
    "MA": ("Moroccan", "Marokkaans(e)", "Marokkaan"),
    "DZ": ("Algerian", "Algerijns(e)", "Algerijn"),
    "TN": ("Tunisian", "Tunesisch(e)", "Tunesiër"),
    "LY": ("Libyan", "Libisch(e)", "Libiër"),
    "EG": ("Egyptian", "Egyptisch(e)", "Egyptenaar"),
    "SY": ("Syria", "Syrian", "Syrisch(e)", "Syriër"),
    "IQ": ("Iraqi", "Iraaks(e)", "Irakees", "Irakese"),
    "IR": ("Iranian", "Iraans(e)", "Iraniër", "Persia", "Perzië"),
    "AF": ("Afghan", "Afghaans(e)", "Afghaan"),
    "PK": ("Pakistani", "Pakistaans(e)", "Pakistaan"),
    "IN": ("Indian", "Indiaas", "Indiase", "Indiër"),
    "BD": ("Bangladeshi", "Bengaals(e)", "Bengalees", "Bengalese"),
    "LK": ("Sri Lankan", "Sri Lankaans(e)"),
    "NP": ("Nepalese", "Nepali", "Nepalees"),
    "CN": ("Chinese", "Chinees"),
    "VN": ("Vietnamese", "Vietnamees"),
    "TH": ("Thai", "Thais(e)"),
    "PH": ("Philippines", "Filipino", "Filipina", "Philippine", "Filipijns(e)"),
    "ID": ("Indonesian", "Indonesisch(e)"),
    "MY": ("Malaysian", "Maleisisch(e)"),
    "KH": ("Cambodian", "Cambodjaans(e)"),
    "LA": ("Laotian", "Laotiaans(e)"),
    "MM": ("Burma", "Burmese", "Birma", "Birmees", "Birmese"),
    "MN": ("Mongolian", "Mongools(e)"),
    "KR": ("South Korea", "Korea", "Korean", "South Korean", "Zuid-Korea", "Zuid-Koreaans(e)", "Koreaans(e)"),
    "KP": ("North Korea", "North Korean", "Noord-Korea", "Noord-Koreaans(e)"),
    "JP": ("Japanese", "Japans(e)"),
    "KZ": ("Kazakh", "Kazakhstani", "Kazachs(e)"),
    "UZ": ("Uzbek", "Oezbeeks(e)"),
    "TJ": ("Tajik", "Tadzjieks(e)"),
    "KG": ("Kyrgyz", "Kirgizisch(e)", "Kirgizië"),
    "NE": ("Nigerien",),
    "NG": ("Nigerian", "Nigeriaans(e)", "Nigeriaan"),
    "GH": ("Ghanaian", "Ghanees", "Ghanese"),
    "SL": ("Sierra Leonean", "Sierra Leoons(e)"),
    "GN": ("Guinean", "Guinees", "Guinese"),
    "CI": ("Ivory Coast", "Ivorian", "Ivoorkust", "Ivoriaans(e)"),
    "CM": ("Cameroonian", "Kameroens(e)"),
    "CD": ("DR Congo", "DRC", "Congo-Kinshasa", "Democratic Republic of the Congo",
           "Democratische Republiek Congo"),
    "CG": ("Congo-Brazzaville",),
    "AO": ("Angolan", "Angolees", "Angolese"),
    "CV": ("Cape Verde", "Cape Verdean", "Kaapverdië", "Kaapverdisch(e)"),
    "ER": ("Eritrean", "Eritrees", "Eritrese", "Eritreeër"),
    "ET": ("Ethiopian", "Ethiopisch(e)", "Ethiopiër"),
    "SO": ("Somali", "Somalian", "Somalisch(e)", "Somaliër"),
    "SD": ("Sudanese", "Soedanees", "Soedanese"),
    "SS": ("South Sudanese", "Zuid-Soedanees", "Zuid-Soedanese"),
    "UG": ("Ugandan", "Ugandees", "Ugandese", "Oegandees", "Oegandese"),
    "KE": ("Kenyan", "Keniaans(e)"),
    "YE": ("Yemeni", "Jemenitisch(e)"),
    "BR": ("Brazilian", "Braziliaans(e)", "Braziliaan"),
    "CO": ("Colombian", "Colombiaans(e)", "Colombiaan"),
    "VE": ("Venezuelan", "Venezolaans(e)", "Venezolaan"),
    "DO": ("Dominican", "Dominicaans(e)", "Dominicaan"),
    "SR": ("Surinamese", "Surinaams(e)", "Surinamer"),
    "AW": ("Aruban", "Arubaans(e)"),
    "PE": ("Peruvian", "Peruaans(e)"),
    "EC": ("Ecuadorian", "Ecuadoraans(e)"),
    "BO": ("Bolivian", "Boliviaans(e)"),
    "PY": ("Paraguayan", "Paraguayaans(e)"),
    "MX": ("Mexican", "Mexicaans(e)"),
    "AR": ("Argentinian", "Argentine", "Argentijns(e)"),
    "CL": ("Chilean", "Chileens", "Chileense"),
    "CU": ("Cuban", "Cubaans(e)"),
    "HT": ("Haitian", "Haïtiaans(e)"),
    "JM": ("Jamaican", "Jamaicaans(e)"),
    "SE": ("Swedish", "Zweeds(e)", "Zweed"),
    "NO": ("Norwegian", "Noors(e)", "Noor"),
    "DK": ("Danish", "Deens", "Deense", "Deen"),
    "FI": ("Finnish", "Fins(e)", "Fin"),
    "AT": ("Austrian", "Oostenrijks(e)", "Oostenrijker"),
    "CH": ("Swiss", "Zwitsers(e)", "Zwitser"),
    "LU": ("Luxembourgish", "Luxembourger", "Luxemburgs(e)"),
    "CY": ("Cypriot", "Cypriotisch(e)"),
    "MT": ("Maltese", "Maltees"),
    "AU": ("Australian", "Australisch(e)"),
    "CA": ("Canadian", "Canadees", "Canadese"),
    "IL": ("Israeli", "Israëlisch(e)"),
    "LB": ("Lebanese", "Libanees", "Libanese"),
    "JO": ("Jordanian", "Jordaans(e)"),
    "PS": ("Palestine", "Palestinian", "Palestijns(e)", "Palestina"),
    "SA": ("Saudi", "Saudi Arabia", "Saudi-Arabisch(e)"),
}

_COUNTRY_NOISE = re.compile(r"\b(?:nationaliteit|nationality|citizen|staatsburger|onderdaan)\b")


def _expand_alias(name: str) -> tuple[str, ...]:
    """'Roemeens(e)' -> ('Roemeens', 'Roemeense')."""
    if name.endswith("(e)"):
        return (name[:-3], name[:-3] + "e")
    return (name,)


@cache
def _country_index() -> dict[str, str]:
    """Key (text_key) -> alpha-2, built once on first use.

    Precedence, low to high: the part before a comma of official names
    ('Moldova, Republic of' -> 'moldova', only if unambiguous), Dutch translations
    of pycountry's names, English names, alpha-3/numeric, alpha-2, then
    COUNTRY_ALIASES.
    """
    try:
        nl = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nl"])
        translate = nl.gettext
    except Exception:  # translations missing: English names and aliases still work

        def translate(x: str) -> str:
            return x

    prefixes: dict[str, set[str]] = {}
    dutch: dict[str, str] = {}
    english: dict[str, str] = {}
    codes: dict[str, str] = {}
    for c in pycountry.countries:
        a2 = c.alpha_2
        names = [getattr(c, attr, "") for attr in ("name", "official_name", "common_name")]
        names = [n for n in names if n]
        for n in names:
            english[_text_key(n)] = a2
            dutch.setdefault(_text_key(translate(n)), a2)
            for variant in (n, translate(n)):
                if "," in variant:
                    prefixes.setdefault(_text_key(variant.split(",", 1)[0]), set()).add(a2)
        codes[c.alpha_3.lower()] = a2
        codes[c.numeric] = a2
    index = {k: next(iter(v)) for k, v in prefixes.items() if len(v) == 1}
    index.update(dutch)
    index.update(english)
    index.update(codes)
    index.update({c.alpha_2.lower(): c.alpha_2 for c in pycountry.countries})
    for a2, names in COUNTRY_ALIASES.items():
        index[a2.lower()] = a2
        for name in names:
            for n in _expand_alias(name):
                index[_text_key(n)] = a2
    index.pop("", None)
    return index


@lru_cache(maxsize=4096)
def _country(s: str) -> Normalised:
    if not s:
        return _EMPTY
    key = _text_key(s)
    index = _country_index()
    code = index.get(key)
    if code is None:
        code = index.get(_WHITESPACE.sub(" ", _COUNTRY_NOISE.sub(" ", key)).strip())
    if code is None:
        return Normalised(s, s, False, "unknown country")
    return Normalised(s, code, True, "", code)


def country(given: object) -> Normalised:
    """ISO 3166 alpha-2 code from a code, an English or Dutch name or a nationality.

    'Roemenië', 'Roemeense', 'Romanian', 'ROU', 'ro' -> 'RO'. Accent- and
    case-insensitive; 'nationaliteit'/'nationality' words are ignored.
    """
    return _country(_text(given))


# --------------------------------------------------------------------------- handle

_SOCIAL_URL = re.compile(
    r"^(?:https?://)?(?:www\.|m\.|mobile\.|web\.)?"
    r"(?P<host>t\.me|telegram\.me|telegram\.dog|instagram\.com|instagr\.am|twitter\.com|x\.com|"
    r"tiktok\.com|facebook\.com|fb\.com|snapchat\.com|onlyfans\.com|wa\.me|threads\.net|linktr\.ee|vk\.com)"
    r"(?::\d+)?(?:/+(?P<path>[^?#]*))?",
    re.I,
)
_SOCIAL_SKIP = frozenset({"add", "s", "stories", "u"})
_SOCIAL_NOT_PROFILE = frozenset(
    {"p", "reel", "reels", "explore", "tv", "share", "watch", "hashtag", "i", "intent", "home", "search",
     "profile.php", "groups", "events", "joinchat", "login", "accounts", "tags", "video", "status"}
)
_HANDLE_OK = re.compile(r"^[a-z0-9._-]{2,64}$", re.ASCII)


def _social_url(s: str) -> tuple[str, str] | None:
    """(host, first meaningful path segment) for a known social-media URL, else None."""
    m = _SOCIAL_URL.match(s)
    if not m:
        return None
    segs = [p for p in (m.group("path") or "").split("/") if p]
    while len(segs) > 1 and segs[0].lower() in _SOCIAL_SKIP:
        segs.pop(0)
    return m.group("host").lower(), (segs[0] if segs else "")


@lru_cache(maxsize=_CACHE)
def _handle(s: str) -> Normalised:
    if not s:
        return _EMPTY
    t = _nfkc(s)
    social = _social_url(t)
    if social is not None:
        host, name = social
        if not name or name.lower() in _SOCIAL_NOT_PROFILE:
            return Normalised(s, t, False, "URL is not a profile")
        t = name.lstrip("+") if host == "wa.me" else name
    t = t.lstrip("@").strip().lower() or s.lower()
    ok = bool(_HANDLE_OK.match(t))
    return Normalised(s, t, ok, "" if ok else "not a valid handle")


def handle(given: object) -> Normalised:
    """Social-media handle without '@', lowercased.

    Profile URLs of known sites give their name: 'https://t.me/Lena', 'instagram.com/lena/',
    'tiktok.com/@lena' -> 'lena'; 'wa.me/31612345678' -> '31612345678'. Valid: 2-64 of
    [a-z0-9._-].
    """
    return _handle(_text(given))


# --------------------------------------------------------------------------- URL

_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_NON_WEB_SCHEME = re.compile(r"^(?:mailto|tel|sms|javascript|data|whatsapp|skype|callto):", re.I)
_HOST_OK = re.compile(r"^[^\s/\\@:?#.]+(?:\.[^\s/\\@:?#.]+)+$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@lru_cache(maxsize=_CACHE)
def _url(s: str) -> Normalised:
    if not s:
        return _EMPTY
    t = _nfkc(s)
    if _NON_WEB_SCHEME.match(t):
        return Normalised(s, t, False, "not a web address")
    if t.startswith("//"):
        t = "https:" + t
    elif not _HAS_SCHEME.match(t):
        t = "https://" + t
    try:
        parts = urlsplit(t)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except Exception:
        return Normalised(s, t, False, "not a valid URL")
    while host.startswith("www."):
        host = host[4:]
    netloc = host
    if "@" in parts.netloc:
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + netloc
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    value = f"{scheme}://{netloc}{parts.path.rstrip('/')}"
    if parts.query:
        value += "?" + parts.query
    ok = bool(_HOST_OK.match(host)) and not any(c.isspace() for c in value)
    return Normalised(s, value, ok, "" if ok else "not a valid URL")


def url(given: object) -> Normalised:
    """URL with lowercased scheme and host, no 'www.', default port, fragment or trailing
    slash; 'https://' is added when there is no scheme. Valid when the host has a dot."""
    return _url(_text(given))


# --------------------------------------------------------------------------- document number

_DOC_SEPARATORS = re.compile(r"[\s\-./_]+")
_DOC_OK = re.compile(r"^[A-Z0-9]{5,20}$", re.ASCII)


@lru_cache(maxsize=_CACHE)
def _document_number(s: str) -> Normalised:
    if not s:
        return _EMPTY
    t = _DOC_SEPARATORS.sub("", _nfkc(s).upper()) or s.upper()
    ok = bool(_DOC_OK.match(t))
    return Normalised(s, t, ok, "" if ok else "not a valid document number")


def document_number(given: object) -> Normalised:
    """Identity-document number, upper case without spaces, dashes or dots; valid when
    5-20 letters/digits (no per-country format check)."""
    return _document_number(_text(given))


# --------------------------------------------------------------------------- city and street

# Keys (after text_key) of spellings of one Dutch municipality.
CITY_VARIANTS: dict[str, str] = {
    "s gravenhage": "den haag",
    "sgravenhage": "den haag",
    "gravenhage": "den haag",
    "the hague": "den haag",
    "hague": "den haag",
    "la haye": "den haag",
    "den bosch": "s hertogenbosch",
    "hertogenbosch": "s hertogenbosch",
    "shertogenbosch": "s hertogenbosch",
    "bois le duc": "s hertogenbosch",
}
_CITY_PREFIX = re.compile(r"^(?:gemeente|municipality of) ")
_CITY_AAN_DE = re.compile(r"\b(?:aan den|aan de|a d)\b")


@lru_cache(maxsize=_CACHE)
def _city(s: str) -> Normalised:
    if not s:
        return _EMPTY
    key = _CITY_PREFIX.sub("", _text_key(s))
    key = _CITY_AAN_DE.sub("a d", key)
    key = CITY_VARIANTS.get(key, key)
    if not key:
        return Normalised(s, s.lower(), False, "no letters or digits")
    return Normalised(s, key, True)


def city(given: object) -> Normalised:
    """City key: text_key with known variants merged ("'s-Gravenhage", 'The Hague' ->
    'den haag'; 'Den Bosch' -> 's hertogenbosch'), a leading 'gemeente' dropped and
    'aan de(n)' / 'a/d' written 'a d' (Alphen a/d Rijn = Alphen aan den Rijn)."""
    return _city(_text(given))


# Abbreviations of street-name endings, expanded as a whole token or as the end of one.
STREET_ABBREVIATIONS: dict[str, str] = {
    "str": "straat", "ln": "laan", "wg": "weg", "pln": "plein", "kd": "kade", "gr": "gracht",
}
# A separate 'straat', 'laan' ... is glued to the word before: 'Kerk straat' = 'Kerkstraat'.
_STREET_SUFFIX_WORDS = frozenset(STREET_ABBREVIATIONS.values()) | {"singel", "dijk", "dreef", "hof"}
_STREET_PREFIXES = {"burg": "burgemeester"}
_STREET_ABBR_LONGEST_FIRST = sorted(STREET_ABBREVIATIONS.items(), key=lambda kv: -len(kv[0]))


@lru_cache(maxsize=_CACHE)
def _street(s: str) -> str:
    out: list[str] = []
    for tok in _text_key(s).split():
        full = STREET_ABBREVIATIONS.get(tok) or _STREET_PREFIXES.get(tok)
        if full is None:
            for abbr, word in _STREET_ABBR_LONGEST_FIRST:
                if len(tok) > len(abbr) + 1 and tok.endswith(abbr):
                    full = tok[: -len(abbr)] + word
                    break
        tok = full or tok
        if out and tok in _STREET_SUFFIX_WORDS:
            out[-1] += tok
        else:
            out.append(tok)
    return " ".join(out)


def street(given: object) -> str:
    """Street key: text_key with abbreviated endings expanded ('Kerkstr.' -> 'kerkstraat',
    'Stationswg' -> 'stationsweg'; str/ln/wg/pln/kd/gr), a separate ending glued on
    ('Kerk straat' -> 'kerkstraat') and 'Burg.' -> 'burgemeester'."""
    return _street(_text(given))


# --------------------------------------------------------------------------- partial dates


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, month or day (birth dates are often partial)."""

    given: str
    year: int | None
    month: int | None
    day: int | None
    valid: bool
    problem: str = ""

    def iso(self) -> str:
        """'1999', '1999-04', '1999-04-12', or '' when invalid."""
        if not self.valid or self.year is None:
            return ""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


_MIN_YEAR, _MAX_YEAR = 1900, 2100
_MONTHS = {
    "januari": 1, "january": 1, "jan": 1, "februari": 2, "february": 2, "feb": 2, "febr": 2,
    "maart": 3, "march": 3, "mrt": 3, "mar": 3, "maa": 3, "april": 4, "apr": 4, "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6, "juli": 7, "july": 7, "jul": 7, "augustus": 8, "august": 8,
    "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "october": 10, "okt": 10,
    "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_D_ISO = re.compile(r"^([0-9]{4})(?:[-/.]([0-9]{1,2})(?:[-/.]([0-9]{1,2}))?)?(?:[T ][0-9]{1,2}:[0-9]{2}.*)?$",
                    re.ASCII | re.DOTALL)
_D_COMPACT = re.compile(r"^([0-9]{8})$", re.ASCII)
_D_DMY = re.compile(r"^([0-9]{1,2})\s*[-/.\s]\s*([0-9]{1,2})\s*[-/.\s]\s*([0-9]{4}|[0-9]{2})$", re.ASCII)
_D_MY = re.compile(r"^([0-9]{1,2})\s*[-/.\s]\s*([0-9]{4})$", re.ASCII)
_D_NAMED = re.compile(r"^(?:([0-9]{1,2}) )?([a-z]+) ([0-9]{4})$", re.ASCII)
_D_NAMED_US = re.compile(r"^([a-z]+) ([0-9]{1,2}) ([0-9]{4})$", re.ASCII)


def _two_digit_year(yy: int) -> int:
    """'99' -> 1999, '05' -> 2005: a two-digit year is never in the future."""
    now = _dt.date.today().year
    return 2000 + yy if 2000 + yy <= now else 1900 + yy


def _date_parts(s: str) -> tuple[int, int | None, int | None] | None:
    if m := _D_ISO.match(s):
        y, mo, d = m.groups()
        return int(y), int(mo) if mo else None, int(d) if d else None
    if m := _D_COMPACT.match(s):
        v = m.group(1)
        if _MIN_YEAR <= int(v[:4]) <= _MAX_YEAR and 1 <= int(v[4:6]) <= 12:
            return int(v[:4]), int(v[4:6]), int(v[6:])
        return int(v[4:]), int(v[2:4]), int(v[:2])
    if m := _D_DMY.match(s):
        d, mo, y = m.groups()
        return (_two_digit_year(int(y)) if len(y) == 2 else int(y)), int(mo), int(d)
    if m := _D_MY.match(s):
        return int(m.group(2)), int(m.group(1)), None
    key = _text_key(s)
    if (m := _D_NAMED.match(key)) and m.group(2) in _MONTHS:
        return int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)) if m.group(1) else None
    if (m := _D_NAMED_US.match(key)) and m.group(1) in _MONTHS:
        return int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2))
    return None


@lru_cache(maxsize=_CACHE)
def _partial_date(s: str) -> PartialDate:
    if not s:
        return PartialDate("", None, None, None, False, "empty")
    parts = _date_parts(_nfkc(s))
    if parts is None:
        return PartialDate(s, None, None, None, False, "not a recognised date")
    y, mo, d = parts
    if not _MIN_YEAR <= y <= _MAX_YEAR:
        return PartialDate(s, None, None, None, False, f"year outside {_MIN_YEAR}-{_MAX_YEAR}")
    if mo is not None and not 1 <= mo <= 12:
        return PartialDate(s, None, None, None, False, "month outside 1-12")
    if d is not None:
        try:
            _dt.date(y, mo or 1, d)
        except ValueError:
            return PartialDate(s, None, None, None, False, "no such day in that month")
    return PartialDate(s, y, mo, d, True)


def partial_date(given: object) -> PartialDate:
    """Date to year, month or day precision.

    Accepts ISO ('1999', '1999-04', '1999-04-12', also with a time), Dutch day-first
    ('12-04-1999', '12/04/1999', '12.04.1999', '12-04-99'), month-year ('04-1999'),
    '19990412', and month names in Dutch or English ('12 april 1999', 'mrt 1999',
    'April 12, 1999'). Years must be 1900-2100; two-digit years are never in the future.
    """
    return _partial_date(_text(given))


# --------------------------------------------------------------------------- addresses


def address_key(street: str, house_number: str, postcode: str, city: str) -> str:
    """One deterministic key for linking an address.

    'pc:1234AB:14A' when postcode and house number are valid (unique in NL);
    otherwise 'st:<street key>:<house number>:<city key>' when street and house
    number are given (city may be ''); otherwise ''.
    """
    hn = _house_number(_text(house_number))
    pc = _postcode(_text(postcode))
    if pc.valid and hn.valid:
        return f"pc:{pc.value.replace(' ', '')}:{hn.value}"
    st = _street(_text(street))
    if st and hn.value:
        return f"st:{st}:{hn.value}:{_city(_text(city)).value}"
    return ""


_ADDR_POSTCODE = re.compile(r"(?<![0-9A-Za-z])([1-9][0-9]{3}) ?-? ?([A-Za-z]{2})(?![0-9A-Za-z])", re.ASCII)
# An addition after a space is only taken when it cannot be the start of a city name.
_ADDR_ADDITION_WORD = re.compile(
    r"^(?:[A-Za-z]|[0-9]{1,4}|[IVXivx]{1,4}|bis|hs|huis|hg|hoog|zw|bg|sous|rd|rood|boven|bov|ben|beneden)$"
)
_ADDR_NUMBER = re.compile(r"^[0-9]{1,5}[-/0-9A-Za-z]{0,12}\.?$", re.ASCII)
_ADDR_NR_WORD = re.compile(r"^(?:nr|no|nummer|huisnummer)\.?$", re.I)
_ADDR_COUNTRY_TAIL = frozenset({"nederland", "the netherlands", "netherlands", "holland", "nl", "nld"})


def _split_street_number(seg: str) -> tuple[str, str, str] | None:
    """'Kerkstraat 5-2 Amsterdam' -> ('Kerkstraat', '5-2', 'Amsterdam')."""
    toks = seg.split()
    for i in range(1, len(toks)):
        if _ADDR_NUMBER.match(toks[i]):
            j = _skip_additions(toks, i + 1)
            street_toks = toks[:i]
            while len(street_toks) > 1 and _ADDR_NR_WORD.match(street_toks[-1]):
                street_toks.pop()
            return " ".join(street_toks), " ".join(toks[i:j]), " ".join(toks[j:])
    if len(toks) > 1 and _ADDR_NUMBER.match(toks[0]):
        # Number first, as abroad: '14 Westblaak'. The rest is the street.
        return " ".join(toks[1:]), toks[0], ""
    return None


def _skip_additions(toks: list[str], j: int) -> int:
    while j < len(toks) and (_ADDR_ADDITION_WORD.match(toks[j]) or toks[j] in ("-", "/")):
        j += 1
    return j


@lru_cache(maxsize=_CACHE)
def _parse_address_line(s: str) -> tuple[str, str, str, str]:
    s = _WHITESPACE.sub(" ", _nfkc(s)).strip(" ,;")
    if not s:
        return "", "", "", ""
    pc = pc_city = ""
    matches = [m for m in _ADDR_POSTCODE.finditer(s) if m.group(2).upper() not in _POSTCODE_BAD_LETTERS]
    if matches:
        m = matches[-1]
        pc = f"{m.group(1)} {m.group(2).upper()}"
        after = s[m.end():]
        pc_city = after.split(",", 1)[0].strip(" ;")
        rest_after = after.split(",", 1)[1] if "," in after else ""
        s = s[: m.start()] + "," + rest_after
    street_ = number = city_ = ""
    loose: list[str] = []
    for seg in (x.strip(" ;") for x in s.split(",")):
        if not seg or _text_key(seg) in _ADDR_COUNTRY_TAIL:
            continue
        split = None if number else _split_street_number(seg)
        if split:
            street_, number, tail = split
            if tail and not pc_city:
                city_ = tail
        elif not any(c.isdigit() for c in seg):
            loose.append(seg)
    if pc_city and _text_key(pc_city) not in _ADDR_COUNTRY_TAIL:
        city_ = pc_city
    if not city_ and loose:
        city_ = loose.pop()
    if not street_ and loose:
        street_ = loose.pop(0)
    hn = _house_number(number).value if number else ""
    return street_.strip(" .,"), hn, pc, city_.strip(" .,")


def parse_address_line(full: object) -> dict[str, str]:
    """Split a free-text Dutch address line into street, house_number, postcode, city.

    Handles 'Westblaak 14A, 3012 KL Rotterdam', 'Kerkstraat 5-2 Amsterdam',
    '3012KL Rotterdam, Westblaak 14 a', 'Westblaak 14, Rotterdam', 'Kerkstraat nr. 5'
    and a trailing ', Nederland'. The last postcode in the line is taken and the words
    after it (up to a comma) are the city. The street is the text before the first
    token that starts with 1-5 digits; the house number is that token plus additions
    (a letter, digits, roman numerals, 'bis', 'hs', 'hoog' ...); the rest is the city.
    Without a number, comma-separated parts are street first, city last. Street names
    with digits ('Plein 1944') are misread. postcode and house_number come back
    normalised, street and city as written; missing parts are ''.
    """
    street_, hn, pc, city_ = _parse_address_line(_text(full))
    return {"street": street_, "house_number": hn, "postcode": pc, "city": city_}


# --------------------------------------------------------------------------- dispatch

KINDS = {
    "phone": phone,
    "email": email,
    "iban": iban,
    "plate": plate,
    "postcode": postcode,
    "house_number": house_number,
    "country": country,
    "handle": handle,
    "url": url,
    "document": document_number,
    "city": city,
}


def normalise(kind: str, given: object) -> Normalised:
    """Normalise ``given`` as ``kind`` (a key of KINDS); an unknown kind is a programming
    error and raises ValueError."""
    try:
        fn = KINDS[kind]
    except (KeyError, TypeError):
        raise ValueError(f"unknown identifier kind: {kind!r}") from None
    return fn(given)


_PHONE_SHAPE = re.compile(r"^[0-9\s+().\-/]+$", re.ASCII)
_HAS_DIGIT = re.compile(r"[0-9]")
_HAS_LETTER = re.compile(r"[A-Za-z]")
_URL_SHAPE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.\-]*://|www\.)\S+$|^[^\s@/]+\.[A-Za-z]{2,}/\S*$")


@lru_cache(maxsize=4096)
def _candidates(q: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []

    def add(kind: str, n: Normalised) -> None:
        if n.valid and (kind, n.value) not in out:
            out.append((kind, n.value))

    if not q:
        return ()
    digits = len(_HAS_DIGIT.findall(q))
    if _PHONE_SHAPE.match(q) and digits >= 6:
        add("phone", _phone(q, "NL"))
    if "@" in q[1:] and not q.startswith("@"):
        add("email", _email(q))
    add("iban", _iban(q))
    social = _social_url(q) if "/" in q else None
    if q.startswith("@") or social is not None:
        add("handle", _handle(q))
        if social is not None and social[0] == "wa.me":
            add("phone", _phone("+" + social[1].lstrip("+"), "NL"))
    if _URL_SHAPE.match(q):
        add("url", _url(q))
    if not out and digits:
        if _HAS_LETTER.search(q):
            add("plate", _plate(q, "NL"))
        add("postcode", _postcode(q))
        add("document", _document_number(q))
    return tuple(out)


def identifier_candidates(query: object) -> list[tuple[str, str]]:
    """Every (kind, normalised value) a search-box query could be, valid ones only.

    Plain words give nothing: plates, postcodes and documents need a digit (plates a
    letter too), handles a leading '@' or a profile URL. A query that is a phone,
    e-mail, IBAN, handle or URL is not also offered as plate/document.
    """
    return list(_candidates(_text(query)))
