"""Assessing stored signals, and the analysts' reviews. Plain functions: views, the CLI and tasks call them.

A stored assessment is current when it was made for the signal's current version with the catalogue in use.
`assess_stale()` brings every other one up to date (in batches, so an interrupted run simply continues);
`effective()` folds the analysts' reviews into the engine's reading, so confirmed and rejected indicators and
set forms, urgency and priority count everywhere (queue order, signal page) while the engine's own reading stays
visible beside them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from vigil.assessment import catalogue as catalogues
from vigil.assessment.engine import PATTERNS_ONLY, assess, read
from vigil.assessment.models import Assessment, IndicatorReview, ReadingReview
from vigil.audit.log import record as audit
from vigil.register.models import Signal, SignalVersion

BATCH = 500


def stale_signals(version: str | None = None):
    version = version or catalogues.current().version
    return Signal.objects.filter(
        Q(assessment__isnull=True) | ~Q(assessment__signal_version=F("version"))
        | ~Q(assessment__catalogue_version=version))


def _records(ids: list[int]) -> dict[int, dict]:
    rows = (SignalVersion.objects.filter(signal_id__in=ids).order_by("signal_id", "-version")
            .distinct("signal_id").values_list("signal_id", "data"))
    return dict(rows)


def judgements(ids: Iterable[int]) -> tuple[dict, dict]:
    """Newest indicator verdict per (signal, indicator) and newest reading review per signal."""
    verdicts: dict[int, dict[str, IndicatorReview]] = {}
    for review in IndicatorReview.objects.filter(signal_id__in=ids).order_by("signal_id", "indicator", "-at", "-id"):
        verdicts.setdefault(review.signal_id, {}).setdefault(review.indicator, review)
    readings: dict[int, ReadingReview] = {}
    for review in ReadingReview.objects.filter(signal_id__in=ids).order_by("signal_id", "-at", "-id"):
        readings.setdefault(review.signal_id, review)
    return verdicts, readings


def effective(reading: dict, verdicts: dict[str, IndicatorReview] | None = None,
              reading_review: ReadingReview | None = None) -> dict:
    """The reading with the analysts' judgements applied: rejected indicators out, confirmed ones in."""
    cat = catalogues.current()
    verdicts = verdicts or {}
    found = {}
    for ind in reading["indicators"]:
        review = verdicts.get(ind["id"])
        if ind["id"] in cat.indicators and not (review and review.verdict == IndicatorReview.Verdict.REJECTED):
            found[ind["id"]] = ind["evidence"]
    confirmed = frozenset(ident for ident, review in verdicts.items()
                          if review.verdict == IndicatorReview.Verdict.CONFIRMED)
    for ident in confirmed - set(found):
        if ident in cat.indicators:
            found[ident] = [{"field": "analyst", "language": "", "pattern": "", "before": "",
                             "match": verdicts[ident].reason, "after": "", "start": None, "end": None}]
    out = read(cat, found, reading.get("set_aside", []), reading.get("source_urgent", False),
               reading.get("language", ""), confirmed)
    out["reviewed"] = bool(verdicts or reading_review)
    if reading_review is not None:
        if reading_review.forms is not None:
            out["forms"]["likely"] = list(reading_review.forms)
        if reading_review.urgency:
            out["urgency"] = {"level": reading_review.urgency, "reasons": ["analyst"]}
        if reading_review.priority is not None:
            out["priority"] = {"score": reading_review.priority,
                               "parts": [{"part": "analyst", "points": reading_review.priority}]}
    return out


def _row(signal_id: int, version: int, reading: dict, verdicts, reading_review) -> Assessment:
    eff = effective(reading, verdicts, reading_review)
    return Assessment(
        signal_id=signal_id, signal_version=version, catalogue_version=reading["catalogue_version"],
        computed_at=timezone.now(), reading=reading, trafficking=eff["trafficking"], minor=eff["minor"],
        engine_urgency=reading["urgency"]["level"], engine_priority=reading["priority"]["score"],
        urgency=eff["urgency"]["level"], priority=eff["priority"]["score"], forms=eff["forms"]["likely"])


FIELDS = ["signal_version", "catalogue_version", "computed_at", "reading", "trafficking", "minor", "engine_urgency",
          "engine_priority", "urgency", "priority", "forms"]


def assess_signals(ids: list[int], reader: bool = True) -> int:
    """(Re)assess these signals now; returns how many were stored. ``reader=False``: with the patterns alone, a quick
    first reading that stays stale until the background worker reads it with the learned reader too."""
    if not ids:
        return 0
    signals = dict(Signal.objects.filter(pk__in=ids).values_list("pk", "version"))
    records = _records(list(signals))
    verdicts, readings = judgements(signals)
    rows = []
    for pk, version in signals.items():
        reading = assess(records.get(pk) or {}, reader=reader)
        rows.append(_row(pk, version, reading, verdicts.get(pk), readings.get(pk)))
    with transaction.atomic():
        Assessment.objects.bulk_create(rows, update_conflicts=True, unique_fields=["signal"], update_fields=FIELDS)
    return len(rows)


def assess_stale(batch: int = BATCH, progress: Callable[[int], None] | None = None, reader: bool = True) -> int:
    """Bring every assessment up to date with its signal and the catalogue; returns how many were (re)made.
    ``reader=False``: a quick first reading with the patterns alone (see ``assess_signals``)."""
    done, after = 0, 0
    version = catalogues.current().version
    stale = stale_signals(version)
    if not reader:
        stale = stale.exclude(assessment__catalogue_version=version + PATTERNS_ONLY, assessment__signal_version=F("version"))
    while True:
        ids = list(stale.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return done
        done += assess_signals(ids, reader=reader)
        after = ids[-1]
        if progress:
            progress(len(ids))


def refresh(signal: Signal) -> Assessment | None:
    """After a review: store the effective reading again (the engine's reading itself is not recomputed)."""
    try:
        assessment = signal.assessment
    except Assessment.DoesNotExist:
        assess_signals([signal.pk])
        return Assessment.objects.filter(pk=signal.pk).first()
    verdicts, readings = judgements([signal.pk])
    row = _row(signal.pk, assessment.signal_version, assessment.reading, verdicts.get(signal.pk),
               readings.get(signal.pk))
    judged = [f for f in FIELDS if f != "computed_at"]  # the engine's reading is as old as before
    for name in judged:
        setattr(assessment, name, getattr(row, name))
    assessment.save(update_fields=judged)
    return assessment


def review_indicator(user, signal: Signal, indicator: str, verdict: str, reason: str) -> IndicatorReview:
    if indicator not in catalogues.current().indicators:
        raise ValueError(f"unknown indicator {indicator!r}")
    with transaction.atomic():
        review = IndicatorReview.objects.create(signal=signal, indicator=indicator, verdict=verdict, reason=reason,
                                                by=user)
        audit(user, "review", signal, detail={"indicator": indicator, "verdict": verdict}, reason=reason)
        refresh(signal)
    return review


def review_reading(user, signal: Signal, forms: list[str] | None, urgency: str, priority: int | None,
                   reason: str) -> ReadingReview:
    with transaction.atomic():
        review = ReadingReview.objects.create(signal=signal, forms=forms, urgency=urgency or "", priority=priority,
                                              reason=reason, by=user)
        audit(user, "review", signal, detail={"forms": forms, "urgency": urgency, "priority": priority},
              reason=reason)
        refresh(signal)
    return review
