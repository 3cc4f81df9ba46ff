"""The Splink machinery shared by person and organisation resolution (plain Python, no Django).

`persons` and `organisations` each describe their records in a `Profile`: the columns handed to the
engine, how records are read into rows, the blocking keys, the comparisons and their built-in m/u,
the training rules. `run(profile, records, ...)` does the rest the same way for both:

1. ``profile.prepare`` reads the records (problems are reported per field, never raised).
2. Blocking keys are filled (``profile.fill_keys``); a value shared by more than ``max_block_size``
   records is dropped from blocking (and, for identifiers, from comparison), and listed in
   `Resolution.skipped_keys`.
3. The model is trained without labels (`_train`): u from all pairs of a sample chosen by a hash of
   the record id (so DuckDB and Spark see the same sample), lambda from deterministic rules, m by
   expectation maximisation; for a profile with ``refine_u`` (organisations, whose records repeat
   often enough that random pairs hold many matches), u and lambda are then re-estimated by EM over
   the sample's pairs with m fixed. Too few records: the profile's built-in parameters; ``model=``:
   the parameters of an earlier resolution. Trained m/u are kept away from 0 (`clamp`).
4. Splink scores the candidate pairs (DuckDB in-process or Spark) and `_cluster` joins them strongest
   first, refusing a link that would join records judged different (and, when the profile has an
   exclusive column such as the KvK number, records with different values of it). Splink's own
   clustering is connected components without cannot-link constraints; that is why this greedy
   union-find is written by hand.

Comparison levels use Damerau-Levenshtein, exact and array-intersect conditions only: DuckDB and
Splink's Spark functions compute these identically (their Jaro-Winkler implementations differ
slightly), so both engines put a pair in the same levels and a model trained on one applies on the
other.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import re
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from vigil.linking import names as _names

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.95  # match probability at or above which two records are linked
DEFAULT_MAX_BLOCK_SIZE = 400  # records sharing one blocking key value; beyond this the value is skipped
MIN_RECORDS_TO_TRAIN = 500
U_SAMPLE_RECORDS = 1000  # all pairs of this many records (about 500,000) estimate u
JUDGEMENTS = ("same", "different", "unsure")
M_FLOOR_CHANGEABLE = 0.05  # at least this share of true matches disagrees on a field that changes
M_FLOOR, U_FLOOR = 1e-3, 1e-7
FORCED = 1e18  # priority of a deterministic link: after the judged ones (inf), before any model link

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

    comparison: str  # "given_name", "birth_date", "name", "place", ...
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
    nicknames_version: str  # persons: the nickname table used ("" for organisations)
    # engine-independent parameters (lambda, m/u per level label): pass as resolve(model=...) to reuse
    parameters: dict[str, Any] = field(repr=False, default_factory=dict)
    splink_settings: dict[str, Any] = field(repr=False, default_factory=dict)  # Splink's model JSON
    data_versions: dict[str, str] = field(default_factory=dict)  # versioned lists used: {"nicknames": ...}


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

    def same(self, a: str, b: str) -> bool:
        """Whether records a and b are in one cluster (one person, one organisation)."""
        return self.clusters[a] == self.clusters[b]

    same_person = same
    same_organisation = same


# =========================================================================== profile


@dataclass(frozen=True)
class Profile:
    """What differs between persons and organisations; everything else is `run`.

    Functions take the set of `present` columns (a value in at least two records) so that a
    comparison or rule is only made when the data can use it."""

    kind: str  # "person", "organisation": in labels such as "judged the same person"
    kinds: str  # plural: "judged different persons"
    table: str  # engine table name prefix
    columns: tuple[tuple[str, str], ...]  # (name, "str" | "int" | "list"), "id" first
    prepare: Callable[[Sequence[Mapping[str, Any]]], tuple[list[dict[str, Any]], list[Problem]]]
    fill_keys: Callable[[dict[str, Any]], None]  # set the scalar bk_* columns of a row
    scalar_keys: Mapping[str, str]  # blocking key column -> label shown in SkippedKey
    list_keys: Mapping[str, tuple[str, str]]  # list key column -> (label, identifier column it copies)
    comparisons: Callable[[set[str]], list[tuple[str, str, list[Any]]]]  # [(name, description, levels)]
    prediction_rules: Callable[[set[str]], list[Any]]
    lambda_rules: Callable[[set[str]], list[Any]]  # deterministic rules for the prior match probability
    em_rules: Callable[[set[str]], list[Any]]
    default_mu: Mapping[str, Mapping[str, tuple[float, float]]]  # comparison -> level label -> (m, u)
    default_lambda: float
    changeable: tuple[str, ...]  # comparisons whose last ("differs") level keeps m >= M_FLOOR_CHANGEABLE
    comparison_columns: Mapping[str, list[str]]  # comparison -> input columns shown in explanations
    model_fields: Callable[[Mapping[str, Any]], set[str]]  # columns a reused model's comparisons need
    data_versions: Callable[[], dict[str, str]]
    nicknames_version: Callable[[], str] = lambda: ""
    on_list_hub: Callable[[dict[str, Any], str, set[str]], None] | None = None  # after a hub value is dropped
    # re-estimate u and lambda by EM over all pairs of the u sample, m fixed (see `train`): for records that
    # repeat often (an organisation in dozens of signals), random pairs hold enough true matches to inflate u
    refine_u: bool = False
    # records sharing a value of this column are one entity unless judged different, and a model
    # link never joins records with different values of it (organisations: the KvK number)
    exclusive: str | None = None
    exclusive_same_reason: str = ""
    exclusive_cut_reason: str = ""


def custom(sql: str, label: str) -> Any:
    """A comparison level from DuckDB SQL (Splink translates it for Spark)."""
    import splink.comparison_level_library as cll

    return cll.CustomLevel(sql, label_for_charts=label, base_dialect_str="duckdb")


# =========================================================================== shared field reading


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in re.split(r"[;,\s]+", value) if v] if any(c in value for c in ";,") else [value]
    if isinstance(value, Iterable):
        return [v for v in value if v is not None and v == v]
    return [value]


def norm_phone(value: Any) -> tuple[str | None, str | None]:
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


def norm_email(value: Any) -> tuple[str | None, str | None]:
    text = str(value).strip().lower()
    if not _EMAIL_RE.match(text):
        return None, "not an e-mail address"
    return text, None


def norm_country(value: Any) -> tuple[str | None, str | None]:
    """ISO 3166 alpha-2 from alpha-2 or alpha-3."""
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


def norm_postcode(value: Any) -> str | None:
    text = re.sub(r"[^A-Z0-9]", "", _names.fold(str(value)).upper())
    return text or None


def norm_city(value: Any) -> str | None:
    text = re.sub(r"[^a-z0-9 ]", " ", _names.fold(str(value)))
    text = " ".join(text.split())
    return text or None


def text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    out = str(value).strip()
    return out or None


def read_identifiers(
    rec: Mapping[str, Any], row: dict[str, Any], fields: Iterable[tuple[str, Callable[[Any], tuple[str | None, str | None]]]],
    problem: Callable[[str, Any, str], None],
) -> None:
    """Normalise list fields into sorted, distinct values; unreadable ones are reported."""
    for fieldname, norm in fields:
        values: list[str] = []
        for v in as_list(rec.get(fieldname)):
            if isinstance(v, float) and math.isnan(v):
                continue
            nv, msg = norm(v)
            if msg:
                problem(fieldname, v, msg)
            elif nv and nv not in values:
                values.append(nv)
        row[fieldname] = sorted(values) or None


def read_ids(records: Sequence[Mapping[str, Any]]) -> Iterable[tuple[int, Mapping[str, Any], str]]:
    """(index, record, id) per record; a record that is no dict, has no id or a repeated id is refused."""
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
        yield i, rec, rid


# =========================================================================== blocking


def blocking_keys(
    profile: Profile, rows: list[dict[str, Any]], judged: Iterable[tuple[str, str]], max_block_size: int
) -> list[SkippedKey]:
    """Fill the bk_* columns; drop values shared by more than max_block_size records."""
    for r in rows:
        profile.fill_keys(r)
        for bk, (_label, src) in profile.list_keys.items():
            r[bk] = list(r[src]) if r[src] else None
        r["bk_judged"] = None
    by_id = {r["id"]: r for r in rows}
    for n, (a, b) in enumerate(judged):
        for rid in (a, b):
            by_id[rid]["bk_judged"] = [*(by_id[rid]["bk_judged"] or []), f"j{n}"]

    skipped: list[SkippedKey] = []
    for bk, label in profile.scalar_keys.items():
        counts = Counter(r[bk] for r in rows if r[bk] is not None)
        hubs = {v: c for v, c in counts.items() if c > max_block_size}
        for v, c in sorted(hubs.items(), key=lambda kv: (-kv[1], kv[0])):
            skipped.append(SkippedKey(label, v, c, False))
        if hubs:
            for r in rows:
                if r[bk] in hubs:
                    r[bk] = None
    for bk, (label, src) in profile.list_keys.items():
        counts = Counter(v for r in rows for v in (r[bk] or ()))
        hubs = {v: c for v, c in counts.items() if c > max_block_size}
        for v, c in sorted(hubs.items(), key=lambda kv: (-kv[1], kv[0])):
            skipped.append(SkippedKey(label, v, c, True))
        if hubs:
            for r in rows:
                if r[bk]:
                    r[bk] = [v for v in r[bk] if v not in hubs] or None
                    r[src] = list(r[bk]) if r[bk] else None
                if profile.on_list_hub:
                    profile.on_list_hub(r, src, set(hubs))
    return skipped


def present_columns(rows: list[dict[str, Any]]) -> set[str]:
    """Columns with a value in at least two records (a comparison needs something to compare)."""
    counts: Counter[str] = Counter()
    for r in rows:
        for k, v in r.items():
            if v is not None:
                counts[k] += 1
    return {k for k, c in counts.items() if c >= 2}


def stable_hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


# =========================================================================== model


def comparisons(profile: Profile, present: set[str], params: Mapping[str, Mapping[str, Any]] | None = None) -> list[Any]:
    """Splink comparisons for the fields that occur in the data, with m/u from `params`
    (comparison name -> level label -> {"m", "u"}) where known, else the profile's built-in priors."""
    from splink.comparison_library import CustomComparison

    out = []
    for name, description, levels in profile.comparisons(present):
        trained = (params or {}).get(name, {})
        prior = profile.default_mu.get(name, {})
        for level in levels:
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
        out.append(
            CustomComparison(output_column_name=name, comparison_levels=levels, comparison_description=description or name)
        )
    return out


def settings(profile: Profile, present: set[str], params: Mapping[str, Any] | None = None) -> Any:
    """A Splink SettingsCreator for this data, carrying the parameters in `params` (see `params_of`)."""
    from splink import SettingsCreator

    params = params or {}
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="id",
        comparisons=comparisons(profile, present, params.get("comparisons")),
        blocking_rules_to_generate_predictions=profile.prediction_rules(present),
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["bk_judged"] if "bk_judged" in present else [],
        probability_two_random_records_match=params.get("probability_two_random_records_match") or profile.default_lambda,
        em_convergence=0.001,
        max_iterations=25,
    )


def clamp(profile: Profile, params: dict[str, Any]) -> dict[str, Any]:
    """Keep trained m/u away from 0 so that no single field can veto or force a link by itself."""
    for name, levels in (params.get("comparisons") or {}).items():
        labels = list(levels)
        for label, mu in levels.items():
            floor = M_FLOOR_CHANGEABLE if (name in profile.changeable and label == labels[-1]) else M_FLOOR
            if isinstance(mu.get("m"), int | float):
                mu["m"] = min(max(mu["m"], floor), 1.0)
            if isinstance(mu.get("u"), int | float):
                mu["u"] = min(max(mu["u"], U_FLOOR), 1.0)
    return params


# =========================================================================== engines


class Engine:
    """Registers rows with Splink's DuckDB or Spark backend."""

    def __init__(self, name: str, columns: Sequence[tuple[str, str]], spark: Any = None):
        import uuid

        self.name = name
        self.columns = tuple(columns)
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
        cols = [c for c, _ in self.columns]
        if self.name == "duckdb":
            import pyarrow as pa

            types = {"str": pa.string(), "int": pa.int32(), "list": pa.list_(pa.string())}
            schema = pa.schema([(c, types[t]) for c, t in self.columns])
            data = pa.Table.from_pylist([{c: r[c] for c in cols} for r in rows], schema=schema)
            return db_api.register(data, table_name=name)
        from pyspark.sql import types as T

        types = {"str": T.StringType(), "int": T.IntegerType(), "list": T.ArrayType(T.StringType())}
        schema = T.StructType([T.StructField(c, types[t], True) for c, t in self.columns])
        sdf = self.spark.createDataFrame([tuple(r[c] for c in cols) for r in rows], schema=schema)
        return db_api.register(sdf, table_name=name)


def local_spark_session(app_name: str = "vigil-linking") -> Any:
    """A local-mode SparkSession with Splink's similarity functions, quiet (``vigil.core.spark``)."""
    from vigil.core.spark import local_session

    return local_session(app_name)


# =========================================================================== training


def params_of(settings_json: Mapping[str, Any]) -> dict[str, Any]:
    """Splink's model JSON -> engine-independent parameters: lambda and m/u per level label."""
    comps: dict[str, dict[str, dict[str, float | None]]] = {}
    for comp in settings_json["comparisons"]:
        levels = {}
        for level in comp["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            levels[level.get("label_for_charts")] = {"m": level.get("m_probability"), "u": level.get("u_probability")}
        comps[comp["output_column_name"]] = levels
    return {
        "probability_two_random_records_match": settings_json.get("probability_two_random_records_match"),
        "comparisons": comps,
    }


def train(
    profile: Profile, engine: Engine, db: Any, table: Any, rows: list[dict[str, Any]], present: set[str],
    timings: dict[str, float],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Train u (all pairs of a hashed sample), lambda (deterministic rules) and m (EM).

    Returns (parameters, description of the training)."""
    from splink import Linker

    info: dict[str, Any] = {"records": len(rows)}
    t = time.perf_counter()
    sample = sorted(rows, key=lambda r: stable_hash(r["id"]))[:U_SAMPLE_RECORDS]
    n = len(sample)
    linker_u = Linker(engine.table(db, sample, f"{profile.table}_u"), settings(profile, present), log_level=logging.ERROR)
    pairs = n * (n - 1) / 2
    linker_u.training.estimate_u_using_random_sampling(max_pairs=pairs + 1, min_count_per_level=None, num_chunks=1)
    params = params_of(linker_u.misc.save_model_to_json())
    info["u"] = f"all {int(pairs):,} pairs of {n:,} records sampled by a hash of the record id"
    timings["train_u"] = time.perf_counter() - t

    t = time.perf_counter()
    linker = Linker(table, settings(profile, present, params), log_level=logging.ERROR)
    deterministic = profile.lambda_rules(present)  # on hub-free keys only
    lam = None
    if deterministic:
        try:
            linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
            lam = linker.misc.save_model_to_json()["probability_two_random_records_match"]
        except Exception as exc:  # rules more certain than the recall allows: keep the prior
            log.info("lambda not estimated: %s", exc)
    if not lam or lam <= 0:
        lam = profile.default_lambda
        linker._settings_obj._probability_two_random_records_match = lam
    info["probability_two_random_records_match"] = (
        "deterministic rules, recall 0.7" if lam != profile.default_lambda else "prior"
    )
    timings["train_lambda"] = time.perf_counter() - t

    t = time.perf_counter()
    used = []
    for rule in profile.em_rules(present):
        sql = rule.get_blocking_rule("duckdb").blocking_rule_sql
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule, estimate_without_term_frequencies=True)
            used.append(sql)
        except Exception as exc:  # a rule that yields no pairs in this data
            log.info("EM rule %s skipped: %s", sql, exc)
    info["m"] = {"method": "expectation maximisation", "blocking_rules": used}
    trained = params_of(linker.misc.save_model_to_json())
    trained["probability_two_random_records_match"] = lam
    # a level EM never saw has no trained m: it keeps its prior (filled in by `comparisons`)
    for levels in trained["comparisons"].values():
        for mu in levels.values():
            for k in ("m", "u"):
                if not isinstance(mu.get(k), int | float):
                    mu[k] = None
    timings["train_em"] = time.perf_counter() - t
    if profile.refine_u:
        t = time.perf_counter()
        trained = _refine_u(profile, engine, db, sample, present, trained)
        info["u"] += "; u and lambda then re-estimated by EM over those pairs, m fixed"
        info["probability_two_random_records_match"] = "EM over all pairs of the sample, m fixed"
        timings["train_refine"] = time.perf_counter() - t
    return clamp(profile, trained), info


def _refine_u(
    profile: Profile, engine: Engine, db: Any, sample: list[dict[str, Any]], present: set[str], trained: dict[str, Any]
) -> dict[str, Any]:
    """u and lambda by EM over all pairs of the sample, with the m found by the blocked EM held fixed.

    u from random pairs is P(level | any pair), not P(level | non-match): when a tenth of a percent of the pairs
    are matches, "a phone is shared" gets a u a thousand times too large. Weighting each pair by its probability
    of being a non-match (EM) removes them; lambda comes out of the same EM instead of an assumed recall of the
    deterministic rules. Levels the sample has no pair in keep the earlier u."""
    from splink import Linker
    from splink.blocking_rule_library import CustomRule

    linker = Linker(engine.table(db, sample, f"{profile.table}_s"), settings(profile, present, trained),
                    log_level=logging.ERROR)  # fmt: skip
    try:
        linker.training.estimate_parameters_using_expectation_maximisation(
            CustomRule("1=1"), fix_m_probabilities=True, fix_u_probabilities=False,
            populate_probability_two_random_records_match_from_trained_values=True,
            estimate_without_term_frequencies=True,
        )  # fmt: skip
    except Exception as exc:  # pragma: no cover - e.g. a sample without any pair
        log.info("u not refined: %s", exc)
        return trained
    refined = params_of(linker.misc.save_model_to_json())
    for name, levels in trained["comparisons"].items():
        for label, mu in levels.items():
            u = refined["comparisons"].get(name, {}).get(label, {}).get("u")
            if isinstance(u, int | float) and u > 0:
                mu["u"] = u
    lam = refined.get("probability_two_random_records_match")
    if isinstance(lam, int | float) and 0 < lam < 1:
        trained["probability_two_random_records_match"] = lam
    return trained


# =========================================================================== judgements and clustering


def check_judgements(judgements: Sequence[Judgement], ids: set[str]) -> list[tuple[str, str, str]]:
    """Validate judgements; the latest on a pair counts. Raises ValueError on a bad or contradictory one."""
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


def cluster(
    ids: list[str], edges: list[tuple[float, str, str, str]], cannot: set[tuple[str, str]],
    exclusive: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Greedy union-find: edges (priority, a, b, kind) strongest first; refuse merges that would put
    a cannot-link pair into one cluster, and model merges ("model" edges) of clusters that both carry
    an `exclusive` value (a KvK number) but no common one. Returns (record -> cluster id, refused
    edge -> "judged" | "exclusive")."""
    parent = {i: i for i in ids}
    members: dict[str, set[str]] = {i: {i} for i in ids}
    forbidden: dict[str, set[str]] = defaultdict(set)  # root -> roots it may not join
    for a, b in cannot:
        forbidden[a].add(b)
        forbidden[b].add(a)
    values: dict[str, set[str]] = {i: {v} for i, v in (exclusive or {}).items() if v is not None}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    refused: dict[tuple[str, str], str] = {}
    for _prio, a, b, kind in sorted(edges, key=lambda e: (-e[0], e[1], e[2])):
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        if rb in forbidden[ra]:
            refused[(a, b)] = "judged"
            continue
        va, vb = values.get(ra), values.get(rb)
        if kind == "model" and va and vb and not (va & vb):
            refused[(a, b)] = "exclusive"
            continue
        if len(members[ra]) < len(members[rb]):
            ra, rb = rb, ra
            va, vb = vb, va
        parent[rb] = ra
        members[ra] |= members.pop(rb)
        fb = forbidden.pop(rb, set())
        for other in fb:
            forbidden[other].discard(rb)
            forbidden[other].add(ra)
        forbidden[ra] |= fb
        if vb:
            values[ra] = (va or set()) | values.pop(rb)
    clusters = {}
    for mem in members.values():
        cid = min(mem)
        for m in mem:
            clusters[m] = cid
    return clusters, refused


# =========================================================================== resolve


def run(
    profile: Profile,
    records: Sequence[Mapping[str, Any]],
    *,
    judgements: Sequence[Judgement] = (),
    engine: Literal["duckdb", "spark"] = "duckdb",
    threshold: float | None = None,
    spark: Any = None,
    model: ModelSummary | Mapping[str, Any] | None = None,
    max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
) -> Resolution:
    """Resolve `records` as described by `profile` (see `persons.resolve` for the arguments)."""
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    threshold = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    if not 0 < threshold <= 1:
        raise ValueError("threshold is a match probability in (0, 1]")
    rows, problems = profile.prepare(records)
    ids = [r["id"] for r in rows]
    judged = check_judgements(judgements, set(ids))
    skipped = blocking_keys(profile, rows, [(a, b) for a, b, _ in judged], max_block_size)
    timings["prepare"] = time.perf_counter() - t0
    nick_version, versions = profile.nicknames_version(), profile.data_versions()
    present = present_columns(rows)
    exclusive = {r["id"]: r[profile.exclusive] for r in rows if r[profile.exclusive]} if profile.exclusive else {}
    same_reason, different_reason = f"judged the same {profile.kind}", f"judged different {profile.kinds}"
    if len(rows) < 2 or not profile.comparisons(present):
        reason = "fewer than two records" if len(rows) < 2 else "no field occurs in two records: nothing to compare"
        summary = ModelSummary(False, engine, 0.0, [], {"reason": reason}, nick_version, data_versions=versions)
        same = [(math.inf, min(a, b), max(a, b), "same") for a, b, v in judged if v == "same"]
        clusters, _ = cluster(ids, same, set())
        pairs = [LinkedPair(a, b, math.nan, math.nan, (), "same", True, same_reason) for _p, a, b, _k in same]
        timings["total"] = time.perf_counter() - t0
        return Resolution(clusters, pairs, summary, threshold, timings, problems, skipped)

    eng = Engine(engine, profile.columns, spark)
    if any(r["bk_judged"] for r in rows):
        present.add("bk_judged")

    from splink import Linker

    try:
        t = time.perf_counter()
        db = eng.db_api_factory()
        table = eng.table(db, rows, profile.table)
        training: dict[str, Any]
        if model is not None:
            params = model.parameters if isinstance(model, ModelSummary) else dict(model)
            trained, training = True, {"reused": "parameters of an earlier resolution"}
        elif len(rows) >= MIN_RECORDS_TO_TRAIN:
            params, training = train(profile, eng, db, table, rows, present, timings)
            trained = True
        else:
            params = {}
            trained = False
            training = {
                "reason": f"{len(rows)} records are too few to train on (< {MIN_RECORDS_TO_TRAIN}); built-in parameters used"
            }
        timings["train"] = time.perf_counter() - t

        t = time.perf_counter()
        linker = Linker(table, settings(profile, present | profile.model_fields(params), params), log_level=logging.ERROR)
        floor = min(threshold, 0.5)
        # judged pairs, and pairs sharing an exclusive value (linked whatever the model says), are kept with the
        # model's view of them however low it is
        keep = [_judged_sql(engine)] if judged else []
        if exclusive and profile.exclusive in present:
            keep.append(f'"{profile.exclusive}_l" = "{profile.exclusive}_r"')
        pred = linker.inference.predict(threshold_match_probability=None if keep else floor, warning_mode="never")
        if keep:
            cond = " or ".join(f"({c})" for c in keep)
            sql = f"select * from {pred.physical_name} where match_probability >= {floor} or {cond}"
            df = linker.misc.query_sql(sql, output_type="pandas")
        else:
            df = pred.as_pandas_dataframe()
        timings["predict"] = time.perf_counter() - t
        settings_out = linker.misc.save_model_to_json()
    finally:
        eng.close()

    t = time.perf_counter()
    summary = _summary(settings_out, params, trained, engine, training, nick_version, versions)
    level_info = _level_info(profile, settings_out)
    verdicts = {(a, b) if a < b else (b, a): v for a, b, v in judged}
    scored: dict[tuple[str, str], dict[str, Any]] = {}
    for rec in df.to_dict("records"):
        a, b = str(rec["id_l"]), str(rec["id_r"])
        key = (a, b) if a < b else (b, a)
        scored[key] = rec

    def forced(key: tuple[str, str]) -> bool:  # the two records share an exclusive value (KvK number)
        value = exclusive.get(key[0])
        return value is not None and value == exclusive.get(key[1])

    edges: list[tuple[float, str, str, str]] = []
    for key, rec in scored.items():
        v = verdicts.get(key)
        if v == "same":
            edges.append((math.inf, *key, "same"))
        elif v != "different" and forced(key):
            edges.append((FORCED, *key, "forced"))
        elif v != "different" and rec["match_probability"] >= threshold:
            edges.append((float(rec["match_weight"]), *key, "model"))
    for key, v in verdicts.items():
        if v == "same" and key not in scored:
            edges.append((math.inf, *key, "same"))
    unscored_forced = [k for k in _stars(exclusive) if k not in scored and verdicts.get(k) not in ("same", "different")]
    edges.extend((FORCED, *k, "forced") for k in unscored_forced)
    cannot = {k for k, v in verdicts.items() if v == "different"}
    clusters, refused = cluster(ids, edges, cannot, exclusive)
    timings["cluster"] = time.perf_counter() - t

    pairs: list[LinkedPair] = []
    for key in set(scored) | {k for k in verdicts if verdicts[k] in ("same", "different")} | set(unscored_forced):
        rec = scored.get(key)
        v = verdicts.get(key)
        prob = float(rec["match_probability"]) if rec else float("nan")
        weight = float(rec["match_weight"]) if rec else float("nan")
        if v == "same":
            linked, reason = True, same_reason
        elif v == "different":
            linked, reason = False, different_reason
        elif key in refused:
            linked = False
            reason = "cut: would join records judged different" if refused[key] == "judged" else profile.exclusive_cut_reason
        elif forced(key):
            linked, reason = True, profile.exclusive_same_reason
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


def _stars(exclusive: Mapping[str, str]) -> list[tuple[str, str]]:
    """Records sharing an exclusive value, as a star from the smallest id (enough to join them all)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for rid, v in exclusive.items():
        groups[v].append(rid)
    out = []
    for members in groups.values():
        first, *rest = sorted(members)
        out.extend((first, other) for other in rest)
    return out


def _judged_sql(engine: str) -> str:
    if engine == "spark":
        return "size(array_intersect(bk_judged_l, bk_judged_r)) > 0"
    return "len(list_intersect(bk_judged_l, bk_judged_r)) > 0"


# =========================================================================== explanation


def _summary(
    settings_json: dict[str, Any], params: dict[str, Any], trained: bool, engine: str, training: dict[str, Any],
    nick_version: str, versions: dict[str, str],
) -> ModelSummary:
    comps = []
    for comp in settings_json["comparisons"]:
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
        probability_two_random_records_match=settings_json.get("probability_two_random_records_match"),
        comparisons=comps,
        training=training,
        nicknames_version=nick_version,
        parameters=params_of(settings_json),
        splink_settings=settings_json,
        data_versions=versions,
    )


def _level_info(profile: Profile, settings_json: dict[str, Any]) -> list[tuple[str, dict[int, str], list[str]]]:
    """Per comparison: (name, gamma -> level label, input columns)."""
    out = []
    for comp in settings_json["comparisons"]:
        levels = comp["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        labels = {-1: next((lv.get("label_for_charts") for lv in levels if lv.get("is_null_level")), "missing")}
        for i, lv in enumerate(non_null):
            labels[len(non_null) - 1 - i] = lv.get("label_for_charts")
        out.append((comp["output_column_name"], labels, profile.comparison_columns.get(comp["output_column_name"], [])))
    return out


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
