"""Probabilistic resolution of persons across signals (Fellegi-Sunter with Splink).

One function does the work::

    from vigil.linking.persons import resolve

    res = resolve(records, judgements=[("a1", "b7", "different")])
    res.clusters["a1"]        # -> "a1": the smallest record id of a1's cluster
    res.pairs[0].explanation  # -> which level each field fell into and its Bayes factor

A record is a dict: ``id`` (str, required), ``name`` (as written, any order) or
``given_name``/``surname``, ``birth_date`` (as written: "1968-03-09", "9-3-1968", "1968", "03/1968",
"maart 1968") or ``birth_year``/``birth_month``/``birth_day``, ``nationality`` (ISO 3166 alpha-2,
alpha-3 accepted), ``city``, ``postcode``, ``phones`` (E.164; a number without country code is read
as Dutch), ``emails``, ``documents``. Every field
but ``id`` may be missing; a value that cannot be read is left out and reported in
``Resolution.problems``, field by field, never raised.

How it works (plain Python around Splink 5, no Django):

1. Fields are normalised in Python (`vigil.linking.names` for names and nicknames).
2. Blocking keys are made in Python, and a key shared by more than ``max_block_size`` records (a
   call-centre phone, "de vries|h" in a country-wide set) is dropped from blocking, so no block
   grows quadratically; `Resolution.skipped_keys` lists them. Identifiers shared that widely are
   also left out of the identifier comparisons: they identify nobody.
3. The model is trained without labels: u by comparing all pairs of a deterministic sample of the
   records (chosen by a hash of the record id, so DuckDB and Spark see the same sample), m by
   expectation maximisation on a few blocking rules, the prior match probability from
   deterministic rules. Too few records to train (fewer than ``MIN_RECORDS_TO_TRAIN``): the
   built-in parameters below are used, or pass ``model=`` from an earlier, larger resolution.
   Trained m/u are kept away from 0 (`_clamp`) so that no single field vetoes a link on its own.
   String similarity uses Damerau-Levenshtein distances, which DuckDB and Splink's Spark functions
   compute identically (their Jaro-Winkler implementations differ slightly), so both engines put a
   pair in the same comparison levels.
4. Pairs are scored by Splink (DuckDB in-process, or Spark) and clustered here: links are taken
   strongest first and a link is refused when it would put two records judged "different" in one
   cluster (so the weakest links on the path between them are the ones cut). Splink's own
   clustering is connected components, which has no cannot-link constraints; that is why this
   greedy union-find is written by hand.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import re
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from vigil.linking import names as _names

__all__ = [
    "Resolution",
    "LinkedPair",
    "FieldEvidence",
    "ModelSummary",
    "Problem",
    "SkippedKey",
    "resolve",
    "check_judgements",
    "parse_birth_date",
    "local_spark_session",
    "DEFAULT_THRESHOLD",
]

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.95  # match probability at or above which two records are linked
DEFAULT_MAX_BLOCK_SIZE = 400  # records sharing one blocking key value; beyond this the value is skipped
MIN_RECORDS_TO_TRAIN = 500
U_SAMPLE_RECORDS = 1000  # all pairs of this many records (about 500,000) estimate u
JUDGEMENTS = ("same", "different", "unsure")

Judgement = tuple[str, str, Literal["same", "different", "unsure"]]


# =========================================================================== results


@dataclass(frozen=True)
class Problem:
    """A value that could not be used; the rest of the record still is."""

    record_id: str
    field: str
    value: Any
    message: str


@dataclass(frozen=True)
class SkippedKey:
    """A blocking key value shared by too many records to compare them all with each other."""

    key: str  # which blocking key, e.g. "phone" or "surname+initial"
    value: str
    records: int
    also_ignored_in_comparison: bool  # identifiers: the shared value is no evidence either


@dataclass(frozen=True)
class FieldEvidence:
    """How one field of a pair compared: the level it fell into and what that level weighs."""

    comparison: str  # "given_name", "birth_date", ...
    level: str  # human label of the level, e.g. "year and month agree, day unknown"
    gamma: int  # Splink comparison vector value (-1 = null level)
    bayes_factor: float  # m/u of the level (1.0 for missing values)
    match_weight: float  # log2(bayes_factor)
    value_l: Any = None
    value_r: Any = None


@dataclass(frozen=True)
class LinkedPair:
    id_l: str
    id_r: str
    match_weight: float
    match_probability: float
    explanation: tuple[FieldEvidence, ...]
    judgement: str | None = None  # "same", "different", "unsure" when a person judged the pair
    linked: bool = True  # False: scored but not linked (below threshold, judged different, or cut)
    reason: str = ""  # why it is (not) linked


@dataclass
class ModelSummary:
    trained: bool
    engine: str
    probability_two_random_records_match: float
    comparisons: list[dict[str, Any]]  # [{name, levels: [{label, m, u, bayes_factor, match_weight}]}]
    training: dict[str, Any]  # what was trained on what
    nicknames_version: str
    # engine-independent parameters (lambda, m/u per level label): pass as resolve(model=...) to reuse
    parameters: dict[str, Any] = field(repr=False, default_factory=dict)
    splink_settings: dict[str, Any] = field(repr=False, default_factory=dict)  # Splink's model JSON


@dataclass
class Resolution:
    clusters: dict[str, str]  # record id -> cluster id (smallest record id of the cluster)
    # pairs with match probability >= 0.5 (links, and candidates below the threshold for review) and
    # every judged pair; linked ones first, strongest first
    pairs: list[LinkedPair]
    model: ModelSummary
    threshold: float
    timings: dict[str, float]  # seconds per stage
    problems: list[Problem]
    skipped_keys: list[SkippedKey]

    def members(self) -> dict[str, list[str]]:
        """cluster id -> sorted record ids."""
        out: dict[str, list[str]] = defaultdict(list)
        for rid, cid in self.clusters.items():
            out[cid].append(rid)
        return {cid: sorted(ids) for cid, ids in sorted(out.items())}

    def same_person(self, a: str, b: str) -> bool:
        return self.clusters[a] == self.clusters[b]


# =========================================================================== field parsing

_MONTHS = {
    # nl, en, de, fr, es, pt, pl, ro, hu (folded, first letters suffice for most)
    **dict.fromkeys(["jan", "januari", "january", "januar", "janvier", "enero", "janeiro", "styczen", "ianuarie", "januar"], 1),
    **dict.fromkeys(["feb", "februari", "february", "februar", "fevrier", "febrero", "fevereiro", "luty", "februarie", "februar"], 2),
    **dict.fromkeys(["mrt", "mar", "maart", "march", "marz", "maerz", "mars", "marzo", "marco", "marzec", "martie", "marcius"], 3),
    **dict.fromkeys(["apr", "april", "avril", "abril", "kwiecien", "aprilie", "aprilis"], 4),
    **dict.fromkeys(["mei", "may", "mai", "mayo", "maio", "maj", "majus"], 5),
    **dict.fromkeys(["jun", "juni", "june", "juin", "junio", "junho", "czerwiec", "iunie", "junius"], 6),
    **dict.fromkeys(["jul", "juli", "july", "juillet", "julio", "julho", "lipiec", "iulie", "julius"], 7),
    **dict.fromkeys(["aug", "augustus", "august", "aout", "agosto", "sierpien", "augusztus"], 8),
    **dict.fromkeys(["sep", "sept", "september", "septembre", "septiembre", "setembro", "wrzesien", "septembrie", "szeptember"], 9),
    **dict.fromkeys(["okt", "oct", "oktober", "october", "octobre", "octubre", "outubro", "pazdziernik", "octombrie"], 10),
    **dict.fromkeys(["nov", "november", "novembre", "noviembre", "novembro", "listopad", "noiembrie"], 11),
    **dict.fromkeys(["dec", "december", "dezember", "decembre", "diciembre", "dezembro", "grudzien", "decembrie"], 12),
}


def _valid_year(y: int) -> bool:
    return 1880 <= y <= date.today().year


def parse_birth_date(value: Any) -> tuple[int | None, int | None, int | None, str | None]:
    """(year, month, day, problem) from a birth date as written; unknown parts are None.

    Day-first for numeric dates ("9-3-1968" is 9 March), unless the first number cannot be a day.
    Parts that are out of range are dropped (and reported), coarser parts kept: "31-02-1968" gives
    (1968, 2, None, "day 31 does not exist in 1968-02").
    """
    if value is None or value == "":
        return None, None, None, None
    if isinstance(value, date):
        return value.year, value.month, value.day, None
    if isinstance(value, bool):
        return None, None, None, f"not a date: {value!r}"
    if isinstance(value, int | float):
        if isinstance(value, float) and (math.isnan(value) or value != int(value)):
            return None, None, None, None if math.isnan(value) else f"not a date: {value!r}"
        value = str(int(value))
    if not isinstance(value, str):
        return None, None, None, f"not a date: {value!r}"
    text = _names.fold(value)
    text = re.sub(r"^(ca|circa|approx|omstreeks|rond|geb|born|b)\.?\s+", "", text).strip(" ?~±.")
    nums = [int(n) for n in re.findall(r"\d+", text)]
    raw_nums = re.findall(r"\d+", text)
    words = re.findall(r"[a-z]+", text)
    month_word = next((_MONTHS[w] for w in words if w in _MONTHS), None)
    y = m = d = None
    if month_word is not None and nums:
        m = month_word
        years = [n for n in nums if n > 31]
        days = [n for n in nums if n <= 31]
        y = years[0] if years else None
        d = days[0] if days else None
    elif len(raw_nums) == 1 and len(raw_nums[0]) == 8:  # 19680309 or 09031968
        s = raw_nums[0]
        if _valid_year(int(s[:4])):
            y, m, d = int(s[:4]), int(s[4:6]), int(s[6:])
        else:
            d, m, y = int(s[:2]), int(s[2:4]), int(s[4:])
    elif len(raw_nums) == 1 and len(raw_nums[0]) == 4:
        y = nums[0]
    elif len(raw_nums) == 1 and len(raw_nums[0]) == 6 and not words:  # 196803 or 031968
        s = raw_nums[0]
        y, m = (int(s[:4]), int(s[4:])) if _valid_year(int(s[:4])) else (int(s[2:]), int(s[:2]))
    elif len(nums) == 2:  # 03/1968 or 1968-03
        a, b = nums
        y, m = (a, b) if len(raw_nums[0]) == 4 else (b, a)
    elif len(nums) == 3:
        if len(raw_nums[0]) == 4:  # 1968-03-09
            y, m, d = nums
        else:  # 9-3-1968; 3/29/1968 is read month-first because 29 cannot be a month
            d, m, y = nums
            if m > 12 and d <= 12:
                d, m = m, d
            if len(raw_nums[2]) == 2:
                y += 1900 if y > date.today().year % 100 else 2000
    else:
        return None, None, None, f"not a date: {value!r}"
    if y is None or not _valid_year(y):
        return None, None, None, f"year out of range or missing in {value!r}"
    problem = None
    if m is not None and not 1 <= m <= 12:
        return y, None, None, f"month {m} out of range in {value!r}; kept the year"
    if d is not None and m is not None:
        try:
            date(y, m, d)
        except ValueError:
            return y, m, None, f"day {d} does not exist in {y}-{m:02d}; kept year and month"
    return y, m, d, problem


def _structured_date(rec: Mapping[str, Any]) -> tuple[int | None, int | None, int | None, str | None]:
    parts = []
    for key in ("birth_year", "birth_month", "birth_day"):
        v = rec.get(key)
        if v is None or v == "" or (isinstance(v, float) and math.isnan(v)):
            parts.append(None)
            continue
        try:
            parts.append(int(str(v).strip()))
        except ValueError:
            return None, None, None, f"{key} is not a number: {v!r}"
    y, m, d = parts
    if y is None:
        return None, None, None, ("birth_month/birth_day without birth_year" if (m or d) else None)
    text = f"{y:04d}" + (f"-{m:02d}" if m else "") + (f"-{d:02d}" if (m and d) else "")
    return parse_birth_date(text)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in re.split(r"[;,\s]+", value) if v] if any(c in value for c in ";,") else [value]
    if isinstance(value, Iterable):
        return [v for v in value if v is not None and v == v]
    return [value]


def _norm_phone(value: Any) -> tuple[str | None, str | None]:
    return _norm_phone_text(str(value).strip())


@functools.lru_cache(maxsize=200_000)
def _norm_phone_text(text: str) -> tuple[str | None, str | None]:
    import phonenumbers

    if not text:
        return None, None
    try:
        num = phonenumbers.parse(text, "NL")
    except phonenumbers.NumberParseException as exc:
        return None, f"not a phone number ({exc})"
    if not phonenumbers.is_possible_number(num):
        return None, "not a possible phone number"
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164), None


_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")


def _norm_email(value: Any) -> tuple[str | None, str | None]:
    text = str(value).strip().lower()
    if not _EMAIL_RE.match(text):
        return None, "not an e-mail address"
    return text, None


def _norm_document(value: Any) -> tuple[str | None, str | None]:
    text = re.sub(r"[^A-Z0-9]", "", _names.fold(str(value)).upper())
    if len(text) < 4:
        return None, "document number too short"
    return text, None


def _norm_nationality(value: Any) -> tuple[str | None, str | None]:
    import pycountry

    text = str(value).strip().upper()
    if not text:
        return None, None
    country = None
    try:
        if len(text) == 2:
            country = pycountry.countries.get(alpha_2=text)
        elif len(text) == 3:
            country = pycountry.countries.get(alpha_3=text)
    except (KeyError, LookupError):
        country = None
    if country is None:
        return None, "not an ISO 3166 country code"
    return country.alpha_2, None


def _norm_postcode(value: Any) -> str | None:
    text = re.sub(r"[^A-Z0-9]", "", _names.fold(str(value)).upper())
    return text or None


def _norm_city(value: Any) -> str | None:
    text = re.sub(r"[^a-z0-9 ]", " ", _names.fold(str(value)))
    text = " ".join(text.split())
    return text or None


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


# =========================================================================== preparation

# Columns handed to the engine (name, type); list columns hold strings.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "str"),
    ("given1", "str"),
    ("given_all", "str"),
    ("given_forms", "list"),
    ("initials", "str"),
    ("surname", "str"),
    ("surname_compact", "str"),
    ("dob", "str"),
    ("birth_year", "int"),
    ("birth_month", "int"),
    ("birth_day", "int"),
    ("nationality", "str"),
    ("postcode", "str"),
    ("city", "str"),
    ("phones", "list"),
    ("emails", "list"),
    ("documents", "list"),
    ("doc1", "str"),
    # blocking keys (hub values removed)
    ("bk_sn_init", "str"),
    ("bk_ph_year", "str"),
    ("bk_dob", "str"),
    ("bk_given_dob", "str"),
    ("bk_post_init", "str"),
    ("bk_phones", "list"),
    ("bk_emails", "list"),
    ("bk_documents", "list"),
    ("bk_judged", "list"),
    ("bk_em_name", "str"),
    ("bk_em_doc", "str"),
)

_SCALAR_KEYS = {  # blocking key column -> label shown in SkippedKey
    "bk_sn_init": "surname+initial",
    "bk_ph_year": "surname sound+birth year",
    "bk_dob": "birth date",
    "bk_given_dob": "given name+birth date",
    "bk_post_init": "postcode+initial",
    "bk_em_name": "surname+given name (training)",
    "bk_em_doc": "document (training)",
}
_LIST_KEYS = {"bk_phones": ("phone", "phones"), "bk_emails": ("e-mail", "emails"), "bk_documents": ("document", "documents")}


def _prepare(records: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], list[Problem]]:
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, rec in enumerate(records):
        if not isinstance(rec, Mapping):
            raise TypeError(f"record {i} is not a dict: {rec!r}")
        rid = rec.get("id")
        if rid is None or str(rid).strip() == "":
            raise ValueError(f"record {i} has no id")
        rid = str(rid)
        if rid in seen:
            raise ValueError(f"record id {rid!r} occurs more than once")
        seen.add(rid)

        def problem(fieldname: str, value: Any, message: str, rid: str = rid) -> None:
            problems.append(Problem(rid, fieldname, value, message))

        row: dict[str, Any] = {name: None for name, _ in COLUMNS}
        row["id"] = rid
        # --- name
        name_parts = {}
        for key in ("name", "given_name", "surname"):
            v = rec.get(key)
            if v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            if isinstance(v, str):
                name_parts[key] = v.strip() or None
            else:
                problem(key, v, "not text; ignored")
        pn = _names.parse_name(name_parts.get("name"), given_name=name_parts.get("given_name"), surname=name_parts.get("surname"))
        for msg in pn.problems:
            problem("name", pn.raw, msg)
        if pn.given:
            row["given1"] = pn.given[0]
            row["given_all"] = " ".join(pn.given)
            row["given_forms"] = list(_names.given_name_forms(pn.given[0]))
        row["initials"] = pn.initials or None
        row["surname"] = pn.surname or None
        row["surname_compact"] = pn.surname_compact or None
        # --- birth date
        if any(rec.get(k) not in (None, "") for k in ("birth_year", "birth_month", "birth_day")) and not rec.get("birth_date"):
            y, m, d, msg = _structured_date(rec)
            src = {k: rec.get(k) for k in ("birth_year", "birth_month", "birth_day")}
        else:
            y, m, d, msg = parse_birth_date(rec.get("birth_date"))
            src = rec.get("birth_date")
        if msg:
            problem("birth_date", src, msg)
        row["birth_year"], row["birth_month"], row["birth_day"] = y, m, d
        if y and m and d:
            row["dob"] = f"{y:04d}-{m:02d}-{d:02d}"
        # --- place and nationality
        if (v := _text(rec.get("nationality"))) is not None:
            nat, msg = _norm_nationality(v)
            row["nationality"] = nat
            if msg:
                problem("nationality", v, msg)
        if (v := _text(rec.get("postcode"))) is not None:
            row["postcode"] = _norm_postcode(v)
        if (v := _text(rec.get("city"))) is not None:
            row["city"] = _norm_city(v)
        # --- identifiers
        for fieldname, norm in (("phones", _norm_phone), ("emails", _norm_email), ("documents", _norm_document)):
            values: list[str] = []
            for v in _as_list(rec.get(fieldname)):
                if isinstance(v, float) and math.isnan(v):
                    continue
                nv, msg = norm(v)
                if msg:
                    problem(fieldname, v, msg)
                elif nv and nv not in values:
                    values.append(nv)
            row[fieldname] = sorted(values) or None
        if rec.get("documents") is not None and row["documents"]:
            first = _as_list(rec.get("documents"))
            row["doc1"] = next((n for n, _ in (_norm_document(v) for v in first) if n), None)
        unknown = set(rec) - _KNOWN_FIELDS
        if unknown:
            problem(",".join(sorted(unknown)), None, "unknown fields ignored")
        rows.append(row)
    return rows, problems


_KNOWN_FIELDS = {
    "id", "name", "given_name", "surname", "birth_date", "birth_year", "birth_month", "birth_day",
    "nationality", "city", "postcode", "phones", "emails", "documents",
}  # fmt: skip


def _blocking_keys(rows: list[dict[str, Any]], judged: Iterable[tuple[str, str]], max_block_size: int) -> list[SkippedKey]:
    """Fill the bk_* columns; drop values shared by more than max_block_size records."""
    for r in rows:
        init = (r["initials"] or "")[:1] or None
        sn = r["surname"]
        r["bk_sn_init"] = f"{sn}|{init}" if sn and init else None
        ph = _names.phonetic_key(sn) if sn else ""
        r["bk_ph_year"] = f"{ph}|{r['birth_year']}" if ph and r["birth_year"] else None
        r["bk_dob"] = r["dob"]
        forms = r["given_forms"] or []
        canon = forms[-1] if forms else (r["given1"] or None)
        r["bk_given_dob"] = f"{canon}|{r['dob']}" if canon and r["dob"] else None
        r["bk_post_init"] = f"{r['postcode']}|{init}" if r["postcode"] and init else None
        r["bk_em_name"] = f"{sn}|{r['given1']}" if sn and r["given1"] else None
        r["bk_em_doc"] = r["doc1"]
        for bk, (_label, src) in _LIST_KEYS.items():
            r[bk] = list(r[src]) if r[src] else None
        r["bk_judged"] = None
    by_id = {r["id"]: r for r in rows}
    for n, (a, b) in enumerate(judged):
        for rid in (a, b):
            by_id[rid]["bk_judged"] = [*(by_id[rid]["bk_judged"] or []), f"j{n}"]

    skipped: list[SkippedKey] = []
    for bk, label in _SCALAR_KEYS.items():
        counts = Counter(r[bk] for r in rows if r[bk] is not None)
        hubs = {v: c for v, c in counts.items() if c > max_block_size}
        for v, c in sorted(hubs.items(), key=lambda kv: (-kv[1], kv[0])):
            skipped.append(SkippedKey(label, v, c, False))
        if hubs:
            for r in rows:
                if r[bk] in hubs:
                    r[bk] = None
    for bk, (label, src) in _LIST_KEYS.items():
        counts = Counter(v for r in rows for v in (r[bk] or ()))
        hubs = {v: c for v, c in counts.items() if c > max_block_size}
        for v, c in sorted(hubs.items(), key=lambda kv: (-kv[1], kv[0])):
            skipped.append(SkippedKey(label, v, c, True))
        if hubs:
            for r in rows:
                if r[bk]:
                    r[bk] = [v for v in r[bk] if v not in hubs] or None
                    r[src] = list(r[bk]) if r[bk] else None
                if src == "documents" and r["doc1"] in hubs:
                    r["doc1"] = None
                    r["bk_em_doc"] = None
    return skipped


# =========================================================================== model


def _comparisons(present: set[str], params: Mapping[str, Mapping[str, Any]] | None = None) -> list[Any]:
    """Splink comparisons for the fields that occur in the data, with m/u from `params`
    (comparison name -> level label -> {"m", "u"}) where known, else the built-in priors."""
    import splink.comparison_level_library as cll

    def custom(sql: str, label: str):
        return cll.CustomLevel(sql, label_for_charts=label, base_dialect_str="duckdb")

    def CustomComparison(*, output_column_name: str, comparison_levels: list[Any], comparison_description: str = ""):
        from splink.comparison_library import CustomComparison as _CC

        trained = (params or {}).get(output_column_name, {})
        prior = _DEFAULT_MU.get(output_column_name, {})
        for level in comparison_levels:
            label = getattr(level, "label_for_charts", None) or level.create_label_for_charts()
            mu = trained.get(label) or {}
            m, u = mu.get("m"), mu.get("u")
            if m is None and label in prior:
                m = prior[label][0]
            if u is None and label in prior:
                u = prior[label][1]
            if not getattr(level, "is_null_level", False) and "missing" not in label:
                cfg = {}
                if m is not None:
                    cfg["m_probability"] = m
                if u is not None:
                    cfg["u_probability"] = u
                if cfg:
                    level.configure(**cfg)
        return _CC(
            output_column_name=output_column_name,
            comparison_levels=comparison_levels,
            comparison_description=comparison_description or output_column_name,
        )

    comps = []
    if "initials" in present:
        comps.append(
            CustomComparison(
                output_column_name="given_name",
                comparison_description="given names, nicknames and initials",
                comparison_levels=[
                    custom('"initials_l" IS NULL OR "initials_r" IS NULL', "given name missing").configure(is_null_level=True),
                    custom('"given_all_l" = "given_all_r"', "all given names agree"),
                    custom('"given1_l" = "given1_r"', "first given name agrees"),
                    cll.And(cll.ArrayIntersectLevel("given_forms", 1)).configure(label_for_charts="nickname and formal name agree"),
                    cll.DamerauLevenshteinLevel("given1", 1).configure(label_for_charts="first given name one typo apart"),
                    custom(
                        '("given1_l" IS NULL OR "given1_r" IS NULL) AND "initials_l" = "initials_r"',
                        "initials agree (one side initials only)",
                    ),
                    custom(
                        '("given1_l" IS NULL OR "given1_r" IS NULL) AND substr("initials_l", 1, 1) = substr("initials_r", 1, 1)',
                        "first initial agrees (one side initials only)",
                    ),
                    cll.DamerauLevenshteinLevel("given1", 2).configure(label_for_charts="first given name two typos apart"),
                    cll.ElseLevel().configure(label_for_charts="given names differ"),
                ],
            )
        )
    if "surname" in present:
        comps.append(
            CustomComparison(
                output_column_name="surname",
                comparison_description="surname without particles",
                comparison_levels=[
                    cll.NullLevel("surname").configure(label_for_charts="surname missing"),
                    cll.ExactMatchLevel("surname").configure(label_for_charts="surname agrees"),
                    cll.Or(
                        cll.ExactMatchLevel("surname_compact"), cll.DamerauLevenshteinLevel("surname", 1)
                    ).configure(label_for_charts="surname one typo apart (or written together)"),
                    cll.DamerauLevenshteinLevel("surname", 2).configure(label_for_charts="surname two typos apart"),
                    cll.ElseLevel().configure(label_for_charts="surname differs"),
                ],
            )
        )
    if "birth_year" in present:
        levels = [
            cll.NullLevel("birth_year").configure(label_for_charts="birth date missing"),
            cll.ExactMatchLevel("dob").configure(label_for_charts="birth date agrees"),
            cll.DamerauLevenshteinLevel("dob", 1).configure(label_for_charts="birth date one typo apart"),
            custom(
                '"birth_year_l" = "birth_year_r" AND "birth_month_l" = "birth_day_r" AND "birth_day_l" = "birth_month_r"',
                "day and month swapped",
            ),
            custom(
                '"birth_year_l" = "birth_year_r" AND "birth_month_l" = "birth_month_r" AND ("birth_day_l" IS NULL OR "birth_day_r" IS NULL)',
                "year and month agree, day unknown",
            ),
            custom(
                '"birth_year_l" = "birth_year_r" AND ("birth_month_l" IS NULL OR "birth_month_r" IS NULL)',
                "year agrees, month unknown",
            ),
            custom('abs("birth_year_l" - "birth_year_r") <= 1', "years at most one apart"),
            cll.ElseLevel().configure(label_for_charts="birth dates differ"),
        ]
        comps.append(CustomComparison(output_column_name="birth_date", comparison_description="birth date, partial allowed", comparison_levels=levels))
    if "postcode" in present or "city" in present:
        levels = [
            custom(
                '("postcode_l" IS NULL OR "postcode_r" IS NULL) AND ("city_l" IS NULL OR "city_r" IS NULL)',
                "place missing",
            ).configure(is_null_level=True)
        ]
        if "postcode" in present and "city" in present:
            levels.append(custom('"postcode_l" = "postcode_r" AND "city_l" = "city_r"', "postcode and city agree"))
        if "postcode" in present:
            levels.append(cll.ExactMatchLevel("postcode").configure(label_for_charts="postcode agrees"))
        if "city" in present:
            levels.append(cll.ExactMatchLevel("city").configure(label_for_charts="city agrees"))
        if "postcode" in present:
            levels.append(cll.DamerauLevenshteinLevel("postcode", 1).configure(label_for_charts="postcode one typo apart"))
        levels.append(cll.ElseLevel().configure(label_for_charts="place differs"))
        comps.append(CustomComparison(output_column_name="place", comparison_description="postcode and city", comparison_levels=levels))
    if "nationality" in present:
        comps.append(
            CustomComparison(
                output_column_name="nationality",
                comparison_levels=[
                    cll.NullLevel("nationality").configure(label_for_charts="nationality missing"),
                    cll.ExactMatchLevel("nationality").configure(label_for_charts="nationality agrees"),
                    cll.ElseLevel().configure(label_for_charts="nationality differs"),
                ],
            )
        )
    for col, label in (("phones", "phone"), ("emails", "e-mail")):
        if col in present:
            comps.append(
                CustomComparison(
                    output_column_name=label.replace("-", ""),
                    comparison_levels=[
                        cll.NullLevel(col).configure(label_for_charts=f"{label} missing"),
                        cll.ArrayIntersectLevel(col, 1).configure(label_for_charts=f"a {label} is shared"),
                        cll.ElseLevel().configure(label_for_charts=f"no {label} shared"),
                    ],
                )
            )
    if "documents" in present:
        comps.append(
            CustomComparison(
                output_column_name="document",
                comparison_levels=[
                    cll.NullLevel("documents").configure(label_for_charts="document missing"),
                    cll.ArrayIntersectLevel("documents", 1).configure(label_for_charts="a document number is shared"),
                    cll.DamerauLevenshteinLevel("doc1", 1).configure(label_for_charts="document numbers one typo apart"),
                    cll.ElseLevel().configure(label_for_charts="no document shared"),
                ],
            )
        )
    return comps


def _prediction_rules(present: set[str]) -> list[Any]:
    from splink import block_on

    rules = []
    for bk in ("bk_sn_init", "bk_ph_year", "bk_dob", "bk_given_dob", "bk_post_init"):
        if bk in present:
            rules.append(block_on(bk))
    for bk in ("bk_phones", "bk_emails", "bk_documents", "bk_judged"):
        if bk in present:
            rules.append(block_on(bk, arrays_to_explode=[bk]))
    return rules


def _settings(present: set[str], params: Mapping[str, Any] | None = None) -> Any:
    """A Splink SettingsCreator for this data, carrying the parameters in `params` (see _params)."""
    from splink import SettingsCreator

    params = params or {}
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="id",
        comparisons=_comparisons(present, params.get("comparisons")),
        blocking_rules_to_generate_predictions=_prediction_rules(present),
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["bk_judged"] if "bk_judged" in present else [],
        probability_two_random_records_match=params.get("probability_two_random_records_match") or _DEFAULT_LAMBDA,
        em_convergence=0.001,
        max_iterations=25,
    )


def _present(rows: list[dict[str, Any]]) -> set[str]:
    """Columns with a value in at least two records (a comparison needs something to compare)."""
    counts: Counter[str] = Counter()
    for r in rows:
        for k, v in r.items():
            if v is not None:
                counts[k] += 1
    return {k for k, c in counts.items() if c >= 2}


def _stable_hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


# =========================================================================== engines


class _Engine:
    """Registers rows with Splink's DuckDB or Spark backend."""

    def __init__(self, name: str, spark: Any = None):
        import uuid

        self.name = name
        self.uid = uuid.uuid4().hex[:10]
        self.tables: list[str] = []
        self.dbs: list[Any] = []
        if name == "duckdb":
            from splink import DuckDBAPI

            self._factory = DuckDBAPI
        elif name == "spark":
            from splink import SparkAPI

            self.spark = spark or local_spark_session()
            self._factory = lambda: SparkAPI(
                spark_session=self.spark, break_lineage_method="persist", num_partitions_on_repartition=4
            )
        else:
            raise ValueError(f"engine must be 'duckdb' or 'spark', not {name!r}")

    def db_api_factory(self) -> Any:
        db = self._factory()
        self.dbs.append(db)
        return db

    def close(self) -> None:
        """Drop what this call registered or made (Spark: temp views and their cached data)."""
        for db in self.dbs:
            try:
                db.delete_tables_created_by_splink_from_db()
            except Exception:  # pragma: no cover - best effort
                log.debug("could not drop Splink tables", exc_info=True)
        if self.name == "spark":
            for name in self.tables:
                try:
                    self.spark.catalog.dropTempView(name)
                except Exception:  # pragma: no cover
                    pass

    def table(self, db_api: Any, rows: list[dict[str, Any]], name: str) -> Any:
        """Register rows as a table; names get a per-call suffix (Spark's temp views outlive a call)."""
        self.tables.append(name := f"{name}_{self.uid}")
        cols = [c for c, _ in COLUMNS]
        if self.name == "duckdb":
            import pyarrow as pa

            types = {"str": pa.string(), "int": pa.int32(), "list": pa.list_(pa.string())}
            schema = pa.schema([(c, types[t]) for c, t in COLUMNS])
            data = pa.Table.from_pylist([{c: r[c] for c in cols} for r in rows], schema=schema)
            return db_api.register(data, table_name=name)
        from pyspark.sql import types as T

        types = {"str": T.StringType(), "int": T.IntegerType(), "list": T.ArrayType(T.StringType())}
        schema = T.StructType([T.StructField(c, types[t], True) for c, t in COLUMNS])
        sdf = self.spark.createDataFrame([tuple(r[c] for c in cols) for r in rows], schema=schema)
        return db_api.register(sdf, table_name=name)


def local_spark_session(app_name: str = "vigil-linking") -> Any:
    """A local-mode SparkSession with Splink's similarity functions, quiet (``vigil.core.spark``)."""
    from vigil.core.spark import local_session

    return local_session(app_name)


# =========================================================================== training


def _params(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Splink's model JSON -> engine-independent parameters: lambda and m/u per level label."""
    comps: dict[str, dict[str, dict[str, float | None]]] = {}
    for comp in settings["comparisons"]:
        levels = {}
        for level in comp["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            levels[level.get("label_for_charts")] = {"m": level.get("m_probability"), "u": level.get("u_probability")}
        comps[comp["output_column_name"]] = levels
    return {
        "probability_two_random_records_match": settings.get("probability_two_random_records_match"),
        "comparisons": comps,
    }


def _train(
    engine: _Engine, db: Any, table: Any, rows: list[dict[str, Any]], present: set[str], timings: dict[str, float]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Train u (all pairs of a hashed sample), lambda (deterministic rules) and m (EM).

    Returns (parameters, description of the training)."""
    from splink import Linker, block_on

    info: dict[str, Any] = {"records": len(rows)}
    t = time.perf_counter()
    sample = sorted(rows, key=lambda r: _stable_hash(r["id"]))[:U_SAMPLE_RECORDS]
    n = len(sample)
    linker_u = Linker(engine.table(db, sample, "vigil_u_sample"), _settings(present), log_level=logging.ERROR)
    pairs = n * (n - 1) / 2
    linker_u.training.estimate_u_using_random_sampling(max_pairs=pairs + 1, min_count_per_level=None, num_chunks=1)
    params = _params(linker_u.misc.save_model_to_json())
    info["u"] = f"all {int(pairs):,} pairs of {n:,} records sampled by a hash of the record id"
    timings["train_u"] = time.perf_counter() - t

    t = time.perf_counter()
    linker = Linker(table, _settings(present, params), log_level=logging.ERROR)
    deterministic = []  # on hub-free keys only
    if {"surname", "bk_dob"} <= present:
        deterministic.append(block_on("bk_dob", "surname"))
    if "bk_em_doc" in present:
        deterministic.append(block_on("bk_em_doc"))
    if "bk_phones" in present:
        deterministic.append(block_on("bk_phones", arrays_to_explode=["bk_phones"]))
    if {"bk_em_name", "birth_year"} <= present and not deterministic:
        deterministic.append(block_on("bk_em_name", "birth_year"))
    lam = None
    if deterministic:
        try:
            linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
            lam = linker.misc.save_model_to_json()["probability_two_random_records_match"]
        except Exception as exc:  # rules more certain than the recall allows: keep the prior
            log.info("lambda not estimated: %s", exc)
    if not lam or lam <= 0:
        lam = _DEFAULT_LAMBDA
        linker._settings_obj._probability_two_random_records_match = lam
    info["probability_two_random_records_match"] = "deterministic rules, recall 0.7" if lam != _DEFAULT_LAMBDA else "prior"
    timings["train_lambda"] = time.perf_counter() - t

    t = time.perf_counter()
    em_rules = []
    if {"bk_em_name", "surname", "given1"} <= present:
        em_rules.append(block_on("bk_em_name", "surname", "given1"))
    if {"bk_dob", "dob"} <= present:
        em_rules.append(block_on("bk_dob", "dob"))
    if {"bk_em_doc", "doc1"} <= present:
        em_rules.append(block_on("bk_em_doc", "doc1"))
    used = []
    for rule in em_rules:
        sql = rule.get_blocking_rule("duckdb").blocking_rule_sql
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule, estimate_without_term_frequencies=True)
            used.append(sql)
        except Exception as exc:  # a rule that yields no pairs in this data
            log.info("EM rule %s skipped: %s", sql, exc)
    info["m"] = {"method": "expectation maximisation", "blocking_rules": used}
    trained = _params(linker.misc.save_model_to_json())
    trained["probability_two_random_records_match"] = lam
    # a level EM never saw has no trained m: it keeps its prior (filled in by _comparisons)
    for levels in trained["comparisons"].values():
        for mu in levels.values():
            for k in ("m", "u"):
                if not isinstance(mu.get(k), int | float):
                    mu[k] = None
    timings["train_em"] = time.perf_counter() - t
    return _clamp(trained), info


# =========================================================================== clustering


def _check_judgements(judgements: Sequence[Judgement], ids: set[str]) -> list[tuple[str, str, str]]:
    out = []
    for j in judgements:
        try:
            a, b, verdict = j
        except (TypeError, ValueError):
            raise ValueError(f"a judgement is (id_a, id_b, 'same'|'different'|'unsure'), got {j!r}") from None
        a, b = str(a), str(b)
        if verdict not in JUDGEMENTS:
            raise ValueError(f"judgement {verdict!r} on ({a}, {b}) is not one of {', '.join(JUDGEMENTS)}")
        for rid in (a, b):
            if rid not in ids:
                raise ValueError(f"judgement ({a}, {b}, {verdict}) names unknown record {rid!r}")
        if a == b:
            if verdict == "different":
                raise ValueError(f"record {a!r} is judged different from itself")
            continue
        out.append((a, b, verdict))
    # latest judgement on a pair wins
    latest: dict[tuple[str, str], str] = {}
    for a, b, v in out:
        latest[(min(a, b), max(a, b))] = v
    same = defaultdict(set)
    for (a, b), v in latest.items():
        if v == "same":
            same[a].add(b)
            same[b].add(a)
    for (a, b), v in latest.items():
        if v == "different":
            chain = _path(same, a, b)
            if chain:
                raise ValueError(
                    f"contradictory judgements: {a} and {b} are judged different, but a chain of 'same' "
                    f"judgements joins them: {' = '.join(chain)}"
                )
    return [(a, b, v) for (a, b), v in latest.items()]


check_judgements = _check_judgements  # public: validate judgements before storing them


def _path(graph: Mapping[str, set[str]], a: str, b: str) -> list[str] | None:
    prev: dict[str, str | None] = {a: None}
    queue = deque([a])
    while queue:
        node = queue.popleft()
        if node == b:
            path = [b]
            while (p := prev[path[-1]]) is not None:
                path.append(p)
            return path[::-1]
        for nxt in sorted(graph.get(node, ())):
            if nxt not in prev:
                prev[nxt] = node
                queue.append(nxt)
    return None


def _cluster(
    ids: list[str], edges: list[tuple[float, str, str, str]], cannot: set[tuple[str, str]]
) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """Greedy union-find: edges (priority, a, b, kind) strongest first; refuse merges that would put
    a cannot-link pair into one cluster. Returns (record -> cluster id, refused edges)."""
    parent = {i: i for i in ids}
    members: dict[str, set[str]] = {i: {i} for i in ids}
    forbidden: dict[str, set[str]] = defaultdict(set)  # root -> roots it may not join
    for a, b in cannot:
        forbidden[a].add(b)
        forbidden[b].add(a)

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    refused: set[tuple[str, str]] = set()
    for _prio, a, b, _kind in sorted(edges, key=lambda e: (-e[0], e[1], e[2])):
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        if rb in forbidden[ra]:
            refused.add((a, b))
            continue
        if len(members[ra]) < len(members[rb]):
            ra, rb = rb, ra
        parent[rb] = ra
        members[ra] |= members.pop(rb)
        fb = forbidden.pop(rb, set())
        for other in fb:
            forbidden[other].discard(rb)
            forbidden[other].add(ra)
        forbidden[ra] |= fb
    clusters = {}
    for mem in members.values():
        cid = min(mem)
        for m in mem:
            clusters[m] = cid
    return clusters, refused


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
    """Cluster person records; see the module docstring.

    judgements: (id_a, id_b, "same" | "different" | "unsure"); the last one on a pair counts.
        "same" forces a link, "different" forbids the two records one cluster, "unsure" changes
        nothing. A "different" pair joined by a chain of "same" judgements raises ValueError.
    engine: "duckdb" (in-process) or "spark" (Splink's Spark backend; `spark` is the session to use,
        default a local one from `local_spark_session`).
    threshold: match probability at or above which a pair links (default DEFAULT_THRESHOLD).
    model: the `.model` (or `.model.parameters`) of an earlier resolution, to apply its parameters
        instead of training; e.g. a model trained on a large set applied to a small case file, or
        trained with DuckDB and applied with Spark.
    max_block_size: a blocking key value shared by more records than this is not blocked on.
    """
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    threshold = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    if not 0 < threshold <= 1:
        raise ValueError("threshold is a match probability in (0, 1]")
    rows, problems = _prepare(records)
    ids = [r["id"] for r in rows]
    judged = _check_judgements(judgements, set(ids))
    skipped = _blocking_keys(rows, [(a, b) for a, b, _ in judged], max_block_size)
    timings["prepare"] = time.perf_counter() - t0
    nick_version = _names.nickname_table().version
    present = _present(rows)
    if len(rows) < 2 or not _comparisons(present):
        reason = "fewer than two records" if len(rows) < 2 else "no field occurs in two records: nothing to compare"
        summary = ModelSummary(False, engine, 0.0, [], {"reason": reason}, nick_version)
        same = [(math.inf, min(a, b), max(a, b), "same") for a, b, v in judged if v == "same"]
        clusters, _ = _cluster(ids, same, set())
        pairs = [
            LinkedPair(a, b, math.nan, math.nan, (), "same", True, "judged the same person") for _p, a, b, _k in same
        ]
        timings["total"] = time.perf_counter() - t0
        return Resolution(clusters, pairs, summary, threshold, timings, problems, skipped)

    eng = _Engine(engine, spark)
    if any(r["bk_judged"] for r in rows):
        present.add("bk_judged")

    from splink import Linker

    try:
        t = time.perf_counter()
        db = eng.db_api_factory()
        table = eng.table(db, rows, "vigil_persons")
        training: dict[str, Any]
        if model is not None:
            params = model.parameters if isinstance(model, ModelSummary) else dict(model)
            trained, training = True, {"reused": "parameters of an earlier resolution"}
        elif len(rows) >= MIN_RECORDS_TO_TRAIN:
            params, training = _train(eng, db, table, rows, present, timings)
            trained = True
        else:
            params = {}
            trained = False
            training = {
                "reason": f"{len(rows)} records are too few to train on (< {MIN_RECORDS_TO_TRAIN}); built-in parameters used"
            }
        timings["train"] = time.perf_counter() - t

        t = time.perf_counter()
        linker = Linker(table, _settings(present | _model_fields(params), params), log_level=logging.ERROR)
        floor = min(threshold, 0.5)
        pred = linker.inference.predict(threshold_match_probability=None if judged else floor, warning_mode="never")
        if judged:
            cond = _judged_sql(engine)
            sql = f"select * from {pred.physical_name} where match_probability >= {floor} or ({cond})"
            df = linker.misc.query_sql(sql, output_type="pandas")
        else:
            df = pred.as_pandas_dataframe()
        timings["predict"] = time.perf_counter() - t
        settings_out = linker.misc.save_model_to_json()
    finally:
        eng.close()

    t = time.perf_counter()
    summary = _summary(settings_out, params, trained, engine, training, nick_version)
    level_info = _level_info(settings_out)
    verdicts = {(a, b) if a < b else (b, a): v for a, b, v in judged}
    scored: dict[tuple[str, str], dict[str, Any]] = {}
    for rec in df.to_dict("records"):
        a, b = str(rec["id_l"]), str(rec["id_r"])
        key = (a, b) if a < b else (b, a)
        scored[key] = rec
    edges: list[tuple[float, str, str, str]] = []
    for key, rec in scored.items():
        v = verdicts.get(key)
        if v == "same":
            edges.append((math.inf, *key, "same"))
        elif v != "different" and rec["match_probability"] >= threshold:
            edges.append((float(rec["match_weight"]), *key, "model"))
    for key, v in verdicts.items():
        if v == "same" and key not in scored:
            edges.append((math.inf, *key, "same"))
    cannot = {k for k, v in verdicts.items() if v == "different"}
    clusters, refused = _cluster(ids, edges, cannot)
    timings["cluster"] = time.perf_counter() - t

    pairs: list[LinkedPair] = []
    for key in set(scored) | {k for k in verdicts if verdicts[k] in ("same", "different")}:
        rec = scored.get(key)
        v = verdicts.get(key)
        prob = float(rec["match_probability"]) if rec else float("nan")
        weight = float(rec["match_weight"]) if rec else float("nan")
        if v == "same":
            linked, reason = True, "judged the same person"
        elif v == "different":
            linked, reason = False, "judged different persons"
        elif key in refused:
            linked, reason = False, "cut: would join records judged different"
        elif prob >= threshold:
            linked, reason = True, f"match probability {prob:.3f} >= {threshold}"
        else:
            linked, reason = False, f"match probability {prob:.3f} < {threshold}"
        pairs.append(
            LinkedPair(
                id_l=key[0],
                id_r=key[1],
                match_weight=weight,
                match_probability=prob,
                explanation=_explain(rec, level_info, swap=rec is not None and str(rec["id_l"]) != key[0]) if rec else (),
                judgement=v,
                linked=linked,
                reason=reason,
            )
        )
    pairs.sort(key=lambda p: (not p.linked, -(p.match_weight if p.match_weight == p.match_weight else 1e9), p.id_l, p.id_r))
    timings["total"] = time.perf_counter() - t0
    return Resolution(clusters, pairs, summary, threshold, timings, problems, skipped)


def _judged_sql(engine: str) -> str:
    if engine == "spark":
        return "size(array_intersect(bk_judged_l, bk_judged_r)) > 0"
    return "len(list_intersect(bk_judged_l, bk_judged_r)) > 0"


def _model_fields(params: Mapping[str, Any]) -> set[str]:
    """Columns whose comparisons a reused model has, so its parameters carry over in full."""
    cols = {"given_name": "initials", "surname": "surname", "birth_date": "birth_year", "nationality": "nationality",
            "phone": "phones", "email": "emails", "document": "documents"}  # fmt: skip
    out = {cols[c] for c in (params.get("comparisons") or {}) if c in cols}
    if "place" in (params.get("comparisons") or {}):
        labels = params["comparisons"]["place"]
        if any("postcode" in lb for lb in labels):
            out.add("postcode")
        if any("city" in lb for lb in labels):
            out.add("city")
    return out


# --------------------------------------------------------------------------- built-in parameters

# m/u per level label, used when there are too few records to train (and as a documented prior).
# Rounded from models trained without labels on FEBRL 1-4 and Vigil's synthetic population.
_DEFAULT_MU: dict[str, dict[str, tuple[float, float]]] = {
    "given_name": {
        "all given names agree": (0.60, 0.002),
        "first given name agrees": (0.05, 0.001),
        "nickname and formal name agree": (0.03, 0.0005),
        "first given name one typo apart": (0.10, 0.001),
        "initials agree (one side initials only)": (0.15, 0.01),
        "first initial agrees (one side initials only)": (0.03, 0.005),
        "first given name two typos apart": (0.03, 0.01),
        "given names differ": (0.02, 0.97),
    },
    "surname": {
        "surname agrees": (0.85, 0.002),
        "surname one typo apart (or written together)": (0.08, 0.0005),
        "surname two typos apart": (0.04, 0.003),
        "surname differs": (0.02, 0.99),
    },
    "birth_date": {
        "birth date agrees": (0.55, 0.0003),
        "birth date one typo apart": (0.08, 0.001),
        "day and month swapped": (0.01, 0.00002),
        "year and month agree, day unknown": (0.15, 0.0004),
        "year agrees, month unknown": (0.30, 0.01),
        "years at most one apart": (0.02, 0.05),
        "birth dates differ": (0.005, 0.93),
    },
    "place": {
        "postcode and city agree": (0.30, 0.0001),
        "postcode agrees": (0.15, 0.0001),
        "city agrees": (0.40, 0.05),
        "postcode one typo apart": (0.03, 0.0005),
        "place differs": (0.12, 0.95),
    },
    "nationality": {"nationality agrees": (0.95, 0.25), "nationality differs": (0.05, 0.75)},
    "phone": {"a phone is shared": (0.60, 0.0005), "no phone shared": (0.40, 0.9995)},
    "email": {"a e-mail is shared": (0.60, 0.0005), "no e-mail shared": (0.40, 0.9995)},
    "document": {
        "a document number is shared": (0.80, 0.0005),
        "document numbers one typo apart": (0.05, 0.0005),
        "no document shared": (0.15, 0.999),
    },
}
# Fields that change over a life (moves, new phones, renewed documents, recording errors): at least
# this share of true matches is assumed to disagree on them, whatever EM found in one data set.
_M_FLOOR_CHANGEABLE = 0.05
_CHANGEABLE = ("place", "nationality", "phone", "email", "document")
_M_FLOOR, _U_FLOOR = 1e-3, 1e-7
_DEFAULT_LAMBDA = 1e-4  # one in 10,000 pairs: two records agreeing on full name only do not link


def _clamp(params: dict[str, Any]) -> dict[str, Any]:
    """Keep trained m/u away from 0 so that no single field can veto or force a link by itself."""
    for name, levels in (params.get("comparisons") or {}).items():
        labels = list(levels)
        for label, mu in levels.items():
            floor = _M_FLOOR_CHANGEABLE if (name in _CHANGEABLE and label == labels[-1]) else _M_FLOOR
            if isinstance(mu.get("m"), int | float):
                mu["m"] = min(max(mu["m"], floor), 1.0)
            if isinstance(mu.get("u"), int | float):
                mu["u"] = min(max(mu["u"], _U_FLOOR), 1.0)
    return params


# --------------------------------------------------------------------------- explanation


def _summary(
    settings: dict[str, Any], params: dict[str, Any], trained: bool, engine: str, training: dict[str, Any], nick_version: str
) -> ModelSummary:
    comps = []
    for comp in settings["comparisons"]:
        levels = []
        for level in comp["comparison_levels"]:
            m, u = level.get("m_probability"), level.get("u_probability")
            bf = (m / u) if (m is not None and u) else None
            levels.append(
                {
                    "label": level.get("label_for_charts"),
                    "null_level": bool(level.get("is_null_level")),
                    "m": m,
                    "u": u,
                    "bayes_factor": bf,
                    "match_weight": math.log2(bf) if bf else None,
                }
            )
        comps.append({"name": comp["output_column_name"], "description": comp.get("comparison_description"), "levels": levels})
    return ModelSummary(
        trained=trained,
        engine=engine,
        probability_two_random_records_match=settings.get("probability_two_random_records_match"),
        comparisons=comps,
        training=training,
        nicknames_version=nick_version,
        parameters=_params(settings),
        splink_settings=settings,
    )


def _level_info(settings: dict[str, Any]) -> list[tuple[str, dict[int, str], list[str]]]:
    """Per comparison: (name, gamma -> level label, input columns)."""
    out = []
    for comp in settings["comparisons"]:
        levels = comp["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        labels = {-1: next((lv.get("label_for_charts") for lv in levels if lv.get("is_null_level")), "missing")}
        for i, lv in enumerate(non_null):
            labels[len(non_null) - 1 - i] = lv.get("label_for_charts")
        out.append((comp["output_column_name"], labels, _COMPARISON_COLUMNS.get(comp["output_column_name"], [])))
    return out


_COMPARISON_COLUMNS = {
    "given_name": ["given_all", "initials"],
    "surname": ["surname"],
    "birth_date": ["birth_year", "birth_month", "birth_day"],
    "place": ["postcode", "city"],
    "nationality": ["nationality"],
    "phone": ["phones"],
    "email": ["emails"],
    "document": ["documents"],
}


def _value(rec: Mapping[str, Any], cols: list[str], side: str) -> Any:
    vals = []
    for c in cols:
        v = rec.get(f"{c}_{side}")
        if hasattr(v, "tolist"):
            v = v.tolist()
        if isinstance(v, float) and math.isnan(v):
            v = None
        vals.append(v)
    if not vals:
        return None
    return vals[0] if len(vals) == 1 else tuple(vals)


def _explain(rec: Mapping[str, Any], level_info, swap: bool) -> tuple[FieldEvidence, ...]:
    out = []
    for name, labels, cols in level_info:
        gamma = rec.get(f"gamma_{name}")
        gamma = -1 if gamma is None or gamma != gamma else int(gamma)
        mw = rec.get(f"mw_{name}")
        mw = 0.0 if mw is None or mw != mw else float(mw)
        bf = 2.0**mw
        vl, vr = _value(rec, cols, "l"), _value(rec, cols, "r")
        if swap:
            vl, vr = vr, vl
        out.append(
            FieldEvidence(
                comparison=name,
                level=labels.get(gamma, str(gamma)),
                gamma=gamma,
                bayes_factor=bf,
                match_weight=mw,
                value_l=vl,
                value_r=vr,
            )
        )
    return tuple(out)


