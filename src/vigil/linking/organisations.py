"""Probabilistic resolution of organisations across signals (Fellegi-Sunter with Splink).

One function does the work, with the same arguments and result as `vigil.linking.persons.resolve`::

    from vigil.linking.organisations import resolve

    res = resolve(records, judgements=[("c1", "c7", "different")])
    res.clusters["c1"]        # -> "c1": the smallest record id of c1's cluster
    res.pairs[0].explanation  # -> which level each field fell into and its Bayes factor

A record is a dict: ``id`` (str, required), ``name`` (as written, with or without legal form),
``registration`` (KvK number as written: 8 digits, "KvK 1234 5678" accepted), ``country`` (ISO 3166
alpha-2, alpha-3 accepted), ``city``, ``postcode``, ``address`` (a normalised address key such as
"st:grotemarkt:14a:rotterdam" or "pc:3011AB:14A", compared exactly; it also gives the city or postcode
when those are missing), ``phones`` (E.164; a number without country code is read as Dutch),
``emails``, ``ibans``, ``websites`` (domains or URLs). Every field but ``id`` may be missing; a value
that cannot be read is left out and reported in ``Resolution.problems``, field by field, never raised.

How names are compared: folded (accents, case, punctuation), legal forms removed
(data/legal_forms.yaml: B.V., GmbH, Sp. z o.o., ...), also written without spaces ("Euro Jobs" =
"EuroJobs"), and as a core name without generic trade words (data/trade_words.yaml: "Uitzendbureau
EuroJobs" = "EuroJobs", a weaker level because many businesses share a core name). A name is common
when the records name it in ``COMMON_NAME_PLACES`` or more cities ("Restaurant Lotus"): agreeing on a
common name weighs less than agreeing on a rare one. This frequency is counted here in Python rather
than with Splink's term-frequency adjustments: those count records, so a business mentioned in many
signals would look as common as a name many businesses use, and the hand-made level is the same on
DuckDB and Spark by construction.

What decides, besides the name: the KvK number (the same number is always one organisation unless
judged different; different numbers are never joined by the model, only by a judgement), the place
(address, postcode, city: a different city is evidence against, so the same common name in two cities
with nothing else shared is two businesses), the country, and shared phones, e-mail addresses, IBANs
and websites. Training, clustering and engines are shared with persons (`vigil.linking.resolver`):
trained without labels when there are ``MIN_RECORDS_TO_TRAIN`` records or more, else the built-in
parameters below (rounded from models trained without labels on the synthetic organisations of
`vigil.linking.orgsynth`), or ``model=`` from an earlier resolution.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml

from vigil import normalise
from vigil.linking import names as _names
from vigil.linking import resolver
from vigil.linking.resolver import (  # noqa: F401 - the public types and limits, as in persons
    DEFAULT_MAX_BLOCK_SIZE,
    DEFAULT_THRESHOLD,
    MIN_RECORDS_TO_TRAIN,
    FieldEvidence,
    Judgement,
    LinkedPair,
    ModelSummary,
    Problem,
    Resolution,
    SkippedKey,
    check_judgements,
    custom,
    local_spark_session,
)

__all__ = [
    "Resolution",
    "LinkedPair",
    "FieldEvidence",
    "ModelSummary",
    "Problem",
    "SkippedKey",
    "resolve",
    "check_judgements",
    "name_forms",
    "strip_legal_form",
    "norm_registration",
    "local_spark_session",
    "DEFAULT_THRESHOLD",
    "MIN_RECORDS_TO_TRAIN",
]

DATA = Path(__file__).with_name("data")
LEGAL_FORMS_PATH = DATA / "legal_forms.yaml"
TRADE_WORDS_PATH = DATA / "trade_words.yaml"
COMMON_NAME_PLACES = 3  # a name spread over this many cities or more (see `_places`) is a common name
MIN_TYPO_LENGTH = 6  # shorter names one or two typos apart are other names ("Abc" / "Abd")
KEY_CHARS = 6  # blocking on the first and last characters of a name in a city (more would miss typos, fewer
# makes blocks that grow with the data: "glan|amsterdam")


# =========================================================================== names


@dataclass(frozen=True)
class _Lists:
    legal_version: str
    trade_version: str
    legal_anywhere: re.Pattern[str]
    legal_edges: re.Pattern[str]
    trade_words: dict[str, str | None]  # word -> its sector (None: generic)


def _fold(text: str) -> str:
    """Like a name key: accents and case folded, dots and apostrophes gone, other punctuation a space."""
    text = normalise.text_key(_names.fold(text).replace("&", " "))
    return " ".join(text.split())


def _form_pattern(forms: list[str]) -> str:
    """Alternatives matching each form written with or without its spaces and dots, longest first."""
    variants = set()
    for form in forms:
        with_dots = _names.fold(form)
        spaced = _fold(with_dots.replace(".", " "))  # "B.V." -> "b v"
        joined = _fold(with_dots)  # "b.v." -> "bv", "sp. z o.o." -> "sp z oo"
        variants.update({spaced, joined, spaced.replace(" ", "")})
    variants.discard("")
    return "|".join(re.escape(v) for v in sorted(variants, key=lambda v: (-len(v), v)))


@functools.cache
def _lists() -> _Lists:
    legal = yaml.safe_load(LEGAL_FORMS_PATH.read_text(encoding="utf-8"))
    trade = yaml.safe_load(TRADE_WORDS_PATH.read_text(encoding="utf-8"))
    anywhere = _form_pattern(legal["anywhere"])
    edges = _form_pattern(legal["anywhere"] + legal["at_edges"])
    return _Lists(
        legal_version=str(legal["version"]),
        trade_version=str(trade["version"]),
        legal_anywhere=re.compile(rf"(?<![a-z0-9])(?:{anywhere})(?![a-z0-9])"),
        legal_edges=re.compile(rf"^(?:(?:{edges})(?: |$))+|(?:(?:^| )(?:{edges}))+$"),
        trade_words={**{_fold(w): None for w in trade["generic"]},
                     **{_fold(w): sector for sector, words in trade["sectors"].items() for w in words}},
    )


def strip_legal_form(key: str) -> str:
    """A folded name (`normalise.text_key`) without its legal forms: 'eurojobs b v' -> 'eurojobs'."""
    lists = _lists()
    key = lists.legal_anywhere.sub(" ", key)
    key = " ".join(key.split())
    return " ".join(lists.legal_edges.sub(" ", key).split())


@dataclass(frozen=True)
class NameForms:
    full: str  # folded, without legal form: "uitzendbureau euro jobs"
    compact: str  # without spaces: "uitzendbureaueurojobs"
    core: str  # without trade words and spaces: "eurojobs" (the whole name when nothing else is left)
    tokens: tuple[str, ...]  # the words of the core name: ("euro", "jobs")
    sectors: tuple[str, ...]  # the sectors of its trade words: ("uitzend",)


@functools.lru_cache(maxsize=200_000)
def name_forms(name: str) -> NameForms | None:
    """The comparable forms of an organisation name as written; None when nothing but a legal form is left."""
    full = strip_legal_form(_fold(name))
    if not full:
        return None
    words = full.split()
    trade = _lists().trade_words
    core_words = [w for w in words if w not in trade] or words
    sectors = sorted({s for w in words if (s := trade.get(w))})
    return NameForms(full, "".join(words), "".join(core_words), tuple(dict.fromkeys(core_words)), tuple(sectors))


# =========================================================================== other fields

_KVK_PREFIX = re.compile(r"^\s*(?:k\.?v\.?k\.?|coc)(?:[\s-]*(?:nummer|number|nr|no)\.?)?[:\s#-]*", re.I)


def norm_registration(value: Any) -> tuple[str | None, str | None]:
    """A KvK number as 8 digits; spaces, dots and a 'KvK' prefix are allowed around them."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None, f"not a KvK number: {value!r}"
    text = _KVK_PREFIX.sub("", str(value)).strip()
    digits = re.sub(r"[\s.\-]", "", text)
    if not re.fullmatch(r"\d{8}", digits):
        return None, "not a KvK number (8 digits); ignored"
    return digits, None


def norm_iban(value: Any) -> tuple[str | None, str | None]:
    n = normalise.iban(value)
    return (n.value, None) if n.valid else (None, n.problem or "not an IBAN")


def norm_website(value: Any) -> tuple[str | None, str | None]:
    """The host of a website without 'www.': 'https://www.EuroJobs.nl/contact' -> 'eurojobs.nl'."""
    n = normalise.url(value)
    host = (urlsplit(n.value).hostname or "") if n.value else ""
    host = host.removeprefix("www.")
    if not n.valid or "." not in host or not re.fullmatch(r"[a-z0-9.-]+", host):
        return None, "not a website"
    return host, None


def norm_place(value: Any) -> str | None:
    return normalise.city(value).value or None


_ADDRESS_ST = re.compile(r"^st:[^:]+:[^:]+:(?P<city>[^:]+)$")
_ADDRESS_PC = re.compile(r"^pc:(?P<postcode>[0-9]{4}[a-z]{2}):[^:]+$")


# =========================================================================== preparation

COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "str"),
    ("name_full", "str"),
    ("name_compact", "str"),
    ("name_core", "str"),
    ("name_tokens", "list"),
    ("name_sectors", "list"),  # sectors of the trade words in the name
    ("name_places", "int"),  # over how many cities the records of this (compact) name are spread
    ("registration", "str"),
    ("country", "str"),
    ("city", "str"),
    ("postcode", "str"),
    ("address", "str"),
    ("phones", "list"),
    ("emails", "list"),
    ("ibans", "list"),
    ("websites", "list"),
    # blocking keys (hub values removed)
    ("bk_name", "str"),
    ("bk_name_city", "str"),
    ("bk_core_city", "str"),
    ("bk_head_city", "str"),
    ("bk_tail_city", "str"),
    ("bk_address", "str"),
    ("bk_registration", "str"),
    ("bk_phones", "list"),
    ("bk_emails", "list"),
    ("bk_ibans", "list"),
    ("bk_websites", "list"),
    ("bk_judged", "list"),
    ("bk_em_phone", "str"),
    ("bk_em_email", "str"),
)

_SCALAR_KEYS = {  # blocking key column -> label shown in SkippedKey
    "bk_name": "name",
    "bk_name_city": "name+city",
    "bk_core_city": "core name+city",
    "bk_head_city": "start of name+city",
    "bk_tail_city": "end of name+city",
    "bk_address": "address",
    "bk_registration": "KvK number",
    "bk_em_phone": "phone (training)",
    "bk_em_email": "e-mail (training)",
}
_LIST_KEYS = {
    "bk_phones": ("phone", "phones"),
    "bk_emails": ("e-mail", "emails"),
    "bk_ibans": ("IBAN", "ibans"),
    "bk_websites": ("website", "websites"),
}
_KNOWN_FIELDS = {"id", "name", "registration", "country", "city", "postcode", "address", "phones", "emails", "ibans",
                 "websites"}  # fmt: skip


def _prepare(records: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], list[Problem]]:
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for _i, rec, rid in resolver.read_ids(records):

        def problem(fieldname: str, value: Any, message: str, rid: str = rid) -> None:
            problems.append(Problem(rid, fieldname, value, message))

        row: dict[str, Any] = {name: None for name, _ in COLUMNS}
        row["id"] = rid
        # --- name
        v = rec.get("name")
        if isinstance(v, str):
            if v.strip():
                forms = name_forms(v.strip())
                if forms is None:
                    problem("name", v, "nothing but a legal form; ignored")
                else:
                    row["name_full"], row["name_compact"], row["name_core"] = forms.full, forms.compact, forms.core
                    row["name_tokens"] = list(forms.tokens)
                    row["name_sectors"] = list(forms.sectors) or None
        elif v is not None and not (isinstance(v, float) and math.isnan(v)):
            problem("name", v, "not text; ignored")
        # --- registration, country
        if (v := rec.get("registration")) is not None and resolver.text(v) is not None:
            row["registration"], msg = norm_registration(v)
            if msg:
                problem("registration", v, msg)
        if (v := resolver.text(rec.get("country"))) is not None:
            row["country"], msg = resolver.norm_country(v)
            if msg:
                problem("country", v, msg)
        # --- place
        if (v := resolver.text(rec.get("city"))) is not None:
            row["city"] = norm_place(v)
        if (v := resolver.text(rec.get("postcode"))) is not None:
            row["postcode"] = resolver.norm_postcode(v)
        v = rec.get("address")
        if isinstance(v, str):
            row["address"] = v.strip().lower() or None
        elif v is not None and not (isinstance(v, float) and math.isnan(v)):
            problem("address", v, "not an address key (text); ignored")
        if row["address"]:
            if row["city"] is None and (m := _ADDRESS_ST.match(row["address"])):
                row["city"] = m["city"]
            if row["postcode"] is None and (m := _ADDRESS_PC.match(row["address"])):
                row["postcode"] = m["postcode"].upper()
        # --- identifiers
        resolver.read_identifiers(
            rec, row, (("phones", resolver.norm_phone), ("emails", resolver.norm_email), ("ibans", norm_iban),
                       ("websites", norm_website)), problem,
        )  # fmt: skip
        unknown = set(rec) - _KNOWN_FIELDS
        if unknown:
            problem(",".join(sorted(unknown)), None, "unknown fields ignored")
        rows.append(row)
    places = _places(rows)
    for r in rows:
        if r["name_compact"]:
            r["name_places"] = places.get(r["name_compact"], 0)
    return rows, problems


def _places(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Per name, the effective number of cities its records give (inverse Simpson index, rounded): a business
    mentioned thirty times at home and three times at work sites elsewhere counts one place, a name eight
    restaurants use in eight cities eight."""
    cities: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        if r["name_compact"] and r["city"]:
            cities[r["name_compact"]][r["city"]] += 1
    out = {}
    for name, counts in cities.items():
        total = sum(counts.values())
        out[name] = round(1 / sum((c / total) ** 2 for c in counts.values()))
    return out


def _fill_keys(r: dict[str, Any]) -> None:
    city, compact, core_compact = r["city"], r["name_compact"], r["name_core"]
    r["bk_name"] = compact
    r["bk_name_city"] = f"{compact}|{city}" if compact and city else None
    r["bk_core_city"] = f"{core_compact}|{city}" if core_compact and city and core_compact != compact else None
    # a typo leaves the start or the end of a name as it was
    r["bk_head_city"] = f"{core_compact[:KEY_CHARS]}|{city}" if core_compact and city else None
    r["bk_tail_city"] = f"{core_compact[-KEY_CHARS:]}|{city}" if core_compact and city else None
    r["bk_address"] = r["address"]
    r["bk_registration"] = r["registration"]
    r["bk_em_phone"] = r["phones"][0] if r["phones"] else None
    r["bk_em_email"] = r["emails"][0] if r["emails"] else None


def _on_list_hub(r: dict[str, Any], src: str, hubs: set[str]) -> None:
    """A phone or e-mail shared too widely is no training key either."""
    for col, key in (("phones", "bk_em_phone"), ("emails", "bk_em_email")):
        if src == col and r[key] in hubs:
            r[key] = r[col][0] if r[col] else None


# =========================================================================== model


def _comparisons(present: set[str]) -> list[tuple[str, str, list[Any]]]:
    """(name, description, levels) for the fields that occur in the data; `resolver.comparisons` sets each
    level's m/u (trained, or the built-in priors below). Levels do not depend on which columns are present,
    so a model's parameters always carry over in full."""
    import splink.comparison_level_library as cll

    comps = []
    if "name_full" in present:
        long_enough = f'length("name_compact_l") >= {MIN_TYPO_LENGTH}'
        typo = cll.And(cll.DamerauLevenshteinLevel("name_compact", 1), custom(long_enough, "long"))
        # the core names agree and so do the sectors of the trade words, if both names have some
        core_agrees = cll.And(
            cll.ExactMatchLevel("name_core"),
            cll.Or(custom('"name_sectors_l" IS NULL OR "name_sectors_r" IS NULL', "a name without trade words"),
                   cll.ArrayIntersectLevel("name_sectors", 1)),
        )
        comps.append((
            "name",
            "name without legal form: exact, written together, core name without trade words, typos",
            [
                cll.NullLevel("name_full").configure(label_for_charts="name missing"),
                custom('"name_compact_l" = "name_compact_r" AND "city_l" = "city_r"', "name agrees, in the same city"),
                custom(f'"name_compact_l" = "name_compact_r" AND "name_places_l" >= {COMMON_NAME_PLACES}',
                       "name agrees, a name used in several places"),
                custom('"name_compact_l" = "name_compact_r" AND "name_places_l" <= 1',
                       "name agrees, a name used in one place"),
                cll.ExactMatchLevel("name_full").configure(label_for_charts="name agrees"),
                cll.ExactMatchLevel("name_compact").configure(label_for_charts="name agrees, written together or apart"),
                cll.And(core_agrees, custom('"city_l" = "city_r"', "same city")).configure(
                    label_for_charts="name agrees without trade words, in the same city"),
                cll.And(core_agrees).configure(label_for_charts="name agrees without trade words"),
                cll.And(typo, custom('"city_l" = "city_r"', "same city")).configure(
                    label_for_charts="name one typo apart, in the same city"),
                cll.And(typo).configure(label_for_charts="name one typo apart"),
                cll.Or(
                    cll.And(cll.DamerauLevenshteinLevel("name_compact", 2), custom(long_enough, "long")),
                    cll.ArrayIntersectLevel("name_tokens", 1),
                ).configure(label_for_charts="name two typos apart or a word in common"),
                cll.ElseLevel().configure(label_for_charts="names differ"),
            ],
        ))  # fmt: skip
    if "registration" in present:
        comps.append((
            "registration",
            "KvK number",
            [
                cll.NullLevel("registration").configure(label_for_charts="KvK number missing"),
                cll.ExactMatchLevel("registration").configure(label_for_charts="KvK number agrees"),
                cll.ElseLevel().configure(label_for_charts="KvK numbers differ"),
            ],
        ))  # fmt: skip
    if present & {"address", "postcode", "city"}:
        comps.append((
            "place",
            "address, postcode, city",
            [
                custom('("address_l" IS NULL OR "address_r" IS NULL) AND ("postcode_l" IS NULL OR "postcode_r" IS NULL)'
                       ' AND ("city_l" IS NULL OR "city_r" IS NULL)', "place missing").configure(is_null_level=True),
                cll.ExactMatchLevel("address").configure(label_for_charts="address agrees"),
                cll.ExactMatchLevel("postcode").configure(label_for_charts="postcode agrees"),
                cll.ExactMatchLevel("city").configure(label_for_charts="city agrees"),
                cll.ElseLevel().configure(label_for_charts="another city or postcode"),
            ],
        ))  # fmt: skip
    if "country" in present:
        comps.append((
            "country",
            "",
            [
                cll.NullLevel("country").configure(label_for_charts="country missing"),
                cll.ExactMatchLevel("country").configure(label_for_charts="country agrees"),
                cll.ElseLevel().configure(label_for_charts="country differs"),
            ],
        ))  # fmt: skip
    for col, name, label in (("phones", "phone", "phone"), ("emails", "email", "e-mail"), ("ibans", "iban", "IBAN"),
                             ("websites", "website", "website")):  # fmt: skip
        if col in present:
            comps.append((
                name,
                "",
                [
                    cll.NullLevel(col).configure(label_for_charts=f"{label} missing"),
                    cll.ArrayIntersectLevel(col, 1).configure(label_for_charts=f"a {label} is shared"),
                    cll.ElseLevel().configure(label_for_charts=f"no {label} shared"),
                ],
            ))  # fmt: skip
    return comps


def _prediction_rules(present: set[str]) -> list[Any]:
    from splink import block_on

    rules = []
    for bk in ("bk_name", "bk_name_city", "bk_core_city", "bk_head_city", "bk_tail_city", "bk_address",
               "bk_registration"):  # fmt: skip
        if bk in present:
            rules.append(block_on(bk))
    for bk in ("bk_phones", "bk_emails", "bk_ibans", "bk_websites", "bk_judged"):
        if bk in present:
            rules.append(block_on(bk, arrays_to_explode=[bk]))
    return rules


def _lambda_rules(present: set[str]) -> list[Any]:
    """Deterministic rules for the prior match probability: a shared identifier (on hub-free keys)."""
    from splink import block_on

    rules = []
    if "bk_registration" in present:
        rules.append(block_on("bk_registration"))
    for bk in ("bk_phones", "bk_emails", "bk_ibans", "bk_websites"):
        if bk in present:
            rules.append(block_on(bk, arrays_to_explode=[bk]))
    return rules


def _em_rules(present: set[str]) -> list[Any]:
    """Blocking rules for expectation maximisation; each names the columns whose comparison it fixes:
    the same name (learns place and identifiers), a shared phone and a shared e-mail (learn the name)."""
    from splink import block_on
    from splink.blocking_rule_library import CustomRule

    rules = []
    if {"bk_name", "name_compact"} <= present:
        rules.append(block_on("bk_name", "name_compact"))
    for key, col in (("bk_em_phone", "phones"), ("bk_em_email", "emails")):
        if key in present:
            rules.append(CustomRule(f"l.{key} = r.{key} AND l.{col} IS NOT NULL", sql_dialect="duckdb"))
    return rules


def _model_fields(params: Mapping[str, Any]) -> set[str]:
    """Columns whose comparisons a reused model has, so its parameters carry over in full."""
    cols = {"name": {"name_full"}, "registration": {"registration"}, "place": {"address", "postcode", "city"},
            "country": {"country"}, "phone": {"phones"}, "email": {"emails"}, "iban": {"ibans"},
            "website": {"websites"}}  # fmt: skip
    return {c for comp in (params.get("comparisons") or {}) for c in cols.get(comp, ())}


# --------------------------------------------------------------------------- built-in parameters

# m/u per level label, used when there are too few records to train (and as a documented prior). Rounded from the
# model trained without labels on 10,000 synthetic organisations (benchmarks/bench_orgs.py --records 10000); the u of
# a shared identifier is rounded up, because different businesses do share them (the phone and mailbox of one
# bookkeeper or booking agent, a letterbox address).
_DEFAULT_MU: dict[str, dict[str, tuple[float, float]]] = {
    "name": {
        "name agrees, in the same city": (0.37, 5e-6),
        "name agrees, a name used in several places": (0.06, 0.001),
        "name agrees, a name used in one place": (0.15, 0.0001),
        "name agrees": (0.05, 1e-5),
        "name agrees, written together or apart": (0.007, 1e-5),
        "name agrees without trade words, in the same city": (0.10, 1e-6),
        "name agrees without trade words": (0.08, 0.0002),
        "name one typo apart, in the same city": (0.06, 2e-6),
        "name one typo apart": (0.05, 0.0002),
        "name two typos apart or a word in common": (0.03, 0.006),
        "names differ": (0.04, 0.99),
    },
    "registration": {"KvK number agrees": (0.99, 1e-6), "KvK numbers differ": (0.001, 0.999999)},
    "place": {
        "address agrees": (0.05, 2e-6),
        "postcode agrees": (0.015, 1e-6),
        "city agrees": (0.75, 0.043),
        "another city or postcode": (0.18, 0.957),
    },
    "country": {"country agrees": (0.95, 0.78), "country differs": (0.05, 0.22)},
    "phone": {"a phone is shared": (0.85, 1e-5), "no phone shared": (0.15, 0.99999)},
    "email": {"a e-mail is shared": (0.90, 1e-5), "no e-mail shared": (0.10, 0.99999)},
    "iban": {"a IBAN is shared": (0.90, 1e-6), "no IBAN shared": (0.10, 0.999999)},
    "website": {"a website is shared": (0.95, 1e-6), "no website shared": (0.05, 0.999999)},
}
# Fields an organisation changes or has several of (branches, moves, new numbers and accounts): at least
# resolver.M_FLOOR_CHANGEABLE of true matches is assumed to disagree on them, whatever EM found.
_CHANGEABLE = ("place", "country", "phone", "email", "iban", "website")
_DEFAULT_LAMBDA = 1e-4  # as for persons: agreeing on a name alone does not link

_COMPARISON_COLUMNS = {
    "name": ["name_full"],
    "registration": ["registration"],
    "place": ["address", "postcode", "city"],
    "country": ["country"],
    "phone": ["phones"],
    "email": ["emails"],
    "iban": ["ibans"],
    "website": ["websites"],
}

PROFILE = resolver.Profile(
    kind="organisation",
    kinds="organisations",
    table="vigil_organisations",
    columns=COLUMNS,
    prepare=_prepare,
    fill_keys=_fill_keys,
    scalar_keys=_SCALAR_KEYS,
    list_keys=_LIST_KEYS,
    comparisons=_comparisons,
    prediction_rules=_prediction_rules,
    lambda_rules=_lambda_rules,
    em_rules=_em_rules,
    default_mu=_DEFAULT_MU,
    default_lambda=_DEFAULT_LAMBDA,
    changeable=_CHANGEABLE,
    comparison_columns=_COMPARISON_COLUMNS,
    model_fields=_model_fields,
    data_versions=lambda: {"legal_forms": _lists().legal_version, "trade_words": _lists().trade_version},
    on_list_hub=_on_list_hub,
    refine_u=True,
    exclusive="registration",
    exclusive_same_reason="same KvK number",
    exclusive_cut_reason="cut: would join different KvK numbers",
)


# =========================================================================== resolve


def resolve(
    records: Sequence[Mapping[str, Any]],
    *,
    judgements: Sequence[Judgement] = (),
    engine: Literal["duckdb", "spark"] = "duckdb",
    threshold: float | None = None,
    spark: Any = None,
    model: ModelSummary | Mapping[str, Any] | None = None,
    max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
) -> Resolution:
    """Cluster organisation records; see the module docstring. Arguments as `vigil.linking.persons.resolve`:

    judgements: (id_a, id_b, "same" | "different" | "unsure"); the last one on a pair counts. "same" forces a
        link, "different" forbids the two records one cluster (also when they share a KvK number), "unsure"
        changes nothing. A "different" pair joined by a chain of "same" judgements raises ValueError.
    engine: "duckdb" (in-process) or "spark" (`spark` is the session, default `local_spark_session()`).
    threshold: match probability at or above which a pair links (default DEFAULT_THRESHOLD).
    model: the `.model` (or `.model.parameters`) of an earlier resolution, applied instead of training.
    max_block_size: a blocking key value shared by more records than this is not blocked on.
    """
    return resolver.run(
        PROFILE, records, judgements=judgements, engine=engine, threshold=threshold, spark=spark, model=model,
        max_block_size=max_block_size,
    )
