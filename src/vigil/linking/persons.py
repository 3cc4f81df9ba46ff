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

How it works (plain Python around Splink 5, no Django; the Splink machinery is shared with
organisation resolution in `vigil.linking.resolver`, this module describes persons in `PROFILE`):

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
   Trained m/u are kept away from 0 (`resolver.clamp`) so that no single field vetoes a link on its own.
   String similarity uses Damerau-Levenshtein distances, which DuckDB and Splink's Spark functions
   compute identically (their Jaro-Winkler implementations differ slightly), so both engines put a
   pair in the same comparison levels.
4. Pairs are scored by Splink (DuckDB in-process, or Spark) and clustered by `resolver.cluster`:
   links are taken strongest first and a link is refused when it would put two records judged
   "different" in one cluster (so the weakest links on the path between them are the ones cut).
   Splink's own clustering is connected components, which has no cannot-link constraints; that is
   why this greedy union-find is written by hand.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Literal

from vigil.linking import names as _names
from vigil.linking import resolver
from vigil.linking.resolver import (  # noqa: F401 - the public types and limits live on here too
    DEFAULT_MAX_BLOCK_SIZE,
    DEFAULT_THRESHOLD,
    JUDGEMENTS,
    MIN_RECORDS_TO_TRAIN,
    U_SAMPLE_RECORDS,
    FieldEvidence,
    Judgement,
    LinkedPair,
    ModelSummary,
    Problem,
    Resolution,
    SkippedKey,
    check_judgements,
    local_spark_session,
)
from vigil.linking.resolver import as_list as _as_list
from vigil.linking.resolver import custom as _custom
from vigil.linking.resolver import norm_city as _norm_city
from vigil.linking.resolver import norm_country as _norm_nationality
from vigil.linking.resolver import norm_email as _norm_email
from vigil.linking.resolver import norm_phone as _norm_phone
from vigil.linking.resolver import norm_postcode as _norm_postcode
from vigil.linking.resolver import text as _text

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


def _norm_document(value: Any) -> tuple[str | None, str | None]:
    text = re.sub(r"[^A-Z0-9]", "", _names.fold(str(value)).upper())
    if len(text) < 4:
        return None, "document number too short"
    return text, None


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
    for _i, rec, rid in resolver.read_ids(records):

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
        resolver.read_identifiers(
            rec, row, (("phones", _norm_phone), ("emails", _norm_email), ("documents", _norm_document)), problem
        )
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


def _fill_keys(r: dict[str, Any]) -> None:
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


def _on_list_hub(r: dict[str, Any], src: str, hubs: set[str]) -> None:
    """A document number shared too widely is no training key either."""
    if src == "documents" and r["doc1"] in hubs:
        r["doc1"] = None
        r["bk_em_doc"] = None


# =========================================================================== model


def _comparisons(present: set[str]) -> list[tuple[str, str, list[Any]]]:
    """(name, description, levels) for the fields that occur in the data; `resolver.comparisons`
    sets each level's m/u (trained, or the built-in priors below)."""
    import splink.comparison_level_library as cll

    custom = _custom
    comps = []
    if "initials" in present:
        comps.append(
            (
                "given_name",
                "given names, nicknames and initials",
                [
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
            (
                "surname",
                "surname without particles",
                [
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
        comps.append(("birth_date", "birth date, partial allowed", levels))
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
        comps.append(("place", "postcode and city", levels))
    if "nationality" in present:
        comps.append(
            (
                "nationality",
                "",
                [
                    cll.NullLevel("nationality").configure(label_for_charts="nationality missing"),
                    cll.ExactMatchLevel("nationality").configure(label_for_charts="nationality agrees"),
                    cll.ElseLevel().configure(label_for_charts="nationality differs"),
                ],
            )
        )
    for col, label in (("phones", "phone"), ("emails", "e-mail")):
        if col in present:
            comps.append(
                (
                    label.replace("-", ""),
                    "",
                    [
                        cll.NullLevel(col).configure(label_for_charts=f"{label} missing"),
                        cll.ArrayIntersectLevel(col, 1).configure(label_for_charts=f"a {label} is shared"),
                        cll.ElseLevel().configure(label_for_charts=f"no {label} shared"),
                    ],
                )
            )
    if "documents" in present:
        comps.append(
            (
                "document",
                "",
                [
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


def _lambda_rules(present: set[str]) -> list[Any]:
    """Deterministic rules for the prior match probability, on hub-free keys only."""
    from splink import block_on

    deterministic = []
    if {"surname", "bk_dob"} <= present:
        deterministic.append(block_on("bk_dob", "surname"))
    if "bk_em_doc" in present:
        deterministic.append(block_on("bk_em_doc"))
    if "bk_phones" in present:
        deterministic.append(block_on("bk_phones", arrays_to_explode=["bk_phones"]))
    if {"bk_em_name", "birth_year"} <= present and not deterministic:
        deterministic.append(block_on("bk_em_name", "birth_year"))
    return deterministic


def _em_rules(present: set[str]) -> list[Any]:
    """Blocking rules for expectation maximisation; each names the columns whose comparison it fixes."""
    from splink import block_on

    em_rules = []
    if {"bk_em_name", "surname", "given1"} <= present:
        em_rules.append(block_on("bk_em_name", "surname", "given1"))
    if {"bk_dob", "dob"} <= present:
        em_rules.append(block_on("bk_dob", "dob"))
    if {"bk_em_doc", "doc1"} <= present:
        em_rules.append(block_on("bk_em_doc", "doc1"))
    return em_rules


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
# resolver.M_FLOOR_CHANGEABLE of true matches is assumed to disagree on them, whatever EM found.
_CHANGEABLE = ("place", "nationality", "phone", "email", "document")
_DEFAULT_LAMBDA = 1e-4  # one in 10,000 pairs: two records agreeing on full name only do not link

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

PROFILE = resolver.Profile(
    kind="person",
    kinds="persons",
    table="vigil_persons",
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
    data_versions=lambda: {"nicknames": _names.nickname_table().version},
    nicknames_version=lambda: _names.nickname_table().version,
    on_list_hub=_on_list_hub,
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
    return resolver.run(
        PROFILE, records, judgements=judgements, engine=engine, threshold=threshold, spark=spark, model=model,
        max_block_size=max_block_size,
    )
