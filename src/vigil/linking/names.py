"""Person names as they appear in signals, parsed into comparable parts.

A signal may write one person as "H.J. de Vries", "de Vries, Hendrik-Jan", "Hendrik Jan de Vries",
"HJ de Vries", "meneer De Vries", "DE VRIES Hendrik Jan" or "Henk de Vries". `parse_name` turns any
of these into a `ParsedName`: folded given names ("hendrik", "jan"), initials ("hj"), the surname
without its particles ("vries") and the particles ("de"). Titles (meneer, mevrouw, dhr, mr, Mrs,
pan, doamna ...) and suffixes (jr, sr) are dropped. Accents and scripts are folded to ASCII with
anyascii, so "Wiśniewski" and "Wisniewski", "Георги" and "Georgi" compare equal.

Which part is the surname is decided in this order: a comma ("Surname, Given"); a surname particle
after the given names ("Hendrik Jan de Vries"); surname in capitals ("WIŚNIEWSKI Tomasz");
otherwise the last word, unless the last word is a known given name and the first is not
("Wiśniewski Tomasz", "Nagy János"). Known given names and surnames come from the person lists
that ship with Faker (25 locales) and from the nickname table.

Nicknames (Henk -> Hendrik, Tomek -> Tomasz, Pepe -> José) are versioned data in
data/nicknames.yaml; `given_name_forms` gives a given name with its formal names.

Written by hand (not nameparser): nameparser is built around English names and does not know Dutch
titles (meneer, dhr), initials written together ("HJ"), surnames in capitals or surname-first order.
"""

from __future__ import annotations

import functools
import importlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import jellyfish
import yaml
from anyascii import anyascii

NICKNAMES_PATH = Path(__file__).with_name("data") / "nicknames.yaml"

# Surname particles (tussenvoegsels and their kin in other languages), folded, lower case.
PARTICLES = frozenset(
    """
    de den der des het 't 's te ten ter van vande vanden vander in op uit aan bij onder over
    von zu vom zum la le les du d' l' di da del della dello dei degli dos das do y e
    al el bin ibn bint ben abu
    """.split()
)
# Particles that can also be a given name: only a particle when more of the surname follows.
_AMBIGUOUS_PARTICLES = frozenset({"ben", "abu", "e", "y", "al", "do", "in", "over"})

TITLES = frozenset(
    """
    meneer mevrouw mevr mw mvr dhr heer hr mej mejuffrouw juffrouw jhr jkvr jonkheer jonkvrouw wed
    weduwe mr mrs ms miss mister madam madame sir dr drs ir ing prof bc ba ma msc phd
    herr frau fraulein pan pani panna domnul doamna domnisoara dl dna d-l d-na
    senor senora senorita sr sra srta dona sig signor signora mme mlle monsieur
    gospodin gospozha g-n g-zha ur urne
    """.split()
)
# Titles that are also (short) given names or initials: dropped only when written with a dot or
# at the start of a name that goes on.
_AMBIGUOUS_TITLES = frozenset({"ma", "ba", "bc", "dl", "ur", "hr", "sir", "dona"})
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "junior", "senior", "ii", "iii", "iv", "jun", "sen"})

_VOWELS = set("aeiouy")
_SPLIT_RE = re.compile(r"[\s]+")
_TOKEN_CLEAN_RE = re.compile(r"[^a-z'\-]")


def fold(text: str | None) -> str:
    """ASCII, lower case, single spaces: 'Wiśniewski ' -> 'wisniewski', 'Георги' -> 'georgi'."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text))
    text = anyascii(text).lower()
    text = text.replace("`", "'")
    return " ".join(text.split())


def _fold_token(token: str) -> str:
    """A folded name word without punctuation other than inner hyphens/apostrophes."""
    t = _TOKEN_CLEAN_RE.sub("", fold(token))
    return t.strip("-")


@dataclass(frozen=True)
class ParsedName:
    """A person's name split into comparable parts (all folded to lower-case ASCII)."""

    raw: str
    given: tuple[str, ...] = ()  # full given names, hyphenated ones split: ("hendrik", "jan")
    initials: str = ""  # initials of the given names, written or derived: "hj"
    surname: str = ""  # surname without particles, words joined by one space: "vries"
    particles: str = ""  # "de", "van der", "van 't"
    titles: tuple[str, ...] = ()  # dropped titles and suffixes, folded
    problems: tuple[str, ...] = field(default=())  # why (part of) the name could not be read

    @property
    def first_given(self) -> str | None:
        return self.given[0] if self.given else None

    @property
    def surname_full(self) -> str:
        """Particles and surname: 'de vries'."""
        return " ".join(p for p in (self.particles, self.surname) if p)

    @property
    def surname_compact(self) -> str:
        """Particles and surname without spaces or hyphens: 'devries', 'vandenberg'."""
        return re.sub(r"[\s'\-]", "", self.surname_full)

    @property
    def is_empty(self) -> bool:
        return not (self.given or self.initials or self.surname)


# --------------------------------------------------------------------------- lexicons


@dataclass(frozen=True)
class NicknameTable:
    version: str
    formal: dict[str, tuple[str, ...]]  # folded nickname -> folded formal names

    def forms(self, given: str) -> tuple[str, ...]:
        """The name itself followed by the formal names it is a nickname of."""
        g = fold(given)
        return (g, *[f for f in self.formal.get(g, ()) if f != g])


@functools.cache
def nickname_table() -> NicknameTable:
    data = yaml.safe_load(NICKNAMES_PATH.read_text(encoding="utf-8"))
    formal: dict[str, list[str]] = {}
    for _lang, entries in (data.get("languages") or {}).items():
        for nick, names in (entries or {}).items():
            key = fold(str(nick))
            bucket = formal.setdefault(key, [])
            for name in names or ():
                f = fold(str(name))
                if f and f != key and f not in bucket:
                    bucket.append(f)
    return NicknameTable(
        version=str(data.get("version", "")), formal={k: tuple(v) for k, v in formal.items() if v}
    )


_FAKER_LOCALES = (
    "nl_NL en_US en_GB pl_PL ro_RO bg_BG es_ES es_MX pt_PT pt_BR hu_HU de_DE fr_FR uk_UA ru_RU tr_TR "
    "cs_CZ sk_SK lt_LT lv_LV it_IT sl_SI hr_HR en_NG en_IN"
).split()


@functools.cache
def _lexicon() -> tuple[frozenset[str], frozenset[str]]:
    """(known given names, known surnames), folded, from Faker's person providers + nicknames."""
    given: set[str] = set()
    surnames: set[str] = set()

    def words(values) -> set[str]:
        out = set()
        for v in values.keys() if isinstance(values, dict) else values:
            out.update(w for w in re.split(r"[\s\-]+", fold(v)) if w)
        return out

    for loc in _FAKER_LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{loc}").Provider
        except Exception:  # pragma: no cover - Faker missing or locale renamed
            continue
        for attr in ("first_names", "first_names_male", "first_names_female"):
            if v := getattr(provider, attr, None):
                given |= words(v)
        for attr in ("last_names", "last_names_male", "last_names_female"):
            if v := getattr(provider, attr, None):
                surnames |= words(v)
    table = nickname_table()
    for nick, formals in table.formal.items():
        given.add(nick)
        given.update(formals)
    surnames -= PARTICLES
    return frozenset(given), frozenset(surnames)


def is_known_given_name(word: str) -> bool:
    return fold(word) in _lexicon()[0]


def _given_only(word: str) -> bool:
    g, s = _lexicon()
    w = fold(word)
    return w in g and w not in s


def _surname_only(word: str) -> bool:
    g, s = _lexicon()
    w = fold(word)
    return w in s and w not in g


def given_name_forms(given: str) -> tuple[str, ...]:
    """'Henk' -> ('henk', 'hendrik', 'hendrikus'); 'Hendrik' -> ('hendrik',)."""
    return nickname_table().forms(given)


# --------------------------------------------------------------------------- parsing


def _is_title(token: str, *, has_more: bool, first: bool = True) -> bool:
    bare = fold(token).rstrip(".")
    if bare not in TITLES or not has_more:
        return False
    if bare in _AMBIGUOUS_TITLES:
        return token.endswith(".") and first
    return True


def _split_initials(token: str) -> list[str] | None:
    """'H.J.' -> ['h', 'j']; 'Th.' -> ['t']; 'HJ' -> ['h', 'j']; None if not initials."""
    if "." in token:
        parts = [p for p in token.split(".") if p]
        if parts and all(len(_fold_token(p)) <= 3 for p in parts) and all(_fold_token(p) for p in parts):
            return [_fold_token(p)[0] for p in parts]
        return None
    letters = _fold_token(token)
    if len(letters) == 1 and letters.isalpha():
        return [letters]
    return None


def _looks_like_glued_initials(token: str, others_have_lower: bool) -> bool:
    """'HJ', 'PJM', 'AJ' written without dots: upper case, 2-4 letters, not a known name."""
    letters = _fold_token(token)
    if not (2 <= len(letters) <= 4 and token.isupper() and letters.isalpha()):
        return False
    if letters in PARTICLES or is_known_given_name(letters) or _surname_only(letters):
        return False
    return others_have_lower or not (set(letters) & _VOWELS)


def _split_particles(words: list[str]) -> tuple[str, str]:
    """['van', 'der', 'berg'] -> ('van der', 'berg'); keeps at least one word as surname."""
    i = 0
    while i < len(words) - 1 and words[i] in PARTICLES:
        i += 1
    # "d'ancona" / "van't" written glued
    particles, rest = words[:i], words[i:]
    if len(rest) == 1:
        m = re.match(r"^(d'|l'|van't|vant')(.+)$", rest[0])
        if m:
            particles.append(m.group(1).replace("vant'", "van 't").replace("van't", "van 't"))
            rest = [m.group(2)]
    surname = " ".join(w.replace("'", "") for w in rest).replace("-", " ")
    return " ".join(particles), " ".join(surname.split())


@functools.lru_cache(maxsize=200_000)
def parse_name(name: str | None = None, *, given_name: str | None = None, surname: str | None = None) -> ParsedName:
    """Parse a name as written (any order) or given/surname fields into a `ParsedName`.

    Never raises on odd input: what cannot be read is listed in `problems` and left empty.
    """
    problems: list[str] = []
    raw_parts = [p for p in (name, given_name, surname) if p is not None and not isinstance(p, str)]
    if raw_parts:
        problems.append(f"name parts that are not text were ignored: {raw_parts!r}")
    name = name if isinstance(name, str) else None
    given_name = given_name if isinstance(given_name, str) else None
    surname = surname if isinstance(surname, str) else None
    raw = " | ".join(p for p in (name, given_name, surname) if p)

    titles: list[str] = []
    given_text = _drop_titles(given_name or "", titles)
    surname_text = _drop_titles(surname or "", titles)
    if surname_text.count(",") == 1:  # "Vries, de"
        left, right = surname_text.split(",")
        surname_text = f"{right} {left}"
    if not (given_text.strip() or surname_text.strip()) and name:
        given_text, surname_text = _split_free_text(name, titles)

    given_words: list[str] = []
    initials: list[str] = []
    for token in _SPLIT_RE.split(given_text.strip()) if given_text.strip() else []:
        ini = _split_initials(token)
        if ini is None and _looks_like_glued_initials(token, others_have_lower=True):
            ini = list(_fold_token(token))
        if ini is not None:
            initials.extend(ini)
            continue
        for piece in re.split(r"-+", _fold_token(token)):
            piece = piece.replace("'", "")
            if piece:
                given_words.append(piece)
                initials.append(piece[0])
    # trailing particles written after the given names ("Vries, Hendrik-Jan de")
    moved: list[str] = []
    while given_words and given_words[-1] in PARTICLES and given_words[-1] not in _AMBIGUOUS_PARTICLES:
        moved.insert(0, given_words.pop())
        initials.pop()
    surname_words = [_fold_token(t) for t in _SPLIT_RE.split(surname_text.strip()) if _fold_token(t)]
    particles, core = _split_particles(moved + surname_words) if (moved or surname_words) else ("", "")
    if core and core in PARTICLES and not particles:
        core, particles = "", core
    parsed = ParsedName(
        raw=raw,
        given=tuple(given_words),
        initials="".join(initials),
        surname=core,
        particles=particles,
        titles=tuple(titles),
        problems=tuple(problems),
    )
    if raw and parsed.is_empty:
        problems.append(f"no name could be read from {raw!r}")
        parsed = ParsedName(raw=raw, titles=tuple(titles), problems=tuple(problems))
    return parsed


def _drop_titles(text: str, titles: list[str]) -> str:
    tokens = [t for t in _SPLIT_RE.split(text.strip()) if t]
    kept = []
    for t in tokens:
        if _is_title(t, has_more=len(tokens) > 1, first=not kept) or fold(t) in SUFFIXES:
            titles.append(fold(t).rstrip("."))
        else:
            kept.append(t)
    return " ".join(kept)


def _split_free_text(text: str, titles: list[str]) -> tuple[str, str]:
    """Split a name written in one field into (given part, surname part), both as written."""
    text = unicodedata.normalize("NFC", text).replace("\u2019", "'").replace("`", "'")
    text = re.sub(r"[\"()\[\]{}<>;:/\\|_*#@!?0-9]+", " ", text)
    # "H.J.de Vries" -> "H.J. de Vries"
    text = re.sub(r"\.(?=[^\s.])", ". ", text)
    if text.count(",") == 1:
        left, right = text.split(",")
        surname_part = _drop_titles(left, titles)
        given_part = _drop_titles(right, titles)
        if surname_part.strip():
            return given_part, surname_part
        text = given_part
    text = text.replace(",", " ")
    tokens = [t for t in _SPLIT_RE.split(text.strip()) if t]
    had_title = False
    kept: list[str] = []
    for i, t in enumerate(tokens):
        # "de heer De Vries": "de" before a title belongs to the title
        if fold(t) == "de" and i + 1 < len(tokens) and fold(tokens[i + 1]).rstrip(".") == "heer":
            continue
        if _is_title(t, has_more=i < len(tokens) - 1, first=not kept) or fold(t) in SUFFIXES:
            titles.append(fold(t).rstrip("."))
            had_title = True
        else:
            kept.append(t)
    tokens = kept
    if not tokens:
        return "", ""
    folded = [_fold_token(t) for t in tokens]
    others_lower = any(any(c.islower() for c in t) for t in tokens)
    is_initial = [
        _split_initials(t) is not None or _looks_like_glued_initials(t, others_lower) for t in tokens
    ]

    # 1. surname in capitals among mixed-case given names: "WIŚNIEWSKI Tomasz", "Tomasz WIŚNIEWSKI"
    caps = [
        len(f) > 1 and t.isupper() and not ini for t, f, ini in zip(tokens, folded, is_initial, strict=True)
    ]
    if any(caps) and not all(caps):
        idx = [i for i, c in enumerate(caps) if c]
        if idx == list(range(idx[0], idx[-1] + 1)) and (idx[0] == 0 or idx[-1] == len(tokens) - 1):
            surname_tokens = tokens[idx[0] : idx[-1] + 1]
            given_tokens = tokens[: idx[0]] + tokens[idx[-1] + 1 :]
            return " ".join(given_tokens), " ".join(surname_tokens)

    # 2. a particle after the given names starts the surname; a leading particle means surname only
    for i, w in enumerate(folded):
        if w in PARTICLES and i < len(tokens) - 1 and not is_initial[i]:
            if w in _AMBIGUOUS_PARTICLES and (i == 0 or folded[i + 1] in PARTICLES):
                continue
            if i == 0:
                return "", " ".join(tokens)
            return " ".join(tokens[:i]), " ".join(tokens[i:])

    # initials first: "H.J. Vries" / "HJ Vries" / "J. Smith"
    if any(is_initial):
        last_initial = max(i for i, f in enumerate(is_initial) if f)
        if last_initial < len(tokens) - 1:
            return " ".join(tokens[: last_initial + 1]), " ".join(tokens[last_initial + 1 :])
        # initials at the end: "Vries H.J."
        first_initial = min(i for i, f in enumerate(is_initial) if f)
        return " ".join(tokens[first_initial:]), " ".join(tokens[:first_initial])

    if len(tokens) == 1:
        if not had_title and is_known_given_name(tokens[0]) and not _surname_only(tokens[0]):
            return tokens[0], ""
        return "", tokens[0]

    # 3. surname first when the last word is a known given name and the first is not
    if (_given_only(tokens[-1]) and not is_known_given_name(tokens[0])) or (
        is_known_given_name(tokens[-1]) and _surname_only(tokens[0])
    ):
        return " ".join(tokens[1:]), tokens[0]
    return " ".join(tokens[:-1]), tokens[-1]


# --------------------------------------------------------------------------- keys


def phonetic_key(word: str | None) -> str:
    """A sound-alike key for blocking: Dutch ij/y and ph/f folded, then metaphone."""
    w = fold(word)
    if not w:
        return ""
    w = re.sub(r"[^a-z]", "", w.replace("ij", "y").replace("ph", "f"))
    if not w:
        return ""
    return jellyfish.metaphone(w).replace(" ", "") or w
